"""Validation of text the relay stores: exact storage, but no NUL and no invalid Unicode.

Rendering safety (escape sequences, bidi overrides, markup) is the client's job; the relay
stores text exactly as sent so that nothing a person wrote is silently changed.
"""

from __future__ import annotations

import re
import unicodedata

from chatshop.protocol.errors import ErrorCode, ProtocolError

_SURROGATE_OR_NUL = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")


def is_blank(value: str) -> bool:
    """Nothing visible: only white space and invisible format characters (zero-width space,
    joiners, the BOM, bidi marks), which ``str.strip`` keeps."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in value)


def check_text(value: str, *, field: str, max_chars: int, allow_empty: bool = False) -> str:
    """Return ``value`` unchanged, or raise ``invalid_text`` / ``too_large`` / ``bad_request``."""
    if not allow_empty and is_blank(value):
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"{field} must not be empty")
    if len(value) > max_chars:
        raise ProtocolError(
            ErrorCode.TOO_LARGE, f"{field} is {len(value)} characters; the limit is {max_chars}"
        )
    bad = _SURROGATE_OR_NUL.search(value)
    if bad is not None:
        raise ProtocolError(
            ErrorCode.INVALID_TEXT,
            f"{field} holds U+{ord(bad.group()):04X} at position {bad.start()}, which is refused",
        )
    return value
