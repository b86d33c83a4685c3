"""The JSON Schema of the wire protocol, built from the msgspec structs in ``frames``/``models``.

The frame lists come from ``REQUEST_TYPES``, ``EVENT_TYPES`` and ``ServerFrame``, the records
from the requests' ``result_type`` and from ``models``, and ``msgspec.json.schema_components``
does the rest. Each definition is then annotated with its class ``example`` (the standard
``examples`` keyword), its properties with the ``FIELD_NOTES`` below (``description``), and
requests with ``x-result-type`` and ``x-needs-auth``. The output is deterministic: sorted
keys, two-space indent, trailing newline, and docstrings cleaned the same way on every Python
version.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Union, get_args

import msgspec
import msgspec.inspect

from chatshop.protocol import (
    alert_frames,
    api_frames,
    bot_frames,
    brand_frames,
    cards,
    frames,
    limits,
    models,
    payment_frames,
    shop_frames,
    shop_models,
    webhook_frames,
)
from chatshop.protocol.limits import PROTOCOL_VERSION

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CLIENT_FRAME = "ClientFrame"
SERVER_FRAME = "ServerFrame"
ANY_EVENT = "AnyEvent"

StructType = type[msgspec.Struct]

FIELD_NOTES: dict[str, str] = {
    # What each field means, for the schema's property descriptions and the docs' tables.
    # Keys: "Class.field", or "request.field" / "event.field" for every request / event.
    # The tests check that every key names a real field.
    "request.id": "Chosen by the client; the one reply to this request carries the same `id`.",
    "request.handle": "The other account's handle.",
    "request.thread_id": "A thread you are a member of (`Thread.id`).",
    "Hello.protocol": "The protocol version the client speaks.",
    "Hello.client": "Free-form name and version of the client, for the relay's logs.",
    "Register.handle": (
        f"{limits.MIN_HANDLE_CHARS} to {limits.MAX_HANDLE_CHARS} characters matching "
        f"`{limits.HANDLE_PATTERN}`; unique regardless of case."
    ),
    "Register.display_name": f"Up to {limits.MAX_NAME_CHARS} characters.",
    "Register.password": (
        f"{limits.MIN_PASSWORD_CHARS} to {limits.MAX_PASSWORD_CHARS} characters."
    ),
    "Register.kind": "The kind of account.",
    "Login.handle": "Your handle.",
    "Login.password": "Your password.",
    "Login.device": "Free-form label for this session's device.",
    "Auth.token": "The `token` of an earlier register, login or auth result.",
    "Auth.since": (
        "The last event cursor you processed: every stored event after it is replayed. "
        "Null or absent: no replay."
    ),
    "ChangePassword.old_password": "Your current password.",
    "ChangePassword.new_password": (
        f"{limits.MIN_PASSWORD_CHARS} to {limits.MAX_PASSWORD_CHARS} characters."
    ),
    "CreateGroup.name": f"Up to {limits.MAX_NAME_CHARS} characters.",
    "CreateGroup.handles": (
        f"The other members; a group holds at most {limits.MAX_GROUP_MEMBERS} members."
    ),
    "RenameGroup.name": f"Up to {limits.MAX_NAME_CHARS} characters.",
    "Send.text": f"Up to {limits.MAX_TEXT_CHARS} code points; stored exactly as sent.",
    "Send.key": (
        f"Idempotency key, up to {limits.MAX_KEY_CHARS} characters: fresh for every new "
        "message, the same when retrying one."
    ),
    "Send.reply_to": "The `id` of the message this one answers.",
    "Send.replies": f"A brand in its own threads (its bot): quick replies offered under "
    f"the message, at most {limits.MAX_QUICK_REPLIES} (see QuickReply).",
    "Send.pick": "With `reply_to` a quick-replies message: the index of the reply picked "
    "(`text` may then be empty: the reply's text is posted; see QuickReply).",
    "Edit.message_id": "The `id` of your own message.",
    "Edit.text": f"The new text, up to {limits.MAX_TEXT_CHARS} code points.",
    "Delete.message_id": "The `id` of your own message.",
    "MarkRead.seq": "The `seq` of the last message you have read.",
    "GetHistory.before": "Only messages with a lower `seq`; null for the newest page.",
    "GetHistory.limit": f"Page size, at most {limits.MAX_HISTORY_PAGE}.",
    "Result.id": "The `id` of the request this answers.",
    "Result.data": "The request's result record (named in each request's section).",
    "Error.id": "The `id` of the request this answers; null when it could not be read.",
    "Error.code": "A stable [error code](#error-codes); branch on it.",
    "Error.message": "An explanation for people; do not parse it.",
    "Error.retry_after": "Seconds to wait before retrying (with `rate_limited`).",
    "Events.events": "One or more events, in cursor order.",
    "event.cursor": (
        "Position in your account's event stream: opaque, increasing, with gaps. "
        "Absent on ephemeral events."
    ),
    "event.thread_id": "The thread concerned (`Thread.id`).",
    "event.user_id": "The member concerned (`User.id`).",
    "event.message": "The message as it stands now.",
    "ReadEvent.seq": "The member's new read marker.",
    "ThreadEvent.thread": "The thread's new state.",
    "MemberEvent.user": "The member who joined or left.",
    "MemberEvent.change": "`added` or `removed` by someone, or `left` by themselves.",
    "MemberEvent.by": "The account that made the change (`User.id`).",
    "ContactEvent.contact": "Your relation with that account as it stands now.",
    "HelloResult.protocol": "The protocol version this connection speaks.",
    "HelloResult.server": "The relay software.",
    "HelloResult.version": "The relay software's version.",
    "HelloResult.limits": "The limits this relay enforces.",
    "AuthResult.token": "Session token: keep it to resume with `auth`.",
    "AuthResult.user": "Your account.",
    "AuthResult.cursor": "Your event stream's position when this session started.",
    "AuthResult.scopes": "A bot token's scopes (see Bots); absent for a person's session.",
    "History.thread_id": "The thread (`Thread.id`).",
    "History.messages": "Ascending `seq`.",
    "History.more": "Whether older messages exist.",
    "UserResult.user": "The account's public profile.",
    "ContactList.contacts": "One entry per account you have a relation with.",
    "ThreadList.threads": "Most recent activity first.",
    "User.id": "Account id.",
    "User.handle": "Unique handle (unique regardless of case).",
    "User.display_name": "The name people see.",
    "User.kind": "A person, or a brand (a shop).",
    "Contact.user": "The other account.",
    "Contact.status": (
        "`friend`; `outgoing` (you asked) or `incoming` (they asked); `blocked` (by you); `none`."
    ),
    "Message.id": "Message id.",
    "Message.thread_id": "Its thread (`Thread.id`).",
    "Message.seq": "Position in its thread: one more than the previous message.",
    "Message.sender_id": "The author (`User.id`).",
    "Message.text": "Exactly as sent; empty once deleted.",
    "Message.created_at": "Milliseconds since the Unix epoch (UTC).",
    "Message.reply_to": "The `id` of the message this one answers.",
    "Message.edited_at": "Milliseconds since the Unix epoch of the last edit.",
    "Message.deleted": "True once deleted (the text is then empty).",
    "Thread.id": "Thread id.",
    "Thread.kind": "Direct (two people), group, or brand (a person and a shop).",
    "Thread.name": "The thread's name.",
    "Thread.owner_id": "The owner (`User.id`), or null when the thread has none.",
    "Thread.members": "Every member's public profile.",
    "Thread.last_seq": "The `seq` of the newest message.",
    "Thread.last_activity": "Milliseconds since the Unix epoch of the last activity.",
    "Thread.last_message": "The newest message, if any.",
    "Thread.unread": "Messages after your read marker.",
    "Thread.read_seq": "Your read marker: the last `seq` you have read.",
    "Limits.max_frame_bytes": "Largest frame accepted, in bytes (larger: close 1009).",
    "Limits.max_text_chars": "Longest message text, in code points.",
    "Limits.max_name_chars": "Longest display name or group name.",
    "Limits.max_group_members": "Most members in a group.",
    "Limits.max_history_page": "Largest `history` page.",
    "Limits.rate_per_second": "Sustained requests per second per connection.",
    "Limits.rate_burst": "Requests a connection may send at once before throttling.",
    "Limits.min_handle_chars": "Shortest handle.",
    "Limits.max_handle_chars": "Longest handle.",
    "Limits.min_password_chars": "Shortest password.",
    "Limits.max_password_chars": "Longest password.",
    "Limits.max_key_chars": "Longest idempotency key.",
    "Limits.max_nesting": "Deepest nesting of arrays and objects in a frame (deeper: "
    "`bad_request`).",
    "Limits.max_media_bytes": "Largest image one `media_upload` may assemble.",
    "Limits.max_cart_lines": "Most lines in one cart or checkout.",
    "Limits.max_line_quantity": "Most items of one variant in a cart line or an order line.",
    "Limits.max_quick_replies": "Most quick replies one message offers.",
    "Limits.hello_timeout": "Seconds a new connection has to send `hello` (then closed 1008).",
    "Limits.auth_timeout": "Seconds a greeted connection may stay without a session "
    "(then closed 1008).",
    "Limits.max_connections_per_address": "Open connections from one IP address (more: HTTP "
    "503 at the handshake).",
    "Limits.top_ups": "Whether `topup` works (a demo relay's simulated card); else "
    "`funding_unavailable`.",
    "Limits.max_top_up": "Largest top-up, in minor units of the default currency (0: none).",
    "Limits.daily_top_up": "Top-ups one account may make per 24 hours, in minor units of the "
    "default currency.",
}

FIELD_NOTES.update(shop_frames.FIELD_NOTES)
FIELD_NOTES.update(brand_frames.FIELD_NOTES)
FIELD_NOTES.update(bot_frames.FIELD_NOTES)
FIELD_NOTES.update(webhook_frames.FIELD_NOTES)
FIELD_NOTES.update(alert_frames.FIELD_NOTES)
FIELD_NOTES.update(api_frames.FIELD_NOTES)


COMMON_NOTES: dict[str, str] = {
    "post_id": "The promoted post's id.",
    "offer_id": "The offer's id.",
    "offer": "The offer that comes with it (applied at checkout by itself), or null.",
    "reference": "The brand's own reference for it.",
    "invoice_id": "The invoice's id.",
    "follows": "The brands you follow, most recent first.",
    "opened": "How many opened it.",
    # What a field name means wherever it appears, unless FIELD_NOTES says more.
    "currency": "ISO 4217 code of the amounts beside it, such as `EUR`.",
    "amount": "Integer minor units of `currency` (1250 is EUR 12.50).",
    "total": "Integer minor units of `currency`: the whole amount.",
    "subtotal": "The lines' total before discount and shipping, in minor units.",
    "discount": "What the promo takes off, in minor units (0 without one).",
    "shipping_cost": "What shipping costs, in minor units.",
    "unit_price": "The price of one item, in minor units.",
    "price": "In minor units of the brand's currency.",
    "compare_at": "The former price, shown struck through; above `price`, or null.",
    "balance": "Your wallet's balance after this, in the movement's currency.",
    "note": "Free text shown with the money or the step (at most 140 characters).",
    "key": "Idempotency key chosen by the client: a retry with the same key answers the first "
    "result and does nothing twice.",
    "sku": "A variant's (or product's) stock-keeping unit, unique within its brand.",
    "product_id": "A product's id (`Product.id`).",
    "variant_id": "A variant's id (`Variant.id`).",
    "request_id": "A payment request's id, as on its request or split card.",
    "packet_id": "A red packet's id, as on its card.",
    "order_id": "An order's id (`Order.id`).",
    "thread_id": "The thread's id (`Thread.id`).",
    "message_id": "A message's id (`Message.id`).",
    "brand_id": "The brand account's id.",
    "customer_id": "The customer's account id.",
    "user_id": "An account's id (`User.id`).",
    "transfer_id": "The ledger transfer's id; `short_id` is how people quote it.",
    "short_id": "The transfer's id as people quote it: `T-00042`.",
    "id": "Its id, unique on this relay.",
    "label": "What people read: a variant's size and colour, such as `42L` or `Navy / M`.",
    "title": "The product's name.",
    "description": "Free text about it (at most 2000 characters).",
    "status": "Where it stands now; the values are listed in its type.",
    "code": "The code as given (compared without case).",
    "kind": "Which of the listed kinds it is.",
    "quantity": "How many items.",
    "stock": "Items left to sell (never below zero).",
    "limit": "The most items one page holds.",
    "offset": "How many items to skip, for paging.",
    "before": "Page backwards: only items older than this id (null: from the newest).",
    "more": "True when older items exist: ask again with `before`.",
    "replayed": "True when this answers a retried idempotency key: nothing moved again.",
    "message": "The message this posted or changed in its thread.",
    "verified": "True for a brand the relay's admin verified.",
    "active": "False when archived: not sold, not listed.",
    "updated_at": "When it last changed, in ms since the Unix epoch.",
    "created_at": "When it was made, in ms since the Unix epoch.",
    "expires_at": "When it stops being valid, in ms since the Unix epoch (null: never).",
    "text": "The text, exactly as the person wrote it.",
    "reason": "Why, in the person's words (shown to the other side).",
    "shipping": "The shipping option's `code`, or the options themselves.",
    "address": "A shipping address.",
    "carrier": "Who carries the parcel, such as `Colissimo`.",
    "tracking": "The carrier's tracking number.",
    "lines": "Items, one line per variant.",
    "brand": "The brand's handle (with or without `@`) or account.",
    "customer": "The customer's account.",
    "image": "A `/media/...` path of its picture (null: none).",
    "images": "`/media/...` paths of its pictures, as uploaded with `media_upload`.",
    "variants": "Its sizes, colours or other variants.",
    "tags": "Lower-case words it is found by.",
    "barcode": "Its EAN-13 code (a UPC-A code is stored with a leading 0).",
    "value": "A percentage (`percent`) or minor units (`amount`), by `kind`.",
    "max_uses": "How many orders may use it in all (null: no limit).",
    "max_uses_per_customer": "How many orders of one customer may use it (null: no limit).",
    "min_basket": "The subtotal it needs, in minor units.",
    "promo": "A promo code, or how it applied.",
    "promo_code": "The promo code the order used, if any.",
    "items": "What to buy, as SKUs and quantities (null: the cart).",
    "assistant": "Whether the brand's assistant answers customers until a person takes over.",
    "products": "Products, in the order the relay ranks them.",
    "product": "A product, with its variants.",
    "transfer": "The ledger transfer, as you see it.",
    "order": "The order, as it is now.",
    "handover": "Who answers the brand thread now.",
    "shares": "One share per person.",
    "count": "How many people may open it.",
    "handle": "An account's handle (with or without `@`).",
    "name": "A name, as shown.",
    "number": "The order number people quote, such as `NW-00017`.",
    "row": "The line of the import file (1 is the first data row).",
    "since": "When this state began, in ms since the Unix epoch.",
    "at": "When, in ms since the Unix epoch.",
    "by": "The account that made the change.",
    "last_activity": "When the thread last changed, in ms since the Unix epoch.",
    "last_message": "The newest message, or null.",
    "to": "The handle of the person paid, a member of the thread.",
    "payer": "The handle of the person asked to pay, a member of the thread.",
    "include_self": "Whether you take a share yourself (equal shares only).",
    "include_inactive": "Staff only: list archived products too.",
    "role": "`customer`: your orders; `staff`: a brand's queue (needs `brand`).",
    "cart": "The cart as it is now.",
    "card": "For money and shop messages: the card, with amounts as numbers (render from it).",
    "balances": "What you may spend, one balance per currency you ever held.",
    "default_currency": "The relay's default currency.",
    "max_transfer": "The most one transfer may move, in minor units of `default_currency`.",
    "held": "Brands: what orders inside their return window hold for you in escrow.",
    "transfers": "Transfers, newest first.",
    "staff": "The person accounts that act for the brand.",
    "similar": "A few products like it (tags and price), for 'similar items'.",
    "imported": "True when the import was stored (false: a dry run, or refused).",
    "created": "Products new to the catalogue.",
    "updated": "Products that existed and were changed.",
    "staged": "Products read so far of an import sent in parts.",
    "errors": "Every wrong row, with its field and the problem.",
    "url": "The image's `/media/<sha256>.<ext>` path ('' until the last part).",
    "sha256": "The SHA-256 of the image's bytes ('' until the last part).",
    "content_type": "`image/png`, `image/jpeg` or `image/webp`, by the image's bytes.",
    "size": "Bytes received so far (the whole image's size after the last part).",
    "carts": "Your carts, one per brand.",
    "shipping_options": "The brand's shipping options.",
    "can_pay": "True when `checkout` would succeed now.",
    "problems": "Why it would not, in words for people.",
    "orders": "Orders, newest first.",
    "receipt_message_id": "The receipt card's message in the customer's brand thread.",
    "uses": "Orders that used it so far.",
    "promos": "The brand's promo codes.",
    "threads": "Brand threads, most recent activity first.",
    "lookalike": "True when the display name looks like a verified brand's without being it: "
    "warn, never show it as the brand.",
    "from_id": "Who paid.",
    "to_id": "Who was paid.",
    "requester_id": "Who asks for the money (and receives it).",
    "payer_id": "Who is asked to pay.",
    "split_id": "The split's id.",
    "creator_id": "Who split the bill.",
    "creator_share": "The creator's own share, in minor units (0 when not included).",
    "sender_id": "Who sent the red packet.",
    "claims": "Who opened it and what each got, in the order they opened it.",
    "brand_handle": "The brand's handle.",
    "from_brand": "True when the brand posted it (false: a person shared it).",
    "replies": "The choices offered, in order.",
    "direction": "`in`: money came to you; `out`: it left you.",
    "counterparty": "The other person's account (null for top-ups, credits and escrow).",
    "days": "Delivery time, in working days.",
    "options": 'Option names and values, such as `{"size": "42L"}`.',
    "field": "The column or field that is wrong.",
    "price_when_added": "The unit price when it went into the cart.",
    "available": "Items that can be bought now (stock, capped by the line's limit).",
    "valid": "Whether the code applies to this basket now.",
    "problem": "Why it does not, in words for people.",
    "line1": "Street and number.",
    "line2": "More of the address (optional).",
    "postcode": "Postal code.",
    "city": "Town or city.",
    "country": "ISO 3166-1 alpha-2 code, such as `FR`.",
    "phone": "For the carrier (optional).",
}


def field_note(cls: type, name: str) -> str:
    """The note for one field, most specific key first, then the field name's common note."""
    keys = [f"{cls.__name__}.{name}"]
    if issubclass(cls, frames.Request):
        keys.append(f"request.{name}")
    if issubclass(cls, frames.Event):
        keys.append(f"event.{name}")
    found = next((FIELD_NOTES[k] for k in keys if k in FIELD_NOTES), "")
    return found or COMMON_NOTES.get(name, "")


