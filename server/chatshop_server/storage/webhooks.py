"""Webhook endpoints and their outbox.

``enqueue`` is called inside the transaction of the change it reports (a message in a brand
thread, an order step, a payment ...): the delivery rows are committed with the change or
not at all, so a relay killed at any moment loses none. The dispatcher
(``chatshop_server.webhooks``) reads what is due, claims it, POSTs it and records the
outcome here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.webhook_frames import (
    MAX_ENDPOINTS,
    RETRY_FOR,
    WEBHOOK_KINDS,
    DeliveryPage,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookKind,
    WebhookList,
    WebhookSecret,
)
from chatshop_server.events import Publication
from chatshop_server.storage.catalog import brand_user, require_staff
from chatshop_server.storage.common import new_id, users_by_id
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.outbox import WAKE
from chatshop_server.storage.tables import webhook_deliveries, webhook_endpoints


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _kinds(stored: str) -> list[WebhookKind]:
    wanted = set(stored.split())
    return [kind for kind in WEBHOOK_KINDS if kind in wanted]


def _view(conn: Connection, row: Any) -> WebhookEndpoint:
    counts: dict[str, int] = dict(
        conn.execute(
            select(webhook_deliveries.c.status, func.count())
            .where(
                webhook_deliveries.c.endpoint_id == row.id,
                webhook_deliveries.c.status.in_(["pending", "dead"]),
            )
            .group_by(webhook_deliveries.c.status)
        ).all()
    )
    return WebhookEndpoint(
        endpoint_id=row.id,
        brand=users_by_id(conn, [row.brand_id])[row.brand_id],
        url=row.url,
        kinds=_kinds(row.kinds),
        active=bool(row.active),
        created_at=row.created_at,
        pending=counts.get("pending", 0),
        dead=counts.get("dead", 0),
        disabled_reason=row.disabled_reason,
        secret_rotated_at=row.rotated_at,
    )


def _endpoint(conn: Connection, user_id: int | None, handle: str, endpoint_id: int) -> Any:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    row = conn.execute(
        select(webhook_endpoints).where(
            webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.brand_id == brand.id
        )
    ).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no webhook {endpoint_id} of @{brand.handle}")
    return row


def add_endpoint(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    url: str,
    kinds: list[WebhookKind],
) -> WebhookSecret:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    count = conn.execute(
        select(func.count())
        .select_from(webhook_endpoints)
        .where(webhook_endpoints.c.brand_id == brand.id)
    ).scalar_one()
    if count >= MAX_ENDPOINTS:
        raise ProtocolError(
            ErrorCode.LIMIT_EXCEEDED, f"a brand has at most {MAX_ENDPOINTS} webhooks"
        )
    secret = new_secret()
    endpoint_id = new_id(
        conn.execute(
            insert(webhook_endpoints).values(
                brand_id=brand.id,
                url=url,
                kinds=" ".join(k for k in WEBHOOK_KINDS if k in kinds),
                secret=secret,
                active=1,
                created_by=user_id,
                created_at=settings(conn).clock(),
            )
        )
    )
    row = conn.execute(select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id))
    return WebhookSecret(endpoint=_view(conn, row.one()), secret=secret)


def list_endpoints(conn: Connection, user_id: int, handle: str) -> WebhookList:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    rows = conn.execute(
        select(webhook_endpoints)
        .where(webhook_endpoints.c.brand_id == brand.id)
        .order_by(webhook_endpoints.c.id)
    ).all()
    return WebhookList(endpoints=[_view(conn, row) for row in rows])


def remove_endpoint(
    conn: Connection, publications: list[Publication], user_id: int, handle: str, endpoint_id: int
) -> None:
    row = _endpoint(conn, user_id, handle, endpoint_id)
    conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == row.id))
    conn.execute(delete(webhook_endpoints).where(webhook_endpoints.c.id == row.id))


def rotate_secret(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    endpoint_id: int,
    overlap_hours: int,
) -> WebhookSecret:
    row = _endpoint(conn, user_id, handle, endpoint_id)
    now = settings(conn).clock()
    secret = new_secret()
    until = now + overlap_hours * 3_600_000 if overlap_hours else None
    conn.execute(
        update(webhook_endpoints)
        .where(webhook_endpoints.c.id == row.id)
        .values(
            secret=secret,
            previous_secret=row.secret if until else None,
            previous_until=until,
            rotated_at=now,
        )
    )
    fresh = conn.execute(select(webhook_endpoints).where(webhook_endpoints.c.id == row.id))
    return WebhookSecret(
        endpoint=_view(conn, fresh.one()), secret=secret, previous_valid_until=until
    )


def _delivery_view(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        delivery_id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
        last_status=row.last_status,
        last_error=row.last_error,
        latency_ms=row.latency_ms,
    )


def list_deliveries(
    conn: Connection,
    user_id: int,
    handle: str,
    endpoint_id: int,
    status: DeliveryStatus | None,
    before: int | None,
    limit: int,
) -> DeliveryPage:
    row = _endpoint(conn, user_id, handle, endpoint_id)
    query = select(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == row.id)
    if status is not None:
        query = query.where(webhook_deliveries.c.status == status)
    if before is not None:
        query = query.where(webhook_deliveries.c.id < before)
    rows = conn.execute(query.order_by(webhook_deliveries.c.id.desc()).limit(limit + 1)).all()
    return DeliveryPage(
        deliveries=[_delivery_view(r) for r in rows[:limit]], more=len(rows) > limit
    )


def replay(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    endpoint_id: int,
    event_id: str | None,
    since: int | None,
    until: int | None,
) -> int:
    """Queue deliveries again (same event ids), whatever their state."""
    row = _endpoint(conn, user_id, handle, endpoint_id)
    if event_id is None and since is None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "name an event_id, or a since time")
    now = settings(conn).clock()
    where = [webhook_deliveries.c.endpoint_id == row.id]
    if event_id is not None:
        where.append(webhook_deliveries.c.event_id == event_id)
    if since is not None:
        where.append(webhook_deliveries.c.created_at >= since)
        where.append(webhook_deliveries.c.created_at <= (until if until is not None else now))
    result = conn.execute(
        update(webhook_deliveries)
        .where(*where)
        .values(
            status="pending",
            next_attempt_at=now,
            give_up_at=now + int(RETRY_FOR * 1000),
            claimed_until=None,
        )
    )
    if event_id is not None and result.rowcount == 0:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no event {event_id} for this webhook")
    if result.rowcount:
        conn.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == row.id)
            .values(active=1, disabled_reason=None)
        )
        publications.append(WAKE)
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery to make now, with what signing it needs."""

    delivery_id: int
    endpoint_id: int
    thread_id: int | None
    event_id: str
    url: str
    body: bytes
    secrets: tuple[str, ...]
    attempts: int
    give_up_at: int


