"""Brands, their staff, and catalogues: products with variants, search, barcodes, sharing.

A brand is a user of kind ``brand``; its profile row is created on first change, and reads
of a brand without one see the defaults. Staff are person accounts listed in
``brand_staff``; the brand account itself always counts as staff of itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.barcode import normalize as normalize_barcode
from chatshop.protocol.cards import CardVariant, ProductCard
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message, User
from chatshop.protocol.shop_models import (
    BrandProfile,
    ImportReport,
    ImportRowError,
    Product,
    ProductPage,
    ProductResult,
    ShippingOption,
    Variant,
)
from chatshop_server.events import Publication
from chatshop_server.rules.catalog import CleanProduct
from chatshop_server.rules.checkout import BrandInfo
from chatshop_server.storage.common import (
    new_id,
    require_member,
    require_user,
    users_by_id,
)
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.messages import post_message
from chatshop_server.storage.price_history import lowest_prices, record_price
from chatshop_server.storage.rows import now_ms
from chatshop_server.storage.specs import BrandChanges, ProductRef
from chatshop_server.storage.tables import (
    brand_staff,
    brands,
    messages,
    product_tags,
    products,
    users,
    variants,
)

DEFAULT_SHIPPING = [ShippingOption(code="standard", name="Standard", price=0)]
SIMILAR = 5
_message_decoder = msgspec.json.Decoder(Message)
_shipping_decoder = msgspec.json.Decoder(list[ShippingOption])


# --------------------------------------------------------------------------- brands


def brand_user(conn: Connection, handle: str) -> User:
    user = require_user(conn, handle)
    if user.kind != "brand":
        raise ProtocolError(ErrorCode.NOT_FOUND, f"@{user.handle} is not a brand")
    return user


def _brand_user_by_id(conn: Connection, brand_id: int) -> User:
    found = users_by_id(conn, [brand_id]).get(brand_id)
    if found is None or found.kind != "brand":
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no brand {brand_id}")
    return found


def brand_info(conn: Connection, brand: User | int) -> BrandInfo:
    user = brand if isinstance(brand, User) else _brand_user_by_id(conn, brand)
    row = conn.execute(select(brands).where(brands.c.user_id == user.id)).first()
    if row is None:
        currency = settings(conn).default_currency
        return BrandInfo(user, "", False, currency, list(DEFAULT_SHIPPING), True)
    shipping = _shipping_decoder.decode(row.shipping) or list(DEFAULT_SHIPPING)
    return BrandInfo(
        user, row.description, bool(row.verified), row.currency, shipping, bool(row.assistant)
    )


def _ensure_brand_row(conn: Connection, brand_id: int) -> None:
    exists = conn.execute(select(brands.c.user_id).where(brands.c.user_id == brand_id)).first()
    if exists is None:
        conn.execute(
            insert(brands).values(
                user_id=brand_id,
                description="",
                verified=0,
                currency=settings(conn).default_currency,
                shipping=b"[]",
                assistant=1,
                updated_at=now_ms(),
            )
        )


def is_staff(conn: Connection, brand_id: int, user_id: int) -> bool:
    if user_id == brand_id:
        return True
    row = conn.execute(
        select(brand_staff.c.user_id).where(
            brand_staff.c.brand_id == brand_id, brand_staff.c.user_id == user_id
        )
    ).first()
    return row is not None


def require_staff(conn: Connection, brand: User, user_id: int | None) -> None:
    """``user_id`` may act for ``brand`` (None: the relay admin, who always may)."""
    if user_id is not None and not is_staff(conn, brand.id, user_id):
        raise ProtocolError(ErrorCode.FORBIDDEN, f"you are not staff of @{brand.handle}")


def staff_ids(conn: Connection, brand_id: int) -> list[int]:
    """The brand account and its staff: who hears of the brand's orders."""
    listed = conn.execute(
        select(brand_staff.c.user_id)
        .where(brand_staff.c.brand_id == brand_id)
        .order_by(brand_staff.c.added_at, brand_staff.c.user_id)
    ).scalars()
    return [brand_id, *listed]


def brand_profile(conn: Connection, handle: str) -> BrandProfile:
    return _profile(conn, brand_info(conn, brand_user(conn, handle)))


