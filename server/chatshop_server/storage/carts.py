"""Carts (one per person per brand), saved addresses, promo codes, and baskets priced for a
checkout: what the lines cost now, what changed since they were added, the discount, the
shipping option and the total."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.shop_frames import (
    CartEvent,
)
from chatshop.protocol.shop_models import (
    Address,
    AddressResult,
    Cart,
    CartList,
    Promo,
    PromoApplied,
    PromoList,
)
from chatshop_server.events import Publication
from chatshop_server.rules.checkout import (
    Basket,
    BrandInfo,
    PricedLine,
    PromoCheck,
    PromoRule,
    best_offer,
    promo_discount,
    promo_problem,
)
from chatshop_server.storage.catalog import (
    brand_info,
    brand_user,
    find_by_sku,
    require_staff,
    resolve,
)
from chatshop_server.storage.common import append_event, users_by_id
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.offers import granted_offers
from chatshop_server.storage.specs import ProductRef, PromoSpec
from chatshop_server.storage.tables import (
    addresses,
    cart_lines,
    carts,
    products,
    promo_uses,
    promos,
    variants,
)

_address_decoder = msgspec.json.Decoder(Address)


# --------------------------------------------------------------------------- pricing


def _variant_rows(conn: Connection, variant_ids: Sequence[int]) -> dict[int, Any]:
    if not variant_ids:
        return {}
    rows = conn.execute(
        select(
            variants.c.id,
            variants.c.sku,
            variants.c.label,
            variants.c.stock,
            variants.c.active.label("variant_active"),
            variants.c.product_id,
            products.c.brand_id,
            products.c.title,
            products.c.price,
            products.c.currency,
            products.c.images,
            products.c.active.label("product_active"),
        )
        .join(products, products.c.id == variants.c.product_id)
        .where(variants.c.id.in_(list(variant_ids)))
    )
    return {row.id: row for row in rows}


def price_lines(
    conn: Connection, entries: Sequence[tuple[int, int, int | None]]
) -> list[PricedLine]:
    """Lines for (variant id, quantity, price when added or None for "now")."""
    rows = _variant_rows(conn, [variant_id for variant_id, _, _ in entries])
    lines = []
    for variant_id, quantity, added_price in entries:
        row = rows[variant_id]
        images = json.loads(row.images)
        lines.append(
            PricedLine(
                variant_id=variant_id,
                product_id=row.product_id,
                sku=row.sku,
                title=row.title,
                label=row.label,
                quantity=quantity,
                unit_price=row.price,
                price_when_added=row.price if added_price is None else added_price,
                available=row.stock,
                buyable=bool(row.variant_active and row.product_active),
                image=images[0] if images else None,
            )
        )
    return lines


# --------------------------------------------------------------------------- promos


def evaluate_promo(
    conn: Connection, brand: BrandInfo, user_id: int, code: str, subtotal: int, now: int
) -> PromoCheck:
    """What ``code`` takes off ``subtotal`` for ``user_id`` now, or why it does not apply."""
    row = conn.execute(
        select(promos).where(promos.c.brand_id == brand.user.id, promos.c.code == code.upper())
    ).first()
    if row is None:
        applied = PromoApplied(
            code=code.upper(),
            kind="fixed",
            value=0,
            discount=0,
            valid=False,
            problem=f"there is no promo code {code.upper()} at @{brand.user.handle}",
        )
        return PromoCheck(applied, None)
    used_by_me = conn.execute(
        select(func.count())
        .select_from(promo_uses)
        .where(promo_uses.c.promo_id == row.id, promo_uses.c.user_id == user_id)
    ).scalar_one()
    rule = PromoRule(
        code=row.code,
        kind=row.kind,
        value=row.value,
        currency=row.currency,
        active=bool(row.active),
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
        max_uses_per_customer=row.max_uses_per_customer,
        min_basket=row.min_basket,
    )
    problem = promo_problem(rule, used_by_me=used_by_me, subtotal=subtotal, now=now)
    discount = promo_discount(rule, subtotal)
    applied = PromoApplied(
        code=row.code,
        kind=row.kind,
        value=row.value,
        discount=0 if problem else discount,
        valid=not problem,
        problem=problem,
    )
    return PromoCheck(applied, row.id)


def promo_view(row: Any) -> Promo:
    return Promo(
        id=row.id,
        brand_id=row.brand_id,
        code=row.code,
        kind=row.kind,
        value=row.value,
        currency=row.currency,
        uses=row.uses,
        active=bool(row.active),
        min_basket=row.min_basket,
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        max_uses_per_customer=row.max_uses_per_customer,
    )


def save_promo(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    spec: PromoSpec,
) -> Promo:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    info = brand_info(conn, brand)
    code = spec.code.upper()
    values = {
        "kind": spec.kind,
        "value": spec.value,
        "currency": info.currency,
        "expires_at": spec.expires_at,
        "max_uses": spec.max_uses,
        "max_uses_per_customer": spec.max_uses_per_customer,
        "min_basket": spec.min_basket,
        "active": int(spec.active),
    }
    where = and_(promos.c.brand_id == brand.id, promos.c.code == code)
    existing = conn.execute(select(promos.c.id).where(where)).scalar()
    if existing is None:
        conn.execute(
            insert(promos).values(
                brand_id=brand.id, code=code, uses=0, created_at=settings(conn).clock(), **values
            )
        )
    else:
        conn.execute(update(promos).where(promos.c.id == existing).values(**values))
    return promo_view(conn.execute(select(promos).where(where)).one())


def list_promos(conn: Connection, user_id: int, handle: str) -> PromoList:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    rows = conn.execute(select(promos).where(promos.c.brand_id == brand.id).order_by(promos.c.id))
    return PromoList(promos=[promo_view(row) for row in rows])


# --------------------------------------------------------------------------- carts


def _entries(conn: Connection, user_id: int, brand_id: int) -> list[tuple[int, int, int | None]]:
    rows = conn.execute(
        select(cart_lines.c.variant_id, cart_lines.c.quantity, cart_lines.c.price_when_added)
        .where(cart_lines.c.user_id == user_id, cart_lines.c.brand_id == brand_id)
        .order_by(cart_lines.c.added_at, cart_lines.c.variant_id)
    )
    return [(row.variant_id, row.quantity, row.price_when_added) for row in rows]


def _cart_row(conn: Connection, user_id: int, brand_id: int) -> Any:
    return conn.execute(
        select(carts).where(carts.c.user_id == user_id, carts.c.brand_id == brand_id)
    ).first()


def cart_view(conn: Connection, user_id: int, info: BrandInfo, now: int | None = None) -> Cart:
    lines = price_lines(conn, _entries(conn, user_id, info.user.id))
    row = _cart_row(conn, user_id, info.user.id)
    subtotal = sum(line.total for line in lines if line.status != "unavailable")
    promo = None
    if row is not None and row.promo_code:
        promo = evaluate_promo(
            conn, info, user_id, row.promo_code, subtotal, now or settings(conn).clock()
        )
    discount = promo.discount if promo else 0
    return Cart(
        brand=info.user,
        currency=info.currency,
        lines=[line.view() for line in lines],
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        items=sum(line.quantity for line in lines),
        updated_at=0 if row is None else row.updated_at,
        promo=None if promo is None else promo.applied,
    )


def get_cart(conn: Connection, user_id: int, handle: str) -> Cart:
    return cart_view(conn, user_id, brand_info(conn, brand_user(conn, handle)))


def list_carts(conn: Connection, user_id: int) -> CartList:
    brand_ids = list(
        conn.execute(
            select(carts.c.brand_id)
            .where(
                carts.c.user_id == user_id,
                select(cart_lines.c.variant_id)
                .where(cart_lines.c.user_id == user_id, cart_lines.c.brand_id == carts.c.brand_id)
                .exists(),
            )
            .order_by(carts.c.updated_at.desc())
        ).scalars()
    )
    people = users_by_id(conn, brand_ids)
    return CartList(
        carts=[cart_view(conn, user_id, brand_info(conn, people[b])) for b in brand_ids]
    )


def touch_cart(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    info: BrandInfo,
    **values: Any,
) -> Cart:
    """Mark the cart changed, tell the owner's sessions, and return it."""
    now = settings(conn).clock()
    if _cart_row(conn, user_id, info.user.id) is None:
        conn.execute(
            insert(carts).values(
                user_id=user_id, brand_id=info.user.id, promo_code=None, updated_at=now
            )
        )
    conn.execute(
        update(carts)
        .where(carts.c.user_id == user_id, carts.c.brand_id == info.user.id)
        .values(updated_at=now, **values)
    )
    cart = cart_view(conn, user_id, info, now)
    append_event(conn, publications, CartEvent(cart=cart), recipients=[user_id], user_id=user_id)
    return cart


