"""The open conversation: title, transcript, typing line, the newest message's actions,
the reply banner, the composer and the hint.

It shows the thread named by its ``thread_id`` reactive (bound from the screen), loads its
history through the link, follows the feed's signals for that thread, and marks what was
read. What a message offers is decided by the screen (``choices``, bound down); picking one
is posted up as :class:`ActionBar.Chosen`.
"""

from __future__ import annotations

from textual import getters, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message as TextualMessage
from textual.reactive import reactive

from chatshop import safetext
from chatshop.protocol.frames import History, ReadEvent
from chatshop.protocol.models import Message
from chatshop.tui.failure import Failure
from chatshop.tui.host import Host
from chatshop.tui.widgets.actionbar import ActionBar, Choice
from chatshop.tui.widgets.composer import Completer, Composer
from chatshop.tui.widgets.lines import Banner, FirstRunHint, HintLine, InfoLine
from chatshop.tui.widgets.thread_title import ThreadTitle
from chatshop.tui.widgets.transcript import Transcript
from chatshop.tui.window import PAGE_SIZE

FIRST_PAGE = 50


class Conversation(Vertical):
    """One thread, as the reader sees and answers it."""

    app: Host

    thread_id: reactive[int | None] = reactive(None)
    """The thread shown."""
    version: reactive[int] = reactive(-1)
    """The thread book's version (the title redraws on it)."""
    banner: reactive[str] = reactive("")
    """The reply / edit line above the composer."""
    choices: reactive[tuple[Choice, ...]] = reactive(())
    """The buttons under the newest message."""

    transcript = getters.query_one("#transcript", Transcript)
    composer = getters.query_one("#composer", Composer)
    actions = getters.query_one("#actions", ActionBar)
    hint_line = getters.query_one("#hint", HintLine)
    info = getters.query_one("#info", InfoLine)

    class Changed(TextualMessage):
        """What the open thread shows changed (messages came, a card moved)."""

    def __init__(self, *, completer: Completer, intro: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self._completer = completer
        self._intro = intro
        self._marked: dict[int, int] = {}

    def compose(self) -> ComposeResult:
        session = self.app.session
        yield ThreadTitle(session.threads, id="thread-title").data_bind(
            version=Conversation.version, current=Conversation.thread_id
        )
        yield Transcript(
            id="transcript", quotes=session.quotes, tz=self.app.tz, today=self.app.today
        )
        yield InfoLine(id="info")
        yield ActionBar(id="actions").data_bind(choices=Conversation.choices)
        yield Banner(id="banner").data_bind(text=Conversation.banner)
        yield Composer(id="composer", completer=self._completer)
        yield HintLine(id="hint")
        if self._intro:
            yield FirstRunHint(id="intro")

    def on_mount(self) -> None:
        feed = self.app.feed
        feed.message.subscribe(self, self._touched)
        feed.changed.subscribe(self, self._touched)
        feed.pending.subscribe(self, self._pending)
        feed.typing.subscribe(self, lambda _thread_id: self.refresh_info())
        feed.read.subscribe(self, self._read)
        self.set_interval(1.0, self.refresh_info)

    # ------------------------------------------------------------------ the thread

    def watch_thread_id(self, thread_id: int | None) -> None:
        book = self.app.session.threads
        thread = book.threads.get(thread_id) if thread_id is not None else None
        self.hint_line.clear()
        if thread is None:
            return
        window = book.window(thread.id) or book.new_window(thread.id)
        marker = thread.read_seq + 1 if thread.unread else None
        self.transcript.show(window, members=thread.members, me=book.my_id, new_marker_seq=marker)
        for user_id, seq in book.read_by.get(thread.id, {}).items():
            self.transcript.set_read(user_id, seq)
        self._load(thread.id, None, FIRST_PAGE, "latest")
        self._changed()

    def _changed(self) -> None:
        self.refresh_info()
        self.post_message(self.Changed())

    def _touched(self, message: Message) -> None:
        if message.thread_id == self.thread_id:
            self.transcript.changed()
            self._changed()

    def _pending(self, thread_id: int) -> None:
        if thread_id == self.thread_id:
            self.transcript.changed()
            self.transcript.scroll_end_now()
            self._changed()

    def _read(self, event: ReadEvent) -> None:
        if event.thread_id == self.thread_id:
            self.transcript.set_read(event.user_id, event.seq)

    def _load(self, thread_id: int, before: int | None, limit: int, mode: str) -> None:
        session = self.app.session

        def loaded(history: History) -> None:
            for item in history.messages:
                session.quotes.remember(item)
            window = session.threads.window(history.thread_id)
            if window is None:
                return
            if mode == "latest":
                thread = session.threads.threads.get(history.thread_id)
                last = thread.last_seq if thread else None
                window.reset(history.messages, more=history.more, last_seq=last)
            elif mode == "older":
                window.prepend(history.messages, more=history.more)
            else:
                window.append_newer(history.messages)
            if history.thread_id == self.thread_id:
                self.transcript.changed(loaded_older=mode == "older", loaded_newer=mode == "newer")
                self._changed()

        def failed(failure: Failure) -> None:
            self.transcript.loading_older = self.transcript.loading_newer = False
            self.hint_line.say(f"load messages: {failure.text}", error=True)

        self.app.link.call(
            self, lambda c: c.history(thread_id, before=before, limit=limit), loaded, failed
        )

    @on(Transcript.PageWanted)
    def _page_wanted(self, event: Transcript.PageWanted) -> None:
        event.stop()
        self._load(event.thread_id, event.before, PAGE_SIZE, "older" if event.older else "newer")

    @on(Transcript.ReachedEnd)
    def _reached_end(self, event: Transcript.ReachedEnd) -> None:
        event.stop()
        thread_id, seq = event.thread_id, event.seq
        if thread_id != self.thread_id or self._marked.get(thread_id, 0) >= seq:
            return
        self._marked[thread_id] = seq
        if self.app.session.threads.mark_read(thread_id, seq):
            self.app.feed.threads_loaded()
        self.app.link.call(self, lambda c: c.mark_read(thread_id, seq), _ignore, _ignore)

    @on(Transcript.UnseenChanged)
    def refresh_info(self) -> None:
        parts: list[str] = []
        if self.thread_id is not None and self.app.feed.session is not None:
            names = [
                safetext.clean_line(n, max_chars=24)
                for n in self.app.session.threads.typing_names(self.thread_id)
            ]
            if names:
                verb = "is" if len(names) == 1 else "are"
                parts.append(f"{' and '.join(names[:2])} {verb} typing…")
        if self.transcript.unseen:
            parts.append(f"↓ {self.transcript.unseen} new below (pgdn)")
        self.info.text = "   ".join(parts)


def _ignore(_value: object) -> None:
    """Marking read is best effort: the next read marker carries it."""
