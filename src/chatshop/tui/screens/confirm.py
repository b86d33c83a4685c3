"""The confirmation before money leaves your wallet: who, how much, what for, balance after.

The dialog makes the call itself and gets its answer back: it closes with the result once the
money moved, and shows the reason (Enter tries again, with the same idempotency key) when it
did not. While the link is down the request waits, marked as queued.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from chatshop import safetext
from chatshop.client import ConnectionState, StateChanged
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.payment_frames import CardResult, ClaimResult, PaymentResult
from chatshop.protocol.shop_models import CheckoutResult
from chatshop.tui.failure import Failure
from chatshop.tui.host import Host
from chatshop.tui.link import Request

MoneyResult = PaymentResult | CardResult | ClaimResult | CheckoutResult


@dataclass(frozen=True)
class MoneyPlan:
    """A money movement waiting for a yes; ``request`` carries its idempotency key, made
    when the dialog opens, so confirming twice moves the money once."""

    title: str
    body: Content
    confirm_label: str
    request: Request[MoneyResult]
    label: str
    composer_text: str = ""
    """What to put back in the composer when the dialog is cancelled."""


class ConfirmScreen(ModalScreen[MoneyResult | None]):
    """Confirm a payment; dismissed with the relay's answer, or None when cancelled.

    | Key | Action |
    | :- | :- |
    | enter, y | Confirm (after an error: try again, with the same key). |
    | escape, n | Cancel. |
    """

    BINDINGS = [
        Binding(
            "enter,y",
            "confirm",
            "Confirm",
            priority=True,
            id="confirm.yes",
            tooltip="Send the money (a repeat never pays twice)",
        ),
        Binding(
            "escape,n",
            "cancel",
            "Cancel",
            priority=True,
            id="confirm.no",
            tooltip="Close without paying",
        ),
    ]

    app: Host

    state: reactive[str] = reactive("ready")
    """ready, sending, queued (sending while the link is down) or failed."""

    def __init__(self, plan: MoneyPlan) -> None:
        super().__init__()
        self.plan = plan
        self._reason = ""
        self._finished = False
        self.submissions = 0
        """How many times the plan was sent (all with the same key)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content.styled(self.plan.title, "bold"), id="confirm-title")
            yield Static(self.plan.body, id="confirm-body")
            yield Static(id="confirm-status")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.plan.confirm_label, variant="success", id="confirm-yes")
                yield Button("Cancel", id="confirm-no")

    def on_mount(self) -> None:
        self.app.feed.link.subscribe(self, self._link_changed)
        self._show_state()

    def watch_state(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")
        if self.is_mounted:
            self._show_state()

    def _show_state(self) -> None:
        status = self.query_one("#confirm-status", Static)
        if self.state == "sending":
            text = Content.styled("⧗ sending…", "$text-muted")
        elif self.state == "queued":
            text = Content.styled(
                "⧗ queued: offline, it goes out when the link is back (never twice)", "$warning"
            )
        elif self.state == "failed":
            text = Content.styled(
                f"✗ {safetext.clean_line(self._reason, max_chars=120)} — enter tries again "
                "(never twice), esc closes",
                "$error",
            )
        else:
            text = Content.styled("enter or y confirms · esc or n cancels", "$text-muted")
        status.update(text)

    def _link_changed(self, change: StateChanged) -> None:
        if self.state in ("sending", "queued"):
            up = change.state is ConnectionState.CONNECTED
            self.state = "sending" if up else "queued"

    # ------------------------------------------------------------------ outcomes

    def _done(self, result: MoneyResult) -> None:
        self._close(result)

    def _failed(self, failure: Failure) -> None:
        reason = failure.text
        if failure.code is ErrorCode.INSUFFICIENT_FUNDS:
            reason += " — /topup adds money (e.g. /topup 50)"
        if failure.maybe_done:
            reason += " (it may have gone through; trying again never pays twice)"
        self._reason = reason
        self.state = "failed"

    def _close(self, result: MoneyResult | None) -> None:
        """Dismiss once, and only while on top."""
        if not self._finished and self.app.screen is self:
            self._finished = True
            self.dismiss(result)

    # ------------------------------------------------------------------ actions

    def action_confirm(self) -> None:
        if self._finished or self.state in ("sending", "queued"):
            return
        self.submissions += 1
        up = self.app.link.state is ConnectionState.CONNECTED
        self.state = "sending" if up else "queued"
        self.app.link.call(self, self.plan.request, self._done, self._failed, label=self.plan.label)

    def action_cancel(self) -> None:
        self._close(None)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.action_cancel()
