"""Handles: how people name accounts (``@sam``), in one place for relay and clients.

A handle is 2 to 32 characters of ASCII letters, digits, ``_``, ``.`` and ``-``, starting
with a letter, digit or ``_``; it is unique regardless of case. Requests may write it with or
without its ``@``. The pattern is checked against the whole string (``fullmatch``), so a
trailing newline or space is refused, never silently accepted.
"""

from __future__ import annotations

import re

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError

_HANDLE = re.compile(limits.HANDLE_PATTERN)


def bare(handle: str) -> str:
    """``handle`` without its leading ``@`` (at most one is removed)."""
    return handle[1:] if handle.startswith("@") else handle


def is_handle(text: str) -> bool:
    """Whether ``text`` (without ``@``) is a well-formed handle."""
    return (
        limits.MIN_HANDLE_CHARS <= len(text) <= limits.MAX_HANDLE_CHARS
        and _HANDLE.fullmatch(text) is not None
    )


def check_handle(handle: str) -> str:
    """A new account's handle, exactly as given, or ``bad_request`` saying why not."""
    if not limits.MIN_HANDLE_CHARS <= len(handle) <= limits.MAX_HANDLE_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"a handle has {limits.MIN_HANDLE_CHARS} to {limits.MAX_HANDLE_CHARS} characters",
        )
    if _HANDLE.fullmatch(handle) is None:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            "a handle uses letters, digits, '_', '.' and '-' only, and starts with a letter, "
            "a digit or '_'",
        )
    return handle
