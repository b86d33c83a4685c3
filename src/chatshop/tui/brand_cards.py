"""The cards brands post, as the transcript shows them: a promoted post with its offer, a
ready checkout, an offer of its own, an invoice, an order update that asks for a receipt,
and your pick of a quick reply.

Like :mod:`chatshop.tui.cards` (which calls in here), every amount is drawn from integer
fields and every name or text goes through :mod:`chatshop.safetext`. Expiries read as a
countdown ("ends in 2 d 4 h") from the viewer's clock at the time the line is drawn.
"""

from __future__ import annotations

import time

from chatshop import safetext
from chatshop.protocol.cards import (
    AlertCard,
    CheckoutCard,
    InvoiceCard,
    OfferCard,
    OfferView,
    OrderUpdateCard,
    PromotionCard,
)
from chatshop.tui.cards_base import Line, Names, money, product_lines

TEXT_CHARS = 280
"""A post's or an offer's text, at most (the transcript wraps it)."""


def now_ms() -> int:
    return int(time.time() * 1000)


def countdown(expires_at: int, now: int) -> str:
    """``ends in 2 d 4 h`` / ``ends in 3 h 12 min`` / ``ends in 40 s`` / ``ended``."""
    left = (expires_at - now) // 1000
    if left <= 0:
        return "ended"
    days, rest = divmod(left, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"ends in {days} d {hours} h"
    if hours:
        return f"ends in {hours} h {minutes} min"
    if minutes:
        return f"ends in {minutes} min"
    return f"ends in {seconds} s"


def offer_value(offer: OfferView) -> str:
    """``20 % off`` or ``EUR 10.00 off``."""
    if offer.kind == "percent":
        return f"{offer.value} % off"
    return f"{money(offer.value, offer.currency)} off"


def offer_price(price: int, offer: OfferView) -> int:
    """What ``price`` becomes with ``offer`` (the checkout computes the real total)."""
    if offer.kind == "percent":
        return price - (price * offer.value + 50) // 100
    return max(price - offer.value, 0)


def _offer_line(offer: OfferView, now: int) -> Line:
    label = safetext.clean_line(offer.label, max_chars=60)
    line: Line = [("🏷 ", "ok"), (offer_value(offer), "ok")]
    if label:
        line.append((f" · {label}", "meta"))
    ended = offer.expires_at <= now
    line.append((f" · {countdown(offer.expires_at, now)}", "bad" if ended else "meta"))
    if not ended:
        line.append((" · applied at checkout, no code", "meta"))
    return line


def promotion_lines(card: PromotionCard, now: int) -> list[Line]:
    """``Promoted`` and the brand, the post's text, the product with the offer's price, the
    offer with its countdown, and the keys."""
    brand = safetext.clean_line(card.brand_handle, max_chars=32)
    verified = " ✓" if card.product is not None and card.product.verified else ""
    result: list[Line] = [
        [("📣 ", "title"), (" Promoted ", "action"), (f"  @{brand}{verified}", "meta")]
    ]
    text = safetext.clean_line(card.text, max_chars=TEXT_CHARS)
    if text:
        result.append([(text, "note")])
    product = card.product
    if product is not None:
        head, price, detail = product_lines(product)
        if card.offer is not None and card.offer.expires_at > now and _covers(card, product.sku):
            sale = offer_price(product.price, card.offer)
            price = [
                (money(sale, product.currency), "amount"),
                ("  ", "meta"),
                (money(product.price, product.currency), "was"),
            ]
        result += [head, price, detail]
    if card.offer is not None:
        result.append(_offer_line(card.offer, now))
    if product is not None:
        result.append([("a add to cart · b buy now · or ask @" + brand + " below", "meta")])
    return result


def _covers(card: PromotionCard, sku: str) -> bool:
    """Whether the post's offer is on its product (not on another one)."""
    offer = card.offer
    if offer is None or card.product is None:
        return False
    if offer.product_id is not None and offer.product_id != card.product.product_id:
        return False
    return offer.sku is None or offer.sku == sku or len(card.product.variants) > 1


def checkout_lines(card: CheckoutCard, me: int | None) -> list[Line]:
    """Each item, the offer, shipping and where to, the total, then Pay or its outcome."""
    brand = safetext.clean_line(card.brand_handle, max_chars=32)
    result: list[Line] = [[("🛒 ", "title"), (f"Checkout at @{brand}", "title")]]
    for line in card.lines:
        title = safetext.clean_line(line.title, max_chars=40)
        label = safetext.clean_line(line.label, max_chars=16)
        result.append(
            [
                (f"{line.quantity} x {title}", "meta"),
                (f" {label}" if label else "", "meta"),
                ("  ", "meta"),
                (money(line.unit_price * line.quantity, card.currency), "amount"),
            ]
        )
    if card.discount:
        offer = safetext.clean_line(card.offer_label or "offer", max_chars=40)
        result.append([(f"🏷 {offer} ", "ok"), (f"-{money(card.discount, card.currency)}", "ok")])
    ship = safetext.clean_line(card.shipping_name, max_chars=24)
    shipping: Line = [(f"{ship} shipping ", "meta"), (money(card.shipping, card.currency), "meta")]
    if card.ship_to:
        shipping.append((f" · to {safetext.clean_line(card.ship_to, max_chars=48)}", "meta"))
    result.append(shipping)
    result.append([("Total ", "title"), (money(card.total, card.currency), "amount")])
    for problem in card.problems[:3]:
        result.append([(f"⚠ {safetext.clean_line(problem, max_chars=80)}", "bad")])
    if card.status == "paid":
        number = safetext.clean_line(card.order_number or "", max_chars=24)
        result.append([(f"✓ paid · order {number}".rstrip(), "ok")])
    elif card.status == "stale":
        result.append([("✗ no longer valid: ask for a new one", "bad")])
    elif me == card.customer_id:
        result.append([(f" ▸ Pay {money(card.total, card.currency)} (p) ", "action")])
    else:
        result.append([("waiting for the customer to pay", "meta")])
    return result


def offer_card_lines(card: OfferCard, now: int) -> list[Line]:
    """The brand's offer on its own: what, until when, and Use."""
    brand = safetext.clean_line(card.brand_handle, max_chars=32)
    result: list[Line] = [
        [("🏷 ", "title"), (f"@{brand} gives you ", "meta"), (offer_value(card.offer), "ok")]
    ]
    text = safetext.clean_line(card.text, max_chars=TEXT_CHARS)
    if text:
        result.append([(text, "note")])
    result.append(_offer_line(card.offer, now))
    if card.offer.expires_at > now:
        result.append([(" ▸ Use (u) ", "action")])
    return result


def invoice_lines(card: InvoiceCard, me: int | None, name: Names, now: int) -> list[Line]:
    """The bill: who from, its reference, each line, the total, and Pay or its status."""
    reference = safetext.clean_line(card.reference, max_chars=32)
    result: list[Line] = [
        [
            ("🧾 ", "title"),
            (f"Invoice {reference}", "title"),
            (f" from {name(card.brand_id)}", "meta"),
        ]
    ]
    for line in card.lines[:8]:
        label = safetext.clean_line(line.label, max_chars=48)
        result.append([(label + "  ", "meta"), (money(line.amount, card.currency), "amount")])
    if len(card.lines) > 8:
        result.append([(f"+{len(card.lines) - 8} more lines", "meta")])
    result.append([("Total ", "title"), (money(card.total, card.currency), "amount")])
    if card.status == "paid":
        short = safetext.clean_line(card.short_id or "", max_chars=16)
        result.append([(f"✓ paid · {short}".rstrip(" ·"), "ok")])
    elif card.status == "expired" or card.expires_at <= now:
        result.append([("✗ expired: it can no longer be paid", "bad")])
    elif me == card.customer_id:
        result.append(
            [
                (f" ▸ Pay {money(card.total, card.currency)} (p) ", "action"),
                (f"  due: {countdown(card.expires_at, now).removeprefix('ends ')}", "meta"),
            ]
        )
    else:
        result.append([(f"waiting for payment · {countdown(card.expires_at, now)}", "meta")])
    return result


STEP_MARK = {
    "placed": "🧾",
    "confirmed": "✓",
    "preparing": "📦",
    "shipped": "🚚",
    "delivered": "📬",
    "cancelled": "✗",
    "refunded": "↩",
}


def order_update_lines(card: OrderUpdateCard, mine: bool) -> list[Line]:
    """The step, the carrier and tracking once shipped, and what the customer can do:
    confirm receipt once delivered, and report a problem at any step."""
    number = safetext.clean_line(card.number, max_chars=24)
    mark = STEP_MARK.get(card.status, "📦")
    result: list[Line] = [
        [(f"{mark} ", "title"), (f"order {number}", "title"), (f" is {card.status}", "meta")]
    ]
    if card.carrier or card.tracking:
        carrier = safetext.clean_line(card.carrier or "", max_chars=24)
        tracking = safetext.clean_line(card.tracking or "", max_chars=40)
        result.append([(f"{carrier} · tracking {tracking}".strip(" ·"), "meta")])
    if card.note:
        result.append([(safetext.clean_line(card.note, max_chars=120), "note")])
    if card.status == "delivered" and card.received:
        result.append([("✓ you confirmed it arrived", "ok")])
    if mine:
        keys: Line = []
        if card.status == "delivered" and not card.received:
            keys.append((" ▸ It arrived (c) ", "action"))
            keys.append(("  ", "meta"))
        keys.append((" ▸ Problem with this order? (h) ", "action"))
        result.append(keys)
    return result


ALERT_TITLES = {
    "back_in_stock": "Back in stock",
    "price_below": "Under your price",
    "lowest_30d": "Lowest price in 30 days",
}


def alert_lines(card: AlertCard) -> list[Line]:
    """``🔔 Alert`` and why, the product with its price now (and before), the 30-day low."""
    why = ALERT_TITLES.get(card.alert, "Alert")
    result: list[Line] = [[("🔔 ", "title"), (" Alert ", "action"), (f"  {why}", "title")]]
    head, _price, detail = product_lines(card.product)
    price: Line = [(money(card.price, card.currency), "amount")]
    if card.previous_price is not None and card.previous_price > card.price:
        price += [("  ", "meta"), (money(card.previous_price, card.currency), "was")]
    price.append((f"  · lowest in 30 days {money(card.lowest_30d, card.currency)}", "meta"))
    if card.below is not None:
        price.append((f" · your line {money(card.below, card.currency)}", "meta"))
    result += [head, price, detail]
    result.append([("a add to cart · b buy now · only you got this", "meta")])
    return result
