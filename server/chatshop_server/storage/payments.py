"""In-chat money: top-ups, payments, requests, bill splits and red packets.

Each operation runs inside one writer savepoint: the balance checks, the ledger transfer,
the card message, the events and the idempotency record commit together or not at all.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
from sqlalchemy import Connection, insert, select, update

from chatshop.protocol import encode
from chatshop.protocol.cards import (
    LuckyMoneyCard,
    PacketClaim,
    PaymentCard,
    RequestCard,
    RequestStatus,
    SplitCard,
    SplitShare,
)
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import Message, User
from chatshop.protocol.payment_frames import (
    Balance,
    CardResult,
    ClaimResult,
    PaymentResult,
    TransferKind,
)
from chatshop_server.events import Publication
from chatshop_server.rules.money import DAY_MS, check_topup, draw_allocations, equal_shares
from chatshop_server.storage.common import (
    is_blocked_between,
    new_id,
    require_member,
    require_user,
)
from chatshop_server.storage.database import Store, reads, settings, writes
from chatshop_server.storage.idempotency import recall, remember
from chatshop_server.storage.ledger import (
    SIMULATED_CARD,
    SYSTEM,
    account,
    balance_of,
    funding_account,
    move,
    notify_wallets,
    short_id,
    topped_up_since,
    transfer_view,
    wallet,
)
from chatshop_server.storage.messages import post_message, update_card
from chatshop_server.storage.rows import message_from_row, now_ms
from chatshop_server.storage.specs import MoneyRequest
from chatshop_server.storage.tables import lucky_claims, lucky_packets, messages, payment_requests

_payment_decoder = msgspec.json.Decoder(PaymentResult)
_card_result_decoder = msgspec.json.Decoder(CardResult)


def _member(conn: Connection, handle: str, members: list[int], thread_id: int) -> User:
    user = require_user(conn, handle)
    if user.id not in members:
        raise ProtocolError(
            ErrorCode.NOT_FOUND, f"@{user.handle} is not a member of thread {thread_id}"
        )
    return user


def _settled(
    conn: Connection,
    user_id: int,
    key: str,
    request_hash: str,
    transfer_id: int,
    message: Message | None,
) -> PaymentResult:
    """The answer to a money movement, remembered under its idempotency key."""
    transfer = transfer_view(conn, transfer_id, user_id)
    result = PaymentResult(
        transfer=transfer,
        message=message,
        balance=balance_of(conn, wallet(conn, user_id, transfer.currency)),
    )
    remember(conn, user_id, key, request_hash, encode(result))
    return result


def _replayed_payment(raw: bytes) -> PaymentResult:
    return msgspec.structs.replace(_payment_decoder.decode(raw), replayed=True)


def _replayed_card(raw: bytes) -> CardResult:
    return msgspec.structs.replace(_card_result_decoder.decode(raw), replayed=True)


# --------------------------------------------------------------------------- top-up


def topup(
    conn: Connection,
    publications: list[Publication],
    spec: MoneyRequest,
    daily_limit: int | None = None,
) -> PaymentResult:
    """Money in from the demo's simulated card (already charged by the time this runs);
    ``daily_limit`` caps what one account takes from it per 24 hours."""
    prior = recall(conn, spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return _replayed_payment(prior)
    spec.check()
    if daily_limit is not None:
        now = settings(conn).clock()
        check_topup(
            spec.amount,
            spec.currency,
            topped_up=topped_up_since(conn, spec.user_id, spec.currency, now - DAY_MS),
            per_topup=spec.max_amount,
            per_day=daily_limit,
        )
    transfer_id = move(
        conn,
        debit=funding_account(conn, SIMULATED_CARD, spec.currency),
        credit=wallet(conn, spec.user_id, spec.currency),
        amount=spec.amount,
        currency=spec.currency,
        kind="topup",
        note=spec.note,
        initiator_id=spec.user_id,
    )
    notify_wallets(conn, publications, transfer_id, [spec.user_id])
    return _settled(conn, spec.user_id, spec.key, spec.request_hash, transfer_id, None)


def credit(
    conn: Connection,
    publications: list[Publication],
    handle: str,
    amount: int,
    currency: str,
    source: str,
    note: str,
) -> PaymentResult:
    """Relay admin: money enters ``handle``'s wallet from the named funding source."""
    user = require_user(conn, handle)
    if not source or len(source) > 40:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "name the funding source (1 to 40 characters)")
    transfer_id = move(
        conn,
        debit=funding_account(conn, source, currency),
        credit=wallet(conn, user.id, currency),
        amount=amount,
        currency=currency,
        kind="credit",
        note=note or source,
        initiator_id=SYSTEM,
    )
    notify_wallets(conn, publications, transfer_id, [user.id])
    transfer = transfer_view(conn, transfer_id, user.id)
    balance = balance_of(conn, wallet(conn, user.id, currency))
    return PaymentResult(transfer=transfer, message=None, balance=balance)


