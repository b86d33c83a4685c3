"""Frames for shopping: brands, catalogues, media, carts, checkout, orders, promo codes, and
the hand-over of a brand thread between the brand's assistant and its staff.

Prices are integer minor units of the brand's currency, as everywhere in the protocol. Staff
are person accounts allowed to act for a brand (the brand account itself always may); the
relay admin adds them and sets a brand's ``verified`` flag (``chatshop-server --add-staff``,
``--verify-brand``). Requests that change a catalogue, a promo code or an order's progress
are refused with ``forbidden`` for anybody else.

Checkout is all-or-nothing: stock is taken, the wallet pays the brand, the order and its
receipt are stored in one transaction, or nothing happens. Like every request that moves
money, ``checkout`` carries an idempotency ``key``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from chatshop.protocol.base import Count, Event, PageSize, Request
from chatshop.protocol.cards import OrderStatus
from chatshop.protocol.limits import DEFAULT_CATALOG_PAGE
from chatshop.protocol.models import Message
from chatshop.protocol.shop_models import (
    Address,
    AddressResult,
    Amount,
    BrandProfile,
    BrandThreadList,
    Cart,
    CartList,
    CheckoutQuote,
    CheckoutResult,
    Handover,
    ImportReport,
    Key,
    LineSpec,
    MediaResult,
    Order,
    OrderPage,
    OrderRole,
    ProductInput,
    ProductPage,
    ProductResult,
    Promo,
    PromoKind,
    PromoList,
    Quantity,
    ShippingOption,
)

# --------------------------------------------------------------------------- requests

_EXAMPLE_ADDRESS = {
    "name": "Sam Carter",
    "line1": "12 rue de la Republique",
    "postcode": "69002",
    "city": "Lyon",
    "country": "FR",
}


class GetBrand(Request[BrandProfile], tag="brand"):
    """A brand's profile: description, verified flag, shipping options and staff."""

    handle: str
    example = {"type": "brand", "id": 40, "handle": "northwind"}


class UpdateBrand(Request[BrandProfile], tag="brand_update"):
    """Staff: change the brand's description, currency, shipping options or assistant.

    Fields left null are kept. The verified flag is the relay admin's alone."""

    brand: str
    description: str | None = None
    currency: str | None = None
    shipping: list[ShippingOption] | None = None
    assistant: bool | None = None
    example = {
        "type": "brand_update",
        "id": 41,
        "brand": "northwind",
        "shipping": [
            {"code": "standard", "name": "Standard", "price": 490, "days": "2-3 days"},
            {"code": "express", "name": "Express", "price": 1200, "days": "next day"},
        ],
    }


class GetCatalog(Request[ProductPage], tag="catalog"):
    """A brand's products, in catalogue order (staff may include withdrawn ones)."""

    brand: str
    offset: Count = 0
    limit: PageSize = DEFAULT_CATALOG_PAGE
    include_inactive: bool = False
    example = {"type": "catalog", "id": 42, "brand": "northwind", "limit": 20}


class GetProduct(Request[ProductResult], tag="product"):
    """One product with similar ones: by ``product_id``, or by ``brand`` and a product or
    variant ``sku``."""

    product_id: Count | None = None
    brand: str | None = None
    sku: str | None = None
    example = {"type": "product", "id": 43, "brand": "northwind", "sku": "NW-COAT-HARBOR"}


class Search(Request[ProductPage], tag="search"):
    """Products whose title, description, tags or SKU hold every word of ``text``,
    across brands (or in one ``brand``)."""

    text: str
    brand: str | None = None
    offset: Count = 0
    limit: PageSize = DEFAULT_CATALOG_PAGE
    example = {"type": "search", "id": 44, "text": "wool scarf"}


class Scan(Request[ProductResult], tag="scan"):
    """Look a barcode (EAN-13 or UPC-A) up: the product and similar items."""

    code: str
    example = {"type": "scan", "id": 45, "code": "4006381333931"}


