"""The webhook outbox, written: ``enqueue`` queues an event for a brand's endpoints inside
the transaction of the change it reports, so the two commit together or not at all.

A leaf module (tables and protocol only), so that messages, orders, payments and follows can
all call it without importing each other.
"""

from __future__ import annotations

import secrets

import msgspec
from sqlalchemy import Connection, insert, select

from chatshop.protocol import encode
from chatshop.protocol.webhook_frames import RETRY_FOR, WebhookKind, WebhookPayload
from chatshop_server.events import Publication
from chatshop_server.storage.database import settings
from chatshop_server.storage.tables import users, webhook_deliveries, webhook_endpoints

#: Tells the relay's dispatcher that deliveries were queued (no one receives it).
WAKE = Publication(recipients=(), cursor=None, body=b"", wake=True)


def enqueue(
    conn: Connection,
    publications: list[Publication],
    brand_id: int,
    kind: WebhookKind,
    data: bytes,
    thread_id: int | None = None,
) -> None:
    """Queue ``data`` (an encoded event or notice) for every active endpoint of the brand
    that wants ``kind``; in the caller's transaction."""
    endpoints = [
        row.id
        for row in conn.execute(
            select(webhook_endpoints.c.id, webhook_endpoints.c.kinds).where(
                webhook_endpoints.c.brand_id == brand_id, webhook_endpoints.c.active == 1
            )
        )
        if kind in row.kinds.split()
    ]
    if not endpoints:
        return
    now = settings(conn).clock()
    handle = conn.execute(select(users.c.handle).where(users.c.id == brand_id)).scalar_one()
    event_id = "evt_" + secrets.token_hex(12)
    body = encode(
        WebhookPayload(id=event_id, type=kind, created_at=now, brand=handle, data=msgspec.Raw(data))
    )
    conn.execute(
        insert(webhook_deliveries),
        [
            {
                "endpoint_id": endpoint_id,
                "event_id": event_id,
                "kind": kind,
                "thread_id": thread_id,
                "body": body,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
                "give_up_at": now + int(RETRY_FOR * 1000),
            }
            for endpoint_id in endpoints
        ],
    )
    publications.append(WAKE)


def brand_of_thread(conn: Connection, members: list[int]) -> int | None:
    """The brand account among a brand thread's members."""
    return conn.execute(
        select(users.c.id).where(users.c.id.in_(members), users.c.kind == "brand").limit(1)
    ).scalar()