def _profile(conn: Connection, info: BrandInfo) -> BrandProfile:
    ids = staff_ids(conn, info.user.id)[1:]
    people = users_by_id(conn, ids)
    count = conn.execute(
        select(func.count())
        .select_from(products)
        .where(products.c.brand_id == info.user.id, products.c.active == 1)
    ).scalar_one()
    return BrandProfile(
        brand=info.user,
        description=info.description,
        verified=info.verified,
        currency=info.currency,
        shipping=info.shipping,
        staff=[people[i] for i in ids if i in people],
        products=int(count),
        assistant=info.assistant,
    )


def update_brand(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    changes: BrandChanges,
) -> BrandProfile:
    """Change a brand's profile; ``verified`` is for the relay admin (``user_id`` None)."""
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    description, currency, shipping = changes.description, changes.currency, changes.shipping
    assistant, verified = changes.assistant, changes.verified
    if verified is not None and user_id is not None:
        raise ProtocolError(ErrorCode.FORBIDDEN, "only the relay admin verifies brands")
    _ensure_brand_row(conn, brand.id)
    values: dict[str, Any] = {"updated_at": now_ms()}
    if description is not None:
        values["description"] = description
    if currency is not None:
        priced = conn.execute(
            select(products.c.id).where(
                products.c.brand_id == brand.id, products.c.currency != currency
            )
        ).first()
        if priced is not None:
            raise ProtocolError(
                ErrorCode.CONFLICT, "the brand has products priced in another currency"
            )
        values["currency"] = currency
    if shipping is not None:
        values["shipping"] = encode(shipping)
    if assistant is not None:
        values["assistant"] = int(assistant)
    if verified is not None:
        values["verified"] = int(verified)
    conn.execute(update(brands).where(brands.c.user_id == brand.id).values(**values))
    if verified is not None:
        mark_lookalikes(conn, brand.id, verified)
    return brand_profile(conn, handle)


# --------------------------------------------------------------------------- products


def _verified_brands(conn: Connection, brand_ids: Iterable[int]) -> set[int]:
    rows = conn.execute(
        select(brands.c.user_id).where(
            brands.c.user_id.in_(list(brand_ids)), brands.c.verified == 1
        )
    )
    return {row.user_id for row in rows}


def load_products(conn: Connection, ids: Sequence[int]) -> dict[int, Product]:
    """Products by id, with their active variants, brand and verified flag."""
    if not ids:
        return {}
    rows = conn.execute(select(products).where(products.c.id.in_(list(ids)))).all()
    by_product: dict[int, list[Variant]] = {row.id: [] for row in rows}
    for v in conn.execute(
        select(variants)
        .where(variants.c.product_id.in_(list(by_product)), variants.c.active == 1)
        .order_by(variants.c.position, variants.c.id)
    ):
        by_product[v.product_id].append(
            Variant(id=v.id, sku=v.sku, label=v.label, options=json.loads(v.options), stock=v.stock)
        )
    brand_ids = {row.brand_id for row in rows}
    people = users_by_id(conn, brand_ids)
    verified = _verified_brands(conn, brand_ids)
    lows = lowest_prices(conn, {row.id: row.price for row in rows})
    found: dict[int, Product] = {}
    for row in rows:
        found[row.id] = Product(
            id=row.id,
            brand=people[row.brand_id],
            verified=row.brand_id in verified,
            sku=row.sku,
            title=row.title,
            description=row.description,
            tags=json.loads(row.tags),
            price=row.price,
            currency=row.currency,
            variants=by_product[row.id],
            stock=sum(v.stock for v in by_product[row.id]),
            active=bool(row.active),
            updated_at=row.updated_at,
            compare_at=row.compare_at,
            barcode=row.barcode,
            images=json.loads(row.images),
            lowest_30d=lows[row.id],
        )
    return found


def load_product(conn: Connection, product_id: int, *, active_only: bool = False) -> Product:
    product = load_products(conn, [product_id]).get(product_id)
    if product is None or (active_only and not product.active):
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no product {product_id}")
    return product


def _ordered(found: dict[int, Product], ids: Sequence[int]) -> list[Product]:
    return [found[i] for i in ids if i in found]


