"""Records of shopping: brands, products and variants, carts, checkouts, orders, promo codes
and hand-overs. They travel inside the frames of ``shop_frames``.

Prices are integer minor units of the brand's currency, as everywhere in the protocol.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from chatshop.protocol.base import Count
from chatshop.protocol.cards import OfferView, OrderStatus
from chatshop.protocol.models import Message, User
from chatshop.protocol.payment_frames import Balance

Amount = Annotated[int, msgspec.Meta(ge=-(2**53 - 1), le=2**53 - 1)]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Quantity = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
PromoKind = Literal["percent", "fixed"]
HandoverMode = Literal["bot", "waiting", "staff"]
OrderRole = Literal["customer", "staff"]
CartLineStatus = Literal["ok", "low_stock", "sold_out", "unavailable"]
ImportFormat = Literal["csv", "json"]

# --------------------------------------------------------------------------- records


class ShippingOption(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A way a brand ships, and what it costs."""

    code: str
    name: str
    price: int
    days: str = ""


class BrandProfile(msgspec.Struct, frozen=True, kw_only=True):
    """A brand's public profile: who it is, whether the relay vouches for it, how it ships."""

    brand: User
    description: str
    verified: bool
    currency: str
    shipping: list[ShippingOption]
    staff: list[User]
    products: int
    assistant: bool = True


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    """One buyable variant of a product (a size, a colour), with its own SKU and stock."""

    id: int
    sku: str
    label: str
    options: dict[str, str]
    stock: int


class Product(msgspec.Struct, frozen=True, kw_only=True):
    """A catalogue entry. ``compare_at`` is the former price (shown struck through);
    ``images`` are relay paths to fetch over HTTP (``GET /media/...``); ``stock`` is the
    sum over the variants. A product without sizes or colours has one variant with an empty
    label and the product's SKU."""

    id: int
    brand: User
    verified: bool
    sku: str
    title: str
    description: str
    tags: list[str]
    price: int
    currency: str
    variants: list[Variant]
    stock: int
    active: bool
    updated_at: int
    compare_at: int | None = None
    barcode: str | None = None
    images: list[str] = []
    lowest_30d: int | None = None


class ProductPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of products; ``more`` tells whether a next page (``offset`` + ``limit``)
    exists."""

    products: list[Product]
    more: bool


class ProductResult(msgspec.Struct, frozen=True, kw_only=True):
    """One product and up to five similar ones (by shared tags, then by closeness of price)."""

    product: Product
    similar: list[Product] = []


class VariantInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A variant as staff describe it. ``row`` is the source row, echoed in import errors."""

    sku: str
    stock: Quantity
    label: str = ""
    options: dict[str, str] = {}
    row: Count = 0


class ProductInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A product as staff describe it, created or replaced by its ``sku``.

    Variants are matched by SKU: new ones are added, listed ones updated, and ones left out
    are withdrawn. Without ``variants`` the product has one variant with ``stock``.
    ``price`` and ``compare_at`` are minor units of ``currency`` (the brand's currency when
    null). ``images`` are paths returned by ``media_upload``.
    """

    sku: str
    title: str
    price: Amount
    description: str = ""
    tags: list[str] = []
    compare_at: Amount | None = None
    currency: str | None = None
    barcode: str | None = None
    images: list[str] = []
    variants: list[VariantInput] = []
    stock: Quantity = 0
    active: bool = True
    row: Count = 0


class ImportRowError(msgspec.Struct, frozen=True, kw_only=True):
    """What is wrong with one row of an import: its row number, the field, and why."""

    row: int
    field: str
    message: str


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of an import: all of it (``imported``), or nothing and the errors.

    ``staged`` counts products received so far under the import's ``key`` while more
    parts are coming (``final`` false)."""

    imported: bool
    created: int = 0
    updated: int = 0
    staged: int = 0
    errors: list[ImportRowError] = []


class MediaResult(msgspec.Struct, frozen=True, kw_only=True):
    """An uploaded image: the relay path to use in products and to fetch it from.

    While a chunked upload is incomplete, ``url`` is empty and ``size`` counts the bytes
    received so far."""

    url: str
    sha256: str
    content_type: str
    size: int


class LineSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An item to buy now: a variant SKU of the brand and a quantity."""

    sku: str
    quantity: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] = 1


class CartLine(msgspec.Struct, frozen=True, kw_only=True):
    """A line of a cart (or of a checkout), with what changed since it was added.

    ``unit_price`` is the price now, ``price_when_added`` the one when it went in;
    ``available`` is the stock now, and ``status`` says whether the quantity can be bought
    (``low_stock``: fewer left than the quantity; ``unavailable``: withdrawn)."""

    variant_id: int
    product_id: int
    sku: str
    title: str
    label: str
    quantity: int
    unit_price: int
    price_when_added: int
    available: int
    status: CartLineStatus
    price_changed: bool
    image: str | None = None


class PromoApplied(msgspec.Struct, frozen=True, kw_only=True):
    """A promo code on a cart or checkout: its discount now, or why it does not apply."""

    code: str
    kind: PromoKind
    value: int
    discount: int
    valid: bool
    problem: str = ""


class Cart(msgspec.Struct, frozen=True, kw_only=True):
    """Your cart at one brand, as it stands now (the same from every terminal).

    ``total`` is ``subtotal`` minus ``discount``, before shipping."""

    brand: User
    currency: str
    lines: list[CartLine]
    subtotal: int
    discount: int
    total: int
    items: int
    updated_at: int
    promo: PromoApplied | None = None


class CartList(msgspec.Struct, frozen=True, kw_only=True):
    """Your carts that hold something, most recently changed first."""

    carts: list[Cart]


class Address(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A shipping address. ``country`` is an ISO 3166-1 alpha-2 code (``FR``)."""

    name: str
    line1: str
    postcode: str
    city: str
    country: str
    line2: str = ""
    phone: str = ""


class AddressResult(msgspec.Struct, frozen=True, kw_only=True):
    """Your saved shipping address, null when none is saved."""

    address: Address | None


class CheckoutQuote(msgspec.Struct, frozen=True, kw_only=True):
    """What a checkout would be now: confirm with ``checkout`` and ``expected_total``.

    ``can_pay`` is false when something stands in the way, and ``problems`` says what (an
    item sold out, no address, the wallet short of the total, ...)."""

    brand: User
    currency: str
    lines: list[CartLine]
    subtotal: int
    discount: int
    shipping_options: list[ShippingOption]
    shipping_cost: int
    total: int
    balance: int
    can_pay: bool
    problems: list[str]
    promo: PromoApplied | None = None
    shipping: ShippingOption | None = None
    address: Address | None = None
    offer: OfferView | None = None


class OrderLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an order, at the price paid."""

    variant_id: int
    product_id: int
    sku: str
    title: str
    label: str
    quantity: int
    unit_price: int


class OrderStep(msgspec.Struct, frozen=True, kw_only=True):
    """A change of an order's status: when, by whom, and its details."""

    status: OrderStatus
    at: int
    by: int
    note: str = ""
    carrier: str | None = None
    tracking: str | None = None


class Order(msgspec.Struct, frozen=True, kw_only=True):
    """An order: what was bought, what it cost, where it goes, and where it stands.

    ``number`` is what people quote (``NOR-000042``). Lifecycle: placed -> confirmed ->
    preparing -> shipped -> delivered; cancelled (by the customer, before shipping) and
    refunded (by the brand) end it with the money back in the customer's wallet."""

    id: int
    number: str
    brand: User
    customer: User
    status: OrderStatus
    currency: str
    lines: list[OrderLine]
    subtotal: int
    discount: int
    shipping_cost: int
    total: int
    shipping: str
    address: Address
    thread_id: int
    created_at: int
    updated_at: int
    steps: list[OrderStep]
    promo_code: str | None = None
    carrier: str | None = None
    tracking: str | None = None
    receipt_message_id: int | None = None
    received_at: int | None = None
    external_id: str | None = None


class OrderPage(msgspec.Struct, frozen=True, kw_only=True):
    """Orders, newest first; ``more`` tells whether older ones exist (``before``)."""

    orders: list[Order]
    more: bool


class CheckoutResult(msgspec.Struct, frozen=True, kw_only=True):
    """A placed order, its receipt message in the brand thread, and your balance after.

    ``replayed`` is true when this answers a retried ``key``: nothing was charged again."""

    order: Order
    message: Message
    balance: Balance
    replayed: bool = False


class Promo(msgspec.Struct, frozen=True, kw_only=True):
    """A brand's promo code. ``value`` is a percentage (1 to 100) or an amount in minor units;
    null limits are unlimited; ``min_basket`` is the subtotal it needs."""

    id: int
    brand_id: int
    code: str
    kind: PromoKind
    value: int
    currency: str
    uses: int
    active: bool
    min_basket: int = 0
    expires_at: int | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None


class PromoList(msgspec.Struct, frozen=True, kw_only=True):
    """A brand's promo codes."""

    promos: list[Promo]


class Handover(msgspec.Struct, frozen=True, kw_only=True):
    """Who answers a brand thread: the brand's assistant (``bot``), a staff member
    (``staff``, named by ``agent``), or nobody yet after a customer asked for a person and no
    staff member was free (``waiting``)."""

    thread_id: int
    brand_id: int
    customer_id: int
    mode: HandoverMode
    since: int
    agent: User | None = None


class BrandThread(msgspec.Struct, frozen=True, kw_only=True):
    """A conversation between a customer and the brand, for the brand's staff."""

    thread_id: int
    customer: User
    handover: Handover
    last_activity: int
    last_message: Message | None = None
    recent_orders: list[Order] = []


class BrandThreadList(msgspec.Struct, frozen=True, kw_only=True):
    """The brand's customer threads, most recent activity first."""

    threads: list[BrandThread]
