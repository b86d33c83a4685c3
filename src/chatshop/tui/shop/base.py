"""What every shop screen shares: calls through the app's link with the result (or a cleaned
failure) back on the screen, a hint line that goes stale on its own, and the picture cache.

Screens never hold the client: ``call`` hands the request to ``app.link``; live news (carts,
orders) comes from the feed's signals, subscribed to in each screen's ``on_mount``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual import getters
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

from chatshop import safetext
from chatshop.client import ChatClient
from chatshop.tui.failure import Failure
from chatshop.tui.host import Host
from chatshop.tui.shop.images import ImageCache

T = TypeVar("T")

HINT_SECONDS = 8.0
"""A confirmation (not an error, not a standing instruction) fades after this long."""

_IMAGE_CACHES: dict[str, ImageCache] = {}


def image_cache(ws_url: str) -> ImageCache:
    """The in-memory picture cache of one relay (shared by every screen)."""
    cache = _IMAGE_CACHES.get(ws_url)
    if cache is None:
        cache = _IMAGE_CACHES[ws_url] = ImageCache(ws_url)
    return cache


class ShopScreen(ModalScreen[Any]):
    """A shop screen over the main screen; Esc goes back."""

    CSS_PATH = "shop.tcss"
    app: Host
    hint_line = getters.query_one("#shop-hint", Static)

    _standing = ""
    _fade: Timer | None = None

    def call(
        self,
        request: Callable[[ChatClient], Awaitable[T]],
        on_result: Callable[[T], object],
        on_error: Callable[[Failure], object] | None = None,
        *,
        label: str = "",
    ) -> None:
        """Run ``request`` in the link; ``on_result`` (or ``on_error``, by default a red hint
        naming ``label``) then runs on this screen."""

        def failed(failure: Failure) -> None:
            self.hint(f"{label}: {failure.text}" if label else failure.text, error=True)

        self.app.link.call(self, request, on_result, on_error or failed, label=label)

    def hint(self, text: str, *, error: bool = False, standing: bool = False) -> None:
        """One cleaned line under the content. A ``standing`` hint (what the keys do) stays;
        a confirmation fades back to the standing one."""
        if self._fade is not None:
            self._fade.stop()
            self._fade = None
        if standing:
            self._standing = text
        elif not error:
            self._fade = self.set_timer(HINT_SECONDS, lambda: self.hint(self._standing))
        self.hint_line.update(safetext.content(text))
        self.hint_line.set_class(error, "-error")

    @property
    def images(self) -> ImageCache:
        return image_cache(self.app.server_url)

    def action_back(self) -> None:
        self.dismiss(None)
