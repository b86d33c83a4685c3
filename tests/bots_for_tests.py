"""Bots the tests run as real processes (``python -m chatshop.bot run bots_for_tests:echo``).

``echo`` answers every message with ``echo: <text>``. A message ``stall`` makes it touch the
file named by ``$ECHO_STALL_MARK`` and hang before answering; ``answer-then-stall`` makes
it answer first, then touch the file and hang: the test kills the process there, in the
middle of handling an event, before its cursor could be saved.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from chatshop.bot import Bot, Turn

echo = Bot("echo", typing=False)


def _mark() -> None:
    Path(os.environ["ECHO_STALL_MARK"]).touch()


@echo.on_message
async def answer(turn: Turn) -> None:
    stall = os.environ.get("ECHO_STALL") == "1"
    if turn.text == "stall" and stall:
        _mark()
        await asyncio.Event().wait()
    await turn.reply(f"echo: {turn.text}")
    if turn.text == "answer-then-stall" and stall:
        _mark()
        await asyncio.Event().wait()
