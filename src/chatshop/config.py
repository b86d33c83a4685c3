"""Settings of the terminal client, kept in ``config.toml`` in the user config directory.

    theme = "textual-dark"
    intro_seen = false # the first-run tips on the main screen were read
    [notifications]
    bell = true        # ring the terminal bell for messages in other threads
    title = true       # show the unread count in the app's title
    toast = true       # a short toast naming the thread
    [keys]             # remap any binding by its id, e.g.
    "chat.next_thread" = "alt+down,ctrl+down"
    [[servers]]        # recent relays, newest first
    url = "ws://127.0.0.1:8765"
    handle = "sam"

A file that cannot be read or parsed raises :class:`ConfigError`, whose message says which file
and what is wrong, for the CLI to print instead of a traceback.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "chatshop"
CONFIG_DIR_ENV = "CHATSHOP_CONFIG_DIR"
MAX_RECENT_SERVERS = 8
DEFAULT_SERVER = "ws://127.0.0.1:8765"


class ConfigError(Exception):
    """The config file exists but cannot be used; the message is for people."""


def config_dir() -> Path:
    """Where settings and the fallback credentials file live (``$CHATSHOP_CONFIG_DIR`` wins)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


@dataclass
class Notifications:
    """How messages in other threads get your attention."""

    bell: bool = True
    title: bool = True
    toast: bool = True


@dataclass
class Server:
    """A relay used before, with the handle last used there."""

    url: str
    handle: str = ""


@dataclass
class Config:
    """Everything in ``config.toml``."""

    theme: str = "textual-dark"
    intro_seen: bool = False
    """The first-run tips on the main screen were read (they do not come back)."""
    notifications: Notifications = field(default_factory=Notifications)
    keys: dict[str, str] = field(default_factory=dict)
    servers: list[Server] = field(default_factory=list)
    path: Path | None = None

    def remember_server(self, url: str, handle: str) -> None:
        """Put ``url`` first in the recent servers."""
        self.servers = [Server(url, handle)] + [s for s in self.servers if s.url != url]
        del self.servers[MAX_RECENT_SERVERS:]

    def handle_for(self, url: str) -> str:
        for server in self.servers:
            if server.url == url:
                return server.handle
        return ""


def _expect(value: Any, kind: type | tuple[type, ...], where: str, path: Path) -> Any:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{path}: {where} should be a {names}, not {value!r}")
    return value


def parse(data: dict[str, Any], path: Path) -> Config:
    """Build a ``Config`` from parsed TOML, checking each known field's type."""
    config = Config(path=path)
    if "theme" in data:
        config.theme = _expect(data["theme"], str, "theme", path)
    if "intro_seen" in data:
        config.intro_seen = _expect(data["intro_seen"], bool, "intro_seen", path)
    notes = _expect(data.get("notifications", {}), dict, "[notifications]", path)
    for name in ("bell", "title", "toast"):
        if name in notes:
            setattr(
                config.notifications,
                name,
                _expect(notes[name], bool, f"notifications.{name}", path),
            )
    keys = _expect(data.get("keys", {}), dict, "[keys]", path)
    for binding_id, keys_value in keys.items():
        config.keys[binding_id] = _expect(keys_value, str, f"keys.{binding_id!r}", path)
    for index, entry in enumerate(_expect(data.get("servers", []), list, "servers", path)):
        entry = _expect(entry, dict, f"servers[{index}]", path)
        url = _expect(entry.get("url"), str, f"servers[{index}].url", path)
        handle = _expect(entry.get("handle", ""), str, f"servers[{index}].handle", path)
        config.servers.append(Server(url, handle))
    return config


def load(path: Path | None = None) -> Config:
    """Read the config file; a missing file gives the defaults."""
    path = path or config_dir() / "config.toml"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text: {exc.reason}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}. Fix or delete it.") from exc
    return parse(data, path)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def dumps(config: Config) -> str:
    """The config as TOML (a small writer: strings, booleans, tables, arrays of tables)."""
    lines = [
        f"theme = {_toml_string(config.theme)}",
        f"intro_seen = {str(config.intro_seen).lower()}",
        "",
        "[notifications]",
    ]
    notes = config.notifications
    lines += [
        f"bell = {str(notes.bell).lower()}",
        f"title = {str(notes.title).lower()}",
        f"toast = {str(notes.toast).lower()}",
        "",
        "[keys]",
    ]
    lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in sorted(config.keys.items())]
    for server in config.servers:
        lines += [
            "",
            "[[servers]]",
            f"url = {_toml_string(server.url)}",
            f"handle = {_toml_string(server.handle)}",
        ]
    return "\n".join(lines) + "\n"


def save(config: Config) -> None:
    """Write the config file atomically (creating its directory)."""
    path = config.path or config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_text(dumps(config), encoding="utf-8")
    os.replace(temporary, path)
