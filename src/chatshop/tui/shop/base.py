"""What every shop screen shares: running a request through the app's link and getting its
result (or a cleaned failure) back on the screen, a hint line, and live relay events.

Screens never hold the client: ``ask`` submits a job to ``app.link`` that calls back into
the screen with ``call_later``. The app hands relay events to every ``ShopScreen`` on the
stack through ``receive``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import getters
from textual.screen import ModalScreen
from textual.widgets import Static

from chatshop import safetext
from chatshop.client import ChatClient, ClientError
from chatshop.tui.link import LinkMessage, describe_error
from chatshop.tui.shop.images import ImageCache

if TYPE_CHECKING:
    from chatshop.tui.app import ChatshopApp

T = TypeVar("T")

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
    app: ChatshopApp
    hint_line = getters.query_one("#shop-hint", Static)

    def ask(
        self,
        what: str,
        call: Callable[[ChatClient], Awaitable[T]],
        done: Callable[[T], None],
        failed: Callable[[str, str], None] | None = None,
    ) -> None:
        """Run ``call(client)`` in the link; ``done(result)`` (or ``failed(reason, code)``,
        by default a hint) then runs on this screen."""
        screen = self
        on_fail = failed or (lambda reason, _code: screen.hint(f"{what}: {reason}", error=True))

        async def job(client: ChatClient) -> None:
            try:
                result = await call(client)
            except (ClientError, OSError, ValueError, TypeError) as exc:
                reason, code = describe_error(exc)
                screen.call_later(on_fail, reason, code)
                return None
            screen.call_later(done, result)
            return None

        self.app.link.submit(what, job)

    def hint(self, text: str, *, error: bool = False) -> None:
        """Show one cleaned line under the screen's content."""
        self.hint_line.update(safetext.content(text))
        self.hint_line.set_class(error, "-error")

    def receive(self, message: LinkMessage) -> None:
        """A message from the link (relay events); screens override what they follow."""

    @property
    def images(self) -> ImageCache:
        return image_cache(self.app.server_url)

    def action_back(self) -> None:
        self.dismiss(None)
