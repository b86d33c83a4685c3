"""Group commit: every mutation runs in a shared transaction, one savepoint each.

SQLite has one writer at a time and a commit costs far more than a row, so the relay queues
mutations and applies all that are waiting in one transaction, each in its own savepoint so
that one refused request never undoes another. A mutation's future resolves only after the
commit, and the events of a batch are published right after it, in commit order.

The writer is one dedicated thread with a plain (sync) SQLAlchemy connection. The event loop
hands it operations through a queue and the thread hands each batch's outcome back with one
``call_soon_threadsafe``: a batch costs one wake-up each way, where an asyncio driver would
cost a thread hop per statement (measured: 173 sends/s through aiosqlite, see
docs/benchmarks.md) and an executor hop per batch costs a task, two futures and a
``wait_for`` more.

Events other processes commit to the same file (the admin commands of ``chatshop-server``)
are picked up too: each batch, holding the write lock, first looks at SQLite's
``data_version`` and, when another connection committed since, reads the new events and
publishes them before its own, so every cursor goes out in log order. When idle the writer
looks every ``poll_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop_server.events import Publication, PublishHook

T = TypeVar("T")
Op = Callable[[Connection, list[Publication]], Any]
#: Reads the events committed after a cursor by someone else, as publications.
Tail = Callable[[Connection, int], list[Publication]]
_Job = tuple[Op, "asyncio.Future[Any]"]

log = logging.getLogger("chatshop.server.storage")

MAX_BATCH = 512


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class GroupCommitWriter:
    """Serialises mutations into batched transactions on one dedicated connection."""

    def __init__(
        self,
        engine: Engine,
        publish: PublishHook,
        *,
        tail: Tail | None = None,
        poll_seconds: float = 0.25,
    ) -> None:
        self._engine = engine
        self._tail = tail
        self._poll_seconds = poll_seconds
        self._publish = publish
        # Writer-thread state: SQLite's data_version as last seen, and the newest event id
        # known to be published (ours or tailed).
        self._data_version: int | None = None
        self._known = 0
        self._inbox: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: Connection | None = None
        self._closing = False
        self.batches = 0
        self.operations = 0

    async def start(self, head: int = 0) -> None:
        """Open the connection on the writer thread; ``head`` is the log's newest event."""
        self._known = head
        self._loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="chatshop-writer", daemon=True
        )
        self._thread.start()
        await ready

    async def close(self) -> None:
        """Finish what is queued, then stop."""
        if self._closing or self._thread is None:
            return
        self._closing = True
        self._inbox.put(None)
        await asyncio.to_thread(self._thread.join)

    async def run(self, op: Callable[[Connection, list[Publication]], T]) -> T:
        """Apply ``op`` in the next batch; return its result once committed."""
        if self._closing:
            raise ProtocolError(ErrorCode.INTERNAL, "the relay is shutting down")
        assert self._loop is not None
        future: asyncio.Future[T] = self._loop.create_future()
        self._inbox.put((op, future))
        return await future

    # ------------------------------------------------------------------ the writer thread

    def _serve(self, ready: asyncio.Future[None]) -> None:
        loop = self._loop
        assert loop is not None
        try:
            self._conn = self._engine.connect()
        except BaseException as exc:
            loop.call_soon_threadsafe(ready.set_exception, exc)
            return
        loop.call_soon_threadsafe(ready.set_result, None)
        try:
            while True:
                try:
                    first = self._inbox.get(timeout=self._poll_seconds)
                except queue.Empty:
                    if self._tail is not None and self._changed_elsewhere():
                        self._commit([])  # an empty batch publishes what others wrote
                    continue
                if first is None:
                    return
                batch = [first]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        more = self._inbox.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                self._commit(batch)
                if stop:
                    return
        finally:
            self._conn.close()

    def _commit(self, batch: list[_Job]) -> None:
        """Apply one batch and hand its outcome to the event loop, in commit order."""
        assert self._conn is not None and self._loop is not None
        try:
            tailed, outcomes = self._apply_batch(self._conn, [op for op, _ in batch])
        except Exception:
            log.exception("commit of a batch of %d mutations failed", len(batch))
            self._loop.call_soon_threadsafe(self._fail, batch)
            return
        self._loop.call_soon_threadsafe(self._complete, batch, tailed, outcomes)

    def _changed_elsewhere(self) -> bool:
        """Did another connection commit since we last looked?"""
        return self._data_version_now() != self._data_version

    def _data_version_now(self) -> int | None:
        # On the driver's connection: through SQLAlchemy the pragma would begin (and hold)
        # a write transaction, and cost ten times as much.
        assert self._conn is not None
        raw = self._conn.connection.driver_connection
        assert raw is not None
        row = raw.execute("PRAGMA data_version").fetchone()
        return None if row is None else int(row[0])

    def _apply_batch(
        self, conn: Connection, ops: list[Op]
    ) -> tuple[list[Publication], list[tuple[Any, list[Publication]]]]:
        """Catch up with other writers, then apply ``ops``, in one transaction."""
        with conn.begin() as transaction:
            version, tailed = self._catch_up(conn)
            if len(ops) == 1:
                # One operation: the transaction itself is its savepoint.
                outcome = _apply_one(conn, ops[0], savepoint=False)
                if isinstance(outcome[0], _Failed):
                    transaction.rollback()
                outcomes = [outcome]
            else:
                outcomes = [_apply_one(conn, op, savepoint=True) for op in ops]
        # Committed: only now is what was read and written known to be in the log.
        self._data_version = version
        for publication in [*tailed, *(p for _, pubs in outcomes for p in pubs)]:
            if publication.cursor is not None and publication.cursor > self._known:
                self._known = publication.cursor
        return tailed, outcomes

    def _catch_up(self, conn: Connection) -> tuple[int | None, list[Publication]]:
        """Inside the write transaction (nobody else can commit now): SQLite's data_version
        and the events other connections committed since we last looked, oldest first."""
        if self._tail is None:
            return None, []
        version = self._data_version_now()
        if version is not None and version == self._data_version:
            return version, []
        return version, self._tail(conn, self._known)

    # ------------------------------------------------------------------ back on the loop

    def _complete(
        self,
        batch: list[_Job],
        tailed: list[Publication],
        outcomes: list[tuple[Any, list[Publication]]],
    ) -> None:
        self.batches += 1
        self.operations += len(batch)
        for publication in tailed:
            self._safe_publish(publication)
        for (_, future), (result, publications) in zip(batch, outcomes, strict=True):
            for publication in publications:
                self._safe_publish(publication)
            if future.done():  # the caller went away; the mutation stands
                continue
            if isinstance(result, _Failed):
                future.set_exception(result.error)
            else:
                future.set_result(result)

    def _fail(self, batch: list[_Job]) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(
                    ProtocolError(ErrorCode.INTERNAL, "storage failure; nothing was stored")
                )

    def _safe_publish(self, publication: Publication) -> None:
        try:
            self._publish(publication)
        except Exception:  # a fan-out fault must not lose the acknowledgement
            log.exception("publishing event %s failed", publication.cursor)


def _apply_one(conn: Connection, op: Op, *, savepoint: bool) -> tuple[Any, list[Publication]]:
    """Run one operation; on failure undo exactly its writes and report the error.

    The savepoint has a fixed name: SQLAlchemy's ``begin_nested`` names each one anew, which
    makes every SAVEPOINT a fresh statement to compile (measured: 14 % of a lone send).
    """
    publications: list[Publication] = []
    if savepoint:
        conn.exec_driver_sql("SAVEPOINT chatshop_op")
    try:
        result = op(conn, publications)
    except Exception as exc:
        if savepoint:
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT chatshop_op")
            conn.exec_driver_sql("RELEASE SAVEPOINT chatshop_op")
        if isinstance(exc, ProtocolError):
            return _Failed(exc), []
        log.exception("mutation failed; rolled back")
        return _Failed(
            ProtocolError(ErrorCode.INTERNAL, f"internal error: {type(exc).__name__}")
        ), []
    if savepoint:
        conn.exec_driver_sql("RELEASE SAVEPOINT chatshop_op")
    return result, publications
