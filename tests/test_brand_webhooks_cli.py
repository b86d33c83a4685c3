"""``chatshop brand webhooks ...`` end to end: each verb against a real relay on a loopback
port, its deliveries received by a real HTTP receiver, as staff (stored session or password)
and with a bot token file; refusals and usage mistakes give their exit status."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatshop.brand_session import resolve_session
from chatshop.brand_webhooks_cli import UsageError, execute, parse_kinds, parse_time
from chatshop.cli import build_parser
from chatshop.credentials import TokenStore
from conftest import RunningRelay, send_text
from shop_support import Shop, open_shop
from waiting import until
from webhook_support import Receiver, verify


@dataclass
class Outcome:
    """What one run of the command gave."""

    code: int
    out: str
    err: str


Cli = Callable[..., Awaitable[Outcome]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.start()
    yield found
    found.stop()


@pytest.fixture
async def hooked(tmp_path: Path) -> AsyncIterator[RunningRelay]:
    """A relay whose webhooks may target loopback (the test's receiver)."""
    running = RunningRelay(tmp_path / "hooks.db", webhook_private_targets=True)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty settings directory, tokens in its file (no keyring), no password."""
    directory = tmp_path / "config"
    directory.mkdir()
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    monkeypatch.delenv("CHATSHOP_PASSWORD", raising=False)
    return directory


@pytest.fixture
def cli(config_home: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run ``chatshop brand webhooks ARGS`` in-process: the parser, the session lookup and
    the command, exactly as ``chatshop`` runs them but on this event loop."""

    async def run(*argv: str) -> Outcome:
        capsys.readouterr()
        args = build_parser().parse_args(["brand", "webhooks", *argv])
        session = resolve_session(args)
        code = session if isinstance(session, int) else await execute(session, args)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


async def staff_session(shop: Shop, relay: RunningRelay, config_home: Path) -> list[str]:
    """nora's session stored as the app stores it; the options that name it."""
    TokenStore(config_home, use_keyring=False).save(relay.url, "nora", shop.staff.client.token)
    return ["--brand", "@northwind", "--server", relay.url, "--handle", "nora"]


def secret_of(out: str) -> str:
    found = re.search(r"secret: (whsec_\S+)", out)
    assert found is not None, out
    return found.group(1)


def endpoint_of(out: str) -> int:
    found = re.search(r"webhook (\d+) ", out)
    assert found is not None, out
    return int(found.group(1))


async def test_add_list_deliveries_replay_rotate_remove(
    hooked: RunningRelay, receiver: Receiver, cli: Cli, config_home: Path
) -> None:
    """Staff go through every verb with their stored session; the receiver gets signed
    deliveries, replays with the same event ids, and both secrets verify after a rotation."""
    shop = await open_shop(hooked)
    me = await staff_session(shop, hooked, config_home)
    added = await cli("add", receiver.url, "--events", "message,follow", *me)
    assert added.code == 0, added.err
    secret, endpoint = secret_of(added.out), endpoint_of(added.out)
    assert "not shown again" in added.out

    listed = await cli("list", *me)
    assert listed.code == 0 and receiver.url in listed.out and "active" in listed.out
    assert re.search(rf"^{endpoint}\s+message,follow\s+\d+\s+0\s+active", listed.out, re.M)

    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    await send_text(sam.client, thread, "Is the coat back?")
    await until(lambda: len(receiver.of_kind("message")) == 1)
    first = receiver.of_kind("message")[0]
    assert verify(secret, first.headers, first.body)

    log = await cli("deliveries", str(endpoint), "--limit", "5", *me)
    assert log.code == 0, log.err
    header, *rows = log.out.strip().splitlines()
    assert header.split()[:5] == ["EVENT", "KIND", "STATUS", "ATTEMPTS", "LATENCY"]
    row = next(r for r in rows if r.startswith(first.event_id))
    assert row.split()[1:4] == ["message", "delivered", "1"] and " ms" in row

    again = await cli("replay", str(endpoint), "--event", first.event_id, *me)
    assert again.code == 0 and again.out.startswith("1 delivery queued again"), again
    await until(lambda: len(receiver.received) == 2)
    assert receiver.received[1].event_id == first.event_id

    ranged = await cli("replay", str(endpoint), "--since", "1h", "--until", "0m", *me)
    assert ranged.code == 0 and ranged.out.startswith("1 delivery queued again"), ranged
    await until(lambda: len(receiver.received) == 3)

    rotated = await cli("rotate-secret", str(endpoint), "--overlap", "2", *me)
    assert rotated.code == 0, rotated.err
    new_secret = secret_of(rotated.out)
    assert new_secret != secret and "previous secret also signs" in rotated.out
    await sam.ok("follow", brand="northwind")
    await until(lambda: len(receiver.of_kind("follow")) == 1)
    follow = receiver.of_kind("follow")[0]
    assert verify(new_secret, follow.headers, follow.body)
    assert verify(secret, follow.headers, follow.body)

    removed = await cli("remove", str(endpoint), *me)
    assert removed.code == 0 and f"webhook {endpoint} removed" in removed.out
    empty = await cli("list", *me)
    assert empty.code == 0 and empty.out.startswith("no webhooks")


async def test_refusals_exit_1_and_usage_mistakes_exit_2(
    hooked: RunningRelay, receiver: Receiver, cli: Cli, config_home: Path
) -> None:
    """The relay's refusals (no such endpoint, a private URL, not staff) exit 1 with its
    reason; wrong options, no relay, no account and an unreachable relay exit 2."""
    shop = await open_shop(hooked)
    me = await staff_session(shop, hooked, config_home)
    missing = await cli("remove", "999", *me)
    assert missing.code == 1 and "no webhook" in missing.err.lower(), missing
    sam = await shop.customer("sam")
    TokenStore(config_home, use_keyring=False).save(hooked.url, "sam", sam.client.token)
    not_staff = await cli(
        "add",
        receiver.url,
        "--events",
        "order",
        "--brand",
        "northwind",
        "--server",
        hooked.url,
        "--handle",
        "sam",
    )
    assert not_staff.code == 1 and "staff" in not_staff.err, not_staff

    assert (await cli("replay", "1", *me)).code == 2
    both = await cli("replay", "1", "--event", "evt_1", "--since", "1h", *me)
    assert both.code == 2 and "not both" in both.err
    kinds = await cli("add", receiver.url, "--events", "orders", *me)
    assert kinds.code == 2 and "'orders'" in kinds.err
    assert (await cli("deliveries", "1", "--limit", "0", *me)).code == 2
    no_relay = await cli("list", "--brand", "northwind")
    assert no_relay.code == 2 and "--server" in no_relay.err
    no_handle = await cli("list", "--brand", "northwind", "--server", hooked.url)
    assert no_handle.code == 2 and "--handle" in no_handle.err
    gone = await cli(
        "list",
        "--brand",
        "northwind",
        "--server",
        "ws://127.0.0.1:9",
        "--token-file",
        str(await token_file(shop, config_home, ["webhooks"])),
    )
    assert gone.code == 2 and "cannot log in" in gone.err


async def token_file(shop: Shop, directory: Path, scopes: list[str]) -> Path:
    """A bot token of ``scopes`` for northwind, written to a file as the admin would."""
    created = await shop.staff.ok(
        "bot_token_create", brand="northwind", name="crm" + "".join(scopes)[:20], scopes=scopes
    )
    path = directory / f"{'-'.join(scopes)}.token"
    path.write_text(created["token"] + "\n")
    return path


async def test_a_bot_token_file_and_a_password_both_work(
    hooked: RunningRelay,
    receiver: Receiver,
    cli: Cli,
    config_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A token with the webhooks scope manages endpoints; one without it is refused; with
    no stored session, $CHATSHOP_PASSWORD logs the staff member in."""
    shop = await open_shop(hooked)
    where = ["--brand", "northwind", "--server", hooked.url]
    allowed = await token_file(shop, config_home, ["webhooks"])
    added = await cli("add", receiver.url, "--events", "all", *where, "--token-file", str(allowed))
    assert added.code == 0 and "events: message, handover, order" in added.out, added
    reader = await token_file(shop, config_home, ["read"])
    refused = await cli("list", *where, "--token-file", str(reader))
    assert refused.code == 1 and "webhooks scope" in refused.err, refused
    monkeypatch.setenv("CHATSHOP_PASSWORD", "pw-secret")
    listed = await cli("list", *where, "--handle", "nora")
    assert listed.code == 0 and receiver.url in listed.out


async def test_the_installed_command_runs_as_a_process(
    hooked: RunningRelay, receiver: Receiver, config_home: Path
) -> None:
    """``chatshop brand webhooks list`` as a subprocess (its own event loop, asyncio.run)."""
    shop = await open_shop(hooked)
    path = await token_file(shop, config_home, ["webhooks"])
    await shop.staff.ok("webhook_add", brand="northwind", url=receiver.url, kinds=["order"])
    script = Path(sys.executable).with_name("chatshop")
    process = await asyncio.create_subprocess_exec(
        str(script),
        "brand",
        "webhooks",
        "list",
        "--brand",
        "@northwind",
        "--server",
        hooked.url,
        "--token-file",
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "CHATSHOP_CONFIG_DIR": str(config_home)},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert receiver.url in out.decode() and "order" in out.decode()


def test_kinds_and_times_are_read_as_documented() -> None:
    """--events takes a comma list or all; --since takes ISO 8601, epoch ms or an age."""
    assert parse_kinds("order, message,order") == ["order", "message"]
    assert len(parse_kinds("all")) == 6
    with pytest.raises(UsageError):
        parse_kinds("orders")
    now = 1_796_000_000_000
    assert parse_time("2h", now) == now - 7_200_000
    assert parse_time("1764660000000", now) == 1_764_660_000_000
    assert parse_time("2026-12-02T18:00Z", now) == parse_time("2026-12-02T19:00+01:00", now)
    assert parse_time("2026-12-02T18:00", now) == parse_time("2026-12-02T18:00Z", now)
    with pytest.raises(UsageError):
        parse_time("yesterday", now)
