"""docs/bots.md's complete example bot runs as written, against a real relay."""

from __future__ import annotations

import asyncio
import re
import types
from pathlib import Path

from chatshop.bot import Bot
from conftest import RunningRelay, new_key, send_text
from shop_support import ADDRESS, coat, open_shop

DOC = Path(__file__).parent.parent / "docs" / "bots.md"


def example_bot() -> Bot:
    text = DOC.read_text()
    found = re.search(r"<!-- example: stockbot.py.*?-->\n```python\n(.*?)```", text, re.S)
    assert found is not None, "the example is marked in docs/bots.md"
    module = types.ModuleType("stockbot")
    exec(compile(found.group(1), "docs/bots.md:stockbot.py", "exec"), module.__dict__)
    bot = module.bot
    assert isinstance(bot, Bot)
    assert len(found.group(1).strip().splitlines()) <= 36  # "a 30-line bot"
    return bot


async def test_the_example_bot_answers_from_stock_and_sells_with_one_key(
    relay: RunningRelay,
) -> None:
    shop = await open_shop(relay)
    await shop.save(coat())
    sam = await shop.customer("sam", money=50_000)
    await sam.ok("address_set", address=ADDRESS)
    thread = await shop.thread_with(sam)
    token = await shop.staff.ok(
        "bot_token_create", brand="northwind", name="stockbot", scopes=["read", "answer"]
    )
    bot = example_bot()
    ready = asyncio.Event()
    running = asyncio.create_task(bot.run(relay.url, token=token["token"], ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        question = await send_text(sam.client, thread, "do you have the coat?")
        answer = await sam.wait_event(
            lambda e: (
                e["type"] == "message"
                and e["message"]["id"] > question["id"]
                and e["message"]["sender_id"] == shop.brand.id
            )
        )
        message = answer["message"]
        assert message["text"] == "The Harbor sport coat comes in 40R, 42L, 44L. Buy now?"
        await sam.ok(
            "send", thread_id=thread, text="", reply_to=message["id"], pick=0, key=new_key()
        )
        card = await sam.wait_event(
            lambda e: (
                e["type"] == "message"
                and (e["message"].get("card") or {}).get("kind") == "checkout"
            )
        )
        paid = await sam.ok(
            "checkout", brand="northwind", card_message_id=card["message"]["id"], key=new_key()
        )
        assert paid["order"]["lines"][0]["sku"] == "COAT-40R"
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
