"""The demo shop: @northwind's catalogue, its staff member nora, a promo code, and sam's
orders (one delivered, one on its way), seeded through the relay's own operations.

The Harbor sport coat comes in 38R to 46L with some sizes sold out (42L has 3 left, for the
assistant's "Yes, 3 left"); the merino scarf carries barcode 4006381333931 (``/scan``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from chatshop.protocol.barcode import check_digit
from chatshop.protocol.brand_frames import OfferSpec
from chatshop.protocol.models import User
from chatshop.protocol.shop_models import (
    Address,
    ProductInput,
    ShippingOption,
    VariantInput,
)
from chatshop_server.demo_images import RGB, product_picture
from chatshop_server.media import MediaStore
from chatshop_server.rules.catalog import clean_product
from chatshop_server.storage.specs import BrandChanges, CheckoutSpec, MoneyRequest, PromoSpec
from chatshop_server.storage.stores import Stores

HOUR = 3_600_000
DAY = 24 * HOUR
STAFF = ("nora", "Nora Lind")
PROMO = "WELCOME20"
SAM_ADDRESS = Address(
    name="Sam Carter",
    line1="12 rue de la République",
    postcode="69002",
    city="Lyon",
    country="FR",
)
SHIPPING = [
    ShippingOption(code="standard", name="Standard", price=490, days="2-3 working days"),
    ShippingOption(code="express", name="Express", price=1200, days="next working day"),
]
POST_TEXT = "New in: the Harbor sport coat, 20 % off this week. Ask us about your size."
DESCRIPTION = (
    "Outdoor and city clothing made to last, from Lyon since 1987. Ask our assistant about "
    'sizes and stock, or say "person" to talk to the team.'
)


def ean(serial: int) -> str:
    """A valid EAN-13 in Northwind's made-up company prefix."""
    body = f"400638{serial:06d}"
    return body + str(check_digit(body))


@dataclass(frozen=True)
class Item:
    sku: str
    title: str
    price: int
    tags: list[str]
    shape: str
    colour: RGB
    description: str
    sizes: dict[str, int] = field(default_factory=dict)  # label -> stock
    option: str = "size"
    compare_at: int | None = None
    stock: int = 0
    barcode: str | None = None


COAT_SIZES = {
    "38R": 4, "38L": 0, "40R": 6, "40L": 2, "42R": 5,
    "42L": 3, "44R": 0, "44L": 1, "46R": 2, "46L": 0,
}  # fmt: skip

CATALOGUE = [
    Item(
        "NW-COAT-HARBOR",
        "Harbor sport coat",
        19900,
        ["coat", "blazer", "men", "wool", "tailoring"],
        "coat",
        (52, 68, 96),
        "A soft-shouldered sport coat in navy wool twill, half-lined, with patch pockets. "
        "R is regular length, L is long.",
        COAT_SIZES,
        compare_at=24900,
        barcode=ean(100017),
    ),
    Item(
        "NW-SCARF-MERINO",
        "Merino wool scarf",
        3900,
        ["scarf", "wool", "winter", "accessories"],
        "scarf",
        (120, 120, 128),
        "Fine merino, 180 x 30 cm, warm without the itch.",
        {"grey": 12, "navy": 7, "red": 0},
        option="colour",
        barcode="4006381333931",
    ),
    Item(
        "NW-SHIRT-OXFORD",
        "Oxford shirt",
        5900,
        ["shirt", "men", "cotton"],
        "shirt",
        (150, 180, 215),
        "Brushed cotton oxford with a button-down collar.",
        {"S": 8, "M": 11, "L": 6, "XL": 0},
        barcode=ean(100024),
    ),
    Item(
        "NW-CHINO",
        "Stretch chinos",
        7900,
        ["trousers", "men", "cotton"],
        "trousers",
        (190, 165, 120),
        "Slim, not skinny, with a little stretch.",
        {"30": 3, "32": 9, "34": 7, "36": 0},
        option="waist",
        barcode=ean(100031),
    ),
    Item(
        "NW-SWEATER-CABLE",
        "Cable-knit sweater",
        8900,
        ["sweater", "wool", "winter"],
        "shirt",
        (226, 214, 190),
        "Chunky lambswool cables, made in Scotland.",
        {"S": 2, "M": 0, "L": 5, "XL": 3},
        compare_at=11900,
        barcode=ean(100048),
    ),
    Item(
        "NW-SHELL-RAIN",
        "Rain shell jacket",
        14900,
        ["jacket", "outdoor", "waterproof"],
        "coat",
        (200, 80, 50),
        "Three-layer waterproof shell that packs into its own pocket.",
        {"S": 0, "M": 4, "L": 0, "XL": 2},
        barcode=ean(100055),
    ),
    Item(
        "NW-BELT-LEATHER",
        "Leather belt",
        4500,
        ["belt", "leather", "accessories"],
        "bag",
        (110, 70, 40),
        "Vegetable-tanned leather, solid brass buckle.",
        {"85": 5, "90": 8, "95": 6, "100": 2},
        barcode=ean(100062),
    ),
    Item(
        "NW-BEANIE",
        "Wool beanie",
        2500,
        ["hat", "wool", "winter", "accessories"],
        "round",
        (70, 110, 90),
        "Ribbed merino beanie, one size.",
        stock=40,
        barcode=ean(100079),
    ),
    Item(
        "NW-GLOVES",
        "Leather gloves",
        5500,
        ["gloves", "leather", "winter", "accessories"],
        "round",
        (60, 40, 30),
        "Cashmere-lined lambskin gloves.",
        {"S": 1, "M": 6, "L": 4},
        barcode=ean(100086),
    ),
    Item(
        "NW-TOTE",
        "Canvas tote bag",
        3500,
        ["bag", "cotton", "accessories"],
        "bag",
        (215, 200, 160),
        "Heavy canvas with leather handles. Back in stock soon.",
        stock=0,
        barcode=ean(100093),
    ),
    Item(
        "NW-SNEAKER-TRAIL",
        "Trail sneakers",
        11900,
        ["shoes", "outdoor", "running"],
        "shoe",
        (90, 90, 96),
        "Grippy, light and quick to dry.",
        {"40": 2, "41": 5, "42": 0, "43": 4, "44": 3, "45": 1},
        barcode=ean(100109),
    ),
    Item(
        "NW-POCKET-SQUARE",
        "Linen pocket square",
        1900,
        ["tailoring", "accessories", "linen"],
        "square",
        (170, 40, 60),
        "Hand-rolled edges, 33 x 33 cm.",
        {"burgundy": 9, "sky": 4, "ivory": 0},
        option="colour",
        barcode=ean(100116),
    ),
]


