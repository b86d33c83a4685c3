"""Checkout and orders: one writer operation places an order, and each step after it
(confirm, prepare, ship, deliver, cancel, refund) is another.

Checkout takes stock with a guarded UPDATE per line (``stock >= quantity``: two buyers of
the last item cannot both pass), counts the promo code's use the same way, moves the money
from the buyer's wallet to the brand's through the ledger, stores the order and posts its
receipt in the brand thread; any refusal rolls the whole operation back. Cancellation and
refunds move the money back (kind ``refund``) and, before shipping, the stock.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Sequence
from typing import Any, Literal

import msgspec
from sqlalchemy import Connection, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.cards import OrderStatus, OrderUpdateCard, ReceiptCard, ReceiptLine
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import format_money
from chatshop.protocol.orders import CANCELLABLE, REFUNDABLE, next_step
from chatshop.protocol.shop_frames import (
    OrderEvent,
)
from chatshop.protocol.shop_models import (
    Address,
    CheckoutQuote,
    CheckoutResult,
    Order,
    OrderLine,
    OrderPage,
    OrderRole,
    OrderStep,
    PromoApplied,
)
from chatshop.protocol.webhook_frames import PaymentNotice
from chatshop_server.events import Publication
from chatshop_server.rules.checkout import Basket, check_checkout, sold_out
from chatshop_server.storage.alerts import Before, before_change, tell_watchers
from chatshop_server.storage.carts import (
    build_basket,
    new_promo_use,
    release_promo,
    remove_from_cart,
    save_address,
    take_promo,
)
from chatshop_server.storage.catalog import brand_user, is_staff, require_staff, staff_ids
from chatshop_server.storage.checkout_cards import mark_paid, open_checkout_card
from chatshop_server.storage.common import (
    active_member_ids,
    append_event,
    is_blocked_between,
    new_id,
    require_user,
    thread_row,
    users_by_id,
)
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.ledger import (
    account,
    balance_of,
    move,
    notify_wallets,
    short_id,
    wallet,
)
from chatshop_server.storage.messages import post_message, update_card
from chatshop_server.storage.offers import release_offer, use_offer
from chatshop_server.storage.outbox import enqueue
from chatshop_server.storage.rows import message_from_row
from chatshop_server.storage.specs import CheckoutSpec
from chatshop_server.storage.tables import messages, order_lines, order_steps, orders, variants
from chatshop_server.storage.threads import open_direct

_checkout_decoder = msgspec.json.Decoder(CheckoutResult)
_address_decoder = msgspec.json.Decoder(Address)


def order_number(brand_handle: str, order_id: int) -> str:
    """``NOR-000042``: the brand's initials and the order id."""
    prefix = re.sub(r"[^A-Za-z0-9]", "", brand_handle).upper()[:3] or "ORD"
    return f"{prefix}-{order_id:06d}"


# --------------------------------------------------------------------------- views


def order_view(conn: Connection, order_id: int) -> Order:
    row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    return _view(conn, row)


