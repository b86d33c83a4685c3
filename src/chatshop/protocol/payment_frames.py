"""Frames for wallets and in-chat money: pay, request, split, lucky money, top up, history.

Every request that moves money carries ``key``, the client's idempotency key: a retry with
the same key and body returns the first result and moves nothing; the same key with another
body is refused with ``idempotency_mismatch``. Amounts are integer minor units of
``currency`` (an ISO 4217 code): 1250 with "EUR" is EUR 12.50.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from chatshop.protocol.base import Count, Event, PageSize, Request
from chatshop.protocol.models import Message, User

Amount = Annotated[int, msgspec.Meta(ge=-(2**53 - 1), le=2**53 - 1)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
TransferKind = Literal[
    "payment",
    "request",
    "split",
    "lucky_fund",
    "lucky_claim",
    "lucky_refund",
    "topup",
    "refund",
    "purchase",
    "credit",
    "release",
    "invoice",
]


# --------------------------------------------------------------------------- records


class Balance(msgspec.Struct, frozen=True, kw_only=True):
    """What one wallet holds in one currency."""

    currency: str
    amount: int


class Transfer(msgspec.Struct, frozen=True, kw_only=True):
    """One double-entry movement, as the person viewing it sees it.

    ``direction`` is ``in`` when money came to the viewer, ``out`` when it left; the
    counterparty is null for top-ups and red-packet escrow. ``short_id`` is what people quote.
    """

    id: int
    short_id: str
    kind: TransferKind
    direction: Literal["in", "out"]
    amount: int
    currency: str
    counterparty: User | None
    note: str
    created_at: int
    thread_id: int | None = None


class WalletResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Your balances (what you may spend) and the relay's default currency.

    ``held`` is for brands: what customers paid for orders still inside their return window,
    kept in escrow so that a refund can always be paid; it moves to ``balances`` when the
    window after delivery has passed (a ``release`` transfer).
    """

    balances: list[Balance]
    default_currency: str
    max_transfer: int
    held: list[Balance] = msgspec.field(default_factory=list)


class TransferPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of your transfers, newest first; ``more`` tells whether older ones exist."""

    transfers: list[Transfer]
    more: bool


class PaymentResult(msgspec.Struct, frozen=True, kw_only=True):
    """A completed payment: the transfer, the card message posted, and your new balance.

    ``replayed`` is true when this is the stored answer to a retried idempotency key: the
    money moved once, when the key was first used ("already sent").
    """

    transfer: Transfer
    message: Message | None
    balance: Balance
    replayed: bool = False


class CardResult(msgspec.Struct, frozen=True, kw_only=True):
    """A card message posted or updated (request, split, red packet)."""

    message: Message
    replayed: bool = False


class ClaimResult(msgspec.Struct, frozen=True, kw_only=True):
    """What you got from a red packet, the packet's new state, and your new balance."""

    amount: int
    currency: str
    message: Message
    balance: Balance


# --------------------------------------------------------------------------- requests


class GetWallet(Request[WalletResult], tag="wallet"):
    """Your balances."""

    example = {"type": "wallet", "id": 30}


class WalletHistory(Request[TransferPage], tag="wallet_history"):
    """Your transfers, newest first, older than transfer id ``before`` when given."""

    before: Count | None = None
    limit: PageSize = 50
    example = {"type": "wallet_history", "id": 31, "limit": 20}


class TopUp(Request[PaymentResult], tag="topup"):
    """Add money from the relay's funding provider (the demo's simulated card)."""

    amount: Amount
    currency: Currency
    key: Key
    example = {"type": "topup", "id": 32, "amount": 5000, "currency": "EUR", "key": "t-1"}


class Pay(Request[PaymentResult], tag="pay"):
    """Pay ``to`` (a member of ``thread_id``) and post a payment card in the thread."""

    thread_id: Count
    to: str
    amount: Amount
    currency: Currency
    key: Key
    note: str = ""
    example = {
        "type": "pay",
        "id": 33,
        "thread_id": 1,
        "to": "alice",
        "amount": 1200,
        "currency": "EUR",
        "note": "taxi",
        "key": "p-7f3a",
    }


