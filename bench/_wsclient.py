"""A minimal websocket client for the load generator: cheap per frame, callback driven.

The ``websockets`` client parses each frame with generator-based Python code and hands every
message through a queue to a coroutine; at 80,000 deliveries per second on a 2-core machine
that would make the load generator, not the relay, the bottleneck. This client is an
``asyncio.Protocol`` that speaks just what the benchmark needs (RFC 6455, no extensions, so
no compression): it parses the unmasked frames a server sends with ``struct`` straight out of
its receive buffer and calls ``on_text(payload)`` for every text message, inside
``data_received``, with no task switch. Client frames are masked as the RFC requires, with
the C ``apply_mask`` that ``websockets`` ships, so the relay does exactly the work a real
client costs it. Pings are answered, so idle connections outlive the relay's ping timeout.

For the few request/reply exchanges of a setup phase, ``call`` sends a JSON request and
awaits its reply (matched by ``id``) while ``on_text`` is left at its default.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import random
import struct
from collections.abc import Callable
from typing import Any

try:
    from websockets.speedups import apply_mask as _apply_mask
except ImportError:  # pragma: no cover - websockets always ships it on CPython/Linux
    from websockets.utils import apply_mask as _apply_mask

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_U16 = struct.Struct("!H")
_U64 = struct.Struct("!Q")

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class HandshakeError(Exception):
    """The server did not switch protocols."""


class WsClient(asyncio.Protocol):
    """One websocket connection. Build it with ``await WsClient.connect(host, port)``."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._key = base64.b64encode(os.urandom(16))
        self._transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._handshaken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A connection dropped during the handshake of a cancelled connect() is no news.
        self._handshaken.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._fragments: list[bytes] = []
        self._calls: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self._next_id = 0
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.on_text: Callable[[bytes], None] = self._on_reply
        self.frames_received = 0

    # ------------------------------------------------------------------ connecting

    @classmethod
    async def connect(cls, host: str, port: int, timeout: float = 30.0) -> WsClient:
        loop = asyncio.get_running_loop()
        client = cls(host, port)
        await loop.create_connection(lambda: client, host, port)
        await asyncio.wait_for(asyncio.shield(client._handshaken), timeout)
        return client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(
            b"GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
            b"User-Agent: chatshop-relay-bench\r\n\r\n"
            % (self._host.encode(), self._port, self._key)
        )

    def _finish_handshake(self) -> bool:
        end = self._buf.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self._buf[:end]).decode("latin-1")
        del self._buf[: end + 4]
        lines = head.split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            self._handshaken.set_exception(HandshakeError(lines[0]))
            return False
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        accept = base64.b64encode(hashlib.sha1(self._key + _GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            self._handshaken.set_exception(HandshakeError("bad Sec-WebSocket-Accept"))
            return False
        if "sec-websocket-extensions" in headers:
            self._handshaken.set_exception(HandshakeError("unexpected extension negotiated"))
            return False
        self._handshaken.set_result(None)
        return True

    # ------------------------------------------------------------------ receiving

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        if not self._handshaken.done() and not self._finish_handshake():
            return
        pos = 0
        size = len(buf)
        while size - pos >= 2:
            b0 = buf[pos]
            length = buf[pos + 1] & 0x7F  # server frames are never masked
            start = pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length = _U16.unpack_from(buf, start)[0]
                start += 2
            elif length == 127:
                if size - pos < 10:
                    break
                length = _U64.unpack_from(buf, start)[0]
                start += 8
            end = start + length
            if end > size:
                break
            payload = bytes(buf[start:end])
            pos = end
            opcode = b0 & 0x0F
            if opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                if not b0 & 0x80:  # a fragment: keep it until the final one
                    self._fragments.append(payload)
                    continue
                if self._fragments:
                    self._fragments.append(payload)
                    payload = b"".join(self._fragments)
                    self._fragments.clear()
                self.frames_received += 1
                self.on_text(payload)
            elif opcode == OP_PING:
                self._write_frame(OP_PONG, payload)
            elif opcode == OP_CLOSE:
                self._write_frame(OP_CLOSE, payload[:2])
                if self._transport is not None:
                    self._transport.close()
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._handshaken.done():
            self._handshaken.set_exception(exc or ConnectionError("closed during handshake"))
        if not self.closed.done():
            self.closed.set_result(None)
        for future in self._calls.values():
            if not future.done():
                future.set_exception(ConnectionError("connection closed"))
        self._calls.clear()

    # ------------------------------------------------------------------ sending

    def _write_frame(self, opcode: int, payload: bytes) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        length = len(payload)
        if length < 126:
            header = bytes((0x80 | opcode, 0x80 | length))
        elif length < 65536:
            header = bytes((0x80 | opcode, 0x80 | 126)) + _U16.pack(length)
        else:
            header = bytes((0x80 | opcode, 0x80 | 127)) + _U64.pack(length)
        mask = random.randbytes(4)
        transport.write(header + mask + _apply_mask(payload, mask))

    def send_text(self, payload: bytes) -> None:
        """Send one text message (UTF-8 bytes), masked."""
        self._write_frame(OP_TEXT, payload)

    def close(self) -> None:
        """Send a close frame (1000) and drop the connection."""
        self._write_frame(OP_CLOSE, _U16.pack(1000))
        if self._transport is not None:
            self._transport.close()

    # ------------------------------------------------------------------ setup calls

    def _on_reply(self, payload: bytes) -> None:
        frame = json.loads(payload)
        if frame.get("type") in ("result", "error"):
            future = self._calls.pop(frame.get("id"), None)
            if future is not None and not future.done():
                future.set_result(frame)

    async def call(self, frame: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
        """Send a request (an ``id`` is added) and return the ``data`` of its result."""
        self._next_id += 1
        rid = f"setup-{self._next_id}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._calls[rid] = future
        self.send_text(json.dumps({**frame, "id": rid}, separators=(",", ":")).encode())
        reply = await asyncio.wait_for(future, timeout)
        if reply.get("type") != "result":
            raise RuntimeError(f"{frame.get('type')} failed: {reply}")
        data = reply["data"]
        assert isinstance(data, dict)
        return data


async def open_session(host: str, port: int, token: str) -> WsClient:
    """Connect, say hello and authenticate with ``token``: an authenticated connection."""
    client = await WsClient.connect(host, port)
    await client.call({"type": "hello", "protocol": 1, "client": "relay-bench"})
    await client.call({"type": "auth", "token": token})
    return client
