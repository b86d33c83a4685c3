"""A real HTTP receiver for the webhook tests: the standard library's threaded HTTP server on
a loopback port, recording every POST, and told by the test to answer an error, to hang,
or to go away and come back."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One POST as the receiver got it."""

    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.body)
        return payload

    @property
    def event_id(self) -> str:
        return self.headers["chatshop-event-id"]


@dataclass
class Receiver:
    """``answer``: the status to give; ``hang``: while set, requests wait until it clears."""

    answer: int = 200
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    hanging: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def __post_init__(self) -> None:
        self.release.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self, port: int = 0) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.hanging += 1
                receiver.release.wait()
                with receiver._lock:
                    receiver.hanging -= 1
                    status = receiver.answer
                    if 200 <= status < 300:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        receiver.received.append(Received(headers, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        server = self._server
        threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self.release.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def of_kind(self, kind: str) -> list[Received]:
        return [r for r in self.received if r.payload["type"] == kind]


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The check a receiver makes (as docs/webhooks.md shows it)."""
    signed = headers["chatshop-timestamp"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    offered = [
        part.strip().removeprefix("v1=") for part in headers["chatshop-signature"].split(",")
    ]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Ask the relay ``check()`` until it says yes (state only a request shows, such as a
    delivery log); fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - no event announces a delivery's state
            await asyncio.sleep(0.05)
