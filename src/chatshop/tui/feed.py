"""The app's one event stream, published: relay events, link state and queued work arrive
here from the link worker, change the session's books, then go out on typed Textual
signals. A screen or widget subscribes in ``on_mount`` to what it shows and is unsubscribed
when it goes; nothing routes news to a screen by asking what kind of screen it is.

Each relay event type has one entry in a table (type -> what it changes, what it publishes),
so adding an event is adding a row, and an unknown one is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.dom import DOMNode
from textual.signal import Signal

from chatshop.client import StateChanged
from chatshop.protocol.frames import (
    AnyEvent,
    ContactEvent,
    MemberEvent,
    MessageDeleted,
    MessageEdited,
    MessageEvent,
    ReadEvent,
    ThreadEvent,
    TypingEvent,
)
from chatshop.protocol.models import Message, Thread, User
from chatshop.protocol.payment_frames import CardEvent, WalletEvent
from chatshop.protocol.shop_frames import CartEvent, HandoverEvent, OrderEvent
from chatshop.protocol.shop_models import Cart, Handover, Order
from chatshop.tui.book import ThreadBook
from chatshop.tui.wallet import WalletBook
from chatshop.tui.window import QuoteCache


@dataclass
class Session:
    """Everything known about the logged-in account, as the screens show it."""

    me: User
    url: str
    threads: ThreadBook = field(init=False)
    wallet: WalletBook = field(default_factory=WalletBook)
    quotes: QuoteCache = field(default_factory=QuoteCache)
    staff_brands: list[str] = field(default_factory=list)
    """Brands this account answers for (their queue opens with F4)."""

    def __post_init__(self) -> None:
        self.threads = ThreadBook(me=self.me)


class Feed:
    """Typed signals, one per kind of news, owned by the app."""

    def __init__(self, owner: DOMNode) -> None:
        self.message: Signal[Message] = Signal(owner, "message")
        """A new message (already in the book and its window)."""
        self.changed: Signal[Message] = Signal(owner, "changed")
        """A message edited, deleted, or its card updated (a request paid, a packet opened)."""
        self.threads: Signal[int] = Signal(owner, "threads")
        """The thread list changed (names, members, order, counts): the book's version."""
        self.typing: Signal[int] = Signal(owner, "typing")
        """Someone started typing in this thread."""
        self.read: Signal[ReadEvent] = Signal(owner, "read")
        self.left: Signal[int] = Signal(owner, "left")
        """You are no longer in this thread."""
        self.wallet: Signal[int] = Signal(owner, "wallet")
        """Balances or history changed: the wallet book's version."""
        self.order: Signal[Order] = Signal(owner, "order")
        self.cart: Signal[Cart] = Signal(owner, "cart")
        self.handover: Signal[Handover] = Signal(owner, "handover")
        self.pending: Signal[int] = Signal(owner, "pending")
        """Messages written here in this thread changed state (sent, failed, discarded)."""
        self.link: Signal[StateChanged] = Signal(owner, "link")
        """The link's state (connected, reconnecting with a delay, offline)."""
        self.queued: Signal[tuple[str, ...]] = Signal(owner, "queued")
        """What waits for the link to come back, by label."""
        self.session: Session | None = None
        self._routes: dict[type[Any], Callable[[Any], None]] = {
            MessageEvent: self._message,
            MessageEdited: self._replaced,
            MessageDeleted: self._replaced,
            CardEvent: self._replaced,
            TypingEvent: self._typing,
            ReadEvent: self._read,
            ThreadEvent: self._thread,
            MemberEvent: self._member,
            WalletEvent: self._wallet,
            OrderEvent: lambda event: self.order.publish(event.order),
            CartEvent: lambda event: self.cart.publish(event.cart),
            HandoverEvent: self._handover,
            ContactEvent: lambda _event: None,
        }

    def take(self, event: AnyEvent) -> None:
        """Apply one relay event to the session and publish what it changed."""
        if self.session is None:
            return
        route = self._routes.get(type(event))
        if route is not None:
            route(event)

    def link_changed(self, change: StateChanged) -> None:
        self.link.publish(change)

    # ------------------------------------------------------------------ the table's rows

    @property
    def _session(self) -> Session:
        assert self.session is not None
        return self.session

    def _message(self, event: MessageEvent) -> None:
        session = self._session
        session.quotes.remember(event.message)
        session.threads.arrived(event.message)
        self.message.publish(event.message)
        self.threads.publish(session.threads.version)

    def _replaced(self, event: MessageEdited | MessageDeleted | CardEvent) -> None:
        session = self._session
        session.quotes.remember(event.message)
        session.threads.replaced(event.message)
        self.changed.publish(event.message)
        self.threads.publish(session.threads.version)

    def _typing(self, event: TypingEvent) -> None:
        self._session.threads.typed(event.thread_id, event.user_id)
        self.typing.publish(event.thread_id)

    def _read(self, event: ReadEvent) -> None:
        book = self._session.threads
        book.read(event.thread_id, event.user_id, event.seq)
        self.read.publish(event)
        self.threads.publish(book.version)

    def _thread(self, event: ThreadEvent) -> None:
        book = self._session.threads
        book.put(event.thread)
        self.threads.publish(book.version)

    def _member(self, event: MemberEvent) -> None:
        book = self._session.threads
        if event.user.id == book.my_id and event.change != "added":
            book.drop(event.thread_id)
            self.left.publish(event.thread_id)
            self.threads.publish(book.version)

    def _handover(self, event: HandoverEvent) -> None:
        self.handover_known(event.handover)

    def handover_known(self, handover: Handover) -> None:
        """Who answers a brand thread (an event, or the answer to asking for a person)."""
        book = self._session.threads
        book.customers[handover.thread_id] = handover.customer_id
        if handover.mode == "staff" and handover.agent is not None:
            who = handover.agent.display_name or handover.agent.handle
        else:
            who = "the assistant" if handover.mode == "bot" else "waiting for a person"
        book.answering[handover.thread_id] = who
        book.version += 1
        self.handover.publish(handover)
        self.threads.publish(book.version)

    def _wallet(self, event: WalletEvent) -> None:
        wallet = self._session.wallet
        wallet.apply(event)
        self.wallet.publish(wallet.version)

    # ------------------------------------------------------------------ results

    def thread_put(self, thread: Thread) -> None:
        """A request answered with a thread's new state (a new DM, a rename)."""
        book = self._session.threads
        book.put(thread)
        self.threads.publish(book.version)

    def thread_gone(self, thread_id: int) -> None:
        book = self._session.threads
        book.drop(thread_id)
        self.left.publish(thread_id)
        self.threads.publish(book.version)

    def stored(self, message: Message) -> None:
        """A request answered with a message (a card posted, an edit): show it now."""
        session = self._session
        session.quotes.remember(message)
        window = session.threads.window(message.thread_id)
        if window is not None and window.find(message.id) is not None:
            session.threads.replaced(message)
            self.changed.publish(message)
        elif window is not None:
            window.add(message)
            self.changed.publish(message)

    def threads_loaded(self) -> None:
        """The book took a fresh thread list (after login or a reconnect)."""
        self.threads.publish(self._session.threads.version)

    def wallet_loaded(self) -> None:
        self.wallet.publish(self._session.wallet.version)
