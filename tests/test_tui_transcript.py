"""The transcript widget pages through a long thread while holding a bounded window."""

from __future__ import annotations

from textual.app import App, ComposeResult

from chatshop.protocol.models import Message, User
from chatshop.tui.widgets.transcript import Transcript
from chatshop.tui.window import PAGE_SIZE, Window
from waiting import wait_for

SIZE = 3_000
MEMBERS = [User(id=1, handle="sam", display_name="Sam"), User(id=2, handle="al", display_name="Al")]


def make(seq: int) -> Message:
    return Message(
        id=seq,
        thread_id=1,
        seq=seq,
        sender_id=1 + seq % 2,
        text=f"message {seq} " + "word " * (seq % 9),
        created_at=1_700_000_000_000 + seq,
    )


class PagingApp(App[None]):
    """A transcript served from memory, the way the main screen serves it from the relay."""

    def __init__(self) -> None:
        super().__init__()
        self.window = Window(thread_id=1, max_size=300)
        self.requests: list[tuple[int | None, bool]] = []

    def compose(self) -> ComposeResult:
        yield Transcript()

    def on_mount(self) -> None:
        self.window.reset([make(s) for s in range(SIZE - 49, SIZE + 1)], more=True, last_seq=SIZE)
        self.query_one(Transcript).show(self.window, members=MEMBERS, me=1)

    def on_transcript_page_wanted(self, event: Transcript.PageWanted) -> None:
        self.requests.append((event.before, event.older))
        top = min(event.before or SIZE + 1, SIZE + 1)
        low = max(top - PAGE_SIZE, 1)
        page = [make(s) for s in range(low, top)]
        transcript = self.query_one(Transcript)
        if event.older:
            self.window.prepend(page, more=low > 1)
            transcript.changed(loaded_older=True)
        else:
            self.window.append_newer(page)
            transcript.changed(loaded_newer=True)


async def test_scrolling_back_loads_pages_and_stays_bounded() -> None:
    """PageUp loads older pages on demand, the window never exceeds its bound, the view keeps
    its place, and End brings the newest messages back."""
    app = PagingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.animation_level = "none"
        transcript = app.query_one(Transcript)
        transcript.focus()
        await pilot.pause()
        assert transcript.window is not None and transcript.window.at_tail
        await pilot.press("pageup")
        for _ in range(8):
            await pilot.press("home")  # each visit to the top asks for an older page
            await pilot.pause()
            assert len(app.window.messages) <= 300
        assert any(older for _, older in app.requests)
        assert (app.window.first_seq or SIZE) < SIZE - 400
        assert not app.window.at_tail
        top_line = transcript.render_line(0).text
        assert top_line.strip()
        for _ in range(40):
            await pilot.press("end")
            await pilot.pause()
            if app.window.at_tail and transcript.max_scroll_y - transcript.scroll_y < 1:
                break
        assert app.window.at_tail and app.window.newest_seq == SIZE
        assert any(not older for _, older in app.requests)


async def test_selection_is_announced() -> None:
    """Up picks the newest message and says so (the screen offers its actions); Esc
    clears the pick."""
    app = PagingApp()
    seen: list[Transcript.Picked] = []
    async with app.run_test(
        size=(80, 24),
        message_hook=lambda m: seen.append(m) if isinstance(m, Transcript.Picked) else None,
    ) as pilot:
        transcript = app.query_one(Transcript)
        transcript.focus()
        await pilot.press("up")
        await wait_for(pilot, lambda: seen and seen[-1].item is not None)
        item = seen[-1].item
        assert item is not None and item.seq == SIZE  # type: ignore[union-attr]
        await pilot.press("escape")
        await wait_for(pilot, lambda: seen[-1].item is None)
        assert transcript.selected_message() is None
