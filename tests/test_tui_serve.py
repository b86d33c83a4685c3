"""``chatshop serve``: the same TUI in a browser. textual-serve runs the demo for the page,
and headless Chromium (Debian's chromium) loads it until the thread list shows, read over
the DevTools protocol from the terminal output the page receives (xterm.js draws on a
canvas, so the page's DOM holds no text)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\x1b\][^\x07]*\x07")
"""Terminal control sequences, left out of the text read from the frames."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def until(check: Callable[[], Awaitable[bool]], within: float) -> None:
    """Poll ``check`` (a page or a process that announces nothing) until it holds."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - nothing to wait on but the answer
            await asyncio.sleep(0.1)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[str]:
    """``chatshop serve --demo`` on a free loopback port; its URL once it answers."""
    port = free_port()
    env = {"CHATSHOP_CONFIG_DIR": str(tmp_path / "config"), "CHATSHOP_CREDENTIALS": "file"}
    proc = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "chatshop.cli", "serve", "--demo", "--port", str(port)],
        env={**env, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"

    async def answers() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(url)).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await until(answers, 60)
        yield url
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)


@pytest.mark.timeout(300)  # a demo relay, its bots and the app start for the page
async def test_the_thread_list_in_a_browser(served: str, tmp_path: Path) -> None:
    """Headless Chromium opens the served page; the terminal in it is sent sam's threads
    (read from the page's websocket frames: xterm.js draws on a canvas)."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium package is installed by .ci/run"
    profile = tmp_path / "profile"
    browser = await asyncio.create_subprocess_exec(
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--window-size=1280,800",
        "about:blank",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    active = profile / "DevToolsActivePort"
    try:
        await until(lambda: asyncio.to_thread(_announced, active), 30)
        port = (await asyncio.to_thread(active.read_text)).split()[0]
        async with httpx.AsyncClient() as http:
            pages = (await http.get(f"http://127.0.0.1:{port}/json")).json()
        page = next(p for p in pages if p["type"] == "page")
        async with connect(page["webSocketDebuggerUrl"], max_size=2**26) as devtools:
            await devtools.send(json.dumps({"id": 1, "method": "Network.enable"}))
            await devtools.send(
                json.dumps({"id": 2, "method": "Page.navigate", "params": {"url": served}})
            )
            screen = bytearray()

            async def threads_listed() -> bool:
                message = json.loads(await devtools.recv())
                if message.get("method") == "Network.webSocketFrameReceived":
                    frame = message["params"]["response"]
                    if frame.get("opcode") == 2:  # terminal output, base64
                        screen.extend(base64.b64decode(frame["payloadData"]))
                text = ANSI.sub("", screen.decode("utf-8", "replace"))
                return "Pizza Friday" in text and "Alice Moreau" in text

            await until(threads_listed, 180)
    finally:
        browser.terminate()
        await asyncio.wait_for(browser.wait(), 10)


def _announced(path: Path) -> bool:
    """Chromium wrote its DevTools port."""
    return path.exists() and bool(path.read_text().strip())
