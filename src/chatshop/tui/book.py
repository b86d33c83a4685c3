"""What the client knows about your threads: their order, unread counts, who is typing.

Pure state, fed by relay events and results; the sidebar and the main screen read it.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from chatshop.protocol.frames import (
    AnyEvent,
    MemberEvent,
    MessageDeleted,
    MessageEdited,
    MessageEvent,
    ReadEvent,
    ThreadEvent,
    TypingEvent,
)
from chatshop.protocol.models import Message, Thread, User
from chatshop.protocol.payment_frames import CardEvent
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

    # ------------------------------------------------------------------ queries

    def ordered(self, needle: str = "") -> list[Thread]:
        """Threads by latest activity, filtered by ``needle`` in names and handles."""
        needle = needle.strip().lower()
        threads = sorted(self.threads.values(), key=lambda t: (-t.last_activity, t.id))
        if not needle:
            return threads
        return [t for t in threads if needle in self.search_key(t)]

    def search_key(self, thread: Thread) -> str:
        parts = [self.title(thread)] + [m.handle for m in thread.members]
        parts += [m.display_name for m in thread.members]
        return " ".join(parts).lower()

    def title(self, thread: Thread) -> str:
        """What a thread is called: the group name, or the other person's name."""
        if thread.kind == "group":
            return thread.name or "(unnamed group)"
        others = [m for m in thread.members if self.me is None or m.id != self.me.id]
        if others:
            return others[0].display_name or others[0].handle
        return thread.name or "(just you)"

    def other(self, thread: Thread) -> User | None:
        """The other member of a direct or brand thread."""
        for member in thread.members:
            if self.me is None or member.id != self.me.id:
                return member
        return None

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
        """Every handle seen in your threads (for completion)."""
        return sorted({m.handle for t in self.threads.values() for m in t.members})

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

    def load(self, threads: list[Thread]) -> None:
        """The relay's thread list; where an event already told us more, keep what we know."""
        fresh: dict[int, Thread] = {}
        for thread in threads:
            known = self.threads.get(thread.id)
            if known is not None and known.last_seq > thread.last_seq:
                from msgspec import structs

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

    def put(self, thread: Thread, *, keep_counts: bool = True) -> None:
        """A thread's new state (from a ThreadEvent or a request result)."""
        old = self.threads.get(thread.id)
        if old is not None and keep_counts:
            from msgspec import structs

            thread = structs.replace(
                thread,
                unread=old.unread,
                read_seq=old.read_seq,
                last_message=thread.last_message or old.last_message,
                last_seq=max(thread.last_seq, old.last_seq),
                last_activity=max(thread.last_activity, old.last_activity),
            )
        self.threads[thread.id] = thread

    def drop(self, thread_id: int) -> None:
        self.threads.pop(thread_id, None)
        self.windows.pop(thread_id, None)

    def mark_read(self, thread_id: int, seq: int) -> bool:
        """You read ``thread_id`` up to ``seq``; True when that changed anything."""
        from msgspec import structs

        thread = self.threads.get(thread_id)
        if thread is None or (thread.read_seq >= seq and thread.unread == 0):
            return False
        unread = max(thread.last_seq - seq, 0)
        self.threads[thread_id] = structs.replace(
            thread, read_seq=max(thread.read_seq, seq), unread=unread
        )
        return True

    def apply(self, event: AnyEvent, *, open_thread: int | None = None) -> Message | None:
        """Apply a relay event; returns the new message when it is one."""
        from msgspec import structs

        if isinstance(event, MessageEvent):
            message = event.message
            thread = self.threads.get(event.thread_id)
            if thread is not None:
                mine = self.me is not None and message.sender_id == self.me.id
                unread = (
                    thread.unread if mine or message.seq <= thread.last_seq else (thread.unread + 1)
                )
                self.threads[thread.id] = structs.replace(
                    thread,
                    last_message=message,
                    last_seq=max(thread.last_seq, message.seq),
                    last_activity=max(thread.last_activity, message.created_at),
                    unread=0 if mine else unread,
                    read_seq=message.seq if mine else thread.read_seq,
                )
            self.typing.get(event.thread_id, {}).pop(message.sender_id, None)
            window = self.windows.get(event.thread_id)
            if window is not None:
                window.add(message)
            return message
        if isinstance(event, (MessageEdited, MessageDeleted, CardEvent)):
            window = self.windows.get(event.thread_id)
            if window is not None:
                window.replace(event.message)
            thread = self.threads.get(event.thread_id)
            if (
                thread is not None
                and thread.last_message
                and (thread.last_message.id == event.message.id)
            ):
                self.threads[thread.id] = structs.replace(thread, last_message=event.message)
            return None
        if isinstance(event, TypingEvent):
            if self.me is None or event.user_id != self.me.id:
                self.typing.setdefault(event.thread_id, {})[event.user_id] = (
                    time.monotonic() + TYPING_SECONDS
                )
            return None
        if isinstance(event, ReadEvent):
            if self.me is not None and event.user_id == self.me.id:
                self.mark_read(event.thread_id, event.seq)
            else:
                self.read_by.setdefault(event.thread_id, {})[event.user_id] = event.seq
            return None
        if isinstance(event, ThreadEvent):
            self.put(event.thread)
            return None
        if isinstance(event, MemberEvent):
            if self.me is not None and event.user.id == self.me.id and event.change != "added":
                self.drop(event.thread_id)
            return None
        return None
