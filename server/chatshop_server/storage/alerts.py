"""Personal alerts: people's watches of products, and the alerts they get when a change of
stock or price meets one (``rules.alerts`` decides; this module reads, records and posts).

Whatever changes a watched product (a staff edit, an import, an order cancelled or refunded
and restocked, a product back on sale) calls ``before_change`` first and ``tell_watchers``
after, in its own transaction: the alert is committed with the change or not at all, and two
changes never both see the shelf empty, so a watch fires once per change that meets it. An
alert is a message from the brand in its thread with the watcher (opened if need be) carrying
an ``AlertCard``; it is published like any message, to that thread's members only. Nobody
who muted the brand or blocked it gets one; unfollowing the brand pauses the person's
watches of its products (``pause``), following it again resumes them (``resume``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.alert_frames import MAX_WATCHES, Watch, WatchList
from chatshop.protocol.cards import AlertCard, OfferView
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.shop_models import Product
from chatshop.protocol.webhook_frames import AlertNotice
from chatshop_server.events import Publication
from chatshop_server.rules.alerts import (
    Shelf,
    WatchRule,
    alert_text,
    check_rule,
    fires,
    holds,
    offer_price,
)
from chatshop_server.storage.catalog import load_product, load_products, product_card, resolve
from chatshop_server.storage.common import (
    active_member_ids,
    is_blocked_between,
    thread_row,
    user_by_id,
)
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.messages import post_message
from chatshop_server.storage.outbox import enqueue
from chatshop_server.storage.specs import ProductRef
from chatshop_server.storage.tables import follows, products, threads, watches
from chatshop_server.storage.threads import open_direct

#: The watched products among those a change touches, as they were before it.
Before = dict[int, Product]


def shelf(product: Product, variant_id: int | None) -> Shelf:
    """What a watch of ``product`` (or of one variant) looks at; a withdrawn variant has
    none left."""
    if variant_id is None:
        stock = product.stock
    else:
        stock = next((v.stock for v in product.variants if v.id == variant_id), 0)
    return Shelf(price=product.price, stock=stock, active=product.active)


def _lowest(product: Product) -> int:
    return product.price if product.lowest_30d is None else product.lowest_30d


# --------------------------------------------------------------------------- changes


def before_change(conn: Connection, product_ids: Iterable[int]) -> Before:
    """The products among ``product_ids`` someone watches, before a change (nothing more is
    read when nobody watches them, the common case)."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    watched = conn.execute(
        select(watches.c.product_id)
        .where(watches.c.product_id.in_(ids), watches.c.armed == 1)
        .distinct()
    ).scalars()
    return load_products(conn, list(watched))


def tell_watchers(conn: Connection, publications: list[Publication], before: Before) -> int:
    """After a change: post an alert for each watch the change meets; how many were posted."""
    if not before:
        return 0
    after = load_products(conn, list(before))
    rows = conn.execute(
        select(watches)
        .where(watches.c.product_id.in_(list(before)), watches.c.armed == 1)
        .order_by(watches.c.id)
    ).all()
    posted = 0
    for row in rows:
        old, new = before[row.product_id], after.get(row.product_id)
        rule = WatchRule(alert=row.kind, below=row.below)
        if new is None or not fires(
            rule, shelf(old, row.variant_id), shelf(new, row.variant_id), _lowest(old)
        ):
            continue
        if _silenced(conn, row.user_id, new.brand.id):
            continue
        previous = old.price if old.price != new.price else None
        _post_alert(conn, publications, row, rule, new, price=new.price, previous=previous)
        posted += 1
    return posted


