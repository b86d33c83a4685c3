"""An API call as the request handlers see it: the brand account, bound by its token's
scopes, exactly like a websocket bot session (``PeerLike``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from chatshop.protocol.bot_frames import Scope
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import Request
from chatshop.protocol.models import User
from chatshop.protocol.scopes import refusal
from chatshop_server.context import RelayContext
from chatshop_server.handlers import HANDLERS

R = TypeVar("R", bound=msgspec.Struct)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls: the brand of a live bot token, and that token's scopes."""

    brand: User
    session_id: int
    scopes: frozenset[Scope]


class ApiPeer:
    """``PeerLike`` for one API call: handlers run as they would for the brand's bot."""

    __slots__ = ("_address", "_scopes", "ctx", "session_id", "user")

    def __init__(self, ctx: RelayContext, caller: Caller, address: str) -> None:
        self.ctx = ctx
        self.user: User | None = caller.brand
        self.session_id = caller.session_id
        self._scopes = caller.scopes
        self._address = address

    @property
    def user_id(self) -> int:
        return 0 if self.user is None else self.user.id

    @property
    def address(self) -> str:
        return self._address

    @property
    def scopes(self) -> frozenset[Scope] | None:
        return self._scopes

    def start_session(
        self, user: User, session_id: int, since: int, scopes: frozenset[Scope] | None = None
    ) -> None:
        raise ProtocolError(ErrorCode.FORBIDDEN, "the HTTP API opens no sessions")

    def end_session(self) -> None:
        raise ProtocolError(ErrorCode.FORBIDDEN, "the HTTP API opens no sessions")

    def require(self, scope: Scope, what: str) -> None:
        """``forbidden`` unless the token carries ``scope`` (for work no request type names)."""
        if scope not in self._scopes:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, f"this bot token lacks the {scope} scope needed for {what}"
            )

    async def call(self, request: Request[R]) -> R:
        """Run ``request``'s handler after the same scope check a bot session gets."""
        why = refusal(type(request), self._scopes)
        if why is not None:
            raise ProtocolError(ErrorCode.FORBIDDEN, why)
        handler: Any = HANDLERS[type(request)]  # the registry is untyped; @handles checks it
        result: R = await handler(self, request)
        return result
