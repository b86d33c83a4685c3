"""``ChatClient``: one typed coroutine per request, the surface the TUI and bots call.

Each method builds its request frame, lets the connection assign the id and match the reply,
and unwraps result structs that only wrap one value (``ThreadList`` -> ``list[Thread]``).

Calls that move money or post a money card take an idempotency ``key`` (a fresh one when
none is given) and behave like ``send``: written again with the same key when the link drops
before the reply, so the relay applies them once; a retried key answers ``replayed=True``.
"""

from __future__ import annotations

import asyncio
import uuid
from functools import cached_property
from typing import Any, TypeVar

from chatshop.client.alert_api import AlertClient
from chatshop.client.brand_api import BrandClient
from chatshop.client.connection import Connection
from chatshop.client.errors import RequestError
from chatshop.client.shop_api import ShopClient
from chatshop.client.webhook_api import WebhookClient
from chatshop.protocol import Contact, ErrorCode, Message, Thread, User
from chatshop.protocol.base import Request
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
from chatshop.protocol.payment_frames import (
    CardResult,
    ClaimResult,
    DeclineRequest,
    GetWallet,
    OpenLuckyMoney,
    Pay,
    PaymentResult,
    PayRequest,
    RequestMoney,
    SendLuckyMoney,
    ShareSpec,
    Split,
    TopUp,
    TransferPage,
    WalletHistory,
    WalletResult,
)

T = TypeVar("T")

# Timeouts
MAX_SEND_RETRY_WAIT = 5.0  # a longer rate-limit pause is the caller's decision, not ours
RETRY_MARGIN = 0.01  # retry_after is rounded to the millisecond, and timers may fire early


class ChatClient(Connection):
    """An asyncio client of a chatshop relay; see ``Connection`` for the link's behaviour.

    ``send`` is the one call that survives a dropped link: it waits for the reconnect and is
    written again with the same idempotency key, so the relay stores it exactly once.
    Shopping calls live on :attr:`shop`.
    """

    @cached_property
    def shop(self) -> ShopClient:
        """The typed shop calls (catalogue, cart, checkout, orders) over this connection."""
        return ShopClient(self)

    @cached_property
    def brands(self) -> BrandClient:
        """A customer's brand calls: follow, invoices, checkout cards, order problems."""
        return BrandClient(self)

    @cached_property
    def alerts(self) -> AlertClient:
        """Your watches of products: price and stock alerts."""
        return AlertClient(self)

    @cached_property
    def webhooks(self) -> WebhookClient:
        """The brand's webhook endpoints, delivery log and replays (staff or bot token)."""
        return WebhookClient(self)

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
        self,
        thread_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        key: str | None = None,
        pick: int | None = None,
    ) -> Message:
        """Post a message and return it as stored (``pick``: the index of the quick reply
        of message ``reply_to`` that this answers with).

        While the link is down the call waits, queued in call order, and goes out once it is
        back; a send in flight when the link dropped is written again with the same ``key``,
        which the relay deduplicates. A short ``rate_limited`` pause is waited out once.
        """
        request = Send(
            id=0,
            thread_id=thread_id,
            text=text,
            key=key or new_key(),
            reply_to=reply_to,
            pick=pick,
        )
        return await self._keyed(request, Message)

    async def _keyed(self, request: Request[Any], result_type: type[T]) -> T:
        """One keyed request: replayed after a dropped link (see ``Connection``), and a short
        ``rate_limited`` pause waited out once, with the same key."""
        try:
            return await self._call(request, result_type)
        except RequestError as exc:
            wait = exc.retry_after
            if exc.code != ErrorCode.RATE_LIMITED or wait is None or wait > MAX_SEND_RETRY_WAIT:
                raise
        await asyncio.sleep(wait + RETRY_MARGIN)
        return await self._call(request, result_type)

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

    # ------------------------------------------------------------------ money

    async def wallet(self) -> WalletResult:
        """Your balances, the relay's default currency and its per-transfer maximum."""
        return await self._call(GetWallet(id=0), WalletResult)

    async def wallet_history(self, before: int | None = None, limit: int = 50) -> TransferPage:
        """A page of your transfers, newest first, older than transfer id ``before``."""
        return await self._call(WalletHistory(id=0, before=before, limit=limit), TransferPage)

    async def topup(self, amount: int, currency: str, *, key: str | None = None) -> PaymentResult:
        """Add ``amount`` minor units from the relay's funding provider (simulated in the demo)."""
        request = TopUp(id=0, amount=amount, currency=currency, key=key or new_key())
        return await self._keyed(request, PaymentResult)

    async def pay(
        self,
        thread_id: int,
        to: str,
        amount: int,
        currency: str,
        *,
        note: str = "",
        key: str | None = None,
    ) -> PaymentResult:
        """Pay ``to`` (a member of the thread, by handle) and post a payment card there."""
        request = Pay(
            id=0,
            thread_id=thread_id,
            to=to,
            amount=amount,
            currency=currency,
            note=note,
            key=key or new_key(),
        )
        return await self._keyed(request, PaymentResult)

    async def request_money(
        self,
        thread_id: int,
        payer: str,
        amount: int,
        currency: str,
        *,
        note: str = "",
        key: str | None = None,
    ) -> CardResult:
        """Ask ``payer`` (a member of the thread) for money; posts a request card."""
        request = RequestMoney(
            id=0,
            thread_id=thread_id,
            payer=payer,
            amount=amount,
            currency=currency,
            note=note,
            key=key or new_key(),
        )
        return await self._keyed(request, CardResult)

    async def pay_request(self, request_id: int, *, key: str | None = None) -> PaymentResult:
        """Pay a request (or split share) addressed to you; its card updates for everyone."""
        request = PayRequest(id=0, request_id=request_id, key=key or new_key())
        return await self._keyed(request, PaymentResult)

    async def decline_request(self, request_id: int) -> CardResult:
        """Decline a request addressed to you, or cancel one you made."""
        return await self._call(DeclineRequest(id=0, request_id=request_id), CardResult)

    async def split(
        self,
        thread_id: int,
        total: int,
        currency: str,
        *,
        note: str = "",
        shares: list[ShareSpec] | None = None,
        include_self: bool = True,
        key: str | None = None,
    ) -> CardResult:
        """Split a bill in a group: equal shares, or ``shares`` with the rest yours."""
        request = Split(
            id=0,
            thread_id=thread_id,
            total=total,
            currency=currency,
            note=note,
            shares=shares,
            include_self=include_self,
            key=key or new_key(),
        )
        return await self._keyed(request, CardResult)

    async def lucky_send(
        self,
        thread_id: int,
        total: int,
        currency: str,
        count: int,
        *,
        note: str = "",
        key: str | None = None,
    ) -> CardResult:
        """Drop a red packet the first ``count`` members to open it share at random."""
        request = SendLuckyMoney(
            id=0,
            thread_id=thread_id,
            total=total,
            currency=currency,
            count=count,
            note=note,
            key=key or new_key(),
        )
        return await self._keyed(request, CardResult)

    async def lucky_open(self, packet_id: int) -> ClaimResult:
        """Open a red packet: your share (the same one again if you opened it before)."""
        return await self._call(OpenLuckyMoney(id=0, packet_id=packet_id), ClaimResult)


def new_key() -> str:
    """A fresh idempotency key."""
    return uuid.uuid4().hex
