"""Personal alerts as pure functions: does this change of a product meet this watch, and
what the alert says. Called inside the transaction of the change (``storage.alerts``).

A watch looks at a ``Shelf``: the price, how many are left (of its variant, or of the whole
product) and whether the product is on sale. It fires on the change that makes its condition
come true, never on one that finds it already true: a restock from nothing, a price crossing
the asked-for line, a drop to the 30-day low. So each change fires a watch at most once, and
fifty restocks in a row fire it once (only the first found the shelf empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chatshop.protocol.cards import AlertKind
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import format_money

LOWEST_WINDOW_MS = 30 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class Shelf:
    """What a watch looks at, at one moment."""

    price: int
    stock: int
    active: bool

    @property
    def available(self) -> bool:
        return self.active and self.stock > 0


@dataclass(frozen=True, slots=True)
class WatchRule:
    """What a person asked to be told of."""

    alert: AlertKind
    below: int | None = None


def check_rule(rule: WatchRule) -> None:
    """``bad_request`` for a watch that cannot fire: ``price_below`` without its price, or a
    price given to a kind that takes none."""
    if rule.alert == "price_below" and rule.below is None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "price_below needs the price: below")
    if rule.alert != "price_below" and rule.below is not None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"{rule.alert} takes no below price")


def lowest(current: int, in_window: Iterable[int], before_window: int | None) -> int:
    """The lowest price of the window: the current one, every price set during it, and the
    one in force when it began (the last set before it)."""
    prices = [current, *in_window]
    if before_window is not None:
        prices.append(before_window)
    return min(prices)


def holds(rule: WatchRule, shelf: Shelf, lowest_30d: int) -> bool:
    """Whether the condition is true now (``Watch.met``)."""
    if rule.alert == "back_in_stock":
        return shelf.available
    if rule.alert == "price_below":
        return rule.below is not None and shelf.price <= rule.below
    return shelf.price <= lowest_30d


def fires(rule: WatchRule, before: Shelf, after: Shelf, lowest_before: int) -> bool:
    """Whether the change from ``before`` to ``after`` meets the watch. ``lowest_before`` is
    the 30-day low as it was before the change. Nothing fires for a product off sale."""
    if not after.active:
        return False
    if rule.alert == "back_in_stock":
        return after.stock > 0 and not before.available
    if rule.alert == "price_below":
        return rule.below is not None and after.price <= rule.below < before.price
    return after.price < before.price and after.price <= lowest_before


def offer_price(price: int, kind: str, value: int) -> int:
    """One item's price under an offer: a percentage off rounded down (as at checkout), or a
    fixed amount off, never under zero."""
    off = price * value // 100 if kind == "percent" else min(value, price)
    return price - off


def alert_text(
    rule: WatchRule, title: str, label: str, price: int, currency: str, stock: int
) -> str:
    """The alert message's text (what a notification shows); the card carries the facts."""
    name = f"{title} ({label})" if label else title
    now = format_money(price, currency)
    if rule.alert == "back_in_stock":
        return f"Back in stock: {name}, {stock} left at {now}."
    if rule.alert == "price_below" and rule.below is not None:
        asked = format_money(rule.below, currency)
        return f"Price alert: {name} is now {now} (you asked for {asked} or less)."
    return f"Price alert: {name} is at its lowest price in 30 days: {now}."
