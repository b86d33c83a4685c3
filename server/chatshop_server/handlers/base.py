"""Shared pieces of the handlers: the handler type and the peer surface they rely on."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import msgspec

from chatshop.protocol import encode
from chatshop.protocol.bot_frames import Scope
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

    @property
    def scopes(self) -> frozenset[Scope] | None:
        """A bot session's scopes; None for a person's."""
        ...

    def start_session(
        self, user: User, session_id: int, since: int, scopes: frozenset[Scope] | None = None
    ) -> None: ...
    def end_session(self) -> None: ...


Handler = Callable[[Any, Any], Awaitable[Any]]
T = TypeVar("T", bound=msgspec.Struct)
Q = TypeVar("Q")

#: Every request type's handler, filled by ``handles`` as the handler modules are imported.
HANDLERS: dict[type[Request[Any]], Handler] = {}


OK = Ok()


def me(peer: PeerLike) -> int:
    """The authenticated user's id (the dispatcher guarantees there is one)."""
    assert peer.user is not None
    return peer.user.id


def request_hash(request: Request[Any]) -> str:
    """What an idempotency key is bound to: the request minus its id."""
    return hashlib.sha256(encode(msgspec.structs.replace(request, id=0))).hexdigest()


def handles(
    kind: type[Request[T]],
) -> Callable[[Callable[[PeerLike, Q], Awaitable[T]]], Callable[[PeerLike, Q], Awaitable[T]]]:
    """Register the handler of ``kind``; mypy checks it returns ``kind``'s result type
    (``Send`` is a ``Request[Message]``: its handler returns a ``Message``)."""

    def add(
        handler: Callable[[PeerLike, Q], Awaitable[T]],
    ) -> Callable[[PeerLike, Q], Awaitable[T]]:
        if kind in HANDLERS:
            raise RuntimeError(f"two handlers for {kind.__name__}")
        HANDLERS[kind] = handler
        return handler

    return add