def tell_offer(
    conn: Connection, publications: list[Publication], user_id: int, brand_id: int, offer: OfferView
) -> int:
    """An offer was just granted to ``user_id``: their ``price_below`` watches of what it
    covers fire when their price with it is under the line (the list price was not); how
    many were posted. Personal prices leave ``lowest_30d``, a fact of list prices, alone."""
    query = (
        select(watches)
        .join(products, products.c.id == watches.c.product_id)
        .where(
            watches.c.user_id == user_id,
            watches.c.armed == 1,
            watches.c.kind == "price_below",
            products.c.brand_id == brand_id,
        )
        .order_by(watches.c.id)
    )
    if offer.product_id is not None:
        query = query.where(watches.c.product_id == offer.product_id)
    rows = conn.execute(query).all()
    if not rows or _silenced(conn, user_id, brand_id):
        return 0
    found = load_products(conn, list({row.product_id for row in rows}))
    posted = 0
    for row in rows:
        product = found[row.product_id]
        covered = next((v.id for v in product.variants if v.sku == offer.sku), None)
        if offer.sku is not None and row.variant_id not in (None, covered):
            continue  # an offer on another size
        rule = WatchRule(alert="price_below", below=row.below)
        now = shelf(product, row.variant_id)
        mine = offer_price(product.price, offer.kind, offer.value)
        if not fires(rule, now, Shelf(mine, now.stock, now.active), _lowest(product)):
            continue
        _post_alert(
            conn, publications, row, rule, product, price=mine, previous=product.price, offer=offer
        )
        posted += 1
    return posted


def _silenced(conn: Connection, user_id: int, brand_id: int) -> bool:
    """The person muted the brand, or one of them blocked the other."""
    muted = conn.execute(
        select(follows.c.muted).where(follows.c.user_id == user_id, follows.c.brand_id == brand_id)
    ).scalar()
    return bool(muted) or is_blocked_between(conn, user_id, brand_id)


def _post_alert(
    conn: Connection,
    publications: list[Publication],
    row: Any,
    rule: WatchRule,
    new: Product,
    *,
    price: int,
    previous: int | None,
    offer: OfferView | None = None,
) -> None:
    """Watch ``row`` fired: note when, and post the alert, from the brand, in its thread
    with the watcher."""
    conn.execute(
        update(watches).where(watches.c.id == row.id).values(fired_at=settings(conn).clock())
    )
    variant = next((v for v in new.variants if v.id == row.variant_id), None)
    now = shelf(new, row.variant_id)
    card = AlertCard(
        watch_id=row.id,
        alert=rule.alert,
        product=product_card(new, from_brand=True),
        price=price,
        currency=new.currency,
        lowest_30d=_lowest(new),
        stock=now.stock,
        sku=None if variant is None else variant.sku,
        previous_price=previous,
        below=rule.below,
        offer=offer,
    )
    label = "" if variant is None else variant.label
    text = alert_text(rule, new.title, label, price, new.currency, now.stock)
    thread_id = _thread_with(conn, publications, new.brand.id, row.user_id)
    members = active_member_ids(conn, thread_id)
    post_message(
        conn, publications, thread_row(conn, thread_id), members, new.brand.id, text, card=card
    )


def _thread_with(
    conn: Connection, publications: list[Publication], brand_id: int, user_id: int
) -> int:
    """The brand's thread with the person, opened by the brand if it does not exist. Looked up
    by its key first: building the whole thread view (``open_direct``) was half the cost of
    an alert."""
    lo, hi = sorted((brand_id, user_id))
    found = conn.execute(select(threads.c.id).where(threads.c.direct_key == f"{lo}:{hi}")).scalar()
    if found is not None:
        return int(found)
    opened: list[Publication] = []  # open_direct clears what it added if it lost a race
    thread = open_direct(conn, opened, brand_id, user_by_id(conn, user_id).handle)
    publications.extend(opened)
    return thread.id


# --------------------------------------------------------------------------- following


def pause(conn: Connection, user_id: int, brand_id: int) -> None:
    """The person unfollowed the brand: their watches of its products stop firing."""
    _arm(conn, user_id, brand_id, armed=False)


