"""Shopping for the main screen: the shop commands, ``#cart`` replies, the actions on a
selected product card (a add to cart, b buy now, s similar), and routing relay events to
the shop screens.

The main screen owns one :class:`ShopDesk` and hands it what concerns shopping, as it does
money to ``Payments``.

``/search TEXT`` searches products when the open thread is a brand's (a thread with a brand
account); elsewhere it finds TEXT in the conversation. ``/products TEXT`` always searches
products, across brands (``@brand`` narrows it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from chatshop import safetext
from chatshop.client import ChatClient, ClientError, shop_api
from chatshop.client.api import new_key
from chatshop.protocol.cards import ProductCard
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.shop_models import Cart, LineSpec
from chatshop.tui.link import LinkMessage, describe_error
from chatshop.tui.shop.base import ShopScreen
from chatshop.tui.shop.cart import CartScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.shop.product import (
    ProductScreen,
    VariantPicker,
    catalog_screen,
    scan_screen,
    search_screen,
)

if TYPE_CHECKING:
    from chatshop.tui.screens.main import MainScreen

T = TypeVar("T")

SHOP_COMMANDS = ("catalog", "products", "scan", "share", "cart", "checkout", "promo", "orders")
CART_TAG = "#cart"
SHOP_VERBS = ("add_to_cart", "buy_now", "similar")


def brand_of(thread: Thread | None) -> str | None:
    """The handle of the brand account in a thread, if there is one."""
    if thread is None:
        return None
    for member in thread.members:
        if member.kind == "brand":
            return member.handle
    return None


def product_card(message: Message | None) -> ProductCard | None:
    card = message.card if message is not None else None
    return card if isinstance(card, ProductCard) else None


class ShopDesk:
    """The main screen's shop counter."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    # ------------------------------------------------------------------ plumbing

    def _hint(self, text: str, *, error: bool = False) -> None:
        self.screen.show_hint(safetext.clean_line(text), error=error)

    def _ask(
        self, what: str, call: Callable[[ChatClient], Awaitable[T]], done: Callable[[T], None]
    ) -> None:
        screen = self.screen

        async def job(client: ChatClient) -> None:
            try:
                result = await call(client)
            except (ClientError, OSError, ValueError, TypeError) as exc:
                reason, _code = describe_error(exc)
                screen.call_later(self._hint, f"{what}: {reason}", error=True)
                return None
            screen.call_later(done, result)
            return None

        screen.app.link.submit(what, job)

    def _thread_brand(self) -> str | None:
        return brand_of(self.screen._current_thread())

    def is_brand_thread(self) -> bool:
        return self._thread_brand() is not None

    def receive(self, message: LinkMessage) -> None:
        """Hand a link message to every shop screen on the stack."""
        for screen in self.screen.app.screen_stack:
            if isinstance(screen, ShopScreen):
                screen.receive(message)

    # ------------------------------------------------------------------ commands

    def command(self, name: str, text: str, handles: tuple[str, ...]) -> bool:
        """Run a shop command; False (with a hint) when it cannot run as typed."""
        app = self.screen.app
        brand = handles[0] if handles else self._thread_brand()
        if name == "catalog":
            if brand is None:
                self._hint("Usage: /catalog @brand (or open a brand's thread).", error=True)
                return False
            app.push_screen(catalog_screen(brand))
        elif name in ("products", "search"):
            if not text:
                self._hint(f"Usage: /{name} TEXT [@brand]", error=True)
                return False
            app.push_screen(
                search_screen(
                    text, handles[0] if handles else (brand if name == "search" else None)
                )
            )
        elif name == "scan":
            if not text:
                self._hint("Usage: /scan CODE (a barcode number or a SKU)", error=True)
                return False
            app.push_screen(scan_screen(text.split()[0]))
        elif name == "cart":
            app.push_screen(CartScreen(brand))
        elif name == "promo":
            if not text:
                self._hint("Usage: /promo CODE [@brand]", error=True)
                return False
            app.push_screen(CartScreen(brand, promo=text.split()[0]))
        elif name == "checkout":
            if brand is None:
                app.push_screen(CartScreen())
                self._hint("Choose the brand's cart, then c to check out.")
            else:
                app.push_screen(CheckoutScreen(brand))
        elif name == "orders":  # /orders @brand: that brand's queue, for its staff
            app.push_screen(OrdersScreen("staff", handles[0]) if handles else OrdersScreen())
        elif name == "share":
            return self._share(text, brand)
        return True

    def _share(self, text: str, brand: str | None) -> bool:
        thread = self.screen._current_thread()
        sku = text.split()[0] if text else ""
        if thread is None or not sku or brand is None:
            self._hint("Usage: /share SKU [@brand] in the thread to share into.", error=True)
            return False
        self._ask(
            "/share",
            lambda c: shop_api.share(c, thread.id, new_key(), brand=brand, sku=sku),
            lambda _m: self._hint(f"Shared {sku}."),
        )
        return True

    # ------------------------------------------------------------------ #cart and cards

    def cart_reply(self, text: str) -> bool:
        """``#cart`` as a reply to a product card: add it to the cart instead of sending."""
        replying = self.screen.replying
        if text.strip().lower() != CART_TAG or product_card(replying) is None:
            return False
        assert replying is not None
        self.screen.replying = None
        self.screen._show_banner()
        self.card_action("add_to_cart", replying)
        return True

    def card_action(self, verb: str, message: Message) -> bool:
        """a / b / s on a product card message; False when it is not one."""
        card = product_card(message)
        if card is None:
            return False
        if verb == "similar":
            self.screen.app.push_screen(
                ProductScreen(lambda c: shop_api.product(c, card.product_id))
            )
            return True
        self._with_variant(card, lambda sku: self._act(verb, message, card, sku))
        return True

    def _with_variant(self, card: ProductCard, then: Callable[[str | None], None]) -> None:
        """Run ``then`` with the chosen SKU: asked for when the card has several variants."""
        in_stock = [v for v in card.variants if v.stock > 0]
        if len(card.variants) <= 1:
            then(card.variants[0].sku if card.variants else None)
            return
        if not in_stock:
            self._hint("Sold out in every size.", error=True)
            return

        def picked(sku: str | None) -> None:
            if sku:
                then(sku)

        self.screen.app.push_screen(VariantPicker(card.title, card.variants), picked)

    def _act(self, verb: str, message: Message, card: ProductCard, sku: str | None) -> None:
        if verb == "buy_now":
            line = LineSpec(sku=sku or card.sku)
            self.screen.app.push_screen(CheckoutScreen(card.brand_handle, items=[line]))
            return
        self._ask(
            "#cart",
            lambda c: shop_api.cart_add(c, message_id=message.id, sku=sku),
            self._added,
        )

    def _added(self, cart: Cart) -> None:
        self._hint(
            f"Added to your @{cart.brand.handle} cart ({cart.items} items) · /cart shows it."
        )
