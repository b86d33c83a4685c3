"""One-line summaries of the structured cards a message may carry (payments and the like).

Amounts come from the card's integer fields only, never from text; notes are cleaned.
"""

from __future__ import annotations

from collections.abc import Callable

from chatshop import safetext
from chatshop.protocol.cards import (
    Card,
    LuckyMoneyCard,
    OrderUpdateCard,
    PaymentCard,
    ProductCard,
    QuickRepliesCard,
    ReceiptCard,
    RequestCard,
    SplitCard,
)

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def money(amount: int, currency: str) -> str:
    """``€12.50`` from 1250 cents."""
    symbol = SYMBOLS.get(currency)
    value = f"{amount // 100}.{amount % 100:02d}"
    return f"{symbol}{value}" if symbol else f"{value} {safetext.clean_line(currency)}"


def summary(card: Card, name: Callable[[int], str]) -> str:
    """What the card says, in one line."""
    raw_note = getattr(card, "note", "")
    note = f" · {safetext.clean_line(raw_note, max_chars=60)}" if raw_note else ""
    if isinstance(card, PaymentCard):
        return (
            f"💸 {name(card.from_id)} paid {name(card.to_id)} "
            f"{money(card.amount, card.currency)}{note}"
        )
    if isinstance(card, RequestCard):
        return (
            f"🧾 {name(card.requester_id)} asks {name(card.payer_id)} for "
            f"{money(card.amount, card.currency)}{note} ({card.status})"
        )
    if isinstance(card, SplitCard):
        paid = sum(1 for share in card.shares if share.status == "paid")
        return (
            f"🍕 {name(card.creator_id)} split {money(card.total, card.currency)} "
            f"among {len(card.shares) + (1 if card.creator_share else 0)}{note} "
            f"({paid}/{len(card.shares)} paid)"
        )
    if isinstance(card, LuckyMoneyCard):
        return (
            f"🧧 {name(card.sender_id)} dropped lucky money "
            f"{money(card.total, card.currency)} for {card.count}{note} "
            f"({len(card.claims)}/{card.count} opened)"
        )
    if isinstance(card, ProductCard):
        was = f" (was {money(card.compare_at, card.currency)})" if card.compare_at else ""
        return (
            f"🛍 {safetext.clean_line(card.title, max_chars=60)} · "
            f"{money(card.price, card.currency)}{was} · @{card.brand_handle}"
        )
    if isinstance(card, ReceiptCard):
        return (
            f"🧾 order {safetext.clean_line(card.number)}: "
            f"{money(card.total, card.currency)} ({card.status})"
        )
    if isinstance(card, OrderUpdateCard):
        return f"📦 order {safetext.clean_line(card.number)} is {card.status}{note}"
    if isinstance(card, QuickRepliesCard):
        labels = " · ".join(safetext.clean_line(r.label, max_chars=24) for r in card.replies)
        return f"↳ {labels}"
    return "a card this version cannot show"
