"""What every group of typed calls on a connection shares (``client.shop``,
``client.brands``, ``client.webhooks``, ``client.alerts``): the connection, and one request
whose answer is checked for the result type the caller expects."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from chatshop.client.connection import Connection
from chatshop.client.errors import InvalidReply
from chatshop.protocol.base import Request

S = TypeVar("S", bound=msgspec.Struct)


class Namespace:
    """Typed calls over one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    async def _ask(self, request: Request[Any], result: type[S]) -> S:
        reply = await self.connection.request(request)
        if not isinstance(reply, result):  # the relay answered another result type
            kind = type(request).__struct_config__.tag
            raise InvalidReply(f"{kind!r} answered {type(reply).__name__}")
        return reply
