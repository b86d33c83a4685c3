"""The client's money calls against a real relay: typed results, idempotency keys, and a lost
reply retried with the same key after the link comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from chatshop.client import ChatClient, ConnectionLost, ConnectionState, RequestError
from chatshop.protocol import ErrorCode
from chatshop.protocol.cards import LuckyMoneyCard, PaymentCard, RequestCard, SplitCard
from chatshop.protocol.payment_frames import ShareSpec
from conftest import RunningRelay
from test_client_helpers import Proxy, Recorder, fast_client, fast_user
from waiting import until

EUR = "EUR"


@pytest.fixture
async def proxy(relay: RunningRelay) -> AsyncIterator[Proxy]:
    running = Proxy(relay.port)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def friends(url: str, *handles: str) -> list[ChatClient]:
    return [await fast_user(url, handle) for handle in handles]


async def test_money_wrappers_return_protocol_structs(relay: RunningRelay) -> None:
    """Each money call returns its result struct; cards carry the amounts as numbers."""
    sam, alice, bob = await friends(relay.url, "sam", "alice", "bob")
    wallet = await sam.wallet()
    assert wallet.default_currency == EUR and wallet.max_transfer > 0
    top = await sam.topup(10_000, EUR)
    assert top.balance.amount == 10_000 and top.transfer.kind == "topup" and not top.replayed
    direct = await sam.open_direct("alice")
    paid = await sam.pay(direct.id, "alice", 1_200, EUR, note="taxi")
    assert isinstance(paid.message and paid.message.card, PaymentCard)
    assert paid.balance.amount == 8_800
    asked = await alice.request_money(direct.id, "sam", 1_500, EUR, note="cinema")
    request = asked.message.card
    assert isinstance(request, RequestCard) and request.status == "open"
    settled = await sam.pay_request(request.request_id)
    assert settled.message is not None and isinstance(settled.message.card, RequestCard)
    assert settled.message.card.status == "paid"
    again = await alice.request_money(direct.id, "sam", 100, EUR)
    assert isinstance(again.message.card, RequestCard)
    declined = await sam.decline_request(again.message.card.request_id)
    assert isinstance(declined.message.card, RequestCard)
    assert declined.message.card.status == "declined"

    group = await sam.create_group("Pizza", ["alice", "bob"])
    split = await sam.split(group.id, 1_000, EUR, note="pizza")
    card = split.message.card
    assert isinstance(card, SplitCard)
    assert card.creator_share + sum(s.amount for s in card.shares) == 1_000
    uneven = await sam.split(
        group.id, 4_500, EUR, shares=[ShareSpec(handle="alice", amount=2_500)], note="x"
    )
    assert isinstance(uneven.message.card, SplitCard)
    assert uneven.message.card.creator_share == 2_000
    packet = await sam.lucky_send(group.id, 2_000, EUR, 3, note="birthday")
    lucky = packet.message.card
    assert isinstance(lucky, LuckyMoneyCard)
    claim = await bob.lucky_open(lucky.packet_id)
    assert 1 <= claim.amount <= 2_000 and claim.balance.amount == claim.amount
    history = await sam.wallet_history(limit=2)
    assert len(history.transfers) == 2 and history.more
    older = await sam.wallet_history(before=history.transfers[-1].id, limit=50)
    assert all(t.id < history.transfers[-1].id for t in older.transfers)
    for client in (sam, alice, bob):
        await client.close()


async def test_keys_are_fresh_unless_given(relay: RunningRelay) -> None:
    """Two calls without a key pay twice; a repeated key is answered as already sent."""
    sam, _alice = await friends(relay.url, "sam", "alice")
    await sam.topup(5_000, EUR, key="top-1")
    assert (await sam.topup(5_000, EUR, key="top-1")).replayed
    direct = await sam.open_direct("alice")
    first = await sam.pay(direct.id, "alice", 100, EUR)
    second = await sam.pay(direct.id, "alice", 100, EUR)
    assert first.transfer.id != second.transfer.id
    third = await sam.pay(direct.id, "alice", 100, EUR, key="p-1")
    repeat = await sam.pay(direct.id, "alice", 100, EUR, key="p-1")
    assert repeat.replayed and repeat.transfer.id == third.transfer.id
    assert repeat.transfer.short_id == third.transfer.short_id
    with pytest.raises(RequestError) as caught:
        await sam.pay(direct.id, "alice", 200, EUR, key="p-1")
    assert caught.value.code is ErrorCode.IDEMPOTENCY_MISMATCH
    assert (await sam.wallet()).balances[0].amount == 5_000 - 300
    for client in (sam, _alice):
        await client.close()


async def test_lost_payment_reply_is_retried_with_its_key(
    relay: RunningRelay, proxy: Proxy
) -> None:
    """A payment whose reply was lost is written again after the reconnect with the same key:
    the money moves once and the caller gets the original transfer (replayed); calls without
    a key fail with ConnectionLost."""
    alice = await fast_user(relay.url, "alice")
    sam = await fast_user(proxy.url, "sam")
    recorder = Recorder(sam)
    await sam.topup(5_000, EUR)
    direct = await sam.open_direct("alice")

    proxy.dropping_replies = True  # the relay gets the request; sam never gets the reply
    payment = asyncio.create_task(sam.pay(direct.id, "alice", 1_200, EUR, note="taxi"))
    wallet_call = asyncio.create_task(sam.wallet())
    for _ in range(200):  # alice sees the card although sam has no reply
        if (await alice.history(direct.id)).messages:
            break
        await asyncio.sleep(0.01)
    assert not payment.done()

    proxy.dropping_replies = False
    mark = len(recorder.items)
    proxy.cut()
    with pytest.raises(ConnectionLost):
        await wallet_call
    await recorder.wait_state(ConnectionState.CONNECTED, after=mark)
    result = await asyncio.wait_for(payment, 5)
    assert result.replayed and result.balance.amount == 3_800
    messages = (await alice.history(direct.id)).messages
    assert len(messages) == 1 and result.message is not None
    assert messages[0].id == result.message.id
    assert (await alice.wallet()).balances[0].amount == 1_200
    await recorder.stop()
    for client in (sam, alice):
        await client.close()


async def test_money_waits_for_the_link_like_send(relay: RunningRelay, proxy: Proxy) -> None:
    """While reconnecting, a top-up is queued and goes out once the link is back."""
    sam = await fast_user(proxy.url, "sam")
    recorder = Recorder(sam)
    proxy.refusing = True
    mark = len(recorder.items)
    proxy.cut()
    await recorder.wait_state(ConnectionState.RECONNECTING, after=mark)
    queued = asyncio.create_task(sam.topup(700, EUR))
    await until(lambda: sam.queued_sends == 1)  # the top-up waits in the outbox
    assert not queued.done()
    proxy.refusing = False
    result = await asyncio.wait_for(queued, 5)
    assert result.balance.amount == 700 and not result.replayed
    await recorder.stop()
    await sam.close()
    offline = fast_client(relay.url)
    with pytest.raises(ConnectionLost):  # never connected: nothing is queued
        await offline.topup(100, EUR)
    await offline.close()
