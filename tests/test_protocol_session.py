"""The connection state machine without a socket: frames and times in, decisions out."""

from __future__ import annotations

from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.frames import Hello, ListThreads, Login, Ping
from chatshop.protocol.session import (
    Close,
    CloseCode,
    Refuse,
    Serve,
    ServerSession,
    State,
    link_end,
)


def fresh() -> ServerSession:
    return ServerSession(opened_at=100.0, hello_timeout=10.0, auth_timeout=60.0)


def test_hello_first_then_login_then_the_rest() -> None:
    """Only hello is served first; then login but not threads; after a session, anything."""
    session = fresh()
    hello = session.receive('{"type":"hello","id":1,"protocol":1}')
    assert isinstance(hello, Serve) and isinstance(hello.request, Hello)
    session.greeted(101.0)
    early = session.receive('{"type":"threads","id":2}')
    assert isinstance(early, Refuse) and early.error.code is ErrorCode.UNAUTHORIZED
    assert early.request_id == 2 and early.close is None
    login = session.receive('{"type":"login","id":3,"handle":"sam","password":"pw"}')
    assert isinstance(login, Serve) and isinstance(login.request, Login)
    session.authenticated(7, 42)
    later = session.receive('{"type":"threads","id":4}')
    assert isinstance(later, Serve) and isinstance(later.request, ListThreads)
    assert (session.user_id, session.session_id) == (7, 42)


def test_a_first_frame_that_is_not_a_valid_hello_closes_with_1002() -> None:
    """Garbage or any other request first is a protocol error: close, no reply."""
    for first in ("not json", '{"type":"ping","id":1}'):
        session = fresh()
        decision = session.receive(first)
        assert isinstance(decision, Close) and decision.code is CloseCode.PROTOCOL_ERROR
        assert session.state is State.CLOSED


def test_an_unsupported_version_is_answered_then_closed() -> None:
    """The client hears unsupported_version, then the connection closes with 1002."""
    decision = fresh().receive('{"type":"hello","id":1,"protocol":99}')
    assert isinstance(decision, Refuse)
    assert decision.error.code is ErrorCode.UNSUPPORTED_VERSION
    assert decision.close == Close(CloseCode.PROTOCOL_ERROR, "unsupported protocol version")


def test_a_second_hello_is_refused_and_the_connection_stays() -> None:
    session = fresh()
    session.receive('{"type":"hello","id":1,"protocol":1}')
    session.greeted(100.0)
    again = session.receive('{"type":"hello","id":2,"protocol":1}')
    assert isinstance(again, Refuse) and again.error.code is ErrorCode.BAD_REQUEST
    assert again.close is None and session.state is State.GREETED


def test_bad_frames_after_hello_are_refused_with_their_id() -> None:
    session = fresh()
    session.receive('{"type":"hello","id":1,"protocol":1}')
    session.greeted(100.0)
    decision = session.receive('{"type":"nope","id":"x-1"}')
    assert isinstance(decision, Refuse) and decision.error.code is ErrorCode.BAD_REQUEST
    assert decision.request_id == "x-1"


def test_deadlines_for_hello_and_for_login() -> None:
    """10 s to say hello, then 60 s to log in; a session has no deadline; logging out
    starts the login clock again; binary frames and revocations close."""
    session = fresh()
    assert session.deadline() == 110.0 and session.expired(109.9) is None
    session.receive('{"type":"hello","id":1,"protocol":1}')
    session.greeted(105.0)
    assert session.deadline() == 165.0
    session.authenticated(1, 1)
    assert session.deadline() is None and session.expired(10_000.0) is None
    session.logged_out(200.0)
    assert session.deadline() == 260.0
    assert isinstance(session.receive('{"type":"ping","id":9}'), Serve)  # ping needs no login
    closed = session.expired(260.0)
    assert closed is not None and closed.code is CloseCode.POLICY_VIOLATION
    assert "log in within 60 s" in closed.reason
    assert fresh().receive_bytes().code is CloseCode.UNSUPPORTED_DATA
    revoked = fresh()
    revoked.authenticated(3, 4)
    assert revoked.revoked() == Close(CloseCode.SESSION_REVOKED, "session revoked")
    assert isinstance(revoked.receive('{"type":"ping","id":1}'), Close)
    assert Ping(id=1).needs_auth is False


def test_what_a_close_code_tells_a_client() -> None:
    """Revoked: forget the session and stop; protocol errors: stop; the rest: retry."""
    revoked = link_end(4001, "")
    assert revoked.forget_session and not revoked.retry
    assert revoked.reason == "session revoked (4001)"
    assert not link_end(1002, "bad hello").retry
    assert link_end(1001, "").retry and link_end(1008, "too far behind").retry
    dropped = link_end(None, "")
    assert dropped.retry and dropped.reason == "connection lost (1006)"
