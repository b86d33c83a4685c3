"""Fan-out: deliver published events to the connections of their recipients.

The relay publishes through the small ``Broker`` interface. ``InProcessBroker`` serves one
relay process; a Redis pub/sub broker can implement the same interface for several
processes (publish to a channel, deliver to local subscribers on receipt).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from chatshop.protocol import with_cursor
from chatshop_server.events import Publication


class Subscriber(Protocol):
    """A connection's receiving side, as the broker sees it."""

    @property
    def user_id(self) -> int: ...
    @property
    def session_id(self) -> int: ...

    def deliver(self, cursor: int | None, event: bytes) -> None:
        """Queue an encoded event (cursor already inside) for this connection."""

    def revoke(self) -> None:
        """Close this connection: its session was revoked."""


class Broker(Protocol):
    """Where handlers and the storage outbox hand events for delivery."""

    def publish(self, publication: Publication) -> None: ...
    def subscribe(self, subscriber: Subscriber) -> None: ...
    def unsubscribe(self, subscriber: Subscriber) -> None: ...
    def revoke_sessions(self, user_id: int, session_ids: Iterable[int]) -> None: ...
    def connected(self) -> int: ...


class InProcessBroker:
    """Fan-out within one relay process: a map from user id to that user's connections."""

    def __init__(self) -> None:
        self._by_user: dict[int, set[Subscriber]] = {}
        self._count = 0

    def publish(self, publication: Publication) -> None:
        if publication.revoked is not None:
            self.revoke_sessions(publication.revoked[0], [publication.revoked[1]])
            return
        by_user = self._by_user
        event = (
            publication.body
            if publication.cursor is None
            else with_cursor(publication.cursor, publication.body)
        )
        cursor = publication.cursor
        for user_id in publication.recipients:
            subscribers = by_user.get(user_id)
            if subscribers:
                for subscriber in subscribers:
                    subscriber.deliver(cursor, event)

    def subscribe(self, subscriber: Subscriber) -> None:
        self._by_user.setdefault(subscriber.user_id, set()).add(subscriber)
        self._count += 1

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._by_user.get(subscriber.user_id)
        if subscribers and subscriber in subscribers:
            subscribers.discard(subscriber)
            self._count -= 1
            if not subscribers:
                del self._by_user[subscriber.user_id]

    def revoke_sessions(self, user_id: int, session_ids: Iterable[int]) -> None:
        revoked = set(session_ids)
        for subscriber in list(self._by_user.get(user_id, ())):
            if subscriber.session_id in revoked:
                subscriber.revoke()

    def connected(self) -> int:
        """Authenticated connections currently subscribed."""
        return self._count