def request_types() -> tuple[type[frames.Request[Any]], ...]:
    """Every client frame, in documentation order."""
    return frames.REQUEST_TYPES


def event_types() -> tuple[type[frames.Event], ...]:
    """Every pushed event, in documentation order."""
    return frames.EVENT_TYPES


def server_frame_types() -> tuple[StructType, ...]:
    """Every relay -> client frame (``result``, ``error``, ``events``)."""
    return tuple(get_args(frames.ServerFrame))


def record_types() -> tuple[StructType, ...]:
    """Result structs and domain models: everything that travels inside a frame.

    Result types come first in request order, then any struct defined in ``models``,
    ``cards``, ``payment_frames``, ``shop_models`` or ``shop_frames`` that no request
    returns (``Limits``, ``User``, the card kinds ...), in definition order.
    """
    seen: list[StructType] = []
    for request in request_types():
        if request.result_type not in seen:
            seen.append(request.result_type)
    modules = (
        models,
        cards,
        payment_frames,
        shop_models,
        shop_frames,
        brand_frames,
        bot_frames,
        webhook_frames,
        alert_frames,
        api_frames,
    )
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, msgspec.Struct)
                and value.__module__ == module.__name__
                and not issubclass(value, (frames.Request, frames.Event))
                and value not in seen
            ):
                seen.append(value)
    return tuple(seen)


