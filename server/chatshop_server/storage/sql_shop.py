"""``SqlShopStore``: the shopping part of ``SqlStore`` (see ``shop_interface.ShopStore``).

Reads run on pooled connections; every mutation is one writer operation, so a checkout's
stock, money, order and receipt commit together or not at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from chatshop.protocol.cards import Card, OrderStatus
from chatshop.protocol.models import Message
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
    ProductPage,
    ProductResult,
    Promo,
    PromoList,
)
from chatshop_server.catalog_rules import CleanProduct
from chatshop_server.storage import (
    sql_cart,
    sql_catalog,
    sql_handover,
    sql_orders,
)
from chatshop_server.storage.shop_interface import (
    AssistantContext,
    BrandChanges,
    CheckoutSpec,
    ProductRef,
    PromoSpec,
)
from chatshop_server.storage.tables import brand_staff

T = TypeVar("T")


class SqlShopStore(ABC):
    """Mixed into ``SqlStore``, which provides the read and write paths."""

    default_currency: str

    @abstractmethod
    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` on a reader connection."""

    @abstractmethod
    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, publications, *args)`` in the group-commit writer."""

    # brands ------------------------------------------------------------------------------

    async def brand_profile(self, handle: str) -> BrandProfile:
        return await self._read(sql_catalog.brand_profile, handle, self.default_currency)

    async def update_brand(
        self, user_id: int | None, handle: str, changes: BrandChanges
    ) -> BrandProfile:
        return await self._write(
            sql_catalog.update_brand, user_id, handle, self.default_currency, changes
        )

    async def set_staff(self, brand: str, person: str, add: bool) -> BrandProfile:
        return await self._write(sql_catalog.set_staff, brand, person, add, self.default_currency)

    async def brand_currency(self, handle: str) -> str:
        def currency(conn: Connection) -> str:
            brand = sql_catalog.brand_user(conn, handle)
            return sql_catalog.brand_info(conn, brand, self.default_currency).currency

        return await self._read(currency)

    async def require_staff(self, user_id: int, handle: str) -> None:
        def check(conn: Connection) -> None:
            sql_catalog.require_staff(conn, sql_catalog.brand_user(conn, handle), user_id)

        await self._read(check)

    async def is_staff_anywhere(self, user_id: int) -> bool:
        def check(conn: Connection) -> bool:
            row = conn.execute(
                select(brand_staff.c.brand_id).where(brand_staff.c.user_id == user_id)
            ).first()
            return row is not None

        return await self._read(check)

    # catalogue ---------------------------------------------------------------------------

    async def catalog(
        self, user_id: int, handle: str, offset: int, limit: int, include_inactive: bool
    ) -> ProductPage:
        return await self._read(
            sql_catalog.catalog, user_id, handle, offset, limit, include_inactive
        )

    async def product(
        self, user_id: int, product_id: int | None, handle: str | None, sku: str | None
    ) -> ProductResult:
        return await self._read(sql_catalog.get_product, user_id, product_id, handle, sku)

    async def search_products(
        self, text: str, handle: str | None, offset: int, limit: int
    ) -> ProductPage:
        return await self._read(sql_catalog.search, text, handle, offset, limit)

    async def scan(self, code: str) -> ProductResult:
        return await self._read(sql_catalog.scan, code)

    async def save_product(
        self, user_id: int | None, handle: str, product: CleanProduct
    ) -> ProductResult:
        return await self._write(
            sql_catalog.save_product, user_id, handle, product, self.default_currency
        )

    async def archive_product(self, user_id: int, product_id: int, active: bool) -> ProductResult:
        return await self._write(sql_catalog.archive_product, user_id, product_id, active)

    async def import_products(
        self,
        user_id: int | None,
        handle: str,
        products: Sequence[CleanProduct],
        errors: Sequence[ImportRowError],
        dry_run: bool,
    ) -> ImportReport:
        return await self._write(
            sql_catalog.import_products,
            user_id,
            handle,
            list(products),
            list(errors),
            dry_run,
            self.default_currency,
        )

    async def share_product(
        self,
        user_id: int,
        thread_id: int,
        ref: ProductRef,
        text: str,
        key: str,
        request_hash: str,
    ) -> Message:
        return await self._write(
            sql_catalog.share_product, user_id, thread_id, ref, text, key, request_hash
        )

    # carts and addresses -----------------------------------------------------------------

    async def cart(self, user_id: int, handle: str) -> Cart:
        return await self._read(sql_cart.get_cart, user_id, handle, self.default_currency)

    async def carts(self, user_id: int) -> CartList:
        return await self._read(sql_cart.list_carts, user_id, self.default_currency)

    async def cart_add(self, user_id: int, ref: ProductRef, quantity: int) -> Cart:
        return await self._write(sql_cart.cart_add, user_id, ref, quantity, self.default_currency)

    async def cart_set_quantity(self, user_id: int, variant_id: int, quantity: int) -> Cart:
        return await self._write(
            sql_cart.cart_set_quantity, user_id, variant_id, quantity, self.default_currency
        )

    async def cart_promo(self, user_id: int, handle: str, code: str | None) -> Cart:
        return await self._write(
            sql_cart.set_cart_promo, user_id, handle, code, self.default_currency
        )

    async def address(self, user_id: int) -> AddressResult:
        return await self._read(sql_cart.get_address, user_id)

    async def set_address(self, user_id: int, address: Address) -> AddressResult:
        return await self._write(sql_cart.set_address, user_id, address)

    # checkout and orders -----------------------------------------------------------------

    async def checkout_preview(self, spec: CheckoutSpec) -> CheckoutQuote:
        return await self._read(sql_orders.preview, spec, self.default_currency)

    async def checkout(self, spec: CheckoutSpec) -> CheckoutResult:
        return await self._write(sql_orders.checkout, spec, self.default_currency)

    async def orders(
        self,
        user_id: int,
        role: OrderRole,
        handle: str | None,
        statuses: Sequence[str] | None,
        before: int | None,
        limit: int,
    ) -> OrderPage:
        return await self._read(
            sql_orders.list_orders, user_id, role, handle, statuses, before, limit
        )

    async def order(self, user_id: int, order_id: int) -> Order:
        return await self._read(sql_orders.get_order, user_id, order_id)

    async def advance_order(
        self,
        user_id: int | None,
        order_id: int,
        status: OrderStatus,
        carrier: str | None,
        tracking: str | None,
        note: str,
        at: int | None = None,
    ) -> Order:
        return await self._write(
            partial(sql_orders.advance_order, at=at),
            user_id,
            order_id,
            status,
            carrier,
            tracking,
            note,
        )

    async def cancel_order(self, user_id: int, order_id: int, reason: str) -> Order:
        return await self._write(sql_orders.cancel_order, user_id, order_id, reason)

    async def refund_order(self, user_id: int | None, order_id: int, reason: str) -> Order:
        return await self._write(sql_orders.refund_order, user_id, order_id, reason)

    # promo codes -------------------------------------------------------------------------

    async def save_promo(self, user_id: int | None, handle: str, spec: PromoSpec) -> Promo:
        return await self._write(sql_cart.save_promo, user_id, handle, spec, self.default_currency)

    async def promos(self, user_id: int, handle: str) -> PromoList:
        return await self._read(sql_cart.list_promos, user_id, handle)

    # brand threads -----------------------------------------------------------------------

    async def brand_threads(self, user_id: int, handle: str) -> BrandThreadList:
        return await self._read(sql_handover.brand_threads, user_id, handle)

    async def handover(self, user_id: int, thread_id: int) -> Handover:
        return await self._read(sql_handover.get_handover, user_id, thread_id)

    async def request_person(self, user_id: int, thread_id: int) -> Handover:
        return await self._write(sql_handover.request_person, user_id, thread_id)

    async def take_thread(self, user_id: int, thread_id: int) -> Handover:
        return await self._write(sql_handover.take_thread, user_id, thread_id)

    async def release_thread(self, user_id: int, thread_id: int) -> Handover:
        return await self._write(sql_handover.release_thread, user_id, thread_id)

    async def assistant_context(
        self, thread_id: int, sender_id: int
    ) -> tuple[bool, AssistantContext | None]:
        return await self._read(
            sql_handover.assistant_context, thread_id, sender_id, self.default_currency
        )

    async def assistant_reply(
        self, thread_id: int, text: str, card: Card | None, reply_to: int | None
    ) -> Message | None:
        return await self._write(sql_handover.assistant_reply, thread_id, text, card, reply_to)
