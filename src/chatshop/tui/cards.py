"""The structured cards a message may carry, as the transcript and the sidebar show them.

A card is data: amounts are drawn from its integer fields with
:func:`chatshop.protocol.money.format_money` (ISO code and number, never a symbol read from
text), so lookalike digits or a bidi override in a note cannot change how an amount reads;
notes and names go through :mod:`chatshop.safetext` like all untrusted text.

:func:`lines` gives the transcript's two to four lines as spans tagged with a *role* (the
widget maps roles to its styles); :func:`summary` gives one line for the sidebar and toasts;
:func:`actions` says what the viewer can do with a card (pay, decline, cancel, open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

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
from chatshop.protocol.errors import ProtocolError
from chatshop.protocol.money import format_money

Role = Literal["title", "amount", "meta", "note", "ok", "bad", "action", "was"]
Span = tuple[str, Role]
Line = list[Span]
Verb = Literal["pay", "decline", "cancel", "open"]
Names = Callable[[int], str]

NOTE_CHARS = 80
LOW_STOCK = 5
SHARES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class CardAction:
    """Something the viewer can do with a card: pay or decline a request (or a split share),
    cancel a request they made, open a red packet. ``payee_id``, ``amount`` and ``currency``
    describe a payment for its confirmation."""

    verb: Verb
    request_id: int | None = None
    packet_id: int | None = None
    payee_id: int | None = None
    amount: int = 0
    currency: str = ""
    note: str = ""


def money(amount: int, currency: str) -> str:
    """``EUR 12.50`` from 1250 and "EUR"; a currency this client does not know is shown as
    its cleaned code with the raw minor units, never guessed."""
    try:
        return format_money(amount, currency)
    except (ProtocolError, ValueError):
        return f"{safetext.clean_line(currency, max_chars=8)} {amount} (minor units)"


def _note(raw: str) -> str:
    return safetext.clean_line(raw, max_chars=NOTE_CHARS)


# --------------------------------------------------------------------------- actions


def actions(card: Card, me: int | None) -> list[CardAction]:
    """What ``me`` can do with ``card`` now (nothing for cards that are settled)."""
    if me is None:
        return []
    if isinstance(card, RequestCard) and card.status == "open":
        if card.payer_id == me:
            pay = CardAction(
                "pay",
                request_id=card.request_id,
                payee_id=card.requester_id,
                amount=card.amount,
                currency=card.currency,
                note=card.note,
            )
            return [pay, CardAction("decline", request_id=card.request_id)]
        if card.requester_id == me:
            return [CardAction("cancel", request_id=card.request_id)]
    if isinstance(card, SplitCard):
        for share in card.shares:
            if share.user_id == me and share.status == "open":
                pay = CardAction(
                    "pay",
                    request_id=share.request_id,
                    payee_id=card.creator_id,
                    amount=share.amount,
                    currency=card.currency,
                    note=card.note,
                )
                return [pay, CardAction("decline", request_id=share.request_id)]
    if (
        isinstance(card, LuckyMoneyCard)
        and card.status == "open"
        and all(claim.user_id != me for claim in card.claims)
    ):
        return [CardAction("open", packet_id=card.packet_id)]
    return []


def find_action(card: Card, me: int | None, verb: str) -> CardAction | None:
    """The action ``verb`` on ``card`` for ``me`` ("decline" also finds "cancel")."""
    for action in actions(card, me):
        if action.verb == verb or (verb == "decline" and action.verb == "cancel"):
            return action
    return None


# --------------------------------------------------------------------------- transcript lines


def _first(user_id: int, me: int | None, name: Names) -> str:
    """A short name for lists (shares, claims): "You", or the first word of the name."""
    return "You" if user_id == me else (name(user_id).split(" ")[0] or name(user_id))


def _subject(user_id: int, me: int | None, name: Names) -> str:
    return "You" if user_id == me else name(user_id)


def _object(user_id: int, me: int | None, name: Names) -> str:
    return "you" if user_id == me else name(user_id)


def _buttons(found: list[CardAction]) -> Line:
    labels = {
        "pay": "Pay (p)",
        "decline": "Decline (d)",
        "cancel": "Cancel (d)",
        "open": "Open (o)",
    }
    line: Line = []
    for index, action in enumerate(found):
        if index:
            line.append(("  ", "meta"))
        line.append((f" ▸ {labels[action.verb]} ", "action"))
    return line


def lines(card: Card, *, me: int | None, name: Names) -> list[Line]:
    """The card in two to four lines of role-tagged spans: the headline, then details (the
    transcript indents those under it)."""
    if isinstance(card, PaymentCard):
        return _payment_lines(card, me, name)
    if isinstance(card, RequestCard):
        return _request_lines(card, me, name)
    if isinstance(card, SplitCard):
        return _split_lines(card, me, name)
    if isinstance(card, LuckyMoneyCard):
        return _lucky_lines(card, me, name)
    if isinstance(card, ProductCard):
        return _product_lines(card)
    return [[(summary(card, name), "title")]]


def _product_lines(card: ProductCard) -> list[Line]:
    """Title; price with the former one struck through; brand; stock and sizes; keys."""
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
    keys: Line = [("a add to cart · b buy now · s similar · #cart reply", "meta")]
    return [head, price, detail, keys]


def _payment_lines(card: PaymentCard, me: int | None, name: Names) -> list[Line]:
    head: Line = [
        ("💸 ", "title"),
        (_subject(card.from_id, me, name), "title"),
        (" paid ", "meta"),
        (_object(card.to_id, me, name), "title"),
        (" ", "meta"),
        (money(card.amount, card.currency), "amount"),
    ]
    detail: Line = []
    if card.note:
        detail += [(_note(card.note), "note"), (" · ", "meta")]
    detail.append((f"✓ sent · {safetext.clean_line(card.short_id, max_chars=16)}", "ok"))
    return [head, detail]


def _request_lines(card: RequestCard, me: int | None, name: Names) -> list[Line]:
    head: Line = [
        ("🧾 ", "title"),
        (_subject(card.requester_id, me, name), "title"),
        (" asks " if card.requester_id != me else " asked ", "meta"),
        (_object(card.payer_id, me, name), "title"),
        (" for ", "meta"),
        (money(card.amount, card.currency), "amount"),
    ]
    result: list[Line] = [head]
    if card.note:
        result.append([(_note(card.note), "note")])
    found = actions(card, me)
    if card.status == "paid":
        paid = f"✓ paid · {safetext.clean_line(card.short_id or '', max_chars=16)}".rstrip(" ·")
        result.append([(paid, "ok")])
    elif card.status in ("declined", "cancelled"):
        result.append([(f"✗ {card.status}", "bad")])
    elif found and found[0].verb == "pay":
        result.append(_buttons(found))
    else:
        waiting: Line = [(f"waiting for {name(card.payer_id)}", "meta")]
        if found:
            waiting += [("  ", "meta"), *_buttons(found)]
        result.append(waiting)
    return result


_SHARE_MARK: dict[str, tuple[str, Role]] = {
    "open": ("open", "meta"),
    "paid": ("✓ paid", "ok"),
    "declined": ("✗ declined", "bad"),
    "cancelled": ("✗ cancelled", "bad"),
}


def _split_lines(card: SplitCard, me: int | None, name: Names) -> list[Line]:
    people = len(card.shares) + (1 if card.creator_share else 0)
    head: Line = [
        ("🍕 ", "title"),
        (_subject(card.creator_id, me, name), "title"),
        (" split ", "meta"),
        (money(card.total, card.currency), "amount"),
        (f" among {people}", "meta"),
    ]
    if card.note:
        head += [(" · ", "meta"), (_note(card.note), "note")]
    shares: Line = []
    if card.creator_share:
        shares += [
            (_first(card.creator_id, me, name), "title"),
            (" " + money(card.creator_share, card.currency), "amount"),
            (" (own share)", "meta"),
        ]
    for index, share in enumerate(card.shares[:SHARES_SHOWN]):
        if index or card.creator_share:
            shares.append((" · ", "meta"))
        mark, role = _SHARE_MARK.get(share.status, (share.status, "meta"))
        shares += [
            (_first(share.user_id, me, name), "title"),
            (" " + money(share.amount, card.currency), "amount"),
            (f" {mark}", role),
        ]
    hidden = card.shares[SHARES_SHOWN:]
    if hidden:
        shares.append((f" · +{len(hidden)} more", "meta"))
    paid = sum(1 for share in card.shares if share.status == "paid")
    progress: Line = [(f"{paid}/{len(card.shares)} paid", "meta")]
    found = actions(card, me)
    if found:
        progress += [
            (" · your share ", "meta"),
            (money(found[0].amount, card.currency), "amount"),
            (":", "meta"),
            ("  ", "meta"),
            *_buttons(found),
        ]
    elif paid == len(card.shares):
        progress = [("✓ all paid", "ok")]
    return [head, shares, progress]


def _lucky_lines(card: LuckyMoneyCard, me: int | None, name: Names) -> list[Line]:
    head: Line = [
        ("🧧 ", "title"),
        (_subject(card.sender_id, me, name), "title"),
        (" sent lucky money ", "meta"),
        (money(card.total, card.currency), "amount"),
        (f" for {card.count}", "meta"),
    ]
    if card.note:
        head += [(" · ", "meta"), (_note(card.note), "note")]
    claims: Line = []
    if card.claims:
        claims.append((f"opened {len(card.claims)}/{card.count}: ", "meta"))
        for index, claim in enumerate(card.claims[:SHARES_SHOWN]):
            if index:
                claims.append((" · ", "meta"))
            claims += [
                (_first(claim.user_id, me, name), "title"),
                (" " + money(claim.amount, card.currency), "amount"),
            ]
        if len(card.claims) > SHARES_SHOWN:
            claims.append((f" · +{len(card.claims) - SHARES_SHOWN} more", "meta"))
    else:
        claims.append((f"nobody has opened it yet (0/{card.count})", "meta"))
    mine = next((c.amount for c in card.claims if c.user_id == me), None)
    state: Line = []
    found = actions(card, me)
    if found:
        state = _buttons(found)
    elif mine is not None:
        state += [("✓ you got ", "ok"), (money(mine, card.currency), "amount")]
    elif card.status == "finished":
        state.append(("all opened", "meta"))
    elif card.status == "expired":
        back = card.total - sum(claim.amount for claim in card.claims)
        state += [("expired", "bad")]
        if back:
            state += [
                (" · ", "meta"),
                (money(back, card.currency), "amount"),
                (f" went back to {name(card.sender_id)}", "meta"),
            ]
    else:
        state.append(("open", "meta"))
    return [head, claims, state]


# --------------------------------------------------------------------------- one line


def summary(card: Card, name: Names) -> str:
    """What the card says, in one line (sidebar previews, notifications)."""
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
            f"🧧 {name(card.sender_id)} sent lucky money "
            f"{money(card.total, card.currency)} for {card.count}{note} "
            f"({len(card.claims)}/{card.count} opened)"
        )
    if isinstance(card, ProductCard):
        was = f" (was {money(card.compare_at, card.currency)})" if card.compare_at else ""
        return (
            f"🛍 {safetext.clean_line(card.title, max_chars=60)} · "
            f"{money(card.price, card.currency)}{was} · "
            f"@{safetext.clean_line(card.brand_handle, max_chars=32)}"
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
