"""The actions of the newest message (or of the picked one), as a row of buttons under the
transcript: a bot's quick replies, Pay, Open, Add to cart, Buy now, Retry.

Tab from an empty composer moves here; left / right choose, Enter picks, Esc (or up) goes
back to the composer. The bar knows labels only: what a button does is the screen's
business (it was declared in :mod:`chatshop.tui.commands`).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message as TextualMessage
from textual.reactive import reactive
from textual.widgets import Button, Static

Choice = tuple[str, str]
"""A button: its label, and its key in pick mode ("" for none)."""


class ActionBar(Horizontal):
    """Buttons for what a message offers; hidden when it offers nothing.

    | Key | Action |
    | :- | :- |
    | left / right | Previous / next action. |
    | enter | Pick the action. |
    | escape, up | Back to the composer. |
    """

    DEFAULT_CSS = """
    ActionBar {
        height: 1;
        padding: 0 1;
        display: none;
        &.-shown { display: block; }
        & > Static { width: auto; color: $text-muted; padding-right: 1; }
        & > Button { margin-right: 1; min-width: 0; }
    }
    """

    BINDINGS = [
        Binding(
            "left",
            "step(-1)",
            "Previous",
            show=False,
            id="actions.left",
            tooltip="The previous action",
        ),
        Binding(
            "right", "step(1)", "Next", show=False, id="actions.right", tooltip="The next action"
        ),
        Binding(
            "escape,up", "leave", "Composer", id="actions.leave", tooltip="Back to the composer"
        ),
    ]

    choices: reactive[tuple[Choice, ...]] = reactive((), recompose=True)
    """The buttons shown, in order."""

    lead: reactive[str] = reactive("")
    """A word before the buttons (what they act on)."""

    class Chosen(TextualMessage):
        """Button ``index`` was picked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Left(TextualMessage):
        """The reader went back (escape)."""

    def compose(self) -> ComposeResult:
        if self.lead:
            yield Static(self.lead)
        for index, (label, key) in enumerate(self.choices):
            text = f"{label} ({key})" if key and len(key) == 1 else label
            yield Button(text, id=f"action-{index}", compact=True)

    def watch_choices(self, choices: tuple[Choice, ...]) -> None:
        self.set_class(bool(choices), "-shown")

    def buttons(self) -> list[Button]:
        return list(self.query(Button))

    def enter(self) -> bool:
        """Focus the first action; False when there is none."""
        buttons = self.buttons()
        if not buttons:
            return False
        buttons[0].focus()
        return True

    def action_step(self, step: int) -> None:
        buttons = self.buttons()
        focused = next((n for n, b in enumerate(buttons) if b.has_focus), 0)
        if buttons:
            buttons[(focused + step) % len(buttons)].focus()

    def action_leave(self) -> None:
        self.post_message(self.Left())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        index = int((event.button.id or "action-0").removeprefix("action-"))
        self.post_message(self.Chosen(index))
