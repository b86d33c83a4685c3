"""A brand thread's parts: the thread, its brand, its customer and its members.

Apart from the hand-over store so that orders and checkout cards can find a thread's
customer without importing hand-overs (which read orders).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import User
from chatshop_server.storage.catalog import is_staff
from chatshop_server.storage.common import active_member_ids, thread_row, users_by_id
from chatshop_server.storage.tables import handovers


@dataclass(frozen=True, slots=True)
class BrandThreadParts:
    """Who is who in a brand thread."""

    thread: Any
    brand: User
    customer: User
    members: list[int]


def brand_thread_parts(conn: Connection, thread_id: int) -> BrandThreadParts:
    """The parts of brand thread ``thread_id`` (``bad_request`` for another kind)."""
    thread = thread_row(conn, thread_id)
    if thread.kind != "brand":
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"thread {thread_id} is not a brand thread")
    members = active_member_ids(conn, thread_id)
    row = conn.execute(select(handovers).where(handovers.c.thread_id == thread_id)).first()
    if row is not None:
        people = users_by_id(conn, [*members, row.brand_id, row.customer_id])
        return BrandThreadParts(thread, people[row.brand_id], people[row.customer_id], members)
    people = users_by_id(conn, members)
    brand = next(people[m] for m in members if people[m].kind == "brand")
    others = [m for m in members if m != brand.id and not is_staff(conn, brand.id, m)]
    customer = people[others[0]] if others else next(people[m] for m in members if m != brand.id)
    return BrandThreadParts(thread, brand, customer, members)
