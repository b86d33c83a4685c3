"""Checkout rules: what a basket costs and whether it may be paid, with no SQL.

The stores read the rows (products, stock, the promo code, the saved address), build these
plain values and call the functions here inside the checkout's transaction; the tests call
them without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatshop.protocol.cards import OfferView
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import User
from chatshop.protocol.money import format_money
from chatshop.protocol.shop_models import (
    Address,
    CartLine,
    CartLineStatus,
    PromoApplied,
    PromoKind,
    ShippingOption,
)


@dataclass(frozen=True, slots=True)
class BrandInfo:
    """A brand's account and profile (defaults when it has no profile row yet)."""

    user: User
    description: str
    verified: bool
    currency: str
    shipping: list[ShippingOption]
    assistant: bool


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line to buy, priced now."""

    variant_id: int
    product_id: int
    sku: str
    title: str
    label: str
    quantity: int
    unit_price: int
    price_when_added: int
    available: int
    buyable: bool
    image: str | None

    @property
    def status(self) -> CartLineStatus:
        if not self.buyable:
            return "unavailable"
        if self.available == 0:
            return "sold_out"
        if self.available < self.quantity:
            return "low_stock"
        return "ok"

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    def describe(self) -> str:
        return f"{self.title} ({self.label})" if self.label else self.title

    def view(self) -> CartLine:
        return CartLine(
            variant_id=self.variant_id,
            product_id=self.product_id,
            sku=self.sku,
            title=self.title,
            label=self.label,
            quantity=self.quantity,
            unit_price=self.unit_price,
            price_when_added=self.price_when_added,
            available=self.available,
            status=self.status,
            price_changed=self.unit_price != self.price_when_added,
            image=self.image,
        )


@dataclass(frozen=True, slots=True)
class OfferRule:
    """An offer granted to the buyer: what it takes off, and on what."""

    offer_id: int
    kind: str  # percent | fixed
    value: int
    product_id: int | None
    variant_id: int | None
    view: OfferView


def offer_discount(rule: OfferRule, lines: list[PricedLine]) -> int:
    """What the offer takes off the lines it covers (a percentage rounded down, or a fixed
    amount never above them); 0 when it covers none."""
    covered = sum(
        line.total
        for line in lines
        if line.buyable
        and (rule.variant_id is None or line.variant_id == rule.variant_id)
        and (rule.product_id is None or line.product_id == rule.product_id)
    )
    if rule.kind == "percent":
        return covered * rule.value // 100
    return min(rule.value, covered)


def best_offer(rules: list[OfferRule], lines: list[PricedLine]) -> tuple[OfferRule, int] | None:
    """The granted offer that takes the most off these lines, if any takes something."""
    scored = [(offer_discount(rule, lines), rule) for rule in rules]
    scored = [(amount, rule) for amount, rule in scored if amount > 0]
    if not scored:
        return None
    amount, rule = max(scored, key=lambda pair: (pair[0], -pair[1].offer_id))
    return rule, amount


@dataclass(frozen=True, slots=True)
class PromoRule:
    """A brand's promo code as stored: what it takes off and when it applies."""

    code: str
    kind: PromoKind
    value: int
    currency: str
    active: bool
    expires_at: int | None
    max_uses: int | None
    uses: int
    max_uses_per_customer: int | None
    min_basket: int


def promo_problem(rule: PromoRule, *, used_by_me: int, subtotal: int, now: int) -> str:
    """Why the code does not apply to this basket now ("" when it does)."""
    if not rule.active:
        return f"{rule.code} is no longer valid"
    if rule.expires_at is not None and rule.expires_at <= now:
        return f"{rule.code} has expired"
    if rule.max_uses is not None and rule.uses >= rule.max_uses:
        return f"{rule.code} has been used up"
    if rule.max_uses_per_customer is not None and used_by_me >= rule.max_uses_per_customer:
        times = "" if rule.max_uses_per_customer == 1 else f" {rule.max_uses_per_customer} times"
        return f"you have already used {rule.code}{times}"
    if subtotal < rule.min_basket:
        return (
            f"{rule.code} needs a basket of at least {format_money(rule.min_basket, rule.currency)}"
        )
    return ""


def promo_discount(rule: PromoRule, subtotal: int) -> int:
    """What the code takes off ``subtotal``: a percentage rounded down, or a fixed amount
    never above the subtotal."""
    if rule.kind == "percent":
        return subtotal * rule.value // 100
    return min(rule.value, subtotal)


@dataclass(frozen=True, slots=True)
class PromoCheck:
    applied: PromoApplied
    promo_id: int | None

    @property
    def discount(self) -> int:
        return self.applied.discount if self.applied.valid else 0


@dataclass(frozen=True, slots=True)
class Basket:
    """Everything a checkout needs, priced now."""

    brand: BrandInfo
    lines: list[PricedLine]
    from_cart: bool
    subtotal: int
    promo: PromoCheck | None
    shipping: ShippingOption
    address: Address | None
    offer: tuple[OfferRule, int] | None = None  # the best granted offer and what it takes

    @property
    def offer_wins(self) -> bool:
        """An offer and a promo code do not combine: the one that takes more applies."""
        promo = self.promo.discount if self.promo else 0
        return self.offer is not None and self.offer[1] >= promo

    @property
    def discount(self) -> int:
        if self.offer_wins:
            assert self.offer is not None
            return self.offer[1]
        return self.promo.discount if self.promo else 0

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping.price

    def problems(self) -> list[str]:
        found = []
        for line in self.lines:
            if line.status == "unavailable":
                found.append(f"{line.describe()} is no longer sold")
            elif line.status == "sold_out":
                found.append(f"{line.describe()} is sold out")
            elif line.status == "low_stock":
                found.append(f"only {line.available} left of {line.describe()}")
        if self.promo is not None and not self.promo.applied.valid and not self.offer_wins:
            found.append(self.promo.applied.problem)
        if self.address is None:
            found.append("a shipping address is needed")
        return found


def check_checkout(basket: Basket, *, expected_total: int | None, max_amount: int) -> None:
    """Everything that must hold before stock is taken and money moves, else the error."""
    if basket.address is None:
        raise ProtocolError(
            ErrorCode.ADDRESS_REQUIRED, "where should it go? Send a shipping address"
        )
    if basket.promo is not None and not basket.promo.applied.valid and not basket.offer_wins:
        raise ProtocolError(ErrorCode.PROMO_INVALID, basket.promo.applied.problem)
    for line in basket.lines:
        if not line.buyable:
            raise ProtocolError(ErrorCode.GONE, f"{line.describe()} is no longer sold")
    currency = basket.brand.currency
    if expected_total is not None and expected_total != basket.total:
        raise ProtocolError(
            ErrorCode.PRICE_CHANGED,
            f"the total is now {format_money(basket.total, currency)}, not "
            f"{format_money(expected_total, currency)}: check the order again",
        )
    if basket.total > max_amount:
        raise ProtocolError(
            ErrorCode.LIMIT_EXCEEDED,
            f"one payment may move at most {max_amount} minor units of {currency}",
        )


def sold_out(line: PricedLine, left: int) -> ProtocolError:
    """The error for a line whose stock ran out under the checkout."""
    if left == 0:
        return ProtocolError(ErrorCode.SOLD_OUT, f"{line.describe()} is sold out")
    return ProtocolError(
        ErrorCode.SOLD_OUT, f"only {left} left of {line.describe()}; you asked for {line.quantity}"
    )
