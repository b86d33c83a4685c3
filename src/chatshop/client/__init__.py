"""The asyncio client of a chatshop relay: requests, one event stream, self-healing link.

    async with ChatClient("ws://127.0.0.1:8765") as client:
        await client.login("sam", "demo")
        async for item in client.events():
            ...

Never imports the TUI or the server (checked by import-linter).
"""

from chatshop.client.api import ChatClient
from chatshop.client.errors import (
    ClientClosed,
    ClientError,
    ConnectionLost,
    InvalidReply,
    RequestError,
    RequestTimeout,
)
from chatshop.client.state import ConnectionState, StateChanged
from chatshop.client.stream import StreamItem

__all__ = [
    "ChatClient",
    "ClientClosed",
    "ClientError",
    "ConnectionLost",
    "ConnectionState",
    "InvalidReply",
    "RequestError",
    "RequestTimeout",
    "StateChanged",
    "StreamItem",
]
