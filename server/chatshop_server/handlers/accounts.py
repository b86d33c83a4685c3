"""Hello, registration, login, resume, logout and passwords."""

from __future__ import annotations

import logging

import chatshop
from chatshop.protocol import limits
from chatshop.protocol.bot_frames import SCOPES, Scope
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import (
    Auth,
    AuthResult,
    ChangePassword,
    GetUser,
    Hello,
    HelloResult,
    Login,
    Logout,
    LogoutAll,
    Ok,
    Ping,
    Register,
    UserResult,
)
from chatshop.protocol.handles import bare, check_handle
from chatshop.protocol.models import Limits, User
from chatshop.protocol.text import check_text
from chatshop_server.handlers.base import OK, PeerLike, handles, me
from chatshop_server.passwords import new_token, token_hash
from chatshop_server.rules.money import transfer_limit

auth_log = logging.getLogger("chatshop.server.auth")


def check_password(password: str) -> str:
    if not limits.MIN_PASSWORD_CHARS <= len(password) <= limits.MAX_PASSWORD_CHARS:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"a password has {limits.MIN_PASSWORD_CHARS} to {limits.MAX_PASSWORD_CHARS} characters",
        )
    return check_text(password, field="password", max_chars=limits.MAX_PASSWORD_CHARS)


@handles(Hello)
async def hello(peer: PeerLike, request: Hello) -> HelloResult:
    config = peer.ctx.config
    return HelloResult(
        protocol=limits.PROTOCOL_VERSION,
        server="chatshop-relay",
        version=chatshop.__version__,
        limits=Limits(
            max_frame_bytes=config.max_frame_bytes,
            max_text_chars=limits.MAX_TEXT_CHARS,
            max_name_chars=limits.MAX_NAME_CHARS,
            max_group_members=limits.MAX_GROUP_MEMBERS,
            max_history_page=limits.MAX_HISTORY_PAGE,
            rate_per_second=config.rate_per_second,
            rate_burst=config.rate_burst,
            hello_timeout=config.hello_timeout,
            auth_timeout=config.auth_timeout,
            max_connections_per_address=config.max_connections_per_address,
            top_ups=config.demo_funding,
            max_top_up=transfer_limit(config.default_currency, config.demo_topup_max_major)
            if config.demo_funding
            else 0,
            daily_top_up=transfer_limit(config.default_currency, config.demo_topup_daily_major)
            if config.demo_funding
            else 0,
        ),
    )


async def begin_session(
    peer: PeerLike,
    user: User,
    session_id: int,
    token: str,
    since: int | None,
    scopes: frozenset[Scope] | None = None,
) -> AuthResult:
    """The session's start: the connection becomes ``user`` from ``cursor``; once the peer
    has sent this result it replays every event after the cursor, then the live ones.

    The cursor is read before subscribing and the replay runs after: an event committed in
    between is found by the replay, and one published meanwhile waits in the peer's buffer,
    so a starting session misses nothing and gets nothing twice.
    """
    cursor = since if since is not None else peer.ctx.stores.log.head()
    peer.start_session(user, session_id, cursor, scopes)
    shown = None if scopes is None else [scope for scope in SCOPES if scope in scopes]
    return AuthResult(token=token, user=user, cursor=cursor, scopes=shown)


async def _open_session(peer: PeerLike, user: User, device: str) -> AuthResult:
    token = new_token()
    session_id = await peer.ctx.stores.accounts.create_session(user.id, token_hash(token), device)
    return await begin_session(peer, user, session_id, token, None)


@handles(Register)
async def register_account(peer: PeerLike, request: Register) -> AuthResult:
    handle = check_handle(request.handle)
    name = check_text(request.display_name, field="display_name", max_chars=limits.MAX_NAME_CHARS)
    password = check_password(request.password)
    if await peer.ctx.stores.accounts.user_by_handle(handle) is not None:
        raise ProtocolError(ErrorCode.CONFLICT, f"the handle {handle!r} is taken")
    password_hash = await peer.ctx.passwords.hash(password)
    user = await peer.ctx.stores.accounts.create_user(handle, name, request.kind, password_hash)
    peer.ctx.logins.succeeded(handle, peer.address)  # the owner's address from the start
    return await _open_session(peer, user, "")


@handles(Login)
async def login(peer: PeerLike, request: Login) -> AuthResult:
    handle, logins = bare(request.handle), peer.ctx.logins
    logins.check(handle, peer.address)  # before any password work
    found = await peer.ctx.stores.accounts.credentials(handle)
    ok = await peer.ctx.passwords.verify(None if found is None else found[1], request.password)
    if not ok or found is None:
        logins.failed(handle, peer.address)
        auth_log.warning("failed login for %r from %s", handle[:40], peer.address)
        raise ProtocolError(ErrorCode.UNAUTHORIZED, "wrong handle or password")
    logins.succeeded(handle, peer.address)
    return await _open_session(peer, found[0], request.device)


@handles(Auth)
async def auth(peer: PeerLike, request: Auth) -> AuthResult:
    info = peer.ctx.stores.accounts.session_by_token(token_hash(request.token))
    if info is None:
        raise ProtocolError(ErrorCode.UNAUTHORIZED, "this session token is not valid")
    since = request.since
    if since is not None and since < 0:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "since must be a cursor you received")
    return await begin_session(peer, info.user, info.session_id, request.token, since, info.scopes)


@handles(Logout)
async def logout(peer: PeerLike, request: Logout) -> Ok:
    """End this session: this connection stays open, anonymous; every other connection
    holding the same token is closed with 4001, as the token no longer opens anything."""
    user_id, session_id = me(peer), peer.session_id
    await peer.ctx.stores.accounts.revoke_session(session_id)
    peer.end_session()
    peer.ctx.broker.revoke_sessions(user_id, [session_id])
    return OK


@handles(LogoutAll)
async def logout_all(peer: PeerLike, request: LogoutAll) -> Ok:
    user_id, session_id = me(peer), peer.session_id
    revoked = await peer.ctx.stores.accounts.revoke_sessions(user_id, keep=None)
    peer.end_session()
    peer.ctx.broker.revoke_sessions(user_id, [r for r in revoked if r != session_id])
    return OK


@handles(ChangePassword)
async def change_password(peer: PeerLike, request: ChangePassword) -> Ok:
    assert peer.user is not None
    handle, logins = peer.user.handle, peer.ctx.logins
    logins.check(handle, peer.address)  # a stolen session guessing the password is slowed too
    found = await peer.ctx.stores.accounts.credentials(handle)
    stored = None if found is None else found[1]
    if not await peer.ctx.passwords.verify(stored, request.old_password):
        logins.failed(handle, peer.address)
        raise ProtocolError(ErrorCode.UNAUTHORIZED, "the current password is wrong")
    new_hash = await peer.ctx.passwords.hash(check_password(request.new_password))
    revoked = await peer.ctx.stores.accounts.set_password(me(peer), new_hash, keep=peer.session_id)
    peer.ctx.broker.revoke_sessions(me(peer), revoked)
    return OK


@handles(Ping)
async def ping(peer: PeerLike, request: Ping) -> Ok:
    return OK


@handles(GetUser)
async def get_user(peer: PeerLike, request: GetUser) -> UserResult:
    user = await peer.ctx.stores.accounts.user_by_handle(request.handle)
    if user is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no account with handle {request.handle!r}")
    return UserResult(user=user)
