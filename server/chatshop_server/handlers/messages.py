"""Sending, editing, deleting, typing, read markers and history."""

from __future__ import annotations

from chatshop.protocol import encode, limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import (
    Delete,
    Edit,
    GetHistory,
    History,
    MarkRead,
    Ok,
    Send,
    Typing,
    TypingEvent,
)
from chatshop.protocol.models import Message
from chatshop.protocol.text import check_text
from chatshop_server.events import Publication
from chatshop_server.handlers.base import OK, PeerLike, handles, me, request_hash


def _text(text: str) -> str:
    return check_text(text, field="text", max_chars=limits.MAX_TEXT_CHARS)


@handles(Send)
async def send(peer: PeerLike, request: Send) -> Message:
    # No await before the store call: it keeps one connection's sends in arrival order.
    if not 1 <= len(request.key) <= limits.MAX_KEY_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, f"key must have 1 to {limits.MAX_KEY_CHARS} characters"
        )
    if request.pick is not None:
        return await peer.ctx.stores.picks.send(
            me(peer),
            request.thread_id,
            _text(request.text) if request.text else "",
            request.reply_to,
            request.pick,
            request.key,
            request_hash(request),
        )
    if request.replies:
        return await peer.ctx.stores.picks.offer(
            me(peer),
            request.thread_id,
            _text(request.text),
            request.reply_to,
            list(request.replies),
            request.key,
            request_hash(request),
            peer.scopes is not None,
        )
    return await peer.ctx.stores.messages.send(
        me(peer),
        request.thread_id,
        _text(request.text),
        request.reply_to,
        request.key,
        request_hash(request),
        None,
        peer.scopes is not None,
    )


@handles(Edit)
async def edit(peer: PeerLike, request: Edit) -> Message:
    return await peer.ctx.stores.messages.edit(me(peer), request.message_id, _text(request.text))


@handles(Delete)
async def delete(peer: PeerLike, request: Delete) -> Message:
    return await peer.ctx.stores.messages.delete(me(peer), request.message_id)


@handles(Typing)
async def typing(peer: PeerLike, request: Typing) -> Ok:
    others = await peer.ctx.stores.threads.typing_recipients(me(peer), request.thread_id)
    body = encode(TypingEvent(thread_id=request.thread_id, user_id=me(peer)))
    peer.ctx.broker.publish(Publication(recipients=others, cursor=None, body=body))
    return OK


@handles(MarkRead)
async def mark_read(peer: PeerLike, request: MarkRead) -> Ok:
    if request.seq < 0:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "seq must not be negative")
    await peer.ctx.stores.messages.mark_read(me(peer), request.thread_id, request.seq)
    return OK


@handles(GetHistory)
async def history(peer: PeerLike, request: GetHistory) -> History:
    if not 1 <= request.limit <= limits.MAX_HISTORY_PAGE:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"limit must be 1 to {limits.MAX_HISTORY_PAGE}")
    return await peer.ctx.stores.messages.history(
        me(peer), request.thread_id, request.before, request.limit
    )
