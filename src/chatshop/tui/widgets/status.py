"""The connection status line: connected, reconnecting with a countdown, or offline."""

from __future__ import annotations

import time

from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from chatshop import safetext


class ConnectionStatus(Static):
    """Always shows how the link to the relay stands."""

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
    """connecting, connected, reconnecting, offline or closed."""

    detail: reactive[str] = reactive("")
    """Who and where, or why the link is down (already cleaned)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._retry_at: float | None = None
        self._ticker: Timer | None = None

    def set_state(self, state: str, *, retry_in: float | None = None, detail: str = "") -> None:
        self._retry_at = time.monotonic() + retry_in if retry_in is not None else None
        self.detail = safetext.clean_line(detail, max_chars=80)
        self.state = state
        self._redraw()

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._redraw)
        self._redraw()

    def watch_state(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")

    def _redraw(self) -> None:
        state = self.state
        if state == "connected":
            text = f"● connected {self.detail}".rstrip()
        elif state == "reconnecting":
            left = max(self._retry_at - time.monotonic(), 0) if self._retry_at else 0.0
            text = f"◌ reconnecting in {left:.0f}s" if left >= 1 else "◌ reconnecting…"
            if self.detail:
                text += f" ({self.detail})"
        elif state in ("offline", "closed"):
            text = f"○ offline {self.detail}".rstrip()
        else:
            text = "◌ connecting…"
        self.update(Content(text))
