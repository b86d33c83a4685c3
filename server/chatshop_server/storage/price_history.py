"""Every price a product had, and when: so that "its lowest price in 30 days" is a fact the
relay can show on a product and check an alert against, not a claim.

A leaf module (tables and rules only): the catalogue records prices here as it stores
products, and reads the lows back whenever it loads them (every catalogue page), so the
read is one statement, built once.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    bindparam,
    func,
    insert,
    select,
    union_all,
)

from chatshop_server.rules.alerts import LOWEST_WINDOW_MS, lowest
from chatshop_server.storage.database import settings
from chatshop_server.storage.tables import price_history

_IDS = price_history.c.product_id.in_(bindparam("ids", expanding=True))
_START: BindParameter[int] = bindparam("start", type_=BigInteger)
_in_force = (
    select(
        price_history.c.product_id,
        price_history.c.price.label("low"),
        func.max(price_history.c.id),  # the last set, even two in one millisecond
    )
    .where(_IDS, price_history.c.at < _START)
    .group_by(price_history.c.product_id)
    .subquery()
)
#: Per product: the lowest price set during the window, and the price in force when it
#: began (the last one set before it: SQLite gives a bare column the value of the row that
#: ``max`` picked). Two index range scans; a correlated subquery per row took twice as long.
_LOWS = union_all(
    select(price_history.c.product_id, func.min(price_history.c.price).label("low"))
    .where(_IDS, price_history.c.at >= _START)
    .group_by(price_history.c.product_id),
    select(_in_force.c.product_id, _in_force.c.low),
)


def record_price(conn: Connection, product_id: int, price: int) -> None:
    """Note that ``product_id`` costs ``price`` from now on (at creation, and each change)."""
    conn.execute(
        insert(price_history).values(product_id=product_id, price=price, at=settings(conn).clock())
    )


def lowest_prices(conn: Connection, current: Mapping[int, int]) -> dict[int, int]:
    """The lowest price of the last 30 days of each product, given its ``current`` price:
    the prices set during the window and the one in force when it began (a product without
    history, from before the relay kept it, has its current price)."""
    if not current:
        return {}
    start = settings(conn).clock() - LOWEST_WINDOW_MS
    lows: dict[int, list[int]] = {}
    for product_id, low in conn.execute(_LOWS, {"ids": list(current), "start": start}):
        lows.setdefault(product_id, []).append(low)
    return {pid: lowest(price, lows.get(pid, []), None) for pid, price in current.items()}
