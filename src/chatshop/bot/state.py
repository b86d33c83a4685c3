"""Where a bot keeps what it needs to resume: its session token and its event cursor.

The cursor only moves past an event once every event up to it was handled, so a bot that
stops at any moment resumes at the first event it had not finished; replies carry
idempotency keys made from the event they answer, so handling an event again never posts
an answer twice.
"""

from __future__ import annotations

import bisect
import os
import tempfile
from pathlib import Path

import msgspec


class SavedState(msgspec.Struct, kw_only=True):
    """What the state file holds."""

    token: str | None = None
    cursor: int | None = None


class StateFile:
    """A small JSON file written atomically (a crash leaves the old or the new content)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.state = self._load()

    def _load(self) -> SavedState:
        if self.path is None or not self.path.exists():
            return SavedState()
        try:
            return msgspec.json.decode(self.path.read_bytes(), type=SavedState)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return SavedState()  # unreadable: start afresh from the relay's head

    def save(self, *, token: str | None = None, cursor: int | None = None) -> None:
        if token is not None:
            self.state.token = token
        if cursor is not None:
            self.state.cursor = cursor
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".bot-state-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(msgspec.json.encode(self.state))
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise


class CursorTracker:
    """Events are started in cursor order and may finish in any order; ``safe`` is the
    highest cursor at or below which every started event has finished."""

    def __init__(self, start: int | None) -> None:
        self.safe = start
        self._pending: list[int] = []
        self._highest = start

    def started(self, cursor: int) -> None:
        bisect.insort(self._pending, cursor)
        if self._highest is None or cursor > self._highest:
            self._highest = cursor

    def finished(self, cursor: int) -> bool:
        """Mark ``cursor`` done; True when ``safe`` moved."""
        index = bisect.bisect_left(self._pending, cursor)
        if index < len(self._pending) and self._pending[index] == cursor:
            del self._pending[index]
        before = self.safe
        if self._pending:
            candidate = self._pending[0] - 1
            self.safe = candidate if before is None else max(before, candidate)
        else:
            self.safe = self._highest
        return self.safe != before
