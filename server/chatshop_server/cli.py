"""``chatshop-server``: run the relay, seed demo data, or administer a database."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import sys
from pathlib import Path

import platformdirs

from chatshop.protocol import http_api, limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import check_currency, format_money
from chatshop_server import admin, logsafety
from chatshop_server.app import Relay
from chatshop_server.config import BotSpec, RelayConfig
from chatshop_server.rules.media import MIB, MediaQuota


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("chatshop", appauthor=False)) / "relay.db"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatshop-server",
        description="Run the chatshop relay: a websocket server that stores accounts, threads "
        "and messages in SQLite and delivers them to chatshop clients.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="TCP port; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"SQLite database file (default: {default_db_path()})",
    )
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="fill an empty database with the demo cast and history, then serve",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="with --seed-demo: seed and exit without serving"
    )
    parser.add_argument(
        "--run-bot",
        action="append",
        default=[],
        metavar="BRAND=MODULE:OBJECT",
        help="start a bot for BRAND as a process of its own that connects like any bot "
        "(docs/bots.md), e.g. northwind=chatshop.assistant:assistant; may be repeated. "
        "--seed-demo implies northwind's assistant",
    )
    parser.add_argument(
        "--api-port",
        type=int,
        default=None,
        help="serve the brand HTTP API (docs/http-api.md) under /api/v1/ on this TCP port of "
        "--host; 0 picks a free one. Off unless given; --seed-demo turns it on at --port + 1 "
        "(when --port is not 0)",
    )
    parser.add_argument(
        "--api-rate-limit",
        type=float,
        default=http_api.DEFAULT_RATE_PER_SECOND,
        help="brand HTTP API calls per second per bot token, with bursts of "
        f"{http_api.DEFAULT_RATE_BURST}; more are answered 429 with Retry-After "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--webhook-private-targets",
        action="store_true",
        help="let webhooks POST to loopback and private addresses (a CRM on your own "
        "network); refused otherwise",
    )
    parser.add_argument(
        "--no-bots",
        action="store_true",
        help="with --seed-demo: do not start the demo brand's assistant",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=limits.DEFAULT_RATE_PER_SECOND,
        help="requests per second per connection, 0 for none (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-burst",
        type=int,
        default=limits.DEFAULT_RATE_BURST,
        help="requests a connection may send at once (default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=10_000,
        help="open websocket connections in all; lowered at start to leave 64 file "
        "descriptors of the process limit (ulimit -n) free, so /healthz and new logins keep "
        "working under a flood; more are answered 503 (default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections-per-address",
        type=int,
        default=limits.MAX_CONNECTIONS_PER_ADDRESS,
        help="open websocket connections from one IP address; more are answered 503 "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--hello-timeout",
        type=float,
        default=limits.HELLO_TIMEOUT,
        help="seconds a new connection has to send hello before it is closed with 1008 "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--auth-timeout",
        type=float,
        default=limits.AUTH_TIMEOUT,
        help="seconds a connection may stay without logging in before it is closed with 1008 "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--synchronous",
        choices=["FULL", "NORMAL"],
        default="FULL",
        help="SQLite durability: FULL survives power loss, NORMAL survives process crashes "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--currency",
        default="EUR",
        help="the relay's default currency, an ISO 4217 code (default: %(default)s)",
    )
    parser.add_argument(
        "--max-transfer",
        type=int,
        default=10_000,
        help="largest amount one transfer may move, in major units (default: %(default)s)",
    )
    parser.add_argument(
        "--lucky-expiry",
        type=float,
        default=24 * 3600.0,
        help="seconds after which unclaimed red-packet money returns (default: %(default)s)",
    )
    parser.add_argument(
        "--demo-funding",
        action="store_true",
        help="let accounts top up from a simulated card (the demo's money): at most "
        "--demo-topup-max per top-up and --demo-topup-daily per account per 24 hours. "
        "Implied by --seed-demo. Off otherwise: money then enters only through --credit",
    )
    parser.add_argument(
        "--demo-topup-max",
        type=int,
        default=500,
        help="with --demo-funding: largest top-up, in major units (default: %(default)s)",
    )
    parser.add_argument(
        "--demo-topup-daily",
        type=int,
        default=2_000,
        help="with --demo-funding: top-ups per account per 24 hours, in major units "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--return-window",
        type=float,
        default=14.0,
        help="days after delivery that an order's payment stays held for refunds before it "
        "reaches the brand's wallet (default: %(default)s)",
    )
    defaults = MediaQuota()
    parser.add_argument(
        "--media-account-daily-mb",
        type=int,
        default=defaults.account_bytes_per_day // MIB,
        help="MiB of new images one account may upload per 24 hours (and at most "
        f"{defaults.account_files_per_day} images) (default: %(default)s)",
    )
    parser.add_argument(
        "--media-brand-mb",
        type=int,
        default=defaults.brand_bytes // MIB,
        help=f"MiB of images one brand may store (and at most {defaults.brand_files} images) "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--media-total-mb",
        type=int,
        default=defaults.total_bytes // MIB,
        help="MiB of images the whole relay may store; uploads no product shows are deleted "
        "after 24 hours (default: %(default)s)",
    )
    parser.add_argument(
        "--check-ledger",
        action="store_true",
        help="admin: recompute every balance from the transfers, report any discrepancy "
        "and the money each funding source brought in, and exit (status 0 when the books "
        "balance, 1 otherwise)",
    )
    admin.add_arguments(parser)
    parser.add_argument(
        "--fast-passwords",
        action="store_true",
        help="cheaper argon2id parameters (tests and benchmarks only)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level (default: %(default)s)",
    )
    parser.add_argument(
        "--print-port",
        action="store_true",
        help="print the listening port on stdout once ready (for scripts using --port 0)",
    )
    return parser


DEMO_BOTS = ("northwind=chatshop.assistant:assistant",)


def config_from_args(args: argparse.Namespace) -> RelayConfig:
    wanted = list(args.run_bot)
    if args.seed_demo and not args.no_bots:
        wanted = [*DEMO_BOTS, *wanted]
    try:
        bots = tuple(BotSpec.parse(text) for text in dict.fromkeys(wanted))
    except ValueError as exc:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"--run-bot: {exc}") from None
    api_port = args.api_port
    if api_port is None and args.seed_demo and args.port:
        api_port = args.port + 1
    return RelayConfig(
        api_port=api_port,
        api_rate_per_second=args.api_rate_limit,
        bots=bots,
        webhook_private_targets=args.webhook_private_targets,
        host=args.host,
        port=args.port,
        db_path=args.db if args.db is not None else default_db_path(),
        rate_per_second=args.rate_limit,
        rate_burst=args.rate_burst,
        synchronous=args.synchronous,
        fast_passwords=args.fast_passwords,
        default_currency=check_currency(args.currency.upper()),
        max_transfer_major=args.max_transfer,
        lucky_expiry_seconds=args.lucky_expiry,
        demo_funding=args.demo_funding or args.seed_demo,
        max_connections=args.max_connections,
        max_connections_per_address=args.max_connections_per_address,
        hello_timeout=args.hello_timeout,
        auth_timeout=args.auth_timeout,
        demo_topup_max_major=args.demo_topup_max,
        demo_topup_daily_major=args.demo_topup_daily,
        return_window_days=args.return_window,
        media_quota=dataclasses.replace(
            MediaQuota(),
            account_bytes_per_day=args.media_account_daily_mb * MIB,
            brand_bytes=args.media_brand_mb * MIB,
            total_bytes=args.media_total_mb * MIB,
        ),
    )


async def check_ledger(config: RelayConfig) -> int:
    """Print what is wrong with the books (nothing when they balance)."""
    relay = Relay(config)
    await relay.stores.db.start()
    try:
        problems = await relay.stores.ledger.check_books()
        entered = await relay.stores.ledger.money_entered()
    finally:
        await relay.stores.db.close()
    for source, currency, amount, count in entered:
        print(f"money in from {source}: {format_money(amount, currency)} ({count} transfers)")
    if not entered:
        print("no money has entered the relay")
    for problem in problems:
        print(problem)
    print("the books balance" if not problems else f"{len(problems)} problem(s) found")
    return 0 if not problems else 1


async def run(config: RelayConfig, *, seed_demo: bool, seed_only: bool, print_port: bool) -> int:
    relay = Relay(config)
    if seed_demo:
        from chatshop_server.seed import seed_demo as seed

        await relay.stores.db.start()
        created = await seed(relay.stores, relay.context.passwords, relay.context.shop.media)
        await relay.stores.db.close()
        logging.getLogger("chatshop.server").info(
            "demo data %s", "seeded" if created else "already present; left unchanged"
        )
        if seed_only:
            return 0
        relay = Relay(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await relay.start()
    if print_port:
        print(relay.port, flush=True)
    await stop.wait()
    logging.getLogger("chatshop.server").info("signal received; shutting down")
    await relay.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The writer and reader threads hand the GIL back after at most 0.5 ms instead of the
    # default 5 ms, so the event loop never waits that long behind a database batch
    # (measured: W2's p99 round trip 4.3 ms with the default).
    sys.setswitchinterval(0.0005)
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logsafety.install(logging.getLogger().handlers)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        config = config_from_args(args)
    except ProtocolError as exc:
        print(f"chatshop-server: {exc.message}", file=sys.stderr)
        return 2
    if args.check_ledger:
        return asyncio.run(check_ledger(config))
    if admin.requested(args):
        return asyncio.run(admin.run(config, args))
    return asyncio.run(
        run(
            config,
            seed_demo=args.seed_demo,
            seed_only=args.seed_only,
            print_port=args.print_port,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
