"""A bounded window over one thread's messages: what the transcript shows, and nothing more.

The relay holds the whole history; the client keeps at most ``max_size`` messages of one thread
in memory, a contiguous run of ``seq`` numbers, plus the messages written here that are not yet
confirmed (pending). Scrolling up prepends older pages and, past the bound, forgets the newest
ones; scrolling back down fetches them again. Nothing here knows about widgets or sockets.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass, field

from chatshop.protocol.models import Message

PAGE_SIZE = 100
"""Messages fetched per history request while scrolling."""

MAX_WINDOW = 600
"""Messages one window keeps; older or newer ones are dropped and fetched again when needed."""

QUOTE_CACHE = 2000
"""Messages remembered (across windows) so replies can quote an original outside the window."""


@dataclass(slots=True)
class Pending:
    """A message written here and not yet confirmed by the relay."""

    key: str
    thread_id: int
    text: str
    created_at: int
    reply_to: int | None = None
    pick: int | None = None
    """The index of the quick reply of ``reply_to`` this message picks."""
    failed: str | None = None


@dataclass(slots=True)
class Window:
    """Messages ``messages`` (ascending, contiguous seq) of thread ``thread_id``.

    ``has_older``: the relay has messages before the first one here.
    ``at_tail``: the last message here is the newest of the thread (new ones are appended).
    """

    thread_id: int
    messages: list[Message] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    has_older: bool = False
    at_tail: bool = True
    last_seq: int = 0
    max_size: int = MAX_WINDOW
    version: int = 0
    """Bumped on every change, so views know when to rebuild their layout."""

    # ------------------------------------------------------------------ queries

    @property
    def first_seq(self) -> int | None:
        return self.messages[0].seq if self.messages else None

    @property
    def newest_seq(self) -> int | None:
        return self.messages[-1].seq if self.messages else None

    def index_of_seq(self, seq: int) -> int | None:
        """Position of the message numbered ``seq`` in the window, if it is there."""
        index = bisect.bisect_left(self.messages, seq, key=lambda m: m.seq)
        if index < len(self.messages) and self.messages[index].seq == seq:
            return index
        return None

    def find(self, message_id: int) -> Message | None:
        for message in reversed(self.messages):
            if message.id == message_id:
                return message
        return None

    # ------------------------------------------------------------------ changes

    def reset(self, messages: list[Message], *, more: bool, last_seq: int | None = None) -> None:
        """Show the newest page: ``messages`` ascending, ``more`` if older ones exist.

        Live messages that arrived while the page was on its way (newer than the page) are
        kept, so a page fetched a moment ago never hides them.
        """
        page = sorted(messages, key=lambda m: m.seq)
        page_newest = page[-1].seq if page else 0
        live = [m for m in self.messages if m.seq > page_newest]
        combined = page + live
        self.messages = combined[-self.max_size :]
        self.has_older = more or len(combined) > self.max_size
        self.at_tail = True
        newest = self.newest_seq or 0
        self.last_seq = max(newest, last_seq or 0, self.last_seq)
        self.version += 1

    def prepend(self, messages: list[Message], *, more: bool) -> int:
        """Add an older page; returns how many messages were added. Drops the newest past the
        bound (the window then no longer reaches the tail)."""
        first = self.first_seq
        older = [m for m in messages if first is None or m.seq < first]
        older.sort(key=lambda m: m.seq)
        self.messages[0:0] = older
        self.has_older = more
        overflow = len(self.messages) - self.max_size
        if overflow > 0:
            del self.messages[-overflow:]
            self.at_tail = False
        self.version += 1
        return len(older)

    def append_newer(self, messages: list[Message]) -> int:
        """Add a newer page fetched after scrolling back down; returns how many messages were
        dropped from the top to stay within the bound."""
        newest = self.newest_seq or 0
        newer = sorted((m for m in messages if m.seq > newest), key=lambda m: m.seq)
        self.messages.extend(newer)
        if self.messages and self.messages[-1].seq >= self.last_seq:
            self.at_tail = True
        elif not newer:
            self.at_tail = True  # nothing newer exists after all
        dropped = max(len(self.messages) - self.max_size, 0)
        if dropped:
            del self.messages[:dropped]
            self.has_older = True
        self.version += 1
        return dropped

    def add(self, message: Message) -> bool:
        """A new message arrived live. Returns True if it is now in the window."""
        self.last_seq = max(self.last_seq, message.seq)
        if not self.at_tail:
            return False
        newest = self.newest_seq
        if newest is not None and message.seq <= newest:
            return self.replace(message)
        if newest is not None and message.seq > newest + 1:
            self.at_tail = False  # a gap: we missed some; fetch them when scrolling down
            self.version += 1
            return False
        self.messages.append(message)
        if len(self.messages) > self.max_size:
            del self.messages[0]
            self.has_older = True
        self.version += 1
        return True

    def replace(self, message: Message) -> bool:
        """An edited or deleted message: replace it if it is in the window."""
        index = self.index_of_seq(message.seq)
        if index is None:
            return False
        self.messages[index] = message
        self.version += 1
        return True

    def add_pending(self, pending: Pending) -> None:
        self.pending.append(pending)
        self.version += 1

    def resolve_pending(self, key: str, message: Message | None) -> None:
        """The relay confirmed (``message``) or the app gave up on pending ``key``."""
        self.pending = [p for p in self.pending if p.key != key]
        if message is not None:
            self.add(message)
        self.version += 1

    def fail_pending(self, key: str, reason: str) -> None:
        for pending in self.pending:
            if pending.key == key:
                pending.failed = reason
        self.version += 1


class QuoteCache:
    """A bounded memory of messages by id, for quoting replies whose original is off-window."""

    def __init__(self, size: int = QUOTE_CACHE) -> None:
        self._size = size
        self._messages: OrderedDict[int, Message] = OrderedDict()

    def remember(self, message: Message) -> None:
        self._messages[message.id] = message
        self._messages.move_to_end(message.id)
        while len(self._messages) > self._size:
            self._messages.popitem(last=False)

    def get(self, message_id: int) -> Message | None:
        return self._messages.get(message_id)

    def __len__(self) -> int:
        return len(self._messages)
