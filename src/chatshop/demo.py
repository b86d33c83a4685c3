"""``chatshop demo`` and ``chatshop screenshots``: a private relay with the demo cast.

The relay runs as a child process on a free loopback port with a fresh database seeded with the
demo data (``--seed-demo``); the demo friends run as a second child process
(:mod:`chatshop.demo_bot`); both stop when the app exits. The demo never touches your settings
or keyring.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import IO, TYPE_CHECKING

from chatshop.config import Config, ConfigError, load

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from chatshop.tui.app import ChatshopApp

RELAY_START_TIMEOUT = 30.0
DEMO_HANDLE = "sam"
DEMO_PASSWORD = "demo"


class DemoError(Exception):
    """The demo relay could not be started."""


def _read_port(proc: subprocess.Popen[bytes], timeout: float) -> int:
    stdout = proc.stdout
    assert stdout is not None
    result: list[bytes] = []

    def read() -> None:
        result.append(stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    line = result[0].strip() if result else b""
    if not line.isdigit():
        raise DemoError("the demo relay did not start (see the log above)")
    return int(line)


@contextlib.contextmanager
def demo_relay(
    directory: Path, *, bots: bool = True, log: IO[bytes] | None = None
) -> Iterator[str]:
    """Run a seeded relay (and the bots) for the duration of the block; yields its URL."""
    database = directory / "demo.db"
    stderr: IO[bytes] | int = log if log is not None else subprocess.DEVNULL
    relay = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chatshop_server",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--print-port",
            "--db",
            str(database),
            "--seed-demo",
            "--log-level",
            "WARNING",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    processes = [relay]
    try:
        port = _read_port(relay, RELAY_START_TIMEOUT)
        url = f"ws://127.0.0.1:{port}"
        if bots:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "chatshop.demo_bot", "--server", url],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            )
        yield url
    finally:
        for proc in reversed(processes):
            proc.terminate()
        for proc in reversed(processes):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _config() -> Config:
    try:
        return load()
    except ConfigError:
        return Config()


def run_demo(*, bots: bool = True) -> int:
    """Start relay and bots, run the app logged in as sam, stop everything on exit."""
    from chatshop.tui.app import ChatshopApp
    from chatshop.tui.link import LoginPlan

    with tempfile.TemporaryDirectory(prefix="chatshop-demo-") as tmp:
        log_path = Path(tmp) / "demo.log"
        with log_path.open("wb") as log:
            try:
                with demo_relay(Path(tmp), bots=bots, log=log) as url:
                    app = ChatshopApp(
                        _config(),
                        tokens=None,
                        server=url,
                        autologin=LoginPlan(url, DEMO_HANDLE, password=DEMO_PASSWORD),
                        persist=False,
                    )
                    app.run()
            except DemoError as exc:
                log.flush()
                sys.stderr.write(log_path.read_text(errors="replace"))
                print(f"chatshop demo: {exc}", file=sys.stderr)
                return 1
    return 0


def run_screenshots(out: Path) -> int:
    """Drive the demo headless and write SVG screenshots into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="chatshop-shots-") as tmp,
        demo_relay(Path(tmp), bots=True) as url,
    ):
        written = asyncio.run(_shoot(url, out))
    for path in written:
        print(path)
    return 0


SHOT_SIZE = (110, 32)
SHOT_TIMEOUT = 20.0


