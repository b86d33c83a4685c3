"""``chatshop brand import FILE --brand HANDLE``: a staff member imports a catalogue.

The session is the one the app stored for the relay (``--server``, else the most recent
relay in the settings) and handle (``--handle``, else the one remembered for that relay);
without a stored session, ``--handle`` and a password (asked for, or read from the
``CHATSHOP_PASSWORD`` environment variable) log in. Exit status: 0 imported (or checked with
``--dry-run`` without problems), 1 problems in the file (nothing stored), 2 cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from chatshop.brand_import import format_report, import_catalog
from chatshop.client import ChatClient, ClientError
from chatshop.config import ConfigError, load
from chatshop.credentials import TokenStore
from chatshop.protocol.handles import bare
from chatshop.tui.failure import failure_of

PASSWORD_ENV = "CHATSHOP_PASSWORD"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``chatshop brand ...`` and its ``import`` command."""
    brand = sub.add_parser("brand", help="brand staff tools (catalogue import)")
    verbs = brand.add_subparsers(dest="brand_command", metavar="VERB", required=True)
    imp = verbs.add_parser(
        "import",
        help="import a catalogue (CSV or JSON) into a brand, all or nothing",
        description="Import FILE (CSV or JSON, pictures next to it) into the brand's "
        "catalogue. Every problem is listed by row; when there is one, nothing is stored.",
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--brand", required=True, metavar="HANDLE", help="the brand (@northwind)")
    imp.add_argument("--server", metavar="URL", help="relay URL (default: the most recent)")
    imp.add_argument("--handle", metavar="HANDLE", help="your staff account")
    imp.add_argument("--dry-run", action="store_true", help="check everything, store nothing")


def run(args: argparse.Namespace) -> int:
    """Run ``chatshop brand import``; the exit status."""
    if not args.file.is_file():
        print(f"chatshop: no such file: {args.file}", file=sys.stderr)
        return 2
    try:
        config = load()
    except ConfigError as exc:
        print(f"chatshop: {exc}", file=sys.stderr)
        return 2
    url = args.server or (config.servers[0].url if config.servers else "")
    if not url.startswith(("ws://", "wss://")):
        print("chatshop: give the relay with --server ws://host:port", file=sys.stderr)
        return 2
    handle = bare(args.handle or config.handle_for(url))
    if not handle:
        print("chatshop: give your staff account with --handle", file=sys.stderr)
        return 2
    token = TokenStore().load(url, handle)
    password = ""
    if token is None:
        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"password for @{handle}: ")
    return asyncio.run(
        import_file(
            url, handle, args.brand, args.file, token=token, password=password, dry_run=args.dry_run
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
    client = ChatClient(url, token=token)
    try:
        await client.connect()
        if token is None:
            await client.login(handle, password)
        report = await import_catalog(client, brand, path, dry_run=dry_run)
    except (ClientError, OSError, ValueError) as exc:
        reason = failure_of(exc).text
        print(f"chatshop: import failed: {reason}", file=sys.stderr)
        return 2
    finally:
        await client.close()
    print(format_report(report))
    return 0 if report.imported or (dry_run and not report.errors) else 1
