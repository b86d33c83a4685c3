"""SQL operations on accounts, sessions and contacts (run inside the writer or a reader)."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import ContactEvent
from chatshop.protocol.models import AccountKind, Contact, ContactStatus, User
from chatshop_server.events import Publication
from chatshop_server.rules.identity import skeleton
from chatshop_server.storage.bots import decode_scopes
from chatshop_server.storage.common import (
    append_event,
    new_id,
    require_user,
    user_by_handle,
    user_by_id,
)
from chatshop_server.storage.database import Store, reads, writes
from chatshop_server.storage.prepared import Prepared
from chatshop_server.storage.rows import now_ms, user_from_row
from chatshop_server.storage.specs import ContactAction, SessionInfo
from chatshop_server.storage.tables import contacts, sessions, users


def create_user(
    conn: Connection,
    publications: list[Publication],
    handle: str,
    display_name: str,
    kind: AccountKind,
    password_hash: str,
) -> User:
    handle_look, name_look = skeleton(handle), skeleton(display_name)
    twin = conn.execute(
        select(users.c.handle).where(
            users.c.handle_skeleton == handle_look, users.c.handle_lower != handle.lower()
        )
    ).first()
    if twin is not None:
        raise ProtocolError(
            ErrorCode.CONFLICT, f"the handle {handle!r} looks too much like @{twin.handle}"
        )
    lookalike = (
        conn.execute(
            select(users.c.id).where(users.c.verified == 1, users.c.name_skeleton == name_look)
        ).first()
        is not None
    )
    try:
        with conn.begin_nested():
            result = conn.execute(
                insert(users).values(
                    handle=handle,
                    handle_lower=handle.lower(),
                    display_name=display_name,
                    kind=kind,
                    password_hash=password_hash,
                    created_at=now_ms(),
                    handle_skeleton=handle_look,
                    name_skeleton=name_look,
                    lookalike=int(lookalike),
                )
            )
    except IntegrityError:
        raise ProtocolError(ErrorCode.CONFLICT, f"the handle {handle!r} is taken") from None
    return User(
        id=new_id(result), handle=handle, display_name=display_name, kind=kind, lookalike=lookalike
    )


def credentials(conn: Connection, handle: str) -> tuple[User, str] | None:
    row = conn.execute(select(users).where(users.c.handle_lower == handle.lower())).first()
    return None if row is None else (user_from_row(row), row.password_hash)


def create_session(
    conn: Connection, publications: list[Publication], user_id: int, token_hash: str, device: str
) -> int:
    result = conn.execute(
        insert(sessions).values(
            user_id=user_id, token_hash=token_hash, device=device[:64], created_at=now_ms()
        )
    )
    session_id = new_id(result)
    return session_id


_SESSION = Prepared(
    select(sessions.c.id.label("session_id"), sessions.c.scopes.label("session_scopes"), users)
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.token_hash == bindparam("b_hash"), sessions.c.revoked_at.is_(None))
)


def session_by_token(conn: Connection, token_hash: str) -> SessionInfo | None:
    row = _SESSION.first(conn, {"b_hash": token_hash})
    if row is None:
        return None
    return SessionInfo(
        user=user_from_row(row),
        session_id=row.session_id,
        scopes=decode_scopes(row.session_scopes),
    )


def revoke_sessions(
    conn: Connection, publications: list[Publication], user_id: int, keep: int | None
) -> list[int]:
    query = select(sessions.c.id).where(
        sessions.c.user_id == user_id,
        sessions.c.revoked_at.is_(None),
        sessions.c.scopes.is_(None),  # bot tokens are revoked one by one
    )
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    ids = [row.id for row in conn.execute(query)]
    if ids:
        conn.execute(update(sessions).where(sessions.c.id.in_(ids)).values(revoked_at=now_ms()))
    return ids


def revoke_session(conn: Connection, publications: list[Publication], session_id: int) -> None:
    conn.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now_ms())
    )


def set_password(
    conn: Connection, publications: list[Publication], user_id: int, password_hash: str, keep: int
) -> list[int]:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
    return revoke_sessions(conn, publications, user_id, keep)


# --------------------------------------------------------------------------- contacts


def _status(conn: Connection, owner: int, other: int) -> ContactStatus:
    row = conn.execute(
        select(contacts.c.status).where(contacts.c.owner_id == owner, contacts.c.other_id == other)
    ).first()
    return "none" if row is None else row.status


def _set(conn: Connection, owner: int, other: int, status: ContactStatus) -> None:
    conn.execute(delete(contacts).where(contacts.c.owner_id == owner, contacts.c.other_id == other))
    if status != "none":
        conn.execute(
            insert(contacts).values(
                owner_id=owner, other_id=other, status=status, updated_at=now_ms()
            )
        )


def list_contacts(conn: Connection, user_id: int) -> list[Contact]:
    rows = conn.execute(
        select(contacts.c.status, users)
        .join(users, users.c.id == contacts.c.other_id)
        .where(contacts.c.owner_id == user_id)
        .order_by(users.c.handle_lower)
    )
    return [Contact(user=user_from_row(row), status=row.status) for row in rows]


def change_contact(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    action: ContactAction,
) -> Contact:
    """Apply a friend/block action; both sides get a ``contact`` event when their view moves."""
    me = user_by_id(conn, user_id)
    other = require_user(conn, handle)
    if other.id == me.id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "you cannot do that to yourself")
    mine, theirs = _status(conn, me.id, other.id), _status(conn, other.id, me.id)
    new_mine, new_theirs = mine, theirs
    if action == "request":
        if mine == "blocked" or theirs == "blocked":
            raise ProtocolError(ErrorCode.BLOCKED, f"you cannot befriend @{other.handle}")
        if mine == "friend":
            raise ProtocolError(ErrorCode.CONFLICT, f"you are already friends with @{other.handle}")
        if mine == "outgoing":
            raise ProtocolError(ErrorCode.CONFLICT, f"you already asked @{other.handle}")
        new_mine, new_theirs = (
            ("friend", "friend") if mine == "incoming" else ("outgoing", "incoming")
        )
    elif action == "accept":
        if mine != "incoming":
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no friend request from @{other.handle}")
        new_mine, new_theirs = "friend", "friend"
    elif action == "decline":
        if mine not in ("incoming", "outgoing"):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no pending request with @{other.handle}")
        new_mine, new_theirs = "none", "none"
    elif action == "remove":
        if mine != "friend":
            raise ProtocolError(ErrorCode.NOT_FOUND, f"you are not friends with @{other.handle}")
        new_mine, new_theirs = "none", "none"
    elif action == "block":
        if mine == "blocked":
            raise ProtocolError(ErrorCode.CONFLICT, f"you already blocked @{other.handle}")
        new_mine = "blocked"
        new_theirs = theirs if theirs == "blocked" else "none"
    elif action == "unblock":
        if mine != "blocked":
            raise ProtocolError(ErrorCode.NOT_FOUND, f"you have not blocked @{other.handle}")
        new_mine = "none"
    if new_mine != mine:
        _set(conn, me.id, other.id, new_mine)
        event = ContactEvent(contact=Contact(user=other, status=new_mine))
        append_event(conn, publications, event, recipients=[me.id], user_id=me.id)
    if new_theirs != theirs:
        _set(conn, other.id, me.id, new_theirs)
        event = ContactEvent(contact=Contact(user=me, status=new_theirs))
        append_event(conn, publications, event, recipients=[other.id], user_id=other.id)
    return Contact(user=other, status=new_mine)


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


class AccountStore(Store):
    """Accounts, credentials and sessions."""

    __slots__ = ()

    create_user = writes(create_user)
    credentials = reads(credentials)
    user_by_handle = reads(user_by_handle)
    count_users = reads(count_users)
    create_session = writes(create_session)

    def session_by_token(self, token_hash: str) -> SessionInfo | None:
        """The live session a token opens, read on the event loop (one indexed row)."""
        return self.db.read_here(session_by_token, token_hash)

    revoke_session = writes(revoke_session)
    revoke_sessions = writes(revoke_sessions)
    set_password = writes(set_password)


class ContactStore(Store):
    """Friends, friend requests and blocks."""

    __slots__ = ()

    contacts = reads(list_contacts)
    change = writes(change_contact)
