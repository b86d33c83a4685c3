"""What the client knows about your threads: their order, unread counts, who is typing.

Pure state, changed by one method per kind of news (:mod:`chatshop.tui.feed` calls them as
relay events arrive) and by request results. Every change bumps ``version``, which the
screens copy into a reactive so the sidebar and the title redraw in their watchers.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from msgspec import structs

from chatshop.protocol.models import Message, Thread, User
from chatshop.tui.window import Window

TYPING_SECONDS = 6.0
"""How long "alice is typing" stays after her last typing event."""

KEPT_WINDOWS = 6
"""Windows kept for recently opened threads; older ones are dropped and fetched again."""


class ThreadBook:
    """The threads of the logged-in account, as the app shows them."""

    def __init__(self, me: User | None = None) -> None:
        self.me = me
        self.threads: dict[int, Thread] = {}
        self.windows: OrderedDict[int, Window] = OrderedDict()
        self.typing: dict[int, dict[int, float]] = {}
        self.read_by: dict[int, dict[int, int]] = {}
        self.customers: dict[int, int] = {}
        """Brand thread -> its customer's id, as hand-over news told it."""
        self.answering: dict[int, str] = {}
        """Brand thread -> who answers it now ("the assistant", a staff member's name)."""
        self.loaded = False
        """Whether the relay's thread list arrived at least once."""
        self.version = 0
        """Bumped on every change to the threads (names, order, counts)."""

    # ------------------------------------------------------------------ queries

    @property
    def my_id(self) -> int | None:
        return self.me.id if self.me else None

    def ordered(self, needle: str = "") -> list[Thread]:
        """Threads by latest activity; with ``needle``, the best matches first: a direct
        thread with that person, then names that start with it, then any name or member."""
        threads = sorted(self.threads.values(), key=lambda t: (-t.last_activity, t.id))
        needle = needle.strip().lower().lstrip("@")
        if not needle:
            return threads
        ranked = [(self.rank(t, needle), n, t) for n, t in enumerate(threads)]
        return [t for rank, _, t in sorted(ranked, key=lambda r: (r[0], r[1])) if rank < 9]

    def rank(self, thread: Thread, needle: str) -> int:
        """0 (best) to 9 (no match) for the thread jump."""
        title = self.title(thread).lower()
        other = self.other(thread) if thread.kind != "group" else None
        if other is not None and needle in (other.handle.lower(), *_words(other.display_name)):
            return 0
        if title.startswith(needle) or (other is not None and other.handle.startswith(needle)):
            return 1
        if needle in title:
            return 2
        if any(
            needle in m.handle.lower() or needle in m.display_name.lower()
            for m in thread.members
            if m.id != self.my_id
        ):
            return 3
        return 9

    def title(self, thread: Thread) -> str:
        """What a thread is called: the group name, the other person, or for brand staff the
        customer and the brand."""
        if thread.kind == "group":
            return thread.name or "(unnamed group)"
        customer = self.customer(thread)
        if customer is not None:
            brand = self.brand(thread)
            via = f" · {brand.display_name or brand.handle}" if brand else ""
            return f"{customer.display_name or customer.handle}{via}"
        other = self.other(thread)
        if other is not None:
            return other.display_name or other.handle
        return thread.name or "(just you)"

    def other(self, thread: Thread) -> User | None:
        """The other member of a direct or brand thread (the brand, for its customer)."""
        if thread.kind == "brand":
            brand = self.brand(thread)
            if brand is not None and self.customer(thread) is None:
                return brand
        for member in thread.members:
            if member.id != self.my_id:
                return member
        return None

    def brand(self, thread: Thread) -> User | None:
        """The brand account of a brand thread."""
        return next((m for m in thread.members if m.kind == "brand"), None)

    def customer(self, thread: Thread) -> User | None:
        """In a brand thread you answer for the brand (staff): the customer; else None.
        The customer is the one hand-over news named, else the thread's first person (staff
        join later)."""
        if thread.kind != "brand":
            return None
        people = [m for m in thread.members if m.kind != "brand"]
        known = self.customers.get(thread.id)
        customer = next((m for m in people if m.id == known), people[0] if people else None)
        return None if customer is None or customer.id == self.my_id else customer

    def members(self, thread_id: int) -> list[User]:
        thread = self.threads.get(thread_id)
        return list(thread.members) if thread else []

    def user(self, user_id: int) -> User | None:
        for thread in self.threads.values():
            for member in thread.members:
                if member.id == user_id:
                    return member
        return None

    def handles(self) -> list[str]:
        """Every handle seen in your threads but yours (for completion)."""
        mine = self.me.handle if self.me else None
        return sorted({m.handle for t in self.threads.values() for m in t.members} - {mine})

    def typing_names(self, thread_id: int, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        people = self.typing.get(thread_id, {})
        for user_id in [u for u, until in people.items() if until < now]:
            del people[user_id]
        names = []
        for user_id in people:
            user = self.user(user_id)
            names.append(user.display_name if user else f"user #{user_id}")
        return names

    def window(self, thread_id: int) -> Window | None:
        window = self.windows.get(thread_id)
        if window is not None:
            self.windows.move_to_end(thread_id)
        return window

    def new_window(self, thread_id: int) -> Window:
        window = Window(thread_id=thread_id)
        self.windows[thread_id] = window
        while len(self.windows) > KEPT_WINDOWS:
            self.windows.popitem(last=False)
        return window

    def total_unread(self) -> int:
        return sum(t.unread for t in self.threads.values())

    # ------------------------------------------------------------------ changes

    def _changed(self) -> None:
        self.version += 1

    def load(self, threads: list[Thread]) -> None:
        """The relay's thread list; where an event already told us more, keep what we know."""
        fresh: dict[int, Thread] = {}
        for thread in threads:
            known = self.threads.get(thread.id)
            if known is not None and known.last_seq > thread.last_seq:
                thread = structs.replace(
                    thread,
                    last_seq=known.last_seq,
                    last_message=known.last_message,
                    last_activity=known.last_activity,
                    unread=known.unread,
                    read_seq=known.read_seq,
                )
            fresh[thread.id] = thread
        self.threads = fresh
        for thread_id in list(self.windows):
            if thread_id not in self.threads:
                del self.windows[thread_id]
        self.loaded = True
        self._changed()

    def put(self, thread: Thread, *, keep_counts: bool = True) -> None:
        """A thread's new state (from a ThreadEvent or a request result)."""
        old = self.threads.get(thread.id)
        if old is not None and keep_counts:
            thread = structs.replace(
                thread,
                unread=old.unread,
                read_seq=old.read_seq,
                last_message=thread.last_message or old.last_message,
                last_seq=max(thread.last_seq, old.last_seq),
                last_activity=max(thread.last_activity, old.last_activity),
            )
        self.threads[thread.id] = thread
        self._changed()

    def drop(self, thread_id: int) -> None:
        self.threads.pop(thread_id, None)
        self.windows.pop(thread_id, None)
        self._changed()

    def mark_read(self, thread_id: int, seq: int) -> bool:
        """You read ``thread_id`` up to ``seq``; True when that changed anything."""
        thread = self.threads.get(thread_id)
        if thread is None or (thread.read_seq >= seq and thread.unread == 0):
            return False
        unread = max(thread.last_seq - seq, 0)
        self.threads[thread_id] = structs.replace(
            thread, read_seq=max(thread.read_seq, seq), unread=unread
        )
        self._changed()
        return True

    def arrived(self, message: Message) -> None:
        """A new message in one of your threads."""
        thread = self.threads.get(message.thread_id)
        if thread is not None:
            mine = message.sender_id == self.my_id
            fresh = message.seq > thread.last_seq
            unread = thread.unread + (1 if fresh and not mine else 0)
            self.threads[thread.id] = structs.replace(
                thread,
                last_message=message,
                last_seq=max(thread.last_seq, message.seq),
                last_activity=max(thread.last_activity, message.created_at),
                unread=0 if mine else unread,
                read_seq=message.seq if mine else thread.read_seq,
            )
            self._changed()
        self.typing.get(message.thread_id, {}).pop(message.sender_id, None)
        window = self.windows.get(message.thread_id)
        if window is not None:
            window.add(message)

    def replaced(self, message: Message) -> None:
        """A message changed in place: edited, deleted, or its card updated."""
        window = self.windows.get(message.thread_id)
        if window is not None:
            window.replace(message)
        thread = self.threads.get(message.thread_id)
        if thread is not None and thread.last_message and thread.last_message.id == message.id:
            self.threads[thread.id] = structs.replace(thread, last_message=message)
            self._changed()

    def typed(self, thread_id: int, user_id: int) -> None:
        if user_id != self.my_id:
            self.typing.setdefault(thread_id, {})[user_id] = time.monotonic() + TYPING_SECONDS

    def read(self, thread_id: int, user_id: int, seq: int) -> None:
        if user_id == self.my_id:
            self.mark_read(thread_id, seq)
        else:
            self.read_by.setdefault(thread_id, {})[user_id] = seq


def _words(name: str) -> tuple[str, ...]:
    return tuple(word for word in name.lower().split() if word)
