"""SQL operations on messages, read markers, history and the event log replay."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import Connection, bindparam, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.cards import Card
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import History, MessageDeleted, MessageEdited, MessageEvent, ReadEvent
from chatshop.protocol.models import Message
from chatshop.protocol.payment_frames import CardEvent
from chatshop_server.events import Publication
from chatshop_server.storage import eventlog
from chatshop_server.storage.common import (
    active_member_ids,
    append_event,
    is_blocked_between,
    require_member,
    thread_row,
)
from chatshop_server.storage.database import Store, reads, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.outbox import brand_of_thread, enqueue
from chatshop_server.storage.prepared import Prepared
from chatshop_server.storage.rows import message_from_row, now_ms
from chatshop_server.storage.tables import handovers, memberships, messages, threads

_message_decoder = msgspec.json.Decoder(Message)
_MESSAGE_THREAD = Prepared(
    select(messages.c.thread_id).where(messages.c.id == bindparam("message_id"))
)
_HANDOVER_MODE = Prepared(
    select(handovers.c.mode).where(handovers.c.thread_id == bindparam("b_thread_id"))
)
_INSERT_MESSAGE = Prepared(
    insert(messages),
    column_keys=["thread_id", "seq", "sender_id", "text", "reply_to", "created_at", "card"],
)
_ADVANCE_THREAD = Prepared(
    update(threads)
    .where(threads.c.id == bindparam("b_thread_id"))
    .values(
        last_seq=bindparam("b_seq"),
        last_activity=bindparam("b_at"),
        activity=bindparam("b_activity"),
    )
)
_ADVANCE_OWN_READ = Prepared(
    update(memberships)
    .where(
        memberships.c.thread_id == bindparam("b_thread_id"),
        memberships.c.user_id == bindparam("b_user_id"),
        memberships.c.left_event.is_(None),
    )
    .values(read_seq=bindparam("b_seq"))
)


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
    bot: bool = False,
) -> Message:
    """Insert a message with the next seq; a retried key returns the first result.

    ``at`` backdates the message (demo seeding only); the relay always uses its clock. A
    ``bot`` may not write in a brand thread a person has taken over.
    """
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _message_decoder.decode(prior)
    row, members = require_member(conn, user_id, thread_id)
    refuse_if_blocked(conn, row, members, user_id)
    if bot and row.kind == "brand":
        refuse_if_handed_over(conn, thread_id)
    if reply_to is not None:
        target = _MESSAGE_THREAD.first(conn, {"message_id": reply_to})
        if target is None or target.thread_id != thread_id:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {reply_to} in this thread")
    message = post_message(
        conn, publications, row, members, user_id, text, reply_to=reply_to, at=at
    )
    remember(conn, user_id, key, request_hash, encode(message))
    return message


def refuse_if_handed_over(conn: Connection, thread_id: int) -> None:
    """A person answers this brand thread now (or will): its bot keeps quiet."""
    found = _HANDOVER_MODE.first(conn, {"b_thread_id": thread_id})
    if found is not None and found.mode != "bot":
        raise ProtocolError(
            ErrorCode.CONFLICT,
            "a person answers this thread now; the bot answers again once staff hand it back",
        )


def refuse_if_blocked(conn: Connection, thread: Any, members: list[int], user_id: int) -> None:
    """In a one-to-one thread, nobody writes to someone on the other side of a block."""
    if thread.kind != "group":
        for other in members:
            if other != user_id and is_blocked_between(conn, user_id, other):
                raise ProtocolError(ErrorCode.BLOCKED, "this conversation is blocked")


def post_message(
    conn: Connection,
    publications: list[Publication],
    thread: Any,
    members: list[int],
    sender_id: int,
    text: str,
    *,
    reply_to: int | None = None,
    card: Card | None = None,
    at: int | None = None,
) -> Message:
    """Append a message (text or card) to ``thread`` and publish it to ``members``.

    The caller has checked membership; ``thread`` is the thread row read in this operation,
    which posts at most this one message to it (the row's ``last_seq`` gives the next seq).
    """
    seq = thread.last_seq + 1
    now = at if at is not None else now_ms()
    _, message_id = _INSERT_MESSAGE.run(
        conn,
        {
            "thread_id": thread.id,
            "seq": seq,
            "sender_id": sender_id,
            "text": text,
            "reply_to": reply_to,
            "created_at": now,
            "card": None if card is None else encode(card),
        },
    )
    assert message_id is not None
    message = Message(
        id=message_id,
        thread_id=thread.id,
        seq=seq,
        sender_id=sender_id,
        text=text,
        created_at=now,
        reply_to=reply_to,
        card=card,
    )
    event = MessageEvent(thread_id=thread.id, message=message)
    event_id = append_event(conn, publications, event, recipients=members, thread_id=thread.id)
    if thread.kind == "brand":
        brand_id = brand_of_thread(conn, members)
        if brand_id is not None:
            enqueue(conn, publications, brand_id, "message", encode(event), thread.id)
    _ADVANCE_THREAD.run(
        conn, {"b_thread_id": thread.id, "b_seq": seq, "b_at": now, "b_activity": event_id}
    )
    _ADVANCE_OWN_READ.run(conn, {"b_thread_id": thread.id, "b_user_id": sender_id, "b_seq": seq})
    return message


def update_card(
    conn: Connection, publications: list[Publication], message_id: int, card: Card
) -> Message:
    """Store a card's new state and push a ``card`` event to the thread's members."""
    conn.execute(update(messages).where(messages.c.id == message_id).values(card=encode(card)))
    message = message_from_row(
        conn.execute(select(messages).where(messages.c.id == message_id)).one()
    )
    members = active_member_ids(conn, message.thread_id)
    event = CardEvent(thread_id=message.thread_id, message=message)
    append_event(conn, publications, event, recipients=members, thread_id=message.thread_id)
    return message


def _own_message(conn: Connection, user_id: int, message_id: int) -> tuple[Any, list[int]]:
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
    if row.card is not None:
        raise ProtocolError(
            ErrorCode.FORBIDDEN,
            "money cards are the thread's record of a payment: they cannot be edited or "
            "deleted (cancel a request with decline_request)",
        )
    return row, members


def edit_message(
    conn: Connection, publications: list[Publication], user_id: int, message_id: int, text: str
) -> Message:
    row, members = _own_message(conn, user_id, message_id)
    # An edit is a new message in disguise: a blocked author may not rewrite old ones.
    refuse_if_blocked(conn, thread_row(conn, row.thread_id), members, user_id)
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


class MessageStore(Store):
    """Messages, read markers and history."""

    __slots__ = ()

    send = writes(send_message)
    edit = writes(edit_message)
    delete = writes(delete_message)
    mark_read = writes(mark_read)
    history = reads(history)


class EventLog(Store):
    """The shared event log that sessions resume from."""

    __slots__ = ()

    def head(self) -> int:
        """The newest committed event's cursor."""
        return self.db.head

    async def replay(self, user_id: int, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Events for ``user_id`` after cursor ``after`` (at most ``limit``), in order."""
        if after >= self.db.head:
            # Nothing committed since ``after`` has been published; anything committed and
            # not yet published reaches a subscribed connection live.
            return []
        return await self.db.read(eventlog.replay, user_id, after, limit)