# --------------------------------------------------------------------------- pay


def _pay_between(
    conn: Connection,
    publications: list[Publication],
    *,
    payer: int,
    payee: int,
    amount: int,
    currency: str,
    kind: TransferKind,
    note: str,
    thread_id: int,
) -> int:
    if payer == payee:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "you cannot pay yourself")
    if is_blocked_between(conn, payer, payee):
        raise ProtocolError(ErrorCode.BLOCKED, "payments between you two are blocked")
    transfer_id = move(
        conn,
        debit=wallet(conn, payer, currency),
        credit=wallet(conn, payee, currency),
        amount=amount,
        currency=currency,
        kind=kind,
        note=note,
        initiator_id=payer,
        thread_id=thread_id,
    )
    notify_wallets(conn, publications, transfer_id, [payer, payee])
    return transfer_id


def pay(
    conn: Connection,
    publications: list[Publication],
    spec: MoneyRequest,
    thread_id: int,
    to_handle: str,
) -> PaymentResult:
    """Pay a member of the thread and post a payment card there."""
    prior = recall(conn, spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return _replayed_payment(prior)
    spec.check()
    thread, members = require_member(conn, spec.user_id, thread_id)
    payee = _member(conn, to_handle, members, thread_id)
    transfer_id = _pay_between(
        conn,
        publications,
        payer=spec.user_id,
        payee=payee.id,
        amount=spec.amount,
        currency=spec.currency,
        kind="payment",
        note=spec.note,
        thread_id=thread_id,
    )
    card = PaymentCard(
        transfer_id=transfer_id,
        short_id=short_id(transfer_id),
        amount=spec.amount,
        currency=spec.currency,
        from_id=spec.user_id,
        to_id=payee.id,
        note=spec.note,
    )
    message = post_message(conn, publications, thread, members, spec.user_id, "", card=card)
    return _settled(conn, spec.user_id, spec.key, spec.request_hash, transfer_id, message)


# --------------------------------------------------------------------------- requests


def request_money(
    conn: Connection,
    publications: list[Publication],
    spec: MoneyRequest,
    thread_id: int,
    payer_handle: str,
) -> CardResult:
    """Ask a member for money: a request card they can pay or decline."""
    prior = recall(conn, spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return _replayed_card(prior)
    spec.check()
    thread, members = require_member(conn, spec.user_id, thread_id)
    payer = _member(conn, payer_handle, members, thread_id)
    if payer.id == spec.user_id:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "you cannot ask yourself for money")
    if is_blocked_between(conn, payer.id, spec.user_id):
        raise ProtocolError(ErrorCode.BLOCKED, "payments between you two are blocked")
    request_id = _insert_request(conn, thread_id, spec.user_id, payer.id, spec, split_id=None)
    card = _request_card(conn, request_id)
    message = post_message(conn, publications, thread, members, spec.user_id, "", card=card)
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id == request_id)
        .values(message_id=message.id)
    )
    result = CardResult(message=message)
    remember(conn, spec.user_id, spec.key, spec.request_hash, encode(result))
    return result


def _insert_request(
    conn: Connection,
    thread_id: int,
    requester: int,
    payer: int,
    spec: MoneyRequest,
    *,
    split_id: int | None,
    amount: int | None = None,
    message_id: int = 0,
) -> int:
    result = conn.execute(
        insert(payment_requests).values(
            thread_id=thread_id,
            message_id=message_id,
            requester_id=requester,
            payer_id=payer,
            amount=spec.amount if amount is None else amount,
            currency=spec.currency,
            note=spec.note,
            status="open",
            split_id=split_id,
            created_at=now_ms(),
        )
    )
    return new_id(result)


