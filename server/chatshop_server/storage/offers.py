"""Offers a brand granted to people: found for their checkout, counted when used."""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection, delete, func, insert, select

from chatshop.protocol import encode
from chatshop.protocol.brand_frames import MAX_POST_CHARS, OfferSpec
from chatshop.protocol.cards import OfferCard, OfferView
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message
from chatshop.protocol.money import format_money
from chatshop.protocol.text import check_text
from chatshop_server.events import Publication
from chatshop_server.rules.checkout import OfferRule
from chatshop_server.rules.money import DAY_MS
from chatshop_server.storage.alerts import tell_offer
from chatshop_server.storage.catalog import (
    brand_info,
    brand_user,
    find_by_sku,
    load_product,
    require_staff,
)
from chatshop_server.storage.common import new_id, require_user, thread_row
from chatshop_server.storage.database import Store, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.messages import post_message
from chatshop_server.storage.tables import offer_grants, offer_uses, offers, variants
from chatshop_server.storage.threads import open_direct

_message_decoder = msgspec.json.Decoder(Message)


def offer_view(row: object) -> OfferView:
    """How an offer row is shown (``row`` has the offers columns and a variant ``sku``)."""
    return OfferView(
        offer_id=row.id,  # type: ignore[attr-defined]
        label=row.label,  # type: ignore[attr-defined]
        kind=row.kind,  # type: ignore[attr-defined]
        value=row.value,  # type: ignore[attr-defined]
        currency=row.currency,  # type: ignore[attr-defined]
        expires_at=row.expires_at,  # type: ignore[attr-defined]
        product_id=row.product_id,  # type: ignore[attr-defined]
        sku=row.sku,  # type: ignore[attr-defined]
    )


def granted_offers(conn: Connection, user_id: int, brand_id: int, now: int) -> list[OfferRule]:
    """The offers of ``brand_id`` granted to ``user_id`` that still apply now: not expired,
    and not used up by this customer."""
    used = (
        select(func.count())
        .select_from(offer_uses)
        .where(offer_uses.c.offer_id == offers.c.id, offer_uses.c.user_id == user_id)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(offers, variants.c.sku)
        .outerjoin(variants, variants.c.id == offers.c.variant_id)
        .join(offer_grants, offer_grants.c.offer_id == offers.c.id)
        .where(
            offer_grants.c.user_id == user_id,
            offers.c.brand_id == brand_id,
            offers.c.expires_at > now,
            used < offers.c.max_uses_per_customer,
        )
        .order_by(offers.c.id)
    ).all()
    return [
        OfferRule(
            offer_id=row.id,
            kind=row.kind,
            value=row.value,
            product_id=row.product_id,
            variant_id=row.variant_id,
            view=offer_view(row),
        )
        for row in rows
    ]


def _offer_label(spec: OfferSpec, currency: str, title: str | None) -> str:
    off = (
        f"{spec.value} % off"
        if spec.kind == "percent"
        else (f"{format_money(spec.value, currency)} off")
    )
    return f"{off} {title}" if title else f"{off} everything"


def create_offer(
    conn: Connection, brand_id: int, currency: str, spec: OfferSpec, now: int
) -> OfferView:
    """Store a new offer of ``brand_id`` (granted to nobody yet)."""
    if spec.kind == "percent" and not 1 <= spec.value <= 90:
        raise ProtocolError(ErrorCode.INVALID_AMOUNT, "a percent offer takes 1 to 90 % off")
    if spec.kind == "fixed" and spec.value <= 0:
        raise ProtocolError(ErrorCode.INVALID_AMOUNT, "a fixed offer takes a positive amount off")
    product_id = variant_id = None
    title = None
    if spec.sku or spec.product_sku:
        product_id, variant_id = find_by_sku(conn, brand_id, spec.sku or spec.product_sku or "")
        product = load_product(conn, product_id)
        title = product.title
        if spec.product_sku and not spec.sku:
            variant_id = None
    label = (
        check_text(spec.label, field="label", max_chars=120)
        if spec.label
        else _offer_label(spec, currency, title)
    )
    offer_id = new_id(
        conn.execute(
            insert(offers).values(
                brand_id=brand_id,
                kind=spec.kind,
                value=spec.value,
                currency=currency,
                product_id=product_id,
                variant_id=variant_id,
                label=label,
                expires_at=now + spec.days * DAY_MS,
                max_uses_per_customer=spec.per_customer,
                created_at=now,
            )
        )
    )
    row = conn.execute(
        select(offers, variants.c.sku)
        .outerjoin(variants, variants.c.id == offers.c.variant_id)
        .where(offers.c.id == offer_id)
    ).one()
    return offer_view(row)


def send_offer(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    customer_handle: str,
    spec: OfferSpec,
    text: str,
    key: str,
    request_hash: str,
) -> Message:
    """Staff (or the bot) give one customer an offer, as an ``offer`` card in the brand's
    thread with them; a retried key answers the first card."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _message_decoder.decode(prior)
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    customer = require_user(conn, customer_handle)
    if customer.id == brand.id or customer.kind != "person":
        raise ProtocolError(ErrorCode.BAD_REQUEST, "offers go to people")
    if text:
        check_text(text, field="text", max_chars=MAX_POST_CHARS)
    now = settings(conn).clock()
    info = brand_info(conn, brand)
    view = create_offer(conn, brand.id, info.currency, spec, now)
    scratch: list[Publication] = []
    thread = open_direct(conn, scratch, brand.id, customer.handle)
    publications.extend(scratch)
    card = OfferCard(brand_id=brand.id, brand_handle=brand.handle, offer=view, text=text)
    members = [m.id for m in thread.members]
    message = post_message(
        conn, publications, thread_row(conn, thread.id), members, brand.id, text, card=card
    )
    conn.execute(
        insert(offer_grants).values(
            offer_id=view.offer_id, user_id=customer.id, message_id=message.id, created_at=now
        )
    )
    tell_offer(conn, publications, customer.id, brand.id, view)
    remember(conn, user_id, key, request_hash, encode(message))
    return message


def use_offer(conn: Connection, offer_id: int, user_id: int, order_id: int) -> None:
    conn.execute(insert(offer_uses).values(order_id=order_id, offer_id=offer_id, user_id=user_id))


def release_offer(conn: Connection, order_id: int) -> None:
    """A cancelled or refunded order gives its use of the offer back."""
    conn.execute(delete(offer_uses).where(offer_uses.c.order_id == order_id))


class OfferStore(Store):
    """Offers brands send people one by one."""

    __slots__ = ()

    send = writes(send_offer)