class SaveProduct(Request[ProductResult], tag="product_save"):
    """Staff: create a product, or replace the one with the same SKU."""

    brand: str
    product: ProductInput
    example = {
        "type": "product_save",
        "id": 46,
        "brand": "northwind",
        "product": {
            "sku": "NW-SCARF-WOOL",
            "title": "Merino scarf",
            "price": 3900,
            "tags": ["scarf", "wool", "winter"],
            "variants": [
                {
                    "sku": "NW-SCARF-WOOL-GRY",
                    "label": "grey",
                    "options": {"colour": "grey"},
                    "stock": 12,
                },
                {
                    "sku": "NW-SCARF-WOOL-RED",
                    "label": "red",
                    "options": {"colour": "red"},
                    "stock": 0,
                },
            ],
        },
    }


class ArchiveProduct(Request[ProductResult], tag="product_archive"):
    """Staff: withdraw a product from sale (``active`` false) or bring it back."""

    product_id: Count
    active: bool = False
    example = {"type": "product_archive", "id": 47, "product_id": 12}


class ImportCatalog(Request[ImportReport], tag="catalog_import"):
    """Staff: create or replace many products at once, all or nothing.

    A large catalogue travels in parts under one ``key``: every part but the last has
    ``final`` false and is only checked and kept; the last applies them all in one
    transaction, or none when any row is wrong (every error is reported with its row).
    ``dry_run`` checks without storing."""

    brand: str
    key: Key
    products: list[ProductInput]
    final: bool = True
    dry_run: bool = False
    example = {
        "type": "catalog_import",
        "id": 48,
        "brand": "northwind",
        "key": "import-2026-11-30",
        "products": [
            {"sku": "NW-CAP", "title": "Canvas cap", "price": 1900, "stock": 40, "row": 2}
        ],
    }


class UploadMedia(Request[MediaResult], tag="media_upload"):
    """Staff: upload an image (PNG, JPEG or WebP) in base64 parts of one frame each.

    Send the parts in order under one ``key``; the last has ``final`` true and its result
    holds the image's path (``/media/<sha256>.<ext>``), served over HTTP by the relay."""

    key: Key
    data: str
    final: bool = True
    example = {"type": "media_upload", "id": 49, "key": "img-1", "data": "iVBORw0KGgo..."}


class ShareProduct(Request[Message], tag="product_share"):
    """Post a product card in a thread you belong to: the product by id, by ``brand`` and
    ``sku``, or the product of the card in message ``message_id`` (forwarding it)."""

    thread_id: Count
    key: Key
    product_id: Count | None = None
    brand: str | None = None
    sku: str | None = None
    message_id: Count | None = None
    text: str = ""
    example = {
        "type": "product_share",
        "id": 50,
        "thread_id": 3,
        "brand": "northwind",
        "sku": "NW-SCARF-WOOL",
        "text": "look at this scarf",
        "key": "share-1",
    }


class GetCart(Request[Cart], tag="cart"):
    """Your cart at a brand (empty when you never added anything)."""

    brand: str
    example = {"type": "cart", "id": 51, "brand": "northwind"}


class ListCarts(Request[CartList], tag="carts"):
    """Your carts that hold something."""

    example = {"type": "carts", "id": 52}


class AddToCart(Request[Cart], tag="cart_add"):
    """Add to your cart: the product in the card of message ``message_id`` (a ``#cart``
    reply), product ``product_id``, or ``brand`` and ``sku``. ``sku`` names the variant;
    without it a product with several variants is ``variant_required``. Stock is checked."""

    message_id: Count | None = None
    product_id: Count | None = None
    brand: str | None = None
    sku: str | None = None
    quantity: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] = 1
    example = {"type": "cart_add", "id": 53, "message_id": 141, "sku": "NW-SCARF-WOOL-GRY"}


class UpdateCartLine(Request[Cart], tag="cart_update"):
    """Set the quantity of a line of your cart; 0 removes it."""

    variant_id: Count
    quantity: Quantity
    example = {"type": "cart_update", "id": 54, "variant_id": 31, "quantity": 2}


class RemoveCartLine(Request[Cart], tag="cart_remove"):
    """Remove a line from your cart."""

    variant_id: Count
    example = {"type": "cart_remove", "id": 55, "variant_id": 31}


class SetCartPromo(Request[Cart], tag="cart_promo"):
    """Put a promo code on your cart at a brand (null takes it off); a code that does not
    apply is ``promo_invalid``."""

    brand: str
    code: str | None
    example = {"type": "cart_promo", "id": 56, "brand": "northwind", "code": "WELCOME20"}


