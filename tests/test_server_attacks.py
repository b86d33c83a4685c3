"""Attacks an outsider made on the relay from docs/protocol.md alone, each refused.

Every test here failed against the relay before its fix: a real relay, real websocket
clients, nothing of ours mocked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chatshop_server.config import RelayConfig
from chatshop_server.rules.media import MediaQuota
from conftest import (
    SERVER_SCRIPT,
    ManualClock,
    RelayProcess,
    RunningRelay,
    fresh_db,
    marker,
    new_key,
    raw_connect,
    raw_user,
    wait_closed,
)
from payments_support import Person, assert_books
from shop_support import Shop, coat, media_frames, open_shop, picture, tiny_png


async def test_logout_closes_every_connection_of_the_session(relay: RunningRelay) -> None:
    """A second connection authenticated with the same token is closed with 4001 when the
    first logs out: it can neither send nor pay, and receives nothing more."""
    sam = await raw_user(relay.url, "sam")
    bob = await raw_user(relay.url, "bob")
    thread = await sam.ok("dm_open", handle="bob")
    twin = await raw_connect(relay.url)
    await twin.ok("auth", token=sam.token)
    await sam.ok("logout")
    assert await wait_closed(twin) == 4001
    assert (await sam.call("send", thread_id=thread["id"], text="x", key="k1"))[
        "code"
    ] == "unauthorized"
    await bob.ok("send", thread_id=thread["id"], text="still here", key="k2")
    again = await raw_connect(relay.url)
    assert (await again.call("auth", token=sam.token))["code"] == "unauthorized"


async def admin(relay: RunningRelay, *args: str) -> str:
    """Run a ``chatshop-server`` admin command on the running relay's database, as an admin
    would from another terminal; its standard output."""
    process = await asyncio.create_subprocess_exec(
        str(SERVER_SCRIPT),
        "--db",
        str(relay.db_path),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_staff_removed_by_the_admin_lose_the_threads_they_took(
    relay: RunningRelay,
) -> None:
    """nora takes sam's brand thread; the admin removes her from the brand's staff from
    another process: at once she reads no history, gets no live message and cannot post
    there, and sam's thread waits for a person."""
    shop = await open_shop(relay)
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    await shop.staff.ok("thread_take", thread_id=thread)
    await shop.staff.ok("history", thread_id=thread)
    await admin(relay, "--remove-staff", "northwind", "nora")
    removed = await shop.staff.wait_event(
        lambda e: e["type"] == "member" and e["change"] == "removed" and e["thread_id"] == thread
    )
    assert removed["user"]["handle"] == "nora"
    waiting = await sam.wait_event(
        lambda e: e["type"] == "handover" and e["handover"]["mode"] == "waiting"
    )
    assert waiting["handover"]["thread_id"] == thread
    await shop.staff.refused("not_found", "history", thread_id=thread)
    await shop.staff.refused("not_found", "send", thread_id=thread, text="hi", key=new_key())
    await shop.staff.refused("forbidden", "thread_take", thread_id=thread)
    mark = len(shop.staff.events)
    await sam.ok("send", thread_id=thread, text="hello? anyone?", key=new_key())
    direct = (await sam.ok("dm_open", handle="nora"))["id"]
    await marker(sam.client, direct, shop.staff.client, "later")
    assert not [e for e in shop.staff.events[mark:] if e.get("thread_id") == thread]


