"""The webhook dispatcher: POSTs what the outbox holds, signed, and records what came of it.

It runs on the relay's event loop but never in a chat request's way: the HTTP calls are
asynchronous with a timeout, at most ``ENDPOINT_CONCURRENCY`` per endpoint, and one
thread's events wait for the one before them (order per thread). A failed attempt is tried
again after a growing, jittered delay; after ``RETRY_FOR`` the event is dead-lettered; a
receiver answering 410 disables its endpoint.

Signature: ``Chatshop-Signature: v1=<hex>`` where hex is HMAC-SHA256 over
``<Chatshop-Timestamp>.<body>`` with the endpoint's secret (during a secret's rotation, one
``v1=`` per valid secret, comma-separated); see ``docs/webhooks.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import random
import socket
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx

import chatshop
from chatshop.protocol.webhook_frames import (
    ATTEMPT_TIMEOUT,
    ENDPOINT_CONCURRENCY,
    RETRY_FIRST,
    RETRY_MAX,
)
from chatshop_server.clock import Clock
from chatshop_server.storage.stores import Stores
from chatshop_server.storage.webhooks import Due, Outcome

log = logging.getLogger("chatshop.server.webhooks")

POLL_SECONDS = 1.0  # how often due retries are looked for when nothing wakes the dispatcher
BATCH = 100  # deliveries looked at per round
CLAIM_MS = int((ATTEMPT_TIMEOUT + 20) * 1000)  # a claim outlives one attempt, then lapses
MAX_ERROR_CHARS = 300


def signature(secrets: tuple[str, ...], timestamp: int, body: bytes) -> str:
    """The ``Chatshop-Signature`` header for ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    return ", ".join(
        "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest() for secret in secrets
    )


def retry_delay(attempts: int, rng: random.Random) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: doubling from
    RETRY_FIRST up to RETRY_MAX, with 20 % jitter either way."""
    base: float = min(RETRY_FIRST * 2.0 ** max(attempts - 1, 0), RETRY_MAX)
    return base * rng.uniform(0.8, 1.2)


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private: bool) -> str | None:
    """Why ``url`` cannot be a webhook endpoint, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "a webhook URL is http:// or https:// with a host"
    if parts.username or parts.password:
        return "a webhook URL carries no credentials"
    if allow_private:
        return None
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        return "webhooks may not target this relay's own network"
    with contextlib.suppress(ValueError):
        if is_private(host):
            return "webhooks may not target private or loopback addresses"
    return None


class WebhookDispatcher:
    """Delivers the outbox (see the module docstring)."""

    def __init__(
        self,
        stores: Stores,
        *,
        clock: Clock,
        allow_private: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self._stores = stores
        self._clock = clock
        self._allow_private = allow_private
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._per_endpoint: Counter[int] = Counter()
        self._busy: set[int] = set()  # delivery ids being made
        self._client: httpx.AsyncClient | None = None
        self.delivered = 0

    async def start(self) -> None:
        """Free the claims a relay killed before us left, then deliver."""
        released = await self._stores.webhooks.release_claims()
        if released:
            log.info("redelivering %d webhook deliveries cut off by a stop", released)
        self._client = httpx.AsyncClient(
            timeout=ATTEMPT_TIMEOUT,
            follow_redirects=False,
            headers={"User-Agent": f"chatshop-relay/{chatshop.__version__}"},
        )
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    def wake(self) -> None:
        """Deliveries were queued: look now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel
            # that lands as the wake-up does, and stop() would wait on this loop for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self._round()
            except Exception:
                log.exception("webhook round failed; will retry")

    async def _round(self) -> None:
        now = self._clock()
        candidates = [
            due
            for due in await self._stores.webhooks.due(now, BATCH)
            if due.delivery_id not in self._busy
        ]
        # The outbox answers at most one delivery per endpoint and thread (the oldest
        # pending one), so one thread's events go out one after another, in order.
        chosen: list[Due] = []
        for due in candidates:
            if self._per_endpoint[due.endpoint_id] >= ENDPOINT_CONCURRENCY:
                continue
            chosen.append(due)
            self._per_endpoint[due.endpoint_id] += 1
        if not chosen:
            return
        claimed = set(
            await self._stores.webhooks.claim([d.delivery_id for d in chosen], now, now + CLAIM_MS)
        )
        for due in chosen:
            if due.delivery_id not in claimed:
                self._per_endpoint[due.endpoint_id] -= 1
                continue
            self._busy.add(due.delivery_id)
            task = asyncio.create_task(self._deliver(due))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, due: Due) -> None:
        try:
            outcome = await self._attempt(due)
            await self._stores.webhooks.record([outcome])
            if outcome.error is None:
                self.delivered += 1
        except Exception:
            log.exception("recording webhook delivery %s failed", due.delivery_id)
        finally:
            self._busy.discard(due.delivery_id)
            self._per_endpoint[due.endpoint_id] -= 1
            self._wake.set()  # the next event of its thread may go now

    async def _attempt(self, due: Due) -> Outcome:
        assert self._client is not None
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        disable = False
        try:
            refused = await self._refused_target(due.url)
            if refused:
                error = refused
            else:
                timestamp = int(self._clock() / 1000)
                response = await self._client.post(
                    due.url,
                    content=due.body,
                    headers={
                        "Content-Type": "application/json",
                        "Chatshop-Event-Id": due.event_id,
                        "Chatshop-Timestamp": str(timestamp),
                        "Chatshop-Signature": signature(due.secrets, timestamp, due.body),
                    },
                )
                status = response.status_code
                if 200 <= status < 300:
                    error = None
                else:
                    error = f"the receiver answered {status}"
                    disable = status == 410
        except httpx.TimeoutException:
            error = f"no answer within {ATTEMPT_TIMEOUT:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        now = self._clock()
        latency = int((time.monotonic() - started) * 1000)
        retry_at = None
        if error is not None and not disable:
            when = now + int(retry_delay(due.attempts + 1, self._rng) * 1000)
            retry_at = when if when <= due.give_up_at else None
        return Outcome(
            delivery_id=due.delivery_id,
            endpoint_id=due.endpoint_id,
            at=now,
            latency_ms=latency,
            status=status,
            error=error,
            retry_at=retry_at,
            disable=disable,
        )

    async def _refused_target(self, url: str) -> str | None:
        """Refuse, at delivery time too, a host that now resolves to a private address."""
        if self._allow_private:
            return None
        host = urlsplit(url).hostname or ""
        try:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"[:MAX_ERROR_CHARS]
        if any(is_private(str(info[4][0])) for info in infos):
            return f"{host} resolves to a private address; not delivered"
        return None
