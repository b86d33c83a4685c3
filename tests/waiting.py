"""Waiting in tests: on the exact thing a test then uses, never for a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.css.query import NoMatches
from textual.pilot import Pilot

from chatshop.tui.app import ChatshopApp
from chatshop.tui.screens.main import MainScreen

# How often a condition is looked at again; a test waits for it, never for this long.
POLL = 0.02


async def wait_for(
    pilot: Pilot[None],
    check: Callable[[], object],
    timeout: float = 15.0,
    *,
    describe: Callable[[], str] | None = None,
) -> None:
    """Let the app run until ``check()`` is true; a widget not mounted yet counts as false.

    The timeout is generous because it is only reached by a failing test: under load
    (``-n 4`` on two cores) a passing one can take several seconds to get there.
    """
    loops = int(timeout / POLL)
    for _ in range(loops):
        try:
            if check():
                return
        except NoMatches:
            pass
        await pilot.pause(POLL)
    detail = f" ({describe()})" if describe is not None else ""
    raise AssertionError(f"timed out waiting for {check}{detail}")


async def main_ready(pilot: Pilot[None]) -> MainScreen:
    """The main screen, once it is mounted with the thread list loaded (it subscribes to
    the feed on mount, so nothing published after this is missed)."""
    app = pilot.app
    assert isinstance(app, ChatshopApp)

    def ready() -> bool:
        main = app.main_screen()
        return (
            main is not None
            and main.is_mounted
            and main.session.threads.loaded
            and app.screen is main
        )

    await wait_for(pilot, ready)
    main = app.main_screen()
    assert main is not None
    return main


async def settled(pilot: Pilot[None]) -> None:
    """Every worker of the app finished and every scheduled refresh and animation done."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def until(check: Callable[[], object], within: float = 10.0) -> None:
    """Yield to the event loop until ``check()`` is true (state of an object in this loop,
    which no event announces); fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 - the state has no event of its own to wait on
            await asyncio.sleep(POLL)
