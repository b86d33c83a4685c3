"""The composer: where messages and slash commands are written."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message as TextualMessage
from textual.widgets import TextArea

from chatshop.tui import slash


class Composer(TextArea):
    """Write a message; lines starting with ``/`` are commands (``//`` sends a literal ``/``).

    | Key | Action |
    | :- | :- |
    | enter | Send the message or run the command. |
    | alt+enter, ctrl+j | Insert a newline. |
    | up (empty composer) | Edit your last message. |
    | tab | Complete a command or a @handle. |
    | escape | Cancel a reply or an edit; clear the composer. |
    | ctrl+a / ctrl+e / ctrl+u / ctrl+w | Readline: line start / end, kill line, kill word. |
    """

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 8;
        border: tall $border-blurred;
        &:focus { border: tall $border; }
    }
    """

    BINDINGS = [
        Binding(
            "enter",
            "submit",
            "Send",
            priority=True,
            id="composer.send",
            tooltip="Send the message or run the command",
        ),
        Binding(
            "alt+enter,ctrl+j",
            "newline",
            "Newline",
            id="composer.newline",
            tooltip="Insert a line break",
        ),
        Binding(
            "tab",
            "complete",
            "Complete",
            show=False,
            id="composer.complete",
            tooltip="Complete a command or a @handle",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            show=False,
            id="composer.cancel",
            tooltip="Cancel a reply or an edit",
        ),
        Binding(
            "ctrl+a",
            "cursor_line_start",
            "Line start",
            show=False,
            id="composer.home",
            tooltip="Move to the start of the line",
        ),
        Binding(
            "ctrl+e",
            "cursor_line_end",
            "Line end",
            show=False,
            id="composer.end",
            tooltip="Move to the end of the line",
        ),
    ]

    class Submitted(TextualMessage):
        """Enter was pressed on ``text`` (not empty)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class EditLastRequested(TextualMessage):
        """Up was pressed in an empty composer."""

    class Cancelled(TextualMessage):
        """Escape: drop the reply or edit in progress."""

    class Typed(TextualMessage):
        """The text changed (for typing notifications and the inline help)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=False
        )
        self.handles: list[str] = []
        """Handles offered by tab completion."""

    def action_submit(self) -> None:
        value = self.text.strip("\n")
        if value.strip():
            self.post_message(self.Submitted(value))

    def action_newline(self) -> None:
        self.insert("\n")

    def action_complete(self) -> None:
        completed = slash.complete(self.text, self.handles)
        if completed is not None:
            self.text = completed
            self.move_cursor(self.document.end)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "up" and not self.text:
            event.stop()
            event.prevent_default()
            self.post_message(self.EditLastRequested())
            return
        await super()._on_key(event)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(self.Typed(self.text))

    def set_text(self, text: str) -> None:
        """Replace the content and put the cursor at its end."""
        self.text = text
        self.move_cursor(self.document.end)
