"""The transcript: one thread's messages drawn line by line from a bounded window.

Only the lines on screen are rendered (Textual's Line API); the widget's virtual height is the
sum of the heights of the messages in the :class:`~chatshop.tui.window.Window`, which holds at
most a few hundred messages whatever the length of the thread. Each message is wrapped once
per width and cached; scrolling near the top asks for an older page, scrolling back down past a
trimmed tail asks for a newer one, and the view keeps its place while pages come and go.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import msgspec
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message as TextualMessage
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chatshop import safetext
from chatshop.protocol.models import Message, User
from chatshop.tui import cards
from chatshop.tui.timefmt import clock, day_label, local_datetime
from chatshop.tui.window import PAGE_SIZE, Pending, QuoteCache, Window

HEADER_GAP_MS = 5 * 60 * 1000
"""Consecutive messages of one sender closer than this share one header line."""

LOAD_MARGIN = 2
"""Start fetching another page when fewer than this many screens remain above or below."""

SENDER_CLASSES = 5

CARD_ROLES = ("title", "amount", "meta", "note", "ok", "bad", "action", "was")

Item = Message | Pending


@dataclass(frozen=True, slots=True)
class Block:
    """One thing drawn in the transcript: a message, a day separator, a marker."""

    kind: str  # "edge", "day", "new", "message", "pending"
    key: tuple[object, ...]
    item: Item | None = None
    label: str = ""
    header: bool = False
    seen_by: tuple[str, ...] = ()


class Transcript(ScrollView, can_focus=True):
    """The messages of the open thread.

    | Key | Action |
    | :- | :- |
    | up / down | Select the previous / next message. |
    | pageup / pagedown | Scroll one page. |
    | home / end | Oldest loaded message / newest message. |
    | escape | Clear the selection and go back to the composer. |

    What a picked message offers (reply, edit, pay, open...) has its keys on the main
    screen, declared once in :mod:`chatshop.tui.commands`; the transcript only says which
    message is picked (:class:`Picked`). It follows the newest message while the reader is
    at the bottom, also when the view gets shorter (a hint line appears, the window shrinks).

    Cards (payments, requests, splits, red packets) take two to four lines, drawn from their
    structured fields by :mod:`chatshop.tui.cards`.
    """

    DEFAULT_CSS = """
    Transcript {
        background: $surface;
        scrollbar-gutter: stable;
        & > .transcript--sender-0 { color: $accent; text-style: bold; }
        & > .transcript--sender-1 { color: $success; text-style: bold; }
        & > .transcript--sender-2 { color: $warning; text-style: bold; }
        & > .transcript--sender-3 { color: $secondary; text-style: bold; }
        & > .transcript--sender-4 { color: $error; text-style: bold; }
        & > .transcript--me { color: $primary; text-style: bold; }
        & > .transcript--brand { color: $accent; text-style: bold italic; }
        & > .transcript--meta { color: $text-muted; }
        & > .transcript--quote { color: $text-muted; text-style: italic; }
        & > .transcript--deleted { color: $text-disabled; text-style: italic; }
        & > .transcript--pending { color: $text-muted; }
        & > .transcript--failed { color: $error; }
        & > .transcript--day { color: $text-muted; text-style: bold; }
        & > .transcript--new { color: $error; text-style: bold; }
        & > .transcript--card-title { text-style: bold; }
        & > .transcript--card-amount { color: $accent; text-style: bold; }
        & > .transcript--card-meta { color: $text-muted; }
        & > .transcript--card-note { color: $text; text-style: italic; }
        & > .transcript--card-ok { color: $success; }
        & > .transcript--card-bad { color: $error; }
        & > .transcript--card-was { color: $text-muted; text-style: strike; }
        & > .transcript--card-action { color: $text; background: $primary 40%; text-style: bold; }
        & > .transcript--selected { background: $boost; }
        &:focus > .transcript--selected { background: $primary 25%; }
    }
    """

    COMPONENT_CLASSES = {
        *(f"transcript--sender-{n}" for n in range(SENDER_CLASSES)),
        "transcript--me",
        "transcript--brand",
        "transcript--meta",
        "transcript--quote",
        "transcript--deleted",
        "transcript--pending",
        "transcript--failed",
        "transcript--day",
        "transcript--new",
        "transcript--selected",
        *(f"transcript--card-{role}" for role in CARD_ROLES),
    }

    BINDINGS = [
        Binding(
            "up",
            "select(-1)",
            "Previous",
            show=False,
            id="transcript.up",
            tooltip="Select the previous message",
        ),
        Binding(
            "down",
            "select(1)",
            "Next",
            show=False,
            id="transcript.down",
            tooltip="Select the next message",
        ),
        Binding(
            "home",
            "oldest",
            "Oldest",
            show=False,
            id="transcript.home",
            tooltip="Jump to the oldest loaded message",
        ),
        Binding(
            "end",
            "newest",
            "Newest",
            show=False,
            id="transcript.end",
            tooltip="Jump to the newest message",
        ),
        Binding(
            "escape",
            "leave",
            "Composer",
            show=False,
            id="transcript.leave",
            tooltip="Clear the selection and return to the composer",
        ),
    ]

    unseen: reactive[int] = reactive(0)
    """Messages that arrived below the visible part while the reader was scrolled up."""

    class PageWanted(TextualMessage):
        """The reader scrolled near an edge of the window: fetch messages before ``before``."""

        def __init__(self, thread_id: int, before: int | None, older: bool) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.before = before
            self.older = older
            self.limit = PAGE_SIZE
            """How many to fetch (bench/bench_transcript.py serves pages by it)."""

    class ReachedEnd(TextualMessage):
        """The newest message ``seq`` of thread ``thread_id`` is on screen."""

        def __init__(self, thread_id: int, seq: int) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.seq = seq

    class Picked(TextualMessage):
        """The picked item changed (``None``: nothing is picked)."""

        def __init__(self, item: Item | None) -> None:
            super().__init__()
            self.item = item

    class UnseenChanged(TextualMessage):
        """The count of new messages below the visible part changed."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(
        self,
        *,
        quotes: QuoteCache | None = None,
        tz: tzinfo | None = None,
        today: Callable[[], date] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.window: Window | None = None
        self.members: dict[int, User] = {}
        self.me: int | None = None
        self.new_marker_seq: int | None = None
        self.read_by: dict[int, int] = {}
        self.quotes = quotes if quotes is not None else QuoteCache()
        self.tz = tz
        self.today: Callable[[], date] = today or (lambda: datetime.now(tz).date())
        self.selected: int | None = None
        """Index into ``_blocks`` of the selected message block."""
        self.loading_older = False
        self.loading_newer = False
        self._blocks: list[Block] = []
        self._offsets: list[int] = []
        self._heights: list[int] = []
        self._strips: dict[tuple[object, ...], list[Strip]] = {}
        self._layout_width = 0
        self._layout_version = -1
        self._sender_slots: dict[int, int] = {}
        self._following = True

    # ------------------------------------------------------------------ public API

    def show(
        self,
        window: Window,
        *,
        members: Iterable[User],
        me: int | None,
        new_marker_seq: int | None = None,
    ) -> None:
        """Display ``window`` (a thread just opened); start at the new-messages marker or at
        the end."""
        self.window = window
        self.members = {user.id: user for user in members}
        self.me = me
        self.new_marker_seq = new_marker_seq
        self.read_by = {}
        self.selected = None
        self.post_message(self.Picked(None))
        self._following = True
        self.loading_older = self.loading_newer = False
        self.unseen = 0
        self._sender_slots = {}
        self._strips = {}
        for message in window.messages:
            self.quotes.remember(message)
        self._relayout(anchor=None, follow=True)
        if new_marker_seq is not None:
            for index, block in enumerate(self._blocks):
                if block.kind == "new":
                    top = max(self._offsets[index] - 1, 0)
                    self.scroll_to(y=top, animate=False, immediate=True)
                    break
        self._check_edges()

    def set_members(self, members: Iterable[User]) -> None:
        """The thread's members changed (names shown may change)."""
        self.members = {user.id: user for user in members}
        self._strips = {}
        self.changed()

    def set_read(self, user_id: int, seq: int) -> None:
        """Member ``user_id`` has read up to ``seq``."""
        if user_id == self.me or self.read_by.get(user_id, 0) >= seq:
            return
        self.read_by[user_id] = seq
        self.changed()

    def changed(self, *, loaded_older: bool = False, loaded_newer: bool = False) -> None:
        """The window changed (messages added, edited, pages loaded): re-layout, keep place."""
        if loaded_older:
            self.loading_older = False
        if loaded_newer:
            self.loading_newer = False
        if self.window is None:
            return
        for message in self.window.messages[-PAGE_SIZE:]:
            self.quotes.remember(message)
        follow = self._following and self.window.at_tail
        before_lines = self.virtual_size.height
        self._relayout(anchor=self._anchor(), follow=follow)
        if not follow and self.virtual_size.height > before_lines and self.window.at_tail:
            grown = self._count_unseen()
            if grown != self.unseen:
                self.unseen = grown
        self._check_edges()

    def selected_message(self) -> Message | None:
        """The selected message, if any (a confirmed one)."""
        item = self.selected_item()
        return item if isinstance(item, Message) else None

    def selected_item(self) -> Item | None:
        """The selected message or pending one, if any."""
        if self.selected is None or self.selected >= len(self._blocks):
            return None
        return self._blocks[self.selected].item

    def newest_item(self) -> Item | None:
        """The last thing in the transcript: a message written here and refused, or the
        newest message, when the window reaches the thread's end."""
        window = self.window
        if window is None or not window.at_tail:
            return None
        failed = [p for p in window.pending if p.failed is not None]
        if failed:
            return failed[-1]
        return window.messages[-1] if window.messages else None

    def last_message(self, *, mine: bool | None = None) -> Message | None:
        """The newest message in the window, optionally only yours (True) or others' (False)."""
        if self.window is None:
            return None
        for message in reversed(self.window.messages):
            if message.deleted or (mine and message.card is not None):
                continue
            if mine is None or (message.sender_id == self.me) == mine:
                return message
        return None

    def select_seq(self, seq: int) -> bool:
        """Select the message numbered ``seq`` and bring it into view."""
        for index, block in enumerate(self._blocks):
            if (
                block.kind == "message"
                and isinstance(block.item, Message)
                and (block.item.seq == seq)
            ):
                self._select_index(index)
                return True
        return False

    def _select_index(self, index: int) -> None:
        self.selected = index
        self.post_message(self.Picked(self._blocks[index].item))
        region = Region(0, self._offsets[index], 1, self._heights[index])
        self.scroll_to_region(region, animate=False, immediate=True)
        self.refresh()
        self.refresh_bindings()

    def scroll_end_now(self) -> None:
        """Jump to the newest message."""
        self.scroll_end(animate=False, immediate=True)

    # ------------------------------------------------------------------ watchers

    def watch_unseen(self, count: int) -> None:
        self.post_message(self.UnseenChanged(count))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._following = self._at_bottom()
        self._check_edges()

    # ------------------------------------------------------------------ layout

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 10)

    def _anchor(self) -> tuple[tuple[object, ...], int] | None:
        """The block at the top of the view and how far into it the view starts."""
        if not self._blocks:
            return None
        y = round(self.scroll_y)
        index = max(bisect.bisect_right(self._offsets, y) - 1, 0)
        return self._blocks[index].key, y - self._offsets[index]

    def _relayout(self, *, anchor: tuple[tuple[object, ...], int] | None, follow: bool) -> None:
        selected_key = (
            self._blocks[self.selected].key
            if self.selected is not None and self.selected < len(self._blocks)
            else None
        )
        width = self._content_width()
        if width != self._layout_width:
            self._strips = {}
            self._layout_width = width
        blocks = self._build_blocks()
        strips: dict[tuple[object, ...], list[Strip]] = {}
        offsets: list[int] = []
        heights: list[int] = []
        total = 0
        for block in blocks:
            lines = self._strips.get(block.key) or strips.get(block.key)
            if lines is None:
                lines = self._render_block(block, width)
            strips[block.key] = lines
            offsets.append(total)
            heights.append(len(lines))
            total += len(lines)
        self._blocks, self._offsets, self._heights, self._strips = blocks, offsets, heights, strips
        self._layout_version = self.window.version if self.window else -1
        self.selected = None
        if selected_key is not None:
            for index, block in enumerate(blocks):
                if block.key == selected_key:
                    self.selected = index
                    break
        self.virtual_size = Size(width, total)
        if follow:
            self.scroll_to(
                y=max(total - self.scrollable_content_region.height, 0),
                animate=False,
                immediate=True,
                force=True,
            )
        elif anchor is not None:
            key, into = anchor
            for index, block in enumerate(blocks):
                if block.key == key:
                    self.scroll_to(
                        y=offsets[index] + into, animate=False, immediate=True, force=True
                    )
                    break
        self.refresh()

    def _build_blocks(self) -> list[Block]:
        window = self.window
        if window is None:
            return []
        blocks: list[Block] = []
        if window.has_older:
            label = "↑ loading older messages…" if self.loading_older else "↑ older messages"
            blocks.append(Block("edge", ("edge", label), label=label))
        elif window.messages:
            label = "— the beginning of this conversation —"
            blocks.append(Block("edge", ("edge", label), label=label))
        else:
            label = "No messages yet. Say hello!"
            blocks.append(Block("edge", ("edge", label), label=label))
        seen = self._seen_positions(window)
        today = self.today()
        previous: Message | None = None
        previous_day: date | None = None
        marker = self.new_marker_seq
        for message in window.messages:
            day = local_datetime(message.created_at, self.tz).date()
            fresh_day = day != previous_day
            if fresh_day:
                label = day_label(day, today)
                blocks.append(Block("day", ("day", day), label=label))
                previous_day = day
            is_marker = marker is not None and message.seq == marker
            if is_marker:
                blocks.append(Block("new", ("new", message.seq), label="new messages"))
            header = (
                fresh_day
                or is_marker
                or previous is None
                or previous.sender_id != message.sender_id
                or message.created_at - previous.created_at > HEADER_GAP_MS
                or message.reply_to is not None
            )
            seen_by = seen.get(message.seq, ())
            quoted = self.quotes.get(message.reply_to) if message.reply_to else None
            key: tuple[object, ...] = (
                "m",
                message.id,
                message.edited_at,
                message.deleted,
                _card_key(message),
                header,
                seen_by,
                quoted.id if quoted else None,
                quoted.deleted if quoted else None,
                quoted.edited_at if quoted else None,
                self._sender_name(message.sender_id),
            )
            blocks.append(Block("message", key, item=message, header=header, seen_by=seen_by))
            previous = message
        if window.at_tail:
            if window.pending and (previous_day is None or previous_day != today):
                blocks.append(Block("day", ("day", today), label=day_label(today, today)))
            for pending in window.pending:
                key = ("p", pending.key, pending.failed)
                blocks.append(Block("pending", key, item=pending, header=True))
        else:
            label = "↓ newer messages"
            blocks.append(Block("edge", ("edge-bottom", label), label=label))
        return blocks

    def _seen_positions(self, window: Window) -> dict[int, tuple[str, ...]]:
        """Where each member's read marker falls in the window: seq -> names."""
        if not self.read_by or not window.messages:
            return {}
        first = window.messages[0].seq
        newest = window.messages[-1].seq
        positions: dict[int, list[str]] = {}
        for user_id, seq in sorted(self.read_by.items()):
            if seq < first:
                continue
            at = min(seq, newest)
            positions.setdefault(at, []).append(self._sender_name(user_id))
        return {seq: tuple(names) for seq, names in positions.items()}

    # ------------------------------------------------------------------ rendering

    def _rich_console(self) -> Console:
        return self.app.console

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _sender_name(self, user_id: int) -> str:
        user = self.members.get(user_id)
        if user is None:
            return f"user #{user_id}"
        return safetext.clean_line(user.display_name or user.handle, max_chars=40) or user.handle

    def _sender_style(self, user_id: int) -> Style:
        if user_id == self.me:
            return self._style("transcript--me")
        user = self.members.get(user_id)
        if user is not None and user.kind == "brand":
            return self._style("transcript--brand")
        slot = self._sender_slots.setdefault(user_id, len(self._sender_slots) % SENDER_CLASSES)
        return self._style(f"transcript--sender-{slot}")

    def _render_block(self, block: Block, width: int) -> list[Strip]:
        console = self._rich_console()
        if block.kind in ("edge", "day", "new"):
            style = self._style(
                {"edge": "transcript--meta", "day": "transcript--day", "new": "transcript--new"}[
                    block.kind
                ]
            )
            label = f" {block.label} "
            line = Text(label, style=style, end="")
            if block.kind != "edge":
                pad = max(width - line.cell_len, 0)
                left = pad // 2
                line = Text.assemble(("─" * left, style), line, ("─" * (pad - left), style), end="")
            else:
                line.align("center", width)
            lines = [line]
            if block.kind == "day":
                lines.insert(0, Text(""))
            return [self._strip(console, text, width) for text in lines]
        assert block.item is not None
        return self._render_item(console, block, block.item, width)

    def _render_item(self, console: Console, block: Block, item: Item, width: int) -> list[Strip]:
        meta = self._style("transcript--meta")
        lines: list[Text] = []
        sender_id = item.sender_id if isinstance(item, Message) else self.me
        if block.header:
            name = self._sender_name(sender_id) if sender_id is not None else "you"
            header = Text(end="")
            header.append(name, self._sender_style(sender_id) if sender_id is not None else meta)
            header.append("  " + clock(item.created_at, self.tz), meta)
            lines.append(header)
        reply_to = item.reply_to
        if reply_to is not None:
            lines.append(self._quote_line(reply_to, width))
        body_width = max(width - 2, 4)
        body: Text | None
        if isinstance(item, Message) and item.deleted:
            body = Text("message deleted", self._style("transcript--deleted"), end="")
        elif isinstance(item, Message) and item.card is not None:
            text_first = isinstance(item.card, cards.TEXT_AFTER)
            said = item.text.strip() and not cards.repeats_text(item.card, item.text)
            if text_first and said:
                for wrapped in safetext.text(item.text).wrap(console, body_width, overflow="fold"):
                    lines.append(Text.assemble("  ", wrapped, end=""))
            for number, card_line in enumerate(self._card_lines(item)):
                wrapped_lines = card_line.wrap(console, body_width - 3, overflow="fold")
                for index, wrapped in enumerate(wrapped_lines):
                    indent = "     " if number or index else "  "
                    lines.append(Text.assemble(indent, wrapped, end=""))
            body = safetext.text(item.text) if said and not text_first else None
        else:
            body = safetext.text(item.text)
            if isinstance(item, Message) and item.edited_at is not None:
                body.append(" (edited)", meta)
            if isinstance(item, Pending):
                if item.failed:
                    body.append(
                        f"  ✗ {safetext.clean_line(item.failed)}", self._style("transcript--failed")
                    )
                else:
                    body.append("  ⧗ pending", self._style("transcript--pending"))
        if body is not None:
            for wrapped in body.wrap(console, body_width, overflow="fold"):
                lines.append(Text.assemble("  ", wrapped, end=""))
        if block.seen_by:
            names = ", ".join(block.seen_by[:3])
            if len(block.seen_by) > 3:
                names += f" +{len(block.seen_by) - 3}"
            seen = Text(f"✓ seen by {names}", meta, end="")
            seen.truncate(width, overflow="ellipsis")
            seen.align("right", width)
            lines.append(seen)
        return [self._strip(console, line, width) for line in lines]

    def _card_lines(self, message: Message) -> list[Text]:
        """The card's lines, each span styled by its role."""
        assert message.card is not None
        result = []
        for spans in cards.lines(message.card, me=self.me, name=self._sender_name):
            line = Text(end="")
            for text, role in spans:
                line.append(text, self._style(f"transcript--card-{role}"))
            result.append(line)
        return result

    def _quote_line(self, reply_to: int, width: int) -> Text:
        quote_style = self._style("transcript--quote")
        original = self.quotes.get(reply_to)
        if original is None:
            summary = "an earlier message"
        elif original.deleted:
            summary = f"{self._sender_name(original.sender_id)}: message deleted"
        else:
            text = safetext.clean_line(original.text)
            summary = f"{self._sender_name(original.sender_id)}: {text}"
        line = Text(f"  ┃ ↪ {summary}", quote_style, end="")
        line.truncate(width, overflow="ellipsis")
        return line

    @staticmethod
    def _strip(console: Console, line: Text, width: int) -> Strip:
        segments = [s for s in line.render(console) if s.text != "\n"]
        return Strip(segments).crop_extend(0, width, None)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        line = scroll_y + y
        if (
            self.window is not None
            and self._layout_version == self.window.version
            and self._layout_width == self._content_width()
            and 0 <= line < self.virtual_size.height
            and self._blocks
        ):
            index = bisect.bisect_right(self._offsets, line) - 1
            strip = self._strips[self._blocks[index].key][line - self._offsets[index]]
            if index == self.selected:
                strip = strip.apply_style(self._style("transcript--selected"))
            return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)
        return Strip([Segment(" " * width, base)], width)

    # ------------------------------------------------------------------ events

    def on_resize(self, event: events.Resize) -> None:
        if self.window is None:
            return
        if self._content_width() != self._layout_width:
            self._relayout(anchor=self._anchor(), follow=self._following)
        elif self._following:
            self.scroll_end_now()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = {}
        if self.window is not None and self.is_mounted:
            self._relayout(anchor=self._anchor(), follow=self._following)

    def _at_bottom(self) -> bool:
        return round(self.scroll_y) >= self.max_scroll_y - 1

    def _count_unseen(self) -> int:
        """Messages wholly below the visible part."""
        if self.window is None:
            return 0
        bottom = round(self.scroll_y) + self.scrollable_content_region.height
        return sum(
            1
            for block, offset in zip(self._blocks, self._offsets, strict=True)
            if block.kind == "message" and offset >= bottom
        )

    def _check_edges(self) -> None:
        """Ask for more messages when the view comes near an edge of the window."""
        window = self.window
        if window is None or not self.is_mounted:
            return
        height = max(self.scrollable_content_region.height, 1)
        y = round(self.scroll_y)
        if (
            window.has_older
            and not self.loading_older
            and y < height * LOAD_MARGIN
            and window.first_seq is not None
        ):
            self.loading_older = True
            self.post_message(self.PageWanted(window.thread_id, window.first_seq, older=True))
        if (
            not window.at_tail
            and not self.loading_newer
            and (y + height > self.virtual_size.height - height * LOAD_MARGIN)
        ):
            newest = window.newest_seq or 0
            self.loading_newer = True
            self.post_message(
                self.PageWanted(window.thread_id, newest + PAGE_SIZE + 1, older=False)
            )
        if window.at_tail and self._at_bottom() and window.messages:
            if self.unseen:
                self.unseen = 0
            self.post_message(self.ReachedEnd(window.thread_id, window.messages[-1].seq))

    # ------------------------------------------------------------------ actions

    def _message_indices(self) -> list[int]:
        return [i for i, b in enumerate(self._blocks) if b.kind in ("message", "pending")]

    def action_select(self, step: int) -> None:
        indices = self._message_indices()
        if not indices:
            return
        if self.selected is None or self.selected not in indices:
            position = len(indices) - 1 if step < 0 else 0
        else:
            position = min(max(indices.index(self.selected) + step, 0), len(indices) - 1)
        self._select_index(indices[position])

    def action_oldest(self) -> None:
        self.scroll_home(animate=False, immediate=True)

    def action_newest(self) -> None:
        self.scroll_end(animate=False, immediate=True)

    def action_leave(self) -> None:
        self.unpick()
        self.screen.focus_next()

    def unpick(self) -> None:
        """Clear the selection."""
        if self.selected is not None:
            self.selected = None
            self.post_message(self.Picked(None))
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _card_key(message: Message) -> bytes | None:
    """A card's state for the layout cache (cards hold lists, so they are not hashable)."""
    return msgspec.json.encode(message.card) if message.card is not None else None
