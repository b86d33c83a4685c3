"""Idempotency records, written in the same transaction as the effect they guard."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop_server.storage.prepared import Prepared
from chatshop_server.storage.rows import now_ms
from chatshop_server.storage.tables import idempotency

_PRIOR = Prepared(
    select(idempotency.c.request_hash, idempotency.c.response).where(
        idempotency.c.user_id == bindparam("user_id"), idempotency.c.key == bindparam("key")
    )
)
_INSERT = Prepared(
    insert(idempotency),
    column_keys=["user_id", "key", "request_hash", "response", "created_at"],
)


def recall(conn: Connection, user_id: int, key: str, request_hash: str) -> bytes | None:
    """The stored response for a retried key; ``idempotency_mismatch`` if the body differs."""
    prior = _PRIOR.first(conn, {"user_id": user_id, "key": key})
    if prior is None:
        return None
    if prior.request_hash != request_hash:
        raise ProtocolError(
            ErrorCode.IDEMPOTENCY_MISMATCH,
            f"idempotency key {key!r} was used before for a different request",
        )
    response: bytes = prior.response
    return response


def remember(conn: Connection, user_id: int, key: str, request_hash: str, response: bytes) -> None:
    _INSERT.run(
        conn,
        {
            "user_id": user_id,
            "key": key,
            "request_hash": request_hash,
            "response": response,
            "created_at": now_ms(),
        },
    )
