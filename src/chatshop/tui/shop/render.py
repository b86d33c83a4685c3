"""Shopping records as Rich text: product cards and products, carts, checkout quotes and
orders. Prices come from the integer fields through ``format_money`` only; titles, labels
and notes go through ``safetext`` like all untrusted text; nothing is parsed as markup.

Styles are theme-neutral words ("bold", "dim", "strike", "reverse") so the same text reads
on every theme; screens colour the frame around it from their ``.tcss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text

from chatshop import safetext
from chatshop.protocol.cards import CardVariant, OrderStatus
from chatshop.protocol.money import format_money
from chatshop.protocol.orders import LOW_STOCK
from chatshop.protocol.shop_models import (
    CartLine,
    CheckoutQuote,
    CheckoutResult,
    Order,
    Product,
    Variant,
)

TIMES = " \u00d7 "
TITLE_CHARS = 60
NEXT_STATUS: dict[OrderStatus, OrderStatus] = {
    "placed": "confirmed",
    "confirmed": "preparing",
    "preparing": "shipped",
    "shipped": "delivered",
}
STATUS_MARK: dict[OrderStatus, str] = {
    "placed": "○",
    "confirmed": "◔",
    "preparing": "◑",
    "shipped": "◕",
    "delivered": "●",
    "cancelled": "✕",
    "refunded": "↩",
}


def count(n: int, word: str) -> str:
    """``1 item``, ``2 items``."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def stock_note(stock: int) -> str:
    """``sold out``, ``only 3 left`` or ``in stock``."""
    if stock <= 0:
        return "sold out"
    if stock <= LOW_STOCK:
        return f"only {stock} left"
    return "in stock"


def price_text(price: int, currency: str, compare_at: int | None = None) -> Text:
    """The price in bold; a former price struck through after it, and the saving."""
    out = Text(end="")
    out.append(format_money(price, currency), style="bold")
    if compare_at is not None and compare_at > price:
        out.append("  ")
        out.append(format_money(compare_at, currency), style="strike dim")
        off = round(100 * (compare_at - price) / compare_at)
        out.append(f"  -{off}%", style="bold")
    return out


def _stock_style(stock: int) -> str:
    return "dim" if stock <= 0 else ("bold" if stock <= LOW_STOCK else "")


def variant_strip(variants: Sequence[CardVariant | Variant]) -> Text:
    """``40R 42L(3) 44L`` with sold-out sizes struck through."""
    out = Text(end="")
    for n, variant in enumerate(variants):
        if n:
            out.append(" ")
        label = safetext.clean_line(variant.label or variant.sku, max_chars=16)
        if variant.stock <= 0:
            out.append(label, style="strike dim")
        elif variant.stock <= LOW_STOCK:
            out.append(f"{label}({variant.stock})")
        else:
            out.append(label)
    return out


def product_text(product: Product) -> Text:
    """A product's details for the product screen (the picture is drawn beside it)."""
    out = Text(end="")
    out.append(safetext.clean_line(product.title, max_chars=TITLE_CHARS), style="bold")
    out.append(f"\n@{safetext.clean_line(product.brand.handle, max_chars=32)}", style="dim")
    if product.verified:
        out.append(" ✓ verified", style="dim")
    out.append("\n")
    out.append_text(price_text(product.price, product.currency, product.compare_at))
    out.append("\n")
    out.append(stock_note(product.stock), style=_stock_style(product.stock))
    out.append(f" · SKU {safetext.clean_line(product.sku, max_chars=32)}", style="dim")
    if product.description:
        out.append("\n\n")
        out.append(safetext.clean(product.description))
    return out


def variant_label(variant: Variant) -> Text:
    """One row of the variant picker: label, SKU and stock."""
    out = Text(end="")
    out.append(f"{safetext.clean_line(variant.label or 'one size', max_chars=16):<10}")
    out.append(f" {stock_note(variant.stock)}", style=_stock_style(variant.stock))
    return out


def product_row(product: Product) -> Text:
    """One line of a catalogue or search result."""
    out = Text(end="")
    out.append(f"{safetext.clean_line(product.title, max_chars=36):<36} ")
    out.append_text(price_text(product.price, product.currency, product.compare_at))
    out.append(f"  @{safetext.clean_line(product.brand.handle, max_chars=20)}", style="dim")
    out.append(f"  {stock_note(product.stock)}", style=_stock_style(product.stock))
    return out


def cart_line_text(line: CartLine, currency: str) -> Text:
    """One cart line: quantity, title and size, line total, and what changed since."""
    out = Text(end="")
    out.append(f"{line.quantity:>3}{TIMES}")
    title = safetext.clean_line(line.title, max_chars=36)
    if line.label:
        title += f" ({safetext.clean_line(line.label, max_chars=12)})"
    out.append(f"{title:<44}")
    out.append(format_money(line.unit_price * line.quantity, currency), style="bold")
    if line.price_changed:
        out.append("  price changed: was ", style="bold")
        out.append(format_money(line.price_when_added, currency), style="strike")
    if line.status == "low_stock":
        out.append(f"  stock changed: only {line.available} left", style="bold")
    elif line.status == "sold_out":
        out.append("  sold out", style="bold")
    elif line.status == "unavailable":
        out.append("  no longer sold", style="bold")
    return out


