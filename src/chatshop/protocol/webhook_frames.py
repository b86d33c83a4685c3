"""Frames for a brand's webhooks: endpoints its staff register, and the deliveries the relay
makes to them.

The relay POSTs each event of the kinds an endpoint asked for, as a ``WebhookPayload``,
signed with the endpoint's secret (see ``docs/webhooks.md``): at least once, in order per
thread, retried with backoff for about a day, then dead-lettered.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from chatshop.protocol.base import Count, Ok, PageSize, Request
from chatshop.protocol.models import User

#: What a webhook may be sent: messages in brand threads, hand-overs, orders and each of
#: their changes, payments and refunds, follows and unfollows, alert sign-ups.
WebhookKind = Literal["message", "handover", "order", "payment", "follow", "alert"]
WEBHOOK_KINDS: tuple[WebhookKind, ...] = (
    "message",
    "handover",
    "order",
    "payment",
    "follow",
    "alert",
)
DeliveryStatus = Literal["pending", "delivered", "dead"]

MAX_ENDPOINTS = 10  # per brand
MAX_URL_CHARS = 500
ATTEMPT_TIMEOUT = 10.0  # seconds a receiver has to answer one delivery
ENDPOINT_CONCURRENCY = 4  # deliveries in flight to one endpoint at a time
RETRY_FIRST = 10.0  # seconds before the first retry; each retry waits twice as long ...
RETRY_MAX = 3600.0  # ... up to an hour between attempts
RETRY_FOR = 24 * 3600.0  # seconds after which an undelivered event is dead-lettered
SIGNATURE_TOLERANCE = 300  # seconds: receivers should refuse older timestamps (replays)


class WebhookEndpoint(msgspec.Struct, frozen=True, kw_only=True):
    """An endpoint as staff see it (never its secret)."""

    endpoint_id: int
    brand: User
    url: str
    kinds: list[WebhookKind]
    active: bool
    created_at: int
    pending: int = 0
    dead: int = 0
    disabled_reason: str | None = None
    secret_rotated_at: int | None = None


class WebhookSecret(msgspec.Struct, frozen=True, kw_only=True):
    """An endpoint and its (new) signing secret, shown this once."""

    endpoint: WebhookEndpoint
    secret: str
    previous_valid_until: int | None = None


class WebhookList(msgspec.Struct, frozen=True, kw_only=True):
    endpoints: list[WebhookEndpoint]


class WebhookDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """One event's delivery to one endpoint."""

    delivery_id: int
    event_id: str
    kind: WebhookKind
    status: DeliveryStatus
    attempts: int
    created_at: int
    next_attempt_at: int | None = None
    delivered_at: int | None = None
    last_status: int | None = None
    last_error: str | None = None
    latency_ms: int | None = None


class DeliveryPage(msgspec.Struct, frozen=True, kw_only=True):
    """Deliveries, newest first; ``more`` tells whether older ones exist (``before``)."""

    deliveries: list[WebhookDelivery]
    more: bool


class ReplayResult(msgspec.Struct, frozen=True, kw_only=True):
    """How many deliveries were queued again."""

    queued: int


class WebhookPayload(msgspec.Struct, frozen=True, kw_only=True):
    """The JSON body of a delivery. ``id`` is unique per event (a replayed or retried
    delivery carries the same one: deduplicate on it); ``data`` is the event as the
    websocket protocol sends it (a ``message``, ``handover`` or ``order`` event), or a
    ``payment``, ``follow`` or ``alert`` record."""

    id: str
    type: WebhookKind
    created_at: int
    brand: str
    data: msgspec.Raw


class PaymentNotice(msgspec.Struct, frozen=True, kw_only=True):
    """``payment`` data: money that moved to or from the brand."""

    transfer_id: str
    kind: Literal["purchase", "refund", "invoice"]
    amount: int
    currency: str
    customer: User
    order_number: str | None = None
    reference: str | None = None


class FollowNotice(msgspec.Struct, frozen=True, kw_only=True):
    """``follow`` data: someone followed or unfollowed the brand."""

    user: User
    following: bool


class AlertNotice(msgspec.Struct, frozen=True, kw_only=True):
    """``alert`` data: someone asked to be told about one of the brand's products."""

    user: User
    product_id: int
    kind: str
    sku: str | None = None
    below: int | None = None


Url = Annotated[str, msgspec.Meta(min_length=8, max_length=MAX_URL_CHARS)]
Kinds = Annotated[list[WebhookKind], msgspec.Meta(min_length=1, max_length=len(WEBHOOK_KINDS))]


class AddWebhook(Request[WebhookSecret], tag="webhook_add"):
    """Staff: register an endpoint for ``kinds`` of events; its secret is in the reply."""

    brand: str
    url: Url
    kinds: Kinds
    example = {
        "type": "webhook_add",
        "id": 110,
        "brand": "northwind",
        "url": "https://crm.example.com/chatshop",
        "kinds": ["order", "handover", "message"],
    }


class ListWebhooks(Request[WebhookList], tag="webhooks"):
    """Staff: the brand's endpoints, with their backlog."""

    brand: str
    example = {"type": "webhooks", "id": 111, "brand": "northwind"}


class RemoveWebhook(Request[Ok], tag="webhook_remove"):
    """Staff: stop delivering to an endpoint (its undelivered events are dropped)."""

    brand: str
    endpoint_id: Count
    example = {"type": "webhook_remove", "id": 112, "brand": "northwind", "endpoint_id": 1}


