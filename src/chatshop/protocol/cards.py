"""Structured cards a message may carry: payments, requests, bill splits, red packets.

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


Card = PaymentCard | RequestCard | SplitCard | LuckyMoneyCard
