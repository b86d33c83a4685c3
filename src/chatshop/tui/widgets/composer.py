"""The composer: where messages and slash commands are written."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.message import Message as TextualMessage
from textual.reactive import reactive
from textual.widgets import TextArea

from chatshop.protocol.limits import MAX_TEXT_CHARS

COUNTER_FROM = MAX_TEXT_CHARS * 9 // 10
"""The length counter shows from this many characters on."""

Completer = Callable[[str], str | None]


class Composer(TextArea):
    """Write a message; lines starting with ``/`` are commands (``//`` sends a literal ``/``),
    lines starting with an amount pay (``$12 taxi``; see docs/payments.md).

    Enter is a priority binding (the text area would insert a newline otherwise), so it is
    handled by the app ahead of keys still queued for this widget: a fast typist's (or a
    paste's, or ``tmux send-keys``') last characters may not be in the text yet. The submit
    is therefore queued behind them, and the composer empties itself when it submits, so
    keys typed after Enter start the next message instead of being wiped.

    | Key | Action |
    | :- | :- |
    | enter | Send the message or run the command. |
    | alt+enter, ctrl+j | Insert a newline. |
    | up (empty composer) | Edit your last message. |
    | ? (empty composer) | Help. |
    | tab | Complete a command or a @handle; in an empty composer, go to the actions of the
      newest message. |
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
        &.-too-long { border-subtitle-color: $error; }
    }
    """

    BINDINGS = [
        Binding(
            "enter",
            "submit",
            "Send",
            show=False,
            priority=True,
            id="composer.send",
            tooltip="Send the message or run the command",
        ),
        Binding(
            "alt+enter,ctrl+j",
            "newline",
            "Newline",
            show=False,
            id="composer.newline",
            tooltip="Insert a line break",
        ),
        Binding(
            "tab",
            "complete",
            "Complete",
            show=False,
            id="composer.complete",
            tooltip="Complete a command or a @handle; empty: the newest message's actions",
        ),
        Binding(
            "up",
            "edit_last",
            "Edit last",
            show=False,
            id="composer.edit_last",
            tooltip="Edit your last message (empty composer)",
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            show=False,
            priority=True,
            id="composer.help",
            tooltip="Keys and commands (empty composer)",
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

    length: reactive[int] = reactive(0)
    """Characters written so far (the counter shows near the relay's limit)."""

    class Submitted(TextualMessage):
        """Enter was pressed on ``text`` (not empty); the composer is empty again (a screen
        that cannot use the text puts it back with ``restore``)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class EditLastRequested(TextualMessage):
        """Up was pressed in an empty composer."""

    class ActionsWanted(TextualMessage):
        """Tab in an empty composer: go to the newest message's actions."""

    class HelpWanted(TextualMessage):
        """``?`` in an empty composer."""

    class Cancelled(TextualMessage):
        """Escape: drop the reply or edit in progress."""

    class Typed(TextualMessage):
        """The text changed (for typing notifications and the inline help)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, completer: Completer | None = None, id: str | None = None) -> None:
        super().__init__(
            id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=False
        )
        self.completer = completer
        """Tab completion of commands and @handles (given by the screen)."""
        self._restored: str | None = None

    def watch_length(self, length: int) -> None:
        self.border_subtitle = f"{length:,}/{MAX_TEXT_CHARS:,}" if length >= COUNTER_FROM else ""
        self.set_class(length > MAX_TEXT_CHARS, "-too-long")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``?`` is help only in an empty composer (a priority binding, ahead of typing)."""
        if action == "help":
            return not self.text
        return True

    def action_submit(self) -> None:
        # Behind the keys already queued for this widget (see the class docstring).
        self.call_later(self._submit_now)

    def _submit_now(self) -> None:
        value = self.text.strip("\n")
        if value.strip():
            self.set_text("")
            self.post_message(self.Submitted(value))

    def action_newline(self) -> None:
        self.insert("\n")

    def action_complete(self) -> None:
        if not self.text:
            self.post_message(self.ActionsWanted())
            return
        completed = self.completer(self.text) if self.completer else None
        if completed is not None:
            self.set_text(completed)

    def action_edit_last(self) -> None:
        if self.text:
            self.action_cursor_up()
        else:
            self.post_message(self.EditLastRequested())

    def action_help(self) -> None:
        # Behind the keys already queued here: "what?" typed in one burst stays text.
        self.call_later(self._help_now)

    def _help_now(self) -> None:
        if self.text:
            self.insert("?")
        else:
            self.post_message(self.HelpWanted())

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.length = len(self.text)
        if self._restored is not None and self.text == self._restored:
            self._restored = None  # put back after an error: not typing, keep the error hint
            return
        self._restored = None
        self.post_message(self.Typed(self.text))

    def set_text(self, text: str) -> None:
        """Replace the content and put the cursor at its end."""
        self.text = text
        self.move_cursor(self.document.end)

    def restore(self, text: str) -> None:
        """Put back a submitted ``text`` that could not be used, unless something new was
        typed since."""
        if not self.text and text:
            self._restored = text
            self.set_text(text)
