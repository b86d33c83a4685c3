"""Invoices: bills a brand sends a customer in their thread, paid with one key, once.

The card shows the invoice's state; paying moves the total from the customer's wallet to the
brand's (a service already rendered: no return window), marks the invoice paid and updates
the card, in one transaction. An invoice past its expiry can no longer be paid (``gone``);
the relay's deadline sweep marks it expired on its card.
"""

from __future__ import annotations

import json

import msgspec
from sqlalchemy import Connection, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.brand_frames import (
    MAX_INVOICE_LINES,
    MAX_REFERENCE_CHARS,
    InvoiceResult,
)
from chatshop.protocol.cards import InvoiceCard, InvoiceLine
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message
from chatshop.protocol.payment_frames import PaymentResult
from chatshop.protocol.text import check_text
from chatshop.protocol.webhook_frames import PaymentNotice
from chatshop_server.events import Publication
from chatshop_server.rules.money import check_amount
from chatshop_server.storage.catalog import brand_user, require_staff
from chatshop_server.storage.common import new_id, require_user, thread_row, users_by_id
from chatshop_server.storage.database import Store, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.ledger import (
    balance_of,
    move,
    notify_wallets,
    short_id,
    transfer_view,
    wallet,
)
from chatshop_server.storage.messages import post_message, update_card
from chatshop_server.storage.outbox import enqueue
from chatshop_server.storage.rows import message_from_row
from chatshop_server.storage.tables import invoices, messages
from chatshop_server.storage.threads import open_direct

_payment_decoder = msgspec.json.Decoder(PaymentResult)
HOUR_MS = 3600 * 1000


def _card(row: object) -> InvoiceCard:
    lines = [InvoiceLine(**line) for line in json.loads(row.lines)]  # type: ignore[attr-defined]
    return InvoiceCard(
        invoice_id=row.id,  # type: ignore[attr-defined]
        brand_id=row.brand_id,  # type: ignore[attr-defined]
        customer_id=row.customer_id,  # type: ignore[attr-defined]
        reference=row.reference,  # type: ignore[attr-defined]
        lines=lines,
        total=row.total,  # type: ignore[attr-defined]
        currency=row.currency,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        expires_at=row.expires_at,  # type: ignore[attr-defined]
        short_id=None if row.transfer_id is None else short_id(row.transfer_id),  # type: ignore[attr-defined]
    )


def send_invoice(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    handle: str,
    customer_handle: str,
    reference: str,
    lines: list[InvoiceLine],
    currency: str,
    expires_in_hours: int,
    max_amount: int,
) -> InvoiceResult:
    """Post an invoice card in the brand's thread with the customer; the same reference
    again answers the first invoice."""
    brand = brand_user(conn, handle)
    require_staff(conn, brand, user_id)
    check_text(reference, field="reference", max_chars=MAX_REFERENCE_CHARS)
    known = conn.execute(
        select(invoices).where(invoices.c.brand_id == brand.id, invoices.c.reference == reference)
    ).first()
    if known is not None:
        row = conn.execute(select(messages).where(messages.c.id == known.message_id)).one()
        return InvoiceResult(message=message_from_row(row), replayed=True)
    if not 1 <= len(lines) <= MAX_INVOICE_LINES:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"an invoice has 1 to {MAX_INVOICE_LINES} lines")
    for line in lines:
        check_text(line.label, field="label", max_chars=120)
        check_amount(line.amount, currency, max_amount)
    total = sum(line.amount for line in lines)
    check_amount(total, currency, max_amount)
    customer = require_user(conn, customer_handle)
    if customer.id == brand.id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "a brand does not bill itself")
    now = settings(conn).clock()
    scratch: list[Publication] = []
    thread = open_direct(conn, scratch, brand.id, customer.handle)
    publications.extend(scratch)
    invoice_id = new_id(
        conn.execute(
            insert(invoices).values(
                brand_id=brand.id,
                customer_id=customer.id,
                thread_id=thread.id,
                message_id=0,
                reference=reference,
                lines=json.dumps([msgspec.to_builtins(line) for line in lines]),
                total=total,
                currency=currency,
                status="open",
                expires_at=now + expires_in_hours * HOUR_MS,
                transfer_id=None,
                created_at=now,
            )
        )
    )
    row = conn.execute(select(invoices).where(invoices.c.id == invoice_id)).one()
    members = [m.id for m in thread.members]
    message = post_message(
        conn, publications, thread_row(conn, thread.id), members, brand.id, "", card=_card(row)
    )
    conn.execute(update(invoices).where(invoices.c.id == invoice_id).values(message_id=message.id))
    return InvoiceResult(message=message)


def pay_invoice(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    invoice_id: int,
    key: str,
    request_hash: str,
) -> PaymentResult:
    """Pay an invoice sent to you (see the module docstring)."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return msgspec.structs.replace(_payment_decoder.decode(prior), replayed=True)
    row = conn.execute(select(invoices).where(invoices.c.id == invoice_id)).first()
    if row is None or row.customer_id != user_id:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no invoice {invoice_id}")
    now = settings(conn).clock()
    if row.status == "open" and row.expires_at <= now:
        _expire(conn, publications, row)
        row = conn.execute(select(invoices).where(invoices.c.id == invoice_id)).one()
    if row.status != "open":
        raise ProtocolError(ErrorCode.GONE, f"invoice {row.reference} is {row.status}")
    transfer_id = move(
        conn,
        debit=wallet(conn, user_id, row.currency),
        credit=wallet(conn, row.brand_id, row.currency),
        amount=row.total,
        currency=row.currency,
        kind="invoice",
        note=row.reference,
        initiator_id=user_id,
        thread_id=row.thread_id,
    )
    conn.execute(
        update(invoices)
        .where(invoices.c.id == invoice_id)
        .values(status="paid", transfer_id=transfer_id)
    )
    paid = conn.execute(select(invoices).where(invoices.c.id == invoice_id)).one()
    message: Message = update_card(conn, publications, paid.message_id, _card(paid))
    notify_wallets(conn, publications, transfer_id, [user_id, row.brand_id])
    notice = PaymentNotice(
        transfer_id=short_id(transfer_id),
        kind="invoice",
        amount=row.total,
        currency=row.currency,
        customer=users_by_id(conn, [user_id])[user_id],
        reference=row.reference,
    )
    enqueue(conn, publications, row.brand_id, "payment", encode(notice), row.thread_id)
    result = PaymentResult(
        transfer=transfer_view(conn, transfer_id, user_id),
        message=message,
        balance=balance_of(conn, wallet(conn, user_id, row.currency)),
    )
    remember(conn, user_id, key, request_hash, encode(result))
    return result


def _expire(conn: Connection, publications: list[Publication], row: object) -> None:
    conn.execute(
        update(invoices).where(invoices.c.id == row.id).values(status="expired")  # type: ignore[attr-defined]
    )
    expired = conn.execute(select(invoices).where(invoices.c.id == row.id)).one()  # type: ignore[attr-defined]
    update_card(conn, publications, expired.message_id, _card(expired))


def expire_invoices(conn: Connection, publications: list[Publication], now: int) -> int:
    """Mark open invoices past their expiry as expired, on their cards too."""
    due = conn.execute(
        select(invoices).where(invoices.c.status == "open", invoices.c.expires_at <= now)
    ).all()
    for row in due:
        _expire(conn, publications, row)
    return len(due)


class InvoiceStore(Store):
    """Invoices sent and paid in brand threads."""

    __slots__ = ()

    send = writes(send_invoice)
    pay = writes(pay_invoice)
    expire_due = writes(expire_invoices)
