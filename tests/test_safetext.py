"""The one sanitizer: terminal-hostile text is neutralised, markup-looking text stays literal."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.content import Content

from chatshop import safetext
from chatshop.safetext import MAX_COMBINING, clean, clean_line

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HOSTILE_ALPHABET = (
    "\x1b\x07\x08\x00\r\n\t\x7f\x9b\x9c\x9d\x90[]/;=@-_\\0123456789mPX^aé\u0301\u0336"
    + BIDI
    + "\u200b\u2060\ufeff\u00ad\u200d\U000e0041\u2028"
)


def _is_forbidden(char: str, *, multiline: bool) -> bool:
    code = ord(char)
    if char == "\n":
        return not multiline
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or char in BIDI
        or (unicodedata.category(char) == "Cf" and char not in "\u200c\u200d")
    )


hostile_text = st.text(alphabet=HOSTILE_ALPHABET, max_size=80) | st.text(max_size=80)


@settings(max_examples=400, deadline=None)
@given(hostile_text, st.booleans())
def test_output_has_no_control_or_bidi_characters(value: str, multiline: bool) -> None:
    """Whatever comes in, no ESC, no C0/C1 control (but newlines when asked), no bidi control."""
    result = clean(value, multiline=multiline)
    assert not [c for c in result if _is_forbidden(c, multiline=multiline)]


@settings(max_examples=400, deadline=None)
@given(hostile_text, st.booleans())
def test_clean_is_idempotent(value: str, multiline: bool) -> None:
    """Cleaning cleaned text changes nothing."""
    once = clean(value, multiline=multiline)
    assert clean(once, multiline=multiline) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60))
def test_printable_ascii_is_untouched(value: str) -> None:
    """Ordinary text, brackets included, comes out exactly as it went in."""
    assert clean(value) == value
    assert safetext.text(value).plain == value
    assert safetext.content(value).plain == value


def test_markup_looking_text_stays_literal() -> None:
    """Markup, links, click actions and a stray closing tag are characters, not instructions."""
    for value in [
        "[red]x[/red]",
        "[link=https://evil.example]click[/link]",
        "[@click=app.quit]press[/]",
        "[/",
        "[TODO] plan",
        "a [/] b [b]",
    ]:
        rich_text = safetext.text(value)
        assert rich_text.plain == value
        assert not rich_text.spans
        content = safetext.content(value)
        assert content.plain == value
        assert not content.spans
        console = Console(width=80, record=True, color_system=None)
        console.print(rich_text)
        assert value in console.export_text()


def test_escape_sequences_are_removed_whole() -> None:
    """CSI, OSC (BEL- or ST-terminated), DCS and 8-bit CSI leave no trace."""
    assert clean("a\x1b[31mred\x1b[0m b") == "ared b"
    assert clean("\x1b]0;pwned\x07title") == "title"
    assert clean("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert clean("\x1bP1$r\x1b\\ok") == "ok"
    assert clean("\x9b2Jclear") == "clear"
    assert clean("\x1b7saved\x1b8") == "saved"
    assert clean("\x1b[?1049h") == ""


def test_stray_controls_become_visible() -> None:
    """A lone ESC, BEL or backspace is shown as a control picture, never sent raw."""
    assert clean("bell\x07") == "bell\u2407"
    assert clean("x\x1b") == "x\u241b"
    assert clean("a\x08b") == "a\u2408b"
    assert clean("del\x7f") == "del\u2421"
    assert clean("c1\x85x") == "c1\nx"
    assert clean("c1\x8ex") == "c1\ufffdx"


def test_newlines_and_tabs() -> None:
    """CR/LF variants become one newline; single-line mode turns them into spaces."""
    assert clean("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert clean("a\tb") == "a   b"
    assert clean_line("line one\nline two\tend") == "line one line two end"


def test_bidi_and_invisible_characters_are_removed() -> None:
    """Overrides cannot reverse what follows; zero-width tricks disappear; ZWJ emoji survive."""
    assert clean("evil\u202etxt.exe") == "eviltxt.exe"
    assert clean("\u2066a\u2069\u200fb\u061c") == "ab"
    assert clean("pay\u200bpal\ufeff") == "paypal"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean(family) == family


def test_combining_marks_are_capped() -> None:
    """Zalgo text is cut to a few marks per character; an orphan mark gets a base."""
    zalgo = "Z" + "\u0301" * 50 + "a"
    assert clean(zalgo) == "Z" + "\u0301" * MAX_COMBINING + "a"
    assert clean("\u0301x") == "\u25cc\u0301x"
    assert clean("e\u0301") == "e\u0301"


def test_lone_surrogate_is_replaced() -> None:
    """A lone surrogate cannot be encoded for a terminal, so it is replaced."""
    assert clean("a\ud800b") == "a\ufffdb"


def test_clean_line_truncates() -> None:
    """Long single-line values end with an ellipsis."""
    assert clean_line("abcdefghij", max_chars=5) == "abcd…"
    assert clean_line("abc", max_chars=5) == "abc"


def test_content_renders_hostile_text_without_escape_bytes() -> None:
    """Rendered through Textual's Content, no ESC reaches the segments."""
    value = "\x1b[2J\x1b]0;x\x07[red]hi[/red]\u202e"
    rendered = safetext.content(value)
    assert isinstance(rendered, Content)
    assert rendered.plain == "[red]hi[/red]"
    assert "\x1b" not in "".join(segment.text for segment in rendered.render_segments())
