"""One declaration per action: slash commands and the verbs a message offers.

A :class:`Command` says its name, arguments, help, which threads it applies to and what it
runs; a :class:`Verb` says what it is called on a message, its pick-mode key, when a message
offers it and what it runs. The :class:`Registry` is built from the domain modules (chat,
money, shop) and everything else is generated from it: parsing, Tab completion, the inline
help under the composer, ``/help`` and the help screen, the command palette, and the
``chatshop --help`` text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from chatshop.protocol.cards import QuickReply
from chatshop.protocol.models import Message
from chatshop.tui.cards import CardAction
from chatshop.tui.commands.context import Context


class Shape(Enum):
    """What a command's arguments look like (checked before it runs)."""

    NONE = "none"
    HANDLE = "handle"  # exactly one @handle
    TEXT = "text"  # free text, required
    OPTIONAL_TEXT = "optional text"
    GROUP = "group"  # new NAME @a @b
    FRIEND = "friend"  # VERB @handle
    WORDS = "words"  # free words and @handles (shop)
    WORDS_REQUIRED = "words required"  # the same, at least one word


GROUPS = frozenset({"group"})
THREADS = frozenset({"direct", "group", "brand"})
ANYWHERE: frozenset[str] = frozenset()
FRIEND_VERBS = ("add", "accept", "decline", "remove", "block", "unblock")


@dataclass(frozen=True, slots=True)
class Args:
    """A parsed command line: an optional ``verb``, handles (without @) and free text."""

    verb: str = ""
    handles: tuple[str, ...] = ()
    text: str = ""


Run = Callable[[Context, Args], bool]
"""Runs a command; False when it could not (the composer gets the line back)."""


@dataclass(frozen=True, slots=True)
class Command:
    """One slash command."""

    name: str
    usage: str
    summary: str
    run: Run
    shape: Shape = Shape.NONE
    scope: frozenset[str] = ANYWHERE
    """Thread kinds it needs open (empty: works anywhere)."""
    palette: str = ""
    """Its command palette title, "namespace: Verb" (empty: not in the palette)."""
    template: str = ""
    """What the palette puts in the composer to finish typing (empty: runs at once)."""
    domain: str = "chat"


def action_command(action: str) -> Run:
    """A command that runs a screen or app action (``/help``, ``/wallet``)."""

    def run(ctx: Context, _args: Args) -> bool:
        ctx.do(action)
        return True

    return run


Payload = QuickReply | CardAction | None


@dataclass(frozen=True, slots=True)
class Offer:
    """One button under a message: ``verb`` run with ``payload`` when picked."""

    verb: str
    label: str
    key: str = ""
    payload: Payload = None


Offers = Callable[[Context, Message], list[Offer]]
Act = Callable[[Context, Message, Offer], None]


@dataclass(frozen=True, slots=True)
class Verb:
    """Something a message offers: reply, edit, pay, open, add to cart, a quick reply..."""

    name: str
    label: str
    help: str
    offers: Offers
    run: Act
    key: str = ""
    """Its key in pick mode (ctrl+t) and on the buttons (empty: buttons only)."""
    palette: str = ""
    """A palette entry acting on the newest message that offers it."""
    domain: str = "chat"
    bar: bool = True
    """Offered as a button under the newest message (False: in pick mode only)."""


class Registry:
    """Every command and verb, by name."""

    def __init__(self, commands: Iterable[Command], verbs: Iterable[Verb]) -> None:
        self.commands = {c.name: c for c in commands}
        self.verbs = {v.name: v for v in verbs}

    def offers(self, ctx: Context, message: Message, *, bar: bool = False) -> list[Offer]:
        """What ``message`` offers the viewer, in declaration order (``bar``: only what the
        buttons under the newest message show)."""
        found: list[Offer] = []
        for verb in self.verbs.values():
            if verb.bar or not bar:
                found += verb.offers(ctx, message)
        return found

    def act(self, ctx: Context, message: Message, offer: Offer) -> None:
        self.verbs[offer.verb].run(ctx, message, offer)

    def keyed(self) -> list[Verb]:
        """Verbs with a pick-mode key (for bindings and the help)."""
        return [v for v in self.verbs.values() if v.key]

    def runnable(self, command: Command, ctx: Context) -> str | None:
        """Why ``command`` cannot run here, or None."""
        if not command.scope:
            return None
        thread = ctx.thread
        if thread is None:
            return "Open a conversation first (ctrl+k), or /dm @handle."
        if thread.kind not in command.scope:
            where = " or ".join(sorted(f"{k}s" if k == "group" else k for k in command.scope))
            return f"/{command.name} works in {where} threads only."
        return None
