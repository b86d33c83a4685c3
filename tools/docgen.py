"""Write (or check) docs/protocol.md and docs/protocol.schema.json from the protocol's code.

    python -m chatshop.protocol.docgen            # regenerate both files
    python -m chatshop.protocol.docgen --check    # exit 1, naming the command, if either is stale

Everything in the two files comes from ``chatshop.protocol``: frames from ``REQUEST_TYPES``,
``EVENT_TYPES`` and ``ServerFrame`` (a new frame shows up without touching this module), field
tables from ``msgspec.inspect``, examples from each class's ``example``, numbers from
``limits``, codes from ``errors``, field meanings from ``schema.FIELD_NOTES`` (checked by the
tests against the structs, so a renamed field cannot leave a stale note behind). The prose
lives here as templates. The session transcript is built by encoding real structs and
checked with the codec while it is generated.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi

from chatshop.protocol import alert_frames, brand_frames, frames, limits, webhook_frames
from chatshop.protocol.codec import (
    decode_request,
    decode_server_frame,
    encode,
    error_frame,
    events_frame,
    request_id_of,
    result_frame,
    with_cursor,
)
from chatshop.protocol.errors import ERROR_DESCRIPTIONS, ErrorCode, ProtocolError
from chatshop.protocol.models import Limits, Message, Thread, User
from chatshop.protocol.schema import (
    clean_doc,
    event_types,
    example_of,
    field_note,
    record_types,
    render_schema,
    request_types,
    server_frame_types,
    tag_of,
)
from chatshop.protocol.session import CloseCode

REGENERATE_COMMAND = "make docs"
MARKDOWN_NAME = "protocol.md"
SCHEMA_NAME = "protocol.schema.json"

# --------------------------------------------------------------------------- notes

LIMIT_NOTES: dict[str, str] = {
    "PROTOCOL_VERSION": "The protocol version described here.",
    "SUPPORTED_VERSIONS": "Versions a relay accepts in `hello`.",
    "MAX_FRAME_BYTES": "Largest frame, in bytes; a larger one closes the connection with 1009.",
    "MAX_TEXT_CHARS": "Longest message text, in code points.",
    "MAX_NAME_CHARS": "Longest display name or group name, in code points.",
    "MIN_HANDLE_CHARS": "Shortest handle.",
    "MAX_HANDLE_CHARS": "Longest handle.",
    "MIN_PASSWORD_CHARS": "Shortest password.",
    "MAX_PASSWORD_CHARS": "Longest password.",
    "MAX_KEY_CHARS": "Longest idempotency key (`send.key`).",
    "MAX_GROUP_MEMBERS": "Most members in a group.",
    "MAX_HISTORY_PAGE": "Largest `history` page (`limit`).",
    "DEFAULT_HISTORY_PAGE": "Default `history` page.",
    "REPLAY_BATCH": "Most events per `events` frame while a resumed session catches up.",
    "DEFAULT_RATE_PER_SECOND": "Sustained requests per second per connection (default).",
    "DEFAULT_RATE_BURST": "Requests a connection may send at once before throttling (default).",
    "HANDLE_PATTERN": (
        "Regular expression every handle matches, as a whole (a trailing newline is not "
        "allowed). A handle that looks like an existing one (`n0rthwind` beside `northwind`, "
        "a Cyrillic letter for a Latin one) is refused with `conflict`."
    ),
    "MAX_NESTING": "Deepest nesting of arrays and objects in one frame; deeper is `bad_request`.",
}

CLOSE_NOTES: dict[str, str] = {
    "NORMAL": "An ordinary close (the relay also closes this way after refusing a handshake).",
    "GOING_AWAY": "The relay is shutting down. Reconnect later and resume with `auth` + `since`.",
    "INVALID_TEXT": (
        "A text frame that is not valid UTF-8 (the websocket layer closes the connection; "
        "invalid text inside valid JSON is an `invalid_text` error instead)."
    ),
    "POLICY_VIOLATION": (
        "No `hello` within `hello_timeout`, no session within `auth_timeout`, or a connection "
        "so far behind on events that the relay dropped it: reconnect, resume from your cursor."
    ),
    "INTERNAL_ERROR": (
        "A fault on the relay, such as a failed replay: reconnect and resume from your cursor."
    ),
    "PROTOCOL_ERROR": (
        "The first frame was not `hello`, or `hello` named a protocol version the relay does "
        "not speak (after the `unsupported_version` error)."
    ),
    "UNSUPPORTED_DATA": "A binary frame arrived; the protocol uses text frames only.",
    "MESSAGE_TOO_BIG": "A frame was over `max_frame_bytes`.",
    "SESSION_REVOKED": (
        "This session was ended: `logout` on another connection holding the same token, "
        "`logout_all` or `change_password` in another session. Its token no longer works; "
        "nothing more is delivered. Log in again."
    ),
}

# --------------------------------------------------------------------------- helpers


def md_doc(text: str) -> str:
    """A docstring as Markdown: reST ``literals`` become `code`."""
    return text.replace("``", "`")


def summary_of(cls: type) -> str:
    """The first sentence of a class docstring, on one line."""
    paragraph = " ".join(md_doc(clean_doc(cls)).split("\n\n", 1)[0].split())
    match = re.search(r"(?<=[.!?])\s", paragraph)
    return paragraph[: match.start()] if match else paragraph


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def render_json(value: Any, *, width: int = 96) -> str:
    """An example as JSON: one line when short enough, indented otherwise."""
    line = json.dumps(value, ensure_ascii=False)
    return line if len(line) <= width else json.dumps(value, ensure_ascii=False, indent=2)


def compact(value: Any) -> str:
    """JSON as a person would type it into a websocket client."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def source_comments(obj: Any) -> dict[str, str]:
    """Trailing ``# comments`` of ``NAME = value`` lines in a module or class."""
    found: dict[str, str] = {}
    for line in inspect.getsource(obj).splitlines():
        match = re.match(r"\s*([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=[^#]*#\s*(.+)$", line)
        if match:
            found[match[1]] = match[2].strip()
    return found


