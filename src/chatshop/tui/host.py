"""What every screen may rely on the app for, declared apart from the app itself.

Screens annotate ``app: Host`` and reach the link, the feed and the session through it, so no
screen imports the app module (which imports the screens) and the import graph stays a tree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo

from textual.app import App

from chatshop.config import Config
from chatshop.tui.feed import Feed, Session
from chatshop.tui.link import Link


class Host(App[None]):
    """The app as screens see it (``ChatshopApp`` fills it in)."""

    config: Config
    link: Link
    feed: Feed
    tz: tzinfo | None
    today: Callable[[], date]
    server_url: str

    @property
    def session(self) -> Session:
        """The logged-in account (only asked for by screens that exist after login)."""
        session = self.feed.session
        assert session is not None, "no session before login"
        return session
