"""Typed helpers over ``Connection.request`` for shopping: catalogue, search, scan, share,
cart, checkout and orders. Each returns the relay's result struct, checked for its type.

Keyed calls (``share``, ``checkout``) take the caller's idempotency key: a screen makes one
when it opens, so a retried confirm is answered ``replayed`` instead of charging twice.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from chatshop.client.connection import Connection
from chatshop.protocol.base import Request
from chatshop.protocol.cards import OrderStatus
from chatshop.protocol.models import Message
from chatshop.protocol.shop_frames import (
    AddToCart,
    AdvanceOrder,
    CancelOrder,
    Checkout,
    CheckoutPreview,
    GetAddress,
    GetBrand,
    GetCart,
    GetCatalog,
    GetProduct,
    ListCarts,
    ListOrders,
    RefundOrder,
    RemoveCartLine,
    Scan,
    Search,
    SetCartPromo,
    ShareProduct,
    UpdateCartLine,
)
from chatshop.protocol.shop_models import (
    Address,
    AddressResult,
    BrandProfile,
    Cart,
    CartList,
    CheckoutQuote,
    CheckoutResult,
    LineSpec,
    Order,
    OrderPage,
    OrderRole,
    ProductPage,
    ProductResult,
)

S = TypeVar("S", bound=msgspec.Struct)


async def _ask(client: Connection, kind: type[Request[Any]], result: type[S], **fields: Any) -> S:
    reply = await client.request(kind, **fields)
    if not isinstance(reply, result):  # the relay answered another result type
        raise TypeError(f"{kind.__name__} answered {type(reply).__name__}")
    return reply


def handle_of(brand: str) -> str:
    """``@northwind`` -> ``northwind``."""
    return brand.removeprefix("@")


# ------------------------------------------------------------------ catalogue


async def brand(client: Connection, handle: str) -> BrandProfile:
    return await _ask(client, GetBrand, BrandProfile, handle=handle_of(handle))


async def catalog(client: Connection, brand: str, offset: int = 0) -> ProductPage:
    return await _ask(client, GetCatalog, ProductPage, brand=handle_of(brand), offset=offset)


async def product(
    client: Connection,
    product_id: int | None = None,
    *,
    brand: str | None = None,
    sku: str | None = None,
) -> ProductResult:
    return await _ask(
        client,
        GetProduct,
        ProductResult,
        product_id=product_id,
        brand=handle_of(brand) if brand else None,
        sku=sku,
    )


async def search(client: Connection, text: str, brand: str | None = None) -> ProductPage:
    return await _ask(
        client, Search, ProductPage, text=text, brand=handle_of(brand) if brand else None
    )


async def scan(client: Connection, code: str) -> ProductResult:
    return await _ask(client, Scan, ProductResult, code=code)


async def share(
    client: Connection, thread_id: int, key: str, *, brand: str, sku: str, text: str = ""
) -> Message:
    """Staff share a product card into a thread; the message holding it."""
    return await _ask(
        client,
        ShareProduct,
        Message,
        thread_id=thread_id,
        key=key,
        brand=handle_of(brand),
        sku=sku,
        text=text,
    )


# ------------------------------------------------------------------ cart


async def cart(client: Connection, brand: str) -> Cart:
    return await _ask(client, GetCart, Cart, brand=handle_of(brand))


async def carts(client: Connection) -> CartList:
    return await _ask(client, ListCarts, CartList)


async def cart_add(
    client: Connection,
    *,
    message_id: int | None = None,
    product_id: int | None = None,
    brand: str | None = None,
    sku: str | None = None,
    quantity: int = 1,
) -> Cart:
    """Add to a cart: from a product card message (``#cart``), or a product / SKU."""
    return await _ask(
        client,
        AddToCart,
        Cart,
        message_id=message_id,
        product_id=product_id,
        brand=handle_of(brand) if brand else None,
        sku=sku,
        quantity=quantity,
    )


async def cart_update(client: Connection, variant_id: int, quantity: int) -> Cart:
    return await _ask(client, UpdateCartLine, Cart, variant_id=variant_id, quantity=quantity)


async def cart_remove(client: Connection, variant_id: int) -> Cart:
    return await _ask(client, RemoveCartLine, Cart, variant_id=variant_id)


async def cart_promo(client: Connection, brand: str, code: str | None) -> Cart:
    return await _ask(client, SetCartPromo, Cart, brand=handle_of(brand), code=code)


# ------------------------------------------------------------------ checkout


async def address(client: Connection) -> Address | None:
    return (await _ask(client, GetAddress, AddressResult)).address


async def quote(
    client: Connection,
    brand: str,
    *,
    items: list[LineSpec] | None = None,
    shipping: str | None = None,
    promo: str | None = None,
) -> CheckoutQuote:
    return await _ask(
        client,
        CheckoutPreview,
        CheckoutQuote,
        brand=handle_of(brand),
        items=items,
        shipping=shipping,
        promo=promo,
    )


async def checkout(
    client: Connection,
    brand: str,
    key: str,
    *,
    expected_total: int,
    items: list[LineSpec] | None = None,
    shipping: str | None = None,
    promo: str | None = None,
    address: Address | None = None,
) -> CheckoutResult:
    return await _ask(
        client,
        Checkout,
        CheckoutResult,
        brand=handle_of(brand),
        key=key,
        items=items,
        shipping=shipping,
        promo=promo,
        expected_total=expected_total,
        address=address,
    )


# ------------------------------------------------------------------ orders


async def orders(
    client: Connection, role: OrderRole = "customer", brand: str | None = None
) -> OrderPage:
    return await _ask(
        client, ListOrders, OrderPage, role=role, brand=handle_of(brand) if brand else None
    )


async def advance(
    client: Connection,
    order_id: int,
    status: OrderStatus,
    *,
    carrier: str | None = None,
    tracking: str | None = None,
) -> Order:
    return await _ask(
        client,
        AdvanceOrder,
        Order,
        order_id=order_id,
        status=status,
        carrier=carrier,
        tracking=tracking,
    )


async def refund(client: Connection, order_id: int, reason: str = "") -> Order:
    return await _ask(client, RefundOrder, Order, order_id=order_id, reason=reason)


async def cancel(client: Connection, order_id: int, reason: str = "") -> Order:
    """Cancel your own order before it ships (refund to your wallet, stock restored)."""
    return await _ask(client, CancelOrder, Order, order_id=order_id, reason=reason)
