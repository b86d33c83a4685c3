"""Where top-up money comes from: a funding provider behind a small interface.

The demo and the tests use ``SimulatedCard``, which approves every charge up to a limit and
touches no real money. A real provider (a card processor) implements the same ``charge``;
it receives the client's idempotency key so that a retried top-up is charged once.
"""

from __future__ import annotations

from typing import Protocol

from chatshop.protocol.errors import ErrorCode, ProtocolError


class FundingProvider(Protocol):
    """Charges an outside source; returns the provider's reference for the charge."""

    name: str

    async def charge(self, user_id: int, amount: int, currency: str, key: str) -> str: ...


class SimulatedCard:
    """A pretend card that always pays, up to ``limit`` minor units per charge."""

    name = "simulated-card"

    def __init__(self, limit: int = 1_000_000) -> None:
        self.limit = limit

    async def charge(self, user_id: int, amount: int, currency: str, key: str) -> str:
        if amount > self.limit:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED, f"the simulated card approves at most {self.limit}"
            )
        return f"sim:{user_id}:{key}"