def catalog(
    conn: Connection,
    viewer_id: int,
    handle: str,
    offset: int,
    limit: int,
    include_inactive: bool,
) -> ProductPage:
    brand = brand_user(conn, handle)
    query = select(products.c.id).where(products.c.brand_id == brand.id)
    if include_inactive:
        require_staff(conn, brand, viewer_id)
    else:
        query = query.where(products.c.active == 1)
    ids = list(
        conn.execute(
            query.order_by(products.c.position, products.c.id).offset(offset).limit(limit + 1)
        ).scalars()
    )
    return ProductPage(
        products=_ordered(load_products(conn, ids[:limit]), ids[:limit]), more=len(ids) > limit
    )


def find_by_sku(conn: Connection, brand_id: int, sku: str) -> tuple[int, int | None]:
    """(product id, variant id or None) of a variant or product SKU of a brand."""
    variant = conn.execute(
        select(variants.c.id, variants.c.product_id).where(
            variants.c.brand_id == brand_id,
            func.lower(variants.c.sku) == sku.lower(),
            variants.c.active == 1,
        )
    ).first()
    if variant is not None:
        return variant.product_id, variant.id
    product_id = conn.execute(
        select(products.c.id).where(
            products.c.brand_id == brand_id, func.lower(products.c.sku) == sku.lower()
        )
    ).scalar()
    if product_id is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no product or variant with SKU {sku!r}")
    return int(product_id), None


def similar(conn: Connection, product: Product, limit: int = SIMILAR) -> list[Product]:
    """Active products sharing the most tags with ``product``, then closest in price."""
    shared: dict[int, int] = {}
    if product.tags:
        for row in conn.execute(
            select(product_tags.c.product_id, func.count().label("n"))
            .join(products, products.c.id == product_tags.c.product_id)
            .where(
                product_tags.c.tag.in_(product.tags),
                product_tags.c.product_id != product.id,
                products.c.active == 1,
                products.c.currency == product.currency,
            )
            .group_by(product_tags.c.product_id)
        ):
            shared[row.product_id] = int(row.n)
    prices = {
        row.id: row.price
        for row in conn.execute(
            select(products.c.id, products.c.price).where(
                products.c.id.in_(list(shared))
                if len(shared) >= limit
                else and_(
                    products.c.active == 1,
                    products.c.currency == product.currency,
                    products.c.id != product.id,
                )
            )
        )
    }
    ranked = sorted(
        prices, key=lambda pid: (-shared.get(pid, 0), abs(prices[pid] - product.price), pid)
    )[:limit]
    return _ordered(load_products(conn, ranked), ranked)


def product_result(conn: Connection, product_id: int) -> ProductResult:
    product = load_product(conn, product_id)
    return ProductResult(product=product, similar=similar(conn, product))


def get_product(
    conn: Connection, viewer_id: int, product_id: int | None, handle: str | None, sku: str | None
) -> ProductResult:
    if product_id is None:
        if handle is None or sku is None:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "give product_id, or brand and sku")
        product_id, _ = find_by_sku(conn, brand_user(conn, handle).id, sku)
    result = product_result(conn, product_id)
    if not result.product.active and not is_staff(conn, result.product.brand.id, viewer_id):
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no product {product_id}")
    return result


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(conn: Connection, text: str, handle: str | None, offset: int, limit: int) -> ProductPage:
    words = text.lower().split()[:8]
    if not words:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "search for at least one word")
    query = select(products.c.id).where(products.c.active == 1)
    if handle is not None:
        query = query.where(products.c.brand_id == brand_user(conn, handle).id)
    for word in words:
        query = query.where(products.c.search_text.like(_like(word), escape="\\"))
    ids = list(
        conn.execute(
            query.order_by(products.c.title, products.c.id).offset(offset).limit(limit + 1)
        ).scalars()
    )
    page = ids[:limit]
    return ProductPage(products=_ordered(load_products(conn, page), page), more=len(ids) > limit)


def scan(conn: Connection, code: str) -> ProductResult:
    barcode = normalize_barcode(code)
    product_id = conn.execute(
        select(products.c.id)
        .where(products.c.barcode == barcode)
        .order_by(products.c.active.desc(), products.c.id)
    ).scalar()
    if product_id is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no product with barcode {barcode}")
    return product_result(conn, int(product_id))


