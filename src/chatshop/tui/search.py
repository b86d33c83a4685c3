"""``/search TEXT``: the seam between the command and where the searching happens.

Today the client pages back through the thread's history on the relay (at most
``SEARCH_DEPTH`` messages, newest first) and shows the hits; a relay-side full-text search
can replace :func:`history_hits` without the command changing. In a brand's thread,
``/search`` looks for products instead (:mod:`chatshop.tui.commands.shop`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chatshop import safetext
from chatshop.client import ChatClient
from chatshop.protocol.models import Message, Thread
from chatshop.tui.commands.context import Context
from chatshop.tui.shop.product import search_screen
from chatshop.tui.timefmt import stamp

SEARCH_DEPTH = 1000
"""Messages looked at, newest first, by one search."""
PAGE = 200


@dataclass(frozen=True, slots=True)
class Hits:
    """Messages holding the text, newest first, and how far back the search looked."""

    needle: str
    messages: list[Message]
    searched: int
    complete: bool


def matches(message: Message, needle: str) -> bool:
    return not message.deleted and needle.lower() in message.text.lower()


async def history_hits(client: ChatClient, thread_id: int, needle: str) -> Hits:
    """Page back through the thread on the relay until ``SEARCH_DEPTH`` messages."""
    found: list[Message] = []
    before: int | None = None
    searched = 0
    while searched < SEARCH_DEPTH:
        page = await client.history(thread_id, before=before, limit=PAGE)
        searched += len(page.messages)
        found += [m for m in reversed(page.messages) if matches(m, needle)]
        if not page.more or not page.messages:
            return Hits(needle, found, searched, complete=True)
        before = page.messages[0].seq
    return Hits(needle, found, searched, complete=False)


def run(ctx: Context, thread: Thread, needle: str) -> None:
    brand = ctx.session.threads.brand(thread)
    if brand is not None and ctx.session.threads.customer(thread) is None:
        ctx.push(search_screen(needle, brand.handle))
        return

    def show(hits: Hits) -> None:
        shown = safetext.clean_line(needle, max_chars=40)
        where = "" if hits.complete else f" in the last {hits.searched} messages"
        if not hits.messages:
            ctx.hint(f"Nothing here contains “{shown}”{where}.")
            return
        newest = hits.messages[0]
        count = len(hits.messages)
        when = stamp(newest.created_at, _now())
        text = safetext.clean_line(newest.text, max_chars=60)
        plural = "es" if count != 1 else ""
        ctx.hint(f"{count} match{plural}{where}; newest, {when}: {text}")
        ctx.show_seq(newest.thread_id, newest.seq)

    ctx.call(lambda c: history_hits(c, thread.id, needle), show, label="/search")


def _now() -> datetime:
    return datetime.now().astimezone()
