"""SQL operations on messages, read markers, history and the event log replay."""

from __future__ import annotations

from sqlalchemy import Connection, and_, bindparam, exists, insert, or_, select, update

from chatshop.protocol import encode
from chatshop.protocol.codec import convert_result
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import History, MessageDeleted, MessageEdited, MessageEvent, ReadEvent
from chatshop.protocol.models import Message
from chatshop_server.storage.interface import Publication
from chatshop_server.storage.rows import message_from_row, now_ms
from chatshop_server.storage.sql_common import (
    append_event,
    is_blocked_between,
    new_id,
    require_member,
)
from chatshop_server.storage.tables import events, idempotency, memberships, messages, threads

_PRIOR_KEY = select(idempotency.c.request_hash, idempotency.c.response).where(
    idempotency.c.user_id == bindparam("user_id"), idempotency.c.key == bindparam("key")
)
_MESSAGE_THREAD = select(messages.c.thread_id).where(messages.c.id == bindparam("message_id"))
_INSERT_MESSAGE = insert(messages)
_ADVANCE_THREAD = (
    update(threads)
    .where(threads.c.id == bindparam("b_thread_id"))
    .values(last_seq=bindparam("b_seq"), last_activity=bindparam("b_at"))
)
_ADVANCE_OWN_READ = (
    update(memberships)
    .where(
        memberships.c.thread_id == bindparam("b_thread_id"),
        memberships.c.user_id == bindparam("b_user_id"),
        memberships.c.left_event.is_(None),
    )
    .values(read_seq=bindparam("b_seq"))
)
_INSERT_KEY = insert(idempotency)


def send_message(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    thread_id: int,
    text: str,
    reply_to: int | None,
    key: str,
    request_hash: str,
    at: int | None = None,
) -> Message:
    """Insert a message with the next seq; a retried key returns the first result.

    ``at`` backdates the message (demo seeding only); the relay always uses its clock.
    """
    prior = conn.execute(_PRIOR_KEY, {"user_id": user_id, "key": key}).first()
    if prior is not None:
        if prior.request_hash != request_hash:
            raise ProtocolError(
                ErrorCode.IDEMPOTENCY_MISMATCH,
                f"idempotency key {key!r} was used before for a different request",
            )
        return convert_result(_decode(prior.response), Message)
    row, members = require_member(conn, user_id, thread_id)
    if row.kind != "group":
        for other in members:
            if other != user_id and is_blocked_between(conn, user_id, other):
                raise ProtocolError(ErrorCode.BLOCKED, "this conversation is blocked")
    if reply_to is not None:
        target = conn.execute(_MESSAGE_THREAD, {"message_id": reply_to}).first()
        if target is None or target.thread_id != thread_id:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {reply_to} in this thread")
    seq = row.last_seq + 1
    now = at if at is not None else now_ms()
    result = conn.execute(
        _INSERT_MESSAGE,
        {
            "thread_id": thread_id,
            "seq": seq,
            "sender_id": user_id,
            "text": text,
            "reply_to": reply_to,
            "created_at": now,
        },
    )
    message = Message(
        id=new_id(result),
        thread_id=thread_id,
        seq=seq,
        sender_id=user_id,
        text=text,
        created_at=now,
        reply_to=reply_to,
    )
    conn.execute(_ADVANCE_THREAD, {"b_thread_id": thread_id, "b_seq": seq, "b_at": now})
    conn.execute(_ADVANCE_OWN_READ, {"b_thread_id": thread_id, "b_user_id": user_id, "b_seq": seq})
    event = MessageEvent(thread_id=thread_id, message=message)
    append_event(conn, publications, event, recipients=members, thread_id=thread_id)
    conn.execute(
        _INSERT_KEY,
        {
            "user_id": user_id,
            "key": key,
            "request_hash": request_hash,
            "response": encode(message),
            "created_at": now,
        },
    )
    return message


