"""Settings in TOML and the credentials fallback file."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop import cli
from chatshop.config import Config, ConfigError, dumps, load, save
from chatshop.credentials import TokenStore


def test_config_round_trip(tmp_path: Path) -> None:
    """What is saved loads back the same; recent servers are newest first, unique."""
    config = Config(path=tmp_path / "config.toml")
    config.theme = "nord"
    config.notifications.bell = False
    config.keys["chat.next_thread"] = "alt+down,ctrl+down"
    config.remember_server("ws://a:1", "sam")
    config.remember_server("ws://b:2", 'sam "quoted"')
    config.remember_server("ws://a:1", "alice")
    save(config)
    loaded = load(tmp_path / "config.toml")
    assert loaded.theme == "nord" and loaded.notifications.bell is False
    assert loaded.keys == {"chat.next_thread": "alt+down,ctrl+down"}
    assert [(s.url, s.handle) for s in loaded.servers] == [
        ("ws://a:1", "alice"),
        ("ws://b:2", 'sam "quoted"'),
    ]
    assert dumps(loaded) == dumps(config)


def test_missing_config_gives_defaults(tmp_path: Path) -> None:
    """No file: default settings."""
    assert load(tmp_path / "nope.toml").theme == "textual-dark"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("theme = ", "is not valid TOML"),
        ("theme = 3", "theme should be a str"),
        ("[notifications]\nbell = 'yes'", "notifications.bell should be a bool"),
        ("servers = [1]", "servers[0] should be a dict"),
    ],
)
def test_broken_config_is_a_clear_message(tmp_path: Path, content: str, message: str) -> None:
    """A broken file raises ConfigError naming the file and the problem."""
    path = tmp_path / "config.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_cli_reports_broken_config_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``chatshop`` with a broken config prints one line and exits 2."""
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text("[[servers]\n")
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "is not valid TOML" in err and "Traceback" not in err


def test_cli_help_explains_everything(capsys: pytest.CaptureFixture[str]) -> None:
    """--help names the commands, the keys and where files live."""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for needle in ("demo", "screenshots", "--server", "ctrl+k", "/dm @handle", "config.toml"):
        assert needle in out


def test_token_file_fallback(tmp_path: Path) -> None:
    """Without a keyring, tokens go to a 0600 file, with a notice said once; forget works."""
    store = TokenStore(tmp_path, use_keyring=False)
    store.save("ws://a:1", "sam", "tok-1")
    assert store.notice is not None and str(store.path) in store.notice
    store.notice = None
    store.save("ws://a:1", "alice", "tok-2")
    assert store.notice is None
    assert (store.path.stat().st_mode & 0o777) == 0o600
    assert TokenStore(tmp_path, use_keyring=False).load("ws://a:1", "sam") == "tok-1"
    store.forget("ws://a:1", "sam")
    assert store.load("ws://a:1", "sam") is None
    assert store.load("ws://a:1", "alice") == "tok-2"
