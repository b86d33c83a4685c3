"""The main screen's keys, declared once: the bindings (each with an id users can remap in
the config file, and a tooltip) and the table that the help screen, ``chatshop --help`` and
the README show. Verb keys (pay, reply...) come from :mod:`chatshop.tui.commands`."""

from __future__ import annotations

from textual.binding import Binding

from chatshop.tui.commands.registry import Registry


def _nav(key: str, action: str, label: str, tip: str, bid: str, *, show: bool = False) -> Binding:
    return Binding(key, action, label, show=show, priority=True, id=f"chat.{bid}", tooltip=tip)


MAIN_BINDINGS = [
    _nav(
        "ctrl+k",
        "switcher",
        "Threads",
        "Jump to a thread: type a name or its number",
        "switcher",
        show=True,
    ),
    _nav("alt+down", "cycle(1)", "Next thread", "Open the next thread", "next_thread"),
    _nav("alt+up", "cycle(-1)", "Prev thread", "Open the previous thread", "previous_thread"),
    _nav(
        "alt+a",
        "next_unread",
        "Next unread",
        "Open the next thread with unread messages",
        "next_unread",
    ),
    *(
        _nav(f"alt+{n}", f"nth({n - 1})", f"Thread {n}", f"Open thread number {n}", f"thread_{n}")
        for n in range(1, 10)
    ),
    Binding(
        "pageup",
        "page(-1)",
        "Older",
        show=False,
        id="chat.page_up",
        tooltip="Scroll the conversation up",
    ),
    Binding(
        "pagedown",
        "page(1)",
        "Newer",
        show=False,
        id="chat.page_down",
        tooltip="Scroll the conversation down",
    ),
    Binding(
        "ctrl+t",
        "pick",
        "Pick message",
        id="chat.pick",
        tooltip="Pick a message to reply to, edit, pay, open...",
    ),
    Binding("f3", "wallet", "Wallet", id="chat.wallet", tooltip="Balances, history and top-up"),
    Binding(
        "f4",
        "orders",
        "Orders",
        id="chat.orders",
        tooltip="Your orders (brand staff: the brand's queue)",
    ),
    Binding(
        "ctrl+r",
        "retry_now",
        "Retry now",
        show=False,
        id="chat.retry",
        tooltip="Reconnect to the relay now instead of waiting",
    ),
    Binding(
        "ctrl+x",
        "dismiss_intro",
        "Hide tips",
        show=False,
        id="chat.hide_intro",
        tooltip="Hide the first-run tips for good",
    ),
]

KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "send the message"),
    ("alt+enter / ctrl+j", "new line in the message"),
    ("up (empty composer)", "edit your last message"),
    ("tab", "complete a /command or @handle"),
    ("tab (empty composer)", "the newest message's actions: ←/→ choose, enter picks, esc back"),
    ("esc", "cancel a reply or edit; leave the filter or the actions"),
    ("ctrl+k", "jump to a thread: type a name (or its number, 1-99), enter opens"),
    ("alt+up / alt+down", "previous / next thread"),
    ("alt+a", "next thread with unread messages"),
    ("alt+1 … alt+9", "thread 1 to 9 (where alt sends ESC; else ctrl+k and the number)"),
    ("pageup / pagedown", "scroll the conversation (older pages load by themselves)"),
    ("ctrl+t", "pick a message: up/down, then its keys (below)"),
    ("f3", "wallet: balances, history, top-up"),
    ("f4", "orders: status and timeline, live (brand staff: the queue)"),
    ("ctrl+r", "offline: reconnect now"),
    ("ctrl+p", "command palette (every action by name)"),
    ("f1, or ? in an empty composer", "this help"),
    ("ctrl+q", "quit"),
)


def verb_bindings(registry: Registry) -> list[Binding]:
    """Pick-mode keys, one per verb that has one."""
    return [
        Binding(v.key, f"verb('{v.name}')", v.label, id=f"verb.{v.name}", tooltip=v.help)
        for v in registry.keyed()
    ]


def key_table(registry: Registry) -> list[tuple[str, str]]:
    """Every documented key, the verb keys of pick mode included."""
    picked = [(f"  {v.key}", v.help) for v in registry.keyed()]
    at = next(n for n, (key, _) in enumerate(KEYS) if key == "ctrl+t") + 1
    return [*KEYS[:at], *picked, *KEYS[at:]]


def command_table(registry: Registry) -> list[tuple[str, str]]:
    """Every slash command: usage and what it does, chat first, then money, then shop."""
    order = {"chat": 0, "money": 1, "shop": 2}
    commands = sorted(registry.commands.values(), key=lambda c: order.get(c.domain, 3))
    return [(c.usage, c.summary) for c in commands]
