"""``chatshop serve``: the same TUI in a browser, through textual-serve.

textual-serve runs one ``chatshop`` process per browser tab and streams its terminal over a
websocket to xterm.js in the page; nothing about the app changes.
"""

from __future__ import annotations

import shlex
import sys


def command(*, demo: bool, server: str | None) -> str:
    """The shell command textual-serve runs for each browser tab."""
    parts = [sys.executable, "-m", "chatshop.cli"]
    if demo:
        parts.append("demo")
    elif server:
        parts += ["--server", server]
    return shlex.join(parts)


def run_serve(*, host: str, port: int, demo: bool, server: str | None) -> int:
    from textual_serve.server import Server

    print(f"chatshop: serving on http://{host}:{port}/ (ctrl+c stops)", flush=True)
    Server(command(demo=demo, server=server), host=host, port=port, title="chatshop").serve()
    return 0
