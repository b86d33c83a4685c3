"""One typed way into the database: ``read`` and ``write``, and the stores built on them.

A store operation is a plain function of a SQLAlchemy ``Connection`` (and, for writes, the
list of ``Publication``s it produces): it runs on a worker thread, synchronously, inside one
transaction. ``Database.read`` runs it on a reader thread in one snapshot; ``Database.write``
queues it for the group-commit writer and resolves once it is committed, after its events were
handed to fan-out. Both are typed with ``ParamSpec``, so mypy checks every argument of every
call, and the per-domain stores bind their operations with ``reads``/``writes`` instead of
restating each signature in a forwarder.

Settings the operations need (the relay's default currency, its clock) travel on the
connection (``settings(conn)``), not as a parameter of every function.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.pool import NullPool, QueuePool

from chatshop_server.clock import Clock, now_ms
from chatshop_server.events import Publication, PublishHook
from chatshop_server.storage.eventlog import tail_events
from chatshop_server.storage.migrate import upgrade_to_head
from chatshop_server.storage.tables import events
from chatshop_server.storage.writer import GroupCommitWriter

P = ParamSpec("P")
T = TypeVar("T")

#: Reader threads (and pooled read connections): reads wait on SQLite, not on Python, so a
#: few threads overlap them even on two cores.
READERS = 4

_SETTINGS = "chatshop.settings"
log = logging.getLogger("chatshop.server.storage")


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """Relay settings that storage operations read: see ``settings(conn)``."""

    default_currency: str = "EUR"
    clock: Clock = now_ms
    return_window_ms: int = 14 * 24 * 3600 * 1000  # orders' money is held this long


def settings(conn: Connection) -> StoreSettings:
    """The settings of the database ``conn`` belongs to."""
    found = conn.info.get(_SETTINGS)
    assert isinstance(found, StoreSettings), "a connection of a Database carries its settings"
    return found


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Database:
    """The relay's SQLite file: reader threads, the group-commit writer, the log's head."""

    def __init__(
        self,
        path: Path,
        publish: PublishHook,
        *,
        synchronous: str = "FULL",
        settings: StoreSettings | None = None,
    ) -> None:
        self.path = path
        self.settings = settings or StoreSettings()
        self._synchronous = synchronous
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="chatshop-reader")
        self._read_engine = create_engine(
            sqlite_url(path),
            poolclass=QueuePool,
            pool_size=READERS + 1,  # and one for read_here
            max_overflow=0,
            connect_args={"check_same_thread": False},  # a pooled connection changes threads
        )
        self._install_sqlite_hooks(self._read_engine, begin="BEGIN")
        # The writer takes the write lock when its transaction starts: a deferred BEGIN
        # would fail at once with "database is locked" when another process (an admin
        # command) wrote since its snapshot, where IMMEDIATE waits for busy_timeout.
        self._write_engine = create_engine(sqlite_url(path), poolclass=NullPool)
        self._install_sqlite_hooks(
            self._write_engine, begin="BEGIN IMMEDIATE", checkpoint_on_commit=False
        )
        self._publish = publish
        self._head = 0  # the newest committed event id, kept current by _published
        self._checkpointer: asyncio.Task[None] | None = None
        self._loop_conn: Connection | None = None  # read_here's, opened on first use
        self._writer = GroupCommitWriter(self._write_engine, self._published, tail=tail_events)

    def _install_sqlite_hooks(
        self, engine: Engine, *, begin: str, checkpoint_on_commit: bool = True
    ) -> None:
        synchronous = self._synchronous
        store_settings = self.settings

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, own transactions so SAVEPOINT works.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            if not checkpoint_on_commit:
                # The writer's commits never stop to copy the WAL into the database: the
                # checkpoints run beside it (``_checkpoints``), so a commit costs the same
                # every time (measured: W2's p99 round trip 3.6 ms with SQLite's default).
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()

        @event.listens_for(engine, "engine_connect")
        def _on_engine_connect(conn: Connection) -> None:
            conn.info[_SETTINGS] = store_settings

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Straight to the driver: the SQLAlchemy path costs more than SQLite does here.
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute(begin)

    @property
    def writer(self) -> GroupCommitWriter:
        return self._writer

    @property
    def head(self) -> int:
        """The newest event id committed and published by this process's writer.

        Every event is written by this writer, which reports it after the commit, so the
        head needs no read (W3 measured three reads per ``auth`` before it was kept here).
        """
        return self._head

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(self.path)
        self._head = await self.read(_max_event_id)
        await self._writer.start(self._head)
        self._checkpointer = asyncio.create_task(self._checkpoints(), name="wal-checkpoints")

    async def close(self) -> None:
        """Finish queued writes, then release the threads and connections."""
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
        await self._writer.close()
        if self._loop_conn is not None:
            self._loop_conn.close()
            self._loop_conn = None
        await asyncio.to_thread(self._readers.shutdown, wait=True)
        self._read_engine.dispose()
        self._write_engine.dispose()

    async def _checkpoints(self, every: float = 1.0, wal_bytes: int = 4 * 2**20) -> None:
        """Copy the WAL into the database file beside the writer, on a reader thread, once
        it holds ``wal_bytes`` (SQLite's own default: 1,000 pages); a PASSIVE checkpoint
        never blocks the writer or the readers."""
        wal = self.path.with_name(self.path.name + "-wal")
        while True:
            await asyncio.sleep(every)
            try:
                if not wal.exists() or wal.stat().st_size < wal_bytes:
                    continue
                await asyncio.get_running_loop().run_in_executor(self._readers, self._checkpoint)
            except Exception:
                log.exception("WAL checkpoint failed; will retry")

    def _checkpoint(self) -> None:
        with self._read_engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _published(self, publication: Publication) -> None:
        """Track the head of the event log, then fan out (called in commit order)."""
        if publication.cursor is not None and publication.cursor > self._head:
            self._head = publication.cursor
        self._publish(publication)

    async def read(
        self, fn: Callable[Concatenate[Connection, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(conn, *args, **kwargs)`` on a reader thread, in one snapshot."""
        return await asyncio.get_running_loop().run_in_executor(
            self._readers, self._read_now, fn, args, kwargs
        )

    def read_here(
        self, fn: Callable[Concatenate[Connection, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(conn, ...)`` right here on the event loop, on a connection of its own: for a
        point read by a unique index (a session token), which SQLite answers in far less
        time than a hop to a reader thread and back costs (W3 measured ~60 us a hop)."""
        if self._loop_conn is None:
            self._loop_conn = self._read_engine.connect()
        conn = self._loop_conn
        try:
            return fn(conn, *args, **kwargs)  # one statement: its own snapshot
        finally:
            if conn.in_transaction():  # a statement through SQLAlchemy began one
                conn.rollback()

    def _read_now(
        self, fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> T:
        with self._read_engine.connect() as conn, conn.begin():
            return fn(conn, *args, **kwargs)

    async def write(
        self,
        fn: Callable[Concatenate[Connection, list[Publication], P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(conn, publications, *args, **kwargs)`` in the writer's next batch, committed.

        The events ``fn`` appends to ``publications`` are fanned out right after the commit,
        in commit order, before this returns.
        """
        return await self._writer.run(lambda conn, out: fn(conn, out, *args, **kwargs))


def _max_event_id(conn: Connection) -> int:
    return int(conn.execute(select(func.max(events.c.id))).scalar() or 0)


class Store:
    """Base of the per-domain stores: the database their operations run on."""

    __slots__ = ("db",)

    def __init__(self, db: Database) -> None:
        self.db = db


class reads(Generic[P, T]):
    """Bind a read operation as an async method of a store: ``history = reads(history)``.

    The method takes the operation's arguments after ``conn``, and mypy checks them.
    """

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[Concatenate[Connection, P], T]) -> None:
        self.fn = fn

    @overload
    def __get__(self, store: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, store: Store, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, store: Store | None, owner: type[Any]) -> Self | Callable[P, Awaitable[T]]:
        if store is None:
            return self
        db, fn = store.db, self.fn

        async def read(*args: P.args, **kwargs: P.kwargs) -> T:
            return await db.read(fn, *args, **kwargs)

        return read


class writes(Generic[P, T]):
    """Bind a write operation as an async method of a store: ``send = writes(send_message)``.

    The method takes the operation's arguments after ``conn`` and ``publications``.
    """

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[Concatenate[Connection, list[Publication], P], T]) -> None:
        self.fn = fn

    @overload
    def __get__(self, store: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, store: Store, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, store: Store | None, owner: type[Any]) -> Self | Callable[P, Awaitable[T]]:
        if store is None:
            return self
        db, fn = store.db, self.fn

        async def write(*args: P.args, **kwargs: P.kwargs) -> T:
            return await db.write(fn, *args, **kwargs)

        return write
