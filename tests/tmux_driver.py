"""Drive ``chatshop`` in a real terminal: tmux runs it, ``send-keys`` types, ``capture-pane``
reads the screen. Every wait is on the exact text the test then checks, never a fixed time.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

POLL = 0.05


class Tmux:
    """One tmux server (its own socket) holding one window of ``width`` x ``height``."""

    def __init__(
        self, command: list[str], *, env: dict[str, str], width: int = 100, height: int = 30
    ) -> None:
        self.socket = f"chatshop-{uuid.uuid4().hex[:10]}"
        self.keys = 0
        """Key actions sent so far (a typed line with its Enter counts as one)."""
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        shell = f"env {exports} {shlex.join(command)}"
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "app", shell)
        # If the app dies, its last screen (and traceback) stays readable.
        self._tmux("set-option", "-t", "app", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """The screen once it shows ``text``; fails with the screen after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen:\n{shown}")
            time.sleep(POLL)

    def first_line(self) -> str:
        return (self.screen().splitlines() or [""])[0]

    def wait_first_line(self, text: str, timeout: float = 30.0) -> None:
        """Until the screen's first line starts with ``text`` (the thread filter, at the
        left; the open thread's title is further right on the same line)."""
        deadline = time.monotonic() + timeout
        while not self.first_line().lstrip().startswith(text):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on the first line:\n{self.screen()}")
            time.sleep(POLL)

    def relay_url(self) -> str:
        """The demo relay's address, as the status bar shows it (``@sam on ws://...``)."""
        found = re.search(r"on (ws://\S+)", self.wait_for(" on ws://"))
        assert found is not None
        return found.group(1)

    def press(self, *keys: str) -> None:
        """Named keys (``C-k``, ``Tab``, ``Enter``, ``F4``), each one key action."""
        for key in keys:
            self._tmux("send-keys", "-t", "app", key)
            self.keys += 1

    def line(self, text: str) -> None:
        """Type ``text`` literally and press Enter: one key action."""
        self._tmux("send-keys", "-t", "app", "-l", text)
        self._tmux("send-keys", "-t", "app", "Enter")
        self.keys += 1

    def type(self, text: str) -> None:
        """Type ``text`` without Enter (not counted on its own: its Enter is)."""
        self._tmux("send-keys", "-t", "app", "-l", text)

    def close(self) -> None:
        """Quit the app (ctrl+q, so it stops its relay and writes its coverage), then the
        tmux server."""
        try:
            self._tmux("send-keys", "-t", "app", "C-q")
            deadline = time.monotonic() + 15
            while self._tmux("display-message", "-p", "-t", "app", "#{pane_dead}").strip() != "1":
                if time.monotonic() > deadline:
                    break
                time.sleep(POLL)
        except subprocess.CalledProcessError:
            pass  # already gone
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def demo(config_dir: Path, **size: int) -> Tmux:
    """``chatshop demo`` in tmux with its own settings directory."""
    # The whole environment goes along (coverage of the app follows it into tmux).
    env = {
        **{k: v for k, v in os.environ.items() if k.isidentifier()},
        "CHATSHOP_CONFIG_DIR": str(config_dir),
        "CHATSHOP_CREDENTIALS": "file",
        "TERM": "xterm-256color",
    }
    env.pop("TMUX", None)
    return Tmux([sys.executable, "-m", "chatshop.cli", "demo"], env=env, **size)
