"""Frames for a brand's relation with the people who follow it: follows, promoted posts with
their offers, and invoices.

People follow a brand; a brand's staff (or its bot) publish a post, which reaches every
follower who takes promotions and did not mute the brand, as a ``promotion`` card in their
brand thread, with an offer applied at their checkout by itself. A brand may publish
``MAX_POSTS_PER_DAY`` posts a day and a follower gets at most one of its posts a day.
Invoices are bills a brand sends one customer, paid with one key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from chatshop.protocol.base import Count, Ok, Request
from chatshop.protocol.cards import InvoiceLine, OfferView
from chatshop.protocol.models import Message, User
from chatshop.protocol.payment_frames import PaymentResult
from chatshop.protocol.shop_models import Amount, Handover, Key, LineSpec, Order

#: Posts one brand may publish per 24 hours.
MAX_POSTS_PER_DAY = 3
#: Posts of one brand one follower receives per 24 hours (more are not delivered to them).
MAX_POSTS_PER_FOLLOWER_PER_DAY = 1
#: Longest post text, invoice reference and invoice line label.
MAX_POST_CHARS = 500
MAX_REFERENCE_CHARS = 64
MAX_INVOICE_LINES = 20

OfferKind = Literal["percent", "fixed"]
Percent = Annotated[int, msgspec.Meta(ge=1, le=90)]


class Follow(msgspec.Struct, frozen=True, kw_only=True):
    """You and one brand you follow."""

    brand: User
    promotions: bool
    muted: bool
    since: int


class FollowList(msgspec.Struct, frozen=True, kw_only=True):
    """The brands you follow."""

    follows: list[Follow]


class OfferSpec(msgspec.Struct, frozen=True, kw_only=True):
    """An offer to attach to a post: ``percent`` off (``value`` 1 to 90) or a ``fixed``
    amount off (minor units), on one variant (``sku``), one product (``product_sku``) or
    the whole catalogue (neither), for ``days`` days, at most ``per_customer`` orders each."""

    kind: OfferKind
    value: Amount
    days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 7
    sku: str | None = None
    product_sku: str | None = None
    per_customer: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    label: str = ""


class PostResult(msgspec.Struct, frozen=True, kw_only=True):
    """A published post: how many followers it reached, and its offer."""

    post_id: int
    reached: int
    offer: OfferView | None = None


class PostStats(msgspec.Struct, frozen=True, kw_only=True):
    """How a post did: followers it reached, who opened it (read past it), and orders that
    used its offer."""

    post_id: int
    reached: int
    opened: int
    bought: int


class FollowBrand(Request[Follow], tag="follow"):
    """Follow a brand (again): its promoted posts reach you unless you say otherwise."""

    brand: str
    promotions: bool = True
    example = {"type": "follow", "id": 90, "brand": "northwind"}


class UnfollowBrand(Request[Ok], tag="unfollow"):
    """Stop following a brand: no more posts."""

    brand: str
    example = {"type": "unfollow", "id": 91, "brand": "northwind"}


class SetFollow(Request[Follow], tag="follow_set"):
    """Take promotions or not, mute the brand or not (a muted brand's posts never arrive)."""

    brand: str
    promotions: bool | None = None
    muted: bool | None = None
    example = {"type": "follow_set", "id": 92, "brand": "northwind", "muted": True}


class ListFollows(Request[FollowList], tag="follows"):
    """The brands you follow."""

    example = {"type": "follows", "id": 93}


class PublishPost(Request[PostResult], tag="post_publish"):
    """Staff: send a promoted post to the brand's followers (see the module notes), about
    the product of ``sku`` if given, with an offer if given."""

    brand: str
    text: str
    key: Key
    sku: str | None = None
    offer: OfferSpec | None = None
    example = {
        "type": "post_publish",
        "id": 94,
        "brand": "northwind",
        "text": "The Harbor sport coat, 20 % off this week.",
        "sku": "NW-COAT-HARBOR",
        "offer": {"kind": "percent", "value": 20, "days": 7, "product_sku": "NW-COAT-HARBOR"},
        "key": "post-1",
    }


class GetPostStats(Request[PostStats], tag="post_stats"):
    """Staff: how a post did."""

    post_id: Count
    example = {"type": "post_stats", "id": 95, "post_id": 1}


class InvoiceResult(msgspec.Struct, frozen=True, kw_only=True):
    """The invoice's message in the customer's thread."""

    message: Message
    replayed: bool = False


class SendInvoice(Request[InvoiceResult], tag="invoice_send"):
    """Staff (or the brand's bot): bill ``customer`` in the brand's thread with them. The
    ``reference`` is the brand's own (unique per brand; sending it again answers the first
    invoice)."""

    brand: str
    customer: str
    reference: str
    lines: list[InvoiceLine]
    currency: str
    expires_in_hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 90)] = 72
    example = {
        "type": "invoice_send",
        "id": 96,
        "brand": "citycabs",
        "customer": "sam",
        "reference": "RIDE-20261202-0815",
        "lines": [{"label": "Ride, Part-Dieu to Vieux Lyon", "amount": 1450}],
        "currency": "EUR",
    }


class PayInvoice(Request[PaymentResult], tag="invoice_pay"):
    """Pay an invoice sent to you, from your wallet, once: a retry with the same ``key``
    answers the first payment, and a second key finds it ``gone`` (paid or expired)."""

    invoice_id: Count
    key: Key
    example = {"type": "invoice_pay", "id": 97, "invoice_id": 1, "key": "inv-1"}


