"""People following brands, and the promoted posts a brand sends them with an offer.

A post is delivered as a ``promotion`` card in each reached follower's brand thread (opened
by the brand if the follower never wrote to it) and grants them the post's offer, all in the
post's one transaction.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection, delete, func, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.brand_frames import (
    MAX_POST_CHARS,
    MAX_POSTS_PER_DAY,
    MAX_POSTS_PER_FOLLOWER_PER_DAY,
    Follow,
    FollowList,
    OfferSpec,
    PostResult,
    PostStats,
)
from chatshop.protocol.cards import ProductCard, PromotionCard
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.text import check_text
from chatshop.protocol.webhook_frames import FollowNotice
from chatshop_server.events import Publication
from chatshop_server.rules.money import DAY_MS
from chatshop_server.storage import alerts
from chatshop_server.storage.catalog import (
    brand_info,
    brand_user,
    find_by_sku,
    load_product,
    product_card,
    require_staff,
)
from chatshop_server.storage.common import new_id, thread_row, user_by_id
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.messages import post_message
from chatshop_server.storage.offers import create_offer
from chatshop_server.storage.outbox import enqueue
from chatshop_server.storage.tables import (
    follows,
    memberships,
    messages,
    offer_grants,
    offer_uses,
    post_deliveries,
    posts,
    users,
)
from chatshop_server.storage.threads import open_direct

_post_decoder = msgspec.json.Decoder(PostResult)


def _follow_view(conn: Connection, row: object) -> Follow:
    return Follow(
        brand=user_by_id(conn, row.brand_id),  # type: ignore[attr-defined]
        promotions=bool(row.promotions),  # type: ignore[attr-defined]
        muted=bool(row.muted),  # type: ignore[attr-defined]
        since=row.created_at,  # type: ignore[attr-defined]
    )


def _follow_row(conn: Connection, user_id: int, brand_id: int) -> object | None:
    return conn.execute(
        select(follows).where(follows.c.user_id == user_id, follows.c.brand_id == brand_id)
    ).first()


def follow(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    promotions: bool,
) -> Follow:
    brand = brand_user(conn, handle)
    if brand.id == user_id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "a brand does not follow itself")
    if _follow_row(conn, user_id, brand.id) is None:
        notice = FollowNotice(user=user_by_id(conn, user_id), following=True)
        enqueue(conn, publications, brand.id, "follow", encode(notice))
        conn.execute(
            insert(follows).values(
                user_id=user_id,
                brand_id=brand.id,
                promotions=int(promotions),
                muted=0,
                created_at=settings(conn).clock(),
            )
        )
    else:
        conn.execute(
            update(follows)
            .where(follows.c.user_id == user_id, follows.c.brand_id == brand.id)
            .values(promotions=int(promotions), muted=0)
        )
    alerts.resume(conn, user_id, brand.id)
    row = _follow_row(conn, user_id, brand.id)
    assert row is not None
    return _follow_view(conn, row)


def unfollow(conn: Connection, publications: list[Publication], user_id: int, handle: str) -> None:
    brand = brand_user(conn, handle)
    gone = conn.execute(
        delete(follows).where(follows.c.user_id == user_id, follows.c.brand_id == brand.id)
    )
    if gone.rowcount:
        notice = FollowNotice(user=user_by_id(conn, user_id), following=False)
        enqueue(conn, publications, brand.id, "follow", encode(notice))
        alerts.pause(conn, user_id, brand.id)


def set_follow(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    promotions: bool | None,
    muted: bool | None,
) -> Follow:
    brand = brand_user(conn, handle)
    if _follow_row(conn, user_id, brand.id) is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"you do not follow @{brand.handle}")
    values: dict[str, int] = {}
    if promotions is not None:
        values["promotions"] = int(promotions)
    if muted is not None:
        values["muted"] = int(muted)
    if values:
        conn.execute(
            update(follows)
            .where(follows.c.user_id == user_id, follows.c.brand_id == brand.id)
            .values(**values)
        )
    row = _follow_row(conn, user_id, brand.id)
    assert row is not None
    return _follow_view(conn, row)


def list_follows(conn: Connection, user_id: int) -> FollowList:
    rows = conn.execute(
        select(follows).where(follows.c.user_id == user_id).order_by(follows.c.created_at.desc())
    ).all()
    return FollowList(follows=[_follow_view(conn, row) for row in rows])


def is_muted(conn: Connection, user_id: int, brand_id: int) -> bool:
    """Whether ``user_id`` muted ``brand_id`` (no posts, no alerts)."""
    row = _follow_row(conn, user_id, brand_id)
    return row is not None and bool(row.muted)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- posts


def _recipients(conn: Connection, brand_id: int, now: int) -> list[int]:
    """Followers who take promotions, did not mute the brand, and had fewer than the daily
    number of its posts in the last 24 hours."""
    recent = (
        select(func.count())
        .select_from(post_deliveries.join(posts, posts.c.id == post_deliveries.c.post_id))
        .where(
            posts.c.brand_id == brand_id,
            post_deliveries.c.user_id == follows.c.user_id,
            post_deliveries.c.created_at > now - DAY_MS,
        )
        .scalar_subquery()
    )
    rows = conn.execute(
        select(follows.c.user_id)
        .join(users, users.c.id == follows.c.user_id)
        .where(
            follows.c.brand_id == brand_id,
            follows.c.promotions == 1,
            follows.c.muted == 0,
            recent < MAX_POSTS_PER_FOLLOWER_PER_DAY,
        )
        .order_by(follows.c.created_at)
    ).scalars()
    return list(rows)


def publish_post(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    text: str,
    sku: str | None,
    offer: OfferSpec | None,
    key: str,
    request_hash: str,
) -> PostResult:
    """Send a promoted post to the brand's followers (see the module docstring)."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _post_decoder.decode(prior)
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    check_text(text, field="text", max_chars=MAX_POST_CHARS)
    now = settings(conn).clock()
    published = conn.execute(
        select(posts.c.created_at)
        .where(posts.c.brand_id == brand.id, posts.c.created_at > now - DAY_MS)
        .order_by(posts.c.created_at)
    ).scalars()
    recent = list(published)
    if len(recent) >= MAX_POSTS_PER_DAY:
        wait = (recent[0] + DAY_MS - now) / 1000
        raise ProtocolError(
            ErrorCode.RATE_LIMITED,
            f"a brand publishes at most {MAX_POSTS_PER_DAY} posts a day",
            retry_after=round(max(wait, 1.0), 3),
        )
    info = brand_info(conn, brand)
    card_product: ProductCard | None = None
    product_id = None
    if sku:
        product_id, _ = find_by_sku(conn, brand.id, sku)
        card_product = product_card(load_product(conn, product_id), from_brand=True)
    offer_shown = None if offer is None else create_offer(conn, brand.id, info.currency, offer, now)
    post_id = new_id(
        conn.execute(
            insert(posts).values(
                brand_id=brand.id,
                author_id=user_id,
                text=text,
                product_id=product_id,
                offer_id=None if offer_shown is None else offer_shown.offer_id,
                reached=0,
                created_at=now,
            )
        )
    )
    card = PromotionCard(
        post_id=post_id,
        brand_id=brand.id,
        brand_handle=brand.handle,
        text=text,
        product=card_product,
        offer=offer_shown,
    )
    reached = 0
    for follower in _recipients(conn, brand.id, now):
        person = user_by_id(conn, follower)
        scratch: list[Publication] = []
        thread = open_direct(conn, scratch, brand.id, person.handle)
        publications.extend(scratch)
        row = thread_row(conn, thread.id)
        members = [m.id for m in thread.members]
        message = post_message(conn, publications, row, members, brand.id, "", card=card)
        conn.execute(
            insert(post_deliveries).values(
                post_id=post_id, user_id=follower, message_id=message.id, created_at=now
            )
        )
        if offer_shown is not None:
            conn.execute(
                insert(offer_grants).values(
                    offer_id=offer_shown.offer_id,
                    user_id=follower,
                    message_id=message.id,
                    created_at=now,
                )
            )
            alerts.tell_offer(conn, publications, follower, brand.id, offer_shown)
        reached += 1
    conn.execute(update(posts).where(posts.c.id == post_id).values(reached=reached))
    result = PostResult(post_id=post_id, reached=reached, offer=offer_shown)
    remember(conn, user_id, key, request_hash, encode(result))
    return result