def require_variant(conn: Connection, product_id: int, variant_id: int | None) -> int:
    """The variant to buy: the one named, the only one, or ``variant_required``."""
    if variant_id is not None:
        return variant_id
    rows = conn.execute(
        select(variants.c.id, variants.c.sku, variants.c.label)
        .where(variants.c.product_id == product_id, variants.c.active == 1)
        .order_by(variants.c.position, variants.c.id)
    ).all()
    if len(rows) == 1:
        return int(rows[0].id)
    title = conn.execute(select(products.c.title).where(products.c.id == product_id)).scalar()
    if not rows:
        raise ProtocolError(ErrorCode.GONE, f"{title!r} is no longer sold")
    shown = ", ".join(f"{r.label} ({r.sku})" for r in rows[:12])
    more = "" if len(rows) <= 12 else f" and {len(rows) - 12} more"
    raise ProtocolError(
        ErrorCode.VARIANT_REQUIRED, f"{title!r} comes in {shown}{more}: choose one by its SKU"
    )


def check_stock(line: PricedLine, quantity: int) -> None:
    """Refuse ``quantity`` of ``line`` when it cannot be bought now."""
    if not line.buyable:
        raise ProtocolError(ErrorCode.GONE, f"{line.describe()!r} is no longer sold")
    if quantity > limits.MAX_LINE_QUANTITY:
        raise ProtocolError(
            ErrorCode.TOO_LARGE, f"at most {limits.MAX_LINE_QUANTITY} of one item per order"
        )
    if line.available == 0:
        raise ProtocolError(ErrorCode.SOLD_OUT, f"{line.describe()} is sold out")
    if line.available < quantity:
        raise ProtocolError(
            ErrorCode.SOLD_OUT,
            f"only {line.available} left of {line.describe()}; you asked for {quantity}",
        )