@pytest.fixture
async def plain_relay(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay as an admin runs it: no demo funding."""
    running = RunningRelay(fresh_db(schema_template, tmp_path / "plain.db"), demo_funding=False)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_no_money_is_minted_without_demo_funding(plain_relay: RunningRelay) -> None:
    """On a relay not started for the demo every top-up is refused, in any currency; money
    enters only when the admin credits a wallet from a named source, which --check-ledger
    reports."""
    sam = await raw_user(plain_relay.url, "sam")
    for currency in ("EUR", "USD", "JPY"):
        refused = await sam.call("topup", amount=1_000_000, currency=currency, key=new_key())
        assert refused["code"] == "funding_unavailable", refused
    assert (await sam.ok("wallet"))["balances"] == []
    printed = await admin(
        plain_relay, "--credit", "sam", "25.50", "EUR", "--source", "bank-transfer"
    )
    assert "credited @sam EUR 25.50 from bank-transfer" in printed
    credited = await sam.wait_event(lambda e: e["type"] == "wallet")
    assert credited["transfer"]["kind"] == "credit" and credited["balance"]["amount"] == 2550
    report = await admin(plain_relay, "--check-ledger")
    assert "money in from bank-transfer: EUR 25.50 (1 transfers)" in report
    assert "the books balance" in report


async def test_demo_top_ups_have_limits_per_top_up_and_per_day(tmp_path: Path) -> None:
    """With demo funding (and its documented default limits) a top-up moves at most EUR 500
    and an account takes at most EUR 2,000 a day, counted atomically across concurrent
    top-ups."""
    defaults = RelayConfig()
    running = RunningRelay(
        tmp_path / "demo.db",
        demo_topup_max_major=defaults.demo_topup_max_major,
        demo_topup_daily_major=defaults.demo_topup_daily_major,
    )
    await running.start()
    try:
        await _top_ups_within_limits(running)
    finally:
        await running.stop()


async def _top_ups_within_limits(relay: RunningRelay) -> None:
    sam = await raw_user(relay.url, "sam")
    too_big = await sam.call("topup", amount=50_001, currency="EUR", key=new_key())
    assert too_big["code"] == "limit_exceeded"
    person = Person(sam)
    replies = await asyncio.gather(
        *(person.call("topup", amount=50_000, currency="EUR", key=new_key()) for _ in range(8))
    )
    assert sorted(r["type"] for r in replies) == ["error"] * 4 + ["result"] * 4
    assert all(r["code"] == "limit_exceeded" for r in replies if r["type"] == "error")
    assert await person.balance() == 200_000


async def test_a_brand_cannot_block_refunds_by_emptying_its_wallet(tmp_path: Path) -> None:
    """A customer's payment waits in the brand's escrow: the brand paying its whole wallet
    away does not stop the customer's cancellation or the staff's refund. Once delivered and
    past the return window the money reaches the brand's wallet, and the books balance."""
    clock = ManualClock()
    running = RunningRelay(tmp_path / "escrow.db", clock=clock, lucky_sweep_seconds=0.05)
    await running.start()
    try:
        shop = await open_shop(running)
        await shop.save(coat())
        sam = await shop.customer("sam", money=100_000)
        mallory = await shop.customer("mallory")
        await shop.brand.topup(5_000)  # the brand's own money, which it then pays away
        first = (await shop.order_from(sam, items=[{"sku": "COAT-42L"}]))["order"]
        second = (await shop.order_from(sam, items=[{"sku": "COAT-40R"}]))["order"]
        assert await shop.brand.held() == first["total"] + second["total"]
        everything = await shop.brand.balance()
        direct = (await shop.brand.ok("dm_open", handle="mallory"))["id"]
        await shop.brand.ok(
            "pay", thread_id=direct, to="mallory", amount=everything, currency="EUR", key=new_key()
        )
        assert await shop.brand.balance() == 0
        await sam.ok("order_cancel", order_id=first["id"], reason="changed my mind")
        await shop.staff.ok("order_refund", order_id=second["id"], reason="damaged")
        assert await sam.balance() == 100_000
        assert await shop.brand.held() == 0
        third = (await shop.order_from(sam, items=[{"sku": "COAT-44L"}]))["order"]
        for status, extra in (
            ("confirmed", {}),
            ("preparing", {}),
            ("shipped", {"carrier": "DHL", "tracking": "JD1"}),
            ("delivered", {}),
        ):
            await shop.staff.ok("order_advance", order_id=third["id"], status=status, **extra)
        assert await shop.brand.held() == third["total"]
        clock.advance(15 * 24 * 3600)  # past the 14-day return window
        released = await shop.brand.wait_event(
            lambda e: e["type"] == "wallet" and e["transfer"]["kind"] == "release"
        )
        assert released["balance"]["amount"] == third["total"]
        assert await shop.brand.held() == 0
        assert await mallory.balance() == everything
        await assert_books(running)
    finally:
        await running.stop()


async def test_frames_nested_too_deep_are_refused_and_the_connection_stays(
    relay: RunningRelay,
) -> None:
    """'[' * 1000 + ']' * 1000 is bad_request (it used to close the connection with 1011 and
    log a RecursionError); the connection keeps working."""
    sam = await raw_user(relay.url, "sam")
    await sam.send_raw("[" * 1000 + "]" * 1000)
    reply = await sam.recv_frame()
    assert reply["type"] == "error" and reply["code"] == "bad_request"
    assert "deeper than 32" in reply["message"]
    await sam.send_raw('{"type":"ping","id":9,"x":' + "[" * 5000 + "]" * 5000 + "}")
    assert (await sam.reply_to(9))["code"] == "bad_request"
    assert await sam.ok("ping") == {}


async def guess(url: str, source: str, handle: str, password: str) -> dict[str, Any]:
    """One login attempt from ``source``: the reply frame."""
    client = await raw_connect(url, source=source)
    try:
        return await client.call("login", handle=handle, password=password)
    finally:
        await client.ws.close()


async def test_password_guessing_is_slowed_without_locking_the_owner_out(
    tmp_path: Path,
) -> None:
    """From one address, failures past the fifth are rate_limited with a growing
    retry_after (the password is not even checked); many addresses against one account hit
    the account's limit too; the owner, from an address that logged in before, still gets
    in; and every failure is counted on /healthz."""
    clock = ManualClock()
    running = RunningRelay(tmp_path / "guess.db", clock=clock)
    await running.start()
    try:
        owner = await raw_connect(running.url, source="127.0.0.2")
        await owner.ok("register", handle="sam", display_name="Sam", password="pw-secret")
        await owner.ws.close()
        replies = [await guess(running.url, "127.0.0.3", "sam", f"x{n}") for n in range(8)]
        codes = [r["code"] for r in replies]
        assert codes == ["unauthorized"] * 5 + ["rate_limited"] * 3
        right_password = await guess(running.url, "127.0.0.3", "sam", "pw-secret")
        assert right_password["code"] == "rate_limited"  # not even checked
        first_wait = right_password["retry_after"]
        clock.advance(first_wait)
        assert (await guess(running.url, "127.0.0.3", "sam", "x9"))["code"] == "unauthorized"
        second = await guess(running.url, "127.0.0.3", "sam", "x10")
        assert second["code"] == "rate_limited" and second["retry_after"] > first_wait
        for n in range(4, 60):  # a botnet: a few guesses from each of many addresses
            await guess(running.url, f"127.0.1.{n}", "sam", f"y{n}")
        fresh = await guess(running.url, "127.0.2.1", "sam", "pw-secret")
        assert fresh["code"] == "rate_limited"  # the account is under attack
        back = await guess(running.url, "127.0.0.2", "sam", "pw-secret")
        assert back["type"] == "result" and back["data"]["user"]["handle"] == "sam"
        async with httpx.AsyncClient(timeout=5) as http:
            health = (await http.get(f"http://127.0.0.1:{running.port}/healthz")).json()
        assert health["login_failures"] == 50  # then the account's limit stopped the guessing
        assert health["logins_throttled"] == 3 + 1 + 1 + 12 + 1
    finally:
        await running.stop()


async def test_connections_that_never_say_hello_or_log_in_are_closed(
    tmp_path: Path,
) -> None:
    """No hello within the hello timeout, or no login within the auth timeout after it, and
    the relay closes the connection with 1008; a logged-in connection may idle for ever."""
    running = RunningRelay(tmp_path / "idle.db", hello_timeout=0.3, auth_timeout=0.6)
    await running.start()
    try:
        mute = await raw_connect(running.url, hello=False)
        greeted = await raw_connect(running.url)
        sam = await raw_user(running.url, "sam")
        assert await wait_closed(mute) == 1008
        assert "hello" in (mute.ws.close_reason or "")
        assert await wait_closed(greeted) == 1008
        assert "log in" in (greeted.ws.close_reason or "")
        await sam.ok("logout")  # anonymous again: the login clock starts anew
        assert await wait_closed(sam) == 1008
        alive = await raw_user(running.url, "bob")
        await asyncio.sleep(0)  # a logged-in connection has no deadline: it answers later
        assert await alive.ok("ping") == {}
    finally:
        await running.stop()


async def test_connections_per_address_are_capped(tmp_path: Path) -> None:
    """Past the per-address cap the handshake is answered 503; other addresses still get in."""
    running = RunningRelay(tmp_path / "cap.db", max_connections_per_address=3)
    await running.start()
    try:
        held = [await raw_connect(running.url) for _ in range(3)]
        with pytest.raises(InvalidStatus) as refused:
            await raw_connect(running.url)
        assert refused.value.response.status_code == 503
        other = await raw_connect(running.url, source="127.0.0.9")
        assert await other.ok("ping") == {}
        await held[0].ws.close()
        async with httpx.AsyncClient(timeout=5) as http:
            while True:  # until the relay has let go of the closed one
                health = (await http.get(f"http://127.0.0.1:{running.port}/healthz")).json()
                if health["open_connections"] == 3:
                    break
        assert await (await raw_connect(running.url)).ok("ping") == {}
    finally:
        await running.stop()


async def test_an_idle_flood_under_a_low_fd_limit_keeps_the_relay_answering(
    tmp_path: Path, relay_processes: list[RelayProcess]
) -> None:
    """Under ulimit -n 256, 400 connections that never say hello: the relay holds what fits
    its file descriptors and answers the rest 503; /healthz answers all along; once the hello
    timeout has closed the idle ones a new client logs in; the log stays short (it used to
    write 144,000 "Too many open files" lines in 35 s)."""
    relay = RelayProcess(tmp_path / "flood.db", "--hello-timeout", "2", open_files=256)
    relay_processes.append(relay)
    await relay.start()
    held: list[Any] = []
    refused = 0

    async def one() -> None:
        nonlocal refused
        try:
            held.append(await connect(relay.url, compression=None, open_timeout=10))
        except InvalidStatus as exc:
            assert exc.response.status_code == 503
            refused += 1

    await asyncio.gather(*(one() for _ in range(400)))
    assert refused > 0 and len(held) <= 256 - 64
    async with httpx.AsyncClient(timeout=5) as http:
        health = await http.get(f"http://127.0.0.1:{relay.port}/healthz")
        assert health.status_code == 200
    for ws in held:
        await ws.wait_closed()  # the hello timeout closed it
        assert ws.close_code == 1008
    sam = await raw_user(relay.url, "sam")
    assert await sam.ok("ping") == {}
    records = [line for line in bytes(relay.stderr).splitlines() if line[:2] == b"20"]
    assert len(records) < 150, records[-20:]  # each kind of line at most 20 times a minute
    assert sum(b"out of system resource" in line for line in records) <= 20


@pytest.fixture
async def shop(relay: RunningRelay) -> Shop:
    return await open_shop(relay)


async def test_a_picture_header_followed_by_html_is_refused(shop: Shop) -> None:
    """PNG, JPEG and WebP magic numbers followed by a web page are not images."""
    page = b"<html><script>alert(1)</script></html>"
    for key, fake in (
        ("png", b"\x89PNG\r\n\x1a\n" + page),
        ("trailing", tiny_png() + page),
        ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + page),
        ("jpeg+", picture("JPEG") + page),
        ("webp", b"RIFF\x30\x00\x00\x00WEBPVP8 " + page),
        ("webp+", picture("WEBP") + page),
    ):
        [frame] = media_frames(fake, key)
        reply = await shop.staff.call("media_upload", **frame)
        assert reply["code"] == "unsupported_media", (key, reply)
    [good] = media_frames(tiny_png(), "good")
    assert (await shop.staff.ok("media_upload", **good))["content_type"] == "image/png"


