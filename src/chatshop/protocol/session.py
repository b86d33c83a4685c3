"""The connection's state machine, sans I/O: what each side may send and when, and what a
close means. ``chatshop_server.peer.Peer`` drives ``ServerSession``; the client library's
``Connection`` drives ``ClientSession``. Neither touches a socket or a clock of its own:
frames and times go in, decisions come out, as websockets' ``protocol.py`` is driven by its
asyncio server and client.

A connection goes through these states::

    AWAITING_HELLO --hello--> GREETED --login/register/auth--> AUTHENTICATED
          |                      ^                                  |
          |                      +-------------logout---------------+
          +-- no hello in time, first frame not a hello, bad version --> closed (1002/1008)

A second ``hello`` is refused (``bad_request``); a request that needs a session before one
exists is refused (``unauthorized``); ``login``/``register``/``auth`` while authenticated
switch the connection to the new session. A revoked session closes with 4001.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from chatshop.protocol.bot_frames import Scope
from chatshop.protocol.codec import decode_request, request_id_of
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import Hello, Request
from chatshop.protocol.limits import SUPPORTED_VERSIONS
from chatshop.protocol.scopes import event_kind, event_kinds, refusal


class CloseCode(enum.IntEnum):
    """WebSocket close codes the relay uses, and what each tells a client to do."""

    NORMAL = 1000  # the client closed, or the relay closed a connection it was done with
    GOING_AWAY = 1001  # relay shutting down: reconnect, resume from your cursor
    PROTOCOL_ERROR = 1002  # no hello first, or an unsupported version: do not retry as is
    UNSUPPORTED_DATA = 1003  # a binary frame: the protocol is JSON text only
    INVALID_TEXT = 1007  # a text frame that is not UTF-8 (closed by the websocket layer)
    POLICY_VIOLATION = 1008  # too slow to say hello or log in, or too far behind: reconnect
    MESSAGE_TOO_BIG = 1009  # a frame over max_frame_bytes
    INTERNAL_ERROR = 1011  # a fault on the relay (a failed replay): reconnect and resume
    SESSION_REVOKED = 4001  # logout, logout_all or a password change ended this session


#: Codes after which trying again would fail the same way.
FINAL_CLOSE_CODES = frozenset(
    {
        CloseCode.PROTOCOL_ERROR,
        CloseCode.UNSUPPORTED_DATA,
        CloseCode.INVALID_TEXT,
        CloseCode.MESSAGE_TOO_BIG,
        CloseCode.SESSION_REVOKED,
    }
)

#: What a close code means to a person, when the relay gave no reason.
CLOSE_MEANINGS: dict[int, str] = {
    CloseCode.NORMAL: "the relay closed the connection",
    CloseCode.GOING_AWAY: "the relay is going away",
    CloseCode.PROTOCOL_ERROR: "protocol error",
    CloseCode.UNSUPPORTED_DATA: "the relay takes text frames only",
    CloseCode.INVALID_TEXT: "a frame was not valid UTF-8",
    1006: "connection lost",
    CloseCode.POLICY_VIOLATION: "the relay closed an idle or lagging connection",
    CloseCode.MESSAGE_TOO_BIG: "frame too big",
    CloseCode.INTERNAL_ERROR: "relay error",
    CloseCode.SESSION_REVOKED: "session revoked",
}


class State(enum.Enum):
    AWAITING_HELLO = "awaiting hello"
    GREETED = "greeted"
    AUTHENTICATED = "authenticated"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connection with this code and reason."""

    code: CloseCode
    reason: str


@dataclass(frozen=True, slots=True)
class Serve:
    """Run this request."""

    request: Request[Any]


@dataclass(frozen=True, slots=True)
class Refuse:
    """Answer this error to the frame (``request_id`` may be unknown), then ``close`` if set."""

    error: ProtocolError
    request_id: int | str | None
    close: Close | None = None


Decision = Serve | Refuse | Close


