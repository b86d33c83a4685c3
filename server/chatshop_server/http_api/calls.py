"""What every API call goes through before and after its endpoint: the bearer token, the
per-token rate limit, the body (bounded, decoded strictly), the ``Idempotency-Key``, and
errors as ``{"error": {"code", "message"}}``.

Order of the checks: token (401), rate limit (429), brand in the path (403), scope (403),
body size (413), idempotency (a stored answer, or 409), then the endpoint: malformed JSON
and wrong types (400), consent (403 ``not_opted_in``), unknown ids (404), the business rules.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.handles import bare
from chatshop.protocol.http_api import (
    MAX_BODY_BYTES,
    MAX_IDEMPOTENCY_KEY_CHARS,
    ApiError,
    ErrorDetail,
    status_of,
)
from chatshop_server.context import RelayContext
from chatshop_server.http_api.peer import ApiPeer, Caller
from chatshop_server.passwords import token_hash
from chatshop_server.ratelimit import TokenBucket
from chatshop_server.storage.api_optins import StoredAnswer

T = TypeVar("T", bound=msgspec.Struct)

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Answer:
    """An endpoint's answer: its status and JSON body."""

    status: int
    body: bytes

    def response(self, *, replayed: bool = False) -> Response:
        headers = {"Cache-Control": "no-store"}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(self.body, status_code=self.status, media_type=JSON, headers=headers)


def answer(struct: msgspec.Struct, status: HTTPStatus = HTTPStatus.OK) -> Answer:
    return Answer(int(status), msgspec.json.encode(struct))


def error_response(exc: ProtocolError) -> Response:
    """The error as JSON, with ``Retry-After`` for ``rate_limited`` and ``WWW-Authenticate``
    for ``unauthorized`` (RFC 6750)."""
    headers = {"Cache-Control": "no-store"}
    retry_after = None
    if exc.retry_after is not None:
        retry_after = max(1, math.ceil(exc.retry_after))  # whole seconds, never too early
        headers["Retry-After"] = str(retry_after)
    if exc.code is ErrorCode.UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Bearer realm="chatshop"'
    detail = ErrorDetail(code=exc.code, message=exc.message, retry_after=retry_after)
    return Response(
        msgspec.json.encode(ApiError(error=detail)),
        status_code=int(status_of(exc.code)),
        media_type=JSON,
        headers=headers,
    )


@dataclass(slots=True)
class Call:
    """One authenticated call, handed to its endpoint."""

    peer: ApiPeer
    caller: Caller
    request: Request
    raw: bytes
    key: str | None  # the Idempotency-Key, if any

    def decode(self, kind: type[T]) -> T:
        """The body as ``kind``: 400 ``bad_request`` for malformed JSON or wrong types."""
        try:
            return msgspec.json.decode(self.raw or b"null", type=kind)
        except msgspec.ValidationError as exc:
            raise ProtocolError(ErrorCode.BAD_REQUEST, f"body: {exc}") from None
        except msgspec.DecodeError as exc:
            raise ProtocolError(ErrorCode.BAD_REQUEST, f"body is not JSON: {exc}") from None

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def number(self, name: str, value: str | None, default: int | None = None) -> int | None:
        """A whole number from the path or the query (400 if it is not one)."""
        if value is None:
            return default
        if not value.isdigit() or len(value) > 15:
            raise ProtocolError(ErrorCode.BAD_REQUEST, f"{name} must be a whole number")
        return int(value)

    def child_key(self, suffix: str) -> str:
        """An idempotency key for one request this call makes: derived from the call's
        ``Idempotency-Key`` (so a retry after a crash does nothing twice), else fresh."""
        seed = self.key if self.key is not None else secrets.token_hex(16)
        digest = hashlib.sha256(f"{self.caller.brand.id}:{seed}".encode()).hexdigest()[:40]
        return f"api-{digest}:{suffix}"


