"""Bot tokens: staff create, list and revoke the tokens their brand's bots connect with."""

from __future__ import annotations

from chatshop.protocol.bot_frames import (
    BotTokenCreated,
    BotTokenList,
    CreateBotToken,
    ListBotTokens,
    RevokeBotToken,
)
from chatshop.protocol.frames import Ok
from chatshop.protocol.handles import bare
from chatshop_server.handlers.base import OK, PeerLike, handles, me
from chatshop_server.passwords import new_token, token_hash


@handles(CreateBotToken)
async def create_bot_token(peer: PeerLike, request: CreateBotToken) -> BotTokenCreated:
    token = new_token()
    bot = await peer.ctx.stores.bots.create(
        me(peer), bare(request.brand), request.name, list(request.scopes), token_hash(token)
    )
    return BotTokenCreated(token=token, bot=bot)


@handles(ListBotTokens)
async def list_bot_tokens(peer: PeerLike, request: ListBotTokens) -> BotTokenList:
    return await peer.ctx.stores.bots.tokens(me(peer), bare(request.brand))


@handles(RevokeBotToken)
async def revoke_bot_token(peer: PeerLike, request: RevokeBotToken) -> Ok:
    """The token stops opening sessions, and its live connections close with 4001 now (the
    revocation's publication closes them, in every relay process)."""
    await peer.ctx.stores.bots.revoke(me(peer), bare(request.brand), request.bot_id)
    return OK
