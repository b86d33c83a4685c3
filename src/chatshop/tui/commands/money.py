"""Money in the conversation: amounts typed in the composer (``€12 taxi``), the money
commands, and the verbs on money cards (pay, decline or cancel, open a red packet).

Every movement out of the wallet opens a confirmation first (:mod:`..screens.confirm`), which
makes the call and closes with the relay's answer; balances and cards then arrive through the
event stream like everyone else's, so they are applied once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from textual.content import Content

from chatshop import safetext
from chatshop.client import ChatClient
from chatshop.money_input import (
    Amount,
    AmountError,
    equal_shares,
    parse_lucky,
    parse_payment_line,
    parse_request,
    parse_split,
    parse_topup,
)
from chatshop.protocol.cards import (
    CheckoutCard,
    InvoiceCard,
    LuckyMoneyCard,
    RequestCard,
    SplitCard,
)
from chatshop.protocol.models import Message, Thread, User
from chatshop.protocol.payment_frames import ClaimResult, PaymentResult, ShareSpec
from chatshop.protocol.shop_models import CheckoutResult
from chatshop.tui.cards import CardAction, actions, money
from chatshop.tui.commands.chat import failed
from chatshop.tui.commands.context import Context
from chatshop.tui.commands.registry import (
    GROUPS,
    THREADS,
    Args,
    Command,
    Offer,
    Shape,
    Verb,
    action_command,
)
from chatshop.tui.screens.confirm import ConfirmScreen, MoneyPlan, MoneyResult


def new_key() -> str:
    return uuid.uuid4().hex


def person(user: User) -> str:
    """``Alice Moreau (@alice)``: the name and the handle, both cleaned."""
    name = safetext.clean_line(user.display_name, max_chars=40) or user.handle
    return f"{name} (@{safetext.clean_line(user.handle, max_chars=32)})"


# --------------------------------------------------------------------------- checks


def _member(thread: Thread, handle: str) -> User | None:
    return next((m for m in thread.members if m.handle.lower() == handle.lower()), None)


def _counterpart(ctx: Context, thread: Thread, handle: str | None, example: str) -> User:
    """Whom a payment or request is for: the named member, or the other person of a direct
    thread; AmountError with a hint (``example`` shows how) otherwise."""
    if handle is None:
        if thread.kind == "group":
            raise AmountError(f"In a group, say who: {example}")
        other = ctx.session.threads.other(thread)
        if other is None:
            raise AmountError("There is nobody else in this conversation.")
        return other
    member = _member(thread, handle)
    if member is None:
        raise AmountError(f"@{handle} is not in this conversation.")
    if member.id == ctx.session.threads.my_id:
        raise AmountError("That is you.")
    return member


def _affordable(ctx: Context, amount: Amount) -> int:
    """The balance after paying ``amount``; AmountError when it cannot be paid."""
    wallet = ctx.session.wallet
    if not wallet.loaded:
        raise AmountError("Your wallet is still loading; try again in a moment.")
    limit = wallet.limit(amount.currency)
    if limit is not None and amount.minor > limit:
        raise AmountError(f"One payment moves at most {money(limit, amount.currency)}.")
    have = wallet.balance(amount.currency)
    if have < amount.minor:
        raise AmountError(
            f"Not enough money: you have {money(have, amount.currency)}. "
            "/topup adds some (e.g. /topup 50)."
        )
    return have - amount.minor


def _thread_name(ctx: Context, thread: Thread) -> str:
    return safetext.clean_line(ctx.session.threads.title(thread), max_chars=40)


def _note_spans(note: str) -> list[tuple[str, str]]:
    if not note:
        return []
    return [(" — ", ""), (safetext.clean_line(note, max_chars=80), "italic")]


def _body(first: list[tuple[str, str]], amount: Amount, after: int) -> Content:
    return Content("\n").join(
        [
            Content.assemble(*first),
            Content.assemble(
                ("Balance after: ", "$text-muted"), (money(after, amount.currency), "bold")
            ),
        ]
    )


# --------------------------------------------------------------------------- outcomes


def success(ctx: Context, result: MoneyResult) -> str:
    """What to say once the relay answered."""
    if isinstance(result, PaymentResult):
        transfer = result.transfer
        amount = money(transfer.amount, transfer.currency)
        short = safetext.clean_line(transfer.short_id)
        if result.replayed:
            return f"Already sent · {short} ({amount}): nothing was paid twice."
        balance = money(result.balance.amount, result.balance.currency)
        if transfer.kind == "topup":
            return f"Topped up {amount} · {short}. Balance: {balance}."
        who = person(transfer.counterparty) if transfer.counterparty else "them"
        return f"Paid {who} {amount} · {short}. Balance: {balance}."
    if isinstance(result, CheckoutResult):
        order = result.order
        total = money(order.total, order.currency)
        number = safetext.clean_line(order.number)
        if result.replayed:
            return f"Already paid · order {number} ({total}): nothing was paid twice."
        saved = f", {money(order.discount, order.currency)} off" if order.discount else ""
        return (
            f"Paid {total}{saved} · order {number} (f4 follows it). "
            f"Balance: {money(result.balance.amount, result.balance.currency)}."
        )
    if isinstance(result, ClaimResult):
        return (
            f"🧧 You got {money(result.amount, result.currency)}. "
            f"Balance: {money(result.balance.amount, result.balance.currency)}."
        )
    if result.replayed:
        return "Already sent: this was posted once."
    card = result.message.card
    if isinstance(card, RequestCard):
        if card.status in ("declined", "cancelled"):
            return f"Request {card.status}."
        payer = ctx.session.threads.user(card.payer_id)
        who = person(payer) if payer else "them"
        return f"Asked {who} for {money(card.amount, card.currency)}."
    if isinstance(card, SplitCard):
        count = len(card.shares)
        return (
            f"Split {money(card.total, card.currency)}: "
            f"{count} share{'s' if count != 1 else ''} requested."
        )
    if isinstance(card, LuckyMoneyCard):
        return f"Lucky money sent: {money(card.total, card.currency)} for {card.count}."
    return "Done."


def _answered(ctx: Context, result: MoneyResult) -> None:
    message = getattr(result, "message", None)
    if isinstance(message, Message):
        ctx.feed.stored(message)
    ctx.hint(success(ctx, result))


def confirm(ctx: Context, plan: MoneyPlan) -> None:
    """Open the confirmation; its answer (or a cancel) comes back here."""

    def closed(result: MoneyResult | None) -> None:
        if result is None:
            ctx.restore(plan.composer_text)
            ctx.hint("Cancelled: nothing was paid.")
        else:
            _answered(ctx, result)

    ctx.push(ConfirmScreen(plan), closed)


def _direct(
    ctx: Context, label: str, request: Callable[[ChatClient], Awaitable[MoneyResult]]
) -> None:
    """A money call that needs no confirmation (nothing leaves your wallet yet)."""
    ctx.call(request, lambda result: _answered(ctx, result), failed(ctx, label), label=label)


# --------------------------------------------------------------------------- commands


def pay_plan(
    ctx: Context, thread: Thread, payee: User, amount: Amount, note: str, line: str
) -> MoneyPlan:
    after = _affordable(ctx, amount)
    key = new_key()
    where = "" if thread.kind != "group" else f" in {_thread_name(ctx, thread)}"
    body = _body(
        [
            ("Pay ", ""),
            (person(payee), "bold"),
            (" ", ""),
            (str(amount), "bold $accent"),
            *_note_spans(note),
            (where, "$text-muted"),
        ],
        amount,
        after,
    )
    return MoneyPlan(
        title="Confirm payment",
        body=body,
        confirm_label=f"Pay {amount}",
        request=lambda c: c.pay(
            thread.id, payee.handle, amount.minor, amount.currency, note=note, key=key
        ),
        label=f"payment to @{payee.handle}",
        composer_text=line,
    )


def payment_line(ctx: Context, text: str) -> bool:
    """Handle ``text`` if it starts with an amount (a payment); False for plain text."""
    try:
        line = parse_payment_line(text, ctx.session.wallet.default_currency)
        if line is None:
            return False
        thread = ctx.thread
        if thread is None:
            raise AmountError("Open a conversation first.")
        payee = _counterpart(ctx, thread, line.handle, "$20 @alice for tickets")
        confirm(ctx, pay_plan(ctx, thread, payee, line.amount, line.note, text))
    except AmountError as exc:
        ctx.hint(str(exc), error=True)
        ctx.restore(text)
    return True


def _money_command(
    run: Callable[[Context, Thread, str, str | None], None],
) -> Callable[[Context, Args], bool]:
    def command(ctx: Context, args: Args) -> bool:
        thread = ctx.thread
        assert thread is not None
        try:
            run(ctx, thread, args.text, ctx.session.wallet.default_currency)
        except AmountError as exc:
            ctx.hint(str(exc), error=True)
            return False
        return True

    return command


def _pay(ctx: Context, thread: Thread, text: str, default: str | None) -> None:
    spec = parse_request(text, default)
    payee = _counterpart(ctx, thread, spec.handle, "/pay @alice $20 tickets")
    confirm(ctx, pay_plan(ctx, thread, payee, spec.amount, spec.note, f"/pay {text}"))


def _request(ctx: Context, thread: Thread, text: str, default: str | None) -> None:
    spec = parse_request(text, default)
    payer = _counterpart(ctx, thread, spec.handle, "/request @alice $15 cinema")
    key, amount = new_key(), spec.amount
    _direct(
        ctx,
        "/request",
        lambda c: c.request_money(
            thread.id, payer.handle, amount.minor, amount.currency, note=spec.note, key=key
        ),
    )
    ctx.hint(f"Asking {person(payer)} for {amount}…")


def _split(ctx: Context, thread: Thread, text: str, default: str | None) -> None:
    spec = parse_split(text, default)
    shares: list[ShareSpec] | None = None
    if spec.shares:
        for handle, _ in spec.shares:
            if _member(thread, handle) is None:
                raise AmountError(f"@{handle} is not in this group.")
        shares = [ShareSpec(handle=h, amount=a) for h, a in spec.shares]
    else:
        me = ctx.session.threads.my_id
        people = (
            [_counterpart(ctx, thread, h, "") for h in spec.among]
            if spec.among
            else [m for m in thread.members if m.id != me]
        )
        count = len(people) + (1 if spec.include_self else 0)
        if not people:
            raise AmountError("There is nobody to split with here.")
        if spec.amount.minor < count:
            raise AmountError(f"{spec.amount} is too little to split {count} ways.")
        if spec.among:
            parts = equal_shares(spec.amount.minor, count)
            if spec.include_self:
                parts = parts[1:]  # the first (largest) part is yours, as the relay does
            shares = [
                ShareSpec(handle=p.handle, amount=a) for p, a in zip(people, parts, strict=True)
            ]
    key, amount = new_key(), spec.amount
    _direct(
        ctx,
        "/split",
        lambda c: c.split(
            thread.id,
            amount.minor,
            amount.currency,
            note=spec.note,
            shares=shares,
            include_self=spec.include_self,
            key=key,
        ),
    )
    ctx.hint(f"Splitting {amount}…")


def _lucky(ctx: Context, thread: Thread, text: str, default: str | None) -> None:
    spec = parse_lucky(text, default)
    after = _affordable(ctx, spec.amount)
    key, amount = new_key(), spec.amount
    body = _body(
        [
            ("Send lucky money ", ""),
            (str(amount), "bold $accent"),
            (f" for the first {spec.count} to open it in ", ""),
            (_thread_name(ctx, thread), "bold"),
            *_note_spans(spec.note),
        ],
        amount,
        after,
    )
    plan = MoneyPlan(
        title="Confirm lucky money",
        body=Content("\n").join(
            [body, Content.styled("What nobody opens comes back to you.", "$text-muted")]
        ),
        confirm_label=f"Send {amount}",
        request=lambda c: c.lucky_send(
            thread.id, amount.minor, amount.currency, spec.count, note=spec.note, key=key
        ),
        label="lucky money",
        composer_text=f"/luckymoney {text}",
    )
    confirm(ctx, plan)


def topup(ctx: Context, args: Args) -> bool:
    try:
        amount = parse_topup(args.text, ctx.session.wallet.default_currency)
    except AmountError as exc:
        ctx.hint(str(exc), error=True)
        return False
    key = new_key()
    _direct(ctx, "/topup", lambda c: c.topup(amount.minor, amount.currency, key=key))
    ctx.hint(f"Topping up {amount}…")
    return True


COMMANDS = [
    Command(
        "pay",
        "/pay [@handle] AMOUNT [note]",
        "pay someone here (or start a line with 20€)",
        _money_command(_pay),
        Shape.TEXT,
        THREADS,
        "money: Pay someone here",
        "/pay ",
        domain="money",
    ),
    Command(
        "request",
        "/request [@handle] AMOUNT [note]",
        "ask someone here for money",
        _money_command(_request),
        Shape.TEXT,
        THREADS,
        "money: Request money",
        "/request ",
        domain="money",
    ),
    Command(
        "split",
        "/split AMOUNT [note] [@a:20 @b:15] [-me]",
        "split a bill in this group",
        _money_command(_split),
        Shape.TEXT,
        GROUPS,
        "money: Split a bill",
        "/split ",
        domain="money",
    ),
    Command(
        "luckymoney",
        "/luckymoney AMOUNT COUNT [note]",
        "drop a red packet in this group",
        _money_command(_lucky),
        Shape.TEXT,
        GROUPS,
        "money: Send lucky money",
        "/luckymoney ",
        domain="money",
    ),
    Command(
        "wallet",
        "/wallet",
        "balances and history (f3)",
        action_command("wallet"),
        palette="wallet: Open",
        domain="money",
    ),
    Command(
        "topup",
        "/topup AMOUNT",
        "add money to your wallet (simulated card)",
        topup,
        Shape.TEXT,
        palette="wallet: Top up",
        template="/topup ",
        domain="money",
    ),
]

# --------------------------------------------------------------------------- verbs


def _card_offers(verb: str, label: str, key: str) -> Callable[[Context, Message], list[Offer]]:
    def offers(ctx: Context, message: Message) -> list[Offer]:
        if message.card is None:
            return []
        found = [
            a
            for a in actions(message.card, ctx.session.threads.my_id)
            if a.verb == verb or (verb == "decline" and a.verb == "cancel")
        ]
        shown = {"pay": f"Pay {money(found[0].amount, found[0].currency)}"} if found else {}
        name = shown.get(verb) or ("Cancel" if found and found[0].verb == "cancel" else label)
        return [Offer(verb, name, key, found[0])] if found else []

    return offers


def _pay_card(ctx: Context, message: Message, offer: Offer) -> None:
    action = offer.payload
    assert isinstance(action, CardAction)
    if isinstance(message.card, InvoiceCard | CheckoutCard):
        _pay_brand(ctx, message, action)
        return
    assert action.request_id is not None
    amount = Amount(action.amount, action.currency)
    request_id = action.request_id
    try:
        after = _affordable(ctx, amount)
    except AmountError as exc:
        ctx.hint(str(exc), error=True)
        return
    threads = ctx.session.threads
    thread = threads.threads.get(message.thread_id)
    payee = threads.user(action.payee_id or 0)
    what = "your share of the split" if isinstance(message.card, SplitCard) else "request"
    key = new_key()
    body = _body(
        [
            ("Pay ", ""),
            (person(payee) if payee else "the requester", "bold"),
            (" ", ""),
            (str(amount), "bold $accent"),
            *_note_spans(action.note),
            (f" ({what}", "$text-muted"),
            (f" in {_thread_name(ctx, thread)})" if thread else ")", "$text-muted"),
        ],
        amount,
        after,
    )
    confirm(
        ctx,
        MoneyPlan(
            title="Confirm payment",
            body=body,
            confirm_label=f"Pay {amount}",
            request=lambda c: c.pay_request(request_id, key=key),
            label="payment",
        ),
    )


def _pay_brand(ctx: Context, message: Message, action: CardAction) -> None:
    """Pay a brand's invoice or ready checkout card, after the usual confirmation."""
    card = message.card
    amount = Amount(action.amount, action.currency)
    try:
        after = _affordable(ctx, amount)
    except AmountError as exc:
        ctx.hint(str(exc), error=True)
        return
    brand = ctx.session.threads.user(action.payee_id or 0)
    to = person(brand) if brand else "the brand"
    key = new_key()
    if isinstance(card, InvoiceCard):
        invoice_id = card.invoice_id
        reference = safetext.clean_line(card.reference, max_chars=32)
        first = [("Pay ", ""), (to, "bold"), (" ", ""), (str(amount), "bold $accent")]
        first.append((f" (invoice {reference})", "$text-muted"))
        plan = MoneyPlan(
            title="Confirm payment",
            body=_body(first, amount, after),
            confirm_label=f"Pay {amount}",
            request=lambda c: c.brands.pay_invoice(invoice_id, key=key),
            label="invoice",
        )
    else:
        assert isinstance(card, CheckoutCard)
        handle, message_id, total = card.brand_handle, message.id, card.total
        items = sum(line.quantity for line in card.lines)
        first = [
            ("Buy ", ""),
            (f"{items} item{'s' if items != 1 else ''}", "bold"),
            (" from ", ""),
            (to, "bold"),
            (" for ", ""),
            (str(amount), "bold $accent"),
        ]
        if card.discount:
            label = safetext.clean_line(card.offer_label or "offer", max_chars=40)
            first.append((f" ({label}: {money(card.discount, card.currency)} off)", "$success"))
        plan = MoneyPlan(
            title="Confirm order",
            body=_body(first, amount, after),
            confirm_label=f"Pay {amount}",
            request=lambda c: c.brands.pay_checkout_card(
                handle, message_id, key=key, expected_total=total
            ),
            label="checkout",
        )
    confirm(ctx, plan)


def _decline(ctx: Context, message: Message, offer: Offer) -> None:
    action = offer.payload
    assert isinstance(action, CardAction) and action.request_id is not None
    request_id = action.request_id
    _direct(ctx, action.verb, lambda c: c.decline_request(request_id))


def _open(ctx: Context, message: Message, offer: Offer) -> None:
    action = offer.payload
    assert isinstance(action, CardAction) and action.packet_id is not None
    packet_id = action.packet_id
    _direct(ctx, "open red packet", lambda c: c.lucky_open(packet_id))


VERBS = [
    Verb(
        "pay",
        "Pay",
        "pay this request, invoice or checkout (after a confirmation)",
        _card_offers("pay", "Pay", "p"),
        _pay_card,
        key="p",
        palette="money: Pay the newest request",
        domain="money",
    ),
    Verb(
        "decline",
        "Decline",
        "decline this request (or cancel yours)",
        _card_offers("decline", "Decline", "d"),
        _decline,
        key="d",
        palette="money: Decline the newest request",
        domain="money",
    ),
    Verb(
        "open",
        "Open",
        "open this red packet",
        _card_offers("open", "Open 🧧", "o"),
        _open,
        key="o",
        palette="money: Open the red packet",
        domain="money",
    ),
]
