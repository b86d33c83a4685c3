"""What can go wrong when talking to a relay, as one hierarchy the TUI and bots can branch on.

    ClientError                 base of everything this package raises on purpose
    └── RequestError            a request got no result: ``code`` says why
        ├── code = <ErrorCode>  the relay answered ``error`` (forbidden, rate_limited, ...)
        ├── RequestTimeout      code = timeout: no reply within ``request_timeout``
        ├── InvalidReply        code = invalid_reply: the relay's reply did not fit the protocol
        └── ConnectionLost      code = connection_lost: the link dropped before the reply,
            │                   or the call was made while disconnected
            └── ClientClosed    code = client_closed: ``close()`` was called

``RequestError.code`` is an ``ErrorCode`` whenever the relay used a known code, so callers can
compare with ``ErrorCode.RATE_LIMITED`` or with the plain string alike (it is a ``StrEnum``).
"""

from __future__ import annotations

from chatshop.protocol import ErrorCode


class ClientError(Exception):
    """Base of the errors raised by ``chatshop.client``."""


class RequestError(ClientError):
    """A request failed; ``code`` is machine-readable, ``message`` is for people."""

    def __init__(
        self, code: ErrorCode | str, message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.code: ErrorCode | str = _known_code(code)
        self.message = message
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.code)!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class RequestTimeout(RequestError):
    """No reply came in time; for ``send`` the message may still have been stored."""

    def __init__(self, message: str) -> None:
        super().__init__("timeout", message)


class InvalidReply(RequestError):
    """The relay answered with a result that does not decode into the declared type."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_reply", message)


class ConnectionLost(RequestError):
    """There was no link to carry the request, or it dropped before the reply came."""

    def __init__(self, message: str = "not connected to the relay") -> None:
        super().__init__(self.default_code, message)

    default_code = "connection_lost"


class ClientClosed(ConnectionLost):
    """The client was closed: nothing more will be sent or received."""

    default_code = "client_closed"

    def __init__(self, message: str = "the client is closed") -> None:
        super().__init__(message)


def _known_code(code: ErrorCode | str) -> ErrorCode | str:
    """Promote a relay's code string to ``ErrorCode`` when it is one we know."""
    try:
        return ErrorCode(code)
    except ValueError:
        return code
