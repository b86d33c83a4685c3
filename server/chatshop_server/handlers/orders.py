"""Orders (the customer's list and the brand's queue, and each step), promo codes, and who
answers a brand thread."""

from __future__ import annotations

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import exponent
from chatshop.protocol.shop_frames import (
    AdvanceOrder,
    CancelOrder,
    GetHandover,
    GetOrder,
    ListBrandThreads,
    ListOrders,
    ListPromos,
    RefundOrder,
    ReleaseThread,
    RequestPerson,
    SavePromo,
    TakeThread,
)
from chatshop.protocol.shop_models import (
    BrandThreadList,
    Handover,
    Order,
    OrderPage,
    Promo,
    PromoList,
)
from chatshop_server.handlers.base import PeerLike, handles, me
from chatshop_server.handlers.shop import handle_of
from chatshop_server.rules.catalog import check_code, check_promo, short_text
from chatshop_server.storage.specs import PromoSpec

MAX_NOTE_CHARS = 280


@handles(ListOrders)
async def list_orders(peer: PeerLike, request: ListOrders) -> OrderPage:
    brand = None if request.brand is None else handle_of(request.brand)
    customer = None if request.customer is None else handle_of(request.customer)
    return await peer.ctx.stores.orders.orders(
        me(peer), request.role, brand, request.status, request.before, request.limit, customer
    )


@handles(GetOrder)
async def get_order(peer: PeerLike, request: GetOrder) -> Order:
    return await peer.ctx.stores.orders.order(me(peer), request.order_id)


@handles(AdvanceOrder)
async def advance_order(peer: PeerLike, request: AdvanceOrder) -> Order:
    carrier = tracking = None
    if request.carrier is not None:
        carrier = short_text(request.carrier, field="carrier", max_chars=limits.MAX_TRACKING_CHARS)
    if request.tracking is not None:
        tracking = short_text(
            request.tracking, field="tracking", max_chars=limits.MAX_TRACKING_CHARS
        )
    note = short_text(request.note, field="note", max_chars=MAX_NOTE_CHARS)
    return await peer.ctx.stores.orders.advance(
        me(peer), request.order_id, request.status, carrier or None, tracking or None, note
    )


@handles(CancelOrder)
async def cancel_order(peer: PeerLike, request: CancelOrder) -> Order:
    reason = short_text(request.reason, field="reason", max_chars=MAX_NOTE_CHARS)
    return await peer.ctx.stores.orders.cancel(me(peer), request.order_id, reason)


@handles(RefundOrder)
async def refund_order(peer: PeerLike, request: RefundOrder) -> Order:
    reason = short_text(request.reason, field="reason", max_chars=MAX_NOTE_CHARS)
    return await peer.ctx.stores.orders.refund(me(peer), request.order_id, reason)


@handles(SavePromo)
async def save_promo(peer: PeerLike, request: SavePromo) -> Promo:
    handle = handle_of(request.brand)
    currency = await peer.ctx.stores.brands.currency(handle)
    check_promo(request.kind, request.value, currency)
    ceiling = int(limits.MAX_PRICE_MAJOR * 10 ** exponent(currency)) * limits.MAX_CART_LINES
    if request.min_basket > ceiling:
        raise ProtocolError(ErrorCode.INVALID_AMOUNT, "min_basket is out of range")
    spec = PromoSpec(
        code=check_code(request.code, field="promo code"),
        kind=request.kind,
        value=request.value,
        expires_at=request.expires_at,
        max_uses=request.max_uses,
        max_uses_per_customer=request.max_uses_per_customer,
        min_basket=request.min_basket,
        active=request.active,
    )
    return await peer.ctx.stores.carts.save_promo(me(peer), handle, spec)


@handles(ListPromos)
async def list_promos(peer: PeerLike, request: ListPromos) -> PromoList:
    return await peer.ctx.stores.carts.promos(me(peer), handle_of(request.brand))


@handles(ListBrandThreads)
async def brand_threads(peer: PeerLike, request: ListBrandThreads) -> BrandThreadList:
    return await peer.ctx.stores.handover.brand_threads(me(peer), handle_of(request.brand))


@handles(GetHandover)
async def get_handover(peer: PeerLike, request: GetHandover) -> Handover:
    return await peer.ctx.stores.handover.handover(me(peer), request.thread_id)


@handles(RequestPerson)
async def request_person(peer: PeerLike, request: RequestPerson) -> Handover:
    return await peer.ctx.stores.handover.request_person(me(peer), request.thread_id)


@handles(TakeThread)
async def take_thread(peer: PeerLike, request: TakeThread) -> Handover:
    return await peer.ctx.stores.handover.take(me(peer), request.thread_id)


@handles(ReleaseThread)
async def release_thread(peer: PeerLike, request: ReleaseThread) -> Handover:
    return await peer.ctx.stores.handover.release(me(peer), request.thread_id)
