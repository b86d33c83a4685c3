"""``chatshop brand webhooks add|list|remove|rotate-secret|deliveries|replay``: a brand's
webhook endpoints from the shell, over the same protocol requests the TUI uses
(``webhook_add`` ...), as staff (the stored session) or with a bot token (``--token-file``,
scope ``webhooks``).

Exit status: 0 done, 1 the relay refused the request (no such endpoint, not staff, a
private URL ...), 2 cannot run (options, no session, relay unreachable, login refused).
Text that came from the relay (URLs, receivers' errors) is cleaned before it is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import cast, get_args

from chatshop import safetext
from chatshop.brand_session import (
    CANNOT_RUN,
    Session,
    add_session_options,
    fail,
    resolve_session,
)
from chatshop.client import ChatClient, ClientError, RequestError
from chatshop.client.webhook_api import WebhookClient
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.webhook_frames import (
    WEBHOOK_KINDS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookKind,
    WebhookSecret,
)
from chatshop.tui.failure import failure_of

REFUSED = 1
DEFAULT_LIMIT = 20
_AGO = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
TIME_HELP = (
    "a time: ISO 8601 (2026-12-02T18:00Z; no offset means UTC), ms since the epoch, "
    "or an age such as 30m, 2h, 1d"
)
MAX_LIMIT = 200

Verb = Callable[[WebhookClient, argparse.Namespace], Awaitable[int]]


class UsageError(ValueError):
    """An option the command cannot use (told before anything is sent)."""


# --------------------------------------------------------------------------- parsing


def parse_kinds(text: str) -> list[WebhookKind]:
    """``order,message`` (or ``all``) -> the kinds; ``UsageError`` names an unknown one."""
    words = [w.strip().lower() for w in text.split(",") if w.strip()]
    if words == ["all"]:
        return list(WEBHOOK_KINDS)
    unknown = [w for w in words if w not in WEBHOOK_KINDS]
    if unknown or not words:
        raise UsageError(
            f"unknown event kind {unknown[0]!r}" if unknown else "name at least one event kind"
        )
    return [cast(WebhookKind, w) for w in dict.fromkeys(words)]


def parse_time(text: str, now_ms: int | None = None) -> int:
    """A time on the command line -> ms since the epoch (see ``TIME_HELP``)."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    value = text.strip()
    if value.isdigit():
        return int(value)
    ago = _AGO.match(value.lower())
    if ago is not None:
        return now - int(ago.group(1)) * _UNIT_SECONDS[ago.group(2)] * 1000
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(f"{text!r} is not a time ({TIME_HELP})") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _clean(text: str, width: int = 60) -> str:
    return safetext.clean_line(text, max_chars=width)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (the last one left ragged)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- output


def _state(endpoint: WebhookEndpoint) -> str:
    if endpoint.active:
        return "active"
    reason = f": {_clean(endpoint.disabled_reason, 40)}" if endpoint.disabled_reason else ""
    return f"disabled{reason}"


def format_endpoints(endpoints: Sequence[WebhookEndpoint]) -> str:
    """``list``: one line per endpoint."""
    if not endpoints:
        return "no webhooks (add one with: chatshop brand webhooks add URL --brand HANDLE)"
    rows = [
        [
            str(e.endpoint_id),
            ",".join(e.kinds),
            str(e.pending),
            str(e.dead),
            _state(e),
            _clean(e.url, 100),
        ]
        for e in endpoints
    ]
    return table(["ID", "EVENTS", "PENDING", "DEAD", "STATE", "URL"], rows)


def format_deliveries(deliveries: Sequence[WebhookDelivery]) -> str:
    """``deliveries``: the log, newest first."""
    if not deliveries:
        return "no deliveries yet"
    rows = []
    for d in deliveries:
        error = d.last_error or (f"HTTP {d.last_status}" if d.last_status else "")
        rows.append(
            [
                d.event_id,
                d.kind,
                d.status,
                str(d.attempts),
                "-" if d.latency_ms is None else f"{d.latency_ms} ms",
                _when(d.created_at),
                _clean(error) or "-",
            ]
        )
    return table(["EVENT", "KIND", "STATUS", "ATTEMPTS", "LATENCY", "CREATED", "LAST ERROR"], rows)


