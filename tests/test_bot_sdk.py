"""Bots are clients: brand-scoped tokens, scopes on every request and every delivery, the
SDK's exactly-once answers across a kill and a restart, and the rate limit."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from chatshop.bot import Bot, BotStopped, Turn
from chatshop.protocol import frames
from chatshop.protocol.bot_frames import SCOPES
from chatshop.protocol.scopes import BOT_EVENTS, BOT_REQUESTS, PEOPLE_ONLY
from conftest import (
    SERVER_SCRIPT,
    RelayProcess,
    RunningRelay,
    new_key,
    raw_connect,
    send_text,
    wait_closed,
)
from payments_support import Person
from shop_support import Shop, coat, open_shop
from waiting import until

TESTS = Path(__file__).parent


def tag(kind: Any) -> str:
    name: str = kind.__struct_config__.tag
    return name


async def bot_token(shop: Shop, scopes: Sequence[str], name: str = "helper") -> dict[str, Any]:
    created: dict[str, Any] = await shop.staff.ok(
        "bot_token_create", brand=shop.handle, name=name, scopes=scopes
    )
    return created


async def as_bot(relay: RunningRelay, token: str) -> Person:
    """A raw connection authenticated with a bot token."""
    client = await raw_connect(relay.url)
    data = await client.ok("auth", token=token)
    client.token, client.user, client.cursor = token, data["user"], data["cursor"]
    return Person(client)


def test_every_request_type_is_decided_for_bots() -> None:
    """A new request cannot reach bots by accident: each type has a scope or is people-only,
    never both; every scope is used; every event kind a bot may get names a scope."""
    decided = set(BOT_REQUESTS) | PEOPLE_ONLY
    assert set(frames.REQUEST_TYPES) == decided
    assert not set(BOT_REQUESTS) & PEOPLE_ONLY
    assert set(SCOPES) <= set(BOT_REQUESTS.values())
    assert set(BOT_EVENTS.values()) <= set(SCOPES)


async def test_staff_create_list_and_revoke_bot_tokens_and_a_revoked_bot_is_cut_off(
    relay: RunningRelay,
) -> None:
    """The token opens a session of the brand account bound by its scopes; the customer
    cannot make one; revoking it closes the bot's connection with 4001 at once and the token
    opens nothing any more."""
    shop = await open_shop(relay)
    sam = await shop.customer("sam")
    await sam.refused(
        "forbidden", "bot_token_create", brand="northwind", name="mine", scopes=["read"]
    )
    created = await bot_token(shop, ["answer", "read"])
    assert created["bot"]["scopes"] == ["read", "answer"]
    assert created["bot"]["brand"]["handle"] == "northwind"
    assert created["bot"]["created_by"]["handle"] == "nora"
    bot = await as_bot(relay, created["token"])
    assert bot.id == shop.brand.id
    listed = await shop.staff.ok("bot_tokens", brand="northwind")
    assert [b["bot_id"] for b in listed["bots"]] == [created["bot"]["bot_id"]]
    await bot.refused("forbidden", "bot_token_create", brand="northwind", name="x", scopes=["read"])
    await shop.staff.ok("bot_token_revoke", brand="northwind", bot_id=created["bot"]["bot_id"])
    assert await wait_closed(bot.client) == 4001
    again = await raw_connect(relay.url)
    assert (await again.call("auth", token=created["token"]))["code"] == "unauthorized"
    await shop.staff.refused("not_found", "bot_token_revoke", brand="northwind", bot_id=99999)
    listed = await shop.staff.ok("bot_tokens", brand="northwind")
    assert listed["bots"][0]["revoked_at"] is not None


async def test_logout_all_of_the_brand_account_leaves_bot_tokens_alone(
    relay: RunningRelay,
) -> None:
    shop = await open_shop(relay)
    created = await bot_token(shop, ["read"])
    bot = await as_bot(relay, created["token"])
    await shop.brand.ok("logout_all")
    assert (await bot.call("ping"))["type"] == "result"


async def test_each_scope_is_needed_for_its_requests_and_no_scope_opens_a_person_s_requests(
    relay: RunningRelay,
) -> None:
    """For every scope, one of its requests is forbidden to a bot holding every other scope
    and served to a bot holding it; money and personal requests are forbidden to a bot with
    every scope."""
    shop = await open_shop(relay)
    await shop.save(coat())
    sam = await shop.customer("sam", money=50_000)
    thread = await shop.thread_with(sam)
    order = await shop.order_from(sam, items=[{"sku": "COAT-42L"}])
    order_id = order["order"]["id"]
    tries: dict[str, tuple[str, dict[str, Any]]] = {
        "read": ("history", {"thread_id": thread}),
        "answer": ("send", {"thread_id": thread, "text": "Hello from the bot", "key": new_key()}),
        "orders": ("order", {"order_id": order_id}),
        "catalog": ("promos", {"brand": "northwind"}),
        "posts": ("post_publish", {"brand": "northwind", "text": "New in", "key": new_key()}),
        "webhooks": ("webhooks", {"brand": "northwind"}),
        "invoices": (
            "invoice_send",
            {
                "brand": "northwind",
                "customer": "sam",
                "reference": "R-1",
                "lines": [{"label": "Alterations", "amount": 1500}],
                "currency": "EUR",
            },
        ),
    }
    lacking_tokens: dict[str, str] = {}
    for scope, (kind, fields) in tries.items():
        others = [s for s in SCOPES if s != scope]
        lacking_tokens[scope] = (await bot_token(shop, others, f"no-{scope}"))["token"]
        without = await as_bot(relay, lacking_tokens[scope])
        refused = await without.refused("forbidden", kind, **fields)
        assert f"lacks the {scope} scope" in refused["message"]
        with_it = await as_bot(relay, (await bot_token(shop, [scope], f"only-{scope}"))["token"])
        assert (await with_it.call(kind, **fields))["type"] == "result", scope
    everything = await as_bot(relay, (await bot_token(shop, list(SCOPES), "all"))["token"])
    for people_only in sorted(PEOPLE_ONLY - {frames.Login, frames.Register}, key=tag):
        example = {k: v for k, v in people_only.example.items() if k not in ("id", "type")}
        refused = await everything.call(tag(people_only), **example)
        assert refused.get("code") == "forbidden", refused
        assert refused["message"] == f"bots may not send {tag(people_only)}"
    for scoped, needed in BOT_REQUESTS.items():
        if needed == "any":
            continue
        lacking = await as_bot(relay, lacking_tokens[needed])
        example = {k: v for k, v in scoped.example.items() if k not in ("id", "type")}
        refused = await lacking.call(tag(scoped), **example)
        assert refused.get("code") == "forbidden", refused
        assert refused["message"].endswith(tag(scoped))
    assert await sam.balance() == 50_000 - order["order"]["total"]


async def test_a_bot_gets_only_the_events_its_scopes_cover(relay: RunningRelay) -> None:
    """An orders-only bot never sees a message but sees the order; a read bot sees the
    message but not the order event; neither ever sees a wallet event."""
    shop = await open_shop(relay)
    await shop.save(coat())
    sam = await shop.customer("sam", money=50_000)
    thread = await shop.thread_with(sam)
    orders_bot = await as_bot(relay, (await bot_token(shop, ["orders"], "orders"))["token"])
    read_bot = await as_bot(relay, (await bot_token(shop, ["read"], "reader"))["token"])
    await send_text(sam.client, thread, "Is the coat warm?")
    order = await shop.order_from(sam, items=[{"sku": "COAT-42L"}])
    await orders_bot.wait_event(lambda e: e["type"] == "order")
    await read_bot.wait_event(lambda e: e["type"] == "message" and e["message"]["text"])
    # The receipt card is a message too: by the time it reached the reader, so had the order
    # event, had it been delivered.
    receipt = order["message"]["id"]
    await read_bot.wait_event(lambda e: e["type"] == "message" and e["message"]["id"] == receipt)
    assert {e["type"] for e in orders_bot.events} == {"order"}
    assert "order" not in {e["type"] for e in read_bot.events}
    assert "wallet" not in {e["type"] for e in read_bot.events + orders_bot.events}


async def test_a_flooding_bot_meets_the_rate_limit(tmp_path: Path) -> None:
    running = RunningRelay(tmp_path / "flood.db", rate_per_second=20.0, rate_burst=10)
    await running.start()
    try:
        shop = await open_shop(running)
        bot = await as_bot(running, (await bot_token(shop, ["read"]))["token"])
        replies = await asyncio.gather(*(bot.call("ping") for _ in range(40)))
        limited = [r for r in replies if r.get("code") == "rate_limited"]
        assert len(limited) >= 20 and all(r["retry_after"] > 0 for r in limited)
    finally:
        await running.stop()


async def test_the_sdk_answers_and_a_revoked_token_stops_the_bot(relay: RunningRelay) -> None:
    shop = await open_shop(relay, assistant=False)
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    created = await bot_token(shop, ["read", "answer"], "echo")
    bot = Bot("echo")
    seen: list[str] = []

    @bot.on_message
    async def echo(turn: Turn) -> None:
        seen.append(turn.text)
        await turn.reply(f"echo: {turn.text}")

    ready = asyncio.Event()
    running = asyncio.create_task(bot.run(relay.url, token=created["token"], ready=ready))
    await asyncio.wait_for(ready.wait(), 10)
    await send_text(sam.client, thread, "hello bot")
    answer = await sam.wait_event(
        lambda e: e["type"] == "message" and e["message"]["text"] == "echo: hello bot"
    )
    assert answer["message"]["sender_id"] == shop.brand.id
    await shop.staff.ok("bot_token_revoke", brand="northwind", bot_id=created["bot"]["bot_id"])
    with pytest.raises(BotStopped):
        await asyncio.wait_for(running, 10)
    assert seen == ["hello bot"]


async def brand_answers(sam: Person, thread: int) -> list[str]:
    history = await sam.ok("history", thread_id=thread, limit=200)
    return [m["text"] for m in history["messages"] if m["sender_id"] != sam.id]


@pytest.mark.parametrize("stall", ["stall", "answer-then-stall"])
async def test_a_bot_killed_mid_conversation_answers_each_missed_message_exactly_once(
    tmp_path: Path, stall: str
) -> None:
    """``chatshop bot run`` as a real process, killed with SIGKILL while it handles a message
    (before answering, or after answering and before saving its cursor); two messages come
    while it is down; restarted, it answers each of them once and nothing twice."""
    relay = RelayProcess(tmp_path / "relay.db")
    await relay.start()
    try:
        url = relay.url
        shop = await _shop_over(url)
        sam = shop["sam"]
        thread = (await sam.ok("dm_open", handle="northwind"))["id"]
        token_file = tmp_path / "echo.token"
        created = await shop["northwind"].ok(
            "bot_token_create", brand="northwind", name="echo", scopes=["read", "answer"]
        )
        token_file.write_text(created["token"])
        mark = tmp_path / "stalled"
        first = await _bot_process(
            url, token_file, {"ECHO_STALL": "1", "ECHO_STALL_MARK": str(mark)}
        )
        try:
            await until(token_file.with_name("echo.token.state").exists)  # connected
            await send_text(sam.client, thread, "one")
            await sam.wait_event(
                lambda e: e["type"] == "message" and e["message"]["text"] == "echo: one"
            )
            await send_text(sam.client, thread, stall)
            await until(mark.exists)
            first.send_signal(signal.SIGKILL)
            await first.wait()
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        await send_text(sam.client, thread, "two")
        await send_text(sam.client, thread, "three")
        second = await _bot_process(url, token_file, {})
        try:
            await sam.wait_event(
                lambda e: e["type"] == "message" and e["message"]["text"] == "echo: three",
                timeout=15,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
        answers = [text for text in await brand_answers(sam, thread) if text.startswith("echo:")]
        assert answers == ["echo: one", f"echo: {stall}", "echo: two", "echo: three"]
    finally:
        await relay.kill()


async def _shop_over(url: str) -> dict[str, Person]:
    """northwind (a brand) and sam, on a relay in another process."""
    from conftest import raw_user

    client = await raw_connect(url)
    data = await client.ok(
        "register", handle="northwind", display_name="Northwind", password="pw-pw", kind="brand"
    )
    client.token, client.user = data["token"], data["user"]
    sam = Person(await raw_user(url, "sam"))
    return {"northwind": Person(client), "sam": sam}


async def _bot_process(
    url: str, token_file: Path, env: dict[str, str]
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatshop.bot",
        "run",
        "bots_for_tests:echo",
        "--server",
        url,
        "--token-file",
        str(token_file),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=token_file.with_name("bot.log").open("ab"),
        env={**os.environ, "PYTHONPATH": str(TESTS), **env},
    )


async def test_the_admin_creates_a_bot_token_and_revokes_it_while_the_relay_runs(
    tmp_path: Path,
) -> None:
    """``--bot-token`` writes a token file (mode 0600) the bot connects with; ``--revoke-bot``
    from another process closes the running relay's connection of that bot with 4001."""
    relay = RelayProcess(tmp_path / "relay.db")
    await relay.start()
    try:
        await _shop_over(relay.url)
        token_file = tmp_path / "assistant.token"
        created = await _admin(
            relay.db_path,
            "--bot-token",
            "northwind",
            "assistant",
            "--scopes",
            "read,answer,orders",
            "--token-file",
            str(token_file),
        )
        assert "(read answer orders)" in created
        assert token_file.stat().st_mode & 0o777 == 0o600
        bot = await as_bot_at(relay.url, token_file.read_text().strip())
        bot_id = created.split()[1]
        await _admin(relay.db_path, "--revoke-bot", "northwind", bot_id)
        assert await wait_closed(bot.client, timeout=10) == 4001
    finally:
        await relay.kill()


