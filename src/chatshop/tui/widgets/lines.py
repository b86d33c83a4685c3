"""The one-line widgets around the conversation: the thread's title, the reply / edit
banner, the hint, the typing line, the wallet balance and the first-run hint. Each holds
reactives the screen binds to, and redraws in its own watchers."""

from __future__ import annotations

from textual.content import Content
from textual.message import Message as TextualMessage
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from chatshop import safetext

HINT_SECONDS = 10.0
"""A confirmation fades after this long; errors and command help stay until replaced."""


class HintLine(Static):
    """One cleaned line under the composer: a confirmation, an error, or command help."""

    text: reactive[str] = reactive("")
    error: reactive[bool] = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fade: Timer | None = None
        self.display = False

    def say(self, text: str, *, error: bool = False, standing: bool = False) -> None:
        """Show ``text``; a confirmation (not an error, not ``standing``) fades."""
        if self._fade is not None:
            self._fade.stop()
            self._fade = None
        self.error = error
        self.standing = standing
        self.text = text
        if text and not error and not standing:
            self._fade = self.set_timer(HINT_SECONDS, self.clear)

    standing = False
    """The hint shown is command help (it goes when the line no longer asks for it)."""

    def clear(self) -> None:
        self.say("")

    def clear_help(self) -> None:
        """Drop command help, keep a confirmation or an error."""
        if self.standing:
            self.clear()

    def watch_text(self, text: str) -> None:
        self.display = bool(text)
        self.update(Content(safetext.clean_line(text)))

    def watch_error(self, error: bool) -> None:
        self.set_class(error, "-error")


class BalanceLine(Static):
    """``wallet EUR 188.00``: the default-currency balance."""

    text: reactive[str] = reactive("")

    def watch_text(self, text: str) -> None:
        self.update(
            Content.assemble(("wallet ", "$text-muted"), (text, "bold")) if text else Content("")
        )


class Banner(Static):
    """``↪ replying to Alice: …`` or ``✎ editing your message``."""

    text: reactive[str] = reactive("")

    def on_mount(self) -> None:
        self.display = bool(self.text)

    def watch_text(self, text: str) -> None:
        self.display = bool(text)
        self.update(
            Content.assemble(
                (safetext.clean_line(text), "$text-muted"), ("   esc cancels", "$text-disabled")
            )
        )


class InfoLine(Static):
    """Who is typing, and how many new messages wait below."""

    text: reactive[str] = reactive("")

    def on_mount(self) -> None:
        self.display = bool(self.text)

    def watch_text(self, text: str) -> None:
        self.display = bool(text)
        self.update(Content(text))


class FirstRunHint(Static):
    """What to try first and where help is; Enter or Esc on it (or any command) dismisses
    it for good."""

    class Dismissed(TextualMessage):
        """The reader has read the first-run hint."""

    TEXT = (
        "New here? ctrl+k: threads · Tab: the newest message's buttons · "
        "€12 taxi pays · F1 or ?: help · ctrl+x hides this"
    )

    def on_mount(self) -> None:
        self.update(Content.styled(self.TEXT, "$text-accent"))
