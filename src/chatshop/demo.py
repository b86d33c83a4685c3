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
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import IO

from chatshop.config import Config, ConfigError, load

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
    return written