# --------------------------------------------------------------------------- saving


def _sku_owners(conn: Connection, brand_id: int, skus: Sequence[str]) -> dict[str, int]:
    """Which product already holds each of ``skus`` (as product or variant SKU)."""
    lowered = [s.lower() for s in skus]
    owners: dict[str, int] = {}
    for row in conn.execute(
        select(variants.c.sku, variants.c.product_id).where(
            variants.c.brand_id == brand_id, func.lower(variants.c.sku).in_(lowered)
        )
    ):
        owners[row.sku.lower()] = row.product_id
    for row in conn.execute(
        select(products.c.sku, products.c.id).where(
            products.c.brand_id == brand_id, func.lower(products.c.sku).in_(lowered)
        )
    ):
        owners[row.sku.lower()] = row.id
    return owners


def _conflicts(conn: Connection, brand_id: int, product: CleanProduct) -> list[ImportRowError]:
    """SKUs of ``product`` that another product of the brand already uses."""
    mine = conn.execute(
        select(products.c.id).where(
            products.c.brand_id == brand_id, func.lower(products.c.sku) == product.sku.lower()
        )
    ).scalar()
    errors = []
    owners = _sku_owners(conn, brand_id, product.skus)
    rows = {product.sku.lower(): product.row} | {v.sku.lower(): v.row for v in product.variants}
    for sku in product.skus:
        owner = owners.get(sku.lower())
        if owner is not None and owner != mine:
            errors.append(
                ImportRowError(
                    row=rows.get(sku.lower(), product.row) or product.row,
                    field="sku",
                    message=f"SKU {sku!r} already belongs to another product (id {owner})",
                )
            )
    return errors


def _store_product(
    conn: Connection, publications: list[Publication], brand_id: int, product: CleanProduct
) -> tuple[int, bool]:
    """Insert or replace ``product``; (its id, whether it was created). A new price goes into
    the price history, and the people watching the product hear of the change that meets
    their watch, in this transaction."""
    # alerts builds its cards with this module's product_card: imported here, not above.
    from chatshop_server.storage.alerts import before_change, tell_watchers

    now = now_ms()
    values = {
        "title": product.title,
        "description": product.description,
        "tags": json.dumps(product.tags),
        "search_text": product.search_text,
        "price": product.price,
        "compare_at": product.compare_at,
        "currency": product.currency,
        "barcode": product.barcode,
        "images": json.dumps(product.images),
        "active": int(product.active),
        "updated_at": now,
    }
    existing_row = conn.execute(
        select(products.c.id, products.c.price).where(
            products.c.brand_id == brand_id, func.lower(products.c.sku) == product.sku.lower()
        )
    ).first()
    existing = None if existing_row is None else existing_row.id
    watched = {} if existing is None else before_change(conn, [int(existing)])
    if existing is None:
        position = conn.execute(
            select(func.coalesce(func.max(products.c.position), 0)).where(
                products.c.brand_id == brand_id
            )
        ).scalar_one()
        product_id = new_id(
            conn.execute(
                insert(products).values(
                    brand_id=brand_id,
                    sku=product.sku,
                    position=int(position) + 1,
                    created_at=now,
                    **values,
                )
            )
        )
        created = True
    else:
        product_id = int(existing)
        conn.execute(update(products).where(products.c.id == product_id).values(**values))
        created = False
    conn.execute(delete(product_tags).where(product_tags.c.product_id == product_id))
    if product.tags:
        conn.execute(
            insert(product_tags), [{"product_id": product_id, "tag": t} for t in product.tags]
        )
    current = {
        row.sku.lower(): row.id
        for row in conn.execute(
            select(variants.c.id, variants.c.sku).where(variants.c.product_id == product_id)
        )
    }
    kept: set[int] = set()
    for position, variant in enumerate(product.variants, start=1):
        fields = {
            "sku": variant.sku,
            "label": variant.label,
            "options": json.dumps(variant.options),
            "stock": variant.stock,
            "position": position,
            "active": 1,
        }
        variant_id = current.get(variant.sku.lower())
        if variant_id is None:
            variant_id = new_id(
                conn.execute(
                    insert(variants).values(product_id=product_id, brand_id=brand_id, **fields)
                )
            )
        else:
            conn.execute(update(variants).where(variants.c.id == variant_id).values(**fields))
        kept.add(variant_id)
    withdrawn = [v for v in current.values() if v not in kept]
    if withdrawn:
        conn.execute(update(variants).where(variants.c.id.in_(withdrawn)).values(active=0))
    if existing_row is None or existing_row.price != product.price:
        record_price(conn, product_id, product.price)
    tell_watchers(conn, publications, watched)
    return product_id, created


