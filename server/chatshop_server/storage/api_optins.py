"""Who let which brand's HTTP API reach them, the thread the API writes in, and the API's
idempotency records.

Consent is a row of ``api_optins``: present while the person allows the brand, deleted when
they revoke it, so every API call checks one indexed row. The API's idempotency records
live in the same ``idempotency`` table as the websocket's, under the brand account and a
key of their own (``http:`` and a hash of the brand's key), so they are durable and scoped
per brand.
"""

from __future__ import annotations

import hashlib

import msgspec
from sqlalchemy import Connection, delete, insert, select

from chatshop.protocol.api_frames import ApiOptIn, ApiOptInList
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import User
from chatshop_server.events import Publication
from chatshop_server.storage.catalog import brand_user
from chatshop_server.storage.common import require_user, user_by_id, users_by_id
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.tables import api_optins, threads
from chatshop_server.storage.threads import open_direct


class StoredAnswer(msgspec.Struct, frozen=True):
    """An HTTP answer as kept for a retried ``Idempotency-Key``: its status and body."""

    status: int
    body: msgspec.Raw


_answer_decoder = msgspec.json.Decoder(StoredAnswer)


def _person(conn: Connection, user_id: int) -> User:
    user = user_by_id(conn, user_id)
    if user.kind != "person":
        raise ProtocolError(ErrorCode.FORBIDDEN, "only a person consents to a brand's API")
    return user


def _since(conn: Connection, user_id: int, brand_id: int) -> int | None:
    found = conn.execute(
        select(api_optins.c.created_at).where(
            api_optins.c.user_id == user_id, api_optins.c.brand_id == brand_id
        )
    ).scalar()
    return None if found is None else int(found)


def allow_api(
    conn: Connection, publications: list[Publication], user_id: int, handle: str
) -> ApiOptIn:
    """The person lets the brand's API reach them (again: nothing changes)."""
    _person(conn, user_id)
    brand = brand_user(conn, handle)
    since = _since(conn, user_id, brand.id)
    if since is None:
        since = settings(conn).clock()
        conn.execute(
            insert(api_optins).values(user_id=user_id, brand_id=brand.id, created_at=since)
        )
    return ApiOptIn(brand=brand, allowed=True, since=since)


def revoke_api(
    conn: Connection, publications: list[Publication], user_id: int, handle: str
) -> ApiOptIn:
    """The person takes it back: the brand's next API call about them is refused."""
    _person(conn, user_id)
    brand = brand_user(conn, handle)
    conn.execute(
        delete(api_optins).where(api_optins.c.user_id == user_id, api_optins.c.brand_id == brand.id)
    )
    return ApiOptIn(brand=brand, allowed=False)


def list_optins(conn: Connection, user_id: int) -> ApiOptInList:
    rows = conn.execute(
        select(api_optins)
        .where(api_optins.c.user_id == user_id)
        .order_by(api_optins.c.created_at.desc(), api_optins.c.brand_id)
    ).all()
    brands = users_by_id(conn, [row.brand_id for row in rows])
    return ApiOptInList(
        optins=[
            ApiOptIn(brand=brands[row.brand_id], allowed=True, since=row.created_at) for row in rows
        ]
    )


def require_optin(conn: Connection, brand_id: int, customer: User) -> None:
    """``not_opted_in`` unless ``customer`` lets brand ``brand_id``'s API reach them."""
    if _since(conn, customer.id, brand_id) is None:
        raise ProtocolError(
            ErrorCode.NOT_OPTED_IN,
            f"@{customer.handle} has not allowed this brand's API to reach them",
        )


def _customer(conn: Connection, brand_id: int, handle: str) -> User:
    customer = require_user(conn, handle)
    if customer.kind != "person":
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no customer @{customer.handle}")
    require_optin(conn, brand_id, customer)
    return customer


def customer_of(conn: Connection, brand_id: int, handle: str) -> User:
    """The person ``handle``, once their consent to this brand's API is checked."""
    return _customer(conn, brand_id, handle)


def open_customer_thread(
    conn: Connection, publications: list[Publication], brand_id: int, handle: str
) -> int:
    """The customer's thread with the brand (opened now if need be), consent checked: where
    the API writes."""
    customer = _customer(conn, brand_id, handle)
    brand = user_by_id(conn, brand_id)
    return open_direct(conn, publications, customer.id, brand.handle).id


def customer_thread(conn: Connection, brand_id: int, handle: str) -> int:
    """The customer's existing thread with the brand, consent checked: what the API reads."""
    customer = _customer(conn, brand_id, handle)
    lo, hi = sorted((customer.id, brand_id))
    found = conn.execute(select(threads.c.id).where(threads.c.direct_key == f"{lo}:{hi}")).scalar()
    if found is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"@{customer.handle} has no thread with you yet")
    return int(found)


def _key(key: str) -> str:
    """The stored key of an ``Idempotency-Key``: apart from websocket keys, 64 characters."""
    return "http:" + hashlib.sha256(key.encode()).hexdigest()[:59]


def recall_answer(
    conn: Connection, brand_id: int, key: str, request_hash: str
) -> StoredAnswer | None:
    """The first answer to a retried key; ``idempotency_mismatch`` if the request differs."""
    stored = recall(conn, brand_id, _key(key), request_hash)
    return None if stored is None else _answer_decoder.decode(stored)


def remember_answer(
    conn: Connection,
    publications: list[Publication],
    brand_id: int,
    key: str,
    request_hash: str,
    answer: StoredAnswer,
) -> None:
    """Keep the answer for retries (a concurrent twin that stored first wins)."""
    if recall(conn, brand_id, _key(key), request_hash) is None:
        remember(conn, brand_id, _key(key), request_hash, msgspec.json.encode(answer))


class ApiOptInStore(Store):
    """Consent to brands' HTTP APIs, and the API's idempotency records."""

    __slots__ = ()

    allow = writes(allow_api)
    revoke = writes(revoke_api)
    optins = reads(list_optins)
    customer = reads(customer_of)
    open_thread = writes(open_customer_thread)
    thread = reads(customer_thread)
    recall = reads(recall_answer)
    remember = writes(remember_answer)
