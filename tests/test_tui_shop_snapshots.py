"""How the shop looks: a product card, the product screen with its picture, the cart with
changed lines and a promo, the checkout, and the orders pane with a timeline.

The data is fixed (no relay, fixed times) so the pictures are stable; the behaviour against
a real relay is in test_tui_shop.py. Update with
``pytest tests/test_tui_shop_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from chatshop.config import Config
from chatshop.protocol.cards import CardVariant, ProductCard
from chatshop.protocol.models import User
from chatshop.protocol.shop_models import (
    Address,
    Cart,
    CartLine,
    CartList,
    CheckoutQuote,
    Order,
    OrderLine,
    OrderPage,
    OrderStep,
    Product,
    ProductResult,
    PromoApplied,
    ShippingOption,
    Variant,
)
from chatshop.tui.link import Link
from chatshop.tui.shop.base import ShopScreen, image_cache
from chatshop.tui.shop.cart import CartScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.images import media_url
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.shop.product import ProductScreen

URL = "ws://127.0.0.1:8765"
NOW = datetime(2026, 3, 6, 18, 30, tzinfo=UTC)
T0 = int(NOW.timestamp() * 1000)
HOUR = 3_600_000
SAM = User(id=1, handle="sam", display_name="Sam Carter")
NORTHWIND = User(id=4, handle="northwind", display_name="Northwind Outfitters", kind="brand")
NORA = User(id=5, handle="nora", display_name="Nora Lind")
IMAGE = "/media/" + "ab" * 32 + ".png"
SHIPPING = [
    ShippingOption(code="standard", name="Standard", price=490, days="2-3 days"),
    ShippingOption(code="express", name="Express", price=1200),
]
ADDRESS = Address(
    name="Sam Carter", line1="12 rue de la Republique", postcode="69002", city="Lyon", country="FR"
)
SnapCompare = Callable[..., bool]


def picture() -> bytes:
    """A 16x16 PNG: a navy coat shape on a light background."""
    rows = b""
    for y in range(16):
        row = b""
        for x in range(16):
            inside = 3 <= x <= 12 and 2 <= y <= 15 and not (6 <= x <= 9 and y <= 6)
            row += bytes((30, 40, 90) if inside else (235, 230, 220))
        rows += b"\x00" + row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


SIZES = {"40R": 6, "42R": 0, "42L": 3, "44L": 1}
COAT = Product(
    id=1,
    brand=NORTHWIND,
    verified=True,
    sku="COAT",
    title="Harbor sport coat",
    description="Navy wool twill, half-lined. [b]not bold[/b]",
    tags=["coat"],
    price=19900,
    compare_at=24900,
    currency="EUR",
    stock=10,
    active=True,
    updated_at=T0,
    images=[IMAGE],
    variants=[
        Variant(id=10 + n, sku=f"COAT-{label}", label=label, options={"size": label}, stock=stock)
        for n, (label, stock) in enumerate(SIZES.items())
    ],
)
SCARF = Product(
    id=2,
    brand=NORTHWIND,
    verified=True,
    sku="SCARF",
    title="Lambswool scarf",
    description="",
    tags=["scarf"],
    price=3900,
    currency="EUR",
    stock=40,
    active=True,
    updated_at=T0,
    variants=[Variant(id=20, sku="SCARF", label="", options={}, stock=40)],
)


def line(product: Product, n: int, quantity: int, **extra: Any) -> CartLine:
    variant = product.variants[n]
    fields: dict[str, Any] = {
        "variant_id": variant.id,
        "product_id": product.id,
        "sku": variant.sku,
        "title": product.title,
        "label": variant.label,
        "quantity": quantity,
        "unit_price": product.price,
        "price_when_added": product.price,
        "available": variant.stock,
        "status": "ok",
        "price_changed": False,
    }
    return CartLine(**(fields | extra))


LINES = [
    line(COAT, 2, 2),
    line(SCARF, 0, 1, price_when_added=3500, price_changed=True),
    line(COAT, 3, 2, status="low_stock"),
]
PROMO = PromoApplied(code="WELCOME20", kind="percent", value=20, discount=9520, valid=True)
CART = Cart(
    brand=NORTHWIND,
    currency="EUR",
    lines=LINES,
    subtotal=47600,
    discount=9520,
    total=38080,
    items=5,
    updated_at=T0,
    promo=PROMO,
)
QUOTE = CheckoutQuote(
    brand=NORTHWIND,
    currency="EUR",
    lines=LINES[:2],
    subtotal=43700,
    discount=8740,
    shipping_options=SHIPPING,
    shipping_cost=490,
    total=35450,
    balance=50000,
    can_pay=True,
    problems=[],
    promo=PROMO,
    shipping=SHIPPING[0],
    address=ADDRESS,
)


def order(number: str, status: str, steps: list[tuple[str, int]], **extra: Any) -> Order:
    fields: dict[str, Any] = {
        "id": int(number[-1]),
        "number": number,
        "brand": NORTHWIND,
        "customer": SAM,
        "status": status,
        "currency": "EUR",
        "lines": [
            OrderLine(
                variant_id=12,
                product_id=1,
                sku="COAT-42L",
                title="Harbor sport coat",
                label="42L",
                quantity=1,
                unit_price=19900,
            )
        ],
        "subtotal": 19900,
        "discount": 3980,
        "shipping_cost": 490,
        "total": 16410,
        "shipping": "standard",
        "address": ADDRESS,
        "thread_id": 4,
        "created_at": steps[0][1],
        "updated_at": steps[-1][1],
        "promo_code": "WELCOME20",
        "steps": [OrderStep(status=s, at=at, by=NORA.id) for s, at in steps],  # type: ignore[arg-type]
    }
    return Order(**(fields | extra))


ORDERS = [
    order(
        "NOR-000003",
        "shipped",
        [
            ("placed", T0 - 5 * HOUR),
            ("confirmed", T0 - 4 * HOUR),
            ("preparing", T0 - 3 * HOUR),
            ("shipped", T0 - HOUR),
        ],
        carrier="Colissimo",
        tracking="6A12345678901",
    ),
    order("NOR-000001", "delivered", [("placed", T0 - 90 * HOUR), ("delivered", T0 - 20 * HOUR)]),
]


class Backdrop(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("chatshop")


class ShopFixtureApp(App[None]):
    """Just enough of the app for a shop screen: a link nobody serves, a relay URL."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.link = Link()
        self.server_url = URL
        self.handle = "sam"
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(Backdrop())
        self.push_screen(self.first)


