"""The narrow view of the app that commands and verbs get: never a screen.

The main screen provides it; command modules depend on this protocol only, so no command
module imports a screen, and a test can drive a command with any object that fits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from textual.screen import Screen

from chatshop.client import ChatClient
from chatshop.protocol.models import Message, Thread
from chatshop.tui.failure import Failure
from chatshop.tui.feed import Feed, Session

T = TypeVar("T")


class Context(Protocol):
    """What a command may read and do."""

    @property
    def session(self) -> Session: ...

    @property
    def feed(self) -> Feed:
        """Where results that change the books are published."""

    @property
    def thread(self) -> Thread | None:
        """The open thread."""

    @property
    def replying(self) -> Message | None:
        """The message the composer replies to."""

    def call(
        self,
        request: Callable[[ChatClient], Awaitable[T]],
        on_result: Callable[[T], object],
        on_error: Callable[[Failure], object] | None = None,
        *,
        label: str = "",
    ) -> None:
        """Run a request in the link; the result comes back here."""

    def hint(self, text: str, *, error: bool = False) -> None:
        """One line under the composer."""

    def open_thread(self, thread_id: int) -> None: ...

    def push(self, screen: Screen[Any], done: Callable[[Any], None] | None = None) -> None:
        """Open a screen over this one."""

    def restore(self, text: str) -> None:
        """Give a line that could not be used back to the composer."""

    def send(self, text: str, *, reply_to: int | None = None, pick: int | None = None) -> bool:
        """Send a message in the open thread (shown pending until the relay stores it);
        False when it cannot go (the hint says why)."""

    def reply_to(self, message: Message | None) -> None:
        """Start (or, with None, stop) replying to ``message``."""

    def edit(self, message: Message) -> None:
        """Put your ``message`` in the composer to edit it."""

    @property
    def picked(self) -> Message | None:
        """The message picked in the transcript (ctrl+t), if any."""

    def target(self, *, mine: bool | None) -> Message | None:
        """The picked message, else the newest one (yours, or others', if asked)."""

    def show_seq(self, thread_id: int, seq: int) -> None:
        """Bring message ``seq`` of the open thread into view and pick it, if it is loaded."""

    def do(self, action: str) -> None:
        """A screen or app action by name (help, wallet, orders, logout...)."""
