"""Checkout cards: a ready checkout a brand (its bot) posts in the thread, paid with one key.

The card is priced for the customer when it is posted (their offers, their saved address,
the brand's default shipping); nothing is reserved. Paying it is a ``checkout`` of the
card's items that re-checks everything, and marks the card paid in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import Connection, select

from chatshop.protocol import encode
from chatshop.protocol.cards import CheckoutCard, ReceiptLine
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message
from chatshop.protocol.shop_models import Address, Order
from chatshop_server.events import Publication
from chatshop_server.rules.checkout import Basket
from chatshop_server.storage.brand_threads import brand_thread_parts
from chatshop_server.storage.carts import build_basket
from chatshop_server.storage.catalog import is_staff
from chatshop_server.storage.common import active_member_ids, thread_row
from chatshop_server.storage.database import Store, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.messages import post_message, update_card
from chatshop_server.storage.rows import message_from_row
from chatshop_server.storage.tables import messages

_message_decoder = msgspec.json.Decoder(Message)


def _ship_to(address: Address | None) -> str | None:
    if address is None:
        return None
    return f"{address.name}, {address.city} ({address.country})"


def card_for(basket: Basket, customer_id: int) -> CheckoutCard:
    """The card that shows ``basket`` to its customer."""
    offer = basket.offer[0] if basket.offer is not None and basket.offer_wins else None
    return CheckoutCard(
        brand_id=basket.brand.user.id,
        brand_handle=basket.brand.user.handle,
        customer_id=customer_id,
        lines=[
            ReceiptLine(
                sku=line.sku,
                title=line.title,
                label=line.label,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in basket.lines
        ],
        currency=basket.brand.currency,
        subtotal=basket.subtotal,
        discount=basket.discount,
        shipping=basket.shipping.price,
        total=basket.total,
        shipping_code=basket.shipping.code,
        shipping_name=basket.shipping.name,
        offer_label=None if offer is None else offer.view.label,
        ship_to=_ship_to(basket.address),
        problems=basket.problems(),
    )


def send_checkout_card(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    thread_id: int,
    items: Sequence[tuple[str, int]],
    shipping: str | None,
    text: str,
    key: str,
    request_hash: str,
) -> Message:
    """Post a checkout card for the customer of brand thread ``thread_id``; a retried key
    answers the first card."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _message_decoder.decode(prior)
    try:
        parts = brand_thread_parts(conn, thread_id)
    except ProtocolError:  # not a brand thread: say no more than that
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no brand thread {thread_id}") from None
    if not is_staff(conn, parts.brand.id, user_id):
        if user_id in parts.members:
            raise ProtocolError(ErrorCode.FORBIDDEN, "only the brand's staff post checkout cards")
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no brand thread {thread_id}")
    basket = build_basket(
        conn,
        parts.customer.id,
        parts.brand.handle,
        items,
        shipping,
        None,
        None,
        settings(conn).clock(),
    )
    card = card_for(basket, parts.customer.id)
    row = thread_row(conn, thread_id)
    members = active_member_ids(conn, thread_id)
    message = post_message(conn, publications, row, members, parts.brand.id, text, card=card)
    remember(conn, user_id, key, request_hash, encode(message))
    return message


def open_checkout_card(conn: Connection, user_id: int, message_id: int) -> CheckoutCard:
    """The open checkout card of ``message_id`` that ``user_id`` may pay."""
    row = conn.execute(select(messages).where(messages.c.id == message_id)).first()
    card = None if row is None else message_from_row(row).card
    if not isinstance(card, CheckoutCard) or card.customer_id != user_id:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no checkout card {message_id} for you")
    if card.status != "open":
        raise ProtocolError(ErrorCode.GONE, f"this checkout card is {card.status}")
    return card


def mark_paid(
    conn: Connection, publications: list[Publication], message_id: int, order: Order
) -> None:
    """The card's checkout went through: it shows the order from now on."""
    row = conn.execute(select(messages).where(messages.c.id == message_id)).one()
    card = message_from_row(row).card
    assert isinstance(card, CheckoutCard)
    paid = msgspec.structs.replace(
        card, status="paid", order_id=order.id, order_number=order.number, problems=[]
    )
    update_card(conn, publications, message_id, paid)


class CheckoutCardStore(Store):
    """Checkout cards brands post."""

    __slots__ = ()

    send = writes(send_checkout_card)
