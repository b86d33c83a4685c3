"""``Bot``: handlers for what happens in the bot's threads, run over one client connection.

Events of one thread are handled one at a time, in order; threads run side by side (up to
``max_threads`` at once). While a handler works on a thread, the thread shows the bot
typing. The cursor saved in the state file moves only past events whose handlers finished,
so a bot stopped at any moment resumes where it was and, with its replies' idempotency
keys, answers every message it missed exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from chatshop.bot.state import CursorTracker, StateFile
from chatshop.bot.turn import BotSession, Turn, _Answers
from chatshop.client import (
    ChatClient,
    ClientError,
    ConnectionLost,
    ConnectionState,
    StateChanged,
)
from chatshop.protocol.base import Event
from chatshop.protocol.cards import PickCard
from chatshop.protocol.frames import MessageEvent, Typing
from chatshop.protocol.payment_frames import CardEvent
from chatshop.protocol.shop_frames import HandoverEvent, OrderEvent

log = logging.getLogger("chatshop.bot")

Handler = Callable[[Turn], Awaitable[None]]
StartHook = Callable[[BotSession], Awaitable[None]]

TYPING_EVERY = 3.0  # seconds between typing notices while a handler works (relay shows 5 s)
TYPING_AFTER = 0.2  # seconds a handler works before the thread shows the bot typing
MAX_ATTEMPTS = 3  # a handler interrupted by a lost link is tried again this many times


class BotStopped(ClientError):
    """The relay ended the bot's session (its token was revoked) or refused it."""


@dataclass(slots=True)
class _Handlers:
    message: list[Handler] = field(default_factory=list)
    pick: list[Handler] = field(default_factory=list)
    card: list[Handler] = field(default_factory=list)
    order: list[Handler] = field(default_factory=list)
    handover: list[Handler] = field(default_factory=list)
    start: list[StartHook] = field(default_factory=list)


