"""The sidebar: your threads by latest activity, with unread badges and a filter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
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
    """Two lines: mark, title, time and badge; then the last message, cut to fit."""
    mark = KIND_MARK.get(thread.kind, "?")
    title = safetext.clean_line(book.title(thread), max_chars=max(width - 12, 8))
    when = short_when(thread.last_activity, now) if thread.last_activity else ""
    badge = f" {thread.unread} " if thread.unread else ""
    style = KIND_STYLE.get(thread.kind, "$text")
    head_style = f"{style} bold" if thread.unread else style
    used = cell_len(f"{mark} {title}{when}{badge}") + 1
    gap = " " * max(width - used, 1)
    first = Content.assemble(
        (f"{mark} ", f"{style} bold"),
        (title, head_style),
        gap,
        (when, "$text-muted"),
        (badge, "$text-primary on $primary bold" if badge else ""),
    )
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
    """Threads with unread badges; type in the filter to narrow the list.

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

    class Selected(TextualMessage):
        """The reader chose thread ``thread_id``."""

        def __init__(self, thread_id: int) -> None:
            super().__init__()
            self.thread_id = thread_id

    def __init__(self, book: ThreadBook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.book = book
        self.current: int | None = None
        self.now: Callable[[], datetime] = datetime.now
        """The clock used for times in the list (fixed in snapshot tests)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter (ctrl+k)", id="thread-filter", compact=True)
        yield OptionList(id="threads")

    @property
    def options(self) -> OptionList:
        return self.query_one("#threads", OptionList)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#thread-filter", Input)

    def refresh_threads(self) -> None:
        """Redraw the list from the book, keeping the highlighted thread."""
        options = self.options
        highlighted = options.highlighted_option.id if options.highlighted_option else None
        region = self.options.scrollable_content_region
        width = max(region.width - 2, 16) if region.width else 28
        now = self.now()
        threads = self.book.ordered(self.filter_input.value)
        options.clear_options()
        options.add_options(
            [Option(thread_prompt(self.book, t, width, now), id=str(t.id)) for t in threads]
        )
        wanted = highlighted or (str(self.current) if self.current is not None else None)
        if wanted is not None:
            for index, thread in enumerate(threads):
                if str(thread.id) == wanted:
                    options.highlighted = index
                    break
        elif threads:
            options.highlighted = 0

    def thread_ids(self) -> list[int]:
        return [t.id for t in self.book.ordered(self.filter_input.value)]

    def focus_filter(self) -> None:
        self.filter_input.focus()

    @on(Input.Changed, "#thread-filter")
    def _filter_changed(self) -> None:
        self.refresh_threads()
        if self.options.option_count:
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

    def on_key(self, event: object) -> None:
        from textual.events import Key

        if isinstance(event, Key) and self.filter_input.has_focus and event.key in ("up", "down"):
            options = self.options
            if options.option_count:
                current = options.highlighted or 0
                step = 1 if event.key == "down" else -1
                options.highlighted = max(0, min(options.option_count - 1, current + step))
            event.stop()

    def action_clear_filter(self) -> None:
        self.filter_input.value = ""
        self.screen.focus_next("#composer")