def _request_row(conn: Connection, request_id: int) -> Any:
    row = conn.execute(select(payment_requests).where(payment_requests.c.id == request_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no payment request {request_id}")
    return row


def _request_card(conn: Connection, request_id: int) -> RequestCard:
    row = _request_row(conn, request_id)
    return RequestCard(
        request_id=row.id,
        amount=row.amount,
        currency=row.currency,
        requester_id=row.requester_id,
        payer_id=row.payer_id,
        status=row.status,
        note=row.note,
        transfer_id=row.transfer_id,
        short_id=None if row.transfer_id is None else short_id(row.transfer_id),
    )


def _split_card(conn: Connection, message_id: int) -> SplitCard:
    """The split card with its shares' current statuses (the card JSON holds the rest)."""
    row = conn.execute(select(messages.c.card).where(messages.c.id == message_id)).one()
    card = msgspec.json.decode(row.card, type=SplitCard)
    statuses = {
        r.id: r.status
        for r in conn.execute(
            select(payment_requests.c.id, payment_requests.c.status).where(
                payment_requests.c.split_id == card.split_id
            )
        )
    }
    shares = [
        msgspec.structs.replace(share, status=statuses.get(share.request_id, share.status))
        for share in card.shares
    ]
    return msgspec.structs.replace(card, shares=shares)


def _refresh_request_card(conn: Connection, publications: list[Publication], row: Any) -> Message:
    if row.split_id is not None:
        return update_card(conn, publications, row.message_id, _split_card(conn, row.message_id))
    return update_card(conn, publications, row.message_id, _request_card(conn, row.id))


def pay_request(
    conn: Connection,
    publications: list[Publication],
    user_id: int,
    request_id: int,
    key: str,
    request_hash: str,
) -> PaymentResult:
    """Pay a request (or split share) addressed to you; every member sees the card update."""
    prior = recall(conn, user_id, key, request_hash)
    if prior is not None:
        return _replayed_payment(prior)
    row = _request_row(conn, request_id)
    require_member(conn, user_id, row.thread_id)
    if row.payer_id != user_id:
        raise ProtocolError(ErrorCode.FORBIDDEN, "this request is addressed to someone else")
    if row.status != "open":
        raise ProtocolError(ErrorCode.GONE, f"this request is already {row.status}")
    transfer_id = _pay_between(
        conn,
        publications,
        payer=user_id,
        payee=row.requester_id,
        amount=row.amount,
        currency=row.currency,
        kind="split" if row.split_id is not None else "request",
        note=row.note,
        thread_id=row.thread_id,
    )
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id == request_id)
        .values(status="paid", transfer_id=transfer_id)
    )
    message = _refresh_request_card(conn, publications, _request_row(conn, request_id))
    return _settled(conn, user_id, key, request_hash, transfer_id, message)


def decline_request(
    conn: Connection, publications: list[Publication], user_id: int, request_id: int
) -> CardResult:
    """The payer declines, or the requester cancels, an open request."""
    row = _request_row(conn, request_id)
    require_member(conn, user_id, row.thread_id)
    new_status: RequestStatus
    if user_id == row.payer_id:
        new_status = "declined"
    elif user_id == row.requester_id:
        new_status = "cancelled"
    else:
        raise ProtocolError(ErrorCode.FORBIDDEN, "only the payer or the requester may do that")
    if row.status != "open":
        raise ProtocolError(ErrorCode.GONE, f"this request is already {row.status}")
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id == request_id)
        .values(status=new_status)
    )
    message = _refresh_request_card(conn, publications, _request_row(conn, request_id))
    return CardResult(message=message)


# --------------------------------------------------------------------------- splits