class ServerSession:
    """The relay's side of one connection: which frame is served, refused or fatal, and
    when an idle connection must go (``deadline``)."""

    __slots__ = (
        "_auth_timeout",
        "_events",
        "_hello_timeout",
        "_since",
        "scopes",
        "session_id",
        "state",
        "user_id",
    )

    def __init__(self, *, opened_at: float, hello_timeout: float, auth_timeout: float) -> None:
        self.state = State.AWAITING_HELLO
        self.user_id = 0
        self.session_id = 0
        self.scopes: frozenset[Scope] | None = None  # a bot's session; None for a person's
        self._events: frozenset[bytes] | None = None
        self._hello_timeout = hello_timeout
        self._auth_timeout = auth_timeout
        self._since = opened_at  # when the current wait (for hello, for a login) began

    # ------------------------------------------------------------------ frames in

    def receive_bytes(self) -> Close:
        """A binary frame: not part of the protocol."""
        self.state = State.CLOSED
        return Close(CloseCode.UNSUPPORTED_DATA, "binary frames are not used")

    def receive(self, raw: str | bytes) -> Decision:
        """Decide what to do with one text frame."""
        if self.state is State.CLOSED:
            return Close(CloseCode.PROTOCOL_ERROR, "the connection is closing")
        try:
            request = decode_request(raw)
        except ProtocolError as exc:
            if self.state is State.AWAITING_HELLO:
                return self._fail("the first frame must be a valid hello")
            return Refuse(exc, request_id_of(raw))
        if isinstance(request, Hello):
            if self.state is not State.AWAITING_HELLO:
                return Refuse(
                    ProtocolError(ErrorCode.BAD_REQUEST, "hello was already sent"), request.id
                )
            if request.protocol not in SUPPORTED_VERSIONS:
                self.state = State.CLOSED
                error = ProtocolError(
                    ErrorCode.UNSUPPORTED_VERSION,
                    f"protocol {request.protocol} is not supported; "
                    f"this relay speaks {sorted(SUPPORTED_VERSIONS)}",
                )
                return Refuse(
                    error,
                    request.id,
                    Close(CloseCode.PROTOCOL_ERROR, "unsupported protocol version"),
                )
            return Serve(request)
        if self.state is State.AWAITING_HELLO:
            return self._fail("the first frame must be hello")
        if request.needs_auth and self.state is not State.AUTHENTICATED:
            return Refuse(ProtocolError(ErrorCode.UNAUTHORIZED, "log in first"), request.id)
        if self.scopes is not None:
            why = refusal(type(request), self.scopes)
            if why is not None:
                return Refuse(ProtocolError(ErrorCode.FORBIDDEN, why), request.id)
        return Serve(request)

    def delivers(self, event: bytes) -> bool:
        """Whether an encoded event may reach this session (a bot's scopes bound it)."""
        return self._events is None or event_kind(event) in self._events

    def _fail(self, reason: str) -> Close:
        self.state = State.CLOSED
        return Close(CloseCode.PROTOCOL_ERROR, reason)

    # ------------------------------------------------------------------ what handlers did

    def greeted(self, now: float) -> None:
        """The hello was answered: the wait for a login starts now."""
        if self.state is State.AWAITING_HELLO:
            self.state = State.GREETED
            self._since = now

    def authenticated(
        self, user_id: int, session_id: int, scopes: frozenset[Scope] | None = None
    ) -> None:
        """A session started; a bot's ``scopes`` bound what it may send and receive."""
        if self.state is not State.CLOSED:
            self.state = State.AUTHENTICATED
            self.user_id, self.session_id = user_id, session_id
            self.scopes = scopes
            self._events = None if scopes is None else event_kinds(scopes)

    def logged_out(self, now: float) -> None:
        """The session ended but the connection stays: anonymous, and on the login clock."""
        if self.state is State.AUTHENTICATED:
            self.state = State.GREETED
            self.user_id = self.session_id = 0
            self.scopes = self._events = None
            self._since = now

    def revoked(self) -> Close:
        """The session was revoked elsewhere: nothing more is served."""
        self.state = State.CLOSED
        self.user_id = self.session_id = 0
        return Close(CloseCode.SESSION_REVOKED, "session revoked")

    # ------------------------------------------------------------------ time

    def deadline(self) -> float | None:
        """When this connection must have moved on (None: it may stay as long as it likes)."""
        if self.state is State.AWAITING_HELLO:
            return self._since + self._hello_timeout
        if self.state is State.GREETED:
            return self._since + self._auth_timeout
        return None

    def expired(self, now: float) -> Close | None:
        """The close an idle connection gets at ``now``, if its deadline has passed."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return None
        waited = "send hello" if self.state is State.AWAITING_HELLO else "log in"
        limit = self._hello_timeout if self.state is State.AWAITING_HELLO else self._auth_timeout
        self.state = State.CLOSED
        return Close(CloseCode.POLICY_VIOLATION, f"did not {waited} within {limit:g} s")


@dataclass(frozen=True, slots=True)
class LinkEnd:
    """How a client's link ended: a reason for people, and whether to try again."""

    reason: str
    retry: bool
    forget_session: bool


def link_end(code: int | None, reason: str) -> LinkEnd:
    """What a client does after the relay closed with ``code`` (None: the link dropped)."""
    known = code if code is not None else 1006
    what = reason or CLOSE_MEANINGS.get(known, "connection closed")
    return LinkEnd(
        reason=f"{what} ({known})",
        retry=known not in FINAL_CLOSE_CODES,
        forget_session=known == CloseCode.SESSION_REVOKED,
    )