def constants(namespace: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Upper-case constants of a module or class, in definition order."""
    return [
        (name, value)
        for name, value in namespace.items()
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
        and isinstance(value, (int, float, str, frozenset))
    ]


class Anchors:
    """Where each struct is documented, so types can link to it."""

    def __init__(self) -> None:
        self.by_class: dict[type, str] = {}
        for request in request_types():
            self.by_class[request] = f"request-{tag_of(request)}"
        for frame in server_frame_types():
            self.by_class[frame] = f"frame-{tag_of(frame)}"
        for event in event_types():
            self.by_class[event] = f"event-{tag_of(event)}"
        for record in record_types():
            self.by_class[record] = f"record-{record.__name__.lower()}"
        self.events = frozenset(event_types())

    def link(self, cls: type) -> str:
        anchor = self.by_class.get(cls)
        return f"[{cls.__name__}](#{anchor})" if anchor else cls.__name__

    def type_name(self, info: mi.Type) -> str:
        """A msgspec type in JSON words: ``integer | null``, ``array of [User](#...)``."""
        if isinstance(info, mi.UnionType):
            structs = [t.cls for t in info.types if isinstance(t, mi.StructType)]
            if structs and len(structs) == len(info.types) and set(structs) <= self.events:
                return "[event](#events)"
            return " | ".join(self.type_name(t) for t in info.types)
        if isinstance(info, mi.StructType):
            return self.link(info.cls)
        if isinstance(info, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
            return f"array of {self.type_name(info.item_type)}"
        if isinstance(info, mi.DictType):
            return f"object of {self.type_name(info.value_type)}"
        if isinstance(info, mi.LiteralType):
            return " | ".join(f"`{json.dumps(v)}`" for v in info.values)
        simple = {
            mi.IntType: "integer",
            mi.FloatType: "number",
            mi.StrType: "string",
            mi.BoolType: "boolean",
            mi.NoneType: "null",
            mi.AnyType: "any JSON value",
        }
        for kind, word in simple.items():
            if isinstance(info, kind):
                return word + constraint_words(info)
        return type(info).__name__


def constraint_words(info: mi.Type) -> str:
    """`` (≤ 64 chars)``-style notes for msgspec.Meta constraints, if a field declares any."""
    words = []
    for attr, label in (
        ("min_length", "min length"),
        ("max_length", "max length"),
        ("pattern", "pattern"),
        ("ge", "≥"),
        ("gt", ">"),
        ("le", "≤"),
        ("lt", "<"),
    ):
        value = getattr(info, attr, None)
        if value is not None:
            words.append(f"{label} {value}")
    return f" ({', '.join(words)})" if words else ""


def ordered_fields(cls: type[msgspec.Struct]) -> list[mi.Field]:
    """Fields with inherited ones (``id``, ``cursor``) first, as in the examples."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    order: list[str] = []
    for base in reversed(cls.__mro__):
        if base is msgspec.Struct or not issubclass(base, msgspec.Struct):
            continue
        for name in base.__struct_fields__:
            if name not in order:
                order.append(name)
    return sorted(info.fields, key=lambda f: order.index(f.name))


def default_of(field: mi.Field) -> str:
    if field.required:
        return "yes"
    if field.default_factory is not msgspec.NODEFAULT:
        value = field.default_factory()
    else:
        value = field.default
    return f"no, default `{json.dumps(value)}`"


def field_table(cls: type[msgspec.Struct], anchors: Anchors) -> str:
    rows = ["| Field | Type | Required | Meaning |", "| --- | --- | --- | --- |"]
    config = cls.__struct_config__
    if isinstance(config.tag_field, str) and isinstance(config.tag, str):
        rows.append(f"| `{config.tag_field}` | `{json.dumps(config.tag)}` | yes | Frame tag. |")
    for field in ordered_fields(cls):
        rows.append(
            f"| `{field.encode_name}` | {cell(anchors.type_name(field.type))} "
            f"| {cell(default_of(field))} | {cell(field_note(cls, field.name))} |"
        )
    if len(rows) == 2:
        return "No fields: `{}`."
    return "\n".join(rows)


def json_block(value: Any) -> str:
    return f"```json\n{render_json(value)}\n```"


# --------------------------------------------------------------------------- sections

INTRO = """\
<!-- Generated by `{command}` from src/chatshop/protocol/. Do not edit by hand. -->

# The chatshop wire protocol

Protocol version **{version}**. This document and its machine-readable twin,
[`protocol.schema.json`](protocol.schema.json) (JSON Schema 2020-12), are generated from the
msgspec structs in `src/chatshop/protocol/`, which relay and clients share: change the code,
then run `{command}`.

A chatshop client keeps one websocket open to its relay. Every frame is one JSON object in one
websocket **text** message, tagged by its `type` field. The client sends requests; the relay
answers each request once and pushes events as they happen.

Contents: [Connecting](#connecting) · [Requests and replies](#requests-and-replies) ·
[Limits](#limits) · [Text](#text) · [Events, cursors and resuming](#events-cursors-and-resuming)
· [Sending: commit and idempotency](#sending-commit-and-idempotency) · [Money](#money) ·
[Shopping](#shopping) · [Brands and their customers](#brands-and-their-customers) ·
[Bots](#bots) · [Webhooks](#webhooks) · [Alerts](#alerts) · [Close codes](#close-codes) ·
[Error codes](#error-codes) · [Client frames](#client-frames) · [Server frames](#server-frames)
· [Events](#events) · [Records](#records) · [A session by hand](#a-session-by-hand)

## Connecting

- Open a websocket to `ws://HOST:PORT/`. The relay upgrades on any path, so
  `ws://HOST:PORT/chat` works as well.
- `GET /healthz` on the same port is plain HTTP: it answers 200 with a small JSON document
  for monitors and load balancers: `status`, `version`, `uptime_seconds`,
  `connected_clients` (authenticated connections) and `open_connections`. A plain HTTP
  request to `/` gets 426 (Upgrade Required), to any other path 404; `GET /media/...`
  serves product images (see Shopping).
- A second `hello` on one connection is refused with `bad_request`.
- Deadlines: a connection must send `hello` within {hello_timeout:g} seconds and have a session
  (`register`, `login` or `auth`) within {auth_timeout:g} seconds after it, else the relay closes
  it with **1008**; after `logout` the connection may stay, anonymous, for the same time. A
  connection with a session may stay idle for ever. The relay sends websocket pings every 20
  seconds and closes a connection that does not answer within 20 (clients' websocket
  libraries answer pings by themselves). The relay's values are `hello_timeout` and
  `auth_timeout` in the hello result's limits.
- Connections are capped: at most `max_connections_per_address` from one IP address
  (default {per_address}) and as many in all as the relay's file-descriptor limit leaves room
  for; more are refused at the handshake with HTTP **503** and `Retry-After`.
- `/healthz` also reports `login_failures` (wrong passwords since start) and
  `logins_throttled` (attempts refused unchecked, see `login`).
- Frames are UTF-8 JSON in **text** messages. A binary message closes the connection with
  **{unsupported_data}**; a frame over {max_frame_bytes} bytes (`max_frame_bytes`) closes it with
  **{too_big}**.
- The first frame must be [`hello`](#request-hello); any other first frame closes the
  connection with **{protocol_error}**. A `hello` naming a version the relay does not speak
  (this relay speaks {supported}) is answered with `unsupported_version`, then the
  connection closes with {protocol_error}.
- The `hello` result carries the relay's [`Limits`](#record-limits). A relay may be configured
  differently from the defaults in [Limits](#limits): trust the `hello` result.

## Requests and replies

- Every client frame is a request with an `id`, an integer or a string chosen by the client.
- The relay answers every request with **exactly one reply** carrying the same `id`: a
  [`result`](#frame-result) whose `data` is the request's result record, or an
  [`error`](#frame-error). Events may arrive between a request and its reply: match
  replies to requests by `id`.
- Frames are decoded strictly: an unknown `type`, an unknown field, a missing field or a
  wrongly typed one is answered with `bad_request`. The error carries the frame's `id` when
  the relay could read it, otherwise `null`.
- Anyone may open a direct thread with, add to a group, or pay any account by its handle:
  friendship is not required. Only a block stops contact (`blocked`); a client may show
  messages from people who are not friends as requests.
- Login attempts are throttled: past 5 failures for one account from one address, or 20 from
  one address, or 50 for one account from addresses that never logged into it, each further
  attempt must wait (1 s, then doubling up to 15 minutes) and is answered `rate_limited`
  with `retry_after` without its password being checked. An address that logged into the
  account before is never held back by other addresses' failures.
- An account may have at most 8 unfinished multi-part uploads or imports at once
  (`rate_limited`); parts not finished within 10 minutes are dropped.
- Requests marked *needs auth* need a logged-in session: send [`register`](#request-register),
  [`login`](#request-login) or [`auth`](#request-auth) first, else `unauthorized`.
- Each connection may send {rate} requests per second, with bursts of up to {burst} (the
  `rate_per_second` and `rate_burst` of the hello result). A request over the rate is refused
  with `rate_limited`; its `retry_after` says how many seconds to wait.
"""

TEXT_SECTION = """\
## Text

Text (messages, names, handles) is stored and delivered **exactly as sent**: no trimming, no
Unicode normalisation, no markup. Markup-like text such as `[red]x[/red]`, terminal escape
sequences (ESC `[31m`) and bidi overrides (U+202E) reach other clients unchanged, so
**clients must sanitise text before displaying it**.

The relay refuses:

- text holding NUL (U+0000) or the noncharacters U+FFFE and U+FFFF: `invalid_text`. A JSON
  text can say NUL as `"\\u0000"`; the frame decodes, and the text is then refused;
- a lone surrogate (U+D800 to U+DFFF). UTF-8 cannot carry one, and a JSON escape such as
  `"\\ud800"` without its pair makes the whole frame undecodable: it is answered with
  `{surrogate_code}`, and the error still carries the frame's `id` ({surrogate_id} in the
  example `{{"type":"send","id":1,...,"text":"\\ud800"}}`);
- empty or blank message texts and names: `bad_request`;
- text over its limit, counted in code points (Python `len`): `too_large`. Message texts hold
  at most {max_text} code points, display and group names {max_name}.
"""

EVENTS_SECTION = """\
## Events, cursors and resuming

- The relay pushes events in [`events`](#frame-events) frames,
  `{{"type":"events","events":[...]}}`, in cursor order. Everything produced for a connection
  in one turn of the relay's event loop goes into one frame.
- Each stored event carries a `cursor`: its position in the relay's **shared event log**. You
  get the events of your threads and of your account, in cursor order, and all your sessions
  see the same cursors. Treat cursors as opaque integers that only increase and have
  **gaps**: compare them, never compute with them. Because the log is shared (a message to a
  50-member group is stored once, not fifty times), the size of a cursor reveals roughly how
  much has happened on the relay since it started; it reveals nothing of what.
- **Your own actions come back to you** as events too: the session that sent a message gets
  its `message` event (and `read` for its own read marker) like your other sessions do.
  Match them to your pending sends by the message `id` of the `send` result.
- In events, a direct or brand thread's `name` is empty (`""`), because one event serves both
  members; in `threads` and `thread` results it is the other member's display name. Show
  the other member's name for a direct thread.
- Ephemeral events ([`typing`](#event-typing)) have **no** `cursor`; they are never stored
  or replayed.
- Keep the highest cursor you have processed. The `register`, `login` and `auth` results give
  the stream's position when the session started (`cursor` in
  [`AuthResult`](#record-authresult)).
- To resume after a disconnect: connect, send `hello`, then
  `{{"type":"auth","id":2,"token":TOKEN,"since":LAST_CURSOR}}`. The relay **replays** every
  stored event after `since` as `events` frames (at most {replay_batch} events each), in
  cursor order, **before** any live event. An event whose cursor is not above the last one
  you processed can be skipped.
- Without `since` nothing is replayed: reload your state with [`threads`](#request-threads)
  and [`history`](#request-history).
- The `auth` result's `cursor` is `since` when you gave one (the replay starts after it),
  else the log's position when the session started.
- The `register`, `login` and `auth` **result always comes first**; every event of the new
  session (replayed or live) follows it, so the result's `cursor` is known before any
  event arrives.
- **Forward compatibility:** a newer relay may push event types this document does not list.
  Decode the events of a batch one at a time and skip a `type` you do not know, rather
  than rejecting the whole frame.
- Replayed events are kept for as long as the relay's database holds them; this relay does
  not prune its event log yet.
"""

SENDING_SECTION = """\
## Sending: commit and idempotency

- [`send`](#request-send) is acknowledged only **after the message is committed**: its
  `result` is the stored [`Message`](#record-message), with its `id` and `seq`. A message
  without a result may or may not have been stored.
- Every `send` carries an idempotency `key` chosen by the client (at most {max_key}
  characters): make a fresh one for every new message (a UUID will do). When the connection
  drops before the reply, reconnect and send the same request again with the **same key**:
  the relay answers with the original message instead of posting it twice.
- Reusing a key with a **different** request body is refused with `idempotency_mismatch`.
"""


MONEY_SECTION = """\
## Money

- Amounts are **integer minor units** of an ISO 4217 currency: `{{"amount": 1250,
  "currency": "EUR"}}` is EUR 12.50, `{{"amount": 500, "currency": "JPY"}}` is JPY 500. The
  exponent of each currency is the one ISO 4217 gives it (2 for EUR, 0 for JPY, 3 for KWD
  and IQD). An unknown or retired code, or one without a minor unit (XAU, XXX), is refused
  with `unknown_currency`; zero or a negative amount with `invalid_amount`; more than the
  relay's per-transfer maximum (`max_transfer` in [`WalletResult`](#record-walletresult), in
  minor units of the default currency; the same number of major units in any other) with
  `limit_exceeded`.
- Every request that moves money or posts a money card carries an idempotency `key`, with
  the same rules as `send`: a retry with the same key and body returns the first answer with
  `"replayed": true` (show "already sent" with its `short_id`) and moves nothing; the same
  key with another body is `idempotency_mismatch`.
- Money moves only between ledger accounts, in the transaction that checks the balance: no
  wallet ever goes below zero (`insufficient_funds`), and nothing moves to yourself or
  between two people when one blocked the other (`blocked`).
- Payment, request, split and red-packet messages carry a `card` (see
  [`Message`](#record-message)) with the amounts as numbers: **render amounts from the card's
  fields, never from text**. Cards cannot be edited or deleted (`forbidden`): they are the
  thread's record of the money. When a card changes state (a request is paid or declined, a
  red packet is opened or expires) members get a [`card`](#event-card) event with the
  message's new state; the people whose balance changed get a [`wallet`](#event-wallet)
  event.
- `gone` answers an action on a request that is no longer open, or a red packet that is
  empty or expired. Opening a red packet you already opened answers your first claim again
  (same amount) and moves nothing. A red packet's unclaimed money returns to its sender when
  it expires (24 hours after it was sent, unless the relay is configured otherwise); the
  relay looks for expired packets every 30 seconds, so the refund may come that much later.
- **Where money comes from.** Money enters the relay only from a named funding source, and
  the ledger records which. [`topup`](#request-topup) takes money from a simulated card and
  works only on a relay started for a demo (`top_ups` in the hello limits is true), within
  `max_top_up` per top-up and `daily_top_up` per account per 24 hours (`limit_exceeded`
  past them); elsewhere it is refused with `funding_unavailable`. The relay's admin credits
  wallets from other sources (`chatshop-server --credit HANDLE AMOUNT CURRENCY --source
  NAME`), which reach you as a `wallet` event with a `credit` transfer; `--check-ledger`
  reports what each source brought in.
"""


SHOP_SECTION = """\
## Shopping

- **Brands** are accounts of kind `brand`. A brand's **staff** are person accounts that may act
  for it: manage its catalogue, promo codes and orders, and answer its customers. The brand
  account itself is always staff. The relay admin names staff and sets a brand's `verified`
  flag (`chatshop-server --add-staff BRAND HANDLE`, `--verify-brand HANDLE`); anything else
  staff-only is `forbidden` to other accounts. See [`brand`](#request-brand).
- **Catalogue fields** have documented limits ([Limits](#limits): `MAX_TITLE_CHARS`,
  `MAX_VARIANTS`, `MAX_PRICE_MAJOR` ...): over a limit is `too_large` (`invalid_amount` for
  prices). Catalogue text must display exactly as stored: control characters, escape
  sequences, bidi overrides, zero-width characters and more than {max_combining} combining
  marks on one character are refused with `invalid_text` (message text, by contrast, is
  stored as sent and sanitised by clients). Barcodes are EAN-13 or UPC-A with a correct
  check digit (`invalid_barcode`) and are stored as 13 digits.
- **Stock** lives on variants; a product without sizes or colours has one variant with an
  empty label. Every variant has its own SKU, unique within its brand.
- **Images** are uploaded with [`media_upload`](#request-media_upload) in base64 parts of
  one frame each, checked by their bytes and their structure to the end (PNG, JPEG, WebP;
  `unsupported_media`) and size (`MAX_MEDIA_BYTES`). Quotas: an account may store 200 new
  images or 64 MiB a day, a brand 2,000 images or 512 MiB, the relay 8 GiB (configurable;
  `quota_exceeded` past them; storing an image that is stored already costs nothing). An
  upload no product shows within 24 hours is deleted. Images are served over plain HTTP on
  the relay's port:
  `GET /media/<sha256>.<ext>`, with `Content-Type`, an `ETag` (the hash) and
  `Cache-Control: {cache}`; `If-None-Match` gets `304`.
- **Cards.** A product card ([`ProductCard`](#record-productcard)) is a snapshot taken when
  it was shared; fetch the live product with [`product`](#request-product). Replying `#cart`
  to it is [`cart_add`](#request-cart_add) with the card's `message_id` (and the variant's
  `sku` when it has several: else `variant_required`). Orders post a
  [`ReceiptCard`](#record-receiptcard) and [`OrderUpdateCard`](#record-orderupdatecard)s in the
  customer's brand thread; the receipt's status follows the order (a `card` event).
- **Carts** are kept by the relay, one per person per brand: every change reaches all your
  sessions as a [`cart`](#event-cart) event. A line tells whether its price changed since
  it was added (`price_changed`) and whether it can still be bought (`status`).
- **Checkout**: show [`checkout_preview`](#request-checkout_preview), then send
  [`checkout`](#request-checkout) with the total the customer confirmed (`expected_total`)
  and an idempotency `key`. It is all or nothing: stock taken, wallet charged (a `purchase`
  transfer into the brand's **escrow**), order and receipt stored, or nothing at all. The
  money stays in escrow (the brand sees it as `held` in its wallet) until the order was
  delivered and its return window (14 days by default) has passed; then a `release` transfer
  moves it to the brand's wallet. A refund before that comes out of escrow, so a brand can
  never block it by emptying its wallet. Refusals:
  `sold_out` (never oversold: the stock check and the decrement are one statement),
  `insufficient_funds`, `price_changed`, `promo_invalid`, `address_required`,
  `limit_exceeded`. A retried key answers the first order with `"replayed": true`.
- **Orders** go placed -> confirmed -> preparing -> shipped (with carrier and tracking) ->
  delivered, one step at a time, by staff ([`order_advance`](#request-order_advance)); any
  other move is `invalid_transition`. The customer may cancel until it ships
  ([`order_cancel`](#request-order_cancel)); the brand may refund at any step
  ([`order_refund`](#request-order_refund)). Both return the money through the ledger (a
  `refund` transfer), return the stock when the order had not shipped, and give the promo
  code's use back. Customer and staff get an [`order`](#event-order) event for every change.
- **Staff** are checked on every request, and a person the admin removes from a brand's
  staff leaves every thread of the brand they had joined, at once (a `member` event with
  `removed`): from then on nothing of those threads reaches them.
- **Brand threads** are answered by the brand's bot (its assistant: a client like any
  other, see [Bots](#bots)) while the thread's hand-over mode is `bot`, until the customer
  asks for a person ([`handover_request`](#request-handover_request), a `handover` quick
  reply, or [`order_problem`](#request-order_problem)) or staff take the thread
  ([`thread_take`](#request-thread_take)). A staff member who answers joins the thread;
  every change is a [`handover`](#event-handover) event naming who answers. While a person
  answers, a bot's `send` in that thread is refused with `conflict`.
"""


def intro() -> str:
    supported = ", ".join(str(v) for v in sorted(limits.SUPPORTED_VERSIONS))
    return INTRO.format(
        command=REGENERATE_COMMAND,
        version=limits.PROTOCOL_VERSION,
        supported=supported,
        unsupported_data=CloseCode.UNSUPPORTED_DATA,
        too_big=CloseCode.MESSAGE_TOO_BIG,
        protocol_error=CloseCode.PROTOCOL_ERROR,
        max_frame_bytes=limits.MAX_FRAME_BYTES,
        rate=f"{limits.DEFAULT_RATE_PER_SECOND:g}",
        burst=limits.DEFAULT_RATE_BURST,
        hello_timeout=limits.HELLO_TIMEOUT,
        auth_timeout=limits.AUTH_TIMEOUT,
        per_address=limits.MAX_CONNECTIONS_PER_ADDRESS,
    )


BRANDS_SECTION = """\
## Brands and their customers

- **Following.** People [`follow`](#request-follow) a brand (with or without its promoted
  posts), mute it or take promotions again ([`follow_set`](#request-follow_set)), or
  [`unfollow`](#request-unfollow) it. A muted brand's posts never arrive.
- **Promoted posts.** Staff (or a bot with `posts`) [`post_publish`](#request-post_publish)
  a post: text, a product's card and an optional offer. It reaches every follower who takes
  promotions and did not mute the brand, as a [`PromotionCard`](#record-promotioncard) in
  their brand thread (opened by the brand when needed); show it marked "Promoted". Limits
  against spam: a brand publishes at most {posts_per_day} posts per 24 hours (then
  `rate_limited` with `retry_after`), and a follower gets at most {per_follower} post of one
  brand per 24 hours (more are not delivered to them). [`post_stats`](#request-post_stats)
  tells staff how many it reached, opened (read the thread past it) and bought (orders that
  used its offer).
- **Offers** ([`OfferView`](#record-offerview)) take a percentage (1 to 90) or an amount
  off one variant, one product or the whole catalogue, until they expire, at most
  `per_customer` orders each. They are **granted**: to everyone a post reached, or to one
  customer as an [`OfferCard`](#record-offercard) ([`offer_send`](#request-offer_send)).
  A granted offer is applied at checkout by itself, nobody types a code; an offer and a
  promo code do not combine (the one that takes more is used; see `CheckoutQuote.offer`).
  An expired offer (at its `expires_at` exactly) or one used up by this customer no longer
  applies; a cancelled or refunded order gives its use back. Nobody else can use it.
- **Invoices.** A brand bills one customer with [`invoice_send`](#request-invoice_send)
  (lines, total, expiry, its own `reference`, unique per brand): an
  [`InvoiceCard`](#record-invoicecard) in their thread, paid with one
  [`invoice_pay`](#request-invoice_pay) (an `invoice` transfer, idempotent by `key`; a second
  payment finds it `gone`). Past its expiry it can no longer be paid and its card shows
  `expired`.
- **Quick replies.** A brand (its bot) offers up to `MAX_QUICK_REPLIES` replies under a
  message (`send` with `replies`, only in its own brand threads). The customer picks one with
  `send` and `reply_to` (the message) and `pick` (the index): the relay posts the reply's text
  as their message with a [`PickCard`](#record-pickcard) naming what was picked. An
  `add_to_cart` pick also puts its variant in the customer's cart and a `handover` pick also
  asks for a person, in the same transaction.
- **Checkout cards.** Staff or a bot post a ready checkout with
  [`checkout_card_send`](#request-checkout_card_send): a
  [`CheckoutCard`](#record-checkoutcard) priced for the thread's customer (their offer, their
  saved address, the brand's first shipping option unless another is named) with what would
  stand in the way (`problems`). The customer pays it with one `checkout` carrying
  `card_message_id` (the card's items, shipping and total are used; `expected_total` is the
  card's unless given); the card then shows `paid` and the order number (a `card` event), and
  a second payment is `gone`. Nothing is reserved: paying re-checks stock and prices.
- **Orders after the sale.** Shipped updates carry the carrier and tracking number. The
  customer confirms a delivered order arrived with [`order_received`](#request-order_received)
  (its delivered card then shows `received`), and reports a problem with
  [`order_problem`](#request-order_problem): their message, replying to the order's receipt,
  goes into the brand thread and the thread goes to a person.
"""


BOTS_SECTION = """\
## Bots

A bot is a client like any other, on the same websocket: it says `hello`, then `auth` with a
**bot token** of a brand, and acts as that brand account within the token's **scopes**.
Staff create tokens ([`bot_token_create`](#request-bot_token_create), shown once),
list ([`bot_tokens`](#request-bot_tokens)) and revoke them
([`bot_token_revoke`](#request-bot_token_revoke): its connections close with 4001 at once);
so does the relay admin (`chatshop-server --bot-token BRAND NAME --scopes LIST`,
`--revoke-bot BRAND BOT_ID`). `logout_all` and password changes of the brand account leave
bot tokens alone. The `auth` result lists the session's `scopes`.

A bot session is served only the requests its scopes allow (else `forbidden`, saying which
scope is missing) and is sent only the events they allow. Requests not listed here are never
served to a bot (money out of a wallet, carts and checkout, contacts, account changes):

| Scope | Requests | Events |
| --- | --- | --- |
{scope_rows}

Every bot may send `hello`, `auth`, `ping` and `logout`. A bot resumes like any client
(`auth` with `since`, its last cursor), so a bot that was down answers what it missed; its
answers carry idempotency keys made from the event they answer, so it never answers twice.
The rate limit is the same as everyone's. The Python SDK is `chatshop.bot`
(see [docs/bots.md](bots.md)).
"""


WEBHOOKS_SECTION = """\
## Webhooks

Staff register endpoints for the brand's events ([`webhook_add`](#request-webhook_add):
a URL and the kinds wanted, {kinds}); the relay POSTs each event as a
[`WebhookPayload`](#record-webhookpayload), signed (`Chatshop-Signature: v1=` HMAC-SHA256
of `<Chatshop-Timestamp>.<body>` with the endpoint's secret; refuse timestamps more than
{tolerance} s old), at least once and in order per thread (deduplicate on
`Chatshop-Event-Id`). A receiver has {timeout:g} s to answer 2xx; otherwise the delivery is
retried from {first:g} s, doubling up to {most:g} s between attempts, for {window:g} hours,
then dead-lettered; 410 disables the endpoint. Deliveries are queued in the same transaction
as the change they report, so none is lost to a restart. See [docs/webhooks.md](webhooks.md)
for verification code and the delivery log.
"""


ALERTS_SECTION = """\
## Alerts

A person watches a product, or one variant, with [`watch`](#request-watch): `back_in_stock`
(it had none left and now has some), `price_below` (its price drops to `below` or under) or
`lowest_30d` (its price drops to its lowest of the last {days} days; the relay records every
price, and shows the low on each product as `lowest_30d`). A watch fires on the change that
makes its condition come true (a staff edit, an import, an order cancelled or refunded and
restocked, a product back on sale, an offer that brings the person's price under their
`price_below` line), in that change's transaction: the brand posts one
message carrying an [`AlertCard`](#record-alertcard) in its thread with the person, who alone
gets it. Fifty restocks in a row fire a watch once; it fires again after the condition
stopped holding and came true again (sold out, then restocked). Nothing reaches a person who
muted the brand; unfollowing it pauses their watches of its products until they follow it
again. [`watches`](#request-watches) lists them (at most {most} a person),
[`unwatch`](#request-unwatch) stops one. A new watch is an `alert` event for the brand's
webhooks. See [docs/alerts.md](alerts.md).
"""


def scope_rows() -> str:
    """The Bots section's table: each scope's requests and events, from chatshop.protocol.scopes."""
    from chatshop.protocol.bot_frames import SCOPES
    from chatshop.protocol.scopes import BOT_EVENTS, BOT_REQUESTS

    rows = []
    for scope in SCOPES:
        tags = sorted(
            str(kind.__struct_config__.tag)
            for kind, needed in BOT_REQUESTS.items()
            if needed == scope
        )
        events = sorted(kind for kind, needed in BOT_EVENTS.items() if needed == scope)
        requests = ", ".join(f"[`{tag}`](#request-{tag})" for tag in tags)
        shown = ", ".join(f"`{kind}`" for kind in events) or "none"
        rows.append(f"| `{scope}` | {requests} | {shown} |")
    return "\n".join(rows)


def limits_section() -> str:
    comments = source_comments(limits)
    rows = ["## Limits", "", "| Constant | Default | Meaning |", "| --- | --- | --- |"]
    for name, value in constants(vars(limits)):
        if isinstance(value, frozenset):
            shown = ", ".join(str(v) for v in sorted(value))
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = str(value)
        note = LIMIT_NOTES.get(name) or comments.get(name, "")
        rows.append(f"| `{name}` | `{cell(shown)}` | {cell(note)} |")
    rows.append("")
    rows.append(
        "The constants live in `chatshop.protocol.limits`; the relay announces the ones it "
        "enforces in the `hello` result."
    )
    return "\n".join(rows) + "\n"


def text_section() -> str:
    raw = '{"type":"send","id":1,"thread_id":1,"text":"\\ud800","key":"k"}'
    try:
        decode_request(raw)
        code, rid = "nothing", "kept"
    except ProtocolError as exc:
        code = exc.code.value
        rid = json.dumps(request_id_of(raw))
    return TEXT_SECTION.format(
        surrogate_code=code,
        surrogate_id=rid,
        max_text=limits.MAX_TEXT_CHARS,
        max_name=limits.MAX_NAME_CHARS,
    )


def close_codes_section() -> str:
    comments = source_comments(CloseCode)
    rows = ["## Close codes", "", "| Code | Name | Meaning |", "| --- | --- | --- |"]
    for name, value in constants(vars(CloseCode)):
        note = CLOSE_NOTES.get(name) or comments.get(name, "")
        rows.append(f"| {value} | `{name}` | {cell(note)} |")
    return "\n".join(rows) + "\n"


def error_codes_section() -> str:
    rows = [
        "## Error codes",
        "",
        "An [`error`](#frame-error) reply carries one of these codes. They are stable: clients",
        "branch on the code and show people the `message`. New codes may be added; treat an",
        "unknown one like `internal`.",
        "",
        "| Code | Meaning |",
        "| --- | --- |",
    ]
    for code in ErrorCode:
        rows.append(f"| `{code.value}` | {cell(ERROR_DESCRIPTIONS.get(code, ''))} |")
    return "\n".join(rows) + "\n"


def frame_section(
    cls: type[msgspec.Struct], anchors: Anchors, heading: str, extra: Sequence[str] = ()
) -> str:
    parts = [f'<a id="{anchors.by_class[cls]}"></a>', "", f"### {heading}", ""]
    parts += [md_doc(clean_doc(cls)), ""]
    parts += [*extra]
    parts += [field_table(cls, anchors), ""]
    example = example_of(cls)
    if example:
        parts += ["Example:", "", json_block(example), ""]
    return "\n".join(parts)


def client_frames_section(anchors: Anchors) -> str:
    out = [
        "## Client frames",
        "",
        "Requests, client to relay. Every one gets exactly one `result` or `error` reply.",
        "",
        "| `type` | Needs auth | Result | What it does |",
        "| --- | --- | --- | --- |",
    ]
    for request in request_types():
        tag = tag_of(request)
        out.append(
            f"| [`{tag}`](#{anchors.by_class[request]}) | {'yes' if request.needs_auth else 'no'} "
            f"| {anchors.link(request.result_type)} | {cell(summary_of(request))} |"
        )
    out.append("")
    for request in request_types():
        meta = (
            f"**Result:** {anchors.link(request.result_type)} · "
            f"**Needs auth:** {'yes' if request.needs_auth else 'no'} · "
            f"**Class:** `{request.__name__}`"
        )
        out.append(frame_section(request, anchors, f"`{tag_of(request)}`", [meta, ""]))
    return "\n".join(out)


def server_frames_section(anchors: Anchors) -> str:
    out = [
        "## Server frames",
        "",
        "Relay to client: the replies to requests, and batches of pushed events.",
        "",
    ]
    for frame in server_frame_types():
        extra = [f"**Class:** `{frame.__name__}`", ""]
        out.append(frame_section(frame, anchors, f"`{tag_of(frame)}`", extra))
    return "\n".join(out)


def events_section(anchors: Anchors) -> str:
    out = [
        "## Events",
        "",
        "Pushed inside [`events`](#frame-events) frames. Stored events carry a `cursor`;",
        "ephemeral ones do not (see [Events, cursors and resuming](#events-cursors-and-resuming)).",
        "",
        "| `type` | Cursor | What happened |",
        "| --- | --- | --- |",
    ]
    for event in event_types():
        has_cursor = "cursor" in example_of(event)
        out.append(
            f"| [`{tag_of(event)}`](#{anchors.by_class[event]}) "
            f"| {'yes' if has_cursor else 'no (ephemeral)'} | {cell(summary_of(event))} |"
        )
    out.append("")
    for event in event_types():
        extra = [f"**Class:** `{event.__name__}`", ""]
        out.append(frame_section(event, anchors, f"`{tag_of(event)}` event", extra))
    return "\n".join(out)


def records_section(anchors: Anchors) -> str:
    out = [
        "## Records",
        "",
        "Results and the domain records inside frames. Timestamps are integer milliseconds",
        "since the Unix epoch (UTC); ids are integers.",
        "",
    ]
    for record in record_types():
        returned_by = [
            f"[`{tag_of(r)}`](#{anchors.by_class[r]})"
            for r in request_types()
            if r.result_type is record
        ]
        extra = [f"**Result of:** {', '.join(returned_by)}", ""] if returned_by else []
        out.append(frame_section(record, anchors, f"`{record.__name__}`", extra))
    return "\n".join(out)


# --------------------------------------------------------------------------- by hand

SESSION_TEMPLATE = """\
## A session by hand

The `websockets` package (a chatshop dependency) ships an interactive client: each line you
type is sent as one text frame (`>`), each frame received is printed after `<`. With a relay
listening on 127.0.0.1:8765, two terminals are enough to see the whole protocol at work.
Ids, tokens, cursors and times below are examples: yours will differ, and only the frames
that matter to each step are shown.

### 1. Alice registers (terminal 2)

Register the second account first, so that Sam has someone to talk to. The first frame of
every connection is `hello`; its result names the relay and its limits.

```text
$ python -m websockets ws://127.0.0.1:8765
Connected to ws://127.0.0.1:8765.
{alice_register}
```

The register result (like the login and auth results) is
`{{"token":...,"user":{{...}},"cursor":N}}`: keep the token to log in again with `auth`, and
the cursor to resume from.

### 2. Sam registers and opens a direct thread (terminal 1)

```text
$ python -m websockets ws://127.0.0.1:8765
Connected to ws://127.0.0.1:8765.
{sam_register}
```

`dm_open` returns the [`Thread`](#record-thread); opening it again returns the same thread.
Alice, as a member, is told with a [`thread`](#event-thread) event in terminal 2:

```text
{alice_thread}
```

### 3. Sam sends a message

```text
{sam_send}
```

The result comes only once the message is committed. In terminal 2, Alice gets it as a
[`message`](#event-message) event; Sam's other sessions, if any, get the same event, which
a client recognises by `message.id`:

```text
{alice_message}
```

### 4. Alice types, answers and reads (terminal 2)

```text
{alice_reply}
```

`typing` answers with an empty result and reaches Sam without a cursor: it is ephemeral.
The reply and the read marker are stored events, with cursors from Sam's own stream
(terminal 1):

```text
{sam_events}
```

### 5. Retrying a send: idempotency keys

If Sam's connection had dropped before the result of `send`, he would not know whether the
message was stored. He sends the same request again with the same `key`, and gets the
original message back (same `id`, same `seq`) instead of a second copy. The same key with
another text is refused:

```text
{sam_retry}
```

### 6. Mistakes

A frame that does not match its struct is answered with `bad_request`, naming the problem:

```text
{sam_mistake}
```

Sending anything but `hello` as the first frame closes the connection with
{protocol_error}; a binary frame closes it with {unsupported_data}.

### 7. Resuming with `auth` and `since`

Sam leaves (Ctrl-D) after processing the events up to cursor {sam_last}. While he is away,
Alice edits her message. Sam reconnects with his token and that cursor; the relay replays
what he missed as `events` frames before anything live:

```text
$ python -m websockets ws://127.0.0.1:8765
Connected to ws://127.0.0.1:8765.
{sam_resume}
```
"""


class Terminal:
    """A transcript of one interactive session, checked against the codec as it is written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def send(self, frame: dict[str, Any]) -> frames.Request[Any]:
        text = compact(frame)
        request = decode_request(text)  # raises if the documented frame is wrong
        self.lines.append(f"> {text}")
        return request

    def receive(self, raw: bytes) -> None:
        decode_server_frame(raw)  # raises if the documented frame is wrong
        self.lines.append(f"< {raw.decode()}")

    def result(self, request: frames.Request[Any], data: msgspec.Struct) -> None:
        if not isinstance(data, request.result_type):
            raise TypeError(f"{type(request).__name__} returns {request.result_type.__name__}")
        self.receive(result_frame(request.id, data))

    def events(self, *events: tuple[int | None, frames.Event]) -> None:
        encoded = [
            encode(event) if cursor is None else with_cursor(cursor, encode(event))
            for cursor, event in events
        ]
        self.receive(events_frame(encoded))

    def take(self) -> str:
        text = "\n".join(self.lines)
        self.lines = []
        return text


def session_section() -> str:
    from chatshop.protocol.frames import (
        AuthResult,
        HelloResult,
        MessageEdited,
        MessageEvent,
        Ok,
        ReadEvent,
        ThreadEvent,
        TypingEvent,
    )

    t0 = 1795900000000
    hello_result = HelloResult(
        protocol=limits.PROTOCOL_VERSION,
        server="chatshop-relay",
        version="0.1.0",
        limits=Limits(
            max_frame_bytes=limits.MAX_FRAME_BYTES,
            max_text_chars=limits.MAX_TEXT_CHARS,
            max_name_chars=limits.MAX_NAME_CHARS,
            max_group_members=limits.MAX_GROUP_MEMBERS,
            max_history_page=limits.MAX_HISTORY_PAGE,
            rate_per_second=limits.DEFAULT_RATE_PER_SECOND,
            rate_burst=limits.DEFAULT_RATE_BURST,
        ),
    )
    hello = {"type": "hello", "id": 1, "protocol": limits.PROTOCOL_VERSION}
    alice = User(id=1, handle="alice", display_name="Alice")
    sam = User(id=2, handle="sam", display_name="Sam Carter")
    sam_token, alice_token = "Zk3x9QmT0aLw7cV2", "Hq8n2RtY5uJe1bPo"
    a, s = Terminal(), Terminal()

    a.result(a.send(hello), hello_result)
    request = a.send(
        {
            "type": "register",
            "id": 2,
            "handle": "alice",
            "display_name": "Alice",
            "password": "wonderland",
        }
    )
    a.result(request, AuthResult(token=alice_token, user=alice, cursor=0))
    alice_register = a.take()

    s.result(s.send(hello), hello_result)
    request = s.send(
        {
            "type": "register",
            "id": 2,
            "handle": "sam",
            "display_name": "Sam Carter",
            "password": "correct horse",
        }
    )
    s.result(request, AuthResult(token=sam_token, user=sam, cursor=0))
    thread = Thread(
        id=1,
        kind="direct",
        name="",
        owner_id=None,
        members=[sam, alice],
        last_seq=0,
        last_activity=t0,
    )
    # Results name a direct thread after the other member; events carry the shared view.
    s.result(
        s.send({"type": "dm_open", "id": 3, "handle": "alice"}),
        msgspec.structs.replace(thread, name=alice.display_name),
    )
    sam_register = s.take()

    a.events((1, ThreadEvent(thread=thread)))
    alice_thread = a.take()

    first = Message(
        id=1, thread_id=1, seq=1, sender_id=sam.id, text="Pizza on Friday?", created_at=t0 + 5000
    )
    send = {"type": "send", "id": 4, "thread_id": 1, "text": first.text, "key": "sam-0001"}
    s.result(s.send(send), first)
    sam_send = s.take()

    a.events((2, MessageEvent(thread_id=1, message=first)))
    alice_message = a.take()

    a.result(a.send({"type": "typing", "id": 3, "thread_id": 1}), Ok())
    reply = Message(
        id=2,
        thread_id=1,
        seq=2,
        sender_id=alice.id,
        text="Yes! 🍕",
        created_at=t0 + 9000,
        reply_to=first.id,
    )
    request = a.send(
        {
            "type": "send",
            "id": 4,
            "thread_id": 1,
            "text": reply.text,
            "key": "alice-0001",
            "reply_to": first.id,
        }
    )
    a.result(request, reply)
    a.result(a.send({"type": "read", "id": 5, "thread_id": 1, "seq": first.seq}), Ok())
    alice_reply = a.take()

    s.events((None, TypingEvent(thread_id=1, user_id=alice.id)))
    s.events((3, MessageEvent(thread_id=1, message=reply)))
    s.events((5, ReadEvent(thread_id=1, user_id=alice.id, seq=first.seq)))
    sam_events = s.take()
    sam_last = 5

    s.result(s.send({**send, "id": 5}), first)
    mismatch = {**send, "id": 6, "text": "Pizza on Saturday?"}
    s.send(mismatch)
    s.receive(
        error_frame(
            6,
            ProtocolError(
                ErrorCode.IDEMPOTENCY_MISMATCH,
                "key 'sam-0001' was already used for a different request",
            ),
        )
    )
    sam_retry = s.take()

    bad = '{"type":"send","id":7,"thread_id":"1","text":"hi","key":"sam-0002"}'
    try:
        decode_request(bad)
    except ProtocolError as exc:
        s.lines.append(f"> {bad}")
        s.receive(error_frame(request_id_of(bad), exc))
    else:  # pragma: no cover - the codec accepted a string thread_id
        raise AssertionError("the documented mistake decoded")
    sam_mistake = s.take()

    edited = msgspec.structs.replace(reply, text="Yes! 🍕 Pepperoni please", edited_at=t0 + 60000)
    s.result(s.send(hello), hello_result)
    request = s.send({"type": "auth", "id": 2, "token": sam_token, "since": sam_last})
    s.result(request, AuthResult(token=sam_token, user=sam, cursor=sam_last))
    s.events((8, MessageEdited(thread_id=1, message=edited)))
    sam_resume = s.take()

    return SESSION_TEMPLATE.format(
        alice_register=alice_register,
        sam_register=sam_register,
        alice_thread=alice_thread,
        sam_send=sam_send,
        alice_message=alice_message,
        alice_reply=alice_reply,
        sam_events=sam_events,
        sam_retry=sam_retry,
        sam_mistake=sam_mistake,
        sam_last=sam_last,
        sam_resume=sam_resume,
        protocol_error=CloseCode.PROTOCOL_ERROR,
        unsupported_data=CloseCode.UNSUPPORTED_DATA,
    )


# --------------------------------------------------------------------------- output


def render_markdown() -> str:
    """The whole of ``docs/protocol.md``."""
    anchors = Anchors()
    sections: Iterable[str] = (
        intro(),
        limits_section(),
        text_section(),
        EVENTS_SECTION.format(replay_batch=limits.REPLAY_BATCH),
        SENDING_SECTION.format(max_key=limits.MAX_KEY_CHARS),
        MONEY_SECTION.format(),
        SHOP_SECTION.format(
            max_combining=limits.MAX_COMBINING_MARKS,
            cache="public, max-age=31536000, immutable",
        ),
        BRANDS_SECTION.format(
            posts_per_day=brand_frames.MAX_POSTS_PER_DAY,
            per_follower=brand_frames.MAX_POSTS_PER_FOLLOWER_PER_DAY,
        ),
        BOTS_SECTION.format(scope_rows=scope_rows()),
        WEBHOOKS_SECTION.format(
            kinds=", ".join(f"`{k}`" for k in webhook_frames.WEBHOOK_KINDS),
            tolerance=webhook_frames.SIGNATURE_TOLERANCE,
            timeout=webhook_frames.ATTEMPT_TIMEOUT,
            first=webhook_frames.RETRY_FIRST,
            most=webhook_frames.RETRY_MAX,
            window=webhook_frames.RETRY_FOR / 3600,
        ),
        ALERTS_SECTION.format(days=alert_frames.LOWEST_WINDOW_DAYS, most=alert_frames.MAX_WATCHES),
        close_codes_section(),
        error_codes_section(),
        client_frames_section(anchors),
        server_frames_section(anchors),
        events_section(anchors),
        records_section(anchors),
        session_section(),
    )
    text = "\n".join(section.rstrip("\n") + "\n" for section in sections)
    return re.sub(r"\n{3,}", "\n\n", text)


def generated_files() -> dict[str, str]:
    """File name (inside ``docs/``) to its generated content."""
    return {MARKDOWN_NAME: render_markdown(), SCHEMA_NAME: render_schema()}


def default_docs_dir() -> Path:
    """``docs/`` of the source checkout this module runs from, else ``./docs``."""
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "src" / "chatshop").is_dir():
        return root / "docs"
    return Path("docs")


def stale_files(docs_dir: Path) -> list[Path]:
    """Generated files that are missing or differ from what the code produces now."""
    stale = []
    for name, content in generated_files().items():
        path = docs_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(path)
    return stale


def write_files(docs_dir: Path) -> list[Path]:
    """Write every generated file; return the ones that changed."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, content in generated_files().items():
        path = docs_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chatshop.protocol.docgen",
        description="Generate docs/protocol.md and docs/protocol.schema.json from the code.",
    )
    parser.add_argument(
        "--check", action="store_true", help="only verify; exit 1 if a file is stale"
    )
    parser.add_argument(
        "--docs-dir", type=Path, default=None, help="output folder (default: the repo's docs/)"
    )
    args = parser.parse_args(argv)
    docs_dir: Path = args.docs_dir or default_docs_dir()
    if args.check:
        stale = stale_files(docs_dir)
        for path in stale:
            print(f"{path} is out of date; regenerate with: {REGENERATE_COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files(docs_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