def cart_add(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    ref: ProductRef,
    quantity: int,
) -> Cart:
    product_id, variant_id = resolve(conn, user_id, ref)
    variant_id = require_variant(conn, product_id, variant_id)
    [line] = price_lines(conn, [(variant_id, quantity, None)])
    brand_id = _variant_rows(conn, [variant_id])[variant_id].brand_id
    existing = conn.execute(
        select(cart_lines).where(
            cart_lines.c.user_id == user_id, cart_lines.c.variant_id == variant_id
        )
    ).first()
    wanted = quantity + (0 if existing is None else existing.quantity)
    check_stock(line, wanted)
    if existing is None:
        count = conn.execute(
            select(func.count())
            .select_from(cart_lines)
            .where(cart_lines.c.user_id == user_id, cart_lines.c.brand_id == brand_id)
        ).scalar_one()
        if count >= limits.MAX_CART_LINES:
            raise ProtocolError(
                ErrorCode.TOO_LARGE, f"a cart holds at most {limits.MAX_CART_LINES} lines"
            )
        conn.execute(
            insert(cart_lines).values(
                user_id=user_id,
                variant_id=variant_id,
                brand_id=brand_id,
                quantity=wanted,
                price_when_added=line.unit_price,
                added_at=settings(conn).clock(),
            )
        )
    else:
        conn.execute(
            update(cart_lines)
            .where(cart_lines.c.user_id == user_id, cart_lines.c.variant_id == variant_id)
            .values(quantity=wanted)
        )
    return touch_cart(conn, publications, user_id, brand_info(conn, brand_id))


