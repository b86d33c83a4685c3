"""Carts, the saved shipping address, and checkout (with its preview)."""

from __future__ import annotations

import dataclasses

from chatshop.protocol.shop_frames import (
    AddToCart,
    Checkout,
    CheckoutPreview,
    GetAddress,
    GetCart,
    ListCarts,
    RemoveCartLine,
    SetAddress,
    SetCartPromo,
    UpdateCartLine,
)
from chatshop.protocol.shop_models import (
    AddressResult,
    Cart,
    CartList,
    CheckoutQuote,
    CheckoutResult,
)
from chatshop_server.handlers.base import PeerLike, handles, me, request_hash
from chatshop_server.handlers.shop import handle_of
from chatshop_server.rules.catalog import check_code, clean_address
from chatshop_server.rules.money import transfer_limit
from chatshop_server.storage.specs import CheckoutSpec, ProductRef


@handles(GetCart)
async def get_cart(peer: PeerLike, request: GetCart) -> Cart:
    return await peer.ctx.stores.carts.cart(me(peer), handle_of(request.brand))


@handles(ListCarts)
async def list_carts(peer: PeerLike, request: ListCarts) -> CartList:
    return await peer.ctx.stores.carts.carts(me(peer))


@handles(AddToCart)
async def cart_add(peer: PeerLike, request: AddToCart) -> Cart:
    ref = ProductRef(
        product_id=request.product_id,
        brand=None if request.brand is None else handle_of(request.brand),
        sku=request.sku,
        message_id=request.message_id,
    )
    return await peer.ctx.stores.carts.add(me(peer), ref, request.quantity)


@handles(UpdateCartLine)
async def cart_update(peer: PeerLike, request: UpdateCartLine) -> Cart:
    return await peer.ctx.stores.carts.set_quantity(me(peer), request.variant_id, request.quantity)


@handles(RemoveCartLine)
async def cart_remove(peer: PeerLike, request: RemoveCartLine) -> Cart:
    return await peer.ctx.stores.carts.set_quantity(me(peer), request.variant_id, 0)


@handles(SetCartPromo)
async def cart_promo(peer: PeerLike, request: SetCartPromo) -> Cart:
    code = None if request.code is None else check_code(request.code, field="promo code")
    return await peer.ctx.stores.carts.set_promo(me(peer), handle_of(request.brand), code)


@handles(GetAddress)
async def get_address(peer: PeerLike, request: GetAddress) -> AddressResult:
    return await peer.ctx.stores.carts.address(me(peer))


@handles(SetAddress)
async def set_address(peer: PeerLike, request: SetAddress) -> AddressResult:
    return await peer.ctx.stores.carts.set_address(me(peer), clean_address(request.address))


async def _spec(peer: PeerLike, request: Checkout | CheckoutPreview) -> CheckoutSpec:
    handle = handle_of(request.brand)
    currency = await peer.ctx.stores.brands.currency(handle)
    items = None
    if request.items is not None:
        items = [(item.sku.strip(), item.quantity) for item in request.items]
    shipping = None if request.shipping is None else check_code(request.shipping, field="shipping")
    promo = None if request.promo is None else check_code(request.promo, field="promo code")
    address = getattr(request, "address", None)
    return CheckoutSpec(
        user_id=me(peer),
        brand=handle,
        items=items,
        shipping=shipping,
        promo=promo,
        address=None if address is None else clean_address(address),
        max_amount=transfer_limit(currency, peer.ctx.config.max_transfer_major),
    )


@handles(CheckoutPreview)
async def checkout_preview(peer: PeerLike, request: CheckoutPreview) -> CheckoutQuote:
    return await peer.ctx.stores.orders.preview(await _spec(peer, request))


@handles(Checkout)
async def checkout(peer: PeerLike, request: Checkout) -> CheckoutResult:
    spec = dataclasses.replace(
        await _spec(peer, request),
        key=request.key,
        request_hash=request_hash(request),
        expected_total=request.expected_total,
        card_message_id=request.card_message_id,
    )
    return await peer.ctx.stores.orders.checkout(spec)
