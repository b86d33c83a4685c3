"""The demo friends: ``alice`` and ``bob`` answer whoever writes to them, after a short pause.

Run by ``chatshop demo`` as a separate process (``python -m chatshop.demo_bot --server URL``);
they are bots on the bot SDK (``chatshop.bot``), logged in as the people they play. In a
group only one of them answers each message, in turn, and neither ever answers the other, so
bots never loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import re
import sys

from chatshop.bot import Bot, BotSession, Turn
from chatshop.client import ClientError
from chatshop.protocol.cards import LuckyMoneyCard, RequestCard, SplitCard
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.money import format_money

log = logging.getLogger("chatshop.demo_bot")

BOTS = ("alice", "bob")
PASSWORD = "demo"

LINES: dict[str, dict[str, list[str]]] = {
    "alice": {
        "greeting": ["Hey Sam! 👋", "Hi! Good to hear from you."],
        "pizza": ["Count me in 🍕 — pepperoni for me!", "Pizza Friday is sacred. I'm there."],
        "question": ["Good question… let me check and get back to you.", "Hmm, I think so?"],
        "money": ["I can pay you back tonight.", "Let's split it, that's fair."],
        "other": ["Ha, totally.", "Sounds good to me!", "Nice! Tell me more.", "😄"],
    },
    "bob": {
        "greeting": ["Yo Sam!", "Hey hey."],
        "pizza": ["I'll bring the drinks 🥤", "Only if there's pineapple. Kidding. Mostly."],
        "question": ["No idea, ask Alice 😅", "Let me think about it."],
        "money": ["Send me the total and I'll transfer.", "I'm in for my share."],
        "other": ["👍", "On my way.", "Classic.", "Agreed!"],
    },
}

_TOPICS = (
    ("greeting", re.compile(r"\b(hi|hello|hey|yo|morning)\b", re.IGNORECASE)),
    ("pizza", re.compile(r"pizza|friday|dinner|food", re.IGNORECASE)),
    ("money", re.compile(r"€|\$|pay|split|money|cash", re.IGNORECASE)),
    ("question", re.compile(r"\?\s*$")),
)


def reply_for(handle: str, text: str, rng: random.Random) -> str:
    """A line or two in ``handle``'s voice, chosen from what the message is about."""
    for topic, pattern in _TOPICS:
        if pattern.search(text):
            return rng.choice(LINES[handle][topic])
    return rng.choice(LINES[handle]["other"])


def make_friend(
    handle: str, friends: set[int], *, delay: tuple[float, float], rng: random.Random
) -> Bot:
    """One demo friend on the bot SDK: answers people (taking turns with the other friend in
    a group), pays what it is asked and opens red packets. ``friends`` holds the ids of both
    friends, filled as they log in."""
    bot = Bot(handle)
    threads: dict[int, Thread] = {}

    @bot.on_start
    async def joined(session: BotSession) -> None:
        friends.add(session.me.id)

    @bot.on_message
    async def heard(turn: Turn) -> None:
        message = turn.message
        assert message is not None
        if message.sender_id in friends:
            return  # friends never answer each other, so they never loop
        if message.card is not None:
            await settle(turn, message)
        elif message.text.strip():
            await answer(turn, message)

    async def answer(turn: Turn, message: Message) -> None:
        client = turn.bot.client
        if message.thread_id not in threads:
            threads[message.thread_id] = await client.thread(message.thread_id)
        present = sorted(m.id for m in threads[message.thread_id].members if m.id in friends)
        if not present or present[message.seq % len(present)] != turn.bot.me.id:
            return  # in a group, the friends take turns
        await asyncio.sleep(rng.uniform(*delay) / 2)
        with contextlib.suppress(ClientError):
            await client.mark_read(message.thread_id, message.seq)
        await asyncio.sleep(rng.uniform(*delay) / 2)
        await turn.reply(reply_for(handle, message.text, rng), quote=rng.random() < 0.25)

    async def settle(turn: Turn, message: Message) -> None:
        """Pay what sam asks of this friend and open his red packets, as friends do."""
        client, me, card = turn.bot.client, turn.bot.me, message.card
        await asyncio.sleep(rng.uniform(*delay))
        try:
            if isinstance(card, RequestCard) and card.payer_id == me.id and card.status == "open":
                await client.pay_request(card.request_id)
                await turn.reply("Paid, thanks for sorting it out!")
            elif isinstance(card, SplitCard):
                for share in card.shares:
                    if share.user_id == me.id and share.status == "open":
                        await client.pay_request(share.request_id)
                        await turn.reply("Paid my share 🍕")
            elif isinstance(card, LuckyMoneyCard) and card.status == "open":
                claim = await client.lucky_open(card.packet_id)
                amount = format_money(claim.amount, claim.currency)
                await turn.reply(f"Got {amount} 🧧 thanks!")
        except ClientError as exc:
            log.warning("%s could not settle a card: %s", handle, exc)

    return bot


async def run_bots(
    url: str,
    *,
    delay: tuple[float, float] = (1.0, 2.5),
    seed: int | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Log alice and bob in on ``url`` and answer until cancelled.

    ``ready`` is set once both are logged in: from then on every event reaches them.
    """
    rng = random.Random(seed)
    friends: set[int] = set()
    started = [asyncio.Event() for _ in BOTS]
    bots = [make_friend(handle, friends, delay=delay, rng=rng) for handle in BOTS]
    async with asyncio.TaskGroup() as group:
        for bot, handle, event in zip(bots, BOTS, started, strict=True):
            group.create_task(bot.run(url, login=(handle, PASSWORD), ready=event))
        for event in started:
            await event.wait()
        if ready is not None:
            ready.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chatshop.demo_bot", description="The demo friends alice and bob."
    )
    parser.add_argument("--server", required=True, help="relay URL, e.g. ws://127.0.0.1:8765")
    parser.add_argument("--min-delay", type=float, default=1.0)
    parser.add_argument("--max-delay", type=float, default=2.5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_bots(args.server, delay=(args.min_delay, args.max_delay)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
