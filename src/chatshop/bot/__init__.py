"""Bots for chatshop: asyncio clients that answer in threads, over the same websocket.

    from chatshop.bot import Bot, Turn

    bot = Bot("echo")

    @bot.on_message
    async def echo(turn: Turn) -> None:
        await turn.reply(f"You said: {turn.text}")

Run it with ``chatshop bot run mymodule:bot --server ws://... --token-file bot.token``; see
``docs/bots.md``. Never imports the TUI or the relay (checked by import-linter).
"""

from chatshop.bot.runner import Bot, BotStopped, Handler
from chatshop.bot.turn import BotSession, Turn

__all__ = ["Bot", "BotSession", "BotStopped", "Handler", "Turn"]
