"""The sidebar: your threads by latest activity, with unread badges and a filter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.cells import cell_len
from textual import events, getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.reactive import reactive
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.protocol.models import Thread
from chatshop.tui import cards
from chatshop.tui.book import ThreadBook
from chatshop.tui.timefmt import short_when

KIND_MARK = {"direct": "@", "group": "#", "brand": "◆"}
KIND_STYLE = {"direct": "$text", "group": "$success", "brand": "$accent"}


def thread_prompt(book: ThreadBook, thread: Thread, width: int, now: datetime) -> Content:
    """Two lines, each cut to ``width`` cells (never wrapped): mark, title, time and badge;
    then the last message."""
    mark = KIND_MARK.get(thread.kind, "?")
    when = short_when(thread.last_activity, now) if thread.last_activity else ""
    badge = f" {thread.unread} " if thread.unread else ""
    style = KIND_STYLE.get(thread.kind, "$text")
    head_style = f"{style} bold" if thread.unread else style
    room = max(width - cell_len(f"{mark} {when}{badge}") - 1, 4)
    title = Content(safetext.clean_line(book.title(thread), max_chars=80)).truncate(
        room, ellipsis=True
    )
    gap = " " * max(width - cell_len(f"{mark} {when}{badge}") - title.cell_length, 1)
    first = Content.assemble(
        (f"{mark} ", f"{style} bold"),
        title.stylize(head_style),
        gap,
        (when, "$text-muted"),
        (badge, "$text-primary on $primary bold" if badge else ""),
    ).truncate(width)
    last = thread.last_message
    if last is None:
        preview = "no messages yet"
    elif last.deleted:
        preview = "message deleted"
    else:
        who = (
            "you" if book.me and last.sender_id == book.me.id else _first_name(book, last.sender_id)
        )
        body = safetext.clean_line(last.text)
        if last.card is not None:
            body = cards.summary(last.card, lambda user_id: _first_name(book, user_id))
        preview = f"{safetext.clean_line(who, max_chars=16)}: {body}"
    second = Content.styled(f"  {preview}", "$text-muted").truncate(width, ellipsis=True)
    return Content("\n").join([first, second])


def _first_name(book: ThreadBook, user_id: int) -> str:
    user = book.user(user_id)
    if user is None:
        return "?"
    return safetext.clean_line(user.display_name.split(" ")[0] or user.handle, max_chars=16)


class Sidebar(Vertical):
    """Threads with unread badges; type in the filter to narrow the list (a direct thread
    with the person you typed comes first).

    | Key | Action |
    | :- | :- |
    | up / down | Move in the list. |
    | enter | Open the highlighted thread. |
    | escape | Clear the filter and go back to the composer. |
    """

    DEFAULT_CSS = """
    Sidebar {
        width: 32;
        height: 1fr;
        & > Input#thread-filter { border: none; height: 1; padding: 0 1; background: $boost; }
        & > OptionList { height: 1fr; border: none; padding: 0; background: $panel; }
        & > OptionList > .option-list--option { padding: 0 1; }
    }
    """

    BINDINGS = [
        Binding(
            "escape",
            "clear_filter",
            "Back",
            show=False,
            id="sidebar.back",
            tooltip="Clear the filter and return to the composer",
        ),
    ]

    version: reactive[int] = reactive(-1)
    """The thread book's version: the list redraws when it changes."""

    current: reactive[int | None] = reactive(None)
    """The open thread, highlighted."""

    class Selected(TextualMessage):
        """The reader chose thread ``thread_id``."""

        def __init__(self, thread_id: int) -> None:
            super().__init__()
            self.thread_id = thread_id

    class Left(TextualMessage):
        """The reader left the filter (escape)."""

    options = getters.query_one("#threads", OptionList)
    filter_input = getters.query_one("#thread-filter", Input)

    def __init__(self, book: ThreadBook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.book = book
        self.now: Callable[[], datetime] = datetime.now
        """The clock used for times in the list (fixed in snapshot tests)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter (ctrl+k)", id="thread-filter", compact=True)
        yield OptionList(id="threads")

    def watch_version(self) -> None:
        self.redraw()

    def watch_current(self) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """The list from the book, cut to the width, keeping the highlighted thread."""
        if not self.is_mounted:
            return
        options = self.options
        highlighted = options.highlighted_option.id if options.highlighted_option else None
        width = max(options.content_region.width - 2, 12)
        now = self.now()
        needle = self.filter_input.value
        threads = self._listed(needle)
        options.clear_options()
        options.add_options(
            [Option(thread_prompt(self.book, t, width, now), id=str(t.id)) for t in threads]
        )
        wanted = str(self.current) if self.current is not None and not needle else highlighted
        number = _number(needle)
        if number is not None and number <= len(threads):
            wanted = str(threads[number - 1].id)
        index = next((n for n, t in enumerate(threads) if str(t.id) == wanted), None)
        if index is None and threads:
            index = 0
        options.highlighted = index

    def _listed(self, needle: str) -> list[Thread]:
        """The threads shown: all of them (numbered from 1) for a number, else the matches."""
        return self.book.ordered("" if _number(needle) is not None else needle)

    def thread_ids(self) -> list[int]:
        return [t.id for t in self._listed(self.filter_input.value)]

    def focus_filter(self) -> None:
        self.filter_input.focus()

    @on(Input.Changed, "#thread-filter")
    def _filter_changed(self) -> None:
        self.redraw()
        if self.options.option_count and _number(self.filter_input.value) is None:
            self.options.highlighted = 0

    @on(Input.Submitted, "#thread-filter")
    def _filter_submitted(self) -> None:
        option = self.options.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Selected(int(option.id)))

    @on(OptionList.OptionSelected, "#threads")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(self.Selected(int(event.option.id)))

    def on_key(self, event: events.Key) -> None:
        if self.filter_input.has_focus and event.key in ("up", "down"):
            options = self.options
            if options.option_count:
                current = options.highlighted or 0
                step = 1 if event.key == "down" else -1
                options.highlighted = max(0, min(options.option_count - 1, current + step))
            event.stop()

    def action_clear_filter(self) -> None:
        self.filter_input.value = ""
        self.post_message(self.Left())


def _number(needle: str) -> int | None:
    """``3`` typed in the filter: thread number 3 (the path that works in every terminal,
    where alt+3 may type a character instead)."""
    needle = needle.strip()
    return int(needle) if needle.isdigit() and 0 < int(needle) < 100 else None