class RotateWebhookSecret(Request[WebhookSecret], tag="webhook_rotate"):
    """Staff: a new secret; deliveries are signed with both for ``overlap_hours``."""

    brand: str
    endpoint_id: Count
    overlap_hours: Annotated[int, msgspec.Meta(ge=0, le=168)] = 24
    example = {"type": "webhook_rotate", "id": 113, "brand": "northwind", "endpoint_id": 1}


class ListDeliveries(Request[DeliveryPage], tag="webhook_deliveries"):
    """Staff: an endpoint's delivery log, newest first."""

    brand: str
    endpoint_id: Count
    status: DeliveryStatus | None = None
    before: Count | None = None
    limit: PageSize = 50
    example = {
        "type": "webhook_deliveries",
        "id": 114,
        "brand": "northwind",
        "endpoint_id": 1,
        "status": "dead",
    }


class ReplayWebhook(Request[ReplayResult], tag="webhook_replay"):
    """Staff: deliver again one event (``event_id``) or every event from ``since`` to
    ``until`` (ms), whatever their status, with the same event ids."""

    brand: str
    endpoint_id: Count
    event_id: str | None = None
    since: Count | None = None
    until: Count | None = None
    example = {
        "type": "webhook_replay",
        "id": 115,
        "brand": "northwind",
        "endpoint_id": 1,
        "since": 1764660000000,
    }


WEBHOOK_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (
    AddWebhook,
    ListWebhooks,
    RemoveWebhook,
    RotateWebhookSecret,
    ListDeliveries,
    ReplayWebhook,
)

FIELD_NOTES: dict[str, str] = {
    "WebhookEndpoint.endpoint_id": "The endpoint's id, for the other webhook requests.",
    "RemoveWebhook.endpoint_id": "The endpoint's id.",
    "RotateWebhookSecret.endpoint_id": "The endpoint's id.",
    "ListDeliveries.endpoint_id": "The endpoint's id.",
    "ReplayWebhook.endpoint_id": "The endpoint's id.",
    "WebhookSecret.endpoint": "The endpoint.",
    "WebhookDelivery.delivered_at": "When the receiver took it (ms).",
    "FollowNotice.user": "Who followed or unfollowed.",
    "AlertNotice.user": "Who asked to be told.",
    "WebhookEndpoint.url": "Where deliveries are POSTed (http or https).",
    "WebhookEndpoint.kinds": "The kinds of events it gets.",
    "WebhookEndpoint.active": "False once disabled (the receiver answered 410, or staff).",
    "WebhookEndpoint.pending": "Deliveries not yet made.",
    "WebhookEndpoint.dead": "Deliveries given up on (replay them with `webhook_replay`).",
    "WebhookEndpoint.disabled_reason": "Why it was disabled.",
    "WebhookEndpoint.secret_rotated_at": "When the secret last changed.",
    "WebhookSecret.secret": "The signing secret (`whsec_...`): shown only this once.",
    "WebhookSecret.previous_valid_until": "After a rotation: until when the previous secret "
    "also signs deliveries (ms).",
    "WebhookList.endpoints": "The brand's endpoints.",
    "WebhookDelivery.event_id": "The event's id, as in the payload and the "
    "`Chatshop-Event-Id` header.",
    "WebhookDelivery.attempts": "POSTs made so far.",
    "WebhookDelivery.next_attempt_at": "When it is tried next (pending only).",
    "WebhookDelivery.last_status": "The receiver's last HTTP status, if it answered.",
    "WebhookDelivery.last_error": "What went wrong the last time.",
    "WebhookDelivery.latency_ms": "How long the last attempt took.",
    "DeliveryPage.deliveries": "Newest first.",
    "ReplayResult.queued": "Deliveries queued again.",
    "WebhookPayload.id": "The event's unique id (`evt_...`): deduplicate on it.",
    "WebhookPayload.type": "The kind of event.",
    "WebhookPayload.brand": "The brand's handle.",
    "WebhookPayload.data": "The event (see the kind).",
    "PaymentNotice.transfer_id": "The transfer's short id.",
    "PaymentNotice.kind": "`purchase` (an order paid), `refund` or `invoice` (paid).",
    "PaymentNotice.customer": "Who paid or was refunded.",
    "PaymentNotice.order_number": "The order's number, for purchases and refunds.",
    "PaymentNotice.reference": "The invoice's reference, for invoices.",
    "FollowNotice.following": "True: followed; false: unfollowed.",
    "AlertNotice.kind": "`back_in_stock`, `price_below` or `lowest_30d`.",
    "AlertNotice.below": "For `price_below`: the price asked for.",
    "AddWebhook.url": f"http(s) URL, at most {MAX_URL_CHARS} characters.",
    "AddWebhook.kinds": "One or more of " + ", ".join(f"`{k}`" for k in WEBHOOK_KINDS) + ".",
    "RotateWebhookSecret.overlap_hours": "Hours the old secret keeps signing too.",
    "ListDeliveries.status": "Only deliveries in this state.",
    "ListDeliveries.before": "Only deliveries older than this `delivery_id`.",
    "WebhookDelivery.delivery_id": "The delivery's position in the log (for `before`).",
    "ReplayWebhook.event_id": "One event to deliver again.",
    "ReplayWebhook.since": "From this time (ms), with `until`.",
    "ReplayWebhook.until": "Up to this time (ms); now when null.",
}
