"""How the app looks: login, main screen (at 80x24 and wider), help, hostile text.

The data is fixed (no relay, fixed clock and time zone) so the pictures are stable; the
behaviour against a real relay is in test_tui_app.py. Update with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from chatshop.config import Config
from chatshop.protocol.frames import History
from chatshop.protocol.models import Message, Thread, User
from chatshop.tui import jobs
from chatshop.tui.app import ChatshopApp
from chatshop.tui.link import LoggedIn

URL = "ws://127.0.0.1:8765"
NOW = datetime(2026, 3, 6, 18, 30, tzinfo=UTC)
DAY = 86_400_000
T0 = int(NOW.timestamp() * 1000)

SAM = User(id=1, handle="sam", display_name="Sam Carter")
ALICE = User(id=2, handle="alice", display_name="Alice Moreau")
BOB = User(id=3, handle="bob", display_name="Bob Okafor")
NORTHWIND = User(id=4, handle="northwind", display_name="Northwind Outfitters", kind="brand")

SnapCompare = Callable[..., bool]


def _m(seq: int, sender: User, text: str, at: int, **extra: Any) -> Message:
    return Message(
        id=300 + seq, thread_id=3, seq=seq, sender_id=sender.id, text=text, created_at=at, **extra
    )


PIZZA = [
    _m(1, ALICE, "Pizza Friday again? Same place?", T0 - DAY - 3_600_000),
    _m(2, BOB, "I'm in. [TODO] book the big table", T0 - DAY - 3_500_000),
    _m(3, SAM, "Booked for 8 — see you there", T0 - DAY - 3_400_000, edited_at=T0 - DAY),
    _m(4, BOB, "", T0 - 7_200_000, deleted=True),
    _m(5, ALICE, "[red]not red[/red] \x1b[31mno escapes\x1b[0m evil\u202etxt.exe", T0 - 3_600_000),
    _m(6, SAM, "Who's bringing drinks?", T0 - 1_800_000, reply_to=302),
    _m(7, BOB, "Me! 🥤", T0 - 600_000),
]

THREADS = [
    Thread(
        id=3,
        kind="group",
        name="Pizza Friday",
        owner_id=1,
        members=[SAM, ALICE, BOB],
        last_seq=7,
        last_activity=PIZZA[-1].created_at,
        last_message=PIZZA[-1],
        unread=2,
        read_seq=5,
    ),
    Thread(
        id=1,
        kind="direct",
        name="",
        owner_id=None,
        members=[SAM, ALICE],
        last_seq=4,
        last_activity=T0 - 5_000_000,
        unread=1,
        read_seq=3,
        last_message=Message(
            id=14,
            thread_id=1,
            seq=4,
            sender_id=2,
            text="Did you see the coat Northwind posted?",
            created_at=T0 - 5_000_000,
        ),
    ),
    Thread(
        id=4,
        kind="brand",
        name="",
        owner_id=None,
        members=[SAM, NORTHWIND],
        last_seq=2,
        last_activity=T0 - 2 * DAY,
        read_seq=2,
        last_message=Message(
            id=22,
            thread_id=4,
            seq=2,
            sender_id=4,
            text="New in: the Harbour sport coat, 20 % off",
            created_at=T0 - 2 * DAY,
        ),
    ),
    Thread(
        id=2,
        kind="direct",
        name="",
        owner_id=None,
        members=[SAM, BOB],
        last_seq=1,
        last_activity=T0 - 9 * DAY,
        read_seq=1,
        last_message=Message(
            id=11, thread_id=2, seq=1, sender_id=1, text="See you!", created_at=T0 - 9 * DAY
        ),
    ),
]


def fixture_app() -> ChatshopApp:
    return ChatshopApp(
        Config(), tokens=None, server=URL, persist=False, tz=UTC, today=lambda: NOW.date()
    )


async def show_main(pilot: Pilot[None]) -> None:
    """Log in as sam with fixed data: what the link would have posted."""
    app = pilot.app
    assert isinstance(app, ChatshopApp)
    app.post_message(LoggedIn(URL, SAM, "token"))
    await pilot.pause()
    main = app.main_screen()
    assert main is not None
    main.sidebar.now = lambda: NOW.replace(tzinfo=None)
    main.composer.cursor_blink = False
    main.receive(jobs.ThreadsLoaded(THREADS))
    main.receive(jobs.HistoryLoaded(History(thread_id=3, messages=PIZZA, more=False), "latest"))
    await pilot.pause()
    main.transcript.set_read(ALICE.id, 6)
    await pilot.pause()


def test_login_screen(snap_compare: SnapCompare) -> None:
    """The login screen with a preselected relay."""
    assert snap_compare(fixture_app(), terminal_size=(80, 24))


def test_main_screen_80x24(snap_compare: SnapCompare) -> None:
    """Threads, the group conversation with a day separator, a reply, an edit, a deleted
    message, a new-messages marker, a read marker and hostile text, at 80x24."""
    assert snap_compare(fixture_app(), terminal_size=(80, 24), run_before=show_main)


def test_main_screen_wide(snap_compare: SnapCompare) -> None:
    """The same at 120x32."""
    assert snap_compare(fixture_app(), terminal_size=(120, 32), run_before=show_main)


def test_slash_completion(snap_compare: SnapCompare) -> None:
    """Typing a slash lists matching commands with their inline help."""

    async def run_before(pilot: Pilot[None]) -> None:
        await show_main(pilot)
        await pilot.press(*"/fr")

    assert snap_compare(fixture_app(), terminal_size=(100, 28), run_before=run_before)


def test_help_screen(snap_compare: SnapCompare) -> None:
    """F1 shows keys and commands."""

    async def run_before(pilot: Pilot[None]) -> None:
        await show_main(pilot)
        await pilot.press("f1")

    assert snap_compare(fixture_app(), terminal_size=(100, 34), run_before=run_before)
