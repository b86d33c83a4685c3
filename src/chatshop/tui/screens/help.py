"""The help screen: keys and slash commands, reachable with F1 or ``?``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from chatshop.tui import keys
from chatshop.tui.commands import REGISTRY


def _rows(rows: list[tuple[str, str]], width: int, total: int) -> list[Content]:
    """Two columns; a long description wraps under itself, never back to column 0."""
    out: list[Content] = []
    for key, what in rows:
        words, line, lines = what.split(), "", []
        for word in words:
            if line and len(line) + 1 + len(word) > max(total - width, 20):
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        out.append(Content.assemble((key.ljust(width), "bold"), lines[0]))
        out += [Content(" " * width + rest) for rest in lines[1:]]
    return out


HELP_WIDTH = 84


def help_content(total: int = HELP_WIDTH) -> Content:
    """The help text, generated from the key table and the command registry."""
    key_rows = keys.key_table(REGISTRY)
    command_rows = keys.command_table(REGISTRY)
    key_width = min(max(len(k) for k, _ in key_rows) + 2, total // 3)
    usage_width = min(max(len(u) for u, _ in command_rows) + 2, total // 2)
    lines: list[Content] = [Content.styled("Keys", "bold $accent")]
    lines += _rows(key_rows, key_width, total)
    lines += [Content(""), Content.styled("Commands (type in the composer)", "bold $accent")]
    lines += _rows(command_rows, usage_width, total)
    lines += [Content(""), Content.styled("Money and messages", "bold $accent")]
    lines += _rows(
        [
            ("20€ taxi", "a line starting with an amount pays, after a confirmation"),
            ("\\$20", "sends the line as text"),
            ("//text", "sends a message that begins with /"),
            ("@ # ◆", "threads: a friend, a group, a brand"),
        ],
        12,
        total,
    )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and commands. Esc, q or F1 closes it."""

    BINDINGS = [
        Binding(
            "escape,q,f1,question_mark",
            "close",
            "Close",
            priority=True,
            id="help.close",
            tooltip="Close the help",
        ),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content.styled("chatshop help", "bold"), id="help-title")
            width = min(HELP_WIDTH, self.app.size.width - 8)
            yield Static(help_content(width), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
