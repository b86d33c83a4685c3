"""The brand HTTP API: its request and answer bodies and its endpoints, defined once for the
relay (``chatshop_server.http_api``) and for the OpenAPI document (``tools/openapi.py``).

A brand's own systems (a web shop, a CRM) call it with one of the brand's bot tokens, under
the same scopes as a websocket bot, and reach only the people who allowed that brand
(``api_allow``). Answers are JSON; errors are ``{"error": {"code", "message"}}`` with the
websocket protocol's stable codes. See ``docs/http-api.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Literal

import msgspec

from chatshop.protocol import limits
from chatshop.protocol.base import Count
from chatshop.protocol.bot_frames import Scope
from chatshop.protocol.cards import InvoiceLine
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.frames import History
from chatshop.protocol.models import Message
from chatshop.protocol.shop_models import Address, Order

PREFIX = "/api/v1"
# Limits
MAX_BODY_BYTES = 2**16  # a larger body is refused with 413 before it is read
MAX_IDEMPOTENCY_KEY_CHARS = 200
DEFAULT_RATE_PER_SECOND = 5.0  # per token, sustained
DEFAULT_RATE_BURST = 20  # per token, at once
MAX_EXTERNAL_ID_CHARS = 64
MAX_NOTE_CHARS = 280

Text = Annotated[str, msgspec.Meta(max_length=limits.MAX_TEXT_CHARS)]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE_CHARS)]
Minor = Annotated[int, msgspec.Meta(ge=0, le=2**53 - 1)]
Tracking = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.MAX_TRACKING_CHARS)]


# --------------------------------------------------------------------------- bodies


class ProductCardSpec(msgspec.Struct, tag_field="kind", tag="product", frozen=True, kw_only=True):
    """A product card of the brand's catalogue, by SKU."""

    sku: str


class InvoiceSpec(msgspec.Struct, tag_field="kind", tag="invoice", frozen=True, kw_only=True):
    """An invoice the customer pays from their wallet with one key."""

    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    lines: Annotated[list[InvoiceLine], msgspec.Meta(min_length=1, max_length=20)]
    currency: str
    expires_in_hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 90)] = 72


class OrderUpdateSpec(
    msgspec.Struct, tag_field="kind", tag="order_update", frozen=True, kw_only=True
):
    """An order update card: one of the brand's orders as it stands, with a note."""

    order_id: Count
    note: Note = ""


CardSpec = ProductCardSpec | InvoiceSpec | OrderUpdateSpec


class SendMessage(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A message to a customer in the brand's thread with them: ``text``, a ``card``, or
    both (the text goes with a product card; with an invoice or order update it is sent
    first, as its own message)."""

    text: Text = ""
    card: CardSpec | None = None


class Sent(msgspec.Struct, frozen=True, kw_only=True):
    """What was posted in the thread, oldest first."""

    messages: list[Message]


class ExternalOrderLine(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One line of an order placed elsewhere: a SKU of the brand's catalogue here."""

    sku: str
    quantity: Annotated[int, msgspec.Meta(ge=1, le=limits.MAX_LINE_QUANTITY)] = 1
    unit_price: Minor | None = None


class CreateOrder(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An order the brand's own shop took and was paid for there, to follow in the
    customer's thread: its receipt card is posted now, each step later."""

    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_EXTERNAL_ID_CHARS)]
    customer: str
    lines: Annotated[list[ExternalOrderLine], msgspec.Meta(min_length=1, max_length=50)]
    total: Minor
    address: Address
    shipping_cost: Minor = 0
    discount: Minor = 0
    currency: str | None = None
    shipping: Annotated[str, msgspec.Meta(max_length=64)] = ""