async def _until(pilot: Pilot[None], check: Callable[[], object]) -> None:
    """Let the app run until ``check()`` holds (the tour waits on what it then shows)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SHOT_TIMEOUT
    while not check():
        if loop.time() > deadline:
            raise DemoError(f"the screenshot tour timed out waiting for {check}")
        await pilot.pause(0.02)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def _shoot(url: str, out: Path) -> list[Path]:
    from chatshop.tui.app import ChatshopApp
    from chatshop.tui.link import LoginPlan

    written: list[Path] = []

    def save(app: ChatshopApp, name: str) -> None:
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
        written.append(path)

    login_app = ChatshopApp(Config(), tokens=None, server=url, persist=False, tz=UTC)
    async with login_app.run_test(size=SHOT_SIZE) as pilot:
        await _until(pilot, lambda: login_app.screen.query("#handle"))
        login_app.screen.query_one("#handle").focus()
        await pilot.press(*"sam")
        await _until(pilot, lambda: True)
        save(login_app, "login")

    app = ChatshopApp(
        Config(intro_seen=True),
        tokens=None,
        server=url,
        persist=False,
        autologin=LoginPlan(url, DEMO_HANDLE, password=DEMO_PASSWORD),
    )
    async with app.run_test(size=SHOT_SIZE) as pilot:
        await _tour(app, pilot, save)
    return written


async def _tour(
    app: ChatshopApp, pilot: Pilot[None], save: Callable[[ChatshopApp, str], None]
) -> None:
    """Main screen, a conversation, commands, help, money, the wallet, the shop."""
    from chatshop.tui.screens.confirm import ConfirmScreen
    from chatshop.tui.screens.wallet import WalletScreen
    from chatshop.tui.shop.orders import OrdersScreen
    from chatshop.tui.shop.product import ProductListScreen, ProductScreen

    def main_ready() -> bool:
        main = app.main_screen()
        window = main.conversation.transcript.window if main and main.is_mounted else None
        return bool(window and window.messages and app.session.wallet.loaded)

    await _until(pilot, main_ready)
    main = app.main_screen()
    assert main is not None
    conversation = main.conversation
    composer = conversation.composer
    save(app, "main")

    async def open_thread(kind: str, handle: str = "") -> None:
        book = app.session.threads
        wanted = next(
            t.id
            for t in book.ordered()
            if t.kind == kind
            and (not handle or ((o := book.other(t)) is not None and o.handle == handle))
        )
        main.open_thread(wanted)
        await _until(pilot, lambda: main.current == wanted)

    await open_thread("group")
    await pilot.press(*"Who's in for pizza tonight?", "enter")
    me = app.session.me.id

    def answered() -> bool:
        window = conversation.transcript.window
        return bool(window and window.messages and window.messages[-1].sender_id != me)

    await _until(pilot, answered)
    save(app, "conversation")
    await pilot.press(*"/fr")
    await _until(pilot, lambda: conversation.hint_line.text)
    save(app, "commands")
    composer.set_text("")
    await pilot.press("f1")
    await _until(pilot, lambda: app.screen is not main)
    save(app, "help")
    await pilot.press("escape")
    await _until(pilot, lambda: app.screen is main)

    await open_thread("direct", "alice")

    async def say(line: str) -> None:
        composer.focus()
        composer.set_text(line)  # as typed (Pilot has no key for €)
        await pilot.press("enter")

    await say("€12 taxi")
    await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    save(app, "payment")
    await pilot.press("enter")
    await _until(pilot, lambda: app.screen is main)

    await open_thread("group")
    await say("/split €48 pizza")
    await _until(pilot, lambda: not composer.text)
    await say("/luckymoney €20 3 Happy birthday Bob!")
    await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("enter")
    await _until(pilot, lambda: app.screen is main and conversation.choices)
    save(app, "money")

    await pilot.press("f3")
    await _until(
        pilot, lambda: isinstance(app.screen, WalletScreen) and app.session.wallet.history_loaded
    )
    save(app, "wallet")
    await pilot.press("escape")
    await _until(pilot, lambda: app.screen is main)

    await pilot.press("ctrl+k", *"northwind", "enter")
    await _until(pilot, lambda: conversation.choices)
    save(app, "brand")
    await pilot.press(*"do you have it in 42L?", "enter")
    await _until(pilot, lambda: any(label == "Buy now" for label, _ in conversation.choices))
    save(app, "actions")
    await pilot.press(*"yes", "enter")
    await _until(pilot, lambda: any(label.startswith("Pay") for label, _ in conversation.choices))
    save(app, "checkout")
    composer.focus()
    await pilot.press("tab", "enter")
    await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("enter")
    await _until(pilot, lambda: app.screen is main and "order" in conversation.hint_line.text)
    await pilot.press("f4")
    await _until(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.orders)
    save(app, "orders")
    await pilot.press("escape")
    await _until(pilot, lambda: app.screen is main)
    await pilot.press(*"/catalog", "enter")
    await _until(
        pilot,
        lambda: isinstance(app.screen, ProductListScreen) and app.screen.products.option_count,
    )
    await pilot.press("enter")
    await _until(pilot, lambda: isinstance(app.screen, ProductScreen) and app.screen.result)
    screen = app.screen
    assert isinstance(screen, ProductScreen)
    if screen.product is not None and screen.product.images:
        await _until(pilot, lambda: screen.images.cached(screen.product.images[0]))  # type: ignore[union-attr]
    save(app, "shop-product")
