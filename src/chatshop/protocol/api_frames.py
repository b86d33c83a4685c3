"""Frames for a person's consent to a brand's HTTP API.

A brand's own systems (its web shop, its CRM) may reach a customer through the brand HTTP
API (``docs/http-api.md``) only once that person said yes: ``api_allow`` opts in to one
brand, ``api_revoke`` takes it back at once, and ``api_optins`` lists what the person
allowed. Only people send these; no bot token may consent for anyone.
"""

from __future__ import annotations

from typing import Any

import msgspec

from chatshop.protocol.base import Request
from chatshop.protocol.models import User


class ApiOptIn(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a brand's HTTP API may reach you (messages, cards, orders, your thread)."""

    brand: User
    allowed: bool
    since: int | None = None


class ApiOptInList(msgspec.Struct, frozen=True, kw_only=True):
    """The brands whose HTTP API may reach you, most recent first."""

    optins: list[ApiOptIn]


class AllowApi(Request[ApiOptIn], tag="api_allow"):
    """Let ``brand``'s HTTP API write to you in its thread, follow orders you placed on its
    own shop there, and read that thread. Asking again changes nothing."""

    brand: str
    example = {"type": "api_allow", "id": 120, "brand": "northwind"}


class RevokeApi(Request[ApiOptIn], tag="api_revoke"):
    """Stop ``brand``'s HTTP API from reaching you: its next call about you is refused
    (``not_opted_in``). What it already posted stays in the thread."""

    brand: str
    example = {"type": "api_revoke", "id": 121, "brand": "northwind"}


class ListApiOptIns(Request[ApiOptInList], tag="api_optins"):
    """The brands you let reach you through their HTTP API."""

    example = {"type": "api_optins", "id": 122}


API_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (AllowApi, RevokeApi, ListApiOptIns)

FIELD_NOTES: dict[str, str] = {
    "ApiOptIn.brand": "The brand account.",
    "ApiOptIn.allowed": "True while the brand's HTTP API may reach you.",
    "ApiOptIn.since": "When you allowed it (ms); null when not allowed.",
    "ApiOptInList.optins": "One entry per brand you allowed, most recent first.",
    "AllowApi.brand": "The brand's handle.",
    "RevokeApi.brand": "The brand's handle.",
}
