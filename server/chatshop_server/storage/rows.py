"""Converters from storage rows to protocol records, kept apart from queries and handlers."""

from __future__ import annotations

from typing import Any

import msgspec

from chatshop.protocol.cards import Card
from chatshop.protocol.models import Message, User
from chatshop_server.clock import now_ms

__all__ = ["message_from_row", "now_ms", "user_from_row"]

_card_decoder = msgspec.json.Decoder(Card)


def user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        handle=row.handle,
        display_name=row.display_name,
        kind=row.kind,
        verified=bool(row.verified),
        lookalike=bool(row.lookalike),
    )


def message_from_row(row: Any) -> Message:
    deleted = row.deleted_at is not None
    return Message(
        id=row.id,
        thread_id=row.thread_id,
        seq=row.seq,
        sender_id=row.sender_id,
        text="" if deleted else row.text,
        created_at=row.created_at,
        reply_to=row.reply_to,
        edited_at=row.edited_at,
        deleted=deleted,
        card=None if row.card is None or deleted else _card_decoder.decode(row.card),
    )