@dataclass(slots=True)
class Calls:
    """Authentication, rate limits and idempotency, shared by every endpoint."""

    ctx: RelayContext
    rate: float
    burst: int
    _buckets: dict[int, TokenBucket] = field(default_factory=dict)
    _running: set[tuple[int, str]] = field(default_factory=set)

    def authenticate(self, request: Request) -> Caller:
        """The live bot token in ``Authorization: Bearer``; a person's session is refused."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ProtocolError(
                ErrorCode.UNAUTHORIZED, "send a brand bot token as Authorization: Bearer TOKEN"
            )
        info = self.ctx.stores.accounts.session_by_token(token_hash(token.strip()))
        if info is None:
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "this token is not valid (or revoked)")
        if info.scopes is None or info.user.kind != "brand":
            raise ProtocolError(
                ErrorCode.UNAUTHORIZED, "the API takes a brand's bot token, not a session's"
            )
        return Caller(brand=info.user, session_id=info.session_id, scopes=info.scopes)

    def throttle(self, caller: Caller) -> None:
        """``rate_limited`` (429 with ``Retry-After``) past the token's rate."""
        bucket = self._buckets.get(caller.session_id)
        if bucket is None:
            bucket = self._buckets[caller.session_id] = TokenBucket(self.rate, self.burst)
        wait = bucket.take()
        if wait:
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                f"more than {self.rate:g} requests per second with this token",
                retry_after=wait,
            )

    @staticmethod
    def check_brand(caller: Caller, request: Request) -> None:
        named = bare(str(request.path_params.get("brand", ""))).lower()
        if named != caller.brand.handle.lower():
            raise ProtocolError(
                ErrorCode.FORBIDDEN, f"this token acts for @{caller.brand.handle} only"
            )

    @staticmethod
    async def body(request: Request) -> bytes:
        """The body, refused with 413 once it is over ``MAX_BODY_BYTES`` (not read further)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ProtocolError(ErrorCode.TOO_LARGE, f"bodies hold at most {MAX_BODY_BYTES} bytes")
        parts: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ProtocolError(
                    ErrorCode.TOO_LARGE, f"bodies hold at most {MAX_BODY_BYTES} bytes"
                )
            parts.append(chunk)
        return b"".join(parts)

    @staticmethod
    def key_of(request: Request) -> str | None:
        key = request.headers.get("idempotency-key")
        if key is None:
            return None
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_CHARS or not key.isascii():
            raise ProtocolError(
                ErrorCode.BAD_REQUEST,
                f"Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY_CHARS} ASCII characters",
            )
        return key

    async def once(self, call: Call, run: Callable[[], Awaitable[Answer]]) -> Response:
        """Run a POST at most once per ``Idempotency-Key``: a retry gets the first success
        (its status and body); the key with another method, path or body is refused (409
        ``idempotency_mismatch``), as is a retry while the first is still running (409
        ``conflict``). Errors are not kept: a refused call may be retried with its key."""
        if call.key is None:
            return (await run()).response()
        brand_id, key = call.caller.brand.id, call.key
        request = call.request
        signed = f"{request.method} {request.url.path}\n".encode() + call.raw
        digest = hashlib.sha256(signed).hexdigest()
        stores = self.ctx.stores.api_optins
        stored = await stores.recall(brand_id, key, digest)
        if stored is not None:
            return Answer(stored.status, bytes(stored.body)).response(replayed=True)
        if (brand_id, key) in self._running:
            raise ProtocolError(
                ErrorCode.CONFLICT, "a request with this Idempotency-Key is still running"
            )
        self._running.add((brand_id, key))
        try:
            result = await run()
            if 200 <= result.status < 300:
                kept = StoredAnswer(status=result.status, body=msgspec.Raw(result.body))
                await stores.remember(brand_id, key, digest, kept)
        finally:
            self._running.discard((brand_id, key))
        return result.response()
