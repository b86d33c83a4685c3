"""``ChatClient``: one typed coroutine per request, the surface the TUI and bots call.

Each method builds its request frame, lets the connection assign the id and match the reply,
and unwraps result structs that only wrap one value (``ThreadList`` -> ``list[Thread]``).
"""

from __future__ import annotations

import asyncio
import uuid

from chatshop.client.connection import Connection
from chatshop.client.errors import RequestError
from chatshop.protocol import Contact, ErrorCode, Message, Thread, User
from chatshop.protocol.frames import (
    AddMember,
    AuthResult,
    Block,
    ChangePassword,
    ContactList,
    Contacts,
    CreateGroup,
    Delete,
    Edit,
    FriendAccept,
    FriendDecline,
    FriendRemove,
    FriendRequest,
    GetHistory,
    GetThread,
    GetUser,
    History,
    LeaveGroup,
    ListThreads,
    Login,
    Logout,
    LogoutAll,
    MarkRead,
    Ok,
    OpenDirect,
    Ping,
    Register,
    RemoveMember,
    RenameGroup,
    Send,
    ThreadList,
    Typing,
    Unblock,
    UserResult,
)
from chatshop.protocol.limits import DEFAULT_HISTORY_PAGE
from chatshop.protocol.models import AccountKind

# Timeouts
MAX_SEND_RETRY_WAIT = 5.0  # a longer rate-limit pause is the caller's decision, not ours
RETRY_MARGIN = 0.01  # retry_after is rounded to the millisecond, and timers may fire early


