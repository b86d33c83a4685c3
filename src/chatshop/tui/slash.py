"""Slash commands typed in the composer: parsed here, apart from any widget, and unit-tested.

``parse("/dm @alice")`` returns a :class:`Command`; a line that is not a command returns
``None`` (``//text`` sends ``/text`` literally); a mistake raises :class:`SlashError` whose
message is the one-line hint to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatshop.protocol.limits import HANDLE_PATTERN

_HANDLE = re.compile(HANDLE_PATTERN)


@dataclass(frozen=True)
class Spec:
    """One command: its name, how it is used, and what it does."""

    name: str
    usage: str
    summary: str


SPECS: tuple[Spec, ...] = (
    Spec("help", "/help", "show keys and commands"),
    Spec("dm", "/dm @handle", "open a direct conversation"),
    Spec("group", "/group new NAME @a @b", "create a group with members"),
    Spec("invite", "/invite @handle", "add someone to this group"),
    Spec("kick", "/kick @handle", "remove someone from this group"),
    Spec("leave", "/leave", "leave this group"),
    Spec("rename", "/rename NAME", "rename this group"),
    Spec("reply", "/reply [TEXT]", "reply to the selected (or latest) message"),
    Spec("edit", "/edit [TEXT]", "edit your selected (or last) message"),
    Spec("delete", "/delete", "delete your selected (or last) message"),
    Spec("friend", "/friend add|accept|decline|remove|block|unblock @handle", "manage friends"),
    Spec("search", "/search TEXT", "find TEXT here (in a brand's thread: its products)"),
    Spec("pay", "/pay [@handle] AMOUNT [note]", "pay someone here (or start a line with $20)"),
    Spec("request", "/request [@handle] AMOUNT [note]", "ask someone here for money"),
    Spec("split", "/split AMOUNT [note] [@a:20 @b:15] [-me]", "split a bill in this group"),
    Spec("luckymoney", "/luckymoney AMOUNT COUNT [note]", "drop a red packet in this group"),
    Spec("wallet", "/wallet", "balances and history (f3)"),
    Spec("topup", "/topup AMOUNT", "add money to your wallet (simulated card)"),
    Spec("catalog", "/catalog [@brand]", "a brand's catalogue (here: this brand's)"),
    Spec("products", "/products TEXT [@brand]", "search products across brands"),
    Spec("scan", "/scan CODE", "the product with this barcode, and similar items"),
    Spec("cart", "/cart", "your carts (#cart in reply to a product card adds it)"),
    Spec("promo", "/promo CODE [@brand]", "apply a promo code to your cart"),
    Spec("checkout", "/checkout [@brand]", "check out your cart at a brand"),
    Spec("orders", "/orders [@brand]", "your orders (f4); staff: the brand's queue"),
    Spec("share", "/share SKU [@brand]", "staff: share a product card here"),
    Spec("logout", "/logout", "log out and forget the stored session"),
)
BY_NAME = {spec.name: spec for spec in SPECS}
FRIEND_VERBS = ("add", "accept", "decline", "remove", "block", "unblock")
MONEY_WITH_ARGUMENTS = ("pay", "request", "split", "luckymoney", "topup")
"""Money commands whose arguments are read by :mod:`chatshop.money_input`."""
SHOP_WITH_ARGUMENTS = (
    "catalog",
    "products",
    "scan",
    "cart",
    "promo",
    "checkout",
    "orders",
    "share",
)
"""Shop commands: free words and @handles, checked by :mod:`chatshop.tui.shop.desk`."""


class SlashError(ValueError):
    """A command that cannot run as typed; ``str(error)`` is the hint."""


@dataclass(frozen=True)
class Command:
    """A parsed command: ``name``, an optional ``verb``, handles (without @) and free text."""

    name: str
    verb: str = ""
    handles: tuple[str, ...] = ()
    text: str = ""


def _usage(name: str) -> SlashError:
    return SlashError(f"Usage: {BY_NAME[name].usage} — {BY_NAME[name].summary}")


def _handle(token: str, name: str) -> str:
    if not token.startswith("@") or not _HANDLE.match(token[1:]):
        raise SlashError(f"{token!r} is not a @handle. {_usage(name)}")
    return token[1:]


def parse(line: str) -> Command | None:
    """Parse a composer line; ``None`` when it is an ordinary message."""
    if not line.startswith("/") or line.startswith("//"):
        return None
    head, _, rest = line[1:].partition(" ")
    name = head.strip().lower()
    rest = rest.strip()
    if not name:
        raise SlashError("Type a command after /, or /help for the list.")
    if name not in BY_NAME:
        close = [spec.name for spec in SPECS if spec.name.startswith(name[:2])]
        hint = f" Did you mean /{close[0]}?" if close else ""
        raise SlashError(f"Unknown command /{name}.{hint} Type /help for the list.")
    tokens = rest.split()
    if name in MONEY_WITH_ARGUMENTS:
        if not rest:
            raise _usage(name)
        return Command(name, text=rest)
    if name in ("help", "leave", "logout", "delete", "wallet"):
        if tokens:
            raise _usage(name)
        return Command(name)
    if name in ("dm", "invite", "kick"):
        if len(tokens) != 1:
            raise _usage(name)
        return Command(name, handles=(_handle(tokens[0], name),))
    if name == "group":
        if len(tokens) < 2 or tokens[0].lower() != "new":
            raise _usage(name)
        words = [t for t in tokens[1:] if not t.startswith("@")]
        handles = tuple(_handle(t, name) for t in tokens[1:] if t.startswith("@"))
        if not words:
            raise SlashError(f"The group needs a name. {_usage(name)}")
        return Command(name, verb="new", handles=handles, text=" ".join(words))
    if name == "rename":
        if not rest:
            raise _usage(name)
        return Command(name, text=rest)
    if name in ("reply", "edit"):
        return Command(name, text=rest)
    if name == "search":
        if not rest:
            raise _usage(name)
        return Command(name, text=rest)
    if name in SHOP_WITH_ARGUMENTS:
        handles = tuple(_handle(t, name) for t in tokens if t.startswith("@"))
        free = " ".join(t for t in tokens if not t.startswith("@"))
        if name in ("products", "scan", "promo", "share") and not free:
            raise _usage(name)
        return Command(name, handles=handles, text=free)
    # friend
    if len(tokens) != 2 or tokens[0].lower() not in FRIEND_VERBS:
        raise _usage(name)
    return Command(name, verb=tokens[0].lower(), handles=(_handle(tokens[1], name),))


def message_text(line: str) -> str:
    """The text to send for a non-command line (``//x`` sends ``/x``)."""
    return line[1:] if line.startswith("//") else line


def completions(line: str) -> list[Spec]:
    """Commands matching what is typed so far (for the inline help under the composer)."""
    if not line.startswith("/") or line.startswith("//"):
        return []
    head, space, _ = line[1:].partition(" ")
    head = head.lower()
    if space:
        spec = BY_NAME.get(head)
        return [spec] if spec else []
    return [spec for spec in SPECS if spec.name.startswith(head)]


def complete(line: str, handles: list[str] | None = None) -> str | None:
    """Tab completion: the command name, a friend verb, or a @handle; ``None`` if nothing."""
    if not line.startswith("/"):
        return _complete_handle(line, handles or [])
    head, space, rest = line[1:].partition(" ")
    if not space:
        names = [spec.name for spec in SPECS if spec.name.startswith(head.lower())]
        if len(names) == 1:
            return f"/{names[0]} "
        prefix = _common_prefix(names)
        return f"/{prefix}" if prefix and len(prefix) > len(head) else None
    if head == "friend" and " " not in rest:
        verbs = [v for v in FRIEND_VERBS if v.startswith(rest.lower())]
        if len(verbs) == 1:
            return f"/friend {verbs[0]} @"
    return _complete_handle(line, handles or [])


def _complete_handle(line: str, handles: list[str]) -> str | None:
    start = line.rfind(" ") + 1
    word = line[start:]
    if not word.startswith("@"):
        return None
    matches = sorted(h for h in handles if h.lower().startswith(word[1:].lower()))
    if len(matches) == 1:
        return f"{line[:start]}@{matches[0]} "
    prefix = _common_prefix(matches)
    if prefix and len(prefix) > len(word) - 1:
        return f"{line[:start]}@{prefix}"
    return None


def _common_prefix(words: list[str]) -> str:
    if not words:
        return ""
    first, last = min(words), max(words)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]