def _decode(raw: bytes) -> object:
    import msgspec

    return msgspec.json.decode(raw)


def _own_message(conn: Connection, user_id: int, message_id: int) -> tuple[object, list[int]]:
    row = conn.execute(select(messages).where(messages.c.id == message_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {message_id}")
    try:
        _, members = require_member(conn, user_id, row.thread_id)
    except ProtocolError:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {message_id}") from None
    if row.sender_id != user_id:
        raise ProtocolError(ErrorCode.FORBIDDEN, "only the author may change a message")
    if row.deleted_at is not None:
        raise ProtocolError(ErrorCode.CONFLICT, f"message {message_id} was deleted")
    return row, members


def edit_message(
    conn: Connection, publications: list[Publication], user_id: int, message_id: int, text: str
) -> Message:
    _, members = _own_message(conn, user_id, message_id)
    now = now_ms()
    conn.execute(
        update(messages).where(messages.c.id == message_id).values(text=text, edited_at=now)
    )
    updated = conn.execute(select(messages).where(messages.c.id == message_id)).one()
    message = message_from_row(updated)
    event = MessageEdited(thread_id=message.thread_id, message=message)
    append_event(conn, publications, event, recipients=members, thread_id=message.thread_id)
    return message


def delete_message(
    conn: Connection, publications: list[Publication], user_id: int, message_id: int
) -> Message:
    _, members = _own_message(conn, user_id, message_id)
    conn.execute(
        update(messages).where(messages.c.id == message_id).values(deleted_at=now_ms(), text="")
    )
    message = message_from_row(
        conn.execute(select(messages).where(messages.c.id == message_id)).one()
    )
    event = MessageDeleted(thread_id=message.thread_id, message=message)
    append_event(conn, publications, event, recipients=members, thread_id=message.thread_id)
    return message


def mark_read(
    conn: Connection, publications: list[Publication], user_id: int, thread_id: int, seq: int
) -> None:
    row, members = require_member(conn, user_id, thread_id)
    seq = min(seq, row.last_seq)
    result = conn.execute(
        update(memberships)
        .where(
            memberships.c.thread_id == thread_id,
            memberships.c.user_id == user_id,
            memberships.c.left_event.is_(None),
            memberships.c.read_seq < seq,
        )
        .values(read_seq=seq)
    )
    if result.rowcount:
        event = ReadEvent(thread_id=thread_id, user_id=user_id, seq=seq)
        append_event(conn, publications, event, recipients=members, thread_id=thread_id)


def history(
    conn: Connection, user_id: int, thread_id: int, before: int | None, limit: int
) -> History:
    require_member(conn, user_id, thread_id)
    query = select(messages).where(messages.c.thread_id == thread_id)
    if before is not None:
        query = query.where(messages.c.seq < before)
    rows = conn.execute(query.order_by(messages.c.seq.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    page = [message_from_row(row) for row in reversed(rows[:limit])]
    return History(thread_id=thread_id, messages=page, more=more)


def replay(conn: Connection, user_id: int, after: int, limit: int) -> list[tuple[int, bytes]]:
    """Events addressed to ``user_id`` after cursor ``after``, in order.

    A thread event belongs to a user's stream when one of their membership periods in that
    thread covers its id: from the event that added them to the event that removed them.
    """
    covered = exists().where(
        memberships.c.thread_id == events.c.thread_id,
        memberships.c.user_id == user_id,
        events.c.id >= memberships.c.joined_event,
        or_(memberships.c.left_event.is_(None), events.c.id <= memberships.c.left_event),
    )
    rows = conn.execute(
        select(events.c.id, events.c.body)
        .where(
            events.c.id > after,
            or_(events.c.user_id == user_id, and_(events.c.thread_id.is_not(None), covered)),
        )
        .order_by(events.c.id)
        .limit(limit)
    )
    return [(row.id, row.body) for row in rows]
