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


PublishHook = Callable[[Publication], None]