def product_input(item: Item, image: str) -> ProductInput:
    variants = [
        VariantInput(
            sku=f"{item.sku}-{label.upper()}",
            label=label,
            options={item.option: label},
            stock=stock,
        )
        for label, stock in item.sizes.items()
    ]
    return ProductInput(
        sku=item.sku,
        title=item.title,
        description=item.description,
        tags=item.tags,
        price=item.price,
        compare_at=item.compare_at,
        barcode=item.barcode,
        images=[image],
        variants=variants,
        stock=item.stock,
    )


def _spec(user: User, amount: int, note: str) -> MoneyRequest:
    key = uuid.uuid4().hex
    return MoneyRequest(
        user_id=user.id,
        amount=amount,
        currency="EUR",
        max_amount=1_000_000,
        key=key,
        request_hash=key,
        note=note,
    )


async def seed_shop(
    stores: Stores,
    users: dict[str, User],
    password_hash: str,
    now: int,
    media: MediaStore,
) -> None:
    """Fill @northwind's shop and give sam an order history (see the module docstring)."""
    brand, sam = users["northwind"], users["sam"]
    nora = await stores.accounts.create_user(STAFF[0], STAFF[1], "person", password_hash)
    users[STAFF[0]] = nora
    await stores.staff.set_staff(brand.handle, nora.handle, True)
    await stores.brands.update(
        None, brand.handle, BrandChanges(description=DESCRIPTION, shipping=SHIPPING, verified=True)
    )
    product_ids: dict[str, int] = {}
    for item in CATALOGUE:
        image = media.save_sync(product_picture(item.shape, item.colour)).url
        saved = await stores.catalog.save_product(
            None, brand.handle, clean_product(product_input(item, image), "EUR")
        )
        product_ids[item.sku] = saved.product.id
    await stores.carts.save_promo(
        None,
        brand.handle,
        PromoSpec(
            code=PROMO,
            kind="percent",
            value=20,
            expires_at=now + 90 * DAY,
            max_uses=None,
            max_uses_per_customer=1,
            min_basket=0,
            active=True,
        ),
    )
    await stores.payments.topup(_spec(sam, 30_000, "simulated card"))

    def at(hours_ago: float) -> int:
        return now - int(hours_ago * HOUR)

    async def order(items: list[tuple[str, int]], hours_ago: float) -> int:
        spec = CheckoutSpec(
            user_id=sam.id,
            brand=brand.handle,
            items=items,
            shipping="standard",
            promo=None,
            address=SAM_ADDRESS,
            max_amount=1_000_000,
            key=uuid.uuid4().hex,
            request_hash="seed",
            at=at(hours_ago),
        )
        return (await stores.orders.checkout(spec)).order.id

    async def step(order_id: int, status: str, hours_ago: float, **extra: str) -> None:
        await stores.orders.advance(
            nora.id,
            order_id,
            status,  # type: ignore[arg-type]
            extra.get("carrier"),
            extra.get("tracking"),
            extra.get("note", ""),
            at=at(hours_ago),
        )

    past = await order([("NW-SCARF-MERINO-GREY", 1), ("NW-BEANIE", 1)], 28)
    await step(past, "confirmed", 27.8)
    await step(past, "preparing", 27)
    await step(past, "shipped", 26, carrier="Colissimo", tracking="6A19283746501")
    current = await order([("NW-SHIRT-OXFORD-M", 1)], 20)
    await step(current, "confirmed", 19.5)
    await step(past, "delivered", 10)
    await step(current, "preparing", 9)
    await step(current, "shipped", 6, carrier="Colissimo", tracking="6A19283750244")
    # sam follows Northwind and gets its promoted post: the coat at 20 % off this week,
    # applied at his checkout by itself (no code), and the newest thing in his thread list.
    await stores.follows.follow(sam.id, brand.handle, True)
    await stores.follows.publish(
        nora.id,
        brand.handle,
        POST_TEXT,
        "NW-COAT-HARBOR",
        OfferSpec(kind="percent", value=20, days=7, product_sku="NW-COAT-HARBOR"),
        uuid.uuid4().hex,
        "seed",
    )
