"""The link's state, and the notification that joins the event stream when it changes.

State changes travel in the same ordered stream as the relay's events, so a UI that renders
the stream in order shows "reconnecting" after the last event of the dropped link and before
the first one replayed on the new link (which may come just before or just after CONNECTED).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class ConnectionState(StrEnum):
    """Where the client's link to the relay stands.

    CONNECTING    opening the socket and shaking hands (hello, then auth when logged in)
    CONNECTED     requests go straight out
    RECONNECTING  the link dropped; waiting ``retry_in`` seconds before the next attempt
    OFFLINE       not trying any more (never connected, session revoked, fatal close code)
    CLOSED        ``close()`` was called; the client is spent
    """

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"
    CLOSED = "closed"


class StateChanged(msgspec.Struct, frozen=True, kw_only=True):
    """A client-side notification: the link moved to ``state``.

    ``retry_in`` is the delay before the next attempt (for a countdown) when reconnecting;
    ``error`` says why the link dropped or why the client went offline.
    """

    state: ConnectionState
    retry_in: float | None = None
    error: str | None = None
