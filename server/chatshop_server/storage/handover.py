"""Who answers a brand thread: the brand's assistant, or a staff member who joined it.

A brand thread starts with the assistant (``bot``). A customer asking for a person hands it
to the least busy staff member, who joins the thread (``staff``), or leaves it ``waiting``
when the brand has no staff. Staff may take a thread themselves and give it back. Every
change is a ``handover`` event in the thread and a line from the brand saying who answers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import MemberEvent, ThreadEvent
from chatshop.protocol.models import User
from chatshop.protocol.shop_frames import (
    HandoverEvent,
)
from chatshop.protocol.shop_models import (
    BrandProfile,
    BrandThread,
    BrandThreadList,
    Handover,
    HandoverMode,
)
from chatshop_server.events import Publication
from chatshop_server.storage.brand_threads import BrandThreadParts, brand_thread_parts
from chatshop_server.storage.catalog import (
    brand_profile,
    brand_user,
    is_staff,
    require_staff,
    staff_ids,
)
from chatshop_server.storage.common import (
    active_member_ids,
    append_event,
    build_thread,
    require_user,
    thread_row,
    users_by_id,
)
from chatshop_server.storage.database import Store, reads, writes
from chatshop_server.storage.messages import post_message
from chatshop_server.storage.orders import recent_orders
from chatshop_server.storage.outbox import enqueue
from chatshop_server.storage.rows import message_from_row, now_ms
from chatshop_server.storage.tables import (
    brand_staff,
    handovers,
    memberships,
    messages,
    orders,
    threads,
)
from chatshop_server.storage.threads import announce, depart

BROWSE = 200  # most threads or products one listing considers
RECENT_ORDERS = 3  # a customer's latest orders shown beside their thread to staff


def _row(conn: Connection, parts: BrandThreadParts) -> Any:
    """The thread's handover row, created (assistant answering) on first need."""
    row = conn.execute(select(handovers).where(handovers.c.thread_id == parts.thread.id)).first()
    if row is None:
        conn.execute(
            insert(handovers).values(
                thread_id=parts.thread.id,
                brand_id=parts.brand.id,
                customer_id=parts.customer.id,
                mode="bot",
                agent_id=None,
                updated_at=parts.thread.created_at,
            )
        )
        row = conn.execute(select(handovers).where(handovers.c.thread_id == parts.thread.id)).one()
    return row


def _view(conn: Connection, parts: BrandThreadParts, row: Any | None) -> Handover:
    if row is None:
        return Handover(
            thread_id=parts.thread.id,
            brand_id=parts.brand.id,
            customer_id=parts.customer.id,
            mode="bot",
            since=parts.thread.created_at,
        )
    agent = None if row.agent_id is None else users_by_id(conn, [row.agent_id])[row.agent_id]
    return Handover(
        thread_id=row.thread_id,
        brand_id=row.brand_id,
        customer_id=row.customer_id,
        mode=row.mode,
        since=row.updated_at,
        agent=agent,
    )


def _current(conn: Connection, parts: BrandThreadParts) -> Handover:
    row = conn.execute(select(handovers).where(handovers.c.thread_id == parts.thread.id)).first()
    return _view(conn, parts, row)


def get_handover(conn: Connection, user_id: int, thread_id: int) -> Handover:
    parts = brand_thread_parts(conn, thread_id)
    if user_id not in parts.members and not is_staff(conn, parts.brand.id, user_id):
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no thread {thread_id}")
    return _current(conn, parts)


def _join(
    conn: Connection, publications: list[Publication], parts: BrandThreadParts, user: User
) -> None:
    """Add a staff member to the thread (as a group adds a member)."""
    if user.id in parts.members:
        return
    event = MemberEvent(thread_id=parts.thread.id, user=user, change="added", by=parts.brand.id)
    event_id = append_event(
        conn,
        publications,
        event,
        recipients=[*parts.members, user.id],
        thread_id=parts.thread.id,
    )
    conn.execute(
        insert(memberships).values(
            thread_id=parts.thread.id, user_id=user.id, joined_event=event_id, read_seq=0
        )
    )
    members = [*parts.members, user.id]
    thread = ThreadEvent(thread=build_thread(conn, thread_row(conn, parts.thread.id), None))
    append_event(conn, publications, thread, recipients=members, thread_id=parts.thread.id)
    parts.members.append(user.id)