def post_stats(conn: Connection, user_id: int, post_id: int) -> PostStats:
    row = conn.execute(select(posts).where(posts.c.id == post_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no post {post_id}")
    require_staff(conn, user_by_id(conn, row.brand_id), user_id)
    opened = conn.execute(
        select(func.count())
        .select_from(
            post_deliveries.join(messages, messages.c.id == post_deliveries.c.message_id).join(
                memberships,
                (memberships.c.thread_id == messages.c.thread_id)
                & (memberships.c.user_id == post_deliveries.c.user_id),
            )
        )
        .where(post_deliveries.c.post_id == post_id, memberships.c.read_seq >= messages.c.seq)
    ).scalar_one()
    bought = 0
    if row.offer_id is not None:
        bought = conn.execute(
            select(func.count())
            .select_from(offer_uses)
            .where(offer_uses.c.offer_id == row.offer_id)
        ).scalar_one()
    return PostStats(post_id=post_id, reached=row.reached, opened=opened, bought=bought)


class FollowStore(Store):
    """Who follows which brand, and the posts brands send them."""

    __slots__ = ()

    follow = writes(follow)
    unfollow = writes(unfollow)
    set_follow = writes(set_follow)
    follows = reads(list_follows)
    publish = writes(publish_post)
    stats = reads(post_stats)
