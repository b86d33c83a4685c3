"""How the shop looks: a product card, the product screen with its picture, the cart with
changed lines and a promo, the checkout, and the orders pane with a timeline.

Every screen is drawn at 80x24 and at 200x60. The data is fixed (no relay, fixed times) so
the pictures are stable; the behaviour against a real relay is in test_tui_shop.py. Update with
``pytest tests/test_tui_shop_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from chatshop.protocol.cards import CardVariant, ProductCard
from chatshop.protocol.models import Message, User
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
from chatshop.tui.shop.base import ShopScreen, image_cache
from chatshop.tui.shop.cart import CartScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.images import media_url
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.shop.product import ProductScreen, VariantPicker
from test_tui_snapshots import PIZZA, SIZES, Size, fixture_app, logged_in
from waiting import settled, wait_for

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


COAT_SIZES = {"40R": 6, "42R": 0, "42L": 3, "44L": 1}
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
        for n, (label, stock) in enumerate(COAT_SIZES.items())
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


async def over_main(pilot: Pilot[None], screen: ShopScreen, fill: Callable[[], None]) -> None:
    """Log in with fixed data, open ``screen`` over the main screen and fill it with what the
    relay would have answered."""
    await logged_in(pilot, {3: PIZZA})
    pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: pilot.app.screen is screen and screen.is_mounted)
    fill()
    await settled(pilot)


def shown(screen: ShopScreen, fill: Callable[[], None]) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        await over_main(pilot, screen, fill)

    return run_before


def test_product_card(snap_compare: SnapCompare) -> None:
    """A product card in the brand thread: price, former price struck through, sizes (sold
    out ones struck); picked with ctrl+t so its keys show in the footer."""
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

    async def run_before(pilot: Pilot[None]) -> None:
        main = await logged_in(pilot, {4: messages}, current=4)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: main.transcript.selected is not None)
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=(100, 20), run_before=run_before)


@SIZES
def test_product_screen(snap_compare: SnapCompare, size: Size) -> None:
    """The product with its half-block picture (a quarter of the screen wide), the size
    picker and a similar item; Add to cart is a key in the footer, not Enter."""
    image_cache(URL)._bytes[media_url(URL, IMAGE)] = picture()
    screen = ProductScreen(lambda c: c.shop.product(1))
    fill = shown(screen, lambda: screen._loaded(ProductResult(product=COAT, similar=[SCARF])))
    assert snap_compare(fixture_app(), terminal_size=size, run_before=fill)


@SIZES
def test_cart_screen(snap_compare: SnapCompare, size: Size) -> None:
    """Cart lines with a changed price and a changed stock, the promo, and the totals."""
    screen = CartScreen()
    fill = shown(screen, lambda: screen._loaded(CartList(carts=[CART])))
    assert snap_compare(fixture_app(), terminal_size=size, run_before=fill)


@SIZES
def test_checkout_screen(snap_compare: SnapCompare, size: Size) -> None:
    """Items, shipping choice, the promo field, total, wallet balance and the Pay button."""
    screen = CheckoutScreen("northwind")

    def fill() -> None:
        screen._address_loaded(ADDRESS)
        screen._quoted(QUOTE)

    assert snap_compare(fixture_app(), terminal_size=size, run_before=shown(screen, fill))


@SIZES
def test_orders_pane(snap_compare: SnapCompare, size: Size) -> None:
    """Orders with status, the highlighted one's tracking and timeline; a customer's pane
    offers the cancel key only."""
    screen = OrdersScreen()
    fill = shown(screen, lambda: screen._loaded(OrderPage(orders=ORDERS, more=False)))
    assert snap_compare(fixture_app(), terminal_size=size, run_before=fill)


@SIZES
def test_staff_queue(snap_compare: SnapCompare, size: Size) -> None:
    """nora's queue at @northwind: the staff keys, and each order's customer."""
    screen = OrdersScreen("staff", "northwind")
    fill = shown(screen, lambda: screen._loaded(OrderPage(orders=ORDERS, more=False)))
    assert snap_compare(fixture_app(), terminal_size=size, run_before=fill)


@SIZES
def test_variant_picker(snap_compare: SnapCompare, size: Size) -> None:
    """Which size? with the stock read live (42L: 3 left, 42R sold out)."""
    screen = VariantPicker("Harbor sport coat", 1)
    fill = shown(screen, lambda: screen._loaded(ProductResult(product=COAT, similar=[])))
    assert snap_compare(fixture_app(), terminal_size=size, run_before=fill)