class Bot:
    """A chatshop bot: register handlers with the decorators, then ``run`` it.

    ``on_message`` gets messages others wrote in the bot's threads (``on_pick`` the quick
    replies picked, when registered; else they go to ``on_message`` too), ``on_card`` cards
    that changed state (a checkout card paid, an invoice expired), ``on_order`` the brand's
    order events, ``on_handover`` who answers a brand thread now.
    """

    def __init__(self, name: str, *, max_threads: int = 32, typing: bool = True) -> None:
        self.name = name
        self.typing = typing
        self._handlers = _Handlers()
        self._slots = asyncio.Semaphore(max_threads)
        self.session: BotSession | None = None
        self.handled = 0  # events handled since start (for tests and logs)

    # ------------------------------------------------------------------ registration

    def on_message(self, handler: Handler) -> Handler:
        self._handlers.message.append(handler)
        return handler

    def on_pick(self, handler: Handler) -> Handler:
        self._handlers.pick.append(handler)
        return handler

    def on_card(self, handler: Handler) -> Handler:
        self._handlers.card.append(handler)
        return handler

    def on_order(self, handler: Handler) -> Handler:
        self._handlers.order.append(handler)
        return handler

    def on_handover(self, handler: Handler) -> Handler:
        self._handlers.handover.append(handler)
        return handler

    def on_start(self, hook: StartHook) -> StartHook:
        """Called once connected, before any event is handled."""
        self._handlers.start.append(hook)
        return hook

    # ------------------------------------------------------------------ running

    async def run(
        self,
        server: str,
        *,
        token: str | None = None,
        login: tuple[str, str] | None = None,
        state_path: Path | None = None,
        ready: asyncio.Event | None = None,
    ) -> None:
        """Connect with ``token`` (a bot token) or ``login`` (handle, password), resume from
        the state file's cursor, and handle events until cancelled."""
        state = StateFile(state_path)
        if token is None and login is None:
            token = state.state.token
        if token is None and login is None:
            raise ValueError("a bot needs a token or a login")
        resume = state.state.cursor if token is not None and token == state.state.token else None
        client = ChatClient(server, token=token, cursor=resume, client_name=f"bot:{self.name}")
        async with client:
            if client.user is None:
                if login is None:
                    raise ClientError("the relay refused the bot's token")
                await client.login(*login, device=f"bot:{self.name}")
            assert client.user is not None and client.token is not None
            state.save(token=client.token)
            session = BotSession(self.name, client, client.user)
            self.session = session
            for hook in self._handlers.start:
                await hook(session)
            if ready is not None:
                ready.set()
            await self._serve(session, state, client.cursor)

    async def _serve(self, session: BotSession, state: StateFile, start: int | None) -> None:
        tracker = CursorTracker(start)
        queues: dict[int, asyncio.Queue[tuple[int | None, Turn, list[Handler]]]] = {}
        workers: set[asyncio.Task[None]] = set()

        def done(cursor: int | None) -> None:
            self.handled += 1
            if cursor is not None and tracker.finished(cursor) and tracker.safe is not None:
                state.save(cursor=tracker.safe)

        async def work(thread_id: int) -> None:
            queue = queues[thread_id]
            async with self._slots:
                while not queue.empty():
                    cursor, turn, handlers = queue.get_nowait()
                    try:
                        await self._handle(turn, handlers)
                    finally:
                        done(cursor)
            queues.pop(thread_id, None)

        try:
            async for item in session.client.events():
                if isinstance(item, StateChanged):
                    log.info("bot %s: link %s", self.name, item.state)
                    if item.state is ConnectionState.OFFLINE:
                        raise BotStopped(item.error or "the relay ended the bot's session")
                    continue
                routed = self._route(session, item)
                cursor = item.cursor
                if cursor is not None:
                    tracker.started(cursor)
                if routed is None:
                    done(cursor)
                    continue
                turn, handlers = routed
                queue = queues.get(turn.thread_id)
                if queue is None:
                    queue = queues[turn.thread_id] = asyncio.Queue()
                    queue.put_nowait((cursor, turn, handlers))
                    task = asyncio.create_task(work(turn.thread_id))
                    workers.add(task)
                    task.add_done_callback(workers.discard)
                else:
                    queue.put_nowait((cursor, turn, handlers))
        finally:
            for task in list(workers):
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    def _route(self, session: BotSession, event: Event) -> tuple[Turn, list[Handler]] | None:
        """The turn an event makes and the handlers it goes to (None: nothing to do)."""
        key = _Answers(f"{self.name}:{event.cursor}")
        found = self._handlers
        if isinstance(event, MessageEvent):
            message = event.message
            if message.sender_id == session.me.id or message.deleted:
                return None
            handlers = found.pick if isinstance(message.card, PickCard) and found.pick else None
            turn = Turn(session, event.thread_id, message=message, _answers=key)
            return (turn, handlers or found.message) if (handlers or found.message) else None
        if isinstance(event, CardEvent) and found.card:
            turn = Turn(session, event.thread_id, message=event.message, _answers=key)
            turn.card = event.message.card
            return turn, found.card
        if isinstance(event, OrderEvent) and found.order:
            return Turn(
                session, event.order.thread_id, order=event.order, _answers=key
            ), found.order
        if isinstance(event, HandoverEvent) and found.handover:
            handover = event.handover
            return Turn(
                session, handover.thread_id, handover=handover, _answers=key
            ), found.handover
        return None

    async def _handle(self, turn: Turn, handlers: list[Handler]) -> None:
        typing = (
            asyncio.create_task(self._keep_typing(turn))
            if self.typing and turn.message is not None
            else None
        )
        try:
            for handler in handlers:
                await self._attempt(handler, turn)
        finally:
            if typing is not None:
                typing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await typing

    async def _attempt(self, handler: Handler, turn: Turn) -> None:
        """Run one handler; again after a lost link (its answers' keys keep it from
        posting twice); a refusal or a fault in it is logged and the bot goes on."""
        name = getattr(handler, "__name__", "handler")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                await handler(turn)
                return
            except ConnectionLost:
                if attempt == MAX_ATTEMPTS:
                    log.warning("bot %s: %s gave up after %d tries", self.name, name, attempt)
                    return
                await asyncio.sleep(0.5 * attempt)
            except ClientError as exc:
                log.warning("bot %s: %s failed: %s", self.name, name, exc)
                return
            except Exception:
                log.exception("bot %s: %s failed", self.name, name)
                return

    async def _keep_typing(self, turn: Turn) -> None:
        """Show the bot typing in the thread while its handler works (from a moment on: an
        answer that comes at once needs no notice)."""
        await asyncio.sleep(TYPING_AFTER)
        while True:
            with contextlib.suppress(ClientError):
                await turn.bot.call(Typing(id=0, thread_id=turn.thread_id))
            await asyncio.sleep(TYPING_EVERY)
