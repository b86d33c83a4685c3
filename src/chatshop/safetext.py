"""The one sanitizer: untrusted text made safe for a terminal, a window title, a toast or a log.

Everything another person controls (message bodies, display names, group titles, error
messages from the relay) passes through here before it is shown. Two promises:

* **No terminal control.** Whole escape sequences (CSI, OSC, DCS, SOS, PM, APC, and their
  8-bit C1 forms) are removed; any other C0/C1 control character is replaced by a visible
  stand-in (``␇`` for BEL, ``␛`` for a stray ESC, ``�`` for C1). Bidi overrides and isolates,
  and other invisible format characters (zero-width spaces, word joiners, tag characters,
  soft hyphens) are removed, except ZWJ/ZWNJ which emoji and several scripts need. Runs of
  combining marks are capped so "zalgo" text cannot smear over neighbouring lines, and a
  combining mark with nothing to combine with gets a dotted circle to sit on.
* **No markup.** The result is a plain ``str``; :func:`text` and :func:`content` wrap it in
  ``rich.text.Text`` / ``textual.content.Content`` *without* parsing it, so ``[red]x[/red]``,
  ``[@click=app.quit]`` and a stray ``[/`` stay literal characters.

``clean()`` is idempotent: cleaning cleaned text changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:  # textual is imported only when a Content is asked for, so that
    from textual.content import Content  # non-UI code (bots, logs) can clean text too

__all__ = [
    "MAX_COMBINING",
    "clean",
    "clean_line",
    "content",
    "is_clean",
    "text",
]

MAX_COMBINING: Final = 4
"""Combining marks kept after one base character; more are dropped."""

TAB_SIZE: Final = 4

# An escape sequence, removed whole. Terminated string sequences (OSC, DCS, SOS, PM, APC)
# end at BEL, ESC \ or the 8-bit ST; an unterminated one falls through to the short form
# below, which removes only its introducer so the rest stays visible as text.
_ESCAPE: Final = re.compile(
    r"""
      (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*+(?:\x07|\x1b\\|\x9c)
    | (?:\x1b\[|\x9b)[\x30-\x3f]*+[\x20-\x2f]*+[\x40-\x7e]
    | \x1b[\x20-\x2f]*+[\x30-\x7e]
    """,
    re.VERBOSE,
)

_NEWLINES: Final = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")

# Format characters (category Cf) that are kept: joiners are needed by emoji sequences and
# by Indic and Arabic scripts.
_KEEP_FORMAT: Final = frozenset("\u200c\u200d")

_BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Bidi marks, embeddings, overrides and isolates: always removed (they are all Cf)."""

_DOTTED_CIRCLE: Final = "\u25cc"

_ASCII_SAFE: Final = re.compile(r"[\x20-\x7e]*")
_ASCII_SAFE_LINES: Final = re.compile(r"[\x20-\x7e\n]*")


@lru_cache(maxsize=4096)
def _category(char: str) -> str:
    return unicodedata.category(char)


def _replacement(char: str) -> str | None:
    """What a character becomes on screen: ``None`` to keep it, ``""`` to drop it, or a
    visible stand-in for a control character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= code <= 0x9F:
        return "\ufffd"
    if code < 0xA0:
        return None
    category = _category(char)
    if category == "Cf":
        return None if char in _KEEP_FORMAT else ""
    if category == "Cs":
        return "\ufffd"  # a lone surrogate cannot even be encoded for the terminal
    return None


def _is_combining(char: str) -> bool:
    return ord(char) >= 0x300 and _category(char) in ("Mn", "Me")


def clean(value: str, *, multiline: bool = True) -> str:
    """Return ``value`` safe to put on a terminal: see the module docstring.

    With ``multiline`` newlines (of any kind) become ``\\n``; without it they and tabs become
    spaces, for names, titles, toasts and log lines.
    """
    if not value:
        return ""
    if value.isascii() and (_ASCII_SAFE_LINES if multiline else _ASCII_SAFE).fullmatch(value):
        return value  # the common case: nothing to do
    value = _ESCAPE.sub("", value)
    value = _NEWLINES.sub("\n" if multiline else " ", value)
    if multiline:
        value = value.expandtabs(TAB_SIZE) if "\t" in value else value
    else:
        value = value.replace("\t", " ")
    out: list[str] = []
    combining = 0
    previous = "\n"
    for char in value:
        if char == "\n":
            out.append(char)
            previous = char
            combining = 0
            continue
        replacement = _replacement(char)
        if replacement is not None:
            if not replacement:
                continue
            char = replacement
        if _is_combining(char):
            if previous == "\n":
                out.append(_DOTTED_CIRCLE)
                previous = _DOTTED_CIRCLE
            combining += 1
            if combining > MAX_COMBINING:
                continue
        else:
            combining = 0
        out.append(char)
        previous = char
    return "".join(out)


def clean_line(value: str, *, max_chars: int | None = None) -> str:
    """``clean(value, multiline=False)``, optionally cut to ``max_chars`` with an ellipsis."""
    result = clean(value, multiline=False)
    if max_chars is not None and len(result) > max_chars:
        result = result[: max(max_chars - 1, 0)].rstrip() + "…"
    return result


def is_clean(value: str, *, multiline: bool = True) -> bool:
    """True when ``clean`` would return ``value`` unchanged."""
    return clean(value, multiline=multiline) == value


def text(value: str, style: str | Style = "", *, multiline: bool = True) -> Text:
    """A Rich ``Text`` holding the cleaned ``value`` literally (never parsed as markup)."""
    return Text(clean(value, multiline=multiline), style=style, end="")


def content(value: str, style: str = "", *, multiline: bool = False) -> Content:
    """A Textual ``Content`` holding the cleaned ``value`` literally (never parsed as markup)."""
    from textual.content import Content

    cleaned = clean(value, multiline=multiline)
    return Content.styled(cleaned, style) if style else Content(cleaned)
