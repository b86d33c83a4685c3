"""Shared pieces of the handlers: the handler type and the peer surface they rely on."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import msgspec

from chatshop.protocol import encode
from chatshop.protocol.frames import Ok, Request
from chatshop.protocol.models import User
from chatshop_server.context import RelayContext


class PeerLike(Protocol):
    """What a handler may use of its connection."""

    ctx: RelayContext
    user: User | None
    session_id: int

    @property
    def user_id(self) -> int: ...
    @property
    def address(self) -> str:
        """The client's IP address (what login throttling counts by)."""
        ...

    async def send_result(self, request_id: int | str, result: Any) -> None: ...
    def start_session(self, user: User, session_id: int, since: int) -> None: ...
    async def replay(self, since: int) -> None: ...
    def end_session(self) -> None: ...


Handler = Callable[[Any, Any], Awaitable[Any]]

#: Returned by a handler that already sent its reply itself.
REPLIED: Any = object()

OK = Ok()


def me(peer: PeerLike) -> int:
    """The authenticated user's id (the dispatcher guarantees there is one)."""
    assert peer.user is not None
    return peer.user.id


def request_hash(request: Request) -> str:
    """What an idempotency key is bound to: the request minus its id."""
    return hashlib.sha256(encode(msgspec.structs.replace(request, id=0))).hexdigest()


def register(
    table: dict[type, Handler], request_type: type[Request]
) -> Callable[[Handler], Handler]:
    """Decorator filling a module's handler table."""

    def add(handler: Handler) -> Handler:
        table[request_type] = handler
        return handler

    return add
