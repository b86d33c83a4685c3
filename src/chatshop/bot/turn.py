"""What a bot's handler is given: the event, and one typed way to answer and to call the relay.

Every answer carries an idempotency key made from the event it answers and its place among
the answers to that event, so an event handled again (the bot restarted before its cursor
was saved) posts nothing twice: the relay answers the first message again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import msgspec

from chatshop.client import ChatClient, RequestError
from chatshop.protocol.base import Request
from chatshop.protocol.brand_frames import SendCheckoutCard
from chatshop.protocol.cards import Card, PickCard, QuickReply
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.frames import Send, Typing
from chatshop.protocol.models import Message, User
from chatshop.protocol.shop_frames import RequestPerson
from chatshop.protocol.shop_models import Handover, LineSpec, Order

R = TypeVar("R", bound=msgspec.Struct)


@dataclass(slots=True)
class BotSession:
    """The bot's connection and who it is on the relay."""

    name: str
    client: ChatClient
    me: User

    async def call(self, request: Request[R]) -> R:
        """Any request, typed by its result (``RequestError`` when the relay refuses)."""
        return await self.client.call(request)


@dataclass(slots=True)
class _Answers:
    """Counts the answers to one event, for their idempotency keys."""

    event: str
    count: int = 0

    def next_key(self) -> str:
        self.count += 1
        return f"{self.event}:{self.count}"[:64]


@dataclass(slots=True)
class Turn:
    """One event a handler reacts to, in thread ``thread_id``."""

    bot: BotSession
    thread_id: int
    message: Message | None = None
    card: Card | None = None
    order: Order | None = None
    handover: Handover | None = None
    replayed: bool = False
    _answers: _Answers = field(default_factory=lambda: _Answers("bot"))

    @property
    def text(self) -> str:
        return "" if self.message is None else self.message.text

    @property
    def pick(self) -> PickCard | None:
        """The quick reply picked, when this message is a pick."""
        card = None if self.message is None else self.message.card
        return card if isinstance(card, PickCard) else None

    @property
    def sender_id(self) -> int | None:
        return None if self.message is None else self.message.sender_id

    async def reply(
        self, text: str, *, replies: list[QuickReply] | None = None, quote: bool = False
    ) -> Message | None:
        """Answer in the thread (with quick replies under the text when given); None when
        the relay refused because a person has taken the thread over."""
        request = Send(
            id=0,
            thread_id=self.thread_id,
            text=text,
            key=self._answers.next_key(),
            reply_to=self.message.id if quote and self.message is not None else None,
            replies=replies or None,
        )
        return await self._post(request)

    async def checkout_card(
        self, items: list[LineSpec], *, text: str = "", shipping: str | None = None
    ) -> Message:
        """Post a ready checkout for the thread's customer (see ``checkout_card_send``)."""
        return await self.bot.call(
            SendCheckoutCard(
                id=0,
                thread_id=self.thread_id,
                items=items,
                text=text,
                shipping=shipping,
                key=self._answers.next_key(),
            )
        )

    async def hand_to_person(self) -> Handover:
        """Give the thread to the brand's staff (the least busy one joins)."""
        return await self.bot.call(RequestPerson(id=0, thread_id=self.thread_id))

    async def typing(self) -> None:
        await self.bot.call(Typing(id=0, thread_id=self.thread_id))

    async def _post(self, request: Send) -> Message | None:
        try:
            return await self.bot.call(request)
        except RequestError as exc:
            if exc.code == ErrorCode.CONFLICT:
                return None  # handed over to a person meanwhile
            if exc.code == ErrorCode.IDEMPOTENCY_MISMATCH:
                return None  # answered before a restart, in other words: do not repeat
            raise
