"""The API's listener: a Starlette app served by uvicorn inside the relay's event loop.

``Relay.start`` starts it beside the websocket server when ``--api-port`` is given, and
``Relay.stop`` stops it first, so no API call runs against a closing database. It runs
uvicorn's ``startup``, ``main_loop`` and ``shutdown`` itself rather than ``serve``, which
would take over SIGINT and SIGTERM: the relay's CLI owns them.
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.http_api import ENDPOINTS, PREFIX, Endpoint
from chatshop_server.context import RelayContext
from chatshop_server.http_api.calls import Call, Calls, error_response
from chatshop_server.http_api.peer import ApiPeer
from chatshop_server.http_api.routes import ROUTES

log = logging.getLogger("chatshop.server.api")


def _endpoint(calls: Calls, spec: Endpoint) -> Route:
    """The Starlette route of one endpoint: the checks of ``calls``, then its coroutine."""
    run = ROUTES[spec.name]

    async def serve(request: Request) -> Response:
        try:
            caller = calls.authenticate(request)
            calls.throttle(caller)
            calls.check_brand(caller, request)
            address = request.client.host if request.client else ""
            peer = ApiPeer(calls.ctx, caller, address)
            peer.require(spec.scope, spec.name)
            raw = await calls.body(request) if spec.method == "POST" else b""
            key = calls.key_of(request) if spec.method == "POST" else None
            call = Call(peer=peer, caller=caller, request=request, raw=raw, key=key)
            return await calls.once(call, lambda: run(call))
        except ProtocolError as exc:
            return error_response(exc)
        except Exception:
            log.exception("API %s failed", spec.name)
            return error_response(ProtocolError(ErrorCode.INTERNAL, "internal error"))

    return Route(PREFIX + spec.path, serve, methods=[spec.method], name=spec.name)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in the API's error shape too."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return error_response(ProtocolError(ErrorCode.NOT_FOUND, f"no endpoint {request.url.path}"))
    if status == 405:
        refused = error_response(
            ProtocolError(ErrorCode.BAD_REQUEST, f"{request.method} is not allowed here")
        )
        refused.status_code = 405
        return refused
    return error_response(ProtocolError(ErrorCode.BAD_REQUEST, "bad request"))


def build_app(calls: Calls) -> Starlette:
    return Starlette(
        routes=[_endpoint(calls, spec) for spec in ENDPOINTS],
        exception_handlers={HTTPException: _http_error},
    )


class ApiServer:
    """The brand HTTP API on ``host:port`` (0 picks a free port)."""

    def __init__(self, ctx: RelayContext, host: str, port: int, *, rate: float, burst: int) -> None:
        self.calls = Calls(ctx=ctx, rate=rate, burst=burst)
        config = uvicorn.Config(
            build_app(self.calls),
            host=host,
            port=port,
            lifespan="off",
            ws="none",  # plain HTTP only: the relay has its own websocket server
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        port = self._server.servers[0].sockets[0].getsockname()[1]
        assert isinstance(port, int)
        return port

    async def start(self) -> None:
        """Listen now (a taken port fails here, not later)."""
        config = self._server.config
        config.load()
        self._server.lifespan = config.lifespan_class(config)
        await self._server.startup()
        if self._server.should_exit:
            raise OSError(f"the API could not listen on {config.host}:{config.port}")
        self._task = asyncio.create_task(self._server.main_loop(), name="http-api")

    async def stop(self) -> None:
        """Stop listening, let running calls finish (5 s at most), close."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
        await self._server.shutdown()
