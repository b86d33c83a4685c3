"""The relay: a websockets server with a health check, wired to storage and fan-out.

``Relay`` is what the CLI runs and what tests start in-process on port 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import resource
import time
from http import HTTPStatus

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

import chatshop
from chatshop_server.bot_processes import BotProcesses
from chatshop_server.broker import InProcessBroker
from chatshop_server.config import RelayConfig
from chatshop_server.context import RelayContext
from chatshop_server.events import Publication
from chatshop_server.funding import SimulatedCard
from chatshop_server.http_api.server import ApiServer
from chatshop_server.media import MediaStore, ShopServices
from chatshop_server.passwords import Passwords
from chatshop_server.peer import Peer
from chatshop_server.storage.database import StoreSettings
from chatshop_server.storage.stores import open_stores
from chatshop_server.throttle import LoginThrottle
from chatshop_server.webhooks import WebhookDispatcher

log = logging.getLogger("chatshop.server")


def _response(status: HTTPStatus, body: bytes, content_type: str) -> Response:
    headers = Headers(
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
    )
    return Response(status.value, status.phrase, headers, body)


#: File descriptors kept free of websocket connections: the listening socket, SQLite's
#: files, media reads, log files, and the spare ones that let /healthz and a new login be
#: answered while a flood holds every connection it may.
FD_RESERVE = 64


def connection_cap(wanted: int, log: logging.Logger) -> int:
    """How many connections the relay may hold: ``wanted``, within the process's fd limit
    (raised to its hard limit first) less ``FD_RESERVE``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    if soft == resource.RLIM_INFINITY:
        return wanted
    cap = max(1, min(wanted, soft - FD_RESERVE))
    if cap < wanted:
        log.warning("at most %d connections: the file descriptor limit is %d", cap, soft)
    return cap


def _busy(reason: str) -> Response:
    response = _response(
        HTTPStatus.SERVICE_UNAVAILABLE, f"{reason}; try again later\n".encode(), "text/plain"
    )
    response.headers["Retry-After"] = "5"
    return response


