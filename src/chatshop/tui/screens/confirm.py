"""The confirmation before money leaves your wallet: who, how much, what for, balance after."""

from __future__ import annotations

from collections.abc import Callable
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
from chatshop.tui.link import Job


@dataclass(frozen=True)
class MoneyPlan:
    """A money movement waiting for a yes.

    ``key`` is its idempotency key, made when the dialog opens: confirming twice, or again
    after an error, sends the same key, and the relay moves the money once.
    """

    key: str
    verb: str
    title: str
    body: Content
    confirm_label: str
    job: Job
    composer_text: str = ""
    """What to put back in the composer when the dialog is cancelled."""


class ConfirmScreen(ModalScreen[bool]):
    """Confirm a payment; dismissed with True once it went through, False when cancelled.

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

    state: reactive[str] = reactive("ready")
    """ready, sending or failed."""

    def __init__(self, plan: MoneyPlan, submit: Callable[[MoneyPlan], None]) -> None:
        super().__init__()
        self.plan = plan
        self._submit = submit
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
        elif self.state == "failed":
            text = Content.styled(
                f"✗ {safetext.clean_line(self._reason, max_chars=120)} — enter tries again "
                "(never twice), esc closes",
                "$error",
            )
        else:
            text = Content.styled("enter or y confirms · esc or n cancels", "$text-muted")
        status.update(text)

    # ------------------------------------------------------------------ outcomes

    def failed(self, reason: str) -> None:
        """The relay refused or did not answer: show why; enter retries with the same key."""
        self._reason = reason
        self.state = "failed"

    def done(self) -> None:
        """It went through."""
        self._close(True)

    def _close(self, result: bool) -> None:
        """Dismiss once, and only while on top: a late answer after the dialog closed must
        not pop another screen."""
        if not self._finished and self.app.screen is self:
            self._finished = True
            self.dismiss(result)

    # ------------------------------------------------------------------ actions

    def action_confirm(self) -> None:
        if self._finished:
            return
        self.submissions += 1
        self.state = "sending"
        self._submit(self.plan)

    def action_cancel(self) -> None:
        self._close(False)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.action_cancel()