class GetAddress(Request[AddressResult], tag="address"):
    """Your saved shipping address."""

    example = {"type": "address", "id": 57}


class SetAddress(Request[AddressResult], tag="address_set"):
    """Save your shipping address (used by every later checkout)."""

    address: Address
    example = {"type": "address_set", "id": 58, "address": _EXAMPLE_ADDRESS}


class CheckoutPreview(Request[CheckoutQuote], tag="checkout_preview"):
    """What checking out would cost now: your cart at ``brand``, or just ``items`` (buy now),
    with the promo code (the cart's unless given) and a shipping option (the first unless
    given). Nothing is reserved."""

    brand: str
    items: list[LineSpec] | None = None
    shipping: str | None = None
    promo: str | None = None
    example = {"type": "checkout_preview", "id": 59, "brand": "northwind", "shipping": "standard"}


class Checkout(Request[CheckoutResult], tag="checkout"):
    """Place an order and pay for it from your wallet, all or nothing: your cart at
    ``brand`` (its bought lines leave the cart), or just ``items`` (buy now).

    ``expected_total`` is the total the customer confirmed (from ``checkout_preview``): a
    different total now is ``price_changed``. ``address`` is saved for later checkouts; the
    first checkout needs one. A retry with the same ``key`` returns the first order."""

    brand: str
    key: Key
    items: list[LineSpec] | None = None
    shipping: str | None = None
    promo: str | None = None
    expected_total: Amount | None = None
    address: Address | None = None
    card_message_id: Count | None = None
    example = {
        "type": "checkout",
        "id": 60,
        "brand": "northwind",
        "shipping": "standard",
        "expected_total": 16410,
        "key": "co-7f3a",
    }


class ListOrders(Request[OrderPage], tag="orders"):
    """Your orders (``customer``), or a brand's order queue (``staff``, with ``brand``),
    newest first, optionally only some statuses."""

    role: OrderRole = "customer"
    brand: str | None = None
    status: list[OrderStatus] | None = None
    before: Count | None = None
    limit: PageSize = 50
    customer: str | None = None
    example = {
        "type": "orders",
        "id": 61,
        "role": "staff",
        "brand": "northwind",
        "status": ["placed", "confirmed", "preparing"],
    }


class GetOrder(Request[Order], tag="order"):
    """One order of yours, or of a brand you work for."""

    order_id: Count
    example = {"type": "order", "id": 62, "order_id": 42}


class AdvanceOrder(Request[Order], tag="order_advance"):
    """Staff: move an order one step on (placed -> confirmed -> preparing -> shipped ->
    delivered). ``shipped`` needs ``carrier`` and ``tracking``."""

    order_id: Count
    status: OrderStatus
    carrier: str | None = None
    tracking: str | None = None
    note: str = ""
    example = {
        "type": "order_advance",
        "id": 63,
        "order_id": 42,
        "status": "shipped",
        "carrier": "Colissimo",
        "tracking": "6A12345678901",
    }


class CancelOrder(Request[Order], tag="order_cancel"):
    """Cancel your order before it ships: the money returns to your wallet and the stock to
    the shelf."""

    order_id: Count
    reason: str = ""
    example = {"type": "order_cancel", "id": 64, "order_id": 42, "reason": "wrong size"}


class RefundOrder(Request[Order], tag="order_refund"):
    """Staff: refund an order in full (at any step before it is cancelled or refunded); the
    stock returns to the shelf unless the order had shipped."""

    order_id: Count
    reason: str = ""
    example = {"type": "order_refund", "id": 65, "order_id": 42, "reason": "damaged"}


class SavePromo(Request[Promo], tag="promo_save"):
    """Staff: create a promo code, or change the one with the same code."""

    brand: str
    code: str
    kind: PromoKind
    value: Amount
    expires_at: Count | None = None
    max_uses: Count | None = None
    max_uses_per_customer: Count | None = None
    min_basket: Count = 0
    active: bool = True
    example = {
        "type": "promo_save",
        "id": 66,
        "brand": "northwind",
        "code": "WELCOME20",
        "kind": "percent",
        "value": 20,
        "max_uses_per_customer": 1,
    }


