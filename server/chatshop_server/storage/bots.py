"""Bot tokens: sessions of a brand account bound by scopes, created and revoked by staff.

A bot token is a row of ``sessions`` with ``scopes`` set, so it authenticates, resumes and
is revoked exactly like a person's session; ``logout_all`` and password changes leave bot
tokens alone (staff revoke them one by one).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from chatshop.protocol.bot_frames import MAX_BOT_TOKENS, SCOPES, BotToken, BotTokenList, Scope
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.text import check_text
from chatshop_server.events import Publication
from chatshop_server.storage.catalog import brand_user, require_staff
from chatshop_server.storage.common import append_revocation, new_id, users_by_id
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.tables import sessions


def encode_scopes(scopes: list[Scope]) -> str:
    """Scopes as stored: known ones only, in their canonical order, space-separated."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"unknown scope {unknown[0]!r}")
    return " ".join(scope for scope in SCOPES if scope in scopes)


def decode_scopes(stored: str | None) -> frozenset[Scope] | None:
    if stored is None:
        return None
    return frozenset(part for part in stored.split() if part in SCOPES)


def _view(conn: Connection, row: object) -> BotToken:
    ids = [row.user_id]  # type: ignore[attr-defined]
    creator = row.created_by  # type: ignore[attr-defined]
    if creator is not None:
        ids.append(creator)
    people = users_by_id(conn, ids)
    scopes = decode_scopes(row.scopes) or frozenset()  # type: ignore[attr-defined]
    return BotToken(
        bot_id=row.id,  # type: ignore[attr-defined]
        brand=people[row.user_id],  # type: ignore[attr-defined]
        name=row.bot_name,  # type: ignore[attr-defined]
        scopes=[scope for scope in SCOPES if scope in scopes],
        created_at=row.created_at,  # type: ignore[attr-defined]
        created_by=None if creator is None else people.get(creator),
        revoked_at=row.revoked_at,  # type: ignore[attr-defined]
    )


def create_bot_token(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    name: str,
    scopes: list[Scope],
    token_hash: str,
) -> BotToken:
    """A new token for a bot of brand ``handle``, by staff ``user_id`` (None: the admin)."""
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    check_text(name, field="name", max_chars=40)
    stored = encode_scopes(scopes)
    live = conn.execute(
        select(func.count())
        .select_from(sessions)
        .where(
            sessions.c.user_id == brand.id,
            sessions.c.scopes.is_not(None),
            sessions.c.revoked_at.is_(None),
        )
    ).scalar_one()
    if live >= MAX_BOT_TOKENS:
        raise ProtocolError(
            ErrorCode.LIMIT_EXCEEDED, f"a brand holds at most {MAX_BOT_TOKENS} live bot tokens"
        )
    token_id = new_id(
        conn.execute(
            insert(sessions).values(
                user_id=brand.id,
                token_hash=token_hash,
                device=f"bot:{name}"[:64],
                created_at=settings(conn).clock(),
                scopes=stored,
                bot_name=name,
                created_by=user_id,
            )
        )
    )
    return _view(conn, conn.execute(select(sessions).where(sessions.c.id == token_id)).one())


def list_bot_tokens(conn: Connection, user_id: int, handle: str) -> BotTokenList:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    rows = conn.execute(
        select(sessions)
        .where(sessions.c.user_id == brand.id, sessions.c.scopes.is_not(None))
        .order_by(sessions.c.id.desc())
    ).all()
    return BotTokenList(bots=[_view(conn, row) for row in rows])


def revoke_bot_token(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    bot_id: int,
) -> int:
    """Revoke one of the brand's bot tokens; returns the brand's id (whose connections on
    that session the caller closes)."""
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    row = conn.execute(
        select(sessions).where(
            sessions.c.id == bot_id,
            sessions.c.user_id == brand.id,
            sessions.c.scopes.is_not(None),
        )
    ).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no bot token {bot_id} of @{brand.handle}")
    if row.revoked_at is None:
        conn.execute(
            update(sessions)
            .where(sessions.c.id == bot_id)
            .values(revoked_at=settings(conn).clock())
        )
        append_revocation(conn, publications, brand.id, bot_id)
    return brand.id


class BotStore(Store):
    """Brands' bot tokens."""

    __slots__ = ()

    create = writes(create_bot_token)
    tokens = reads(list_bot_tokens)
    revoke = writes(revoke_bot_token)
