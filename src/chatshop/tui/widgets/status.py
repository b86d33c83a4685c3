"""The connection status line: connected, reconnecting with a countdown, or offline, and how
many actions wait for the link. Short on purpose: it never pushes the handle off the bar."""

from __future__ import annotations

import time

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from chatshop.client import ConnectionState, StateChanged


class ConnectionStatus(Static):
    """How the link to the relay stands (the reason it dropped is in the tooltip)."""

    DEFAULT_CSS = """
    ConnectionStatus {
        width: auto;
        height: 1;
        padding: 0 1;
        &.-connected { color: $success; }
        &.-reconnecting { color: $warning; }
        &.-offline { color: $error; }
        &.-connecting { color: $text-muted; }
    }
    """

    state: reactive[str] = reactive("connecting")
    """connecting, connected, reconnecting or offline."""

    queued: reactive[tuple[str, ...]] = reactive(())
    """What waits for the link, by label."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._retry_at: float | None = None

    def show(self, change: StateChanged) -> None:
        """The link moved to ``change.state``."""
        self._retry_at = time.monotonic() + change.retry_in if change.retry_in is not None else None
        self.tooltip = change.error or None
        state = str(change.state)
        self.state = "offline" if change.state is ConnectionState.CLOSED else state
        self.redraw()

    def on_mount(self) -> None:
        self.set_interval(1.0, self.redraw)
        self.redraw()

    def watch_state(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")

    def watch_queued(self) -> None:
        self.redraw()

    def text(self) -> str:
        state = self.state
        if state == "connected":
            text = "● online"
        elif state == "reconnecting":
            left = max(self._retry_at - time.monotonic(), 0) if self._retry_at else 0.0
            wait = f"retrying in {left:.0f} s" if left >= 1 else "retrying…"
            text = f"◌ offline, {wait} (ctrl+r: now)"
        elif state == "offline":
            text = "○ offline"
        else:
            text = "◌ connecting…"
        if self.queued:
            text += f" · ⧗ {len(self.queued)} queued"
        return text

    def redraw(self) -> None:
        self.update(Content(self.text()))