class ListPromos(Request[PromoList], tag="promos"):
    """Staff: the brand's promo codes."""

    brand: str
    example = {"type": "promos", "id": 67, "brand": "northwind"}


class ListBrandThreads(Request[BrandThreadList], tag="brand_threads"):
    """Staff: the brand's customer threads and who answers each."""

    brand: str
    example = {"type": "brand_threads", "id": 68, "brand": "northwind"}


class GetHandover(Request[Handover], tag="handover"):
    """Who answers a brand thread you belong to (or work for)."""

    thread_id: Count
    example = {"type": "handover", "id": 69, "thread_id": 4}


class RequestPerson(Request[Handover], tag="handover_request"):
    """Customer: ask for a person in a brand thread; a staff member takes it when one is
    there (``staff``), else it waits for one (``waiting``)."""

    thread_id: Count
    example = {"type": "handover_request", "id": 70, "thread_id": 4}


class TakeThread(Request[Handover], tag="thread_take"):
    """Staff: answer a brand thread yourself; you join it and the assistant stays quiet."""

    thread_id: Count
    example = {"type": "thread_take", "id": 71, "thread_id": 4}


class ReleaseThread(Request[Handover], tag="thread_release"):
    """Staff: give a brand thread back to the brand's assistant."""

    thread_id: Count
    example = {"type": "thread_release", "id": 72, "thread_id": 4}


# --------------------------------------------------------------------------- events

_EXAMPLE_BRAND = {"id": 4, "handle": "northwind", "display_name": "Northwind", "kind": "brand"}
_EXAMPLE_SAM = {"id": 1, "handle": "sam", "display_name": "Sam Carter", "kind": "person"}


class OrderEvent(Event, tag="order"):
    """An order of yours (or of a brand you work for) was placed or changed status."""

    order: Order
    example = {
        "type": "order",
        "cursor": 1060,
        "order": {
            "id": 42,
            "number": "NOR-000042",
            "brand": _EXAMPLE_BRAND,
            "customer": _EXAMPLE_SAM,
            "status": "shipped",
            "currency": "EUR",
            "lines": [
                {
                    "variant_id": 31,
                    "product_id": 12,
                    "sku": "NW-COAT-HARBOR-42L",
                    "title": "Harbor sport coat",
                    "label": "42L",
                    "quantity": 1,
                    "unit_price": 19900,
                }
            ],
            "subtotal": 19900,
            "discount": 3980,
            "shipping_cost": 490,
            "total": 16410,
            "shipping": "Standard",
            "address": _EXAMPLE_ADDRESS,
            "thread_id": 4,
            "created_at": 1795900000000,
            "updated_at": 1795990000000,
            "steps": [
                {"status": "placed", "at": 1795900000000, "by": 1},
                {"status": "confirmed", "at": 1795910000000, "by": 5},
                {"status": "preparing", "at": 1795950000000, "by": 5},
                {
                    "status": "shipped",
                    "at": 1795990000000,
                    "by": 5,
                    "carrier": "Colissimo",
                    "tracking": "6A12345678901",
                },
            ],
            "promo_code": "WELCOME20",
            "carrier": "Colissimo",
            "tracking": "6A12345678901",
            "receipt_message_id": 150,
        },
    }


class HandoverEvent(Event, tag="handover"):
    """Who answers a brand thread changed (the assistant, a named staff member, waiting)."""

    handover: Handover
    example = {
        "type": "handover",
        "cursor": 1061,
        "handover": {
            "thread_id": 4,
            "brand_id": 4,
            "customer_id": 1,
            "mode": "staff",
            "since": 1795900000000,
            "agent": {"id": 5, "handle": "nora", "display_name": "Nora Lind", "kind": "person"},
        },
    }


class CartEvent(Event, tag="cart"):
    """Your cart at a brand changed (from this terminal or another, or by a checkout)."""

    cart: Cart
    example = {
        "type": "cart",
        "cursor": 1062,
        "cart": {
            "brand": _EXAMPLE_BRAND,
            "currency": "EUR",
            "lines": [],
            "subtotal": 0,
            "discount": 0,
            "total": 0,
            "items": 0,
            "updated_at": 1795900000000,
        },
    }


