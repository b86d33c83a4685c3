"""The app against a real relay: log in, switch threads, send, receive, commands, offline.

Each test starts the relay fixture (in-process, port 0, fresh SQLite), drives the app with
Pilot, and uses other real clients (``make_user``) as the people sam talks to.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Input

from chatshop.client import ChatClient, ConnectionState
from chatshop.config import Config, load
from chatshop.credentials import TokenStore
from chatshop.protocol.frames import MessageEvent
from chatshop.tui.app import ChatshopApp
from chatshop.tui.link import LoginPlan
from chatshop.tui.screens.login import LoginScreen
from chatshop.tui.screens.main import MainScreen
from conftest import RunningRelay, make_user
from waiting import main_ready, wait_for

PASSWORD = "pw-secret"
SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    return directory


def main_of(app: ChatshopApp) -> MainScreen:
    main = app.main_screen()
    assert main is not None
    return main


def shown_texts(app: ChatshopApp) -> list[str]:
    window = main_of(app).transcript.window
    return [m.text for m in window.messages] if window else []


def drawn(main: MainScreen) -> str:
    """The transcript's lines as the terminal gets them."""
    transcript = main.transcript
    return "\n".join(transcript.render_line(y).text for y in range(transcript.size.height))


async def people(relay: RunningRelay) -> tuple[ChatClient, ChatClient]:
    """``sam`` (whose session the app will open) and ``alice``, friends with a direct thread."""
    sam = await make_user(relay.url, "sam")
    alice = await make_user(relay.url, "alice")
    await sam.friend_request("alice")
    await alice.friend_accept("sam")
    return sam, alice


def app_for(
    relay: RunningRelay, config_dir: Path, autologin: LoginPlan | None = None
) -> ChatshopApp:
    return ChatshopApp(
        Config(path=config_dir / "config.toml"),
        server=relay.url,
        tokens=TokenStore(config_dir, use_keyring=False),
        autologin=autologin,
    )


async def logged_in_app(relay: RunningRelay, config_dir: Path) -> ChatshopApp:
    return app_for(relay, config_dir, autologin=LoginPlan(relay.url, "sam", password=PASSWORD))


async def test_login_screen_logs_in_and_remembers(relay: RunningRelay, _config_dir: Path) -> None:
    """Typing handle and password logs in; the relay and handle are remembered, the token
    stored in the 0600 fallback file; logging out removes it."""
    sam, alice = await people(relay)
    await alice.open_direct("sam")
    app = app_for(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginScreen)
        app.screen.query_one("#handle", Input).value = "sam"
        app.screen.query_one("#password", Input).value = PASSWORD
        await pilot.click("#login")
        await main_ready(pilot)
        main = main_of(app)
        await wait_for(pilot, lambda: main.current is not None)
        assert load().servers[0].url == relay.url
        tokens = TokenStore(_config_dir, use_keyring=False)
        assert tokens.load(relay.url, "sam")
        assert (tokens.path.stat().st_mode & 0o777) == 0o600
        main.composer.focus()
        await pilot.press(*"/logout", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert tokens.load(relay.url, "sam") is None
    for client in (sam, alice):
        await client.close()


async def test_wrong_password_shows_a_hint(relay: RunningRelay, _config_dir: Path) -> None:
    """A refused login stays on the login screen with a one-line reason."""
    sam = await make_user(relay.url, "sam")
    app = app_for(relay, _config_dir, autologin=LoginPlan(relay.url, "sam", password="nope1"))
    async with app.run_test(size=SIZE) as pilot:
        error = app.screen.query_one("#login-error")
        await wait_for(pilot, lambda: "Could not log in" in str(error.render()))
        assert isinstance(app.screen, LoginScreen)
    await sam.close()


async def test_send_receive_and_switch_threads(relay: RunningRelay, _config_dir: Path) -> None:
    """Sam sees alice's message arrive, answers, and alice receives it; alt+down switches."""
    sam, alice = await people(relay)
    direct = await alice.open_direct("sam")
    group = await sam.create_group("Pizza Friday", ["alice"])
    await sam.send(group.id, "group hello")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = main_of(app)
        await wait_for(
            pilot, lambda: main.current == group.id and "group hello" in shown_texts(app)
        )
        await alice.send(direct.id, "hi sam, from alice")
        await wait_for(pilot, lambda: main.session.threads.threads[direct.id].unread == 1)
        assert main.sidebar.thread_ids()[0] == direct.id  # most recent activity first
        await pilot.press("alt+up")
        await wait_for(pilot, lambda: main.current == direct.id)
        await wait_for(pilot, lambda: "hi sam, from alice" in shown_texts(app))
        await wait_for(pilot, lambda: main.session.threads.threads[direct.id].unread == 0)
        main.composer.focus()
        await pilot.press(*"hello alice", "enter")
        async for item in alice.events():
            if isinstance(item, MessageEvent) and item.message.text == "hello alice":
                break
        await wait_for(pilot, lambda: "hello alice" in shown_texts(app))
        assert not main.session.threads.windows[direct.id].pending
    for client in (sam, alice):
        await client.close()


async def test_slash_commands(relay: RunningRelay, _config_dir: Path) -> None:
    """/dm opens a thread, /group new creates one, /rename renames it; mistakes give hints."""
    sam, alice = await people(relay)
    bob = await make_user(relay.url, "bob")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = main_of(app)
        main.composer.focus()
        await pilot.press(*"/dm @alice", "enter")
        await wait_for(
            pilot,
            lambda: (
                main.current is not None
                and main.session.threads.threads[main.current].kind == "direct"
            ),
        )
        main.composer.set_text("/group new Climbing crew @alice @bob")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                main.current is not None
                and main.session.threads.threads[main.current].name == "Climbing crew"
            ),
        )
        main.composer.set_text("/rename Crag crew")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: main.session.threads.threads[main.current or 0].name == "Crag crew"
        )
        hint = main.query_one("#hint")
        main.composer.set_text("/frobnicate")
        await pilot.press("enter")
        assert "Unknown command /frobnicate" in str(hint.render())
        main.composer.set_text("/dm alice")
        await pilot.press("enter")
        assert "not a @handle" in str(hint.render())
        main.composer.set_text("/dm @nobody_here")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "/dm @nobody_here" in str(hint.render()))
        assert app.is_running
    for client in (sam, alice, bob):
        await client.close()


