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

from dataclasses import dataclass
from typing import Literal

from chatshop import safetext
from chatshop.protocol.cards import (
    AlertCard,
    Card,
    CheckoutCard,
    InvoiceCard,
    LuckyMoneyCard,
    OfferCard,
    OrderUpdateCard,
    PaymentCard,
    PickCard,
    ProductCard,
    PromotionCard,
    QuickRepliesCard,
    ReceiptCard,
    RequestCard,
    SplitCard,
)
from chatshop.tui import brand_cards
from chatshop.tui.cards_base import Line, Names, Role, Span, money, product_lines

__all__ = [
    "TEXT_AFTER",
    "CardAction",
    "Line",
    "Names",
    "Role",
    "Span",
    "actions",
    "lines",
    "money",
    "repeats_text",
    "summary",
]

Verb = Literal["pay", "decline", "cancel", "open"]
TEXT_AFTER = (QuickRepliesCard, PickCard, CheckoutCard, InvoiceCard)
"""Cards whose message text comes first (the bot's words, then what they offer)."""

NOTE_CHARS = 80
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
    if isinstance(card, InvoiceCard) and card.status == "open" and card.customer_id == me:
        return [
            CardAction(
                "pay",
                payee_id=card.brand_id,
                amount=card.total,
                currency=card.currency,
                note=card.reference,
            )
        ]
    if isinstance(card, CheckoutCard) and card.status == "open" and card.customer_id == me:
        return [
            CardAction("pay", payee_id=card.brand_id, amount=card.total, currency=card.currency)
        ]
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


def repeats_text(card: Card, text: str) -> bool:
    """Whether the card already shows the message's text (a promoted post carries it)."""
    return isinstance(card, PromotionCard | OfferCard) and card.text.strip() == text.strip()


def lines(card: Card, *, me: int | None, name: Names, now: int | None = None) -> list[Line]:
    """The card in two to four lines of role-tagged spans: the headline, then details (the
    transcript indents those under it). ``now`` (ms) is for countdowns."""
    at = brand_cards.now_ms() if now is None else now
    if isinstance(card, PromotionCard):
        return brand_cards.promotion_lines(card, at)
    if isinstance(card, AlertCard):
        return brand_cards.alert_lines(card)
    if isinstance(card, CheckoutCard):
        return brand_cards.checkout_lines(card, me)
    if isinstance(card, OfferCard):
        return brand_cards.offer_card_lines(card, at)
    if isinstance(card, InvoiceCard):
        return brand_cards.invoice_lines(card, me, name, at)
    if isinstance(card, OrderUpdateCard):
        return brand_cards.order_update_lines(card, mine=False)
    if isinstance(card, PickCard):
        return []
    if isinstance(card, QuickRepliesCard):
        labels = " · ".join(safetext.clean_line(r.label, max_chars=24) for r in card.replies)
        return [[(f"↳ {labels}", "meta")]]
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
    """The product, then its keys."""
    keys: Line = [("a add to cart · b buy now · s similar · #cart reply", "meta")]
    return [*product_lines(card), keys]


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
    return _brand_summary(card, name)


def _brand_summary(card: Card, name: Names) -> str:
    """One line for the cards brands post."""
    if isinstance(card, PromotionCard):
        offer = f" · {brand_cards.offer_value(card.offer)}" if card.offer else ""
        text = safetext.clean_line(card.text, max_chars=60)
        return f"📣 Promoted · {text}{offer}"
    if isinstance(card, CheckoutCard):
        state = {"open": "ready to pay", "paid": "paid", "stale": "no longer valid"}
        return (
            f"🛒 checkout at @{safetext.clean_line(card.brand_handle, max_chars=32)}: "
            f"{money(card.total, card.currency)} ({state[card.status]})"
        )
    if isinstance(card, OfferCard):
        return (
            f"🏷 @{safetext.clean_line(card.brand_handle, max_chars=32)} gives you "
            f"{brand_cards.offer_value(card.offer)}"
        )
    if isinstance(card, InvoiceCard):
        return (
            f"🧾 invoice {safetext.clean_line(card.reference, max_chars=32)} from "
            f"{name(card.brand_id)}: {money(card.total, card.currency)} ({card.status})"
        )
    if isinstance(card, AlertCard):
        why = brand_cards.ALERT_TITLES.get(card.alert, "Alert")
        return (
            f"🔔 {why}: {safetext.clean_line(card.product.title, max_chars=60)} · "
            f"{money(card.price, card.currency)}"
        )
    if isinstance(card, PickCard):
        return f"↳ {safetext.clean_line(card.label, max_chars=24)}"
    return "a card this version cannot show"
