"""Structured cards a message may carry: payments, requests, bill splits, red packets, and
shopping (products, order receipts and updates, a bot's quick replies).

A card is data, never text to parse: clients render amounts from ``amount`` and ``currency``
alone, so a note holding lookalike digits or a bidi override cannot change how an amount
reads. The relay updates a card in place (a request gets paid, a red packet gets opened) and
pushes a ``card`` event with the message's new state.
"""

from __future__ import annotations

from typing import Literal

import msgspec

RequestStatus = Literal["open", "paid", "declined", "cancelled"]
PacketStatus = Literal["open", "finished", "expired"]


class PaymentCard(msgspec.Struct, tag_field="kind", tag="payment", frozen=True, kw_only=True):
    """Money sent from one member to another."""

    transfer_id: int
    short_id: str
    amount: int
    currency: str
    from_id: int
    to_id: int
    note: str = ""


class RequestCard(msgspec.Struct, tag_field="kind", tag="request", frozen=True, kw_only=True):
    """A request for money that ``payer_id`` can pay or decline."""

    request_id: int
    amount: int
    currency: str
    requester_id: int
    payer_id: int
    status: RequestStatus
    note: str = ""
    transfer_id: int | None = None
    short_id: str | None = None


class SplitShare(msgspec.Struct, frozen=True, kw_only=True):
    """One member's part of a bill split, itself a payment request."""

    user_id: int
    amount: int
    request_id: int
    status: RequestStatus


class SplitCard(msgspec.Struct, tag_field="kind", tag="split", frozen=True, kw_only=True):
    """A bill split: ``total`` shared among members; the shares always sum to ``total``
    together with ``creator_share`` (the creator's own part, zero when left out)."""

    split_id: int
    total: int
    currency: str
    creator_id: int
    creator_share: int
    shares: list[SplitShare]
    note: str = ""


class PacketClaim(msgspec.Struct, frozen=True, kw_only=True):
    """Who opened a red packet and what they got."""

    user_id: int
    amount: int


class LuckyMoneyCard(msgspec.Struct, tag_field="kind", tag="lucky", frozen=True, kw_only=True):
    """A red packet: the first ``count`` members to open it share ``total`` at random."""

    packet_id: int
    total: int
    currency: str
    count: int
    sender_id: int
    status: PacketStatus
    expires_at: int
    claims: list[PacketClaim] = []
    note: str = ""


# --------------------------------------------------------------------------- shopping

OrderStatus = Literal[
    "placed", "confirmed", "preparing", "shipped", "delivered", "cancelled", "refunded"
]
QuickAction = Literal["reply", "buy_now", "add_to_cart", "similar", "handover"]


class CardVariant(msgspec.Struct, frozen=True, kw_only=True):
    """One variant on a product card: what to pick, and how many were left when shared."""

    sku: str
    label: str
    stock: int


class ProductCard(msgspec.Struct, tag_field="kind", tag="product", frozen=True, kw_only=True):
    """A product shared into a thread: a snapshot of the catalogue when it was shared.

    ``compare_at`` is the former price, shown struck through; stock is as it was at sharing
    time (``product`` gives the live state). Actions: add to cart (``cart_add`` with this
    message's id), buy now (``checkout`` with ``items``), similar (``product``).
    """

    product_id: int
    brand_id: int
    brand_handle: str
    sku: str
    title: str
    price: int
    currency: str
    compare_at: int | None = None
    image: str | None = None
    variants: list[CardVariant] = []
    stock: int = 0
    verified: bool = False
    from_brand: bool = False


class ReceiptLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a receipt."""

    sku: str
    title: str
    label: str
    quantity: int
    unit_price: int


class ReceiptCard(msgspec.Struct, tag_field="kind", tag="receipt", frozen=True, kw_only=True):
    """An order's receipt, posted by the brand when the order is placed; its ``status``
    follows the order (a ``card`` event tells of each change)."""

    order_id: int
    number: str
    brand_id: int
    customer_id: int
    status: OrderStatus
    lines: list[ReceiptLine]
    currency: str
    subtotal: int
    discount: int
    shipping: int
    total: int
    promo_code: str | None = None
    short_id: str | None = None


class OrderUpdateCard(
    msgspec.Struct, tag_field="kind", tag="order_update", frozen=True, kw_only=True
):
    """A step of an order (confirmed, preparing, shipped with tracking, delivered, cancelled,
    refunded), posted by the brand in its thread with the customer."""

    order_id: int
    number: str
    status: OrderStatus
    carrier: str | None = None
    tracking: str | None = None
    note: str = ""


class QuickReply(msgspec.Struct, frozen=True, kw_only=True):
    """A suggested answer. ``reply``: send ``text`` as a message; ``buy_now`` /
    ``add_to_cart``: act on variant ``sku`` of ``product_id``; ``similar``: show products
    like ``product_id``; ``handover``: ask for a person (``handover_request``)."""

    label: str
    text: str
    action: QuickAction = "reply"
    product_id: int | None = None
    sku: str | None = None


class QuickRepliesCard(
    msgspec.Struct, tag_field="kind", tag="quick_replies", frozen=True, kw_only=True
):
    """Suggested replies under a message (the brand's assistant uses them)."""

    replies: list[QuickReply]
    product_id: int | None = None


Card = (
    PaymentCard
    | RequestCard
    | SplitCard
    | LuckyMoneyCard
    | ProductCard
    | ReceiptCard
    | OrderUpdateCard
    | QuickRepliesCard
)
