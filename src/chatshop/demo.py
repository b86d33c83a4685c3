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


async def _shoot(url: str, out: Path) -> list[Path]:
    from chatshop.tui.app import ChatshopApp
    from chatshop.tui.link import LoginPlan
    from chatshop.tui.screens.main import MainScreen

    size = (110, 32)
    written: list[Path] = []

    def save(app: ChatshopApp, name: str) -> None:
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
        written.append(path)

    login_app = ChatshopApp(Config(), tokens=None, server=url, persist=False, tz=UTC)
    async with login_app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.click("#handle")
        await pilot.press(*"sam")
        await pilot.pause()
        save(login_app, "login")

    app = ChatshopApp(
        Config(),
        tokens=None,
        server=url,
        persist=False,
        autologin=LoginPlan(url, DEMO_HANDLE, password=DEMO_PASSWORD),
    )
    async with app.run_test(size=size) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            main = app.main_screen()
            if (
                main is not None
                and main.current is not None
                and main.transcript.window
                and (main.transcript.window.messages)
            ):
                break
        main = app.main_screen()
        assert isinstance(main, MainScreen)
        await pilot.pause(0.2)
        save(app, "main")
        await pilot.press(*"Who's in for pizza tonight?")
        await pilot.press("enter")
        for _ in range(80):  # the demo friends answer within a few seconds
            await pilot.pause(0.05)
            window = main.transcript.window
            if (
                window
                and window.messages
                and window.messages[-1].sender_id != (app.book.me.id if app.book.me else -1)
            ):
                break
        await pilot.pause(0.3)
        save(app, "conversation")
        await pilot.press(*"/fr")
        await pilot.pause()
        save(app, "commands")
        main.composer.set_text("")
        await pilot.press("f1")
        await pilot.pause()
        save(app, "help")
        await _shoot_money(app, pilot, save)
        await _shoot_shop(app, pilot, save)
    return written


async def _shoot_money(
    app: ChatshopApp, pilot: Pilot[None], save: Callable[[ChatshopApp, str], None]
) -> None:
    """A payment's confirmation, money cards in the group, and the wallet screen."""
    from chatshop.tui.screens.confirm import ConfirmScreen
    from chatshop.tui.screens.wallet import WalletScreen

    while app.screen is not app.main_screen():
        app.pop_screen()
    main = app.main_screen()
    assert main is not None
    await pilot.pause()

    async def wait(check: Callable[[], object]) -> None:
        for _ in range(100):
            if check():
                return
            await pilot.pause(0.05)

    def open_thread(kind: str, handle: str = "") -> None:
        for thread in main.book.ordered():
            other = main.book.other(thread)
            if thread.kind == kind and (not handle or (other and other.handle == handle)):
                main.open_thread(thread.id)
                return

    await wait(lambda: app.wallet.loaded)
    open_thread("direct", "alice")
    await pilot.pause(0.3)
    main.composer.set_text("€12 taxi")
    await pilot.press("enter")
    await wait(lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.pause(0.2)
    save(app, "payment")
    await pilot.press("enter")
    await wait(lambda: app.screen is main)

    open_thread("group")
    await pilot.pause(0.3)
    main.composer.set_text("/split €48 pizza")
    await pilot.press("enter")
    main.composer.set_text("/luckymoney €20 3 Happy birthday Bob!")
    await pilot.press("enter")
    await wait(lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("enter")
    await wait(lambda: app.screen is main)
    await pilot.pause(0.5)
    main.transcript.focus()
    main.transcript.action_select(-1)
    await pilot.pause(0.2)
    save(app, "money")

    main.composer.focus()
    await pilot.press("f3")
    await wait(lambda: isinstance(app.screen, WalletScreen) and app.wallet.history_loaded)
    await pilot.pause(0.3)
    save(app, "wallet")


async def _shoot_shop(
    app: ChatshopApp, pilot: Pilot[None], save: Callable[[ChatshopApp, str], None]
) -> None:
    """The coat from @northwind's catalogue, with its picture and sizes."""
    from chatshop.tui.shop.product import ProductListScreen, ProductScreen, catalog_screen

    while app.screen is not app.main_screen():
        app.pop_screen()
    listing = catalog_screen("@northwind")
    app.push_screen(listing)
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, ProductListScreen) and listing.products.option_count:
            break
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, ProductScreen) and app.screen.result is not None:
            break
    await pilot.pause(0.5)  # the picture arrives over HTTP
    save(app, "shop-product")