def due(conn: Connection, now: int, limit: int) -> list[Due]:
    """Deliveries that may be made now: pending, due, not claimed, and the oldest pending
    one of their endpoint and thread (so one thread's events go out in order)."""
    earlier = webhook_deliveries.alias("earlier")
    blocked = exists().where(
        earlier.c.endpoint_id == webhook_deliveries.c.endpoint_id,
        earlier.c.thread_id == webhook_deliveries.c.thread_id,
        earlier.c.status == "pending",
        earlier.c.id < webhook_deliveries.c.id,
    )
    rows = conn.execute(
        select(
            webhook_deliveries,
            webhook_endpoints.c.url,
            webhook_endpoints.c.secret,
            webhook_endpoints.c.previous_secret,
            webhook_endpoints.c.previous_until,
        )
        .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
        .where(
            webhook_deliveries.c.status == "pending",
            webhook_deliveries.c.next_attempt_at <= now,
            or_(
                webhook_deliveries.c.claimed_until.is_(None),
                webhook_deliveries.c.claimed_until < now,
            ),
            webhook_endpoints.c.active == 1,
            or_(webhook_deliveries.c.thread_id.is_(None), ~blocked),
        )
        .order_by(webhook_deliveries.c.id)
        .limit(limit)
    ).all()
    found = []
    for row in rows:
        keys = [row.secret]
        if row.previous_secret and row.previous_until and row.previous_until > now:
            keys.append(row.previous_secret)
        found.append(
            Due(
                delivery_id=row.id,
                endpoint_id=row.endpoint_id,
                thread_id=row.thread_id,
                event_id=row.event_id,
                url=row.url,
                body=row.body,
                secrets=tuple(keys),
                attempts=row.attempts,
                give_up_at=row.give_up_at,
            )
        )
    return found


def claim(
    conn: Connection, publications: list[Publication], ids: list[int], now: int, until: int
) -> list[int]:
    """Claim deliveries for one dispatcher until ``until``; the ids it got."""
    got = []
    for delivery_id in ids:
        result = conn.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.id == delivery_id,
                webhook_deliveries.c.status == "pending",
                or_(
                    webhook_deliveries.c.claimed_until.is_(None),
                    webhook_deliveries.c.claimed_until < now,
                ),
            )
            .values(claimed_until=until)
        )
        if result.rowcount == 1:
            got.append(delivery_id)
    return got


def release_claims(conn: Connection, publications: list[Publication]) -> int:
    """A relay starting on this database frees what a relay before it had claimed and did
    not finish (it was killed): those deliveries are made again, with the same event ids."""
    result = conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.claimed_until.is_not(None))
        .values(claimed_until=None)
    )
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to."""

    delivery_id: int
    endpoint_id: int
    at: int
    latency_ms: int
    status: int | None  # the receiver's HTTP status; None: no answer
    error: str | None
    retry_at: int | None  # None: delivered, or given up on
    disable: bool = False  # the receiver answered 410: stop sending to it


def record(conn: Connection, publications: list[Publication], outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        values: dict[str, Any] = {
            "attempts": webhook_deliveries.c.attempts + 1,
            "last_status": outcome.status,
            "last_error": outcome.error,
            "latency_ms": outcome.latency_ms,
            "claimed_until": None,
        }
        if outcome.error is None:
            values |= {"status": "delivered", "delivered_at": outcome.at}
        elif outcome.retry_at is not None:
            values |= {"next_attempt_at": outcome.retry_at}
        else:
            values |= {"status": "dead"}
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id == outcome.delivery_id)
            .values(**values)
        )
        if outcome.disable:
            conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.id == outcome.endpoint_id)
                .values(active=0, disabled_reason="the receiver answered 410 Gone")
            )
            conn.execute(
                update(webhook_deliveries)
                .where(
                    and_(
                        webhook_deliveries.c.endpoint_id == outcome.endpoint_id,
                        webhook_deliveries.c.status == "pending",
                    )
                )
                .values(status="dead", last_error="endpoint disabled (410 Gone)")
            )


class WebhookStore(Store):
    """Brands' webhook endpoints, and the outbox of their deliveries."""

    __slots__ = ()

    add = writes(add_endpoint)
    endpoints = reads(list_endpoints)
    remove = writes(remove_endpoint)
    rotate = writes(rotate_secret)
    deliveries = reads(list_deliveries)
    replay = writes(replay)
    due = reads(due)
    claim = writes(claim)
    release_claims = writes(release_claims)
    record = writes(record)
