"""Command palette (ctrl+p) entries, "namespace: Verb", generated from the registry: every
command that has a palette title, every verb (acting on the newest message that offers it),
and the open threads."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from chatshop import safetext
from chatshop.tui.commands import REGISTRY
from chatshop.tui.commands.registry import Args, Command, Verb
from chatshop.tui.screens.desk import Desk

Entry = tuple[str, str, Callable[[], None]]


def _command(desk: Desk, command: Command) -> None:
    composer = desk.conversation.composer
    if command.template:
        composer.set_text(command.template)
        composer.focus()
        return
    why = REGISTRY.runnable(command, desk)
    if why is not None:
        desk.hint(why, error=True)
    else:
        command.run(desk, Args())


def _verb(desk: Desk, verb: Verb) -> None:
    window = desk.conversation.transcript.window
    for message in reversed(window.messages if window else []):
        for offer in verb.offers(desk, message):
            REGISTRY.act(desk, message, offer)
            return
    desk.hint(f"Nothing here to {verb.label.lower()}.", error=True)


def _later(desk: Desk, action: str) -> None:
    desk.do(action)


def entries(desk: Desk) -> list[Entry]:
    """Every palette entry for ``desk``."""
    found: list[Entry] = [
        (c.palette, c.summary, partial(_command, desk, c))
        for c in REGISTRY.commands.values()
        if c.palette
    ]
    found += [
        (v.palette, v.help, partial(_verb, desk, v)) for v in REGISTRY.verbs.values() if v.palette
    ]
    found += [
        (
            "chat: Next unread thread",
            "Open the next thread with unread messages",
            partial(_later, desk, "next_unread"),
        ),
        (
            "chat: Jump to a thread",
            "Filter the threads by name or number",
            partial(_later, desk, "switcher"),
        ),
    ]
    book = desk.session.threads
    for thread in book.ordered():
        name = safetext.clean_line(book.title(thread), max_chars=40)
        found.append(
            (
                f"open: {name}",
                f"Open this {thread.kind} thread",
                partial(desk.open_thread, thread.id),
            )
        )
    return found


class ChatCommands(Provider):
    """Chat, money and shop actions and the open threads, for the command palette."""

    def _entries(self) -> list[Entry]:
        screen = self.screen
        return entries(screen) if isinstance(screen, Desk) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