def tag_of(cls: StructType) -> str:
    """The ``type`` tag of a tagged struct (request, event or server frame)."""
    tag = cls.__struct_config__.tag
    if not isinstance(tag, str):
        raise TypeError(f"{cls.__name__} has no string tag")
    return tag


def example_of(cls: type) -> dict[str, Any]:
    """The class's ``example`` ClassVar, or an empty dict."""
    example = getattr(cls, "example", None)
    return dict(example) if isinstance(example, dict) else {}


def clean_doc(cls: type) -> str:
    """The class docstring, dedented the same way on every Python version."""
    return inspect.cleandoc(cls.__doc__ or "")


def _union(types: tuple[type, ...]) -> Any:
    return Union[types]  # noqa: UP007 - built at run time from a tuple


def build_schema() -> tuple[dict[str, Any], dict[type, str]]:
    """The protocol schema, and the ``$defs`` name msgspec gave each struct class."""
    requests = request_types()
    server = server_frame_types()
    events = event_types()
    records = record_types()
    classes: list[type] = [*requests, *server, *events, *records]
    unions = [_union(requests), _union(server), _union(events)]
    schemas, defs = msgspec.json.schema_components(
        [*unions, *classes], ref_template="#/$defs/{name}"
    )
    client_schema, server_schema, event_schema = schemas[:3]
    names: dict[type, str] = {}
    for cls, ref in zip(classes, schemas[3:], strict=True):
        names[cls] = str(ref["$ref"]).rsplit("/", 1)[-1]
    for name, schema in ((CLIENT_FRAME, client_schema), (SERVER_FRAME, server_schema)):
        if name in defs:
            raise ValueError(f"a struct named {name} collides with a generated definition")
        defs[name] = schema
    if ANY_EVENT in defs:
        raise ValueError(f"a struct named {ANY_EVENT} collides with a generated definition")
    defs[ANY_EVENT] = event_schema
    defs[CLIENT_FRAME]["description"] = "Any frame a client sends: a request, tagged by `type`."
    defs[SERVER_FRAME]["description"] = "Any frame the relay sends: result, error or events."
    defs[ANY_EVENT]["description"] = "Any pushed event, as found in an `events` frame."

    for cls, name in names.items():
        definition = defs[name]
        doc = clean_doc(cls)
        if doc:
            definition["description"] = doc
        example = example_of(cls)
        if example:
            definition["examples"] = [example]
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            note = field_note(cls, field.name)
            if note:
                definition["properties"][field.encode_name]["description"] = note
        if issubclass(cls, frames.Request):
            definition["x-result-type"] = names[cls.result_type]
            definition["x-needs-auth"] = cls.needs_auth

    document: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "title": "chatshop wire protocol",
        "description": (
            "Every frame of the chatshop wire protocol: one JSON object per websocket text "
            "message. Generated by `make docs` (tools/docgen.py) from "
            "src/chatshop/protocol; do not edit."
        ),
        "x-protocol-version": PROTOCOL_VERSION,
        "oneOf": [
            {"$ref": f"#/$defs/{CLIENT_FRAME}"},
            {"$ref": f"#/$defs/{SERVER_FRAME}"},
        ],
        "$defs": defs,
    }
    return document, names


def protocol_schema() -> dict[str, Any]:
    """The protocol's JSON Schema (2020-12) document."""
    return build_schema()[0]


def definition_names() -> dict[type, str]:
    """The ``$defs`` name of every struct class in the schema."""
    return build_schema()[1]


def render_schema() -> str:
    """The schema as committed in ``docs/protocol.schema.json``."""
    return json.dumps(protocol_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