def cart_set_quantity(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    variant_id: int,
    quantity: int,
) -> Cart:
    where = and_(cart_lines.c.user_id == user_id, cart_lines.c.variant_id == variant_id)
    existing = conn.execute(select(cart_lines).where(where)).first()
    if existing is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"variant {variant_id} is not in your cart")
    if quantity == 0:
        conn.execute(delete(cart_lines).where(where))
    else:
        if quantity > existing.quantity:
            [line] = price_lines(conn, [(variant_id, quantity, None)])
            check_stock(line, quantity)
        elif quantity > limits.MAX_LINE_QUANTITY:
            raise ProtocolError(ErrorCode.TOO_LARGE, "too many of one item")
        conn.execute(update(cart_lines).where(where).values(quantity=quantity))
    info = brand_info(conn, existing.brand_id)
    return touch_cart(conn, publications, user_id, info)


def set_cart_promo(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    code: str | None,
) -> Cart:
    info = brand_info(conn, brand_user(conn, handle))
    if code is not None:
        cart = cart_view(conn, user_id, info)
        check = evaluate_promo(conn, info, user_id, code, cart.subtotal, settings(conn).clock())
        if not check.applied.valid:
            raise ProtocolError(ErrorCode.PROMO_INVALID, check.applied.problem)
        code = check.applied.code
    return touch_cart(conn, publications, user_id, info, promo_code=code)


def remove_from_cart(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    info: BrandInfo,
    variant_ids: Sequence[int],
) -> Cart:
    """After a checkout: the bought lines leave the cart, and so does its promo code."""
    conn.execute(
        delete(cart_lines).where(
            cart_lines.c.user_id == user_id, cart_lines.c.variant_id.in_(list(variant_ids))
        )
    )
    return touch_cart(conn, publications, user_id, info, promo_code=None)


def cart_entries(
    conn: Connection, user_id: int, brand_id: int
) -> list[tuple[int, int, int | None]]:
    return _entries(conn, user_id, brand_id)


def cart_promo_code(conn: Connection, user_id: int, brand_id: int) -> str | None:
    row = _cart_row(conn, user_id, brand_id)
    return None if row is None else row.promo_code


# --------------------------------------------------------------------------- addresses


def saved_address(conn: Connection, user_id: int) -> Address | None:
    raw = conn.execute(select(addresses.c.address).where(addresses.c.user_id == user_id)).scalar()
    return None if raw is None else _address_decoder.decode(raw)


def get_address(conn: Connection, user_id: int) -> AddressResult:
    return AddressResult(address=saved_address(conn, user_id))


def save_address(conn: Connection, user_id: int, address: Address) -> None:
    body = msgspec.json.encode(address)
    conn.execute(delete(addresses).where(addresses.c.user_id == user_id))
    conn.execute(
        insert(addresses).values(user_id=user_id, address=body, updated_at=settings(conn).clock())
    )


def set_address(
    conn: Connection, publications: list[Publication], user_id: int, address: Address
) -> AddressResult:
    save_address(conn, user_id, address)
    return AddressResult(address=address)


# --------------------------------------------------------------------------- baskets


