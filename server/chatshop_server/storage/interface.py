"""What the handlers need from storage, independent of SQL.

Handlers import only this module. ``SqlStore`` implements it over SQLAlchemy (SQLite now,
PostgreSQL later). Every mutation commits before it returns, and hands the events it wrote to
the ``publish`` hook in commit order, after the commit: the transactional-outbox shape that
lets a later fan-out tail the event log instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import History
from chatshop.protocol.models import AccountKind, Contact, Message, Thread, User
from chatshop.protocol.payment_frames import (
    Balance,
    CardResult,
    ClaimResult,
    PaymentResult,
    TransferPage,
)
from chatshop_server.storage.shop_interface import ShopStore

ContactAction = Literal["request", "accept", "decline", "remove", "block", "unblock"]
MemberAction = Literal["add", "remove"]


@dataclass(frozen=True, slots=True)
class Publication:
    """An event to fan out: who gets it, its cursor (None: ephemeral) and its JSON body.

    ``body`` is the encoded event without its cursor; the broker adds the cursor once for
    every recipient, since the cursor is the event's position in the shared log.
    """

    recipients: Sequence[int]
    cursor: int | None
    body: bytes


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """An authenticated session: the account and the session row it runs under."""

    user: User
    session_id: int


PublishHook = Callable[[Publication], None]


@dataclass(frozen=True, slots=True)
class MoneyRequest:
    """What every money-moving operation is given: who, how much, and its idempotency."""

    user_id: int
    amount: int
    currency: str
    max_amount: int
    key: str
    request_hash: str
    note: str = ""

    def check(self) -> None:
        """Refuse amounts that are not positive or over the relay's limit."""
        if self.amount <= 0:
            raise ProtocolError(ErrorCode.INVALID_AMOUNT, "the amount must be more than zero")
        if self.amount > self.max_amount:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED,
                f"one transfer may move at most {self.max_amount} minor units of {self.currency}",
            )


class Store(ShopStore, Protocol):
    """The storage interface the relay's handlers speak to (shopping: ``ShopStore``)."""

    async def start(self) -> None: ...
    async def close(self) -> None: ...

    # accounts and sessions
    async def create_user(
        self, handle: str, display_name: str, kind: AccountKind, password_hash: str
    ) -> User: ...
    async def credentials(self, handle: str) -> tuple[User, str] | None: ...
    async def create_session(self, user_id: int, token_hash: str, device: str) -> int: ...
    async def session_by_token(self, token_hash: str) -> SessionInfo | None: ...
    async def revoke_session(self, session_id: int) -> None: ...
    async def revoke_sessions(self, user_id: int, *, keep: int | None) -> list[int]: ...
    async def set_password(self, user_id: int, password_hash: str, *, keep: int) -> list[int]: ...
    async def user_by_handle(self, handle: str) -> User | None: ...
    async def head_cursor(self) -> int: ...

    # contacts
    async def contacts(self, user_id: int) -> list[Contact]: ...
    async def change_contact(self, user_id: int, handle: str, action: ContactAction) -> Contact: ...

    # threads
    async def list_threads(self, user_id: int) -> list[Thread]: ...
    async def get_thread(self, user_id: int, thread_id: int) -> Thread: ...
    async def open_direct(self, user_id: int, handle: str) -> Thread: ...
    async def create_group(self, user_id: int, name: str, handles: Sequence[str]) -> Thread: ...
    async def change_member(
        self, user_id: int, thread_id: int, handle: str, action: MemberAction
    ) -> Thread: ...
    async def rename_group(self, user_id: int, thread_id: int, name: str) -> Thread: ...
    async def leave_group(self, user_id: int, thread_id: int) -> None: ...
    async def member_ids(self, user_id: int, thread_id: int) -> list[int]: ...
    async def typing_recipients(self, user_id: int, thread_id: int) -> list[int]: ...

    # messages
    async def send_message(
        self,
        user_id: int,
        thread_id: int,
        text: str,
        reply_to: int | None,
        key: str,
        request_hash: str,
    ) -> Message: ...
    async def edit_message(self, user_id: int, message_id: int, text: str) -> Message: ...
    async def delete_message(self, user_id: int, message_id: int) -> Message: ...
    async def mark_read(self, user_id: int, thread_id: int, seq: int) -> None: ...
    async def history(
        self, user_id: int, thread_id: int, before: int | None, limit: int
    ) -> History: ...

    # event log
    async def replay(self, user_id: int, after: int, limit: int) -> list[tuple[int, bytes]]: ...

    # money
    async def wallet(self, user_id: int) -> list[Balance]: ...
    async def wallet_history(
        self, user_id: int, before: int | None, limit: int
    ) -> TransferPage: ...
    async def replayed_payment(
        self, user_id: int, key: str, request_hash: str
    ) -> PaymentResult | None: ...
    async def topup(self, spec: MoneyRequest) -> PaymentResult: ...
    async def pay(self, spec: MoneyRequest, thread_id: int, to: str) -> PaymentResult: ...
    async def request_money(self, spec: MoneyRequest, thread_id: int, payer: str) -> CardResult: ...
    async def pay_request(
        self, user_id: int, request_id: int, key: str, request_hash: str
    ) -> PaymentResult: ...
    async def decline_request(self, user_id: int, request_id: int) -> CardResult: ...
    async def split(
        self,
        spec: MoneyRequest,
        thread_id: int,
        shares: Sequence[tuple[str, int]] | None,
        include_self: bool,
    ) -> CardResult: ...
    async def send_lucky(
        self, spec: MoneyRequest, thread_id: int, count: int, expires_at: int
    ) -> CardResult: ...
    async def open_lucky(self, user_id: int, packet_id: int, now: int) -> ClaimResult: ...
    async def expire_packets(self, now: int) -> int: ...
    async def check_books(self) -> list[str]: ...