class SendCheckoutCard(Request[Message], tag="checkout_card_send"):
    """Staff or the brand's bot: post a ready checkout for the customer of brand thread
    ``thread_id``: ``items`` priced now, with the customer's offer applied, shipping
    ``shipping`` (the brand's first option when null) to their saved address. Nothing is
    reserved: paying it re-checks everything."""

    thread_id: Count
    items: Annotated[list[LineSpec], msgspec.Meta(min_length=1, max_length=20)]
    key: Key
    shipping: str | None = None
    text: str = ""
    example = {
        "type": "checkout_card_send",
        "id": 98,
        "thread_id": 7,
        "items": [{"sku": "NW-COAT-HARBOR-42L"}],
        "text": "Here you are: one key to pay.",
        "key": "bot:5121:2",
    }


class SendOffer(Request[Message], tag="offer_send"):
    """Staff or the brand's bot: give ``customer`` an offer, as an ``offer`` card of its
    own in the brand's thread with them (applied at their checkout by itself)."""

    brand: str
    customer: str
    offer: OfferSpec
    key: Key
    text: str = ""
    example = {
        "type": "offer_send",
        "id": 99,
        "brand": "northwind",
        "customer": "sam",
        "offer": {"kind": "fixed", "value": 1000, "days": 3},
        "text": "Sorry for the wait: 10 EUR off your next order.",
        "key": "offer-sam-1",
    }


class ReportOrderProblem(Request[Handover], tag="order_problem"):
    """The customer: something is wrong with an order. The brand thread goes to a person
    (as ``handover_request``) with the order attached as an ``order_update`` card."""

    order_id: Count
    text: str = ""
    example = {
        "type": "order_problem",
        "id": 103,
        "order_id": 12,
        "text": "The parcel arrived damaged.",
    }


class ConfirmReceipt(Request[Order], tag="order_received"):
    """The customer confirms a delivered order arrived; its delivered card says so."""

    order_id: Count
    example = {"type": "order_received", "id": 104, "order_id": 12}


BRAND_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (
    FollowBrand,
    UnfollowBrand,
    SetFollow,
    ListFollows,
    PublishPost,
    GetPostStats,
    SendInvoice,
    PayInvoice,
    SendCheckoutCard,
    SendOffer,
    ReportOrderProblem,
    ConfirmReceipt,
)

FIELD_NOTES: dict[str, str] = {
    "Follow.promotions": "Whether the brand's promoted posts reach you.",
    "Follow.muted": "A muted brand's posts never arrive (and it sends no alerts).",
    "FollowBrand.promotions": "Whether its promoted posts should reach you.",
    "SetFollow.promotions": "Take promoted posts (true) or not; null keeps it.",
    "SetFollow.muted": "Mute the brand (true) or not; null keeps it.",
    "PublishPost.text": f"The post, at most {MAX_POST_CHARS} characters.",
    "PublishPost.sku": "A product's (or variant's) SKU: the post shows its card.",
    "PublishPost.offer": "An offer sent with the post to everyone it reaches.",
    "OfferSpec.days": "How long the offer lasts.",
    "OfferSpec.product_sku": "The offer is on this product (all its variants).",
    "OfferSpec.sku": "The offer is on this variant only.",
    "OfferSpec.per_customer": "Orders per customer that may use it.",
    "OfferSpec.label": "What customers read (made from the offer when empty).",
    "PostResult.reached": "Followers the post was delivered to.",
    "PostStats.reached": "Followers the post was delivered to.",
    "PostStats.opened": "Followers who read the brand thread past the post.",
    "PostStats.bought": "Orders that used the post's offer.",
    "SendInvoice.customer": "The customer's handle.",
    "SendInvoice.reference": f"The brand's own reference, at most {MAX_REFERENCE_CHARS} "
    "characters, unique per brand.",
    "SendInvoice.lines": f"At most {MAX_INVOICE_LINES} lines, each a positive amount.",
    "SendInvoice.expires_in_hours": "Hours until it can no longer be paid.",
    "PayInvoice.invoice_id": "The invoice's id, as on its card.",
    "SendCheckoutCard.thread_id": "A brand thread of the brand.",
    "SendCheckoutCard.items": "What to buy (1 to 20 lines).",
    "SendCheckoutCard.shipping": "A shipping option's `code`; the brand's first when null.",
    "SendCheckoutCard.text": "Text above the card.",
    "SendOffer.customer": "The customer's handle.",
    "SendOffer.offer": "The offer (as in `post_publish`).",
    "SendOffer.text": "Text above the card.",
    "ReportOrderProblem.order_id": "One of your orders.",
    "ReportOrderProblem.text": "What is wrong, posted in the thread with the order.",
    "ConfirmReceipt.order_id": "One of your orders, delivered.",
    "OrderUpdateCard.received": "On a delivered update: the customer confirmed receipt.",
    "PickCard.index": "Which reply of that card (0 is the first).",
    "PickCard.action": "The picked reply's action (see QuickReply).",
    "CheckoutCard.shipping_code": "The shipping option's code (the brand's first by default).",
    "CheckoutCard.shipping_name": "The shipping option's name.",
    "CheckoutCard.offer_label": "The offer applied, when one is.",
    "CheckoutCard.ship_to": "Where it goes (name, city, country); null: no saved address.",
    "CheckoutCard.order_number": "Once paid: the order's number.",
}