def split(
    conn: Connection,
    publications: list[Publication],
    spec: MoneyRequest,
    thread_id: int,
    shares: list[tuple[str, int]] | None,
    include_self: bool,
) -> CardResult:
    """Split a bill in a group: one payment request per member's share, one split card."""
    prior = recall(conn, spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return _replayed_card(prior)
    spec.check()
    thread, members = require_member(conn, spec.user_id, thread_id)
    if thread.kind != "group":
        raise ProtocolError(ErrorCode.BAD_REQUEST, "bills are split in groups")
    others = [m for m in members if m != spec.user_id]
    owed: list[tuple[int, int]]  # (user id, amount)
    if shares is None:
        people = [spec.user_id, *others] if include_self else others
        if not people:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "nobody to split with")
        if spec.amount < len(people):
            raise ProtocolError(
                ErrorCode.INVALID_AMOUNT, "each share must be at least one minor unit"
            )
        parts = equal_shares(spec.amount, len(people))
        owed = list(zip(people, parts, strict=True))
    else:
        owed = []
        for handle, amount in shares:
            if not include_self and require_user(conn, handle).id == spec.user_id:
                raise ProtocolError(
                    ErrorCode.BAD_REQUEST, "you listed yourself but asked to be left out"
                )
            user = _member(conn, handle, members, thread_id)
            if amount <= 0:
                raise ProtocolError(ErrorCode.INVALID_AMOUNT, "each share must be positive")
            if any(uid == user.id for uid, _ in owed):
                raise ProtocolError(ErrorCode.BAD_REQUEST, f"@{user.handle} is listed twice")
            owed.append((user.id, amount))
        listed = sum(amount for _, amount in owed)
        own = [amount for uid, amount in owed if uid == spec.user_id]
        if listed > spec.amount:
            raise ProtocolError(
                ErrorCode.INVALID_AMOUNT, "the shares add up to more than the total"
            )
        if listed < spec.amount:
            if not include_self or own:
                raise ProtocolError(ErrorCode.INVALID_AMOUNT, "the shares must add up to the total")
            owed.append((spec.user_id, spec.amount - listed))
    creator_share = sum(amount for uid, amount in owed if uid == spec.user_id)
    debtors = [(uid, amount) for uid, amount in owed if uid != spec.user_id]
    if not debtors:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "nobody else owes anything")
    for uid, _ in debtors:
        if is_blocked_between(conn, uid, spec.user_id):
            raise ProtocolError(ErrorCode.BLOCKED, "payments with one of them are blocked")
    request_ids = [
        _insert_request(conn, thread_id, spec.user_id, uid, spec, split_id=None, amount=amount)
        for uid, amount in debtors
    ]
    split_id = request_ids[0]  # the first share's id names the split
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id.in_(request_ids))
        .values(split_id=split_id)
    )
    card = SplitCard(
        split_id=split_id,
        total=spec.amount,
        currency=spec.currency,
        creator_id=spec.user_id,
        creator_share=creator_share,
        shares=[
            SplitShare(user_id=uid, amount=amount, request_id=rid, status="open")
            for (uid, amount), rid in zip(debtors, request_ids, strict=True)
        ],
        note=spec.note,
    )
    message = post_message(conn, publications, thread, members, spec.user_id, "", card=card)
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id.in_(request_ids))
        .values(message_id=message.id)
    )
    result = CardResult(message=message)
    remember(conn, spec.user_id, spec.key, spec.request_hash, encode(result))
    return result


# --------------------------------------------------------------------------- red packets


def _packet_card(conn: Connection, packet: Any) -> LuckyMoneyCard:
    claims = [
        PacketClaim(user_id=row.user_id, amount=row.amount)
        for row in conn.execute(
            select(lucky_claims)
            .where(lucky_claims.c.packet_id == packet.id)
            .order_by(lucky_claims.c.created_at, lucky_claims.c.user_id)
        )
    ]
    return LuckyMoneyCard(
        packet_id=packet.id,
        total=packet.total,
        currency=packet.currency,
        count=packet.count,
        sender_id=packet.sender_id,
        status=packet.status,
        expires_at=packet.expires_at,
        claims=claims,
        note=packet.note,
    )


def _packet(conn: Connection, packet_id: int) -> Any:
    row = conn.execute(select(lucky_packets).where(lucky_packets.c.id == packet_id)).first()
    if row is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, f"no red packet {packet_id}")
    return row


