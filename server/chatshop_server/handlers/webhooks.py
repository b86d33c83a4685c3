"""Webhook endpoints: staff (or a bot with the ``webhooks`` scope) register, list, remove and
rotate them, read their delivery log and replay deliveries."""

from __future__ import annotations

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import Ok
from chatshop.protocol.handles import bare
from chatshop.protocol.webhook_frames import (
    AddWebhook,
    DeliveryPage,
    ListDeliveries,
    ListWebhooks,
    RemoveWebhook,
    ReplayResult,
    ReplayWebhook,
    RotateWebhookSecret,
    WebhookList,
    WebhookSecret,
)
from chatshop_server.handlers.base import OK, PeerLike, handles, me
from chatshop_server.webhooks import check_url


@handles(AddWebhook)
async def add_webhook(peer: PeerLike, request: AddWebhook) -> WebhookSecret:
    refused = check_url(request.url, allow_private=peer.ctx.config.webhook_private_targets)
    if refused is not None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, refused)
    return await peer.ctx.stores.webhooks.add(
        me(peer), bare(request.brand), request.url, list(request.kinds)
    )


@handles(ListWebhooks)
async def list_webhooks(peer: PeerLike, request: ListWebhooks) -> WebhookList:
    return await peer.ctx.stores.webhooks.endpoints(me(peer), bare(request.brand))


@handles(RemoveWebhook)
async def remove_webhook(peer: PeerLike, request: RemoveWebhook) -> Ok:
    await peer.ctx.stores.webhooks.remove(me(peer), bare(request.brand), request.endpoint_id)
    return OK


@handles(RotateWebhookSecret)
async def rotate_webhook_secret(peer: PeerLike, request: RotateWebhookSecret) -> WebhookSecret:
    return await peer.ctx.stores.webhooks.rotate(
        me(peer), bare(request.brand), request.endpoint_id, request.overlap_hours
    )


@handles(ListDeliveries)
async def list_deliveries(peer: PeerLike, request: ListDeliveries) -> DeliveryPage:
    return await peer.ctx.stores.webhooks.deliveries(
        me(peer),
        bare(request.brand),
        request.endpoint_id,
        request.status,
        request.before,
        request.limit,
    )


@handles(ReplayWebhook)
async def replay_webhook(peer: PeerLike, request: ReplayWebhook) -> ReplayResult:
    queued = await peer.ctx.stores.webhooks.replay(
        me(peer),
        bare(request.brand),
        request.endpoint_id,
        request.event_id,
        request.since,
        request.until,
    )
    return ReplayResult(queued=queued)