def _brand_for_write(conn: Connection, user_id: int | None, handle: str) -> BrandInfo:
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    _ensure_brand_row(conn, brand.id)
    return brand_info(conn, brand)


def save_product(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    product: CleanProduct,
) -> ProductResult:
    info = _brand_for_write(conn, user_id, handle)
    _check_currency(info, product)
    conflicts = _conflicts(conn, info.user.id, product)
    if conflicts:
        raise ProtocolError(ErrorCode.CONFLICT, conflicts[0].message)
    product_id, _ = _store_product(conn, publications, info.user.id, product)
    return product_result(conn, product_id)


def _check_currency(info: BrandInfo, product: CleanProduct) -> None:
    if product.currency != info.currency:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"@{info.user.handle} sells in {info.currency}; this product is in {product.currency}",
        )


def import_products(
    conn: Connection,
    publications: list[Publication],
    user_id: int | None,
    handle: str,
    items: Sequence[CleanProduct],
    prior_errors: Sequence[ImportRowError],
    dry_run: bool,
) -> ImportReport:
    """Store every product, or none when any row is wrong (reporting every wrong row)."""
    info = _brand_for_write(conn, user_id, handle)
    errors = list(prior_errors)
    seen: dict[str, int] = {}
    for product in items:
        if product.currency != info.currency:
            errors.append(
                ImportRowError(
                    row=product.row,
                    field="currency",
                    message=f"@{info.user.handle} sells in {info.currency}",
                )
            )
        rows = {product.sku.lower(): product.row} | {v.sku.lower(): v.row for v in product.variants}
        for sku in product.skus:
            row = rows.get(sku.lower(), product.row) or product.row
            if sku.lower() in seen:
                errors.append(
                    ImportRowError(
                        row=row,
                        field="sku",
                        message=f"SKU {sku!r} also appears in row {seen[sku.lower()]}",
                    )
                )
            else:
                seen[sku.lower()] = row
        errors.extend(_conflicts(conn, info.user.id, product))
    if errors:
        errors.sort(key=lambda e: (e.row, e.field))
        return ImportReport(imported=False, errors=errors)
    if dry_run:
        return ImportReport(imported=False, staged=len(items))
    created = updated = 0
    for product in items:
        _, was_created = _store_product(conn, publications, info.user.id, product)
        created += was_created
        updated += not was_created
    return ImportReport(imported=True, created=created, updated=updated)


def archive_product(
    conn: Connection, publications: list[Publication], user_id: int, product_id: int, active: bool
) -> ProductResult:
    from chatshop_server.storage.alerts import before_change, tell_watchers  # see above

    product = load_product(conn, product_id)
    require_staff(conn, product.brand, user_id)
    watched = before_change(conn, [product_id])
    conn.execute(
        update(products)
        .where(products.c.id == product_id)
        .values(active=int(active), updated_at=now_ms())
    )
    tell_watchers(conn, publications, watched)
    return product_result(conn, product_id)


# --------------------------------------------------------------------------- cards


def product_card(product: Product, *, from_brand: bool) -> ProductCard:
    return ProductCard(
        product_id=product.id,
        brand_id=product.brand.id,
        brand_handle=product.brand.handle,
        sku=product.sku,
        title=product.title,
        price=product.price,
        currency=product.currency,
        compare_at=product.compare_at,
        image=product.images[0] if product.images else None,
        variants=[CardVariant(sku=v.sku, label=v.label, stock=v.stock) for v in product.variants],
        stock=product.stock,
        verified=product.verified,
        from_brand=from_brand,
        lowest_30d=product.lowest_30d,
    )


