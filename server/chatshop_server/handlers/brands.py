"""Following brands, their promoted posts, and invoices."""

from __future__ import annotations

from chatshop.protocol.brand_frames import (
    MAX_POST_CHARS,
    ConfirmReceipt,
    Follow,
    FollowBrand,
    FollowList,
    GetPostStats,
    InvoiceResult,
    ListFollows,
    PayInvoice,
    PostResult,
    PostStats,
    PublishPost,
    ReportOrderProblem,
    SendCheckoutCard,
    SendInvoice,
    SendOffer,
    SetFollow,
    UnfollowBrand,
)
from chatshop.protocol.frames import Ok
from chatshop.protocol.handles import bare
from chatshop.protocol.models import Message
from chatshop.protocol.money import check_currency
from chatshop.protocol.payment_frames import PaymentResult
from chatshop.protocol.shop_models import Handover, Order
from chatshop.protocol.text import check_text
from chatshop_server.handlers.base import OK, PeerLike, handles, me, request_hash
from chatshop_server.rules.money import transfer_limit


@handles(FollowBrand)
async def follow(peer: PeerLike, request: FollowBrand) -> Follow:
    return await peer.ctx.stores.follows.follow(me(peer), bare(request.brand), request.promotions)


@handles(UnfollowBrand)
async def unfollow(peer: PeerLike, request: UnfollowBrand) -> Ok:
    await peer.ctx.stores.follows.unfollow(me(peer), bare(request.brand))
    return OK


@handles(SetFollow)
async def set_follow(peer: PeerLike, request: SetFollow) -> Follow:
    return await peer.ctx.stores.follows.set_follow(
        me(peer), bare(request.brand), request.promotions, request.muted
    )


@handles(ListFollows)
async def list_follows(peer: PeerLike, request: ListFollows) -> FollowList:
    return await peer.ctx.stores.follows.follows(me(peer))


@handles(PublishPost)
async def publish_post(peer: PeerLike, request: PublishPost) -> PostResult:
    return await peer.ctx.stores.follows.publish(
        me(peer),
        bare(request.brand),
        request.text,
        request.sku,
        request.offer,
        request.key,
        request_hash(request),
    )


@handles(GetPostStats)
async def post_stats(peer: PeerLike, request: GetPostStats) -> PostStats:
    return await peer.ctx.stores.follows.stats(me(peer), request.post_id)


@handles(SendInvoice)
async def send_invoice(peer: PeerLike, request: SendInvoice) -> InvoiceResult:
    currency = check_currency(request.currency)
    return await peer.ctx.stores.invoices.send(
        me(peer),
        bare(request.brand),
        bare(request.customer),
        request.reference,
        list(request.lines),
        currency,
        request.expires_in_hours,
        transfer_limit(currency, peer.ctx.config.max_transfer_major),
    )


@handles(PayInvoice)
async def pay_invoice(peer: PeerLike, request: PayInvoice) -> PaymentResult:
    return await peer.ctx.stores.invoices.pay(
        me(peer), request.invoice_id, request.key, request_hash(request)
    )


@handles(SendCheckoutCard)
async def send_checkout_card(peer: PeerLike, request: SendCheckoutCard) -> Message:
    text = check_text(request.text, field="text", max_chars=MAX_POST_CHARS) if request.text else ""
    items = [(line.sku, line.quantity) for line in request.items]
    return await peer.ctx.stores.checkout_cards.send(
        me(peer),
        request.thread_id,
        items,
        request.shipping,
        text,
        request.key,
        request_hash(request),
    )


@handles(SendOffer)
async def send_offer(peer: PeerLike, request: SendOffer) -> Message:
    return await peer.ctx.stores.offers.send(
        me(peer),
        bare(request.brand),
        bare(request.customer),
        request.offer,
        request.text,
        request.key,
        request_hash(request),
    )


@handles(ReportOrderProblem)
async def report_order_problem(peer: PeerLike, request: ReportOrderProblem) -> Handover:
    text = check_text(request.text, field="text", max_chars=MAX_POST_CHARS) if request.text else ""
    return await peer.ctx.stores.handover.report_problem(me(peer), request.order_id, text)


@handles(ConfirmReceipt)
async def confirm_receipt(peer: PeerLike, request: ConfirmReceipt) -> Order:
    return await peer.ctx.stores.orders.confirm_receipt(me(peer), request.order_id)
