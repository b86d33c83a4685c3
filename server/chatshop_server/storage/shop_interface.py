"""What the shopping handlers and the brand assistant need from storage, independent of SQL.

``Store`` (``interface.py``) includes this protocol; ``SqlShopStore`` implements it. Methods
that take ``user_id: int | None`` treat None as the relay admin (the ``chatshop-server``
admin options), who may act for any brand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chatshop.protocol.cards import Card, OrderStatus
from chatshop.protocol.models import Message, User
from chatshop.protocol.shop_models import (
    Address,
    AddressResult,
    BrandProfile,
    BrandThreadList,
    Cart,
    CartList,
    CheckoutQuote,
    CheckoutResult,
    Handover,
    ImportReport,
    ImportRowError,
    Order,
    OrderPage,
    OrderRole,
    Product,
    ProductPage,
    ProductResult,
    Promo,
    PromoKind,
    PromoList,
    ShippingOption,
)
from chatshop_server.catalog_rules import CleanProduct


@dataclass(frozen=True, slots=True)
class ProductRef:
    """How a request names a product: by id, by brand and SKU, or by a card's message.

    With ``product_id`` or ``message_id``, ``sku`` names one of the product's variants."""

    product_id: int | None = None
    brand: str | None = None
    sku: str | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class CheckoutSpec:
    """A checkout or its preview, as the handler validated it."""

    user_id: int
    brand: str
    items: Sequence[tuple[str, int]] | None
    shipping: str | None
    promo: str | None
    address: Address | None
    max_amount: int
    key: str = ""
    request_hash: str = ""
    expected_total: int | None = None
    at: int | None = None  # backdating, for the demo seed only


@dataclass(frozen=True, slots=True)
class PromoSpec:
    code: str
    kind: PromoKind
    value: int
    expires_at: int | None
    max_uses: int | None
    max_uses_per_customer: int | None
    min_basket: int
    active: bool


@dataclass(frozen=True, slots=True)
class BrandChanges:
    """Profile fields to change; None keeps the current value."""

    description: str | None = None
    currency: str | None = None
    shipping: list[ShippingOption] | None = None
    assistant: bool | None = None
    verified: bool | None = None


@dataclass(frozen=True, slots=True)
class AssistantContext:
    """What the brand's assistant needs to answer one customer message."""

    thread_id: int
    brand: User
    customer: User
    currency: str
    products: list[Product]
    focus_product_id: int | None
    orders: list[Order]


class ShopStore(Protocol):
    """Brands, catalogues, carts, checkout, orders, promo codes and hand-overs."""

    # brands
    async def brand_profile(self, handle: str) -> BrandProfile: ...
    async def update_brand(
        self, user_id: int | None, handle: str, changes: BrandChanges
    ) -> BrandProfile: ...
    async def set_staff(self, brand: str, person: str, add: bool) -> BrandProfile: ...

    # catalogue
    async def catalog(
        self, user_id: int, handle: str, offset: int, limit: int, include_inactive: bool
    ) -> ProductPage: ...
    async def product(
        self, user_id: int, product_id: int | None, handle: str | None, sku: str | None
    ) -> ProductResult: ...
    async def search_products(
        self, text: str, handle: str | None, offset: int, limit: int
    ) -> ProductPage: ...
    async def scan(self, code: str) -> ProductResult: ...
    async def brand_currency(self, handle: str) -> str: ...
    async def save_product(
        self, user_id: int | None, handle: str, product: CleanProduct
    ) -> ProductResult: ...
    async def archive_product(
        self, user_id: int, product_id: int, active: bool
    ) -> ProductResult: ...
    async def import_products(
        self,
        user_id: int | None,
        handle: str,
        products: Sequence[CleanProduct],
        errors: Sequence[ImportRowError],
        dry_run: bool,
    ) -> ImportReport: ...
    async def require_staff(self, user_id: int, handle: str) -> None: ...
    async def is_staff_anywhere(self, user_id: int) -> bool: ...
    async def share_product(
        self,
        user_id: int,
        thread_id: int,
        ref: ProductRef,
        text: str,
        key: str,
        request_hash: str,
    ) -> Message: ...

    # carts and addresses
    async def cart(self, user_id: int, handle: str) -> Cart: ...
    async def carts(self, user_id: int) -> CartList: ...
    async def cart_add(self, user_id: int, ref: ProductRef, quantity: int) -> Cart: ...
    async def cart_set_quantity(self, user_id: int, variant_id: int, quantity: int) -> Cart: ...
    async def cart_promo(self, user_id: int, handle: str, code: str | None) -> Cart: ...
    async def address(self, user_id: int) -> AddressResult: ...
    async def set_address(self, user_id: int, address: Address) -> AddressResult: ...

    # checkout and orders
    async def checkout_preview(self, spec: CheckoutSpec) -> CheckoutQuote: ...
    async def checkout(self, spec: CheckoutSpec) -> CheckoutResult: ...
    async def orders(
        self,
        user_id: int,
        role: OrderRole,
        handle: str | None,
        statuses: Sequence[str] | None,
        before: int | None,
        limit: int,
    ) -> OrderPage: ...
    async def order(self, user_id: int, order_id: int) -> Order: ...
    async def advance_order(
        self,
        user_id: int | None,
        order_id: int,
        status: OrderStatus,
        carrier: str | None,
        tracking: str | None,
        note: str,
        at: int | None = None,
    ) -> Order: ...
    async def cancel_order(self, user_id: int, order_id: int, reason: str) -> Order: ...
    async def refund_order(self, user_id: int | None, order_id: int, reason: str) -> Order: ...

    # promo codes
    async def save_promo(self, user_id: int | None, handle: str, spec: PromoSpec) -> Promo: ...
    async def promos(self, user_id: int, handle: str) -> PromoList: ...

    # brand threads
    async def brand_threads(self, user_id: int, handle: str) -> BrandThreadList: ...
    async def handover(self, user_id: int, thread_id: int) -> Handover: ...
    async def request_person(self, user_id: int, thread_id: int) -> Handover: ...
    async def take_thread(self, user_id: int, thread_id: int) -> Handover: ...
    async def release_thread(self, user_id: int, thread_id: int) -> Handover: ...
    async def assistant_context(
        self, thread_id: int, sender_id: int
    ) -> tuple[bool, AssistantContext | None]: ...
    async def assistant_reply(
        self, thread_id: int, text: str, card: Card | None, reply_to: int | None
    ) -> Message | None: ...
