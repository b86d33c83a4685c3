"""The main screen: threads on the left, the open conversation on the right.

It composes, keeps which thread is open and switches threads. State goes down through
reactives (``data_bind``), news comes from the feed's signals, and what a line, a button or
a key asks for is carried out by :mod:`chatshop.tui.commands`, with this screen as the
command :class:`~chatshop.tui.commands.context.Context`.
"""

from __future__ import annotations

import time
from typing import TypeVar

from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Footer, Static

from chatshop import safetext
from chatshop.client import StateChanged
from chatshop.tui import keys
from chatshop.tui.cards import money
from chatshop.tui.commands import REGISTRY, chat
from chatshop.tui.commands.compose import submit
from chatshop.tui.commands.registry import Args
from chatshop.tui.commands.slash import complete, completions
from chatshop.tui.feed import Session
from chatshop.tui.host import Host
from chatshop.tui.palette import ChatCommands
from chatshop.tui.screens.desk import Desk
from chatshop.tui.screens.wallet import WalletScreen
from chatshop.tui.widgets.composer import Composer
from chatshop.tui.widgets.conversation import Conversation
from chatshop.tui.widgets.lines import BalanceLine, FirstRunHint
from chatshop.tui.widgets.sidebar import Sidebar
from chatshop.tui.widgets.status import ConnectionStatus

T = TypeVar("T")
TYPING_EVERY = 3.0


