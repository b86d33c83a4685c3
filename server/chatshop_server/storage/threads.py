"""SQL operations on threads and group membership."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import MemberEvent, ThreadEvent
from chatshop.protocol.limits import MAX_GROUP_MEMBERS
from chatshop.protocol.models import Thread, User
from chatshop_server.events import Publication
from chatshop_server.storage.common import (
    active_member_ids,
    append_event,
    build_thread,
    has_blocked,
    is_blocked_between,
    new_id,
    require_member,
    require_user,
    thread_row,
    user_by_id,
)
from chatshop_server.storage.database import Store, reads, writes
from chatshop_server.storage.rows import now_ms
from chatshop_server.storage.specs import MemberAction
from chatshop_server.storage.tables import memberships, threads


def list_threads(conn: Connection, user_id: int) -> list[Thread]:
    rows = conn.execute(
        select(threads)
        .join(memberships, memberships.c.thread_id == threads.c.id)
        .where(memberships.c.user_id == user_id, memberships.c.left_event.is_(None))
        .order_by(threads.c.activity.desc())
    ).all()
    return [build_thread(conn, row, user_id) for row in rows]


def get_thread(conn: Connection, user_id: int, thread_id: int) -> Thread:
    row, _ = require_member(conn, user_id, thread_id)
    return build_thread(conn, row, user_id)


def _join(conn: Connection, thread_id: int, user_id: int, event_id: int) -> None:
    conn.execute(
        insert(memberships).values(
            thread_id=thread_id, user_id=user_id, joined_event=event_id, read_seq=0
        )
    )


def _create_thread(
    conn: Connection,
    publications: list[Publication],
    *,
    kind: str,
    name: str,
    owner_id: int | None,
    member_ids: list[int],
    direct_key: str | None = None,
) -> int:
    now = now_ms()
    result = conn.execute(
        insert(threads).values(
            kind=kind,
            name=name,
            owner_id=owner_id,
            direct_key=direct_key,
            last_seq=0,
            last_activity=now,
            created_at=now,
        )
    )
    thread_id = new_id(result)
    # Memberships first (joined_event is fixed up below) so the event shows the members.
    for member in member_ids:
        _join(conn, thread_id, member, 0)
    row = thread_row(conn, thread_id)
    event = ThreadEvent(thread=build_thread(conn, row, None))
    event_id = append_event(conn, publications, event, recipients=member_ids, thread_id=thread_id)
    conn.execute(
        update(memberships)
        .where(memberships.c.thread_id == thread_id)
        .values(joined_event=event_id)
    )
    conn.execute(update(threads).where(threads.c.id == thread_id).values(activity=event_id))
    return thread_id


def open_direct(
    conn: Connection, publications: list[Publication], user_id: int, handle: str
) -> Thread:
    me = user_by_id(conn, user_id)
    other = require_user(conn, handle)
    if other.id == me.id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "a direct thread needs someone else")
    lo, hi = sorted((me.id, other.id))
    key = f"{lo}:{hi}"
    existing = conn.execute(select(threads).where(threads.c.direct_key == key)).first()
    if existing is not None:
        return build_thread(conn, existing, me.id)
    if has_blocked(conn, other.id, me.id):
        raise ProtocolError(ErrorCode.BLOCKED, f"@{other.handle} does not accept your messages")
    kind = "brand" if "brand" in (me.kind, other.kind) else "direct"
    try:
        with conn.begin_nested():
            thread_id = _create_thread(
                conn,
                publications,
                kind=kind,
                name="",
                owner_id=None,
                member_ids=[me.id, other.id],
                direct_key=key,
            )
    except IntegrityError:  # opened concurrently by the other side
        publications.clear()
        existing = conn.execute(select(threads).where(threads.c.direct_key == key)).one()
        return build_thread(conn, existing, me.id)
    return build_thread(conn, thread_row(conn, thread_id), me.id)


def create_group(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    name: str,
    handles: Sequence[str],
) -> Thread:
    me = user_by_id(conn, user_id)
    member_ids = [me.id]
    for handle in handles:
        user = require_user(conn, handle)
        if user.id in member_ids:
            continue
        if has_blocked(conn, user.id, me.id):
            raise ProtocolError(ErrorCode.BLOCKED, f"@{user.handle} cannot be added by you")
        member_ids.append(user.id)
    if len(member_ids) > MAX_GROUP_MEMBERS:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"a group holds at most {MAX_GROUP_MEMBERS}")
    thread_id = _create_thread(
        conn, publications, kind="group", name=name, owner_id=me.id, member_ids=member_ids
    )
    return build_thread(conn, thread_row(conn, thread_id), me.id)


def _require_owned_group(conn: Connection, me: User, thread_id: int) -> list[int]:
    row, members = require_member(conn, me.id, thread_id)
    if row.kind != "group":
        raise ProtocolError(ErrorCode.BAD_REQUEST, "only groups have managed membership")
    if row.owner_id != me.id:
        raise ProtocolError(ErrorCode.FORBIDDEN, "only the group's owner may do that")
    return members


def announce(conn: Connection, publications: list[Publication], thread_id: int) -> None:
    row = thread_row(conn, thread_id)
    event = ThreadEvent(thread=build_thread(conn, row, None))
    members = active_member_ids(conn, thread_id)
    event_id = append_event(conn, publications, event, recipients=members, thread_id=thread_id)
    conn.execute(update(threads).where(threads.c.id == thread_id).values(activity=event_id))


def change_member(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    thread_id: int,
    handle: str,
    action: MemberAction,
) -> Thread:
    me = user_by_id(conn, user_id)
    members = _require_owned_group(conn, me, thread_id)
    user = require_user(conn, handle)
    if action == "add":
        if user.id in members:
            raise ProtocolError(ErrorCode.CONFLICT, f"@{user.handle} is already a member")
        if is_blocked_between(conn, user.id, me.id):
            raise ProtocolError(ErrorCode.BLOCKED, f"@{user.handle} cannot be added by you")
        if len(members) >= MAX_GROUP_MEMBERS:
            raise ProtocolError(ErrorCode.TOO_LARGE, f"a group holds at most {MAX_GROUP_MEMBERS}")
        event = MemberEvent(thread_id=thread_id, user=user, change="added", by=me.id)
        event_id = append_event(
            conn, publications, event, recipients=[*members, user.id], thread_id=thread_id
        )
        _join(conn, thread_id, user.id, event_id)
    else:
        if user.id not in members:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"@{user.handle} is not a member")
        if user.id == me.id:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "use group_leave to leave your own group")
        depart(conn, publications, thread_id, user, members, by=me.id, change="removed")
    _touch(conn, thread_id)
    announce(conn, publications, thread_id)
    return build_thread(conn, thread_row(conn, thread_id), me.id)


def depart(
    conn: Connection,
    publications: list[Publication],
    thread_id: int,
    user: User,
    members: list[int],
    *,
    by: int,
    change: str,
) -> None:
    event = MemberEvent(thread_id=thread_id, user=user, change=change, by=by)  # type: ignore[arg-type]
    event_id = append_event(conn, publications, event, recipients=members, thread_id=thread_id)
    conn.execute(
        update(memberships)
        .where(
            memberships.c.thread_id == thread_id,
            memberships.c.user_id == user.id,
            memberships.c.left_event.is_(None),
        )
        .values(left_event=event_id)
    )


def _touch(conn: Connection, thread_id: int) -> None:
    conn.execute(update(threads).where(threads.c.id == thread_id).values(last_activity=now_ms()))


def rename_group(
    conn: Connection, publications: list[Publication], user_id: int, thread_id: int, name: str
) -> Thread:
    me = user_by_id(conn, user_id)
    _require_owned_group(conn, me, thread_id)
    conn.execute(update(threads).where(threads.c.id == thread_id).values(name=name))
    _touch(conn, thread_id)
    announce(conn, publications, thread_id)
    return build_thread(conn, thread_row(conn, thread_id), me.id)


def leave_group(
    conn: Connection, publications: list[Publication], user_id: int, thread_id: int
) -> None:
    me = user_by_id(conn, user_id)
    row, members = require_member(conn, me.id, thread_id)
    if row.kind != "group":
        raise ProtocolError(ErrorCode.BAD_REQUEST, "you can only leave groups")
    depart(conn, publications, thread_id, me, members, by=me.id, change="left")
    remaining = [m for m in members if m != me.id]
    if row.owner_id == me.id:
        new_owner = remaining[0] if remaining else None
        conn.execute(update(threads).where(threads.c.id == thread_id).values(owner_id=new_owner))
    if remaining:
        _touch(conn, thread_id)
        announce(conn, publications, thread_id)


def member_ids(conn: Connection, user_id: int, thread_id: int) -> list[int]:
    _, members = require_member(conn, user_id, thread_id)
    return members


def typing_recipients(conn: Connection, user_id: int, thread_id: int) -> list[int]:
    """The other members who may see ``user_id`` typing: nobody across a block."""
    _, members = require_member(conn, user_id, thread_id)
    return [m for m in members if m != user_id and not is_blocked_between(conn, user_id, m)]


class ThreadStore(Store):
    """Direct threads, groups and their members."""

    __slots__ = ()

    list = reads(list_threads)
    get = reads(get_thread)
    open_direct = writes(open_direct)
    create_group = writes(create_group)
    change_member = writes(change_member)
    rename_group = writes(rename_group)
    leave_group = writes(leave_group)
    member_ids = reads(member_ids)
    typing_recipients = reads(typing_recipients)