class ChatClient(Connection):
    """An asyncio client of a chatshop relay; see ``Connection`` for the link's behaviour.

    ``send`` is the one call that survives a dropped link: it waits for the reconnect and is
    written again with the same idempotency key, so the relay stores it exactly once.
    """

    # ------------------------------------------------------------------ account

    async def register(
        self, handle: str, display_name: str, password: str, kind: AccountKind = "person"
    ) -> AuthResult:
        """Create an account and log in; ``token``, ``user`` and ``cursor`` are updated."""
        return await self._call(
            Register(id=0, handle=handle, display_name=display_name, password=password, kind=kind),
            AuthResult,
        )

    async def login(self, handle: str, password: str, *, device: str = "") -> AuthResult:
        """Start a new session; ``token``, ``user`` and ``cursor`` are updated."""
        return await self._call(
            Login(id=0, handle=handle, password=password, device=device), AuthResult
        )

    async def logout(self) -> None:
        """End this session; the client stops reconnecting until the next login."""
        await self._call(Logout(id=0), Ok)

    async def logout_all(self) -> None:
        """End every session of the account; the others are closed with 4001."""
        await self._call(LogoutAll(id=0), Ok)

    async def change_password(self, old_password: str, new_password: str) -> None:
        """Change the password; the account's other sessions are revoked."""
        await self._call(
            ChangePassword(id=0, old_password=old_password, new_password=new_password), Ok
        )

    async def ping(self) -> float:
        """Round trip to the relay, in seconds."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self._call(Ping(id=0), Ok)
        return loop.time() - started

    async def get_user(self, handle: str) -> User:
        """Look an account up by handle (``client.user`` is the logged-in one)."""
        return (await self._call(GetUser(id=0, handle=handle), UserResult)).user

    # ------------------------------------------------------------------ contacts

    async def contacts(self) -> list[Contact]:
        """Friends, pending requests both ways, and blocked accounts."""
        return (await self._call(Contacts(id=0), ContactList)).contacts

    async def friend_request(self, handle: str) -> Contact:
        """Ask ``handle`` to be friends (accepted at once if they asked first)."""
        return await self._call(FriendRequest(id=0, handle=handle), Contact)

    async def friend_accept(self, handle: str) -> Contact:
        """Accept ``handle``'s pending request."""
        return await self._call(FriendAccept(id=0, handle=handle), Contact)

    async def friend_decline(self, handle: str) -> Contact:
        """Decline ``handle``'s request, or withdraw yours."""
        return await self._call(FriendDecline(id=0, handle=handle), Contact)

    async def friend_remove(self, handle: str) -> Contact:
        """Stop being friends with ``handle``."""
        return await self._call(FriendRemove(id=0, handle=handle), Contact)

    async def block(self, handle: str) -> Contact:
        """Block ``handle``: no more messages or group invitations from them."""
        return await self._call(Block(id=0, handle=handle), Contact)

    async def unblock(self, handle: str) -> Contact:
        """Lift your block on ``handle``."""
        return await self._call(Unblock(id=0, handle=handle), Contact)

    # ------------------------------------------------------------------ threads

    async def threads(self) -> list[Thread]:
        """Your threads, most recent activity first."""
        return (await self._call(ListThreads(id=0), ThreadList)).threads

    async def thread(self, thread_id: int) -> Thread:
        """One thread you are a member of."""
        return await self._call(GetThread(id=0, thread_id=thread_id), Thread)

    async def open_direct(self, handle: str) -> Thread:
        """The direct (or brand) thread with ``handle``, created on first use."""
        return await self._call(OpenDirect(id=0, handle=handle), Thread)

    async def create_group(self, name: str, handles: list[str]) -> Thread:
        """A new group you own, with ``handles`` as members."""
        return await self._call(CreateGroup(id=0, name=name, handles=handles), Thread)

    async def add_member(self, thread_id: int, handle: str) -> Thread:
        """Add ``handle`` to a group you own."""
        return await self._call(AddMember(id=0, thread_id=thread_id, handle=handle), Thread)

    async def remove_member(self, thread_id: int, handle: str) -> Thread:
        """Remove ``handle`` from a group you own."""
        return await self._call(RemoveMember(id=0, thread_id=thread_id, handle=handle), Thread)

    async def rename_group(self, thread_id: int, name: str) -> Thread:
        """Rename a group you own."""
        return await self._call(RenameGroup(id=0, thread_id=thread_id, name=name), Thread)

    async def leave_group(self, thread_id: int) -> None:
        """Leave a group (ownership passes on if you owned it)."""
        await self._call(LeaveGroup(id=0, thread_id=thread_id), Ok)

    # ------------------------------------------------------------------ messages

    async def history(
        self, thread_id: int, before: int | None = None, limit: int = DEFAULT_HISTORY_PAGE
    ) -> History:
        """A page of messages older than seq ``before`` (the newest page when None)."""
        return await self._call(
            GetHistory(id=0, thread_id=thread_id, before=before, limit=limit), History
        )

    async def send(
        self, thread_id: int, text: str, *, reply_to: int | None = None, key: str | None = None
    ) -> Message:
        """Post a message and return it as stored.

        While the link is down the call waits, queued in call order, and goes out once it is
        back; a send in flight when the link dropped is written again with the same ``key``,
        which the relay deduplicates. A short ``rate_limited`` pause is waited out once.
        """
        request = Send(
            id=0, thread_id=thread_id, text=text, key=key or uuid.uuid4().hex, reply_to=reply_to
        )
        try:
            return await self._call(request, Message)
        except RequestError as exc:
            wait = exc.retry_after
            if exc.code != ErrorCode.RATE_LIMITED or wait is None or wait > MAX_SEND_RETRY_WAIT:
                raise
        await asyncio.sleep(wait + RETRY_MARGIN)
        return await self._call(request, Message)

    async def edit(self, message_id: int, text: str) -> Message:
        """Replace the text of your own message."""
        return await self._call(Edit(id=0, message_id=message_id, text=text), Message)

    async def delete(self, message_id: int) -> Message:
        """Delete your own message; the returned placeholder has ``deleted`` set."""
        return await self._call(Delete(id=0, message_id=message_id), Message)

    async def typing(self, thread_id: int) -> None:
        """Tell the other members you are typing (ephemeral, never replayed)."""
        await self._call(Typing(id=0, thread_id=thread_id), Ok)

    async def mark_read(self, thread_id: int, seq: int) -> None:
        """Move your read marker in ``thread_id`` forward to ``seq``."""
        await self._call(MarkRead(id=0, thread_id=thread_id, seq=seq), Ok)