class MainScreen(Desk):
    """Threads on the left, the open thread on the right (keys: :mod:`chatshop.tui.keys`)."""

    BINDINGS = [*keys.MAIN_BINDINGS, *keys.verb_bindings(REGISTRY)]
    COMMANDS = {ChatCommands}
    app: Host

    threads_version: reactive[int] = reactive(-1)
    """The thread book's version (sidebar and title redraw on it)."""
    banner: reactive[str] = reactive("")
    balance: reactive[str] = reactive("")
    """The default-currency balance, formatted."""

    sidebar = getters.query_one("#sidebar", Sidebar)
    status = getters.query_one("#status", ConnectionStatus)

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._last_typing = 0.0

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(self.session.threads, id="sidebar").data_bind(
                version=MainScreen.threads_version, current=MainScreen.current
            )
            yield Conversation(
                id="conversation", completer=self._complete, intro=not self.app.config.intro_seen
            ).data_bind(
                thread_id=MainScreen.current,
                version=MainScreen.threads_version,
                banner=MainScreen.banner,
            )
        with Horizontal(id="statusbar"):
            yield ConnectionStatus(id="status")
            yield BalanceLine(id="balance").data_bind(text=MainScreen.balance)
            who = f"@{self.session.me.handle} on {safetext.clean_line(self.app.server_url)}"
            yield Static(Content(who), id="whoami")
        yield Footer()

    def on_mount(self) -> None:
        feed = self.app.feed
        feed.threads.subscribe(self, self._threads_changed)
        feed.left.subscribe(self, self._left)
        feed.wallet.subscribe(self, self._wallet_changed)
        feed.link.subscribe(self, self.status.show)
        feed.queued.subscribe(self, self._queued)
        feed.cart.subscribe(self, lambda _cart: self.conversation.hint_line.clear())
        self.status.show(StateChanged(state=self.app.link.state))
        self.set_focus(self.conversation.composer)
        self._threads_changed(self.session.threads.version)
        self._wallet_changed(self.session.wallet.version)

    # ------------------------------------------------------------------ state down

    def watch_replying(self) -> None:
        message = self.replying
        if message is not None:
            text = safetext.clean_line(message.text, max_chars=60)
            self.banner = f"↪ replying to {self._person(message.sender_id)}: {text}"
        else:
            self.banner = "✎ editing your message" if self.editing else ""

    def watch_editing(self) -> None:
        self.watch_replying()

    def _threads_changed(self, version: int) -> None:
        self.threads_version = version
        book = self.session.threads
        if self.current not in book.threads and book.loaded:
            ordered = book.ordered()
            self.current = None
            if ordered:
                self.open_thread(ordered[0].id)

    def _left(self, thread_id: int) -> None:
        if thread_id == self.current:
            self.current = None
            self._threads_changed(self.session.threads.version)

    def _wallet_changed(self, _version: int) -> None:
        wallet = self.session.wallet
        currency = wallet.default_currency
        self.balance = money(wallet.balance(currency), currency) if currency else ""

    def _queued(self, labels: tuple[str, ...]) -> None:
        self.status.queued = labels

    def _person(self, user_id: int) -> str:
        user = self.session.threads.user(user_id)
        return safetext.clean_line(user.display_name or user.handle) if user else "someone"

    # ------------------------------------------------------------------ the composer

    def _complete(self, line: str) -> str | None:
        return complete(REGISTRY, line, self.session.threads.handles())

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        editing, self.editing = self.editing, None
        self._dismiss_intro()
        submit(self, event.text, editing)

    @on(Composer.Typed)
    def _typed(self, event: Composer.Typed) -> None:
        found = completions(REGISTRY, event.text)
        if found:
            shown = "   ".join(f"{c.usage} — {c.summary}" for c in found[:3])
            more = f"   (+{len(found) - 3} more, tab completes)" if len(found) > 3 else ""
            self.conversation.hint_line.say(shown + more, standing=True)
        else:
            self.conversation.hint_line.clear_help()
        too_long = chat.too_long(event.text)
        if too_long:
            self.hint(too_long + " Enter will not send it.", error=True)
        now, thread_id = time.monotonic(), self.current
        typing = event.text and not event.text.startswith("/") and thread_id is not None
        if typing and thread_id is not None and now - self._last_typing > TYPING_EVERY:
            self._last_typing = now
            self.call(lambda c: c.typing(thread_id), _nothing, _nothing)

    @on(Composer.Cancelled)
    def _cancelled(self) -> None:
        if self.replying or self.editing:
            self.replying = self.editing = None
        else:
            self.conversation.composer.set_text("")
        self.conversation.hint_line.clear()

    @on(Composer.EditLastRequested)
    def _edit_last(self) -> None:
        message = self.target(mine=True)
        if message is None:
            self.hint("You have no message to edit here.")
        else:
            self.edit(message)

    @on(Composer.ActionsWanted)
    def _actions_wanted(self) -> None:
        buttons = self.conversation.actions.buttons()
        if buttons:
            self.set_focus(buttons[0])
        else:
            self.hint("Nothing to act on here: Tab completes /commands and @handles.")

    @on(Composer.HelpWanted)
    def _help_wanted(self) -> None:
        self.app.action_help()  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ threads and keys

    @on(Sidebar.Selected)
    def _sidebar_selected(self, event: Sidebar.Selected) -> None:
        self.open_thread(event.thread_id)
        self.sidebar.filter_input.value = ""
        self.set_focus(self.conversation.composer)

    @on(Sidebar.Left)
    def _sidebar_left(self) -> None:
        self.set_focus(self.conversation.composer)

    def action_switcher(self) -> None:
        self.set_focus(self.sidebar.filter_input)

    def action_cycle(self, step: int) -> None:
        ids = self.sidebar.thread_ids()
        if ids:
            index = ids.index(self.current) if self.current in ids else -step
            self.open_thread(ids[(index + step) % len(ids)])

    def action_next_unread(self) -> None:
        book = self.session.threads
        for thread_id in self.sidebar.thread_ids():
            if book.threads[thread_id].unread and thread_id != self.current:
                self.open_thread(thread_id)
                return
        self.hint("No unread messages elsewhere.")

    def action_nth(self, index: int) -> None:
        ids = [t.id for t in self.session.threads.ordered()]
        if index < len(ids):
            self.open_thread(ids[index])

    def action_page(self, direction: int) -> None:
        transcript = self.conversation.transcript
        transcript.scroll_page_up() if direction < 0 else transcript.scroll_page_down()

    def action_pick(self) -> None:
        self.set_focus(self.conversation.transcript)
        self.conversation.transcript.action_select(-1)

    def action_wallet(self) -> None:
        if not any(isinstance(screen, WalletScreen) for screen in self.app.screen_stack):
            self.app.push_screen(WalletScreen())

    def action_orders(self) -> None:
        REGISTRY.commands["orders"].run(self, Args())

    def action_retry_now(self) -> None:
        if not self.app.link.retry_now():
            self.hint("The link is not waiting to reconnect.")

    def action_dismiss_intro(self) -> None:
        self._dismiss_intro()

    def _dismiss_intro(self) -> None:
        for intro in self.query(FirstRunHint):
            intro.remove()
            self.app.intro_seen()  # type: ignore[attr-defined]


def _nothing(_value: object) -> None:
    """Typing notices are best effort."""
