"""The migrations build exactly the schema the code declares, and carry data forward."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from chatshop_server.storage.migrate import alembic_config, upgrade_to_head
from chatshop_server.storage.tables import metadata


def test_head_matches_the_declared_tables(tmp_path: Path) -> None:
    """Upgrading an empty file to head gives the tables of ``tables.py``, no more, no less."""
    path = tmp_path / "fresh.db"
    upgrade_to_head(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


def test_thread_activity_is_backfilled_from_the_event_log(tmp_path: Path) -> None:
    """0004 orders existing threads by the position of their newest event."""
    path = tmp_path / "old.db"
    command.upgrade(alembic_config(path), "0003")
    with sqlite3.connect(path) as db:
        for thread_id in (1, 2, 3):
            db.execute(
                "INSERT INTO threads (id, kind, name, last_seq, last_activity, created_at)"
                " VALUES (?, 'group', 'g', 0, 5, 5)",
                (thread_id,),
            )
        for thread_id in (2, 1, 2):
            db.execute(
                "INSERT INTO events (thread_id, body, created_at) VALUES (?, x'7b7d', 5)",
                (thread_id,),
            )
    upgrade_to_head(path)
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id, activity FROM threads ORDER BY id").fetchall()
    assert rows == [(1, 2), (2, 3), (3, 0)]