class RequestMoney(Request[CardResult], tag="request_money"):
    """Ask ``payer`` (a member of ``thread_id``) for money; posts a request card."""

    thread_id: Count
    payer: str
    amount: Amount
    currency: Currency
    key: Key
    note: str = ""
    example = {
        "type": "request_money",
        "id": 34,
        "thread_id": 1,
        "payer": "bob",
        "amount": 1500,
        "currency": "EUR",
        "note": "cinema",
        "key": "r-1",
    }


class PayRequest(Request[PaymentResult], tag="pay_request"):
    """Pay a request addressed to you (also a share of a split); the card updates for all."""

    request_id: Count
    key: Key
    example = {"type": "pay_request", "id": 35, "request_id": 4, "key": "pr-4"}


class DeclineRequest(Request[CardResult], tag="decline_request"):
    """Decline a request addressed to you, or cancel one you made."""

    request_id: Count
    example = {"type": "decline_request", "id": 36, "request_id": 4}


class ShareSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An uneven share: ``handle`` owes ``amount``."""

    handle: str
    amount: Amount


class Split(Request[CardResult], tag="split"):
    """Split ``total`` in a group: equal shares among the other members (and you, unless
    ``include_self`` is false), or the given ``shares``; the rest of an uneven split is yours.
    Remainders of equal shares go one minor unit each to the first members."""

    thread_id: Count
    total: Amount
    currency: Currency
    key: Key
    note: str = ""
    shares: list[ShareSpec] | None = None
    include_self: bool = True
    example = {
        "type": "split",
        "id": 37,
        "thread_id": 3,
        "total": 4800,
        "currency": "EUR",
        "note": "pizza",
        "key": "s-1",
    }


class SendLuckyMoney(Request[CardResult], tag="lucky_send"):
    """Put ``total`` in a red packet that the first ``count`` members to open it share at
    random (each at least one minor unit); what nobody claims returns to you when it expires."""

    thread_id: Count
    total: Amount
    currency: Currency
    count: Annotated[int, msgspec.Meta(ge=1, le=100)]
    key: Key
    note: str = ""
    example = {
        "type": "lucky_send",
        "id": 38,
        "thread_id": 3,
        "total": 2000,
        "currency": "EUR",
        "count": 3,
        "note": "Happy birthday Bob!",
        "key": "l-1",
    }


class OpenLuckyMoney(Request[ClaimResult], tag="lucky_open"):
    """Open a red packet in one of your threads; each member can open it once."""

    packet_id: Count
    example = {"type": "lucky_open", "id": 39, "packet_id": 2}


# --------------------------------------------------------------------------- events


class CardEvent(Event, tag="card"):
    """A card message changed state (request paid or declined, red packet opened)."""

    thread_id: int
    message: Message
    example = {
        "type": "card",
        "cursor": 1050,
        "thread_id": 1,
        "message": {
            "id": 130,
            "thread_id": 1,
            "seq": 60,
            "sender_id": 1,
            "text": "",
            "created_at": 1795900000000,
            "card": {
                "kind": "request",
                "request_id": 4,
                "amount": 1500,
                "currency": "EUR",
                "requester_id": 1,
                "payer_id": 2,
                "status": "paid",
                "note": "cinema",
                "transfer_id": 17,
                "short_id": "T-00017",
            },
        },
    }


class WalletEvent(Event, tag="wallet"):
    """Your balance changed: ``transfer`` is the movement, ``balance`` the new total."""

    transfer: Transfer
    balance: Balance
    example = {
        "type": "wallet",
        "cursor": 1051,
        "transfer": {
            "id": 17,
            "short_id": "T-00017",
            "kind": "request",
            "direction": "in",
            "amount": 1500,
            "currency": "EUR",
            "counterparty": {
                "id": 2,
                "handle": "alice",
                "display_name": "Alice",
                "kind": "person",
            },
            "note": "cinema",
            "created_at": 1795900000000,
            "thread_id": 1,
        },
        "balance": {"currency": "EUR", "amount": 9500},
    }


PAYMENT_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (
    GetWallet,
    WalletHistory,
    TopUp,
    Pay,
    RequestMoney,
    PayRequest,
    DeclineRequest,
    Split,
    SendLuckyMoney,
    OpenLuckyMoney,
)
PAYMENT_EVENT_TYPES: tuple[type[Event], ...] = (CardEvent, WalletEvent)
