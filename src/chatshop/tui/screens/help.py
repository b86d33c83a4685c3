"""The help screen: keys and slash commands, reachable with F1 or ``?``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from chatshop.tui.slash import SPECS

KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "send the message"),
    ("alt+enter / ctrl+j", "new line in the message"),
    ("up (empty composer)", "edit your last message"),
    ("tab", "complete a /command or @handle"),
    ("esc", "cancel a reply or edit; leave the filter"),
    ("ctrl+k", "jump to a thread: type to filter, enter opens"),
    ("alt+up / alt+down", "previous / next thread"),
    ("alt+a", "next thread with unread messages"),
    ("alt+1 … alt+9", "open thread 1 to 9"),
    ("pageup / pagedown", "scroll the conversation (older pages load by themselves)"),
    ("ctrl+t", "pick a message: up/down, r reply, e edit, del delete"),
    ("  on a card", "p pay (after a confirmation), d decline or cancel, o open a red packet"),
    ("  on a product", "a add to cart, b buy now, s similar (#cart as a reply adds it too)"),
    ("f3", "wallet: balances, history, top-up"),
    ("f4", "orders: status and timeline, live (staff: /orders @brand, n next step)"),
    ("/search", "in a brand's thread searches its products; /products TEXT anywhere"),
    ("ctrl+p", "command palette (every action by name)"),
    ("f1 or ?", "this help"),
    ("ctrl+q", "quit"),
)


def help_content() -> Content:
    """The help text (ours, not untrusted: still built without markup)."""
    width = max(len(k) for k, _ in KEYS) + 2
    lines: list[Content] = [Content.styled("Keys", "bold $accent")]
    lines += [Content.assemble((key.ljust(width), "bold"), (what, "")) for key, what in KEYS]
    lines += [Content(""), Content.styled("Commands (type in the composer)", "bold $accent")]
    usage_width = max(len(s.usage) for s in SPECS) + 2
    lines += [
        Content.assemble((spec.usage.ljust(usage_width), "bold"), (spec.summary, ""))
        for spec in SPECS
    ]
    lines += [
        Content(""),
        Content.styled(
            "Start a line with an amount to pay: $20 taxi, 12,50€, in a group $20 @alice "
            "tickets ($ is the relay's currency). A confirmation shows who and the balance "
            "after; \\$20 sends the line as text. Start a line with // to send a message "
            "that begins with /.  Threads: @ friend, # group, ◆ brand.",
            "$text-muted",
        ),
    ]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and commands. Esc, q or F1 closes it."""

    BINDINGS = [
        Binding(
            "escape,q,f1,question_mark", "close", "Close", id="help.close", tooltip="Close the help"
        ),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content.styled("chatshop help", "bold"), id="help-title")
            yield Static(help_content(), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
