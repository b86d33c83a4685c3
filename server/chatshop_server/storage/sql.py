"""``SqlStore``: the storage interface over SQLAlchemy on one SQLite file.

Reads run on a small pool of reader threads, each operation on one pooled connection in one
snapshot (WAL lets them proceed during writes); every mutation goes through the group-commit
writer. Either way a public method is one hop to a worker thread, where the query functions
run synchronously: an asyncio driver would cost a hop per statement instead, and its
connections could be left half-closed when a reading task is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.pool import NullPool, QueuePool

from chatshop.protocol.frames import History
from chatshop.protocol.models import AccountKind, Contact, Message, Thread, User
from chatshop.protocol.payment_frames import (
    Balance,
    CardResult,
    ClaimResult,
    PaymentResult,
    TransferPage,
)
from chatshop_server.storage import (
    sql_accounts,
    sql_ledger,
    sql_messages,
    sql_payments,
    sql_threads,
)
from chatshop_server.storage.interface import (
    ContactAction,
    MemberAction,
    MoneyRequest,
    Publication,
    PublishHook,
    SessionInfo,
)
from chatshop_server.storage.migrate import upgrade_to_head
from chatshop_server.storage.sql_shop import SqlShopStore
from chatshop_server.storage.tables import events, users
from chatshop_server.storage.writer import GroupCommitWriter

T = TypeVar("T")


def _max_event_id(conn: Connection) -> int:
    return int(conn.execute(select(func.max(events.c.id))).scalar() or 0)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


#: Reader threads (and pooled read connections): reads wait on SQLite, not on Python, so a
#: few threads overlap them even on two cores.
READERS = 4


class SqlStore(SqlShopStore):
    """The relay's storage on one SQLite file (PostgreSQL later, same queries)."""

    def __init__(
        self,
        db_path: Path,
        publish: PublishHook,
        *,
        synchronous: str = "FULL",
        default_currency: str = "EUR",
    ) -> None:
        self.db_path = db_path
        self.default_currency = default_currency
        self._synchronous = synchronous
        self._engine: Engine = create_engine(
            sqlite_url(db_path),
            poolclass=QueuePool,
            pool_size=READERS,
            max_overflow=0,
            connect_args={"check_same_thread": False},  # a pooled connection changes threads
        )
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="chatshop-reader")
        self._write_engine: Engine = create_engine(sqlite_url(db_path), poolclass=NullPool)
        self._install_sqlite_hooks(self._engine, begin="BEGIN")
        # The writer takes the write lock when its transaction starts: a deferred BEGIN
        # would fail at once with "database is locked" when another process (an admin
        # command) wrote since its snapshot, where IMMEDIATE waits for busy_timeout.
        self._install_sqlite_hooks(self._write_engine, begin="BEGIN IMMEDIATE")
        self._publish = publish
        self._head = 0  # the newest committed event id, kept current by _published
        self._writer = GroupCommitWriter(self._write_engine, self._published)

    def _install_sqlite_hooks(self, engine: Engine, *, begin: str) -> None:
        synchronous = self._synchronous

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, own transactions so SAVEPOINT works.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql(begin)

    @property
    def writer(self) -> GroupCommitWriter:
        return self._writer

    async def start(self) -> None:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(self.db_path)
        self._head = await self._read(_max_event_id)
        await self._writer.start()

    def _published(self, publication: Publication) -> None:
        """Track the head of the event log, then fan out (called in commit order)."""
        if publication.cursor is not None and publication.cursor > self._head:
            self._head = publication.cursor
        self._publish(publication)

    async def close(self) -> None:
        await self._writer.close()
        await asyncio.to_thread(self._readers.shutdown, wait=True)
        self._engine.dispose()
        self._write_engine.dispose()

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._readers, self._read_now, fn, args
        )

    def _read_now(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        """On a reader thread: one operation, one connection, one snapshot."""
        with self._engine.connect() as conn, conn.begin():
            return fn(conn, *args)

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._writer.run(lambda conn, pubs: fn(conn, pubs, *args))

    async def _write_plain(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._writer.run(lambda conn, _pubs: fn(conn, *args))

    # accounts and sessions -------------------------------------------------------------

    async def create_user(
        self, handle: str, display_name: str, kind: AccountKind, password_hash: str
    ) -> User:
        return await self._write_plain(
            sql_accounts.create_user, handle, display_name, kind, password_hash
        )

    async def credentials(self, handle: str) -> tuple[User, str] | None:
        return await self._read(sql_accounts.credentials, handle)

    async def create_session(self, user_id: int, token_hash: str, device: str) -> int:
        return await self._write_plain(sql_accounts.create_session, user_id, token_hash, device)

    async def session_by_token(self, token_hash: str) -> SessionInfo | None:
        return await self._read(sql_accounts.session_by_token, token_hash)

    async def revoke_session(self, session_id: int) -> None:
        await self._write_plain(sql_accounts.revoke_session, session_id)

    async def revoke_sessions(self, user_id: int, *, keep: int | None) -> list[int]:
        return await self._write_plain(sql_accounts.revoke_sessions, user_id, keep)

    async def set_password(self, user_id: int, password_hash: str, *, keep: int) -> list[int]:
        return await self._write_plain(sql_accounts.set_password, user_id, password_hash, keep)

    async def user_by_handle(self, handle: str) -> User | None:
        from chatshop_server.storage.sql_common import user_by_handle

        return await self._read(user_by_handle, handle.removeprefix("@"))

    async def head_cursor(self) -> int:
        """The newest event id, from memory: every event is written by this process's
        writer, which reports it here after the commit (W3 measured three reads per
        ``auth``; this and the empty replay below remove two)."""
        return self._head

    async def count_users(self) -> int:
        def count(conn: Connection) -> int:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

        return await self._read(count)

    # contacts ----------------------------------------------------------------------------

    async def contacts(self, user_id: int) -> list[Contact]:
        return await self._read(sql_accounts.list_contacts, user_id)

    async def change_contact(self, user_id: int, handle: str, action: ContactAction) -> Contact:
        me = await self._me(user_id)
        return await self._write(sql_accounts.change_contact, me, handle, action)

    async def _me(self, user_id: int) -> User:
        def load(conn: Connection) -> User:
            from chatshop_server.storage.rows import user_from_row

            return user_from_row(conn.execute(select(users).where(users.c.id == user_id)).one())

        return await self._read(load)

    # threads -----------------------------------------------------------------------------

    async def list_threads(self, user_id: int) -> list[Thread]:
        return await self._read(sql_threads.list_threads, user_id)

    async def get_thread(self, user_id: int, thread_id: int) -> Thread:
        return await self._read(sql_threads.get_thread, user_id, thread_id)

    async def open_direct(self, user_id: int, handle: str) -> Thread:
        me = await self._me(user_id)
        return await self._write(sql_threads.open_direct, me, handle)

    async def create_group(self, user_id: int, name: str, handles: Sequence[str]) -> Thread:
        me = await self._me(user_id)
        return await self._write(sql_threads.create_group, me, name, list(handles))

    async def change_member(
        self, user_id: int, thread_id: int, handle: str, action: MemberAction
    ) -> Thread:
        me = await self._me(user_id)
        return await self._write(sql_threads.change_member, me, thread_id, handle, action)

    async def rename_group(self, user_id: int, thread_id: int, name: str) -> Thread:
        me = await self._me(user_id)
        return await self._write(sql_threads.rename_group, me, thread_id, name)

    async def leave_group(self, user_id: int, thread_id: int) -> None:
        me = await self._me(user_id)
        await self._write(sql_threads.leave_group, me, thread_id)

    async def member_ids(self, user_id: int, thread_id: int) -> list[int]:
        return await self._read(sql_threads.member_ids, user_id, thread_id)

    async def typing_recipients(self, user_id: int, thread_id: int) -> list[int]:
        return await self._read(sql_threads.typing_recipients, user_id, thread_id)

    # messages ----------------------------------------------------------------------------

    async def send_message(
        self,
        user_id: int,
        thread_id: int,
        text: str,
        reply_to: int | None,
        key: str,
        request_hash: str,
    ) -> Message:
        return await self._write(
            sql_messages.send_message, user_id, thread_id, text, reply_to, key, request_hash
        )

    async def edit_message(self, user_id: int, message_id: int, text: str) -> Message:
        return await self._write(sql_messages.edit_message, user_id, message_id, text)

    async def delete_message(self, user_id: int, message_id: int) -> Message:
        return await self._write(sql_messages.delete_message, user_id, message_id)

    async def mark_read(self, user_id: int, thread_id: int, seq: int) -> None:
        await self._write(sql_messages.mark_read, user_id, thread_id, seq)

    async def history(
        self, user_id: int, thread_id: int, before: int | None, limit: int
    ) -> History:
        return await self._read(sql_messages.history, user_id, thread_id, before, limit)

    async def replay(self, user_id: int, after: int, limit: int) -> list[tuple[int, bytes]]:
        if after >= self._head:
            # Nothing committed since ``after`` has been published; anything committed and
            # not yet published reaches a subscribed connection live.
            return []
        return await self._read(sql_messages.replay, user_id, after, limit)

    # money -------------------------------------------------------------------------------

    async def wallet(self, user_id: int) -> list[Balance]:
        return await self._read(sql_ledger.balances, user_id)

    async def wallet_history(self, user_id: int, before: int | None, limit: int) -> TransferPage:
        transfers, more = await self._read(sql_ledger.history, user_id, before, limit)
        return TransferPage(transfers=transfers, more=more)

    async def replayed_payment(
        self, user_id: int, key: str, request_hash: str
    ) -> PaymentResult | None:
        return await self._read(sql_payments.replayed_payment, user_id, key, request_hash)

    async def topup(self, spec: MoneyRequest) -> PaymentResult:
        return await self._write(sql_payments.topup, spec)

    async def pay(self, spec: MoneyRequest, thread_id: int, to: str) -> PaymentResult:
        return await self._write(sql_payments.pay, spec, thread_id, to)

    async def request_money(self, spec: MoneyRequest, thread_id: int, payer: str) -> CardResult:
        return await self._write(sql_payments.request_money, spec, thread_id, payer)

    async def pay_request(
        self, user_id: int, request_id: int, key: str, request_hash: str
    ) -> PaymentResult:
        return await self._write(sql_payments.pay_request, user_id, request_id, key, request_hash)

    async def decline_request(self, user_id: int, request_id: int) -> CardResult:
        return await self._write(sql_payments.decline_request, user_id, request_id)

    async def split(
        self,
        spec: MoneyRequest,
        thread_id: int,
        shares: Sequence[tuple[str, int]] | None,
        include_self: bool,
    ) -> CardResult:
        listed = None if shares is None else list(shares)
        return await self._write(sql_payments.split, spec, thread_id, listed, include_self)

    async def send_lucky(
        self, spec: MoneyRequest, thread_id: int, count: int, expires_at: int
    ) -> CardResult:
        return await self._write(sql_payments.send_lucky, spec, thread_id, count, expires_at)

    async def open_lucky(self, user_id: int, packet_id: int, now: int) -> ClaimResult:
        return await self._write(sql_payments.open_lucky, user_id, packet_id, now)

    async def expire_packets(self, now: int) -> int:
        return await self._write(sql_payments.expire_packets, now)

    async def check_books(self) -> list[str]:
        return await self._read(sql_ledger.check_books)
