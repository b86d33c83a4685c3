"""Relay settings, grouped as the ``chatshop-server`` options are."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chatshop.protocol import http_api, limits
from chatshop.protocol.bot_frames import Scope
from chatshop_server.clock import Clock, now_ms
from chatshop_server.rules.media import MediaQuota


@dataclass(frozen=True, slots=True)
class BotSpec:
    """A bot to run: ``target`` (``module:object``) for brand ``brand``."""

    brand: str
    target: str
    name: str = "assistant"
    scopes: tuple[Scope, ...] = ("read", "answer", "orders")

    @classmethod
    def parse(cls, text: str) -> BotSpec:
        """``BRAND=MODULE:OBJECT`` (the ``--run-bot`` option)."""
        brand, sep, target = text.partition("=")
        if not sep or not brand or ":" not in target:
            raise ValueError(f"{text!r} is not BRAND=MODULE:OBJECT")
        name = target.rpartition(":")[2][:40]
        return cls(brand=brand.lstrip("@"), target=target, name=name)


@dataclass(frozen=True, kw_only=True)
class RelayConfig:
    """Everything a relay needs to start; the CLI builds one from its options."""

    host: str = "127.0.0.1"
    port: int = 8765
    db_path: Path = field(default_factory=lambda: Path("chatshop.db"))
    # Limits
    max_frame_bytes: int = limits.MAX_FRAME_BYTES
    rate_per_second: float = limits.DEFAULT_RATE_PER_SECOND
    rate_burst: int = limits.DEFAULT_RATE_BURST
    max_in_flight: int = 128  # concurrent requests per connection before reading pauses
    max_outbox_events: int = 20_000  # a reader this far behind is closed; it resumes by cursor
    max_connections: int = 10_000  # open websockets in all (lowered to fit the fd limit)
    max_connections_per_address: int = limits.MAX_CONNECTIONS_PER_ADDRESS
    # Timeouts
    hello_timeout: float = limits.HELLO_TIMEOUT  # no hello by then: closed (1008)
    auth_timeout: float = limits.AUTH_TIMEOUT  # no session by then: closed (1008)
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    close_timeout: float = 5.0
    # Money
    default_currency: str = "EUR"
    max_transfer_major: int = 10_000  # per transfer, in major units of its currency
    lucky_expiry_seconds: float = 24 * 3600.0  # unclaimed red-packet money goes back then
    lucky_sweep_seconds: float = 30.0  # how often deadlines (red packets, orders) are looked at
    # Money enters only from a named funding source. The simulated card (``topup``) is for
    # demos: off unless asked for (``--demo-funding``, or ``--seed-demo``), and then
    # limited per top-up and per account per rolling 24 hours, in major units.
    demo_funding: bool = False
    demo_topup_max_major: int = 500
    demo_topup_daily_major: int = 2_000
    return_window_days: float = 14.0  # an order's money is held this long after delivery
    # Shopping
    media_dir: Path | None = None  # product images; default: "media" next to the database
    media_quota: MediaQuota = field(default_factory=MediaQuota)
    media_orphan_hours: float = 24.0  # an upload no product shows by then is deleted
    # Bots the relay starts as processes of their own (``--run-bot``); they connect like any
    # other bot, with tokens kept in ``<db>.bots/``
    bots: tuple[BotSpec, ...] = ()
    # Webhooks may POST to loopback and private addresses only when this is set (a relay and
    # its CRM on one private network; the tests): else a brand could probe the relay's LAN.
    webhook_private_targets: bool = False
    # The brand HTTP API (docs/http-api.md): its own listener on ``host``; None: off
    api_port: int | None = None
    api_rate_per_second: float = http_api.DEFAULT_RATE_PER_SECOND  # per bot token
    api_rate_burst: int = http_api.DEFAULT_RATE_BURST
    # Storage
    synchronous: str = "FULL"  # SQLite PRAGMA synchronous: FULL survives power loss too
    fast_passwords: bool = False  # cheaper argon2id parameters, for tests and benchmarks
    # What time it is, in ms since the epoch, for deadlines (red-packet expiry): tests move
    # it forward instead of waiting.
    clock: Clock = now_ms

    @property
    def media_path(self) -> Path:
        """Where uploaded images live: ``media_dir``, else a ``media`` folder by the db."""
        return self.media_dir if self.media_dir is not None else self.db_path.parent / "media"

    @property
    def bot_dir(self) -> Path:
        """Where the relay's own bots keep their tokens and resume state."""
        return self.db_path.parent / f"{self.db_path.name}.bots"
