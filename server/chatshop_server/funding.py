"""Where top-up money comes from: a funding provider behind a small interface.

The demo and the tests use ``SimulatedCard``, which approves every charge up to a limit and
touches no real money. A real provider (a card processor) implements the same ``charge``;
it receives the client's idempotency key so that a retried top-up is charged once.
"""

from __future__ import annotations

from typing import Protocol

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import exponent


class FundingProvider(Protocol):
    """Charges an outside source; returns the provider's reference for the charge."""

    name: str

    async def charge(self, user_id: int, amount: int, currency: str, key: str) -> str: ...


class SimulatedCard:
    """A pretend card that approves up to ``limit_major`` units of any currency per charge.

    Like a real processor it honours idempotency keys: charging twice with one key
    returns the first reference and charges nothing more.
    """

    name = "simulated-card"

    def __init__(self, limit_major: int = 10_000) -> None:
        self.limit_major = limit_major
        self.charges: dict[tuple[int, str], tuple[int, str]] = {}

    async def charge(self, user_id: int, amount: int, currency: str, key: str) -> str:
        reference = f"sim:{user_id}:{key}"
        earlier = self.charges.get((user_id, key))
        if earlier is not None:
            if earlier != (amount, currency):
                raise ProtocolError(
                    ErrorCode.IDEMPOTENCY_MISMATCH, "this key already charged another amount"
                )
            return reference
        limit = self.limit_major * 10 ** exponent(currency)
        if amount > limit:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED, f"the simulated card approves at most {limit}"
            )
        self.charges[(user_id, key)] = (amount, currency)
        return reference