async def test_uploads_have_quotas_and_unused_ones_are_removed(tmp_path: Path) -> None:
    """A brand uploading distinct images hits its daily quota (quota_exceeded, nothing
    stored); the same image again costs nothing; an image no product shows is deleted once
    the clean-up age has passed, one a product shows stays."""
    clock = ManualClock()
    quota = MediaQuota(account_files_per_day=3)
    running = RunningRelay(
        tmp_path / "media.db",
        clock=clock,
        media_quota=quota,
        media_orphan_hours=1,
        lucky_sweep_seconds=0.05,
    )
    await running.start()
    try:
        shop = await open_shop(running)
        urls = []
        for n in range(3):
            [frame] = media_frames(tiny_png((n, 0, 0)), f"k{n}")
            urls.append((await shop.staff.ok("media_upload", **frame))["url"])
        [again] = media_frames(tiny_png((0, 0, 0)), "again")
        assert (await shop.staff.ok("media_upload", **again))["url"] == urls[0]
        [fourth] = media_frames(tiny_png((9, 9, 9)), "k4")
        refused = await shop.staff.call("media_upload", **fourth)
        assert refused["code"] == "quota_exceeded" and "3 images per account" in refused["message"]
        await shop.save(coat(images=[urls[0]]))
        media = running.db_path.parent / "media"
        assert len(list(media.glob("*.png"))) == 3
        clock.advance(2 * 3600)
        async with httpx.AsyncClient(timeout=5) as http:
            while True:  # until the clean-up has run
                gone = await http.get(f"http://127.0.0.1:{running.port}{urls[1]}")
                if gone.status_code == 404:
                    break
            kept = await http.get(f"http://127.0.0.1:{running.port}{urls[0]}")
            assert kept.status_code == 200
        assert sorted(p.name for p in media.glob("*.png")) == [urls[0].rsplit("/", 1)[1]]
        [later] = media_frames(tiny_png((9, 9, 9)), "k5")  # removed uploads count no more
        assert (await shop.staff.ok("media_upload", **later))["url"]
    finally:
        await running.stop()


async def test_invisible_text_and_unknown_countries_are_refused(shop: Shop) -> None:
    """A message of zero-width spaces is empty (bad_request, nothing stored); country ZZ is
    not an ISO 3166 country."""
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    for text in ("\u200b\u200b\u200b", "\u2060\ufeff \u200d"):
        await sam.refused("bad_request", "send", thread_id=thread, text=text, key=new_key())
    assert (await sam.ok("history", thread_id=thread))["messages"] == []
    address = {"name": "Sam", "line1": "1 Quay", "postcode": "1", "city": "X", "country": "ZZ"}
    await sam.refused("bad_request", "address_set", address=address)
    await sam.ok("address_set", address={**address, "country": "FR"})