SHOP_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (
    GetBrand,
    UpdateBrand,
    GetCatalog,
    GetProduct,
    Search,
    Scan,
    SaveProduct,
    ArchiveProduct,
    ImportCatalog,
    UploadMedia,
    ShareProduct,
    GetCart,
    ListCarts,
    AddToCart,
    UpdateCartLine,
    RemoveCartLine,
    SetCartPromo,
    GetAddress,
    SetAddress,
    CheckoutPreview,
    Checkout,
    ListOrders,
    GetOrder,
    AdvanceOrder,
    CancelOrder,
    RefundOrder,
    SavePromo,
    ListPromos,
    ListBrandThreads,
    GetHandover,
    RequestPerson,
    TakeThread,
    ReleaseThread,
)
SHOP_EVENT_TYPES: tuple[type[Event], ...] = (OrderEvent, HandoverEvent, CartEvent)

#: Meanings of fields, merged into ``schema.FIELD_NOTES`` for the docs and the JSON Schema.
FIELD_NOTES: dict[str, str] = {
    "Order.external_id": "For an order placed on the brand's own shop and followed here "
    "(the brand HTTP API): its id there. Its money moved there, not on this relay.",
    "request.brand": "The brand's handle (`northwind` or `@northwind`).",
    "request.key": "Idempotency key: fresh for each new action, the same when retrying one.",
    "request.order_id": "An order of yours, or of a brand you work for (`Order.id`).",
    "Product.compare_at": "The former price, shown struck through; null when not discounted.",
    "Product.images": "Relay paths (`/media/<sha256>.<ext>`) to fetch over HTTP.",
    "Product.stock": "The sum of the variants' stock.",
    "Product.verified": "Whether the relay admin verified the brand.",
    "Variant.options": 'Option name to value, such as `{"size": "42L"}`.',
    "ProductInput.price": "Minor units of `currency`, 1 to `MAX_PRICE_MAJOR` major units.",
    "ProductInput.row": "The source row, echoed in import errors (0: numbered by position).",
    "ProductInput.stock": "Stock of the one variant of a product without `variants`.",
    "ImportCatalog.products": "Products of this part (a frame's worth).",
    "ImportCatalog.final": "False for every part but the last.",
    "ImportCatalog.dry_run": "Check everything and store nothing.",
    "UploadMedia.data": "Base64 of this part of the image's bytes.",
    "UploadMedia.final": "True on the last part: the image is then checked and stored.",
    "AddToCart.message_id": "A message holding a product card (a `#cart` reply).",
    "AddToCart.sku": "The variant's SKU (or the product's, with `brand`).",
    "UpdateCartLine.quantity": "The new quantity; 0 removes the line.",
    "Checkout.items": "Buy these now instead of the cart (the cart is left alone).",
    "Checkout.expected_total": "The total shown to the customer; another total now is "
    "`price_changed`.",
    "Checkout.address": "Shipping address, saved for later checkouts.",
    "Checkout.shipping": "A shipping option's `code` (the brand's first when null).",
    "Checkout.promo": "A promo code (the cart's when null).",
    "ListOrders.customer": "Staff: only this customer's orders (a handle).",
    "Checkout.card_message_id": "Paying a checkout card: its message id (the card must be "
    "yours and open; it then shows the order).",
    "AdvanceOrder.status": "The next status: placed -> confirmed -> preparing -> shipped -> "
    "delivered.",
    "CartLine.status": "`ok`; `low_stock` (fewer left than the quantity); `sold_out`; "
    "`unavailable` (withdrawn).",
    "CartLine.price_changed": "True when `unit_price` differs from `price_when_added`.",
    "Order.number": "The number people quote (`NOR-000042`), unique on the relay.",
    "Order.steps": "Every status change, oldest first.",
    "BrandThread.recent_orders": "The customer's latest orders with the brand (up to 3).",
    "Order.received_at": "When the customer confirmed receipt (`order_received`), in ms.",
    "Handover.mode": "`bot` (the assistant), `staff` (`agent` answers) or `waiting`.",
    "Handover.agent": "The staff member answering, when `mode` is `staff`.",
    "QuickReply.action": "What choosing it does: send `text`, buy now, add to cart, show "
    "similar items, or ask for a person.",
}