def shown(screen: ShopScreen, fill: Callable[[], None]) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        fill()
        await pilot.pause()
        await pilot.pause()

    return run_before


def test_product_card(snap_compare: SnapCompare) -> None:
    """A product card in the brand thread: price, former price struck through, sizes (sold
    out ones struck), and the keys; picked with ctrl+t so the card keys show."""
    from chatshop.protocol.frames import History
    from chatshop.protocol.models import Message, Thread
    from chatshop.tui import jobs
    from chatshop.tui.app import ChatshopApp
    from chatshop.tui.link import LoggedIn

    card = ProductCard(
        product_id=1,
        brand_id=4,
        brand_handle="northwind",
        sku="COAT",
        title="Harbor sport coat",
        price=19900,
        compare_at=24900,
        currency="EUR",
        stock=10,
        verified=True,
        variants=[CardVariant(sku=v.sku, label=v.label, stock=v.stock) for v in COAT.variants],
    )
    messages = [
        Message(id=41, thread_id=4, seq=1, sender_id=4, text="New in, 20 % off:", created_at=T0),
        Message(id=42, thread_id=4, seq=2, sender_id=4, text="", created_at=T0 + 1000, card=card),
    ]
    thread = Thread(
        id=4,
        kind="direct",
        name="",
        owner_id=None,
        members=[SAM, NORTHWIND],
        last_seq=2,
        last_activity=T0 + 1000,
        read_seq=2,
        last_message=messages[-1],
    )

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ChatshopApp)
        app.post_message(LoggedIn(URL, SAM, "token"))
        await pilot.pause()
        main = app.main_screen()
        assert main is not None
        main.sidebar.now = lambda: NOW.replace(tzinfo=None)
        main.composer.cursor_blink = False
        main.receive(jobs.ThreadsLoaded([thread]))
        main.receive(
            jobs.HistoryLoaded(History(thread_id=4, messages=messages, more=False), "latest")
        )
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()

    app = ChatshopApp(
        Config(), tokens=None, server=URL, persist=False, tz=UTC, today=lambda: NOW.date()
    )
    assert snap_compare(app, terminal_size=(100, 20), run_before=run_before)


def test_product_screen(snap_compare: SnapCompare) -> None:
    """The product with its half-block picture, the size picker and a similar item."""
    image_cache(URL)._bytes[media_url(URL, IMAGE)] = picture()
    screen = ProductScreen(lambda c: None)  # type: ignore[arg-type, return-value]
    fill = shown(screen, lambda: screen._loaded(ProductResult(product=COAT, similar=[SCARF])))
    assert snap_compare(ShopFixtureApp(screen), terminal_size=(100, 30), run_before=fill)


def test_cart_screen(snap_compare: SnapCompare) -> None:
    """Cart lines with a changed price and a changed stock, the promo, and the totals."""
    screen = CartScreen()
    fill = shown(screen, lambda: screen._loaded(CartList(carts=[CART])))
    assert snap_compare(ShopFixtureApp(screen), terminal_size=(100, 24), run_before=fill)


def test_checkout_screen(snap_compare: SnapCompare) -> None:
    """Items, promo, shipping choice, address, total and wallet balance."""
    screen = CheckoutScreen("northwind")

    def fill() -> None:
        screen._address_loaded(ADDRESS)
        screen._quoted(QUOTE)

    assert snap_compare(
        ShopFixtureApp(screen), terminal_size=(100, 30), run_before=shown(screen, fill)
    )


def test_orders_pane(snap_compare: SnapCompare) -> None:
    """Orders with status, and the highlighted one's tracking and timeline."""
    screen = OrdersScreen()
    fill = shown(screen, lambda: screen._loaded(OrderPage(orders=ORDERS, more=False)))
    assert snap_compare(ShopFixtureApp(screen), terminal_size=(100, 26), run_before=fill)
