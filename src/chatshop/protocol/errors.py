"""Stable, machine-readable error codes shared by relay and clients.

Every error reply carries one of these codes; clients branch on the code, people read the
message. Codes are part of the wire contract: add new ones, never rename or reuse old ones.

    ProtocolError                  an error the relay reports to a client
    ├── code = bad_request         malformed JSON, unknown frame type, missing/mistyped field
    ├── code = unsupported_version hello with a protocol version the relay does not speak
    ├── code = unauthorized        not logged in, bad credentials, revoked token
    ├── code = forbidden           logged in but not allowed (not the author, not the owner...)
    ├── code = not_found           unknown user, thread or message id
    ├── code = conflict            handle taken, already friends, ...
    ├── code = blocked             the other person blocked you (or you blocked them)
    ├── code = rate_limited        too many requests per second
    ├── code = too_large           text or list over its documented limit
    ├── code = invalid_text        NUL, lone surrogates or other text the relay refuses
    ├── code = idempotency_mismatch an idempotency key reused with a different request body
    ├── code = insufficient_funds  the paying wallet holds less than the amount
    ├── code = limit_exceeded      over the relay's maximum for one transfer
    ├── code = invalid_amount      zero, negative, or more decimals than the currency has
    ├── code = unknown_currency    not an active ISO 4217 currency
    ├── code = gone                the request, split share or red packet is settled/expired
    ├── code = sold_out            not enough stock left for the quantity asked
    ├── code = variant_required    the product comes in several variants: name one
    ├── code = invalid_transition  an order cannot go from its status to the one asked
    ├── code = promo_invalid       unknown, expired, used up, or basket under the minimum
    ├── code = price_changed       the checkout total is not the one the client confirmed
    ├── code = address_required    the first checkout needs a shipping address
    ├── code = invalid_barcode     not an EAN-13 / UPC-A code, or a wrong check digit
    ├── code = unsupported_media   an upload that is not a PNG, JPEG or WebP image
    ├── code = funding_unavailable top-ups are off on this relay (the admin credits accounts)
    ├── code = quota_exceeded      an upload over the account's, the brand's or the relay's quota
    ├── code = not_opted_in        the person has not let this brand's HTTP API reach them
    └── code = internal            a bug on the relay; nothing was stored
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The closed set of error codes a relay may answer with."""

    BAD_REQUEST = "bad_request"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    TOO_LARGE = "too_large"
    INVALID_TEXT = "invalid_text"
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    LIMIT_EXCEEDED = "limit_exceeded"
    INVALID_AMOUNT = "invalid_amount"
    UNKNOWN_CURRENCY = "unknown_currency"
    GONE = "gone"
    SOLD_OUT = "sold_out"
    VARIANT_REQUIRED = "variant_required"
    INVALID_TRANSITION = "invalid_transition"
    PROMO_INVALID = "promo_invalid"
    PRICE_CHANGED = "price_changed"
    ADDRESS_REQUIRED = "address_required"
    INVALID_BARCODE = "invalid_barcode"
    UNSUPPORTED_MEDIA = "unsupported_media"
    FUNDING_UNAVAILABLE = "funding_unavailable"
    QUOTA_EXCEEDED = "quota_exceeded"
    NOT_OPTED_IN = "not_opted_in"
    INTERNAL = "internal"


ERROR_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.BAD_REQUEST: ("Malformed JSON, unknown frame type, or a missing or mistyped field."),
    ErrorCode.UNSUPPORTED_VERSION: "The hello named a protocol version this relay does not speak; "
    "the relay closes the connection (1002) after this reply.",
    ErrorCode.UNAUTHORIZED: "Not logged in, wrong handle or password, or a revoked token.",
    ErrorCode.FORBIDDEN: (
        "Logged in but not allowed: not the author, not the group's owner, not the brand's staff."
    ),
    ErrorCode.NOT_FOUND: (
        "Unknown handle, thread or message id, or one you may not see: a thread you are not "
        "a member of is answered exactly as one that does not exist."
    ),
    ErrorCode.CONFLICT: (
        "The request contradicts the current state (handle taken, already friends)."
    ),
    ErrorCode.BLOCKED: "One of the two people blocked the other.",
    ErrorCode.RATE_LIMITED: "Too many requests per second; retry after `retry_after` seconds.",
    ErrorCode.TOO_LARGE: "A text or list is over its documented limit.",
    ErrorCode.INVALID_TEXT: "Text holds NUL, a lone surrogate or another refused code point.",
    ErrorCode.IDEMPOTENCY_MISMATCH: (
        "This idempotency key was used before with a different request."
    ),
    ErrorCode.INSUFFICIENT_FUNDS: "The paying wallet holds less than the amount; nothing moved.",
    ErrorCode.LIMIT_EXCEEDED: "The amount is over the relay's maximum for one transfer.",
    ErrorCode.INVALID_AMOUNT: (
        "The amount is zero, negative, or has more decimals than its currency."
    ),
    ErrorCode.UNKNOWN_CURRENCY: "The currency is not an active ISO 4217 currency.",
    ErrorCode.GONE: "The payment request, split share or red packet is already settled.",
    ErrorCode.SOLD_OUT: (
        "Not enough stock for the quantity asked (none, or fewer than asked, are left); "
        "nothing was reserved, charged or ordered."
    ),
    ErrorCode.VARIANT_REQUIRED: (
        "The product comes in several variants (sizes, colours): name one by its SKU."
    ),
    ErrorCode.INVALID_TRANSITION: (
        "The order cannot go from its current status to the one asked "
        "(the message names both and the allowed next steps)."
    ),
    ErrorCode.PROMO_INVALID: (
        "The promo code is unknown, inactive, expired, used up (in total or by you), "
        "or the basket is under its minimum."
    ),
    ErrorCode.PRICE_CHANGED: (
        "A price, the promo or shipping changed since the checkout was shown: "
        "`expected_total` differs from the total now. Show the new checkout and confirm again."
    ),
    ErrorCode.ADDRESS_REQUIRED: "A checkout needs a shipping address; none is saved yet.",
    ErrorCode.INVALID_BARCODE: (
        "Not a 13-digit EAN-13 or 12-digit UPC-A code, or its check digit is wrong."
    ),
    ErrorCode.UNSUPPORTED_MEDIA: (
        "The upload is not a PNG, JPEG or WebP image (by its bytes), or is over the size limit."
    ),
    ErrorCode.FUNDING_UNAVAILABLE: (
        "This relay takes no top-ups: money enters a wallet only when the relay's admin "
        "credits it (`chatshop-server --credit`). Demo relays take top-ups from a simulated "
        "card, within per-account limits."
    ),
    ErrorCode.QUOTA_EXCEEDED: (
        "The upload would take the account, the brand or the relay over its media quota; "
        "nothing was stored. The message says which quota and how much is left."
    ),
    ErrorCode.NOT_OPTED_IN: (
        "The brand HTTP API named a person who has not allowed this brand to reach them "
        "(`api_allow`), or who revoked it; nothing was sent."
    ),
    ErrorCode.INTERNAL: "A fault on the relay. Nothing was stored; the request may be retried.",
}


class ProtocolError(Exception):
    """An error with a stable code, raised anywhere and turned into an error reply."""

    def __init__(self, code: ErrorCode, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"ProtocolError({self.code.value!r}, {self.message!r})"