def resume(conn: Connection, user_id: int, brand_id: int) -> None:
    """The person follows the brand (again): their paused watches of its products resume."""
    _arm(conn, user_id, brand_id, armed=True)


def _arm(conn: Connection, user_id: int, brand_id: int, *, armed: bool) -> None:
    of_brand = select(products.c.id).where(products.c.brand_id == brand_id)
    conn.execute(
        update(watches)
        .where(watches.c.user_id == user_id, watches.c.product_id.in_(of_brand.scalar_subquery()))
        .values(armed=int(armed))
    )


# --------------------------------------------------------------------------- requests


def _view(row: Any, product: Product) -> Watch:
    rule = WatchRule(alert=row.kind, below=row.below)
    variant = next((v for v in product.variants if v.id == row.variant_id), None)
    return Watch(
        watch_id=row.id,
        alert=row.kind,
        product=product_card(product, from_brand=True),
        active=bool(row.armed),
        met=holds(rule, shelf(product, row.variant_id), _lowest(product)),
        created_at=row.created_at,
        sku=None if variant is None else variant.sku,
        below=row.below,
        fired_at=row.fired_at,
    )


def watch(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    ref: ProductRef,
    rule: WatchRule,
) -> Watch:
    """Watch a product or variant; the same watch again is updated (its price) and resumed.
    A new watch is an ``alert`` event for the brand's webhooks (an alert sign-up)."""
    person = user_by_id(conn, user_id)
    if person.kind == "brand":
        raise ProtocolError(ErrorCode.FORBIDDEN, "brand accounts do not watch products")
    check_rule(rule)
    product_id, variant_id = resolve(conn, user_id, ref)
    product = load_product(conn, product_id, active_only=True)
    same = conn.execute(
        select(watches.c.id).where(
            watches.c.user_id == user_id,
            watches.c.product_id == product_id,
            watches.c.variant_id.is_(None)
            if variant_id is None
            else watches.c.variant_id == variant_id,
            watches.c.kind == rule.alert,
        )
    ).scalar()
    if same is not None:
        conn.execute(update(watches).where(watches.c.id == same).values(below=rule.below, armed=1))
        watch_id = int(same)
    else:
        count = conn.execute(
            select(func.count()).select_from(watches).where(watches.c.user_id == user_id)
        ).scalar_one()
        if count >= MAX_WATCHES:
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED, f"you watch {MAX_WATCHES} products already"
            )
        result = conn.execute(
            insert(watches).values(
                user_id=user_id,
                product_id=product_id,
                variant_id=variant_id,
                kind=rule.alert,
                below=rule.below,
                armed=1,
                created_at=settings(conn).clock(),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        watch_id = int(key[0])
        variant = next((v for v in product.variants if v.id == variant_id), None)
        notice = AlertNotice(
            user=person,
            product_id=product_id,
            kind=rule.alert,
            sku=None if variant is None else variant.sku,
            below=rule.below,
        )
        enqueue(conn, publications, product.brand.id, "alert", encode(notice))
    row = conn.execute(select(watches).where(watches.c.id == watch_id)).one()
    return _view(row, product)


def list_watches(conn: Connection, user_id: int) -> WatchList:
    rows = conn.execute(
        select(watches).where(watches.c.user_id == user_id).order_by(watches.c.id.desc())
    ).all()
    found = load_products(conn, list({row.product_id for row in rows}))
    return WatchList(watches=[_view(row, found[row.product_id]) for row in rows])


def unwatch(conn: Connection, publications: list[Publication], user_id: int, watch_id: int) -> None:
    gone = conn.execute(
        delete(watches).where(watches.c.id == watch_id, watches.c.user_id == user_id)
    )
    if not gone.rowcount:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"you have no watch {watch_id}")


class AlertStore(Store):
    """People's watches of products (the alerts themselves are posted by the changes)."""

    __slots__ = ()

    watch = writes(watch)
    watches = reads(list_watches)
    unwatch = writes(unwatch)
