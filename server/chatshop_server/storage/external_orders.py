"""Orders placed on a brand's own shop and followed in its thread (the brand HTTP API).

Such an order is an ``orders`` row like any other, with ``external_id`` set and no payment:
the money moved on the brand's shop, so nothing is taken from a wallet, no stock is taken
here (the shop owns its stock) and it cannot be cancelled or refunded on the relay. From
then on it lives exactly as a relay order does: its receipt card in the customer's brand
thread, each step an order update card there (``orders.advance_order``), an ``order`` event
to the customer and the brand's staff, and a delivery in the webhook outbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import msgspec
from sqlalchemy import Connection, insert, select, update

from chatshop.protocol.cards import OrderUpdateCard
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message
from chatshop.protocol.shop_models import Address, Order
from chatshop_server.events import Publication
from chatshop_server.storage.api_optins import require_optin
from chatshop_server.storage.carts import price_lines, require_variant
from chatshop_server.storage.catalog import brand_info, find_by_sku
from chatshop_server.storage.common import (
    active_member_ids,
    is_blocked_between,
    new_id,
    require_user,
    thread_row,
    user_by_id,
)
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.messages import post_message
from chatshop_server.storage.orders import _receipt, _step, _tell, order_number, order_view
from chatshop_server.storage.tables import order_lines, orders
from chatshop_server.storage.threads import open_direct


@dataclass(frozen=True, slots=True)
class ExternalLine:
    """One line as the brand's shop sold it: a SKU of its catalogue here, at its price."""

    sku: str
    quantity: int
    unit_price: int | None = None  # None: the catalogue's price now


@dataclass(frozen=True, slots=True)
class ExternalOrder:
    """An order the brand's shop took, as the API handler validated it."""

    brand_id: int
    customer: str
    external_id: str
    lines: tuple[ExternalLine, ...]
    total: int
    address: Address
    shipping_cost: int = 0
    discount: int = 0
    currency: str | None = None
    shipping: str = ""


def _order_of_brand(conn: Connection, brand_id: int, order_id: int) -> Order:
    order = order_view(conn, order_id)
    if order.brand.id != brand_id:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    return order


def place_external_order(
    conn: Connection, publications: list[Publication], spec: ExternalOrder
) -> Order:
    """Store the order, post its receipt in the customer's brand thread, tell everyone."""
    brand = brand_info(conn, spec.brand_id)
    customer = require_user(conn, spec.customer)
    if customer.kind != "person":
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no customer @{customer.handle}")
    require_optin(conn, spec.brand_id, customer)
    if is_blocked_between(conn, customer.id, spec.brand_id):
        raise ProtocolError(ErrorCode.BLOCKED, f"you and @{customer.handle} blocked each other")
    if spec.currency is not None and spec.currency != brand.currency:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, f"the brand sells in {brand.currency}, not {spec.currency}"
        )
    taken = conn.execute(
        select(orders.c.id).where(
            orders.c.brand_id == spec.brand_id, orders.c.external_id == spec.external_id
        )
    ).scalar()
    if taken is not None:
        raise ProtocolError(
            ErrorCode.CONFLICT, f"external_id {spec.external_id!r} is order {taken} already"
        )
    entries = []
    for line in spec.lines:
        product_id, variant_id = find_by_sku(conn, spec.brand_id, line.sku)
        entries.append((require_variant(conn, product_id, variant_id), line.quantity, None))
    priced = price_lines(conn, entries)
    prices = [
        line.unit_price if line.unit_price is not None else row.unit_price
        for line, row in zip(spec.lines, priced, strict=True)
    ]
    subtotal = sum(price * row.quantity for price, row in zip(prices, priced, strict=True))
    if spec.total != subtotal - spec.discount + spec.shipping_cost:
        raise ProtocolError(
            ErrorCode.INVALID_AMOUNT,
            f"total {spec.total} is not the lines' {subtotal} - discount {spec.discount} "
            f"+ shipping {spec.shipping_cost}",
        )
    now = settings(conn).clock()
    thread = open_direct(conn, publications, customer.id, brand.user.handle)
    order_id = new_id(
        conn.execute(
            insert(orders).values(
                number=f"pending-{secrets.token_hex(6)}",
                brand_id=spec.brand_id,
                customer_id=customer.id,
                thread_id=thread.id,
                status="placed",
                currency=brand.currency,
                subtotal=subtotal,
                discount=spec.discount,
                shipping_cost=spec.shipping_cost,
                total=spec.total,
                shipping=spec.shipping or "shipping",
                address=msgspec.json.encode(spec.address),
                external_id=spec.external_id,
                created_at=now,
                updated_at=now,
            )
        )
    )
    conn.execute(
        insert(order_lines),
        [
            {
                "order_id": order_id,
                "position": n,
                "variant_id": row.variant_id,
                "product_id": row.product_id,
                "sku": row.sku,
                "title": row.title,
                "label": row.label,
                "quantity": row.quantity,
                "unit_price": price,
            }
            for n, (row, price) in enumerate(zip(priced, prices, strict=True), start=1)
        ],
    )
    conn.execute(
        update(orders)
        .where(orders.c.id == order_id)
        .values(number=order_number(brand.user.handle, order_id))
    )
    _step(conn, order_id, "placed", spec.brand_id, "", None, None, now)
    order = order_view(conn, order_id)
    message = post_message(
        conn,
        publications,
        thread_row(conn, thread.id),
        active_member_ids(conn, thread.id),
        spec.brand_id,
        "",
        card=_receipt(order, None),
    )
    conn.execute(
        update(orders).where(orders.c.id == order_id).values(receipt_message_id=message.id)
    )
    order = msgspec.structs.replace(order, receipt_message_id=message.id)
    _tell(conn, publications, order)
    return order


def order_customer(conn: Connection, brand_id: int, order_id: int) -> str:
    """The handle of the customer of one of the brand's orders (``not_found`` for another
    brand's order), consent checked."""
    order = _order_of_brand(conn, brand_id, order_id)
    require_optin(conn, brand_id, order.customer)
    return order.customer.handle


def post_order_update(
    conn: Connection,
    publications: list[Publication],
    brand_id: int,
    customer: str,
    order_id: int,
    note: str,
) -> Message:
    """An order update card with the order as it stands and a note ("delayed a day"),
    without moving it a step, in the thread of the order's customer (``customer``)."""
    order = _order_of_brand(conn, brand_id, order_id)
    if order.customer.handle.lower() != customer.lower():
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id} of @{customer}")
    require_optin(conn, brand_id, order.customer)
    thread = thread_row(conn, order.thread_id)
    card = OrderUpdateCard(
        order_id=order.id,
        number=order.number,
        status=order.status,
        carrier=order.carrier,
        tracking=order.tracking,
        note=note,
    )
    brand = user_by_id(conn, brand_id)
    return post_message(
        conn, publications, thread, active_member_ids(conn, thread.id), brand.id, "", card=card
    )


class ExternalOrderStore(Store):
    """Orders of brands' own shops, followed in their threads."""

    __slots__ = ()

    place = writes(place_external_order)
    post_update = writes(post_order_update)
    customer = reads(order_customer)
