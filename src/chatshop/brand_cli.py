"""``chatshop brand ...``: brand staff tools over the relay's protocol.

``import FILE --brand HANDLE`` imports a catalogue; ``webhooks ...`` manages the brand's
webhook endpoints (``chatshop.brand_webhooks_cli``).

The session is the one the app stored for the relay (``--server``, else the most recent
relay in the settings) and handle (``--handle``, else the one remembered for that relay);
without a stored session, ``--handle`` and a password (asked for, or read from the
``CHATSHOP_PASSWORD`` environment variable) log in. ``webhooks`` also takes a brand bot token
(``--token-file``, a token with the ``webhooks`` scope). Exit status of ``import``: 0
imported (or checked with ``--dry-run`` without problems), 1 problems in the file (nothing
stored), 2 cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from chatshop.brand_import import format_report, import_catalog
from chatshop.brand_session import (
    CANNOT_RUN,
    Session,
    add_session_options,
    fail,
    resolve_session,
)
from chatshop.brand_webhooks_cli import add_parser as add_webhooks_parser
from chatshop.brand_webhooks_cli import run as run_webhooks
from chatshop.client import ChatClient, ClientError
from chatshop.tui.failure import failure_of


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``chatshop brand ...``: ``import`` and ``webhooks``."""
    brand = sub.add_parser(
        "brand",
        help="brand staff tools (catalogue import, webhooks)",
        description="Brand staff tools. Each verb talks to the relay with your stored session "
        "(--server, --handle; else a password from $CHATSHOP_PASSWORD or asked for).",
    )
    verbs = brand.add_subparsers(dest="brand_command", metavar="VERB", required=True)
    imp = verbs.add_parser(
        "import",
        help="import a catalogue (CSV or JSON) into a brand, all or nothing",
        description="Import FILE (CSV or JSON, pictures next to it) into the brand's "
        "catalogue. Every problem is listed by row; when there is one, nothing is stored. "
        "Exit status: 0 imported, 1 problems in the file, 2 cannot run.",
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--brand", required=True, metavar="HANDLE", help="the brand (@northwind)")
    add_session_options(imp)
    imp.add_argument("--dry-run", action="store_true", help="check everything, store nothing")
    add_webhooks_parser(verbs)


def run(args: argparse.Namespace) -> int:
    """Run ``chatshop brand VERB``; the exit status."""
    if args.brand_command == "webhooks":
        return run_webhooks(args)
    if not args.file.is_file():
        return fail(f"no such file: {args.file}")
    session = resolve_session(args)
    if isinstance(session, int):
        return session
    return asyncio.run(
        import_file(
            session.url,
            session.handle,
            args.brand,
            args.file,
            token=session.token,
            password=session.password,
            dry_run=args.dry_run,
        )
    )


async def import_file(
    url: str,
    handle: str,
    brand: str,
    path: Path,
    *,
    token: str | None = None,
    password: str = "",
    dry_run: bool = False,
) -> int:
    """Log in (or resume), import, print the report; the exit status."""
    client: ChatClient | None = None
    try:
        client = await Session(url, handle, token, password).open()
        report = await import_catalog(client, brand, path, dry_run=dry_run)
    except (ClientError, OSError, ValueError) as exc:
        reason = failure_of(exc).text
        print(f"chatshop: import failed: {reason}", file=sys.stderr)
        return CANNOT_RUN
    finally:
        if client is not None:
            await client.close()
    print(format_report(report))
    return 0 if report.imported or (dry_run and not report.errors) else 1
