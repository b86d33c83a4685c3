"""Personal alerts: a person watches products, lists and stops their watches. The alerts
themselves are posted by the changes that meet a watch (``storage.alerts``)."""

from __future__ import annotations

from chatshop.protocol.alert_frames import ListWatches, Unwatch, Watch, WatchList, WatchProduct
from chatshop.protocol.frames import Ok
from chatshop.protocol.handles import bare
from chatshop_server.handlers.base import OK, PeerLike, handles, me
from chatshop_server.rules.alerts import WatchRule
from chatshop_server.storage.specs import ProductRef


@handles(WatchProduct)
async def watch_product(peer: PeerLike, request: WatchProduct) -> Watch:
    ref = ProductRef(
        product_id=request.product_id,
        brand=None if request.brand is None else bare(request.brand),
        sku=request.sku,
        message_id=request.message_id,
    )
    rule = WatchRule(alert=request.alert, below=request.below)
    return await peer.ctx.stores.alerts.watch(me(peer), ref, rule)


@handles(ListWatches)
async def list_watches(peer: PeerLike, request: ListWatches) -> WatchList:
    return await peer.ctx.stores.alerts.watches(me(peer))


@handles(Unwatch)
async def unwatch(peer: PeerLike, request: Unwatch) -> Ok:
    await peer.ctx.stores.alerts.unwatch(me(peer), request.watch_id)
    return OK