def format_secret(added: WebhookSecret, verb: str) -> str:
    """The secret, once, with what to do with it."""
    endpoint = added.endpoint
    lines = [
        f"webhook {endpoint.endpoint_id} {verb}: {_clean(endpoint.url, 100)}",
        f"events: {', '.join(endpoint.kinds)}",
        f"secret: {added.secret}",
        "Keep the secret now: it is not shown again (it signs Chatshop-Signature).",
    ]
    if added.previous_valid_until is not None:
        lines.append(
            f"The previous secret also signs deliveries until {_when(added.previous_valid_until)} "
            "(both verify meanwhile): switch the receiver over before then."
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- verbs


async def _add(hooks: WebhookClient, args: argparse.Namespace) -> int:
    added = await hooks.add(args.brand, args.url, parse_kinds(args.events))
    print(format_secret(added, "added"))
    return 0


async def _list(hooks: WebhookClient, args: argparse.Namespace) -> int:
    print(format_endpoints(await hooks.endpoints(args.brand)))
    return 0


async def _remove(hooks: WebhookClient, args: argparse.Namespace) -> int:
    await hooks.remove(args.brand, args.endpoint_id)
    print(f"webhook {args.endpoint_id} removed (its undelivered events are dropped)")
    return 0


async def _rotate(hooks: WebhookClient, args: argparse.Namespace) -> int:
    rotated = await hooks.rotate(args.brand, args.endpoint_id, args.overlap)
    print(format_secret(rotated, "has a new secret"))
    return 0


async def _deliveries(hooks: WebhookClient, args: argparse.Namespace) -> int:
    status = cast(DeliveryStatus | None, args.status)
    page = await hooks.deliveries(
        args.brand, args.endpoint_id, status=status, before=args.before, limit=args.limit
    )
    print(format_deliveries(page.deliveries))
    if page.more and page.deliveries:
        print(f"(older ones: --before {page.deliveries[-1].delivery_id})")
    return 0


def replay_window(args: argparse.Namespace) -> tuple[int | None, int | None]:
    """``replay``'s (since, until) in ms; ``UsageError`` for a wrong combination."""
    if args.event is not None and (args.since is not None or args.until is not None):
        raise UsageError("give --event, or --since (and --until), not both")
    if args.event is None and args.since is None:
        raise UsageError("give --event EVENT_ID, or --since TIME [--until TIME]")
    if args.until is not None and args.since is None:
        raise UsageError("--until goes with --since")
    since = None if args.since is None else parse_time(args.since)
    until = None if args.until is None else parse_time(args.until)
    if since is not None and until is not None and until < since:
        raise UsageError("--until is before --since")
    return since, until


def check(args: argparse.Namespace) -> None:
    """Refuse wrong options before connecting (``UsageError``)."""
    command = args.webhooks_command
    if command == "add":
        parse_kinds(args.events)
        if not args.url.startswith(("http://", "https://")):
            raise UsageError(f"{args.url!r} is not an http(s) URL")
    if command == "replay":
        replay_window(args)
    if command == "deliveries" and not 1 <= args.limit <= MAX_LIMIT:
        raise UsageError(f"--limit is 1 to {MAX_LIMIT}")
    if command == "rotate-secret" and not 0 <= args.overlap <= 168:
        raise UsageError("--overlap is 0 to 168 hours")


async def _replay(hooks: WebhookClient, args: argparse.Namespace) -> int:
    since, until = replay_window(args)
    queued = await hooks.replay(
        args.brand, args.endpoint_id, event_id=args.event, since=since, until=until
    )
    print(f"{queued} deliver{'y' if queued == 1 else 'ies'} queued again (same event ids)")
    return 0


VERBS: dict[str, Verb] = {
    "add": _add,
    "list": _list,
    "remove": _remove,
    "rotate-secret": _rotate,
    "deliveries": _deliveries,
    "replay": _replay,
}


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``chatshop brand webhooks VERB ...``."""
    hooks = verbs.add_parser(
        "webhooks",
        help="the brand's signed webhooks to its CRM (docs/webhooks.md)",
        description="Manage the brand's webhook endpoints: the relay POSTs the brand's "
        "events to them, signed (docs/webhooks.md). As staff (your stored session) or with "
        "a bot token of scope webhooks (--token-file). Exit status: 0 done, 1 the relay "
        "refused, 2 cannot run.",
    )
    sub = hooks.add_subparsers(dest="webhooks_command", metavar="VERB", required=True)

    def verb(name: str, help: str, description: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help, description=description)
        parser.add_argument(
            "--brand", required=True, metavar="HANDLE", help="the brand (@northwind)"
        )
        add_session_options(parser, token_file=True)
        return parser

    def endpoint(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("endpoint_id", type=int, metavar="ID", help="the endpoint (list)")

    add = verb(
        "add",
        "register an endpoint; prints its signing secret once",
        "Register URL (a public http(s) URL) for the events named by --events; the "
        "signing secret is printed once.",
    )
    add.add_argument("url", metavar="URL")
    add.add_argument(
        "--events",
        required=True,
        metavar="KINDS",
        help="comma-separated: " + ", ".join(WEBHOOK_KINDS) + " (or all)",
    )
    verb(
        "list",
        "the brand's endpoints and their backlog",
        "The brand's endpoints: id, events, deliveries pending and dead-lettered, state, URL.",
    )
    remove = verb(
        "remove",
        "stop delivering to an endpoint",
        "Remove endpoint ID; its undelivered events are dropped.",
    )
    endpoint(remove)
    rotate = verb(
        "rotate-secret",
        "give an endpoint a new secret (the old one keeps signing for a while)",
        "A new signing secret for endpoint ID, printed once; during the overlap each "
        "delivery carries a signature with each secret, so the receiver can switch over.",
    )
    endpoint(rotate)
    rotate.add_argument(
        "--overlap",
        type=int,
        default=24,
        metavar="HOURS",
        help="hours the old secret keeps signing (0 to 168; default %(default)s)",
    )
    deliveries = verb(
        "deliveries",
        "an endpoint's delivery log",
        "Endpoint ID's deliveries, newest first: event id, kind, status, attempts, "
        "latency of the last attempt, when queued, and the last error.",
    )
    endpoint(deliveries)
    deliveries.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N (1 to {MAX_LIMIT}; default %(default)s)",
    )
    deliveries.add_argument(
        "--before", type=int, metavar="DELIVERY_ID", help="only older deliveries (paging)"
    )
    deliveries.add_argument(
        "--status", choices=get_args(DeliveryStatus), help="only deliveries in this state"
    )
    replay = verb(
        "replay",
        "deliver again one event or a time range",
        "Deliver again, with the same event ids, one event (--event) or every event "
        "queued from --since to --until (default: now), whatever their state; a disabled "
        "endpoint is turned back on.",
    )
    endpoint(replay)
    replay.add_argument("--event", metavar="EVENT_ID", help="one event (evt_...)")
    replay.add_argument("--since", metavar="TIME", help=f"from {TIME_HELP}")
    replay.add_argument("--until", metavar="TIME", help="up to this time (default: now)")


def run(args: argparse.Namespace) -> int:
    """Run ``chatshop brand webhooks VERB``; the exit status."""
    session = resolve_session(args)
    if isinstance(session, int):
        return session
    return asyncio.run(execute(session, args))


async def execute(session: Session, args: argparse.Namespace) -> int:
    """Connect, run the verb, print its outcome; the exit status."""
    verb = VERBS[args.webhooks_command]
    try:
        check(args)
    except UsageError as exc:
        return fail(str(exc))
    try:
        client: ChatClient = await session.open()
    except (ClientError, OSError) as exc:
        return fail(f"cannot log in to {session.url}: {failure_of(exc).text}")
    try:
        return await verb(client.webhooks, args)
    except RequestError as exc:
        refused = isinstance(exc.code, ErrorCode)
        print(f"chatshop: {failure_of(exc).text}", file=sys.stderr)
        return REFUSED if refused else CANNOT_RUN
    except (ClientError, OSError) as exc:
        return fail(failure_of(exc).text)
    finally:
        await client.close()