def product_of_message(conn: Connection, user_id: int, message_id: int) -> int:
    """The product of the card in message ``message_id``, which ``user_id`` can see."""
    row = conn.execute(select(messages).where(messages.c.id == message_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {message_id}")
    try:
        require_member(conn, user_id, row.thread_id)
    except ProtocolError:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no message {message_id}") from None
    card = None if row.card is None or row.deleted_at is not None else msgspec.json.decode(row.card)
    if isinstance(card, dict) and card.get("kind") in ("alert", "promotion"):
        card = card.get("product")  # an alert or a promoted post carries the product's card
    if not isinstance(card, dict) or card.get("kind") != "product":
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"message {message_id} holds no product card")
    product_id = card.get("product_id")
    assert isinstance(product_id, int)
    return product_id


def resolve(conn: Connection, user_id: int, ref: ProductRef) -> tuple[int, int | None]:
    """(product id, variant id named by the SKU or None)."""
    if ref.message_id is not None:
        product_id = product_of_message(conn, user_id, ref.message_id)
    elif ref.product_id is not None:
        product_id = ref.product_id
    elif ref.brand is not None and ref.sku is not None:
        return find_by_sku(conn, brand_user(conn, ref.brand).id, ref.sku)
    else:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, "name the product: message_id, product_id, or brand and sku"
        )
    if ref.sku is None:
        return product_id, None
    row = conn.execute(
        select(variants.c.id).where(
            variants.c.product_id == product_id,
            func.lower(variants.c.sku) == ref.sku.lower(),
            variants.c.active == 1,
        )
    ).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"product {product_id} has no variant {ref.sku!r}")
    return product_id, int(row.id)


def share_product(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    thread_id: int,
    ref: ProductRef,
    text: str,
    key: str,
    request_hash: str,
) -> Message:
    """Post a product card (with an optional comment) in a thread ``user_id`` belongs to."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _message_decoder.decode(prior)
    product_id, _ = resolve(conn, user_id, ref)
    thread, members = require_member(conn, user_id, thread_id)
    product = load_product(conn, product_id)
    if not product.active:
        raise ProtocolError(ErrorCode.GONE, f"{product.title!r} is no longer sold")
    card = product_card(product, from_brand=is_staff(conn, product.brand.id, user_id))
    message = post_message(conn, publications, thread, members, user_id, text, card=card)
    remember(conn, user_id, key, request_hash, encode(message))
    return message


def mark_lookalikes(conn: Connection, brand_id: int, verified: bool) -> None:
    """A brand was verified (or lost it): the accounts whose names look like its name are
    marked ``lookalike`` (or no longer are, unless another verified brand's name is alike)."""
    conn.execute(update(users).where(users.c.id == brand_id).values(verified=int(verified)))
    verified_names = select(users.c.name_skeleton).where(users.c.verified == 1)
    conn.execute(
        update(users)
        .where(users.c.verified == 0)
        .values(lookalike=users.c.name_skeleton.in_(verified_names.scalar_subquery()))
    )


def brand_currency(conn: Connection, handle: str) -> str:
    """The currency a brand sells in."""
    return brand_info(conn, brand_user(conn, handle)).currency


def check_staff(conn: Connection, user_id: int, handle: str) -> None:
    """``forbidden`` unless ``user_id`` is staff of brand ``handle``."""
    require_staff(conn, brand_user(conn, handle), user_id)


def is_staff_anywhere(conn: Connection, user_id: int) -> bool:
    row = conn.execute(
        select(brand_staff.c.brand_id).where(brand_staff.c.user_id == user_id)
    ).first()
    return row is not None


class BrandStore(Store):
    """Brand profiles and their staff."""

    __slots__ = ()

    profile = reads(brand_profile)
    update = writes(update_brand)
    currency = reads(brand_currency)
    require_staff = reads(check_staff)
    is_staff_anywhere = reads(is_staff_anywhere)


class CatalogStore(Store):
    """Products and their variants: browsing, search, scan, editing, import, sharing."""

    __slots__ = ()

    catalog = reads(catalog)
    product = reads(get_product)
    search = reads(search)
    scan = reads(scan)
    save_product = writes(save_product)
    archive_product = writes(archive_product)
    import_products = writes(import_products)
    share_product = writes(share_product)
