"""The inputs and small outputs of store operations, as the handlers validated them.

Plain data, no SQL: handlers build these, stores take them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from chatshop.protocol.bot_frames import Scope
from chatshop.protocol.models import User
from chatshop.protocol.shop_models import Address, PromoKind, ShippingOption
from chatshop_server.rules.money import check_amount

ContactAction = Literal["request", "accept", "decline", "remove", "block", "unblock"]
MemberAction = Literal["add", "remove"]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """An authenticated session: the account and the session row it runs under."""

    user: User
    session_id: int
    scopes: frozenset[Scope] | None = None  # a bot token's; None for a person's session


@dataclass(frozen=True, slots=True)
class MoneyRequest:
    """What every money-moving operation is given: who, how much, and its idempotency."""

    user_id: int
    amount: int
    currency: str
    max_amount: int
    key: str
    request_hash: str
    note: str = ""

    def check(self) -> None:
        """Refuse amounts that are not positive or over the relay's limit."""
        check_amount(self.amount, self.currency, self.max_amount)


@dataclass(frozen=True, slots=True)
class ProductRef:
    """How a request names a product: by id, by brand and SKU, or by a card's message.

    With ``product_id`` or ``message_id``, ``sku`` names one of the product's variants."""

    product_id: int | None = None
    brand: str | None = None
    sku: str | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class CheckoutSpec:
    """A checkout or its preview, as the handler validated it."""

    user_id: int
    brand: str
    items: Sequence[tuple[str, int]] | None
    shipping: str | None
    promo: str | None
    address: Address | None
    max_amount: int
    key: str = ""
    request_hash: str = ""
    expected_total: int | None = None
    card_message_id: int | None = None  # paying a checkout card
    at: int | None = None  # backdating, for the demo seed only


@dataclass(frozen=True, slots=True)
class PromoSpec:
    code: str
    kind: PromoKind
    value: int
    expires_at: int | None
    max_uses: int | None
    max_uses_per_customer: int | None
    min_basket: int
    active: bool


@dataclass(frozen=True, slots=True)
class BrandChanges:
    """Profile fields to change; None keeps the current value."""

    description: str | None = None
    currency: str | None = None
    shipping: list[ShippingOption] | None = None
    assistant: bool | None = None
    verified: bool | None = None