class Relay:
    """One relay process: storage, broker, and the websocket server."""

    def __init__(self, config: RelayConfig, *, logger: logging.Logger = log) -> None:
        self.config = config
        self.log = logger
        self.broker = InProcessBroker()
        self.stores = open_stores(
            config.db_path,
            self._publish,
            synchronous=config.synchronous,
            settings=StoreSettings(
                default_currency=config.default_currency,
                clock=config.clock,
                return_window_ms=int(config.return_window_days * 24 * 3600 * 1000),
            ),
        )
        self.context = RelayContext(
            stores=self.stores,
            broker=self.broker,
            passwords=Passwords(fast=config.fast_passwords),
            config=config,
            funding=SimulatedCard(),
            shop=ShopServices(media=MediaStore(config.media_path)),
            logins=LoginThrottle(clock=config.clock),
        )
        self.bots = BotProcesses(config.bots, self.stores, config.bot_dir)
        self.webhooks = WebhookDispatcher(
            self.stores, clock=config.clock, allow_private=config.webhook_private_targets
        )
        self.api: ApiServer | None = None
        if config.api_port is not None:
            self.api = ApiServer(
                self.context,
                config.host,
                config.api_port,
                rate=config.api_rate_per_second,
                burst=config.api_rate_burst,
            )
        self._server: Server | None = None
        self._connection_cap = config.max_connections
        self._started = time.monotonic()
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        assert isinstance(port, int)
        return port

    def _loopback_ok(self) -> bool:
        """Whether the relay's own bots can reach it on 127.0.0.1 (it listens there)."""
        return self.config.host in ("127.0.0.1", "0.0.0.0", "localhost", "")

    @property
    def url(self) -> str:
        return f"ws://{self.config.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Where the brand HTTP API listens (``http://host:port``); only when it is on."""
        assert self.api is not None
        return f"http://{self.config.host}:{self.api.port}"

    async def start(self) -> None:
        self._connection_cap = connection_cap(self.config.max_connections, self.log)
        await self.stores.db.start()
        self._server = await serve(
            self._handle,
            self.config.host,
            self.config.port,
            process_request=self._process_request,
            compression=None,  # measured: deflate costs CPU and ~64 KiB per connection
            max_size=self.config.max_frame_bytes,
            max_queue=16,
            ping_interval=self.config.ping_interval,
            ping_timeout=self.config.ping_timeout,
            close_timeout=self.config.close_timeout,
            server_header=f"chatshop-relay/{chatshop.__version__}",
            logger=logging.getLogger("chatshop.server.websockets"),
        )
        self._started = time.monotonic()
        self._sweeper = asyncio.create_task(self._sweep_deadlines(), name="deadline-sweeper")
        await self.webhooks.start()
        if self.api is not None:
            await self.api.start()
            self.log.info("brand HTTP API on %s/api/v1/", self.api_url)
        await self.bots.start(f"ws://127.0.0.1:{self.port}" if self._loopback_ok() else self.url)
        self.log.info("relay listening on %s (db %s)", self.url, self.config.db_path)

    async def stop(self) -> None:
        """Stop the relay's bots and the HTTP API, close every connection with 1001, finish
        queued writes, close the database."""
        await self.bots.stop()
        if self.api is not None:
            await self.api.stop()
        await self.webhooks.stop()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()
            self._server = None
        await self.stores.db.close()
        self.log.info("relay stopped")

    async def _sweep_deadlines(self) -> None:
        """Money that waits for a deadline moves once it has passed: unclaimed red-packet
        money back to senders, orders' held payments to brands after the return window."""
        while True:
            try:
                now = self.config.clock()
                returned = await self.stores.payments.expire_packets(now)
                if returned:
                    self.log.info("returned %d expired red packet(s)", returned)
                released = await self.stores.orders.release_due(now)
                if released:
                    self.log.info("released the payment of %d delivered order(s)", released)
                await self.stores.invoices.expire_due(now)
                orphaned = int(self.config.media_orphan_hours * 3600 * 1000)
                for path in await self.stores.uploads.forget_orphans(now - orphaned):
                    self.context.shop.media.remove(path)
            except Exception:
                self.log.exception("deadline sweep failed; will retry")
            await asyncio.sleep(self.config.lucky_sweep_seconds)

    def _publish(self, publication: Publication) -> None:
        """After each commit: fan the event out (or wake the webhook dispatcher)."""
        if publication.wake:
            self.webhooks.wake()
            return
        self.broker.publish(publication)

    async def _handle(self, ws: ServerConnection) -> None:
        await Peer(ws, self.context).serve()

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        if request.path.startswith("/media/") and "upgrade" not in request.headers:
            return await self.context.shop.media.response(request)
        if request.path.split("?", 1)[0] == "/healthz":
            body = json.dumps(
                {
                    "status": "ok",
                    "version": chatshop.__version__,
                    "uptime_seconds": round(time.monotonic() - self._started, 3),
                    "connected_clients": self.broker.connected(),
                    "open_connections": len(self._server.all_connections) if self._server else 0,
                    "login_failures": self.context.logins.failures,
                    "logins_throttled": self.context.logins.throttled,
                }
            ).encode()
            return _response(HTTPStatus.OK, body, "application/json")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            body = b"chatshop relay: connect with a websocket client (see docs/protocol.md)\n"
            status = HTTPStatus.UPGRADE_REQUIRED if request.path == "/" else HTTPStatus.NOT_FOUND
            return _response(status, body, "text/plain; charset=utf-8")
        return self._refuse_if_full(connection)

    def _refuse_if_full(self, connection: ServerConnection) -> Response | None:
        """503 when the relay holds as many connections as it may, in all or from this
        address; the socket is answered and closed at once, so the flood costs no memory."""
        assert self._server is not None
        # One task per TCP connection, this one and those still opening included: each
        # holds a file descriptor.
        if len(self._server.handler_tasks) > self._connection_cap:
            return _busy(f"the relay is full ({self._connection_cap} connections)")
        limit = self.config.max_connections_per_address
        established = self._server.all_connections
        if len(established) >= limit:
            address = connection.remote_address[0] if connection.remote_address else None
            same = sum(
                1
                for other in established
                if other.remote_address and other.remote_address[0] == address
            )
            if same >= limit:
                return _busy(f"at most {limit} connections from one address")
        return None