def send_lucky(
    conn: Connection,
    publications: list[Publication],
    spec: MoneyRequest,
    thread_id: int,
    count: int,
    expires_at: int,
) -> CardResult:
    """Fund a red packet from your wallet into escrow and post its card."""
    prior = recall(conn, spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return _replayed_card(prior)
    spec.check()
    thread, members = require_member(conn, spec.user_id, thread_id)
    if thread.kind != "group":
        raise ProtocolError(ErrorCode.BAD_REQUEST, "red packets are for groups")
    if spec.amount < count:
        raise ProtocolError(
            ErrorCode.INVALID_AMOUNT, f"{count} shares need at least {count} minor units"
        )
    allocations = draw_allocations(spec.amount, count)
    result = conn.execute(
        insert(lucky_packets).values(
            thread_id=thread_id,
            message_id=0,
            sender_id=spec.user_id,
            total=spec.amount,
            currency=spec.currency,
            count=count,
            allocations=json.dumps(allocations),
            claimed=0,
            status="open",
            expires_at=expires_at,
            note=spec.note,
        )
    )
    packet_id = new_id(result)
    transfer_id = move(
        conn,
        debit=wallet(conn, spec.user_id, spec.currency),
        credit=account(conn, "escrow", SYSTEM, spec.currency),
        amount=spec.amount,
        currency=spec.currency,
        kind="lucky_fund",
        note=spec.note,
        initiator_id=spec.user_id,
        thread_id=thread_id,
    )
    notify_wallets(conn, publications, transfer_id, [spec.user_id])
    card = _packet_card(conn, _packet(conn, packet_id))
    message = post_message(conn, publications, thread, members, spec.user_id, "", card=card)
    conn.execute(
        update(lucky_packets).where(lucky_packets.c.id == packet_id).values(message_id=message.id)
    )
    card_result = CardResult(message=message)
    remember(conn, spec.user_id, spec.key, spec.request_hash, encode(card_result))
    return card_result


def open_lucky(
    conn: Connection, publications: list[Publication], user_id: int, packet_id: int, now: int
) -> ClaimResult:
    """Take the next share of a red packet; opening it again returns your first share."""
    packet = _packet(conn, packet_id)
    require_member(conn, user_id, packet.thread_id)
    mine = conn.execute(
        select(lucky_claims).where(
            lucky_claims.c.packet_id == packet_id, lucky_claims.c.user_id == user_id
        )
    ).first()
    if mine is None:
        if packet.status != "open" or packet.expires_at <= now:
            raise ProtocolError(
                ErrorCode.GONE,
                "this red packet is empty" if packet.status == "finished" else "it expired",
            )
        amount = json.loads(packet.allocations)[packet.claimed]
        transfer_id = move(
            conn,
            debit=account(conn, "escrow", SYSTEM, packet.currency),
            credit=wallet(conn, user_id, packet.currency),
            amount=amount,
            currency=packet.currency,
            kind="lucky_claim",
            note=packet.note,
            initiator_id=user_id,
            thread_id=packet.thread_id,
        )
        conn.execute(
            insert(lucky_claims).values(
                packet_id=packet_id,
                user_id=user_id,
                amount=amount,
                transfer_id=transfer_id,
                created_at=now_ms(),
            )
        )
        claimed = packet.claimed + 1
        conn.execute(
            update(lucky_packets)
            .where(lucky_packets.c.id == packet_id)
            .values(claimed=claimed, status="finished" if claimed == packet.count else "open")
        )
        notify_wallets(conn, publications, transfer_id, [user_id])
        message = update_card(
            conn, publications, packet.message_id, _packet_card(conn, _packet(conn, packet_id))
        )
    else:
        amount = mine.amount
        message = message_from_row(
            conn.execute(select(messages).where(messages.c.id == packet.message_id)).one()
        )
    return ClaimResult(
        amount=amount,
        currency=packet.currency,
        message=message,
        balance=balance_of(conn, wallet(conn, user_id, packet.currency)),
    )


def expire_packets(conn: Connection, publications: list[Publication], now: int) -> int:
    """Return what nobody claimed of expired red packets to their senders."""
    expired = conn.execute(
        select(lucky_packets).where(
            lucky_packets.c.status == "open", lucky_packets.c.expires_at <= now
        )
    ).all()
    for packet in expired:
        remaining = sum(json.loads(packet.allocations)[packet.claimed :])
        if remaining:
            transfer_id = move(
                conn,
                debit=account(conn, "escrow", SYSTEM, packet.currency),
                credit=wallet(conn, packet.sender_id, packet.currency),
                amount=remaining,
                currency=packet.currency,
                kind="lucky_refund",
                note=packet.note,
                initiator_id=packet.sender_id,
                thread_id=packet.thread_id,
            )
            notify_wallets(conn, publications, transfer_id, [packet.sender_id])
        conn.execute(
            update(lucky_packets).where(lucky_packets.c.id == packet.id).values(status="expired")
        )
        update_card(
            conn, publications, packet.message_id, _packet_card(conn, _packet(conn, packet.id))
        )
    return len(expired)


def replayed_payment(
    conn: Connection, user_id: int, key: str, request_hash: str
) -> PaymentResult | None:
    """The stored answer for a retried money key, checked before anything is charged."""
    prior = recall(conn, user_id, key, request_hash)
    return None if prior is None else _replayed_payment(prior)


def wallet_balance(conn: Connection, user_id: int, currency: str) -> Balance:
    return balance_of(conn, wallet(conn, user_id, currency))


class PaymentStore(Store):
    """Money that moves in the chat: top-ups, payments, requests, splits, red packets."""

    __slots__ = ()

    replayed = reads(replayed_payment)
    topup = writes(topup)
    credit = writes(credit)
    pay = writes(pay)
    request_money = writes(request_money)
    pay_request = writes(pay_request)
    decline_request = writes(decline_request)
    split = writes(split)
    send_lucky = writes(send_lucky)
    open_lucky = writes(open_lucky)
    expire_packets = writes(expire_packets)
