"""The main screen: sidebar of threads, the open conversation, the composer, the status line."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from chatshop import safetext
from chatshop.money_input import escaped_text
from chatshop.protocol.frames import (
    MemberEvent,
    MessageDeleted,
    MessageEdited,
    MessageEvent,
    ReadEvent,
    ThreadEvent,
    TypingEvent,
)
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.payment_frames import CardEvent, WalletEvent
from chatshop.tui import jobs, slash
from chatshop.tui.book import ThreadBook
from chatshop.tui.cards import money
from chatshop.tui.link import CommandFailed, LinkMessage, LinkState, RelayEvent
from chatshop.tui.payments import MONEY_COMMANDS, Payments
from chatshop.tui.shop.desk import SHOP_COMMANDS, SHOP_VERBS, ShopDesk
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.widgets.composer import Composer
from chatshop.tui.widgets.sidebar import KIND_MARK, Sidebar
from chatshop.tui.widgets.status import ConnectionStatus
from chatshop.tui.widgets.transcript import Transcript
from chatshop.tui.window import PAGE_SIZE, Pending

if TYPE_CHECKING:
    from chatshop.tui.app import ChatshopApp

FIRST_PAGE = 50
TYPING_EVERY = 3.0


class MainScreen(Screen[None]):
    """Threads on the left, the open thread on the right.

    | Key | Action |
    | :- | :- |
    | ctrl+k | Jump to a thread: type to filter, enter to open. |
    | alt+up / alt+down | Previous / next thread. |
    | alt+a | Next thread with unread messages. |
    | alt+1 … alt+9 | The first nine threads. |
    | pageup / pagedown | Scroll the conversation. |
    | ctrl+t | Pick a message (r reply, e edit, del delete; on a card p pay, d decline, o open). |
    | a / b / s | On a picked product card: add to cart, buy now, similar items. |
    | f3 | Wallet: balances, history, top-up. |
    | f4 | Orders: your orders and their progress. |
    | f1 or ? | Help. |
    | ctrl+p | Command palette. |
    """

    BINDINGS = [
        Binding(
            "ctrl+k",
            "switcher",
            "Threads",
            priority=True,
            id="chat.switcher",
            tooltip="Jump to a thread by name",
        ),
        Binding(
            "alt+down",
            "cycle(1)",
            "Next thread",
            show=False,
            priority=True,
            id="chat.next_thread",
            tooltip="Open the next thread",
        ),
        Binding(
            "alt+up",
            "cycle(-1)",
            "Prev thread",
            show=False,
            priority=True,
            id="chat.previous_thread",
            tooltip="Open the previous thread",
        ),
        Binding(
            "alt+a",
            "next_unread",
            "Next unread",
            show=False,
            priority=True,
            id="chat.next_unread",
            tooltip="Open the next thread with unread messages",
        ),
        *(
            Binding(
                f"alt+{n}",
                f"nth({n - 1})",
                f"Thread {n}",
                show=False,
                priority=True,
                id=f"chat.thread_{n}",
                tooltip=f"Open thread number {n}",
            )
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
            "focus_transcript",
            "Pick message",
            id="chat.pick",
            tooltip="Select a message to reply to, edit or delete, or a card to pay",
        ),
        Binding(
            "f3",
            "wallet",
            "Wallet",
            id="chat.wallet",
            tooltip="Balances, history and top-up",
        ),
        Binding(
            "f4",
            "orders",
            "Orders",
            id="chat.orders",
            tooltip="Your orders and their progress (/orders @brand: a brand's queue)",
        ),
    ]

    app: ChatshopApp

    def __init__(self, book: ThreadBook) -> None:
        super().__init__()
        self.book = book
        self.current: int | None = None
        self.replying: Message | None = None
        self.editing: Message | None = None
        self._last_typing = 0.0
        self._marked: dict[int, int] = {}
        self._search_hits: list[int] = []
        self._hint = ""
        self._marker: int | None = None
        self.payments = Payments(self)
        self.shop = ShopDesk(self)
        # What the link posts before compose has mounted the widgets waits here, in order.
        self._early: list[LinkMessage] | None = []

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(self.book, id="sidebar")
            with Vertical(id="conversation"):
                yield Static(id="thread-title")
                yield Transcript(
                    id="transcript", quotes=self.app.quotes, tz=self.app.tz, today=self.app.today
                )
                yield Static(id="info")
                yield Static(id="banner")
                yield Composer(id="composer")
                yield Static(id="hint")
        with Horizontal(id="statusbar"):
            yield ConnectionStatus(id="status")
            yield Static(id="balance")
            yield Static(id="whoami")
        yield Footer()

    @property
    def ready(self) -> bool:
        """Mounted, with everything the link posted before that applied."""
        return self._early is None

    @property
    def transcript(self) -> Transcript:
        return self.query_one("#transcript", Transcript)

    @property
    def composer(self) -> Composer:
        return self.query_one("#composer", Composer)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one("#sidebar", Sidebar)

    @property
    def status(self) -> ConnectionStatus:
        return self.query_one("#status", ConnectionStatus)

    def on_mount(self) -> None:
        me = self.book.me
        who = f"@{me.handle}" if me else ""
        self.query_one("#whoami", Static).update(
            Content(f"{who} on {safetext.clean_line(self.app.server_url)}")
        )
        self.set_interval(1.0, self._refresh_info)
        self.status.set_state("connected")
        self.composer.focus()
        self._show_banner()
        self.show_hint("")
        self.show_balance()
        self.sidebar.refresh_threads()
        early, self._early = self._early or [], None
        for message in early:
            self.receive(message)

    # ------------------------------------------------------------------ from the link

    def receive(self, message: LinkMessage) -> None:
        """Everything the link posts that concerns this screen."""
        if self._early is not None:
            self._early.append(message)
            return
        if self.payments.receive(message):
            return
        if isinstance(message, RelayEvent):
            self._relay_event(message)
        elif isinstance(message, LinkState):
            change = message.change
            self.status.set_state(
                str(change.state), retry_in=change.retry_in, detail=change.error or ""
            )
        elif isinstance(message, jobs.ThreadsLoaded):
            self.book.load(message.threads)
            self.sidebar.refresh_threads()
            if self.current not in self.book.threads:
                ordered = self.book.ordered()
                if ordered:
                    self.open_thread(ordered[0].id)
                else:
                    self._show_title()
        elif isinstance(message, jobs.HistoryLoaded):
            self._history_loaded(message)
        elif isinstance(message, jobs.MessageSent):
            window = self.book.window(message.message.thread_id)
            self.app.quotes.remember(message.message)
            if window is not None:
                window.resolve_pending(message.key, message.message)
                self._window_changed(message.message.thread_id)
        elif isinstance(message, jobs.SendFailed):
            window = self.book.window(message.thread_id)
            if window is not None:
                window.fail_pending(message.key, message.reason)
                self._window_changed(message.thread_id)
        elif isinstance(message, jobs.MessageChanged):
            window = self.book.window(message.message.thread_id)
            if window is not None:
                window.replace(message.message)
                self._window_changed(message.message.thread_id)
        elif isinstance(message, jobs.ThreadOpened):
            self.book.put(message.thread)
            self.sidebar.filter_input.value = ""
            self.sidebar.refresh_threads()
            self.open_thread(message.thread.id)
        elif isinstance(message, jobs.ThreadUpdated):
            self.book.put(message.thread)
            self._thread_changed(message.thread.id)
        elif isinstance(message, jobs.ThreadLeft):
            self._left(message.thread_id)
        elif isinstance(message, jobs.Info):
            self.show_hint(message.text)
        elif isinstance(message, CommandFailed):
            if message.what == "load messages":  # let the next scroll ask again
                self.transcript.loading_older = self.transcript.loading_newer = False
            self.show_hint(f"{message.what}: {message.reason}", error=True)

    def _relay_event(self, message: RelayEvent) -> None:
        event = message.event
        new = self.book.apply(event, open_thread=self.current)
        if isinstance(event, MessageEvent):
            assert new is not None
            self.app.quotes.remember(new)
            mine = self.book.me is not None and new.sender_id == self.book.me.id
            if event.thread_id == self.current:
                self._window_changed(event.thread_id)
            elif not mine:
                self.app.notify_message(self.book, event.thread_id, new)
            self.sidebar.refresh_threads()
            self._refresh_info()
        elif isinstance(event, (MessageEdited, MessageDeleted, CardEvent)):
            self.app.quotes.remember(event.message)
            self._window_changed(event.thread_id)
            self.sidebar.refresh_threads()
        elif isinstance(event, WalletEvent):
            self.payments.wallet_event(event)
        elif isinstance(event, TypingEvent):
            self._refresh_info()
        elif isinstance(event, ReadEvent):
            if event.thread_id == self.current:
                self.transcript.set_read(event.user_id, event.seq)
            self.sidebar.refresh_threads()
            self.app.update_window_title(self.book)
        elif isinstance(event, ThreadEvent):
            self._thread_changed(event.thread.id)
        elif isinstance(event, MemberEvent):
            if event.thread_id not in self.book.threads:
                self._left(event.thread_id)
            else:
                self.app.link.submit("refresh thread", jobs.load_threads())

    def _thread_changed(self, thread_id: int) -> None:
        self.sidebar.refresh_threads()
        if thread_id == self.current:
            self.transcript.set_members(self.book.members(thread_id))
            self._show_title()

    def _left(self, thread_id: int) -> None:
        self.book.drop(thread_id)
        self.sidebar.refresh_threads()
        if thread_id == self.current:
            self.current = None
            ordered = self.book.ordered()
            if ordered:
                self.open_thread(ordered[0].id)
            else:
                self._show_title()

    def _window_changed(self, thread_id: int) -> None:
        if thread_id == self.current:
            self.transcript.changed()

    def _history_loaded(self, message: jobs.HistoryLoaded) -> None:
        history = message.history
        for item in history.messages:
            self.app.quotes.remember(item)
        window = self.book.window(history.thread_id)
        if window is None:
            return
        thread = self.book.threads.get(history.thread_id)
        if message.mode == "latest":
            window.reset(
                history.messages, more=history.more, last_seq=thread.last_seq if thread else None
            )
            if history.thread_id == self.current:
                self._show_window(history.thread_id)
        elif message.mode == "older":
            window.prepend(history.messages, more=history.more)
            if history.thread_id == self.current:
                self.transcript.changed(loaded_older=True)
        else:
            window.append_newer(history.messages)
            if history.thread_id == self.current:
                self.transcript.changed(loaded_newer=True)

    # ------------------------------------------------------------------ threads

    def open_thread(self, thread_id: int) -> None:
        """Show ``thread_id``: its latest page at once if known, then fresh from the relay."""
        thread = self.book.threads.get(thread_id)
        if thread is None:
            return
        self.current = thread_id
        self.sidebar.current = thread_id
        self.replying = self.editing = None
        self._search_hits = []
        self._show_banner()
        window = self.book.window(thread_id)
        self._marker = thread.read_seq + 1 if thread.unread else None
        if window is None:
            window = self.book.new_window(thread_id)
            self._show_window(thread_id)
            self.app.link.submit(
                "load messages", jobs.load_history(thread_id, None, FIRST_PAGE, "latest")
            )
        else:
            self._show_window(thread_id)
        self._show_title()
        self.sidebar.refresh_threads()
        self._refresh_info()

    def _show_window(self, thread_id: int) -> None:
        window = self.book.window(thread_id)
        if window is None:
            return
        self.transcript.show(
            window,
            members=self.book.members(thread_id),
            me=self.book.me.id if self.book.me else None,
            new_marker_seq=self._marker,
        )
        for user_id, seq in self.book.read_by.get(thread_id, {}).items():
            self.transcript.set_read(user_id, seq)

    def _show_title(self) -> None:
        title = self.query_one("#thread-title", Static)
        thread = self.book.threads.get(self.current) if self.current is not None else None
        if thread is None:
            title.update(Content("No conversation open — /dm @handle to start one"))
            return
        mark = KIND_MARK.get(thread.kind, "")
        name = safetext.clean_line(self.book.title(thread), max_chars=48)
        if thread.kind == "group":
            detail = (
                f"{len(thread.members)} members: "
                + ", ".join(f"@{m.handle}" for m in thread.members[:6])
                + (" …" if len(thread.members) > 6 else "")
            )
        else:
            other = self.book.other(thread)
            detail = (
                f"@{other.handle}" + (" · brand" if thread.kind == "brand" else "")
                if (other)
                else ""
            )
        title.update(Content.assemble((f"{mark} {name}", "bold"), ("  " + detail, "$text-muted")))

    def action_switcher(self) -> None:
        self.sidebar.focus_filter()

    def action_cycle(self, step: int) -> None:
        ids = self.sidebar.thread_ids()
        if not ids:
            return
        index = ids.index(self.current) if self.current in ids else -step
        self.open_thread(ids[(index + step) % len(ids)])

    def action_next_unread(self) -> None:
        ids = self.sidebar.thread_ids()
        for thread_id in ids:
            thread = self.book.threads[thread_id]
            if thread.unread and thread_id != self.current:
                self.open_thread(thread_id)
                return
        self.show_hint("No unread messages elsewhere.")

    def action_nth(self, index: int) -> None:
        ids = self.sidebar.thread_ids()
        if index < len(ids):
            self.open_thread(ids[index])

    def action_page(self, direction: int) -> None:
        if direction < 0:
            self.transcript.scroll_page_up()
        else:
            self.transcript.scroll_page_down()

    def action_focus_transcript(self) -> None:
        self.transcript.focus()
        self.transcript.action_select(-1)

    @on(Sidebar.Selected)
    def _sidebar_selected(self, event: Sidebar.Selected) -> None:
        self.open_thread(event.thread_id)
        self.sidebar.filter_input.value = ""
        self.composer.focus()

    # ------------------------------------------------------------------ transcript

    @on(Transcript.PageWanted)
    def _page_wanted(self, event: Transcript.PageWanted) -> None:
        self.app.link.submit(
            "load messages",
            jobs.load_history(
                event.thread_id, event.before, PAGE_SIZE, "older" if event.older else "newer"
            ),
        )

    @on(Transcript.ReachedEnd)
    def _reached_end(self, event: Transcript.ReachedEnd) -> None:
        thread = self.book.threads.get(event.thread_id)
        if thread is None or event.thread_id != self.current:
            return
        if thread.unread or thread.read_seq < event.seq:
            if self._marked.get(event.thread_id, 0) < event.seq:
                self._marked[event.thread_id] = event.seq
                self.app.link.submit("mark read", jobs.mark_read(event.thread_id, event.seq))
            if self.book.mark_read(event.thread_id, event.seq):
                self.sidebar.refresh_threads()
                self.app.update_window_title(self.book)

    @on(Transcript.UnseenChanged)
    def _unseen_changed(self) -> None:
        self._refresh_info()

    @on(Transcript.ActionRequested)
    def _transcript_action(self, event: Transcript.ActionRequested) -> None:
        self.composer.focus()
        if event.action == "reply":
            self._start_reply(event.message)
        elif event.action == "edit":
            self._start_edit(event.message)
        elif event.action == "delete":
            self._delete(event.message)
        elif event.action in ("pay", "decline", "open"):
            self.payments.card_action(event.action, event.message)
        elif event.action in SHOP_VERBS:
            self.shop.card_action(event.action, event.message)

    # ------------------------------------------------------------------ composer

    def restore_composer(self, text: str) -> None:
        """Put back a line that could not be used (the hint says why)."""
        self.composer.restore(text)

    @on(Composer.Typed)
    def _typed(self, event: Composer.Typed) -> None:
        specs = slash.completions(event.text)
        if specs:
            shown = "   ".join(f"{s.usage} — {s.summary}" for s in specs[:3])
            more = f"   (+{len(specs) - 3} more, tab completes)" if len(specs) > 3 else ""
            self.show_hint(shown + more, persistent=True)
        elif self._hint and self._hint_persistent:
            self.show_hint("")
        now = time.monotonic()
        if (
            event.text
            and not event.text.startswith("/")
            and self.current is not None
            and now - self._last_typing > TYPING_EVERY
        ):
            self._last_typing = now
            self.app.link.submit("typing", jobs.typing(self.current))

    @on(Composer.Cancelled)
    def _cancelled(self) -> None:
        if self.replying or self.editing:
            self.replying = self.editing = None
            self._show_banner()
        else:
            self.composer.set_text("")
        self.show_hint("")

    @on(Composer.EditLastRequested)
    def _edit_last(self) -> None:
        message = self.transcript.last_message(mine=True)
        if message is None:
            self.show_hint("You have no message to edit here.")
            return
        self._start_edit(message)

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        try:
            command = slash.parse(event.text)
        except slash.SlashError as exc:
            self.show_hint(str(exc), error=True)
            self.restore_composer(event.text)
            return
        if command is not None:
            self._run(command, event.text)
        elif self.editing is None and self.shop.cart_reply(event.text):
            pass  # "#cart" as a reply to a product card: added to the cart, not sent
        elif self.editing is not None:
            self._send(slash.message_text(event.text))
        elif (literal := escaped_text(event.text)) is not None:
            self._send(literal)
        elif not self.payments.payment_line(event.text):
            self._send(slash.message_text(event.text))

    def _send(self, text: str) -> None:
        if self.editing is not None:
            original = self.editing
            self.editing = None
            self._show_banner()
            if text != original.text:
                self.app.link.submit("edit", jobs.edit(original.id, text))
            return
        if self.current is None:
            self.show_hint("Open a conversation first (ctrl+k), or /dm @handle.", error=True)
            return
        window = self.book.window(self.current)
        reply_to = self.replying.id if self.replying else None
        key = uuid.uuid4().hex
        if window is not None:
            window.add_pending(
                Pending(
                    key=key,
                    thread_id=self.current,
                    text=text,
                    created_at=int(time.time() * 1000),
                    reply_to=reply_to,
                )
            )
            self.transcript.changed()
            self.transcript.scroll_end_now()
        self.app.link.submit("send", jobs.send(self.current, text, key, reply_to))
        self.replying = None
        self._show_banner()
        self.show_hint("")

    def _target(self, *, mine: bool | None) -> Message | None:
        selected = self.transcript.selected_message()
        if selected is not None and (mine is None or (selected.sender_id == self._my_id()) == mine):
            return selected
        return self.transcript.last_message(mine=mine)

    def _my_id(self) -> int | None:
        return self.book.me.id if self.book.me else None

    def _start_reply(self, message: Message) -> None:
        self.editing = None
        self.replying = message
        self._show_banner()

    def _start_edit(self, message: Message) -> None:
        if message.sender_id != self._my_id():
            self.show_hint("You can only edit your own messages.", error=True)
            return
        if message.card is not None:
            self.show_hint("Money cards are the thread's record: they cannot be edited.")
            return
        self.replying = None
        self.editing = message
        self.composer.set_text(message.text)
        self._show_banner()

    def _delete(self, message: Message) -> None:
        if message.sender_id != self._my_id():
            self.show_hint("You can only delete your own messages.", error=True)
            return
        if message.card is not None:
            self.show_hint("Money cards are the thread's record: they cannot be deleted.")
            return
        self.app.link.submit("delete", jobs.delete(message.id))
        self.show_hint("Message deleted.")

    def _current_thread(self) -> Thread | None:
        return self.book.threads.get(self.current) if self.current is not None else None

    def _run(self, command: slash.Command, line: str) -> None:
        """Carry out a parsed slash command (``line`` is what was typed)."""
        link = self.app.link
        thread = self._current_thread()
        name = command.name
        label = f"/{name}"
        done = True
        if name in MONEY_COMMANDS:
            self.payments.command(command, line)
        elif name in SHOP_COMMANDS or (name == "search" and self.shop.is_brand_thread()):
            done = self.shop.command(name, command.text, command.handles)
        elif name == "help":
            self.app.action_help()
        elif name == "logout":
            self.app.action_logout()
        elif name == "dm":
            link.submit(f"/dm @{command.handles[0]}", jobs.open_direct(command.handles[0]))
        elif name == "group":
            link.submit(label, jobs.create_group(command.text, list(command.handles)))
        elif name == "friend":
            link.submit(f"/friend {command.verb}", jobs.friend(command.verb, command.handles[0]))
        elif name == "search":
            self._search(command.text)
        elif thread is None:
            self.show_hint("Open a conversation first.", error=True)
            done = False
        elif name in ("invite", "kick", "leave", "rename") and thread.kind != "group":
            self.show_hint(f"/{name} works in groups only.", error=True)
            done = False
        elif name == "invite":
            link.submit(label, jobs.add_member(thread.id, command.handles[0]))
        elif name == "kick":
            link.submit(label, jobs.remove_member(thread.id, command.handles[0]))
        elif name == "leave":
            link.submit(label, jobs.leave_group(thread.id))
        elif name == "rename":
            link.submit(label, jobs.rename_group(thread.id, command.text))
        elif name == "reply":
            target = self._target(mine=None if self.transcript.selected_message() else False)
            if target is None:
                self.show_hint("Nothing to reply to here.", error=True)
                done = False
            elif command.text:
                self.replying = target
                self._send(command.text)
            else:
                self._start_reply(target)
        elif name == "edit":
            target = self._target(mine=True)
            if target is None:
                self.show_hint("You have no message to edit here.", error=True)
                done = False
            elif command.text:
                link.submit("edit", jobs.edit(target.id, command.text))
            else:
                self._start_edit(target)
        elif name == "delete":
            target = self._target(mine=True)
            if target is None:
                self.show_hint("You have no message to delete here.", error=True)
                done = False
            else:
                self._delete(target)
        if not done:
            self.restore_composer(line)

    def _search(self, needle: str) -> None:
        window = self.book.window(self.current) if self.current is not None else None
        if window is None:
            self.show_hint("Open a conversation first.", error=True)
            return
        lowered = needle.lower()
        hits = [m.seq for m in window.messages if not m.deleted and lowered in m.text.lower()]
        if not hits:
            self.show_hint(f"No loaded message contains {safetext.clean_line(needle)!r}.")
            return
        transcript = self.transcript
        # Each /search with the same text steps to an older hit.
        previous = transcript.selected_message()
        older = [s for s in hits if previous is None or s < previous.seq]
        seq = (older or hits)[-1]
        transcript.select_seq(seq)
        self.show_hint(
            f"{len(hits)} match{'es' if len(hits) != 1 else ''} in the loaded messages; "
            f"showing #{hits.index(seq) + 1} from the oldest. /search again for older."
        )

    # ------------------------------------------------------------------ money

    def show_message(self, message: Message) -> None:
        """A message the relay returned for a request of ours (a card posted or updated)."""
        self.app.quotes.remember(message)
        window = self.book.window(message.thread_id)
        if window is not None:
            window.add(message)
            self._window_changed(message.thread_id)

    def show_balance(self) -> None:
        """The wallet's default-currency balance in the status line."""
        wallet = self.app.wallet
        balance = self.query_one("#balance", Static)
        if wallet.default_currency is None:
            balance.update("")
            return
        amount = money(wallet.balance(wallet.default_currency), wallet.default_currency)
        balance.update(Content.assemble(("wallet ", "$text-muted"), (amount, "bold")))

    def action_orders(self) -> None:
        if not any(isinstance(screen, OrdersScreen) for screen in self.app.screen_stack):
            self.shop.command("orders", "", ())

    def action_wallet(self) -> None:
        from chatshop.tui.screens.wallet import WalletScreen

        if not any(isinstance(screen, WalletScreen) for screen in self.app.screen_stack):
            self.app.push_screen(WalletScreen())

    def action_card(self, verb: str) -> None:
        """Pay, decline or open: the selected card, else the newest one that allows it."""
        message = self.payments.actionable(verb)
        if message is None:
            self.show_hint(self.payments.nothing_to(verb), error=True)
        else:
            self.payments.card_action(verb, message)

    # ------------------------------------------------------------------ lines under the transcript

    def _show_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        if self.replying is not None:
            who = self.transcript._sender_name(self.replying.sender_id)
            text = f"↪ replying to {who}: {safetext.clean_line(self.replying.text, max_chars=60)}"
        elif self.editing is not None:
            text = "✎ editing your message"
        else:
            banner.display = False
            return
        banner.display = True
        banner.update(Content.assemble((text, "$text-muted"), ("   esc cancels", "$text-disabled")))

    _hint_persistent = False

    def show_hint(self, text: str, *, error: bool = False, persistent: bool = False) -> None:
        hint = self.query_one("#hint", Static)
        self._hint = text
        self._hint_persistent = persistent
        hint.display = bool(text)
        hint.set_class(error, "-error")
        hint.update(Content(safetext.clean_line(text)))

    def _refresh_info(self) -> None:
        info = self.query_one("#info", Static)
        parts: list[str] = []
        if self.current is not None:
            names = self.book.typing_names(self.current)
            if names:
                cleaned = [safetext.clean_line(n, max_chars=24) for n in names]
                verb = "is" if len(cleaned) == 1 else "are"
                parts.append(f"{' and '.join(cleaned[:2])} {verb} typing…")
        unseen = self.transcript.unseen
        if unseen:
            parts.append(f"↓ {unseen} new below (pgdn)")
        info.display = bool(parts)
        info.update(Content("   ".join(parts)))
