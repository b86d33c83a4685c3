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
QuickAction = Literal["reply", "buy_now", "add_to_cart", "similar", "handover", "sizes"]


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
    lowest_30d: int | None = None


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
    received: bool = False


class QuickReply(msgspec.Struct, frozen=True, kw_only=True):
    """A suggested answer, picked with ``send`` and ``pick`` (its index): the relay posts
    ``text`` as your message with a ``pick`` card, so the bot knows exactly what was picked.
    ``add_to_cart`` also puts variant ``sku`` in your cart and ``handover`` also asks for a
    person, in the same transaction; ``buy_now`` (the bot answers with a checkout card),
    ``sizes`` (other sizes), ``similar`` and ``reply`` are answered by the bot."""

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


class OfferView(msgspec.Struct, frozen=True, kw_only=True):
    """A discount a brand gave you: applied at your checkout by itself while it lasts."""

    offer_id: int
    label: str
    kind: Literal["percent", "fixed"]
    value: int
    currency: str
    expires_at: int
    product_id: int | None = None
    sku: str | None = None


class PromotionCard(msgspec.Struct, tag_field="kind", tag="promotion", frozen=True, kw_only=True):
    """A brand's promoted post, sent to you because you follow it: its text, the product it
    is about (a snapshot, as on a product card) and the offer that comes with it. Show it
    marked "Promoted"; the offer needs no code."""

    post_id: int
    brand_id: int
    brand_handle: str
    text: str
    product: ProductCard | None = None
    offer: OfferView | None = None


InvoiceStatus = Literal["open", "paid", "expired"]


class InvoiceLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an invoice."""

    label: str
    amount: int


class InvoiceCard(msgspec.Struct, tag_field="kind", tag="invoice", frozen=True, kw_only=True):
    """A bill from a brand (a taxi ride, a utility): pay it with ``invoice_pay``; its status
    follows (a ``card`` event), with the payment's ``short_id`` once paid."""

    invoice_id: int
    brand_id: int
    customer_id: int
    reference: str
    lines: list[InvoiceLine]
    total: int
    currency: str
    status: InvoiceStatus
    expires_at: int
    short_id: str | None = None


class PickCard(msgspec.Struct, tag_field="kind", tag="pick", frozen=True, kw_only=True):
    """Your pick of a quick reply (the message's text is the reply's ``text``): which card,
    which reply, and its payload."""

    message_id: int
    index: int
    label: str
    action: QuickAction
    product_id: int | None = None
    sku: str | None = None


CheckoutCardStatus = Literal["open", "paid", "stale"]


class CheckoutCard(msgspec.Struct, tag_field="kind", tag="checkout", frozen=True, kw_only=True):
    """A ready checkout a brand (its bot) posts for the customer: the items, the offer
    applied, shipping to the saved address with the brand's default option, and the total.
    Pay it with ``checkout`` (``items`` from the card, ``expected_total`` its ``total``,
    ``card_message_id`` this message): the card then shows ``paid`` and the order number.
    Show the wallet balance after payment from your own wallet, not from the card."""

    brand_id: int
    brand_handle: str
    customer_id: int
    lines: list[ReceiptLine]
    currency: str
    subtotal: int
    discount: int
    shipping: int
    total: int
    shipping_code: str
    shipping_name: str
    status: CheckoutCardStatus = "open"
    offer_label: str | None = None
    ship_to: str | None = None
    problems: list[str] = []
    order_id: int | None = None
    order_number: str | None = None


class OfferCard(msgspec.Struct, tag_field="kind", tag="offer", frozen=True, kw_only=True):
    """An offer a brand sent you on its own (not with a post): applied at your checkout by
    itself until ``offer.expires_at`` (show a countdown); "Use" opens the product or the
    brand's catalogue."""

    brand_id: int
    brand_handle: str
    offer: OfferView
    text: str = ""


AlertKind = Literal["back_in_stock", "price_below", "lowest_30d"]


class AlertCard(msgspec.Struct, tag_field="kind", tag="alert", frozen=True, kw_only=True):
    """A personal alert from a brand: the product you watch is back in stock, under your
    price, or at its lowest of 30 days (``alert_frames``). Only you get it, in the brand's
    thread with you; show it marked as an alert, with a notification, and the product's
    actions (add to cart with this message's id, buy now). With ``offer``, the price is
    yours alone: an offer the brand just gave you takes it under your line."""

    watch_id: int
    alert: AlertKind
    product: ProductCard
    price: int
    currency: str
    lowest_30d: int
    stock: int
    sku: str | None = None
    previous_price: int | None = None
    below: int | None = None
    offer: OfferView | None = None


Card = (
    PaymentCard
    | RequestCard
    | SplitCard
    | LuckyMoneyCard
    | ProductCard
    | ReceiptCard
    | OrderUpdateCard
    | QuickRepliesCard
    | PromotionCard
    | InvoiceCard
    | PickCard
    | CheckoutCard
    | OfferCard
    | AlertCard
)
