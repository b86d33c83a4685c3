"""The composer under a burst of keys: what tmux send-keys or a paste delivers all at once."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from chatshop.tui.widgets.composer import Composer


class ComposerApp(App[None]):
    """Just a composer, recording what it submits."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def compose(self) -> ComposeResult:
        yield Composer(id="composer")

    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        self.sent.append(event.text)


NAMES = {" ": "space", ",": "comma", "?": "question_mark", "\r": "enter"}


def burst(app: App[None], text: str) -> None:
    """Queue every key at once, the way the driver does for one read from the terminal
    (``\r`` is Enter)."""
    assert app._driver is not None
    for character in text:
        event = events.Key(NAMES.get(character, character), character)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_keys_typed_before_enter_in_one_burst_are_all_sent() -> None:
    """Enter arriving in the same burst as the text sends the whole line (it used to cut
    "Hey alice, climbing tonight?" to "Hey alice, climbin"), and keys after Enter start the
    next message instead of being wiped."""
    app = ComposerApp()
    async with app.run_test(size=(80, 10)) as pilot:
        composer = app.query_one(Composer)
        composer.focus()
        await pilot.pause()
        line = "Hey alice, climbing tonight?"
        burst(app, f"{line}\rnext one")
        for _ in range(100):
            await pilot.pause(0.01)
            if app.sent and composer.text == "next one":
                break
        assert app.sent == [line]
        assert composer.text == "next one"
        burst(app, "\rthird\r")
        for _ in range(100):
            await pilot.pause(0.01)
            if len(app.sent) == 3:
                break
        assert app.sent == [line, "next one", "third"]
        assert composer.text == ""


async def test_restore_puts_back_only_into_an_empty_composer() -> None:
    """A line the screen could not use comes back, unless something new was typed."""
    app = ComposerApp()
    async with app.run_test(size=(80, 10)) as pilot:
        composer = app.query_one(Composer)
        composer.restore("$12.505 taxi")
        assert composer.text == "$12.505 taxi"
        composer.set_text("new")
        composer.restore("old")
        await pilot.pause()
        assert composer.text == "new"
