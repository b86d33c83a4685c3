"""``chatshop bot run MODULE:OBJECT``: run a bot defined in a Python module."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from chatshop.bot.runner import Bot
from chatshop.client import ClientError, RequestError

DEFAULT_SERVER = "ws://127.0.0.1:8765"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``chatshop bot run``."""
    parser.add_argument("target", metavar="MODULE:OBJECT", help="the Bot to run, e.g. mybot:bot")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="the relay's websocket URL")
    parser.add_argument(
        "--token-file",
        type=Path,
        metavar="PATH",
        help="a file holding the bot token (chatshop-server --bot-token, or bot_token_create)",
    )
    parser.add_argument(
        "--login",
        metavar="HANDLE",
        help="log in as HANDLE instead (a person account), password in $CHATSHOP_BOT_PASSWORD",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="PATH",
        help="where the bot keeps its cursor to resume from (default: next to the token file)",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")


def load_bot(target: str) -> Bot:
    """The ``Bot`` named by ``MODULE:OBJECT`` (an object, or a function that makes one)."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"{target!r} is not MODULE:OBJECT")
    found = getattr(importlib.import_module(module_name), attribute)
    bot = found() if callable(found) and not isinstance(found, Bot) else found
    if not isinstance(bot, Bot):
        raise ValueError(f"{target} is not a chatshop.bot.Bot")
    return bot


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    try:
        bot = load_bot(args.target)
    except (ImportError, AttributeError, ValueError) as exc:
        print(f"chatshop bot: {exc}", file=sys.stderr)
        return 2
    token = None
    login = None
    if args.token_file is not None:
        try:
            token = args.token_file.read_text().strip()
        except OSError as exc:
            print(f"chatshop bot: cannot read the token file: {exc}", file=sys.stderr)
            return 2
    elif args.login:
        password = os.environ.get("CHATSHOP_BOT_PASSWORD", "")
        if not password:
            print("chatshop bot: --login needs $CHATSHOP_BOT_PASSWORD", file=sys.stderr)
            return 2
        login = (args.login, password)
    else:
        print("chatshop bot: give --token-file (or --login)", file=sys.stderr)
        return 2
    state = args.state
    if state is None and args.token_file is not None:
        state = args.token_file.with_name(args.token_file.name + ".state")
    try:
        asyncio.run(
            _until_stopped(bot.run(args.server, token=token, login=login, state_path=state))
        )
    except RequestError as exc:
        print(f"chatshop bot: the relay refused: {exc}", file=sys.stderr)
        return 1
    except (ClientError, OSError) as exc:
        print(f"chatshop bot: {exc}", file=sys.stderr)
        return 1
    return 0


async def _until_stopped(running: Coroutine[Any, Any, None]) -> None:
    """Run the bot until it ends or SIGINT/SIGTERM asks it to stop (then exit cleanly: what
    it had not finished is handled again, once, when it next starts)."""
    task = asyncio.ensure_future(running)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chatshop bot", description="Run a chatshop bot (docs/bots.md)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_arguments(commands.add_parser("run", help="run a bot: chatshop bot run MODULE:OBJECT"))
    args = parser.parse_args(argv)
    return run(args)
