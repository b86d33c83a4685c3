"""What every card renderer shares: role-tagged spans, amounts drawn from integer fields,
and a product's lines (a product card, or the product inside a promoted post)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from chatshop import safetext
from chatshop.protocol.cards import ProductCard
from chatshop.protocol.errors import ProtocolError
from chatshop.protocol.money import format_money
from chatshop.protocol.orders import LOW_STOCK

Role = Literal["title", "amount", "meta", "note", "ok", "bad", "action", "was"]
Span = tuple[str, Role]
Line = list[Span]
Names = Callable[[int], str]


def money(amount: int, currency: str) -> str:
    """``EUR 12.50`` from 1250 and "EUR"; a currency this client does not know is shown as
    its cleaned code with the raw minor units, never guessed."""
    try:
        return format_money(amount, currency)
    except (ProtocolError, ValueError):
        return f"{safetext.clean_line(currency, max_chars=8)} {amount} (minor units)"


def product_lines(card: ProductCard) -> tuple[Line, Line, Line]:
    """Title; price with the former one struck through and the brand; stock and sizes."""
    head: Line = [("🛍 ", "title"), (safetext.clean_line(card.title, max_chars=60), "title")]
    price: Line = [(money(card.price, card.currency), "amount")]
    if card.compare_at is not None and card.compare_at > card.price:
        off = round(100 * (card.compare_at - card.price) / card.compare_at)
        price += [("  ", "meta"), (money(card.compare_at, card.currency), "was")]
        price.append((f"  -{off}%", "ok"))
    brand = safetext.clean_line(card.brand_handle, max_chars=32)
    price.append((f"  · @{brand}{' ✓' if card.verified else ''}", "meta"))
    stock = (
        "sold out"
        if card.stock <= 0
        else (f"only {card.stock} left" if card.stock <= LOW_STOCK else "in stock")
    )
    detail: Line = [(stock, "bad" if card.stock <= 0 else "meta")]
    if len(card.variants) > 1:
        detail.append((" · ", "meta"))
        for n, variant in enumerate(card.variants):
            label = safetext.clean_line(variant.label or variant.sku, max_chars=16)
            role: Role = "was" if variant.stock <= 0 else "meta"
            detail.append((("" if n == 0 else " ") + label, role))
    return head, price, detail
