"""The staff session ``chatshop brand`` commands run with: the session the app stored for
the relay, a password login, or a brand bot token (``--token-file``). Shared by
``chatshop.brand_cli`` and ``chatshop.brand_webhooks_cli``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from chatshop.client import ChatClient
from chatshop.config import ConfigError, load
from chatshop.credentials import TokenStore
from chatshop.protocol.handles import bare

PASSWORD_ENV = "CHATSHOP_PASSWORD"
CANNOT_RUN = 2


@dataclass(frozen=True, slots=True)
class Session:
    """How to reach the relay as whom: a stored or bot ``token``, else ``handle`` and
    ``password`` to log in with."""

    url: str
    handle: str = ""
    token: str | None = None
    password: str = ""

    async def open(self) -> ChatClient:
        """A connected, authenticated client (the caller closes it)."""
        client = ChatClient(self.url, token=self.token)
        try:
            await client.connect()
            if self.token is None:
                await client.login(self.handle, self.password)
        except BaseException:
            await client.close()
            raise
        return client


def add_session_options(parser: argparse.ArgumentParser, *, token_file: bool = False) -> None:
    """``--server`` and ``--handle`` (and ``--token-file`` where a bot token will do)."""
    parser.add_argument("--server", metavar="URL", help="relay URL (default: the most recent)")
    parser.add_argument("--handle", metavar="HANDLE", help="your staff account")
    if token_file:
        parser.add_argument(
            "--token-file",
            type=Path,
            metavar="PATH",
            help="act with a brand bot token (scope webhooks) read from PATH, not as staff",
        )


def fail(message: str) -> int:
    """Print ``chatshop: message`` on stderr; the exit status for 'cannot run'."""
    print(f"chatshop: {message}", file=sys.stderr)
    return CANNOT_RUN


def resolve_session(args: argparse.Namespace) -> Session | int:
    """The session the options name, or an exit status after saying what is missing."""
    try:
        config = load()
    except ConfigError as exc:
        return fail(str(exc))
    url = args.server or (config.servers[0].url if config.servers else "")
    if not url.startswith(("ws://", "wss://")):
        return fail("give the relay with --server ws://host:port")
    token_file: Path | None = getattr(args, "token_file", None)
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            return fail(f"cannot read the token file: {exc.strerror or exc}")
        if not token:
            return fail(f"the token file {token_file} is empty")
        return Session(url, token=token)
    handle = bare(args.handle or config.handle_for(url))
    if not handle:
        return fail("give your staff account with --handle (or a bot token with --token-file)")
    stored = TokenStore().load(url, handle)
    if stored is not None:
        return Session(url, handle, token=stored)
    password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"password for @{handle}: ")
    return Session(url, handle, password=password)
