"""Quick replies: a brand (its bot) offers them under a message; picking one sends the
reply's text as the picker's message, with a ``pick`` card saying which reply of which
card, so the bot that offered it acts on exactly that.

``add_to_cart`` also puts the offered variant in the picker's cart and ``handover`` also
asks for a person, in the same transaction as the message: the pick and its effect are
stored together or not at all.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection, select

from chatshop.protocol import encode
from chatshop.protocol.cards import PickCard, QuickRepliesCard, QuickReply
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message
from chatshop.protocol.text import check_text
from chatshop_server.events import Publication
from chatshop_server.storage.carts import cart_add
from chatshop_server.storage.catalog import load_product
from chatshop_server.storage.common import require_member, users_by_id
from chatshop_server.storage.database import Store, writes
from chatshop_server.storage.handover import request_person
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.messages import (
    post_message,
    refuse_if_blocked,
    refuse_if_handed_over,
)
from chatshop_server.storage.rows import message_from_row
from chatshop_server.storage.specs import ProductRef
from chatshop_server.storage.tables import messages

_message_decoder = msgspec.json.Decoder(Message)
MAX_LABEL_CHARS = 40  # a quick reply's label


def send_offering(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    thread_id: int,
    text: str,
    reply_to: int | None,
    replies: list[QuickReply],
    key: str,
    request_hash: str,
    bot: bool,
) -> Message:
    """A brand's message with quick replies under it, in one of its brand threads."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _message_decoder.decode(prior)
    row, members = require_member(conn, user_id, thread_id)
    if row.kind != "brand" or user_id not in _brand_ids(conn, members):
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, "quick replies come from a brand, in its own threads"
        )
    if bot:
        refuse_if_handed_over(conn, thread_id)
    for reply in replies:
        check_text(reply.label, field="label", max_chars=MAX_LABEL_CHARS)
        check_text(reply.text, field="text", max_chars=MAX_LABEL_CHARS * 4)
        if reply.product_id is not None:
            product = load_product(conn, reply.product_id)
            if product.brand.id != user_id:
                raise ProtocolError(ErrorCode.NOT_FOUND, f"no product {reply.product_id}")
            if reply.sku is not None and reply.sku not in {v.sku for v in product.variants}:
                raise ProtocolError(
                    ErrorCode.NOT_FOUND, f"no variant {reply.sku} of product {product.id}"
                )
        elif reply.sku is not None or reply.action in ("buy_now", "add_to_cart"):
            raise ProtocolError(
                ErrorCode.BAD_REQUEST, f"a {reply.action} reply needs product_id and sku"
            )
    if reply_to is not None:
        target = conn.execute(select(messages.c.thread_id).where(messages.c.id == reply_to))
        found = target.first()
        if found is None or found.thread_id != thread_id:
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {reply_to} in this thread")
    product_ids = [reply.product_id for reply in replies if reply.product_id is not None]
    card = QuickRepliesCard(replies=replies, product_id=product_ids[0] if product_ids else None)
    message = post_message(
        conn, publications, row, members, user_id, text, reply_to=reply_to, card=card
    )
    remember(conn, user_id, key, request_hash, encode(message))
    return message


def _brand_ids(conn: Connection, members: list[int]) -> set[int]:
    return {user.id for user in users_by_id(conn, members).values() if user.kind == "brand"}


def send_pick(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    thread_id: int,
    text: str,
    card_message_id: int | None,
    index: int,
    key: str,
    request_hash: str,
) -> Message:
    """Post the pick of reply ``index`` of the quick replies of ``card_message_id``."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _message_decoder.decode(prior)
    if card_message_id is None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "pick needs reply_to: the quick replies")
    row, members = require_member(conn, user_id, thread_id)
    refuse_if_blocked(conn, row, members, user_id)
    target = conn.execute(select(messages).where(messages.c.id == card_message_id)).first()
    if target is None or target.thread_id != thread_id:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {card_message_id} in this thread")
    offered = message_from_row(target)
    card = offered.card
    if not isinstance(card, QuickRepliesCard):
        raise ProtocolError(ErrorCode.BAD_REQUEST, "that message offers no quick replies")
    if offered.sender_id == user_id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "you cannot pick your own quick replies")
    if index >= len(card.replies):
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, f"pick must be below {len(card.replies)} for that message"
        )
    reply = card.replies[index]
    if reply.action == "add_to_cart":
        if reply.sku is None or reply.product_id is None:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "that reply names nothing to add")
        ref = ProductRef(product_id=reply.product_id, sku=reply.sku)
        cart_add(conn, publications, user_id, ref, 1)
    picked = PickCard(
        message_id=offered.id,
        index=index,
        label=reply.label,
        action=reply.action,
        product_id=reply.product_id,
        sku=reply.sku,
    )
    message = post_message(
        conn,
        publications,
        row,  # the thread row: adding to the cart posted nothing in it
        members,
        user_id,
        text or reply.text,
        reply_to=offered.id,
        card=picked,
    )
    if reply.action == "handover":
        request_person(conn, publications, user_id, thread_id)
    remember(conn, user_id, key, request_hash, encode(message))
    return message


class PickStore(Store):
    """Quick replies offered and picked."""

    __slots__ = ()

    send = writes(send_pick)
    offer = writes(send_offering)
