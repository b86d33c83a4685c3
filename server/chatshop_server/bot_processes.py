"""Bots the relay starts itself, for the one-command setup: each runs as its own process
(``python -m chatshop.bot run MODULE:OBJECT``) and connects over the websocket with a bot
token, exactly as a bot run anywhere else would; the relay only keeps it running.

A bot's token and its resume state are kept in ``<db>.bots/``, so a restarted relay gives
its bot the same token and the bot resumes from its cursor: messages that came while both
were down are answered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path

from chatshop_server.config import BotSpec
from chatshop_server.passwords import new_token, token_hash
from chatshop_server.storage.stores import Stores

log = logging.getLogger("chatshop.server.bots")

RESTART_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds before restarting a bot that exited
STOP_TIMEOUT = 5.0  # seconds a bot has to exit after SIGTERM before it is killed


class BotProcesses:
    """Start, keep running and stop the relay's own bots."""

    def __init__(self, specs: tuple[BotSpec, ...], stores: Stores, folder: Path) -> None:
        self._specs = specs
        self._stores = stores
        self._folder = folder
        self._tasks: list[asyncio.Task[None]] = []
        self._processes: dict[str, asyncio.subprocess.Process] = {}
        self._stopping = False

    async def start(self, url: str) -> None:
        if not self._specs:
            return
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for spec in self._specs:
            token_file = await self._token_file(spec)
            task = asyncio.create_task(self._keep_running(spec, token_file, url))
            self._tasks.append(task)

    async def _token_file(self, spec: BotSpec) -> Path:
        """The bot's token file: the token kept from an earlier run while it still opens a
        session, else a new one."""
        path = self._folder / f"{spec.brand}-{spec.name}.token"
        if path.exists():
            kept = path.read_text().strip()
            if kept and self._stores.accounts.session_by_token(token_hash(kept)) is not None:
                return path
        token = new_token()
        await self._stores.bots.create(
            None, spec.brand, spec.name, list(spec.scopes), token_hash(token)
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(token + "\n")
        return path

    async def _keep_running(self, spec: BotSpec, token_file: Path, url: str) -> None:
        attempt = 0
        while not self._stopping:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "chatshop.bot",
                "run",
                spec.target,
                "--server",
                url,
                "--token-file",
                str(token_file),
                "--log-level",
                "WARNING",
                stdin=asyncio.subprocess.DEVNULL,
            )
            self._processes[spec.name] = process
            log.info("started bot %s for @%s (pid %d)", spec.target, spec.brand, process.pid)
            code = await process.wait()
            if self._stopping:
                return
            delay = RESTART_BACKOFF[min(attempt, len(RESTART_BACKOFF) - 1)]
            attempt += 1
            log.warning("bot %s exited with %s; restarting in %gs", spec.target, code, delay)
            await asyncio.sleep(delay)

    async def stop(self) -> None:
        self._stopping = True
        for process in self._processes.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        for process in self._processes.values():
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
