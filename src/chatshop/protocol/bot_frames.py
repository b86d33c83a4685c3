"""Frames for bots: the brand-scoped tokens they connect with, and the scopes that bound them.

A bot is a client like any other: it opens a websocket, says hello, and sends ``auth`` with
its token. The token belongs to a brand account and carries **scopes**; the relay serves a
bot session only the requests its scopes allow and delivers it only the events they allow
(see ``chatshop.protocol.scopes``). Brand staff (or the relay admin) create and revoke
tokens; a revoked token's connections are closed at once with 4001.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from chatshop.protocol.base import Count, Ok, Request
from chatshop.protocol.models import User

#: What a bot token may do. ``read``: see the brand's threads, messages, catalogue and
#: hand-over state; ``answer``: write in them (messages, typing, read markers, quick replies,
#: checkout and offer cards, handing a thread to a person); ``orders``: see and advance or
#: refund the brand's orders; ``catalog``: edit products, images and promo codes; ``posts``:
#: publish promoted posts; ``invoices``: bill customers; ``webhooks``: manage the brand's
#: webhook endpoints.
Scope = Literal["read", "answer", "orders", "catalog", "posts", "invoices", "webhooks"]
SCOPES: tuple[Scope, ...] = (
    "read",
    "answer",
    "orders",
    "catalog",
    "posts",
    "invoices",
    "webhooks",
)

#: Live bot tokens one brand may hold.
MAX_BOT_TOKENS = 20
MAX_BOT_NAME_CHARS = 40

BotName = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BOT_NAME_CHARS)]


class BotToken(msgspec.Struct, frozen=True, kw_only=True):
    """A bot token of a brand, as staff see it (never the token itself)."""

    bot_id: int
    brand: User
    name: str
    scopes: list[Scope]
    created_at: int
    created_by: User | None = None
    revoked_at: int | None = None


class BotTokenCreated(msgspec.Struct, frozen=True, kw_only=True):
    """A new bot token: ``token`` is shown this once and stored only as a hash."""

    token: str
    bot: BotToken


class BotTokenList(msgspec.Struct, frozen=True, kw_only=True):
    """A brand's bot tokens, newest first, revoked ones included."""

    bots: list[BotToken]


class CreateBotToken(Request[BotTokenCreated], tag="bot_token_create"):
    """Staff: a token for a bot that acts as the brand within ``scopes``. A bot session
    cannot create tokens."""

    brand: str
    name: BotName
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=len(SCOPES))]
    example = {
        "type": "bot_token_create",
        "id": 100,
        "brand": "northwind",
        "name": "assistant",
        "scopes": ["read", "answer", "orders"],
    }


class ListBotTokens(Request[BotTokenList], tag="bot_tokens"):
    """Staff: the brand's bot tokens."""

    brand: str
    example = {"type": "bot_tokens", "id": 101, "brand": "northwind"}


class RevokeBotToken(Request[Ok], tag="bot_token_revoke"):
    """Staff: revoke a bot token; its connections close with 4001 at once."""

    brand: str
    bot_id: Count
    example = {"type": "bot_token_revoke", "id": 102, "brand": "northwind", "bot_id": 1}


BOT_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (
    CreateBotToken,
    ListBotTokens,
    RevokeBotToken,
)

FIELD_NOTES: dict[str, str] = {
    "BotToken.bot_id": "The token's id (for ``bot_token_revoke``).",
    "BotToken.brand": "The brand account the bot acts as.",
    "BotToken.name": f"A name staff chose, at most {MAX_BOT_NAME_CHARS} characters.",
    "BotToken.scopes": "What the bot may do (see Bots).",
    "BotToken.created_by": "The staff member who created it (none when the admin did).",
    "BotToken.revoked_at": "When it was revoked (ms); absent while it is live.",
    "BotTokenCreated.token": "The secret the bot sends in ``auth``; shown only this once.",
    "BotTokenCreated.bot": "The token as staff see it from now on.",
    "BotTokenList.bots": "Newest first, revoked ones included.",
    "CreateBotToken.brand": "The brand's handle.",
    "CreateBotToken.name": "What staff call the bot.",
    "CreateBotToken.scopes": "One or more of `read`, `answer`, `orders`, `catalog`, "
    "`posts`, `invoices`, `webhooks`.",
    "ListBotTokens.brand": "The brand's handle.",
    "RevokeBotToken.brand": "The brand's handle.",
    "RevokeBotToken.bot_id": "The token's ``bot_id``.",
}
