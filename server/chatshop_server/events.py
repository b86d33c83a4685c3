"""What a committed change hands to fan-out: the event, its position and who may get it.

Storage produces ``Publication``s inside a transaction and the broker delivers them after
the commit; both import this module, and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Publication:
    """An event to fan out: who gets it, its cursor (None: ephemeral) and its JSON body.

    ``body`` is the encoded event without its cursor; the broker adds the cursor once for
    every recipient, since the cursor is the event's position in the shared log.
    ``thread_id`` names the thread the event belongs to, so that delivery can check, at the
    moment of delivery, that each recipient may still read that thread.
    """

    recipients: Sequence[int]
    cursor: int | None
    body: bytes
    thread_id: int | None = None
    #: (user id, session id) of a session revoked by this change: its connections close.
    revoked: tuple[int, int] | None = None
    #: Webhook deliveries were queued: the dispatcher should look (no one receives it).
    wake: bool = False


#: The log body of a revocation notice: stored for no recipient (never replayed), so that
#: every relay process on the database closes the session's connections when it tails it.
REVOKED_PREFIX = b'{"type":"session_revoked",'


def revocation_body(user_id: int, session_id: int) -> bytes:
    return REVOKED_PREFIX + b'"user_id":%d,"session_id":%d}' % (user_id, session_id)


def revocation_of(body: bytes) -> tuple[int, int] | None:
    """The (user id, session id) a revocation notice names; None for any other event."""
    if not body.startswith(REVOKED_PREFIX):
        return None
    fields = dict(
        part.split(b":") for part in body[len(REVOKED_PREFIX) : -1].replace(b'"', b"").split(b",")
    )
    return int(fields[b"user_id"]), int(fields[b"session_id"])


PublishHook = Callable[[Publication], None]
