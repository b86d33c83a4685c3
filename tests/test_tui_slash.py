"""Slash commands: parsed apart from the widgets; mistakes give one-line hints, never crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatshop.tui.commands import REGISTRY, slash
from chatshop.tui.commands.registry import Args
from chatshop.tui.commands.slash import SlashError


def Command(name: str, verb: str = "", handles: tuple[str, ...] = (), text: str = "") -> object:
    """What a parsed line is: the command's name and its arguments."""
    return (name, Args(verb=verb, handles=handles, text=text))


def parse(line: str) -> object:
    parsed = slash.parse(REGISTRY, line)
    return None if parsed is None else (parsed[0].name, parsed[1])


def complete(line: str, handles: list[str] | None = None) -> str | None:
    return slash.complete(REGISTRY, line, handles or [])


def completions(line: str) -> list[object]:
    return list(slash.completions(REGISTRY, line))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/help", Command("help")),
        ("/dm @alice", Command("dm", handles=("alice",))),
        (
            "/group new Pizza Friday @alice @bob",
            Command("group", verb="new", handles=("alice", "bob"), text="Pizza Friday"),
        ),
        ("/invite @carol", Command("invite", handles=("carol",))),
        ("/kick @carol", Command("kick", handles=("carol",))),
        ("/leave", Command("leave")),
        ("/rename Pizza Saturday", Command("rename", text="Pizza Saturday")),
        ("/reply sure", Command("reply", text="sure")),
        ("/reply", Command("reply")),
        ("/edit fixed", Command("edit", text="fixed")),
        ("/delete", Command("delete")),
        ("/friend add @bob", Command("friend", verb="add", handles=("bob",))),
        ("/friend BLOCK @spam_bot", Command("friend", verb="block", handles=("spam_bot",))),
        ("/search pepperoni pizza", Command("search", text="pepperoni pizza")),
        ("/logout", Command("logout")),
        ("/DM @alice", Command("dm", handles=("alice",))),
    ],
)
def test_commands_parse(line: str, expected: object) -> None:
    """Each documented command parses into its name, verb, handles and text."""
    assert parse(line) == expected


@pytest.mark.parametrize("line", ["hello", "", "//not a command", "  /x", "[/"])
def test_ordinary_lines_are_not_commands(line: str) -> None:
    """Text that is not a command is sent as a message; // escapes a leading slash."""
    assert parse(line) is None
    assert slash.message_text("//x") == "/x"


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("/frobnicate", "Unknown command /frobnicate"),
        ("/de", "Did you mean /delete?"),
        ("/", "Type a command"),
        ("/dm", "Usage: /dm @handle"),
        ("/dm alice", "not a @handle"),
        ("/dm @alice @bob", "Usage: /dm @handle"),
        ("/group Pizza", "Usage: /group new NAME"),
        ("/group new @alice", "needs a name"),
        ("/friend hug @bob", "Usage: /friend"),
        ("/leave now", "Usage: /leave"),
        ("/rename", "Usage: /rename NAME"),
        ("/search", "Usage: /search TEXT"),
        ("/dm @[red]x", "not a @handle"),
    ],
)
def test_mistakes_give_one_line_hints(line: str, hint: str) -> None:
    """Unknown commands and wrong arguments raise SlashError with a helpful line."""
    with pytest.raises(SlashError) as caught:
        parse(line)
    assert hint in str(caught.value)
    assert "\n" not in str(caught.value)


@given(st.text(max_size=40).map(lambda s: "/" + s))
def test_parse_never_crashes(line: str) -> None:
    """Whatever follows a slash, parse returns a command or raises SlashError."""
    with contextlib.suppress(SlashError):
        parse(line)


def test_completion_and_inline_help() -> None:
    """Tab completes names, friend verbs and handles; the inline help lists matches."""
    assert complete("/he") == "/help "
    assert complete("/friend ac") == "/friend accept @"
    assert complete("/dm @al", ["alice", "bob"]) == "/dm @alice "
    assert complete("hi @b", ["alice", "bob"]) == "hi @bob "
    assert complete("/zz") is None
    assert [c.name for c in slash.completions(REGISTRY, "/d")] == ["dm", "delete"]
    assert [c.name for c in slash.completions(REGISTRY, "/dm @a")] == ["dm"]
    assert completions("hello") == []
