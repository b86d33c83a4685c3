"""A person's consent to a brand's HTTP API: allow it, revoke it, list it."""

from __future__ import annotations

from chatshop.protocol.api_frames import AllowApi, ApiOptIn, ApiOptInList, ListApiOptIns, RevokeApi
from chatshop.protocol.handles import bare
from chatshop_server.handlers.base import PeerLike, handles, me


@handles(AllowApi)
async def allow_api(peer: PeerLike, request: AllowApi) -> ApiOptIn:
    return await peer.ctx.stores.api_optins.allow(me(peer), bare(request.brand))


@handles(RevokeApi)
async def revoke_api(peer: PeerLike, request: RevokeApi) -> ApiOptIn:
    """Takes effect on the brand's next call: every API request checks consent."""
    return await peer.ctx.stores.api_optins.revoke(me(peer), bare(request.brand))


@handles(ListApiOptIns)
async def list_api_optins(peer: PeerLike, request: ListApiOptIns) -> ApiOptInList:
    return await peer.ctx.stores.api_optins.optins(me(peer))
