"""The open thread's title line: its name, and who is in it (for brand staff: which brand)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from chatshop import safetext
from chatshop.tui.book import ThreadBook
from chatshop.tui.widgets.sidebar import KIND_MARK


class ThreadTitle(Static):
    """Redraws when the open thread or the thread book changes."""

    version: reactive[int] = reactive(-1)
    current: reactive[int | None] = reactive(None)

    def __init__(self, book: ThreadBook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.book = book

    def watch_version(self) -> None:
        self.redraw()

    def watch_current(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        book = self.book
        thread = book.threads.get(self.current) if self.current is not None else None
        if thread is None:
            self.update(Content("No conversation open — /dm @handle to start one"))
            return
        name = safetext.clean_line(book.title(thread), max_chars=48)
        if thread.kind == "group":
            detail = (
                f"{len(thread.members)} members: "
                + ", ".join(f"@{m.handle}" for m in thread.members[:6])
                + (" …" if len(thread.members) > 6 else "")
            )
        elif (customer := book.customer(thread)) is not None:
            brand = book.brand(thread)
            detail = f"@{customer.handle} · customer of @{brand.handle if brand else '?'}"
        else:
            other = book.other(thread)
            detail = f"@{other.handle}" if other else ""
            if thread.kind == "brand":
                detail += " · brand"
        answering = book.answering.get(thread.id)
        if answering:
            detail += (
                f" · {answering}"
                if answering.startswith(("the ", "waiting"))
                else (f" · {answering} answers")
            )
        mark = KIND_MARK.get(thread.kind, "")
        self.update(
            Content.assemble(
                (f"{mark} {name}", "bold"), ("  " + safetext.clean_line(detail), "$text-muted")
            )
        )
