"""Money in the conversation, for the main screen: amounts typed in the composer, the money
commands, the actions on cards, and what the relay answers.

The main screen owns one :class:`Payments` and hands it the lines, commands, card actions and
link messages that concern money; it asks the link for the work and opens the confirmation
before any money leaves the wallet. Parsing lives in :mod:`chatshop.money_input`, pictures of
cards in :mod:`chatshop.tui.cards`, balances in :class:`~chatshop.tui.wallet.WalletBook`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from textual.content import Content

from chatshop import safetext
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
from chatshop.protocol.cards import Card, LuckyMoneyCard, RequestCard, SplitCard
from chatshop.protocol.models import Message, Thread, User
from chatshop.protocol.payment_frames import (
    CardResult,
    ClaimResult,
    PaymentResult,
    ShareSpec,
    WalletEvent,
)
from chatshop.tui import cards, jobs, slash
from chatshop.tui.cards import CardAction, money
from chatshop.tui.screens.confirm import ConfirmScreen, MoneyPlan
from chatshop.tui.wallet import WalletBook

if TYPE_CHECKING:
    from chatshop.tui.screens.main import MainScreen

MONEY_COMMANDS = ("pay", "request", "split", "luckymoney", "topup", "wallet")

_VERB_LABELS = {
    "pay": "payment",
    "pay_request": "payment",
    "decline": "decline",
    "request": "/request",
    "split": "/split",
    "lucky_send": "/luckymoney",
    "lucky_open": "open red packet",
    "topup": "/topup",
}


def new_key() -> str:
    return uuid.uuid4().hex


def person(user: User) -> str:
    """``Alice Moreau (@alice)``: the name and the handle, both cleaned."""
    name = safetext.clean_line(user.display_name, max_chars=40) or user.handle
    return f"{name} (@{safetext.clean_line(user.handle, max_chars=32)})"


class Payments:
    """The main screen's money desk."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.dialogs: dict[str, ConfirmScreen] = {}
        """Open confirmations by idempotency key."""
        self.settled: set[str] = set()
        """Keys whose first answer was shown: a later one for the same key is a repeat."""

    @property
    def wallet(self) -> WalletBook:
        return self.screen.app.wallet

    def _me(self) -> User | None:
        return self.screen.book.me

    def _name(self, user_id: int) -> str:
        user = self.screen.book.user(user_id)
        if user is None:
            return f"user #{user_id}"
        return safetext.clean_line(user.display_name, max_chars=40) or user.handle

    def _hint(self, text: str, *, error: bool = False) -> None:
        self.screen.show_hint(text, error=error)

    def _thread(self) -> Thread | None:
        current = self.screen.current
        return self.screen.book.threads.get(current) if current is not None else None

    def _member(self, thread: Thread, handle: str) -> User | None:
        for member in thread.members:
            if member.handle.lower() == handle.lower():
                return member
        return None

    def _counterpart(self, thread: Thread, handle: str | None, example: str) -> User:
        """Whom a payment or request is for: the named member, or the other person of a
        direct thread. Raises AmountError with a hint (``example`` shows how) otherwise."""
        me = self._me()
        if handle is None:
            if thread.kind == "group":
                raise AmountError(f"In a group, say who: {example}")
            other = self.screen.book.other(thread)
            if other is None:
                raise AmountError("There is nobody else in this conversation.")
            return other
        member = self._member(thread, handle)
        if member is None:
            raise AmountError(f"@{handle} is not in this conversation.")
        if me is not None and member.id == me.id:
            raise AmountError("That is you.")
        return member

    def _check_affordable(self, amount: Amount) -> int:
        """The balance after paying ``amount``; AmountError when it cannot be paid."""
        if not self.wallet.loaded:
            raise AmountError("Your wallet is still loading; try again in a moment.")
        limit = self.wallet.limit(amount.currency)
        if limit is not None and amount.minor > limit:
            raise AmountError(f"One payment moves at most {money(limit, amount.currency)}.")
        have = self.wallet.balance(amount.currency)
        if have < amount.minor:
            raise AmountError(
                f"Not enough money: you have {money(have, amount.currency)}. "
                "/topup adds some (e.g. /topup $50)."
            )
        return have - amount.minor

    # ------------------------------------------------------------------ composer

    def payment_line(self, text: str) -> bool:
        """Handle ``text`` if it starts with an amount (a payment); False for plain text."""
        try:
            line = parse_payment_line(text, self.wallet.default_currency)
        except AmountError as exc:
            self._refuse(str(exc), text)
            return True
        if line is None:
            return False
        thread = self._thread()
        if thread is None:
            self._refuse("Open a conversation first.", text)
            return True
        try:
            payee = self._counterpart(thread, line.handle, "$20 @alice for tickets")
            self._open_pay(thread, payee, line.amount, line.note, text)
        except AmountError as exc:
            self._refuse(str(exc), text)
        return True

    def _refuse(self, hint: str, text: str) -> None:
        self._hint(hint, error=True)
        self.screen.restore_composer(text)

    def command(self, command: slash.Command, line: str) -> None:
        """Run a money command (``/pay /request /split /luckymoney /topup /wallet``)."""
        name = command.name
        if name == "wallet":
            self.screen.action_wallet()
            return
        default = self.wallet.default_currency
        thread = self._thread()
        try:
            if name == "topup":
                amount = parse_topup(command.text, default)
                key = new_key()
                self.screen.app.link.submit(
                    "/topup", jobs.topup(amount.minor, amount.currency, key)
                )
                self._hint(f"Topping up {amount}…")
                return
            if thread is None:
                raise AmountError("Open a conversation first.")
            if name == "pay":
                spec = parse_request(command.text, default)
                payee = self._counterpart(thread, spec.handle, "/pay @alice $20 tickets")
                self._open_pay(thread, payee, spec.amount, spec.note, line)
            elif name == "request":
                spec = parse_request(command.text, default)
                payer = self._counterpart(thread, spec.handle, "/request @alice $15 cinema")
                self._request(thread, payer, spec.amount, spec.note)
            elif name == "split":
                self._split(thread, command.text, default)
            elif name == "luckymoney":
                self._lucky(thread, command.text, default, line)
        except AmountError as exc:
            self._refuse(str(exc), line)

    # ------------------------------------------------------------------ payments

    def _open_pay(
        self, thread: Thread, payee: User, amount: Amount, note: str, composer_text: str
    ) -> None:
        after = self._check_affordable(amount)
        key = new_key()
        where = "" if thread.kind != "group" else f" in {self._thread_name(thread)}"
        body = self._body(
            [
                ("Pay ", ""),
                (person(payee), "bold"),
                (" ", ""),
                (str(amount), "bold $accent"),
                *self._note_spans(note),
                (where, "$text-muted"),
            ],
            amount,
            after,
        )
        plan = MoneyPlan(
            key=key,
            verb="pay",
            title="Confirm payment",
            body=body,
            confirm_label=f"Pay {amount}",
            job=jobs.pay(thread.id, payee.handle, amount.minor, amount.currency, note, key),
            composer_text=composer_text,
        )
        self._confirm(plan)

    def _thread_name(self, thread: Thread) -> str:
        return safetext.clean_line(self.screen.book.title(thread), max_chars=40)

    @staticmethod
    def _note_spans(note: str) -> list[tuple[str, str]]:
        if not note:
            return []
        return [(" — ", ""), (safetext.clean_line(note, max_chars=80), "italic")]

    @staticmethod
    def _body(first: list[tuple[str, str]], amount: Amount, after: int) -> Content:
        return Content("\n").join(
            [
                Content.assemble(*first),
                Content.assemble(
                    ("Balance after: ", "$text-muted"), (money(after, amount.currency), "bold")
                ),
            ]
        )

    def _confirm(self, plan: MoneyPlan) -> None:
        dialog = ConfirmScreen(plan, self._submit)
        self.dialogs[plan.key] = dialog

        def closed(done: bool | None) -> None:
            self.dialogs.pop(plan.key, None)
            if not done and dialog.submissions == 0:
                self.screen.restore_composer(plan.composer_text)
                self._hint("Cancelled: nothing was paid.")

        self.screen.app.push_screen(dialog, closed)

    def _submit(self, plan: MoneyPlan) -> None:
        self.screen.app.link.submit(_VERB_LABELS.get(plan.verb, plan.verb), plan.job)

    def _request(self, thread: Thread, payer: User, amount: Amount, note: str) -> None:
        key = new_key()
        self.screen.app.link.submit(
            "/request",
            jobs.request_money(thread.id, payer.handle, amount.minor, amount.currency, note, key),
        )
        self._hint(f"Asking {person(payer)} for {amount}…")

    def _split(self, thread: Thread, text: str, default: str | None) -> None:
        if thread.kind != "group":
            raise AmountError("/split works in groups; in a direct conversation use /request.")
        spec = parse_split(text, default)
        shares: list[ShareSpec] | None = None
        if spec.shares:
            for handle, _ in spec.shares:
                if self._member(thread, handle) is None:
                    raise AmountError(f"@{handle} is not in this group.")
            shares = [ShareSpec(handle=h, amount=a) for h, a in spec.shares]
        else:
            if spec.among:
                people = [self._counterpart(thread, h, "") for h in spec.among]
            else:
                me = self._me()
                people = [m for m in thread.members if me is None or m.id != me.id]
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
        key = new_key()
        self.screen.app.link.submit(
            "/split",
            jobs.split(
                thread.id,
                spec.amount.minor,
                spec.amount.currency,
                spec.note,
                shares,
                spec.include_self,
                key,
            ),
        )
        self._hint(f"Splitting {spec.amount}…")

    def _lucky(self, thread: Thread, text: str, default: str | None, line: str) -> None:
        if thread.kind != "group":
            raise AmountError("Lucky money is for groups.")
        spec = parse_lucky(text, default)
        after = self._check_affordable(spec.amount)
        key = new_key()
        body = self._body(
            [
                ("Send lucky money ", ""),
                (str(spec.amount), "bold $accent"),
                (f" for the first {spec.count} to open it in ", ""),
                (self._thread_name(thread), "bold"),
                *self._note_spans(spec.note),
            ],
            spec.amount,
            after,
        )
        plan = MoneyPlan(
            key=key,
            verb="lucky_send",
            title="Confirm lucky money",
            body=Content("\n").join(
                [body, Content.styled("What nobody opens comes back to you.", "$text-muted")]
            ),
            confirm_label=f"Send {spec.amount}",
            job=jobs.lucky_send(
                thread.id, spec.amount.minor, spec.amount.currency, spec.count, spec.note, key
            ),
            composer_text=line,
        )
        self._confirm(plan)

    # ------------------------------------------------------------------ cards

    def card_action(self, verb: str, message: Message) -> None:
        """``pay``, ``decline`` or ``open`` on the card of ``message``."""
        me = self._me()
        card = message.card
        action = cards.find_action(card, me.id if me else None, verb) if card else None
        if card is None or action is None:
            self._hint(self.nothing_to(verb), error=True)
            return
        if action.verb == "pay":
            self._pay_card(message, card, action)
        elif action.verb in ("decline", "cancel"):
            assert action.request_id is not None
            self.screen.app.link.submit(
                action.verb, jobs.decline_request(action.request_id, new_key())
            )
        elif action.verb == "open":
            assert action.packet_id is not None
            self.screen.app.link.submit("open", jobs.lucky_open(action.packet_id, new_key()))

    @staticmethod
    def nothing_to(verb: str) -> str:
        """The hint when there is no card to ``verb``."""
        return {
            "pay": "Nothing to pay here: select an open request with ctrl+t.",
            "decline": "Nothing to decline here: select an open request with ctrl+t.",
            "open": "No red packet to open here.",
        }.get(verb, "Nothing to do with that message.")

    def _pay_card(self, message: Message, card: Card, action: CardAction) -> None:
        amount = Amount(action.amount, action.currency)
        thread = self.screen.book.threads.get(message.thread_id)
        payee = self.screen.book.user(action.payee_id or 0)
        assert action.request_id is not None
        try:
            after = self._check_affordable(amount)
        except AmountError as exc:
            self._hint(str(exc), error=True)
            return
        what = "your share of the split" if isinstance(card, SplitCard) else "request"
        key = new_key()
        body = self._body(
            [
                ("Pay ", ""),
                (person(payee) if payee else "the requester", "bold"),
                (" ", ""),
                (str(amount), "bold $accent"),
                *self._note_spans(action.note),
                (f" ({what}", "$text-muted"),
                (f" in {self._thread_name(thread)})" if thread else ")", "$text-muted"),
            ],
            amount,
            after,
        )
        plan = MoneyPlan(
            key=key,
            verb="pay_request",
            title="Confirm payment",
            body=body,
            confirm_label=f"Pay {amount}",
            job=jobs.pay_request(action.request_id, key),
        )
        self._confirm(plan)

    def actionable(self, verb: str) -> Message | None:
        """The message a palette entry acts on: the selected one if it allows ``verb``, else
        the newest in the open thread that does."""
        me = self._me()
        my_id = me.id if me else None
        transcript = self.screen.transcript
        selected = transcript.selected_message()
        if selected is not None and selected.card and cards.find_action(selected.card, my_id, verb):
            return selected
        window = transcript.window
        for message in reversed(window.messages if window else []):
            if message.card is not None and cards.find_action(message.card, my_id, verb):
                return message
        return None

    # ------------------------------------------------------------------ from the link

    def receive(self, message: object) -> bool:
        """Handle a link message about money; False when it is not one."""
        if isinstance(message, jobs.WalletLoaded):
            self.wallet.load(message.wallet)
        elif isinstance(message, jobs.TransfersLoaded):
            self.wallet.add_page(message.page, first=message.first)
        elif isinstance(message, jobs.MoneyDone):
            self._done(message)
        elif isinstance(message, jobs.MoneyFailed):
            self._failed(message)
        else:
            return False
        self.screen.show_balance()
        return True

    def wallet_event(self, event: WalletEvent) -> None:
        self.wallet.apply(event)
        self.screen.show_balance()

    def _done(self, message: jobs.MoneyDone) -> None:
        result = message.result
        repeat = message.key in self.settled or getattr(result, "replayed", False)
        self.settled.add(message.key)
        dialog = self.dialogs.pop(message.key, None)
        if dialog is not None:
            dialog.done()
        if isinstance(result, PaymentResult):
            self.wallet.set_balance(result.balance.currency, result.balance.amount)
            self.wallet.add_transfer(result.transfer)
        elif isinstance(result, ClaimResult):
            self.wallet.set_balance(result.balance.currency, result.balance.amount)
        card_message = result.message
        if card_message is not None:
            self.screen.show_message(card_message)
        if repeat and isinstance(result, PaymentResult):
            transfer = result.transfer
            self._hint(
                f"Already sent · {safetext.clean_line(transfer.short_id)} "
                f"({money(transfer.amount, transfer.currency)}): nothing was paid twice."
            )
        elif repeat and isinstance(result, CardResult):
            self._hint("Already sent: this was posted once.")
        else:
            self._hint(self._success(message.verb, result))

    def _success(self, verb: str, result: jobs.MoneyResult) -> str:
        if isinstance(result, PaymentResult):
            transfer = result.transfer
            amount = money(transfer.amount, transfer.currency)
            balance = money(result.balance.amount, result.balance.currency)
            short = safetext.clean_line(transfer.short_id)
            if verb == "topup":
                return f"Topped up {amount} · {short}. Balance: {balance}."
            who = person(transfer.counterparty) if transfer.counterparty else "them"
            return f"Paid {who} {amount} · {short}. Balance: {balance}."
        if isinstance(result, ClaimResult):
            return (
                f"🧧 You got {money(result.amount, result.currency)}. "
                f"Balance: {money(result.balance.amount, result.balance.currency)}."
            )
        card = result.message.card
        if isinstance(card, RequestCard):
            if verb == "decline":
                return f"Request {card.status}."
            return f"Asked {self._name(card.payer_id)} for {money(card.amount, card.currency)}."
        if isinstance(card, SplitCard):
            if verb == "decline":
                return "Share declined."
            return (
                f"Split {money(card.total, card.currency)}: "
                f"{len(card.shares)} share{'s' if len(card.shares) != 1 else ''} requested."
            )
        if isinstance(card, LuckyMoneyCard):
            return f"Lucky money sent: {money(card.total, card.currency)} for {card.count}."
        return "Done."

    def _failed(self, message: jobs.MoneyFailed) -> None:
        reason = message.reason
        if message.code == "insufficient_funds":
            reason += " — /topup adds money (e.g. /topup $50)"
        if message.code in ("timeout", "connection_lost"):
            reason += " (it may have gone through; trying again never pays twice)"
        dialog = self.dialogs.get(message.key)
        if dialog is not None:
            dialog.failed(reason)
            return
        label = _VERB_LABELS.get(message.verb, message.verb)
        self._hint(f"{label}: {reason}", error=True)
