"""Hot-path statements: SQLAlchemy Core compiled once per dialect, run on the DBAPI cursor.

SQLAlchemy's ``Connection.execute`` spends about 45 us per statement on a prebuilt Core
statement (cache key, parameter processing, result wrapping) where SQLite itself needs 5.
A lone ``send`` runs nine statements, so that overhead alone put the one-to-one round trip
over its 1 ms budget (see docs/benchmarks.md). ``Prepared`` keeps the statement written in
Core, so it stays portable, and compiles it once for whatever dialect the connection has;
then each call is one ``cursor.execute``.

On an asyncio driver's connection (the pooled readers) it falls back to ``execute``: the
fast path is for the writer's own thread. Only plain values (int, str, bytes, None) go
through: no type processors run, which is why this is for a handful of statements on the
send path, not a general replacement. ``run`` returns the DBAPI's ``lastrowid``; a
PostgreSQL port would add RETURNING to the inserts.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # bind names in order, for positional paramstyles
    row_type: Any  # a namedtuple class for SELECTs
    literals: dict[str, Any]  # values of the anonymous binds that literals compile to


class Prepared:
    """One statement, compiled lazily for each dialect it meets."""

    __slots__ = ("_compiled", "column_keys", "statement")

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(  # type: ignore[attr-defined]
                dialect=dialect, column_keys=self.column_keys
            )
            row_type: Any = None
            if isinstance(self.statement, Select):
                keys = [str(column.key) for column in self.statement.selected_columns]
                row_type = namedtuple("Row", keys)  # type: ignore[misc, no-redef]
            literals = {
                name: bind.value for name, bind in compiled.binds.items() if not bind.required
            }
            positions = compiled.positiontup
            found = _Compiled(
                sql=compiled.string,
                positions=None if positions is None else tuple(positions),
                row_type=row_type,
                literals=literals,
            )
            self._compiled[dialect.name] = found
        return found

    def _cursor(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, _Compiled]:
        compiled = self._for(conn.dialect)
        if compiled.literals:
            params = {**compiled.literals, **params}
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if compiled.positions is None:
            cursor.execute(compiled.sql, params)
        else:
            cursor.execute(compiled.sql, [params[name] for name in compiled.positions])
        return cursor, compiled

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first row (attribute access by column key), or None."""
        if conn.dialect.is_async:  # a reader's connection: the driver is not ours to call
            return conn.execute(self.statement, params).first()
        cursor, compiled = self._cursor(conn, params)
        row = cursor.fetchone()
        cursor.close()
        return None if row is None else compiled.row_type._make(row)

    def column(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The first column of every row."""
        if conn.dialect.is_async:
            return list(conn.execute(self.statement, params).scalars())
        cursor, _ = self._cursor(conn, params)
        values = [row[0] for row in cursor.fetchall()]
        cursor.close()
        return values

    def run(self, conn: Connection, params: Mapping[str, Any]) -> tuple[int, int | None]:
        """Execute a write; return (rows affected, last inserted row id)."""
        if conn.dialect.is_async:
            result = conn.execute(self.statement, params)
            return result.rowcount, result.lastrowid
        cursor, _ = self._cursor(conn, params)
        outcome: tuple[int, int | None] = (cursor.rowcount, cursor.lastrowid)
        cursor.close()
        return outcome
