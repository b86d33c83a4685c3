"""Why a call to the relay failed, as an enum a caller compares with ``is``, never a string.

The relay's codes are :class:`~chatshop.protocol.errors.ErrorCode`; a failure that never
reached the relay (no reply in time, link down, a reply that does not fit the protocol)
carries a :class:`ClientCode`. :func:`failure_of` turns whatever a call raised into one
:class:`Failure` whose text is already cleaned for the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chatshop import safetext
from chatshop.client import RequestError
from chatshop.protocol.errors import ErrorCode


class ClientCode(StrEnum):
    """Failures decided on this side of the link."""

    TIMEOUT = "timeout"
    CONNECTION_LOST = "connection_lost"
    CLIENT_CLOSED = "client_closed"
    INVALID_REPLY = "invalid_reply"
    UNREACHABLE = "unreachable"
    UNEXPECTED = "unexpected"


Code = ErrorCode | ClientCode

MAYBE_DONE = frozenset({ClientCode.TIMEOUT, ClientCode.CONNECTION_LOST})
"""Codes after which a keyed action may have gone through (retrying never repeats it)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A call that did not succeed: ``code`` to branch on, ``text`` (cleaned) for people."""

    code: Code
    text: str
    retry_after: float | None = None

    @property
    def maybe_done(self) -> bool:
        return self.code in MAYBE_DONE


def _code(raw: object) -> Code:
    if isinstance(raw, ErrorCode):
        return raw
    for kind in (ErrorCode, ClientCode):
        try:
            return kind(str(raw))
        except ValueError:
            continue
    return ClientCode.UNEXPECTED


def failure_of(exc: BaseException) -> Failure:
    """The failure ``exc`` stands for (a relay error, a client error, an OS error)."""
    if isinstance(exc, RequestError):
        text = safetext.clean_line(exc.message, max_chars=200)
        return Failure(_code(exc.code), text, exc.retry_after)
    if isinstance(exc, OSError):
        return Failure(ClientCode.UNREACHABLE, "cannot reach the relay")
    text = safetext.clean_line(str(exc) or type(exc).__name__, max_chars=200)
    return Failure(ClientCode.UNEXPECTED, text)