class AdvanceStep(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The order's next step; ``shipped`` needs ``carrier`` and ``tracking``."""

    status: Literal["confirmed", "preparing", "shipped", "delivered"]
    carrier: Tracking | None = None
    tracking: Tracking | None = None
    note: Note = ""


class ErrorDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A stable ``code`` (the websocket protocol's) to branch on, a message for people."""

    code: ErrorCode
    message: str
    retry_after: float | None = None


class ApiError(msgspec.Struct, frozen=True, kw_only=True):
    """Every error answer's body."""

    error: ErrorDetail


# --------------------------------------------------------------------------- endpoints

Method = Literal["GET", "POST"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation: how it is reached, what it takes and answers, the scope it needs."""

    name: str
    method: Method
    path: str  # under PREFIX, with {brand}, {customer}, {order_id}
    summary: str
    scope: Scope
    answer: type[msgspec.Struct]
    body: type[msgspec.Struct] | None = None
    status: HTTPStatus = HTTPStatus.OK
    query: tuple[str, ...] = ()
    more_scopes: str = ""  # when the body can need another scope than ``scope``


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        name="send_message",
        method="POST",
        path="/brands/{brand}/customers/{customer}/messages",
        summary="Send a message or a card to a customer who allowed the brand's API",
        scope="answer",
        more_scopes="An invoice card needs `invoices`, an order update card `orders`.",
        body=SendMessage,
        answer=Sent,
        status=HTTPStatus.CREATED,
    ),
    Endpoint(
        name="read_thread",
        method="GET",
        path="/brands/{brand}/customers/{customer}/messages",
        summary="Read the customer's thread with the brand, a page at a time (newest first "
        "pages; messages oldest first within a page)",
        scope="read",
        answer=History,
        query=("before", "limit"),
    ),
    Endpoint(
        name="create_order",
        method="POST",
        path="/brands/{brand}/orders",
        summary="Follow an order placed on the brand's own shop in the customer's thread",
        scope="orders",
        body=CreateOrder,
        answer=Order,
        status=HTTPStatus.CREATED,
    ),
    Endpoint(
        name="get_order",
        method="GET",
        path="/brands/{brand}/orders/{order_id}",
        summary="One of the brand's orders as it stands",
        scope="orders",
        answer=Order,
    ),
    Endpoint(
        name="advance_order",
        method="POST",
        path="/brands/{brand}/orders/{order_id}/steps",
        summary="Move an order one step on (confirmed, preparing, shipped, delivered); the "
        "step appears in the customer's thread as an order update card",
        scope="orders",
        body=AdvanceStep,
        answer=Order,
    ),
)

#: The HTTP status each error code is answered with (others: 422).
STATUS_OF: dict[ErrorCode, HTTPStatus] = {
    ErrorCode.BAD_REQUEST: HTTPStatus.BAD_REQUEST,
    ErrorCode.INVALID_TEXT: HTTPStatus.BAD_REQUEST,
    ErrorCode.INVALID_AMOUNT: HTTPStatus.BAD_REQUEST,
    ErrorCode.UNKNOWN_CURRENCY: HTTPStatus.BAD_REQUEST,
    ErrorCode.VARIANT_REQUIRED: HTTPStatus.BAD_REQUEST,
    ErrorCode.UNAUTHORIZED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.FORBIDDEN: HTTPStatus.FORBIDDEN,
    ErrorCode.NOT_OPTED_IN: HTTPStatus.FORBIDDEN,
    ErrorCode.BLOCKED: HTTPStatus.FORBIDDEN,
    ErrorCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.IDEMPOTENCY_MISMATCH: HTTPStatus.CONFLICT,
    ErrorCode.INVALID_TRANSITION: HTTPStatus.CONFLICT,
    ErrorCode.GONE: HTTPStatus.GONE,
    ErrorCode.TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    ErrorCode.RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.INTERNAL: HTTPStatus.INTERNAL_SERVER_ERROR,
}


def status_of(code: ErrorCode) -> HTTPStatus:
    return STATUS_OF.get(code, HTTPStatus.UNPROCESSABLE_ENTITY)


#: Meanings of the bodies' fields, for the OpenAPI document (checked by its test).
FIELD_NOTES: dict[str, str] = {
    "ProductCardSpec.sku": "A product's or variant's SKU in the brand's catalogue here.",
    "InvoiceSpec.reference": "The brand's own reference, unique per brand: sending it again "
    "answers the first invoice.",
    "InvoiceSpec.lines": "What is billed, 1 to 20 lines.",
    "InvoiceSpec.currency": "ISO 4217 code of the lines' amounts.",
    "InvoiceSpec.expires_in_hours": "Hours the customer has to pay it.",
    "OrderUpdateSpec.order_id": "One of the brand's orders with this customer (`Order.id`).",
    "OrderUpdateSpec.note": f"Shown on the card, at most {MAX_NOTE_CHARS} characters.",
    "SendMessage.text": f"At most {limits.MAX_TEXT_CHARS} code points.",
    "SendMessage.card": "A card, by `kind`: `product`, `invoice` or `order_update`.",
    "Sent.messages": "The messages posted, oldest first.",
    "ExternalOrderLine.sku": "A variant's SKU in the brand's catalogue here (a product's SKU "
    "when it has one variant).",
    "ExternalOrderLine.quantity": f"1 to {limits.MAX_LINE_QUANTITY}.",
    "ExternalOrderLine.unit_price": "The price paid, in minor units; null: the catalogue's.",
    "CreateOrder.external_id": "The order's id on your shop, unique per brand: a second order "
    "with it is refused (`conflict`).",
    "CreateOrder.customer": "The customer's handle; they must have allowed the brand's API.",
    "CreateOrder.lines": "What was bought, 1 to 50 lines.",
    "CreateOrder.total": "What the customer paid on your shop: the lines less `discount` plus "
    "`shipping_cost`, in minor units (checked).",
    "CreateOrder.address": "Where it ships.",
    "CreateOrder.shipping_cost": "Shipping paid, in minor units.",
    "CreateOrder.discount": "Taken off the lines, in minor units.",
    "CreateOrder.currency": "The brand's currency (ISO 4217); null: the brand's.",
    "CreateOrder.shipping": "The shipping option's name as your shop calls it.",
    "AdvanceStep.status": "The order's next status: placed -> confirmed -> preparing -> "
    "shipped -> delivered, one step at a time.",
    "AdvanceStep.carrier": "With `shipped`: who carries the parcel.",
    "AdvanceStep.tracking": "With `shipped`: the carrier's tracking number.",
    "AdvanceStep.note": f"Shown on the order update card, at most {MAX_NOTE_CHARS} characters.",
    "ErrorDetail.code": "A stable error code, the same as the websocket protocol's.",
    "ErrorDetail.message": "For people; do not parse it.",
    "ErrorDetail.retry_after": "With `rate_limited`: seconds to wait (also `Retry-After`).",
    "ApiError.error": "What went wrong.",
}

#: The records the OpenAPI document describes, bodies first.
RECORD_TYPES: tuple[type[msgspec.Struct], ...] = (
    SendMessage,
    ProductCardSpec,
    InvoiceSpec,
    OrderUpdateSpec,
    CreateOrder,
    ExternalOrderLine,
    AdvanceStep,
    Sent,
    ApiError,
    ErrorDetail,
)