def totals_text(
    currency: str,
    subtotal: int,
    discount: int,
    total: int,
    *,
    promo: str | None = None,
    promo_problem: str = "",
    shipping: tuple[str, int] | None = None,
) -> Text:
    """Subtotal, promo discount, shipping and total, right-aligned amounts."""
    rows: list[tuple[str, str, str]] = [("Subtotal", format_money(subtotal, currency), "")]
    if promo:
        label = f"Promo {safetext.clean_line(promo, max_chars=24)}"
        if promo_problem:
            rows.append((label, safetext.clean_line(promo_problem, max_chars=48), "dim"))
        else:
            rows.append((label, "-" + format_money(discount, currency), ""))
    if shipping is not None:
        rows.append(
            (
                f"Shipping {safetext.clean_line(shipping[0], max_chars=24)}",
                format_money(shipping[1], currency),
                "",
            )
        )
    rows.append(("Total", format_money(total, currency), "bold"))
    out = Text(end="")
    for n, (label, amount, style) in enumerate(rows):
        if n:
            out.append("\n")
        out.append(f"{label:<30}{amount:>18}", style=style)
    return out


def quote_text(quote: CheckoutQuote) -> Text:
    """A checkout quote: lines, totals with shipping, wallet balance and problems."""
    out = Text(end="")
    out.append(f"Checkout at @{safetext.clean_line(quote.brand.handle, max_chars=32)}", "bold")
    for line in quote.lines:
        out.append("\n")
        out.append_text(cart_line_text(line, quote.currency))
    out.append("\n")
    out.append_text(
        totals_text(
            quote.currency,
            quote.subtotal,
            quote.discount,
            quote.total,
            promo=quote.promo.code if quote.promo else None,
            promo_problem=quote.promo.problem if quote.promo and not quote.promo.valid else "",
            shipping=(quote.shipping.name, quote.shipping_cost) if quote.shipping else None,
        )
    )
    out.append(
        f"\n{'Wallet balance':<30}{format_money(quote.balance, quote.currency):>18}", style="dim"
    )
    if quote.address is not None:
        a = quote.address
        where = ", ".join(
            safetext.clean_line(part, max_chars=40)
            for part in (a.name, a.line1, f"{a.postcode} {a.city}", a.country)
        )
        out.append(f"\nShip to {where}", style="dim")
    for problem in quote.problems:
        out.append(f"\n⚠ {safetext.clean_line(problem, max_chars=80)}", style="bold")
    return out


def placed_text(result: CheckoutResult) -> Text:
    """After paying: the order, what was paid, and the wallet balance now."""
    order = result.order
    out = Text(end="")
    out.append(f"Order {safetext.clean_line(order.number, max_chars=24)} placed", "bold")
    out.append(f" at @{safetext.clean_line(order.brand.handle, max_chars=32)}")
    for line in order.lines:
        label = f" ({safetext.clean_line(line.label, max_chars=12)})" if line.label else ""
        out.append(
            f"\n  {line.quantity}{TIMES}{safetext.clean_line(line.title, max_chars=36)}{label}"
        )
    out.append(f"\n\n{'Paid':<30}{format_money(order.total, order.currency):>18}", "bold")
    balance = format_money(result.balance.amount, result.balance.currency)
    out.append(f"\n{'Wallet balance now':<30}{balance:>18}", style="dim")
    return out


def when(ms: int) -> str:
    """``2026-11-22 14:05`` (UTC) for an order timeline."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def order_row(order: Order, *, staff: bool = False) -> Text:
    """One line of the orders pane: number, status, total, and who (for staff) or where."""
    out = Text(end="")
    out.append(f"{STATUS_MARK.get(order.status, '?')} ")
    out.append(f"{safetext.clean_line(order.number, max_chars=16):<12}", style="bold")
    out.append(f" {order.status:<10}")
    out.append(f" {format_money(order.total, order.currency):>12}")
    who = order.customer if staff else order.brand
    out.append(f"  @{safetext.clean_line(who.handle, max_chars=20)}", style="dim")
    return out


def order_text(order: Order) -> Text:
    """An order's details: lines, total, tracking and its timeline."""
    out = order_row(order)
    for line in order.lines:
        label = f" ({safetext.clean_line(line.label, max_chars=12)})" if line.label else ""
        out.append(
            f"\n  {line.quantity}{TIMES}{safetext.clean_line(line.title, max_chars=36)}{label}  "
            f"{format_money(line.unit_price * line.quantity, order.currency)}"
        )
    if order.tracking:
        carrier = safetext.clean_line(order.carrier or "", max_chars=24)
        out.append(
            f"\n  tracking {carrier} {safetext.clean_line(order.tracking, max_chars=40)}",
            style="bold",
        )
    for step in order.steps:
        out.append(
            f"\n  {STATUS_MARK.get(step.status, '?')} {when(step.at)}  {step.status}", style="dim"
        )
        if step.note:
            out.append(f" · {safetext.clean_line(step.note, max_chars=48)}", style="dim")
    return out