def _change(
    conn: Connection,
    publications: list[Publication],
    parts: BrandThreadParts,
    mode: HandoverMode,
    agent: User | None,
    line: str,
) -> Handover:
    _row(conn, parts)
    now = now_ms()
    conn.execute(
        update(handovers)
        .where(handovers.c.thread_id == parts.thread.id)
        .values(mode=mode, agent_id=None if agent is None else agent.id, updated_at=now)
    )
    handover = _current(conn, parts)
    event = HandoverEvent(handover=handover)
    append_event(conn, publications, event, recipients=parts.members, thread_id=parts.thread.id)
    enqueue(conn, publications, parts.brand.id, "handover", encode(event), parts.thread.id)
    thread = thread_row(conn, parts.thread.id)
    post_message(conn, publications, thread, parts.members, parts.brand.id, line)
    return handover


def _least_busy_staff(conn: Connection, brand_id: int) -> User | None:
    people = staff_ids(conn, brand_id)[1:]
    if not people:
        return None
    load = {
        row.agent_id: int(row.n)
        for row in conn.execute(
            select(handovers.c.agent_id, func.count().label("n"))
            .where(handovers.c.agent_id.in_(people), handovers.c.mode == "staff")
            .group_by(handovers.c.agent_id)
        )
    }
    chosen = min(people, key=lambda p: (load.get(p, 0), people.index(p)))
    return users_by_id(conn, [chosen])[chosen]


def request_person(
    conn: Connection, publications: list[Publication], user_id: int, thread_id: int
) -> Handover:
    """The customer (or the brand's bot, for them) asks for a person: the least busy staff
    member joins, or it waits."""
    parts = brand_thread_parts(conn, thread_id)
    if user_id not in (parts.customer.id, parts.brand.id):
        raise ProtocolError(ErrorCode.FORBIDDEN, "only the customer asks for a person")
    current = _current(conn, parts)
    if current.mode != "bot":
        return current
    agent = _least_busy_staff(conn, parts.brand.id)
    if agent is None:
        line = f"A person from {parts.brand.display_name} will answer you here as soon as possible."
        return _change(conn, publications, parts, "waiting", None, line)
    _join(conn, publications, parts, agent)
    line = f"{agent.display_name} from {parts.brand.display_name} is taking over from here."
    return _change(conn, publications, parts, "staff", agent, line)


def take_thread(
    conn: Connection, publications: list[Publication], user_id: int, thread_id: int
) -> Handover:
    """A staff member answers the thread from now on."""
    parts = brand_thread_parts(conn, thread_id)
    require_staff(conn, parts.brand, user_id)
    current = _current(conn, parts)
    if current.mode == "staff" and current.agent is not None and current.agent.id == user_id:
        return current
    agent = users_by_id(conn, [user_id])[user_id]
    _join(conn, publications, parts, agent)
    line = f"{agent.display_name} from {parts.brand.display_name} is answering you now."
    return _change(conn, publications, parts, "staff", agent, line)


def release_thread(
    conn: Connection, publications: list[Publication], user_id: int, thread_id: int
) -> Handover:
    """Staff give the thread back to the brand's assistant."""
    parts = brand_thread_parts(conn, thread_id)
    require_staff(conn, parts.brand, user_id)
    if _current(conn, parts).mode == "bot":
        return _current(conn, parts)
    line = (
        f'{parts.brand.display_name}\'s assistant is back. Say "person" any time to talk '
        "to our team."
    )
    return _change(conn, publications, parts, "bot", None, line)


def report_problem(
    conn: Connection, publications: list[Publication], user_id: int, order_id: int, text: str
) -> Handover:
    """The customer says something is wrong with an order: their message, replying to the
    order's receipt, goes in the brand thread and the thread goes to a person."""
    row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None or row.customer_id != user_id:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    thread = thread_row(conn, row.thread_id)
    members = active_member_ids(conn, thread.id)
    if user_id not in members:
        raise ProtocolError(ErrorCode.CONFLICT, "you left this brand's thread")
    line = text or f"There is a problem with my order {row.number}."
    post_message(
        conn, publications, thread, members, user_id, line, reply_to=row.receipt_message_id
    )
    return request_person(conn, publications, user_id, thread.id)


