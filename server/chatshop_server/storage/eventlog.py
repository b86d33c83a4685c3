"""The shared event log, read: what a resuming session missed, and what others wrote.

Kept apart from the stores so that the writer (in ``database``) can tail the log without
importing them.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, exists, or_, select

from chatshop_server.events import Publication, revocation_of
from chatshop_server.storage.tables import events, memberships


def replay(conn: Connection, user_id: int, after: int, limit: int) -> list[tuple[int, bytes]]:
    """Events addressed to ``user_id`` after cursor ``after``, in order.

    A thread event belongs to a user's stream when one of their membership periods in that
    thread covers its id: from the event that added them to the event that removed them.
    """
    covered = exists().where(
        memberships.c.thread_id == events.c.thread_id,
        memberships.c.user_id == user_id,
        events.c.id >= memberships.c.joined_event,
        or_(memberships.c.left_event.is_(None), events.c.id <= memberships.c.left_event),
    )
    rows = conn.execute(
        select(events.c.id, events.c.body)
        .where(
            events.c.id > after,
            or_(events.c.user_id == user_id, and_(events.c.thread_id.is_not(None), covered)),
        )
        .order_by(events.c.id)
        .limit(limit)
    )
    return [(row.id, row.body) for row in rows]


def tail_events(conn: Connection, after: int) -> list[Publication]:
    """Events after ``after`` that another process committed, with their recipients now.

    A thread event goes to the members whose membership covers it (as ``replay`` decides),
    a user event to that user.
    """
    found = []
    for row in conn.execute(
        select(events.c.id, events.c.thread_id, events.c.user_id, events.c.body)
        .where(events.c.id > after)
        .order_by(events.c.id)
    ):
        if row.thread_id is not None:
            recipients = list(
                conn.execute(
                    select(memberships.c.user_id).where(
                        memberships.c.thread_id == row.thread_id,
                        memberships.c.joined_event <= row.id,
                        or_(
                            memberships.c.left_event.is_(None),
                            memberships.c.left_event >= row.id,
                        ),
                    )
                ).scalars()
            )
        else:
            recipients = [] if row.user_id is None else [row.user_id]
        found.append(
            Publication(
                recipients=recipients,
                cursor=row.id,
                body=row.body,
                thread_id=row.thread_id,
                revoked=revocation_of(row.body) if not recipients else None,
            )
        )
    return found