def _buy_now_entries(
    conn: Connection, brand_id: int, items: Sequence[tuple[str, int]]
) -> list[tuple[int, int, int | None]]:
    merged: dict[int, int] = {}
    for sku, quantity in items:
        product_id, variant_id = find_by_sku(conn, brand_id, sku)
        variant_id = require_variant(conn, product_id, variant_id)
        merged[variant_id] = merged.get(variant_id, 0) + quantity
    return [(variant_id, quantity, None) for variant_id, quantity in merged.items()]


def build_basket(
    conn: Connection,
    user_id: int,
    handle: str,
    items: Sequence[tuple[str, int]] | None,
    shipping_code: str | None,
    promo_code: str | None,
    address: Address | None,
    now: int,
) -> Basket:
    brand = brand_user(conn, handle)
    if brand.id == user_id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "a brand cannot buy from itself")
    info = brand_info(conn, brand)
    if items is None:
        entries = _entries(conn, user_id, brand.id)
        if promo_code is None:
            promo_code = cart_promo_code(conn, user_id, brand.id)
    else:
        if len(items) > limits.MAX_CART_LINES:
            raise ProtocolError(ErrorCode.TOO_LARGE, f"at most {limits.MAX_CART_LINES} items")
        entries = _buy_now_entries(conn, brand.id, items)
    if not entries:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"your cart at @{brand.handle} is empty")
    lines = price_lines(conn, entries)
    for line in lines:
        if line.quantity > limits.MAX_LINE_QUANTITY:
            raise ProtocolError(
                ErrorCode.TOO_LARGE, f"at most {limits.MAX_LINE_QUANTITY} of one item per order"
            )
    subtotal = sum(line.total for line in lines)
    promo = None
    if promo_code:
        promo = evaluate_promo(conn, info, user_id, promo_code, subtotal, now)
    if shipping_code is None:
        shipping = info.shipping[0]
    else:
        chosen = [s for s in info.shipping if s.code == shipping_code.lower()]
        if not chosen:
            codes = ", ".join(s.code for s in info.shipping)
            raise ProtocolError(
                ErrorCode.BAD_REQUEST,
                f"@{brand.handle} has no shipping option {shipping_code!r} (it has {codes})",
            )
        shipping = chosen[0]
    return Basket(
        brand=info,
        lines=lines,
        from_cart=items is None,
        subtotal=subtotal,
        promo=promo,
        shipping=shipping,
        address=address or saved_address(conn, user_id),
        offer=best_offer(granted_offers(conn, user_id, brand.id, now), lines),
    )


def new_promo_use(conn: Connection, promo_id: int, user_id: int, order_id: int) -> None:
    conn.execute(insert(promo_uses).values(order_id=order_id, promo_id=promo_id, user_id=user_id))


def take_promo(conn: Connection, promo_id: int) -> bool:
    """Count one use of a promo code, unless it is used up (guarded like a debit)."""
    result = conn.execute(
        update(promos)
        .where(
            promos.c.id == promo_id,
            (promos.c.max_uses.is_(None)) | (promos.c.uses < promos.c.max_uses),
        )
        .values(uses=promos.c.uses + 1)
    )
    return result.rowcount == 1


def release_promo(conn: Connection, order_id: int) -> None:
    """A cancelled or refunded order gives its promo use back."""
    row = conn.execute(select(promo_uses).where(promo_uses.c.order_id == order_id)).first()
    if row is None:
        return
    conn.execute(delete(promo_uses).where(promo_uses.c.order_id == order_id))
    conn.execute(update(promos).where(promos.c.id == row.promo_id).values(uses=promos.c.uses - 1))


class CartStore(Store):
    """One cart per customer and brand, the saved address, and the brands' promo codes."""

    __slots__ = ()

    cart = reads(get_cart)
    carts = reads(list_carts)
    add = writes(cart_add)
    set_quantity = writes(cart_set_quantity)
    set_promo = writes(set_cart_promo)
    address = reads(get_address)
    set_address = writes(set_address)
    save_promo = writes(save_promo)
    promos = reads(list_promos)