def brand_threads(conn: Connection, user_id: int, handle: str) -> BrandThreadList:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    rows = conn.execute(
        select(threads)
        .join(memberships, memberships.c.thread_id == threads.c.id)
        .where(
            threads.c.kind == "brand",
            memberships.c.user_id == brand.id,
            memberships.c.left_event.is_(None),
        )
        .order_by(threads.c.activity.desc())
        .limit(BROWSE)
    ).all()
    found = []
    for row in rows:
        parts = brand_thread_parts(conn, row.id)
        last = None
        if row.last_seq:
            msg = conn.execute(
                select(messages).where(
                    messages.c.thread_id == row.id, messages.c.seq == row.last_seq
                )
            ).first()
            last = None if msg is None else message_from_row(msg)
        found.append(
            BrandThread(
                thread_id=row.id,
                customer=parts.customer,
                handover=_current(conn, parts),
                last_activity=row.last_activity,
                last_message=last,
                recent_orders=recent_orders(conn, parts.customer.id, brand.id, RECENT_ORDERS),
            )
        )
    return BrandThreadList(threads=found)


def set_staff(
    conn: Connection,
    publications: list[Publication],
    brand_handle: str,
    person_handle: str,
    add: bool,
) -> BrandProfile:
    """Relay admin: let a person act for a brand, or stop them.

    Stopping them also takes them out of every thread of the brand they joined, in the
    same transaction: from the next event on nothing of those threads reaches them, and a
    thread they were answering goes to another staff member or waits for one.
    """
    brand = brand_user(conn, brand_handle)
    person = require_user(conn, person_handle)
    if person.kind != "person":
        raise ProtocolError(ErrorCode.BAD_REQUEST, "staff are person accounts")
    where = and_(brand_staff.c.brand_id == brand.id, brand_staff.c.user_id == person.id)
    conn.execute(delete(brand_staff).where(where))
    if add:
        conn.execute(
            insert(brand_staff).values(brand_id=brand.id, user_id=person.id, added_at=now_ms())
        )
    else:
        for thread_id in _joined_brand_threads(conn, brand.id, person.id):
            _leave_as_staff(conn, publications, thread_id, person)
    return brand_profile(conn, brand_handle)


def _joined_brand_threads(conn: Connection, brand_id: int, person_id: int) -> list[int]:
    """Brand threads of ``brand_id`` that ``person_id`` is a member of (as staff joined)."""
    mine = (
        select(memberships.c.thread_id)
        .where(memberships.c.user_id == person_id, memberships.c.left_event.is_(None))
        .scalar_subquery()
    )
    rows = conn.execute(
        select(threads.c.id)
        .join(memberships, memberships.c.thread_id == threads.c.id)
        .where(
            threads.c.kind == "brand",
            threads.c.id.in_(mine),
            memberships.c.user_id == brand_id,
            memberships.c.left_event.is_(None),
        )
        .order_by(threads.c.id)
    )
    return [row.id for row in rows]


def _leave_as_staff(
    conn: Connection, publications: list[Publication], thread_id: int, person: User
) -> None:
    parts = brand_thread_parts(conn, thread_id)
    if person.id == parts.customer.id:
        return  # their own conversation with the brand, as a customer
    depart(
        conn, publications, thread_id, person, parts.members, by=parts.brand.id, change="removed"
    )
    parts.members.remove(person.id)
    announce(conn, publications, thread_id)
    current = _current(conn, parts)
    if current.mode == "staff" and current.agent is not None and current.agent.id == person.id:
        agent = _least_busy_staff(conn, parts.brand.id)
        if agent is None:
            line = (
                f"{person.display_name} is no longer with {parts.brand.display_name}; "
                "a person will answer you here as soon as possible."
            )
            _change(conn, publications, parts, "waiting", None, line)
        else:
            _join(conn, publications, parts, agent)
            line = f"{agent.display_name} from {parts.brand.display_name} is answering you now."
            _change(conn, publications, parts, "staff", agent, line)


class StaffStore(Store):
    """Who may act for a brand (relay admin)."""

    __slots__ = ()

    set_staff = writes(set_staff)


class HandoverStore(Store):
    """Who answers a brand thread (the assistant or a person), and the staff's thread list."""

    __slots__ = ()

    brand_threads = reads(brand_threads)
    handover = reads(get_handover)
    request_person = writes(request_person)
    take = writes(take_thread)
    release = writes(release_thread)
    report_problem = writes(report_problem)