async def as_bot_at(url: str, token: str) -> Person:
    client = await raw_connect(url)
    data = await client.ok("auth", token=token)
    client.token, client.user = token, data["user"]
    return Person(client)


async def _admin(db: Path, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        str(SERVER_SCRIPT),
        "--db",
        str(db),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


def test_chatshop_bot_run_says_what_is_wrong_with_its_arguments(tmp_path: Path) -> None:
    from chatshop.bot.cli import load_bot, main

    assert main(["run", "nowhere_at_all:bot", "--token-file", str(tmp_path / "t")]) == 2
    assert main(["run", "bots_for_tests", "--token-file", str(tmp_path / "t")]) == 2
    assert main(["run", "bots_for_tests:echo", "--token-file", str(tmp_path / "missing")]) == 2
    assert main(["run", "bots_for_tests:echo"]) == 2
    assert main(["run", "bots_for_tests:echo", "--login", "alice"]) == 2  # no password
    assert load_bot("bots_for_tests:echo").name == "echo"
    with pytest.raises(ValueError):
        load_bot("bots_for_tests:os")
    token = tmp_path / "t"
    token.write_text("not-a-token")
    assert (
        main(
            [
                "run",
                "bots_for_tests:echo",
                "--token-file",
                str(token),
                "--server",
                "ws://127.0.0.1:9",
            ]
        )
        == 1
    )