async def test_reply_edit_delete(relay: RunningRelay, _config_dir: Path) -> None:
    """/reply quotes alice's message, up-arrow edits sam's last, /delete leaves a placeholder."""
    sam, alice = await people(relay)
    direct = await alice.open_direct("sam")
    await alice.send(direct.id, "are you coming?")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = main_of(app)
        await wait_for(pilot, lambda: "are you coming?" in shown_texts(app))
        main.composer.focus()
        main.composer.set_text("/reply yes!")
        await pilot.press("enter")
        window = main.session.threads.windows[direct.id]
        await wait_for(pilot, lambda: any(m.text == "yes!" for m in window.messages))
        reply = next(m for m in window.messages if m.text == "yes!")
        assert reply.reply_to == window.messages[0].id
        await pilot.press("up")
        assert main.editing is not None and main.composer.text == "yes!"
        main.composer.set_text("yes, at six")
        await pilot.press("enter")
        await wait_for(pilot, lambda: window.messages[-1].text == "yes, at six")
        assert window.messages[-1].edited_at is not None
        main.composer.set_text("/delete")
        await pilot.press("enter")
        await wait_for(pilot, lambda: window.messages[-1].deleted)
    for client in (sam, alice):
        await client.close()


async def test_offline_queue_sends_once(relay: RunningRelay, _config_dir: Path) -> None:
    """While the relay is down the status says so and a message stays pending; when it is
    back the message is sent exactly once."""
    sam, alice = await people(relay)
    direct = await alice.open_direct("sam")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = main_of(app)
        await wait_for(pilot, lambda: main.current == direct.id)
        await relay.stop()
        await wait_for(pilot, lambda: main.status.state in ("reconnecting", "offline"))
        main.composer.focus()
        await pilot.press(*"sent while offline", "enter")
        window = main.session.threads.windows[direct.id]
        assert [p.text for p in window.pending] == ["sent while offline"]
        await relay.start()
        await wait_for(pilot, lambda: main.status.state == "connected", timeout=15)
        await wait_for(pilot, lambda: not window.pending, timeout=15)
    for _ in range(100):  # alice's own client reconnects by itself
        if alice.state == ConnectionState.CONNECTED:
            break
        await asyncio.sleep(0.05)
    history = await alice.history(direct.id)
    assert [m.text for m in history.messages].count("sent while offline") == 1
    for client in (sam, alice):
        await client.close()


HOSTILE = [
    "[red]x[/red] [link=https://evil.example]y[/link] [@click=app.quit]z[/]",
    "[/",
    "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m bell\x07",
    "evil\u202etxt.exe",
    "[TODO] plan",
]


async def test_hostile_text_from_another_client(relay: RunningRelay, _config_dir: Path) -> None:
    """Markup, escape sequences and bidi overrides from alice are shown literally and
    neutralised: nothing crashes, nothing reaches the terminal, the app keeps running."""
    sam, alice = await people(relay)
    group = await alice.create_group("[b]pwn[/b] \x1b[5m\u202egroup", ["sam"])
    direct = await alice.open_direct("sam")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = main_of(app)
        await wait_for(pilot, lambda: main.current is not None)
        main.open_thread(direct.id)
        await wait_for(pilot, lambda: main.transcript.window is not None)
        for text in HOSTILE:
            await alice.send(direct.id, text)
            await alice.send(group.id, text)
        await wait_for(pilot, lambda: main.session.threads.threads[group.id].unread == len(HOSTILE))
        await wait_for(pilot, lambda: len(shown_texts(app)) == len(HOSTILE))
        await wait_for(pilot, lambda: "[TODO] plan" in drawn(main))
        joined = drawn(main)
        assert "[red]x[/red]" in joined
        assert "[@click=app.quit]z[/]" in joined
        assert "[TODO] plan" in joined
        assert "eviltxt.exe" in joined
        assert "\x1b" not in joined and "\u202e" not in joined and "\x07" not in joined
        sidebar_text = "\n".join(
            str(main.sidebar.options.get_option_at_index(i).prompt)
            for i in range(main.sidebar.options.option_count)
        )
        assert "[b]pwn[/b]" in sidebar_text
        assert "\x1b" not in sidebar_text and "\u202e" not in sidebar_text
        assert "\x1b" not in app.title
        main.open_thread(group.id)
        await wait_for(pilot, lambda: "pwn" in str(main.query_one("#thread-title").render()))
        title = str(main.query_one("#thread-title").render())
        assert "[b]pwn[/b]" in title and "\x1b" not in title
        assert app.is_running
    for client in (sam, alice):
        await client.close()
