"""Who stored which image: the media quotas, and finding images nothing refers to."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop_server.events import Publication
from chatshop_server.rules.media import MediaQuota, MediaUsage, check_quota
from chatshop_server.rules.money import DAY_MS
from chatshop_server.storage.common import user_by_id
from chatshop_server.storage.database import Store, settings, writes
from chatshop_server.storage.tables import brand_staff, media_uploads, products


def uploader_brand(conn: Connection, user_id: int) -> int:
    """The brand an upload counts against: the uploader, or the brand it is staff of."""
    user = user_by_id(conn, user_id)
    if user.kind == "brand":
        return user.id
    brand = conn.execute(
        select(func.min(brand_staff.c.brand_id)).where(brand_staff.c.user_id == user_id)
    ).scalar()
    if brand is None:
        raise ProtocolError(ErrorCode.FORBIDDEN, "only brands and their staff upload images")
    return int(brand)


def _usage(conn: Connection, user_id: int, brand_id: int, since: int) -> MediaUsage:
    def totals(*where: object) -> tuple[int, int]:
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(media_uploads.c.bytes), 0)).where(
                *where  # type: ignore[arg-type]
            )
        ).one()
        return int(row[0]), int(row[1])

    account = totals(media_uploads.c.uploader_id == user_id, media_uploads.c.created_at >= since)
    brand = totals(media_uploads.c.brand_id == brand_id)
    _, total = totals()
    return MediaUsage(
        account_files_today=account[0],
        account_bytes_today=account[1],
        brand_files=brand[0],
        brand_bytes=brand[1],
        total_bytes=total,
    )


def record_upload(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    path: str,
    size: int,
    quota: MediaQuota,
) -> bool:
    """Count a new image against the quotas (True), or find it stored already (False)."""
    brand_id = uploader_brand(conn, user_id)
    known = conn.execute(select(media_uploads.c.path).where(media_uploads.c.path == path)).first()
    if known is not None:
        return False
    now = settings(conn).clock()
    check_quota(size, _usage(conn, user_id, brand_id, now - DAY_MS), quota)
    conn.execute(
        insert(media_uploads).values(
            path=path, bytes=size, uploader_id=user_id, brand_id=brand_id, created_at=now
        )
    )
    return True


def forget_orphans(conn: Connection, publications: list[Publication], before: int) -> list[str]:
    """Uploads older than ``before`` that no product shows: their records go, their paths
    are returned for the files to be removed."""
    unused = conn.execute(
        select(media_uploads.c.path).where(
            media_uploads.c.created_at < before,
            ~select(products.c.id)
            .where(func.instr(products.c.images, media_uploads.c.path) > 0)
            .exists(),
        )
    ).scalars()
    paths = list(unused)
    if paths:
        conn.execute(delete(media_uploads).where(media_uploads.c.path.in_(paths)))
    return paths


class UploadStore(Store):
    """Uploaded images: quotas and clean-up."""

    __slots__ = ()

    record = writes(record_upload)
    forget_orphans = writes(forget_orphans)