def _view(conn: Connection, row: Any) -> Order:
    people = users_by_id(conn, [row.brand_id, row.customer_id])
    lines = [
        OrderLine(
            variant_id=line.variant_id,
            product_id=line.product_id,
            sku=line.sku,
            title=line.title,
            label=line.label,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line in conn.execute(
            select(order_lines)
            .where(order_lines.c.order_id == row.id)
            .order_by(order_lines.c.position)
        )
    ]
    steps = [
        OrderStep(
            status=step.status,
            at=step.created_at,
            by=step.actor_id,
            note=step.note,
            carrier=step.carrier,
            tracking=step.tracking,
        )
        for step in conn.execute(
            select(order_steps).where(order_steps.c.order_id == row.id).order_by(order_steps.c.id)
        )
    ]
    return Order(
        id=row.id,
        number=row.number,
        brand=people[row.brand_id],
        customer=people[row.customer_id],
        status=row.status,
        currency=row.currency,
        lines=lines,
        subtotal=row.subtotal,
        discount=row.discount,
        shipping_cost=row.shipping_cost,
        total=row.total,
        shipping=row.shipping,
        address=_address_decoder.decode(row.address),
        thread_id=row.thread_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        steps=steps,
        promo_code=row.promo_code,
        carrier=row.carrier,
        tracking=row.tracking,
        receipt_message_id=row.receipt_message_id,
        received_at=row.received_at,
        external_id=row.external_id,
    )


def _receipt(order: Order, transfer_id: int | None) -> ReceiptCard:
    return ReceiptCard(
        order_id=order.id,
        number=order.number,
        brand_id=order.brand.id,
        customer_id=order.customer.id,
        status=order.status,
        lines=[
            ReceiptLine(
                sku=line.sku,
                title=line.title,
                label=line.label,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in order.lines
        ],
        currency=order.currency,
        subtotal=order.subtotal,
        discount=order.discount,
        shipping=order.shipping_cost,
        total=order.total,
        promo_code=order.promo_code,
        short_id=None if transfer_id is None else short_id(transfer_id),
    )


def _tell(conn: Connection, publications: list[Publication], order: Order) -> None:
    """An ``order`` event to the customer, the brand and its staff."""
    event = OrderEvent(order=order)
    for user_id in dict.fromkeys([order.customer.id, *staff_ids(conn, order.brand.id)]):
        append_event(conn, publications, event, recipients=[user_id], user_id=user_id)
    enqueue(conn, publications, order.brand.id, "order", encode(event), order.thread_id)


def _payment_notice(
    conn: Connection,
    publications: list[Publication],
    order: Order,
    transfer_id: int,
    kind: Literal["purchase", "refund"],
) -> None:
    notice = PaymentNotice(
        transfer_id=short_id(transfer_id),
        kind=kind,
        amount=order.total,
        currency=order.currency,
        customer=order.customer,
        order_number=order.number,
    )
    enqueue(conn, publications, order.brand.id, "payment", encode(notice), order.thread_id)


# --------------------------------------------------------------------------- checkout


def preview(conn: Connection, spec: CheckoutSpec) -> CheckoutQuote:
    """What checking out would cost now; nothing is reserved."""
    basket = build_basket(
        conn,
        spec.user_id,
        spec.brand,
        spec.items,
        spec.shipping,
        spec.promo,
        spec.address,
        settings(conn).clock(),
    )
    currency = basket.brand.currency
    balance = balance_of(conn, wallet(conn, spec.user_id, currency)).amount
    problems = basket.problems()
    if balance < basket.total:
        problems.append(
            f"your wallet holds {format_money(balance, currency)}; "
            f"the total is {format_money(basket.total, currency)}"
        )
    if basket.total > spec.max_amount:
        problems.append(f"the total is over the relay's limit of {spec.max_amount} minor units")
    return CheckoutQuote(
        brand=basket.brand.user,
        currency=currency,
        lines=[line.view() for line in basket.lines],
        subtotal=basket.subtotal,
        discount=basket.discount,
        shipping_options=basket.brand.shipping,
        shipping_cost=basket.shipping.price,
        total=basket.total,
        balance=balance,
        can_pay=not problems,
        problems=problems,
        promo=_promo_shown(basket),
        shipping=basket.shipping,
        address=basket.address,
        offer=basket.offer[0].view if basket.offer is not None and basket.offer_wins else None,
    )


def _promo_shown(basket: Basket) -> PromoApplied | None:
    """The promo code as the quote shows it: with no discount when an offer takes more."""
    if basket.promo is None:
        return None
    applied = basket.promo.applied
    if basket.offer_wins and applied.valid:
        problem = "your offer takes more off; an offer and a code do not combine"
        return msgspec.structs.replace(applied, discount=0, problem=problem)
    return applied


def checkout(
    conn: Connection, publications: list[Publication], spec: CheckoutSpec
) -> CheckoutResult:
    """Place and pay for an order, all or nothing."""
    prior = recall(conn, spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return msgspec.structs.replace(_checkout_decoder.decode(prior), replayed=True)
    now = spec.at if spec.at is not None else settings(conn).clock()
    card_id = spec.card_message_id
    if card_id is not None:  # a checkout card: its items, its shipping, its total
        card = open_checkout_card(conn, spec.user_id, card_id)
        spec = dataclasses.replace(
            spec,
            brand=card.brand_handle,
            items=[(line.sku, line.quantity) for line in card.lines],
            shipping=card.shipping_code,
            expected_total=card.total if spec.expected_total is None else spec.expected_total,
        )
    if spec.address is not None:
        save_address(conn, spec.user_id, spec.address)
    basket = build_basket(
        conn,
        spec.user_id,
        spec.brand,
        spec.items,
        spec.shipping,
        spec.promo,
        spec.address,
        now,
    )
    brand = basket.brand.user
    currency = basket.brand.currency
    check_checkout(basket, expected_total=spec.expected_total, max_amount=spec.max_amount)
    total = basket.total
    if is_blocked_between(conn, spec.user_id, brand.id):
        raise ProtocolError(ErrorCode.BLOCKED, f"you and @{brand.handle} blocked each other")
    for line in basket.lines:
        taken = conn.execute(
            update(variants)
            .where(variants.c.id == line.variant_id, variants.c.stock >= line.quantity)
            .values(stock=variants.c.stock - line.quantity)
        )
        if taken.rowcount != 1:
            left = conn.execute(
                select(variants.c.stock).where(variants.c.id == line.variant_id)
            ).scalar_one()
            raise sold_out(line, left)
    # An offer and a promo code do not combine: the one that takes more is the one used.
    offer = basket.offer[0] if basket.offer is not None and basket.offer_wins else None
    promo = None if offer is not None else basket.promo
    if promo is not None and promo.promo_id is not None and not take_promo(conn, promo.promo_id):
        raise ProtocolError(ErrorCode.PROMO_INVALID, f"{promo.applied.code} has been used up")
    thread = _brand_thread(conn, publications, spec.user_id, brand.handle)
    order_id = new_id(
        conn.execute(
            insert(orders).values(
                number=f"pending-{secrets.token_hex(6)}",
                brand_id=brand.id,
                customer_id=spec.user_id,
                thread_id=thread.id,
                status="placed",
                currency=currency,
                subtotal=basket.subtotal,
                discount=basket.discount,
                shipping_cost=basket.shipping.price,
                total=total,
                promo_id=None if promo is None else promo.promo_id,
                promo_code=None if promo is None else promo.applied.code,
                offer_id=None if offer is None else offer.offer_id,
                shipping=basket.shipping.name,
                address=msgspec.json.encode(basket.address),
                created_at=now,
                updated_at=now,
            )
        )
    )
    number = order_number(brand.handle, order_id)
    conn.execute(
        insert(order_lines),
        [
            {
                "order_id": order_id,
                "position": n,
                "variant_id": line.variant_id,
                "product_id": line.product_id,
                "sku": line.sku,
                "title": line.title,
                "label": line.label,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for n, line in enumerate(basket.lines, start=1)
        ],
    )
    _step(conn, order_id, "placed", spec.user_id, "", None, None, now)
    if promo is not None and promo.promo_id is not None:
        new_promo_use(conn, promo.promo_id, spec.user_id, order_id)
    if offer is not None:
        use_offer(conn, offer.offer_id, spec.user_id, order_id)
    transfer_id = None
    if total > 0:
        # Held in the brand's escrow until the return window after delivery has passed, so
        # that a refund never depends on what the brand did with its wallet meanwhile.
        transfer_id = move(
            conn,
            debit=wallet(conn, spec.user_id, currency),
            credit=account(conn, "escrow", brand.id, currency),
            amount=total,
            currency=currency,
            kind="purchase",
            note=number,
            initiator_id=spec.user_id,
            thread_id=thread.id,
        )
        notify_wallets(conn, publications, transfer_id, [spec.user_id])
    conn.execute(
        update(orders).where(orders.c.id == order_id).values(number=number, transfer_id=transfer_id)
    )
    order = order_view(conn, order_id)
    members = active_member_ids(conn, thread.id)
    message = post_message(
        conn,
        publications,
        thread_row(conn, thread.id),
        members,
        brand.id,
        "",
        card=_receipt(order, transfer_id),
        at=spec.at,
    )
    conn.execute(
        update(orders).where(orders.c.id == order_id).values(receipt_message_id=message.id)
    )
    order = msgspec.structs.replace(order, receipt_message_id=message.id)
    if basket.from_cart:
        remove_from_cart(
            conn, publications, spec.user_id, basket.brand, [x.variant_id for x in basket.lines]
        )
    _tell(conn, publications, order)
    if transfer_id is not None:
        _payment_notice(conn, publications, order, transfer_id, "purchase")
    if card_id is not None:
        mark_paid(conn, publications, card_id, order)
    result = CheckoutResult(
        order=order,
        message=message,
        balance=balance_of(conn, wallet(conn, spec.user_id, currency)),
    )
    remember(conn, spec.user_id, spec.key, spec.request_hash, encode(result))
    return result


def _brand_thread(
    conn: Connection, publications: list[Publication], user_id: int, brand_handle: str
) -> Any:
    """The customer's thread with the brand, opened now if it does not exist yet."""
    return open_direct(conn, publications, user_id, brand_handle)


def _step(
    conn: Connection,
    order_id: int,
    status: str,
    actor_id: int,
    note: str,
    carrier: str | None,
    tracking: str | None,
    at: int,
) -> None:
    conn.execute(
        insert(order_steps).values(
            order_id=order_id,
            status=status,
            actor_id=actor_id,
            note=note,
            carrier=carrier,
            tracking=tracking,
            created_at=at,
        )
    )


# --------------------------------------------------------------------------- orders


def _order_row(conn: Connection, order_id: int) -> Any:
    row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    return row


def get_order(conn: Connection, user_id: int, order_id: int) -> Order:
    row = _order_row(conn, order_id)
    if row.customer_id != user_id and not is_staff(conn, row.brand_id, user_id):
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    return _view(conn, row)


def list_orders(
    conn: Connection,
    user_id: int,
    role: OrderRole,
    handle: str | None,
    statuses: Sequence[str] | None,
    before: int | None,
    limit: int,
    customer: str | None = None,
) -> OrderPage:
    query = select(orders)
    if role == "customer":
        query = query.where(orders.c.customer_id == user_id)
        if handle is not None:
            query = query.where(orders.c.brand_id == brand_user(conn, handle).id)
    else:
        if handle is None:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "name the brand whose orders to list")
        brand = brand_user(conn, handle)
        require_staff(conn, brand, user_id)
        query = query.where(orders.c.brand_id == brand.id)
        if customer is not None:
            query = query.where(orders.c.customer_id == require_user(conn, customer).id)
    if statuses:
        query = query.where(orders.c.status.in_(list(statuses)))
    if before is not None:
        query = query.where(orders.c.id < before)
    rows = conn.execute(query.order_by(orders.c.id.desc()).limit(limit + 1)).all()
    return OrderPage(orders=[_view(conn, row) for row in rows[:limit]], more=len(rows) > limit)


def _announce(
    conn: Connection,
    publications: list[Publication],
    order_id: int,
    note: str,
    at: int | None,
) -> Order:
    """Post the step in the brand thread, update the receipt, tell everyone concerned."""
    order = order_view(conn, order_id)
    thread = thread_row(conn, order.thread_id)
    card = OrderUpdateCard(
        order_id=order.id,
        number=order.number,
        status=order.status,
        carrier=order.carrier,
        tracking=order.tracking,
        note=note,
    )
    members = active_member_ids(conn, thread.id)
    if order.brand.id in members:
        post_message(conn, publications, thread, members, order.brand.id, "", card=card, at=at)
        if order.receipt_message_id is not None:
            row = conn.execute(select(orders.c.transfer_id).where(orders.c.id == order_id)).one()
            update_card(
                conn, publications, order.receipt_message_id, _receipt(order, row.transfer_id)
            )
    _tell(conn, publications, order)
    return order


def advance_order(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    order_id: int,
    status: OrderStatus,
    carrier: str | None,
    tracking: str | None,
    note: str,
    at: int | None = None,
) -> Order:
    """Staff move an order one step on its way."""
    row = _order_row(conn, order_id)
    brand = users_by_id(conn, [row.brand_id])[row.brand_id]
    if user_id is not None and not is_staff(conn, brand.id, user_id):
        if row.customer_id == user_id:
            raise ProtocolError(ErrorCode.FORBIDDEN, "only the brand's staff advance orders")
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    expected = next_step(row.status)
    if status != expected:
        then = f"its next step is {expected}" if expected else "it is finished"
        raise ProtocolError(
            ErrorCode.INVALID_TRANSITION,
            f"order {row.number} is {row.status}: {then}, it cannot become {status}",
        )
    if status == "shipped" and not (carrier and tracking):
        raise ProtocolError(ErrorCode.BAD_REQUEST, "a shipped order needs carrier and tracking")
    when = at if at is not None else settings(conn).clock()
    values: dict[str, Any] = {"status": status, "updated_at": when}
    if status == "shipped":
        values |= {"carrier": carrier, "tracking": tracking}
    if status == "delivered":
        values["release_after"] = when + settings(conn).return_window_ms
    conn.execute(update(orders).where(orders.c.id == order_id).values(**values))
    actor = brand.id if user_id is None else user_id
    shipped = status == "shipped"
    _step(
        conn,
        order_id,
        status,
        actor,
        note,
        carrier if shipped else None,
        tracking if shipped else None,
        when,
    )
    return _announce(conn, publications, order_id, note, at)


def _give_back(
    conn: Connection,
    publications: list[Publication],
    row: Any,
    actor: int,
    status: OrderStatus,
    reason: str,
    *,
    restock: bool,
) -> Order:
    """Refund the customer in full and, when asked, put the items back on the shelf."""
    refund_id = None
    if row.total > 0:
        held = row.transfer_id is not None and row.released_at is None
        refund_id = move(
            conn,
            debit=(
                account(conn, "escrow", row.brand_id, row.currency)
                if held
                else wallet(conn, row.brand_id, row.currency)
            ),
            credit=wallet(conn, row.customer_id, row.currency),
            amount=row.total,
            currency=row.currency,
            kind="refund",
            note=f"{row.number} {reason}".strip(),
            initiator_id=actor,
            thread_id=row.thread_id,
        )
        touched = [row.customer_id] if held else [row.customer_id, row.brand_id]
        notify_wallets(conn, publications, refund_id, touched)
    watched: Before = {}
    if restock:
        lines = conn.execute(select(order_lines).where(order_lines.c.order_id == row.id)).all()
        restocked = select(variants.c.product_id).where(
            variants.c.id.in_([line.variant_id for line in lines])
        )
        watched = before_change(conn, conn.execute(restocked).scalars())
        for line in lines:
            conn.execute(
                update(variants)
                .where(variants.c.id == line.variant_id)
                .values(stock=variants.c.stock + line.quantity)
            )
    release_promo(conn, row.id)
    release_offer(conn, row.id)
    now = settings(conn).clock()
    conn.execute(
        update(orders)
        .where(orders.c.id == row.id)
        .values(status=status, refund_transfer_id=refund_id, updated_at=now)
    )
    _step(conn, row.id, status, actor, reason, None, None, now)
    order = _announce(conn, publications, row.id, reason, None)
    if refund_id is not None:
        _payment_notice(conn, publications, order, refund_id, "refund")
    tell_watchers(conn, publications, watched)  # after the order's own update in the thread
    return order


def _refuse_if_external(row: Any) -> None:
    """An order placed on the brand's own shop was paid there: no money of it is held here,
    so it is cancelled and refunded there (a refund here would pay out money never taken)."""
    if row.external_id is not None:
        raise ProtocolError(
            ErrorCode.FORBIDDEN,
            f"order {row.number} was placed on the brand's own shop: cancel or refund it there",
        )


def cancel_order(
    conn: Connection, publications: list[Publication], user_id: int, order_id: int, reason: str
) -> Order:
    """The customer cancels before shipping: money back, items back on the shelf."""
    row = _order_row(conn, order_id)
    if row.customer_id != user_id:
        if is_staff(conn, row.brand_id, user_id):
            raise ProtocolError(
                ErrorCode.FORBIDDEN, "staff refund orders (order_refund); customers cancel them"
            )
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    _refuse_if_external(row)
    if row.status not in CANCELLABLE:
        raise ProtocolError(
            ErrorCode.INVALID_TRANSITION,
            f"order {row.number} is {row.status}: only orders not yet shipped can be "
            "cancelled (ask the brand for a refund)",
        )
    return _give_back(conn, publications, row, user_id, "cancelled", reason, restock=True)


def refund_order(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    order_id: int,
    reason: str,
) -> Order:
    """The brand refunds an order in full; unshipped items go back on the shelf."""
    row = _order_row(conn, order_id)
    if user_id is not None and not is_staff(conn, row.brand_id, user_id):
        if row.customer_id == user_id:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, "only the brand refunds; you can cancel before shipping"
            )
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    _refuse_if_external(row)
    if row.status not in REFUNDABLE:
        raise ProtocolError(
            ErrorCode.INVALID_TRANSITION, f"order {row.number} is already {row.status}"
        )
    actor = row.brand_id if user_id is None else user_id
    restock = row.status in CANCELLABLE
    return _give_back(conn, publications, row, actor, "refunded", reason, restock=restock)


def confirm_receipt(
    conn: Connection, publications: list[Publication], user_id: int, order_id: int
) -> Order:
    """The customer confirms a delivered order arrived: the order and its delivered card
    say so (the return window runs on as before)."""
    row = _order_row(conn, order_id)
    if row.customer_id != user_id:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no order {order_id}")
    if row.status != "delivered":
        raise ProtocolError(
            ErrorCode.INVALID_TRANSITION, f"order {row.number} is {row.status}, not delivered"
        )
    if row.received_at is None:
        now = settings(conn).clock()
        conn.execute(update(orders).where(orders.c.id == order_id).values(received_at=now))
        for message_id, card in _update_cards(conn, row.thread_id, order_id):
            if card.status == "delivered":
                received = msgspec.structs.replace(card, received=True)
                update_card(conn, publications, message_id, received)
        _tell(conn, publications, order_view(conn, order_id))
    return order_view(conn, order_id)


def _update_cards(
    conn: Connection, thread_id: int, order_id: int
) -> list[tuple[int, OrderUpdateCard]]:
    """The order's update cards in its thread, newest first."""
    found = []
    for row in conn.execute(
        select(messages)
        .where(messages.c.thread_id == thread_id, messages.c.card.is_not(None))
        .order_by(messages.c.id.desc())
        .limit(200)
    ):
        card = message_from_row(row).card
        if isinstance(card, OrderUpdateCard) and card.order_id == order_id:
            found.append((row.id, card))
    return found


def release_orders(conn: Connection, publications: list[Publication], now: int) -> int:
    """Pay brands what their delivered orders hold once the return window has passed."""
    due = conn.execute(
        select(orders).where(
            orders.c.status == "delivered",
            orders.c.release_after <= now,
            orders.c.released_at.is_(None),
            orders.c.transfer_id.is_not(None),
            orders.c.refund_transfer_id.is_(None),
        )
    ).all()
    for row in due:
        transfer_id = move(
            conn,
            debit=account(conn, "escrow", row.brand_id, row.currency),
            credit=wallet(conn, row.brand_id, row.currency),
            amount=row.total,
            currency=row.currency,
            kind="release",
            note=row.number,
            initiator_id=row.brand_id,
            thread_id=row.thread_id,
        )
        conn.execute(update(orders).where(orders.c.id == row.id).values(released_at=now))
        notify_wallets(conn, publications, transfer_id, [row.brand_id])
    return len(due)


def recent_orders(conn: Connection, customer_id: int, brand_id: int, limit: int) -> list[Order]:
    rows = conn.execute(
        select(orders)
        .where(orders.c.customer_id == customer_id, orders.c.brand_id == brand_id)
        .order_by(orders.c.id.desc())
        .limit(limit)
    ).all()
    return [_view(conn, row) for row in rows]


class OrderStore(Store):
    """Checkout and the life of an order, from placed to delivered or refunded."""

    __slots__ = ()

    preview = reads(preview)
    checkout = writes(checkout)
    orders = reads(list_orders)
    order = reads(get_order)
    advance = writes(advance_order)
    cancel = writes(cancel_order)
    refund = writes(refund_order)
    release_due = writes(release_orders)
    confirm_receipt = writes(confirm_receipt)
