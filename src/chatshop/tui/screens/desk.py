"""The command context of the main screen: what commands and verbs may read and do, and
the actions of the message the reader is on (the buttons under the transcript, and the
pick-mode keys). Kept apart from the layout in :mod:`.main`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual import getters, on
from textual.reactive import reactive
from textual.screen import Screen

from chatshop.client import ChatClient
from chatshop.protocol.models import Message, Thread
from chatshop.tui.commands import REGISTRY, chat
from chatshop.tui.commands.registry import Offer
from chatshop.tui.failure import Failure
from chatshop.tui.feed import Feed, Session
from chatshop.tui.host import Host
from chatshop.tui.widgets.actionbar import ActionBar
from chatshop.tui.widgets.composer import Composer
from chatshop.tui.widgets.conversation import Conversation
from chatshop.tui.widgets.transcript import Item, Transcript
from chatshop.tui.window import Pending

T = TypeVar("T")


class Desk(Screen[None]):
    """A screen with an open conversation that commands act in (see ``Context``)."""

    app: Host

    current: reactive[int | None] = reactive(None)
    """The open thread."""
    replying: reactive[Message | None] = reactive(None)
    editing: reactive[Message | None] = reactive(None)

    conversation = getters.query_one("#conversation", Conversation)
    transcript = getters.query_one("#transcript", Transcript)
    composer = getters.query_one("#composer", Composer)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._offers: list[Offer] = []
        self._target: Item | None = None

    def open_thread(self, thread_id: int) -> None:
        """Show ``thread_id``."""
        if thread_id in self.session.threads.threads:
            self.replying = self.editing = None
            self.current = thread_id

    def watch_current(self, thread_id: int | None) -> None:
        """A brand thread opened: learn who answers it (the assistant or a person's name),
        which the title shows; hand-over news keeps it current after that."""
        book = self.session.threads
        thread = book.threads.get(thread_id) if thread_id is not None else None
        if thread is None or thread.kind != "brand" or thread.id in book.answering:
            return
        found = thread.id
        self.app.link.call(
            self,
            lambda c: c.shop.handover(found),
            self.app.feed.handover_known,
            lambda _failure: None,  # staff-only details or a brand thread that just closed
            label="",
        )

    # ------------------------------------------------------------------ what a message offers

    @on(Conversation.Changed)
    @on(Transcript.Picked)
    def _offer(self) -> None:
        """The buttons under the transcript: the picked item's actions, else the newest's."""
        transcript = self.conversation.transcript
        picked = transcript.selected_item()
        item = picked if picked is not None else transcript.newest_item()
        self._target = item
        if isinstance(item, Pending):
            self._offers = chat.pending_offers(item)
        elif isinstance(item, Message):
            self._offers = REGISTRY.offers(self, item, bar=picked is None)
        else:
            self._offers = []
        self.conversation.choices = tuple((o.label, o.key) for o in self._offers)
        self.refresh_bindings()

    def _act(self, offer: Offer) -> None:
        item = self._target
        self.set_focus(self.conversation.composer)
        self.conversation.transcript.unpick()
        if isinstance(item, Pending):
            chat.act_on_pending(self, item, offer)
        elif isinstance(item, Message):
            REGISTRY.act(self, item, offer)

    @on(ActionBar.Chosen)
    def _chosen(self, event: ActionBar.Chosen) -> None:
        if event.index < len(self._offers):
            self._act(self._offers[event.index])

    @on(ActionBar.Left)
    def _actions_left(self) -> None:
        self.set_focus(self.conversation.composer)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A verb's key works in pick mode on a message that offers it."""
        if action == "verb":
            picking = self.conversation.transcript.has_focus
            return picking and any(o.verb == parameters[0] for o in self._offers)
        return True

    def action_verb(self, verb: str) -> None:
        offer = next((o for o in self._offers if o.verb == verb), None)
        if offer is not None:
            self._act(offer)

    # ------------------------------------------------------------------ the command context

    def call(
        self,
        request: Callable[[ChatClient], Awaitable[T]],
        on_result: Callable[[T], object],
        on_error: Callable[[Failure], object] | None = None,
        *,
        label: str = "",
    ) -> None:
        fail = on_error or (
            lambda f: self.hint(f"{label}: {f.text}" if label else f.text, error=True)
        )
        self.app.link.call(self, request, on_result, fail, label=label)

    @property
    def feed(self) -> Feed:
        return self.app.feed

    @property
    def thread(self) -> Thread | None:
        return self.session.threads.threads.get(self.current) if self.current is not None else None

    @property
    def picked(self) -> Message | None:
        return self.conversation.transcript.selected_message()

    def hint(self, text: str, *, error: bool = False) -> None:
        self.conversation.hint_line.say(text, error=error)

    def push(self, screen: Screen[Any], done: Callable[[Any], None] | None = None) -> None:
        self.app.push_screen(screen, done)

    def restore(self, text: str) -> None:
        self.conversation.composer.restore(text)

    def send(self, text: str, *, reply_to: int | None = None, pick: int | None = None) -> bool:
        return chat.send_message(self, text, reply_to=reply_to, pick=pick)

    def reply_to(self, message: Message | None) -> None:
        self.editing, self.replying = None, message

    def edit(self, message: Message) -> None:
        if message.sender_id != self.session.threads.my_id or message.card is not None:
            self.hint("You can only edit your own messages.", error=True)
            return
        self.replying, self.editing = None, message
        self.conversation.composer.set_text(message.text)

    def target(self, *, mine: bool | None) -> Message | None:
        transcript = self.conversation.transcript
        picked = transcript.selected_message()
        me = self.session.threads.my_id
        if picked is not None and (mine is None or (picked.sender_id == me) == mine):
            return picked
        return transcript.last_message(mine=mine)

    def show_seq(self, thread_id: int, seq: int) -> None:
        if thread_id == self.current:
            self.conversation.transcript.select_seq(seq)

    def do(self, action: str) -> None:
        self.call_later(self.run_action, action)
