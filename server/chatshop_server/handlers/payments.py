"""Wallets and in-chat money. Handlers validate amounts and currencies, then hand one
storage operation the whole movement (ledger, card, events, idempotency record)."""

from __future__ import annotations

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.handles import bare
from chatshop.protocol.money import check_currency
from chatshop.protocol.payment_frames import (
    CardResult,
    ClaimResult,
    DeclineRequest,
    GetWallet,
    OpenLuckyMoney,
    Pay,
    PaymentResult,
    PayRequest,
    RequestMoney,
    SendLuckyMoney,
    Split,
    TopUp,
    TransferPage,
    WalletHistory,
    WalletResult,
)
from chatshop.protocol.text import check_text
from chatshop_server.handlers.base import PeerLike, handles, me, request_hash
from chatshop_server.rules.money import DAY_MS, check_topup, transfer_limit
from chatshop_server.storage.specs import MoneyRequest

MAX_NOTE_CHARS = 140


def max_amount(peer: PeerLike, currency: str) -> int:
    """The per-transfer limit in minor units of ``currency``."""
    return transfer_limit(currency, peer.ctx.config.max_transfer_major)


def money_request(
    peer: PeerLike,
    request: TopUp | Pay | RequestMoney | Split | SendLuckyMoney,
    *,
    limit_major: int | None = None,
) -> MoneyRequest:
    """The movement a request asks for, checked against the per-transfer limit (or
    ``limit_major`` major units)."""
    currency = check_currency(request.currency)
    amount = request.total if isinstance(request, (Split, SendLuckyMoney)) else request.amount
    note = getattr(request, "note", "")
    if note:
        check_text(note, field="note", max_chars=MAX_NOTE_CHARS)
    spec = MoneyRequest(
        user_id=me(peer),
        amount=amount,
        currency=currency,
        max_amount=(
            max_amount(peer, currency)
            if limit_major is None
            else min(max_amount(peer, currency), transfer_limit(currency, limit_major))
        ),
        key=request.key,
        request_hash=request_hash(request),
        note=note,
    )
    spec.check()
    return spec


@handles(GetWallet)
async def get_wallet(peer: PeerLike, request: GetWallet) -> WalletResult:
    config = peer.ctx.config
    ledger = peer.ctx.stores.ledger
    return WalletResult(
        balances=await ledger.balances(me(peer)),
        default_currency=config.default_currency,
        max_transfer=max_amount(peer, config.default_currency),
        held=await ledger.balances(me(peer), "escrow"),
    )


@handles(WalletHistory)
async def wallet_history(peer: PeerLike, request: WalletHistory) -> TransferPage:
    if not 1 <= request.limit <= limits.MAX_HISTORY_PAGE:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"limit must be 1 to {limits.MAX_HISTORY_PAGE}")
    return await peer.ctx.stores.ledger.history(me(peer), request.before, request.limit)


@handles(TopUp)
async def topup(peer: PeerLike, request: TopUp) -> PaymentResult:
    """A demo top-up from the simulated card; refused unless the relay runs for a demo."""
    config = peer.ctx.config
    if not config.demo_funding:
        raise ProtocolError(
            ErrorCode.FUNDING_UNAVAILABLE,
            "this relay takes no top-ups: money enters a wallet when the relay's admin credits it",
        )
    spec = money_request(peer, request, limit_major=config.demo_topup_max_major)
    # A retry is answered from the record before the provider is asked to charge again;
    # concurrent retries reach the provider with the same key, which it must honour.
    stores = peer.ctx.stores
    prior = await stores.payments.replayed(spec.user_id, spec.key, spec.request_hash)
    if prior is not None:
        return prior
    daily = transfer_limit(spec.currency, config.demo_topup_daily_major)
    since = config.clock() - DAY_MS
    check_topup(
        spec.amount,
        spec.currency,
        topped_up=await stores.ledger.topped_up_since(spec.user_id, spec.currency, since),
        per_topup=spec.max_amount,
        per_day=daily,
    )
    await peer.ctx.funding.charge(spec.user_id, spec.amount, spec.currency, spec.key)
    return await stores.payments.topup(spec, daily)  # checks the limit again, atomically


@handles(Pay)
async def pay(peer: PeerLike, request: Pay) -> PaymentResult:
    spec = money_request(peer, request)
    return await peer.ctx.stores.payments.pay(spec, request.thread_id, bare(request.to))


@handles(RequestMoney)
async def request_money(peer: PeerLike, request: RequestMoney) -> CardResult:
    spec = money_request(peer, request)
    payer = bare(request.payer)
    return await peer.ctx.stores.payments.request_money(spec, request.thread_id, payer)


@handles(PayRequest)
async def pay_request(peer: PeerLike, request: PayRequest) -> PaymentResult:
    return await peer.ctx.stores.payments.pay_request(
        me(peer), request.request_id, request.key, request_hash(request)
    )


@handles(DeclineRequest)
async def decline_request(peer: PeerLike, request: DeclineRequest) -> CardResult:
    return await peer.ctx.stores.payments.decline_request(me(peer), request.request_id)


@handles(Split)
async def split(peer: PeerLike, request: Split) -> CardResult:
    spec = money_request(peer, request)
    shares = None
    if request.shares is not None:
        if not request.shares or len(request.shares) > limits.MAX_GROUP_MEMBERS:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "give 1 to 256 shares, or none")
        shares = [(bare(s.handle), s.amount) for s in request.shares]
    return await peer.ctx.stores.payments.split(
        spec, request.thread_id, shares, request.include_self
    )


@handles(SendLuckyMoney)
async def send_lucky(peer: PeerLike, request: SendLuckyMoney) -> CardResult:
    spec = money_request(peer, request)
    config = peer.ctx.config
    expires_at = config.clock() + int(config.lucky_expiry_seconds * 1000)
    return await peer.ctx.stores.payments.send_lucky(
        spec, request.thread_id, request.count, expires_at
    )


@handles(OpenLuckyMoney)
async def open_lucky(peer: PeerLike, request: OpenLuckyMoney) -> ClaimResult:
    return await peer.ctx.stores.payments.open_lucky(
        me(peer), request.packet_id, peer.ctx.config.clock()
    )
