"""The demo friends: ``alice`` and ``bob`` answer whoever writes to them, after a short pause.

Run by ``chatshop demo`` as a separate process (``python -m chatshop.demo_bot --server URL``);
it uses the client library like any other chatshop client. In a group only one of them
answers each message, in turn, and neither ever answers the other, so bots never loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import re
import sys

from chatshop.client import ChatClient, ClientError
from chatshop.protocol.cards import LuckyMoneyCard, RequestCard, SplitCard
from chatshop.protocol.frames import MessageEvent
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


class Bot:
    """One demo friend: a logged-in client that answers messages from people."""

    def __init__(
        self, url: str, handle: str, *, delay: tuple[float, float], rng: random.Random
    ) -> None:
        self.handle = handle
        self.client = ChatClient(url, client_name=f"chatshop-demo-bot/{handle}")
        self.delay = delay
        self.rng = rng
        self.threads: dict[int, Thread] = {}

    async def start(self) -> None:
        await self.client.connect()
        await self.client.login(self.handle, PASSWORD)

    async def thread(self, thread_id: int) -> Thread:
        if thread_id not in self.threads:
            self.threads[thread_id] = await self.client.thread(thread_id)
        return self.threads[thread_id]

    async def answer(self, message: Message, bot_ids: set[int]) -> None:
        thread = await self.thread(message.thread_id)
        present = sorted(m.id for m in thread.members if m.id in bot_ids)
        me = self.client.user
        if me is None or not present or present[message.seq % len(present)] != me.id:
            return  # in a group, the bots take turns
        await asyncio.sleep(self.rng.uniform(*self.delay) / 2)
        with contextlib.suppress(ClientError):
            await self.client.mark_read(message.thread_id, message.seq)
            await self.client.typing(message.thread_id)
        await asyncio.sleep(self.rng.uniform(*self.delay) / 2)
        text = reply_for(self.handle, message.text, self.rng)
        try:
            await self.client.send(
                message.thread_id, text, reply_to=(message.id if self.rng.random() < 0.25 else None)
            )
        except ClientError as exc:
            log.warning("%s could not answer: %s", self.handle, exc)

    async def settle(self, message: Message) -> None:
        """Pay what sam asks of this friend and open his red packets, as friends do."""
        me = self.client.user
        card = message.card
        if me is None or card is None:
            return
        await asyncio.sleep(self.rng.uniform(*self.delay))
        try:
            if isinstance(card, RequestCard) and card.payer_id == me.id and card.status == "open":
                await self.client.pay_request(card.request_id)
                await self.client.send(message.thread_id, "Paid, thanks for sorting it out!")
            elif isinstance(card, SplitCard):
                for share in card.shares:
                    if share.user_id == me.id and share.status == "open":
                        await self.client.pay_request(share.request_id)
                        await self.client.send(message.thread_id, "Paid my share 🍕")
            elif isinstance(card, LuckyMoneyCard) and card.status == "open":
                claim = await self.client.lucky_open(card.packet_id)
                await self.client.send(
                    message.thread_id,
                    f"Got {format_money(claim.amount, claim.currency)} 🧧 thanks!",
                )
        except ClientError as exc:
            log.warning("%s could not settle a card: %s", self.handle, exc)

    async def run(self, bot_ids: set[int]) -> None:
        async with asyncio.TaskGroup() as group:
            async for item in self.client.events():
                if isinstance(item, MessageEvent) and item.message.sender_id not in bot_ids:
                    if item.message.card is not None:
                        group.create_task(self.settle(item.message))
                        continue
                    if item.message.deleted or not item.message.text.strip():
                        continue
                    group.create_task(self.answer(item.message, bot_ids))


async def run_bots(
    url: str,
    *,
    delay: tuple[float, float] = (1.0, 2.5),
    seed: int | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Log alice and bob in on ``url`` and answer until cancelled.

    ``ready`` is set once both are logged in: from then on every event reaches them (the
    client queues what arrives before ``run`` starts reading).
    """
    rng = random.Random(seed)
    bots = [Bot(url, handle, delay=delay, rng=rng) for handle in BOTS]
    try:
        for bot in bots:
            await bot.start()
        if ready is not None:
            ready.set()
        bot_ids = {bot.client.user.id for bot in bots if bot.client.user is not None}
        async with asyncio.TaskGroup() as group:
            for bot in bots:
                group.create_task(bot.run(bot_ids))
    finally:
        for bot in bots:
            await bot.client.close()


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
