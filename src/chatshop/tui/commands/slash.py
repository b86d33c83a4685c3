"""Slash commands typed in the composer, parsed against the registry, apart from any widget.

``parse(registry, "/dm @alice")`` gives the command and its :class:`Args`; a line that is not
a command gives ``None`` (``//text`` sends ``/text`` literally); a mistake raises
:class:`SlashError` whose message is the one-line hint to show.
"""

from __future__ import annotations

import re

from chatshop.protocol.limits import HANDLE_PATTERN
from chatshop.tui.commands.registry import FRIEND_VERBS, Args, Command, Registry, Shape

_HANDLE = re.compile(HANDLE_PATTERN)


class SlashError(ValueError):
    """A command that cannot run as typed; ``str(error)`` is the hint."""


def _usage(command: Command) -> SlashError:
    return SlashError(f"Usage: {command.usage} — {command.summary}")


def _handle(token: str, command: Command) -> str:
    if not token.startswith("@") or not _HANDLE.match(token[1:]):
        raise SlashError(f"{token!r} is not a @handle. {_usage(command)}")
    return token[1:]


def parse(registry: Registry, line: str) -> tuple[Command, Args] | None:
    """Parse a composer line; ``None`` when it is an ordinary message."""
    if not line.startswith("/") or line.startswith("//"):
        return None
    head, _, rest = line[1:].partition(" ")
    name = head.strip().lower()
    rest = rest.strip()
    if not name:
        raise SlashError("Type a command after /, or /help for the list.")
    command = registry.commands.get(name)
    if command is None:
        close = [n for n in registry.commands if n.startswith(name[:2])]
        hint = f" Did you mean /{close[0]}?" if close else ""
        raise SlashError(f"Unknown command /{name}.{hint} Type /help for the list.")
    return command, _args(command, rest)


def _args(command: Command, rest: str) -> Args:
    tokens = rest.split()
    shape = command.shape
    if shape is Shape.NONE:
        if tokens:
            raise _usage(command)
        return Args()
    if shape is Shape.HANDLE:
        if len(tokens) != 1:
            raise _usage(command)
        return Args(handles=(_handle(tokens[0], command),))
    if shape is Shape.TEXT and not rest:
        raise _usage(command)
    if shape in (Shape.TEXT, Shape.OPTIONAL_TEXT):
        return Args(text=rest)
    if shape is Shape.GROUP:
        if len(tokens) < 2 or tokens[0].lower() != "new":
            raise _usage(command)
        words = [t for t in tokens[1:] if not t.startswith("@")]
        handles = tuple(_handle(t, command) for t in tokens[1:] if t.startswith("@"))
        if not words:
            raise SlashError(f"The group needs a name. {_usage(command)}")
        return Args(verb="new", handles=handles, text=" ".join(words))
    if shape is Shape.FRIEND:
        if len(tokens) != 2 or tokens[0].lower() not in FRIEND_VERBS:
            raise _usage(command)
        return Args(verb=tokens[0].lower(), handles=(_handle(tokens[1], command),))
    handles = tuple(_handle(t, command) for t in tokens if t.startswith("@"))
    free = " ".join(t for t in tokens if not t.startswith("@"))
    if shape is Shape.WORDS_REQUIRED and not free:
        raise _usage(command)
    return Args(handles=handles, text=free)


def message_text(line: str) -> str:
    """The text to send for a non-command line (``//x`` sends ``/x``)."""
    return line[1:] if line.startswith("//") else line


def completions(registry: Registry, line: str) -> list[Command]:
    """Commands matching what is typed so far (for the inline help under the composer)."""
    if not line.startswith("/") or line.startswith("//"):
        return []
    head, space, _ = line[1:].partition(" ")
    head = head.lower()
    if space:
        command = registry.commands.get(head)
        return [command] if command else []
    return [c for name, c in registry.commands.items() if name.startswith(head)]


def complete(registry: Registry, line: str, handles: list[str]) -> str | None:
    """Tab completion: the command name, a friend verb, or a @handle; ``None`` if nothing."""
    if not line.startswith("/"):
        return _complete_handle(line, handles)
    head, space, rest = line[1:].partition(" ")
    if not space:
        names = [n for n in registry.commands if n.startswith(head.lower())]
        if len(names) == 1:
            return f"/{names[0]} "
        prefix = _common_prefix(names)
        return f"/{prefix}" if prefix and len(prefix) > len(head) else None
    command = registry.commands.get(head)
    if command is not None and command.shape is Shape.FRIEND and " " not in rest:
        verbs = [v for v in FRIEND_VERBS if v.startswith(rest.lower())]
        if len(verbs) == 1:
            return f"/{head} {verbs[0]} @"
    return _complete_handle(line, handles)


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
