"""Relay payments between people: pay, payment requests, events, refusals, idempotency and
concurrent spending from one wallet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from conftest import RunningRelay, db_count, marker, new_key, raw_connect, resume
from payments_support import (
    EUR,
    Person,
    assert_books,
    card_event,
    direct,
    group,
    people,
    wallet_event,
)


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


def pay_fields(thread_id: int, to: str, amount: int, **extra: Any) -> dict[str, Any]:
    """The fields of a pay request with a fresh key (unless ``key`` is given)."""
    fields: dict[str, Any] = {"thread_id": thread_id, "to": to, "amount": amount, "currency": EUR}
    fields["key"] = extra.pop("key", new_key())
    return {**fields, **extra}


async def test_pay_moves_money_posts_a_card_and_tells_both_wallets(relay: RunningRelay) -> None:
    """A payment debits the payer and credits the payee in one transfer, posts a payment card
    in the thread, and sends each side a wallet event with their balance after it."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(5000)
    dm = await direct(sam, alice)
    paid = await sam.ok("pay", **pay_fields(dm, "@alice", 1200, note="taxi"))
    transfer = paid["transfer"]
    assert paid["replayed"] is False
    assert paid["balance"] == {"currency": "EUR", "amount": 3800}
    assert transfer["kind"] == "payment" and transfer["direction"] == "out"
    assert transfer["amount"] == 1200 and transfer["note"] == "taxi"
    assert transfer["counterparty"]["handle"] == "alice" and transfer["thread_id"] == dm
    card = paid["message"]["card"]
    assert card == {
        "kind": "payment",
        "transfer_id": transfer["id"],
        "short_id": transfer["short_id"],
        "amount": 1200,
        "currency": "EUR",
        "from_id": sam.id,
        "to_id": alice.id,
        "note": "taxi",
    }
    mine = await sam.wait_event(wallet_event(transfer["id"]))
    assert mine["balance"]["amount"] == 3800 and mine["transfer"]["direction"] == "out"
    theirs = await alice.wait_event(wallet_event(transfer["id"]))
    assert theirs["balance"] == {"currency": "EUR", "amount": 1200}
    assert theirs["transfer"]["direction"] == "in"
    assert theirs["transfer"]["counterparty"]["handle"] == "sam"
    assert theirs["transfer"]["short_id"] == transfer["short_id"]
    posted = await alice.wait_event(lambda e: e["type"] == "message" and e["thread_id"] == dm)
    assert posted["message"]["card"] == card
    assert await sam.balance() == 3800 and await alice.balance() == 1200
    [alices_view] = [t for t in await alice.transfers() if t["kind"] == "payment"]
    assert alices_view["id"] == transfer["id"] and alices_view["direction"] == "in"


async def test_an_offline_payee_hears_of_the_payment_on_resume(relay: RunningRelay) -> None:
    """A payee who was disconnected gets the wallet event and the payment card replayed when
    resuming from their last cursor."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    token, cursor = alice.client.token, alice.client.cursor
    await alice.close()
    paid = await sam.ok("pay", **pay_fields(dm, "alice", 300))
    back = Person(await resume(relay.url, token, cursor))
    event = await back.wait_event(wallet_event(paid["transfer"]["id"]))
    assert event["balance"] == {"currency": "EUR", "amount": 300}
    posted = await back.wait_event(lambda e: e["type"] == "message" and e["thread_id"] == dm)
    assert posted["message"]["card"]["transfer_id"] == paid["transfer"]["id"]


async def test_a_payment_over_the_balance_moves_nothing(relay: RunningRelay) -> None:
    """Paying more than the wallet holds is insufficient_funds: no transfer, no card, and both
    balances stay as they were (an empty wallet cannot pay at all)."""
    sam, alice = await people(relay.url, "sam", "alice")
    dm = await direct(sam, alice)
    await sam.refused("insufficient_funds", "pay", **pay_fields(dm, "alice", 1))
    await sam.topup(1000)
    await sam.refused("insufficient_funds", "pay", **pay_fields(dm, "alice", 1001))
    assert await sam.balance() == 1000 and await alice.balance() == 0
    assert db_count(relay.db_path, "transfers") == 1
    assert db_count(relay.db_path, "messages") == 0
    exact = await sam.ok("pay", **pay_fields(dm, "alice", 1000))
    assert exact["balance"]["amount"] == 0
    await sam.refused("insufficient_funds", "pay", **pay_fields(dm, "alice", 1))


async def test_paying_yourself_is_refused(relay: RunningRelay) -> None:
    """A payment or a request to yourself, even in a group you share, is bad_request."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    crew = await group(sam, alice)
    await sam.refused("bad_request", "pay", **pay_fields(crew, "sam", 100))
    await sam.refused(
        "bad_request",
        "request_money",
        thread_id=crew,
        payer="sam",
        amount=100,
        currency=EUR,
        key=new_key(),
    )
    assert await sam.balance() == 1000


async def test_the_payee_must_be_a_member_of_the_thread(relay: RunningRelay) -> None:
    """Paying someone outside the thread, or a handle nobody has, is not_found; paying in a
    thread you are not in is forbidden; nothing moves."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    await sam.refused("not_found", "pay", **pay_fields(dm, "bob", 100))
    await sam.refused("not_found", "pay", **pay_fields(dm, "nobody", 100))
    await sam.refused(
        "not_found",
        "request_money",
        thread_id=dm,
        payer="bob",
        amount=100,
        currency=EUR,
        key=new_key(),
    )
    await bob.topup(1000)
    await bob.refused("not_found", "pay", **pay_fields(dm, "alice", 100))
    assert (await sam.balance(), await alice.balance(), await bob.balance()) == (1000, 0, 1000)
    assert db_count(relay.db_path, "messages") == 0


async def test_a_member_who_left_can_no_longer_be_paid(relay: RunningRelay) -> None:
    """Once bob leaves the group, a payment to him there is not_found."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    crew = await group(sam, alice, bob)
    await bob.ok("group_leave", thread_id=crew)
    await sam.refused("not_found", "pay", **pay_fields(crew, "bob", 100))
    assert await bob.balance() == 0


async def test_no_money_moves_between_blocked_people(relay: RunningRelay) -> None:
    """After alice blocks bob, payments and requests either way are blocked, in their direct
    thread and in a group they share; unblocking lets money move again."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await alice.topup(1000)
    await bob.topup(1000)
    dm = await direct(alice, bob)
    crew = await group(sam, alice, bob)
    await alice.ok("block", handle="bob")
    for thread_id in (dm, crew):
        await bob.refused("blocked", "pay", **pay_fields(thread_id, "alice", 100))
        await alice.refused("blocked", "pay", **pay_fields(thread_id, "bob", 100))
        for asker, payer in ((alice, "bob"), (bob, "alice")):
            await asker.refused(
                "blocked",
                "request_money",
                thread_id=thread_id,
                payer=payer,
                amount=100,
                currency=EUR,
                key=new_key(),
            )
    assert (await alice.balance(), await bob.balance()) == (1000, 1000)
    await alice.ok("unblock", handle="bob")
    await bob.ok("pay", **pay_fields(crew, "alice", 100))
    assert (await alice.balance(), await bob.balance()) == (1100, 900)


async def test_an_open_request_cannot_be_paid_once_either_side_blocks(relay: RunningRelay) -> None:
    """A request made before a block cannot be paid after it: blocked, and it stays open."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await bob.topup(1000)
    crew = await group(sam, alice, bob)
    card = await alice.ok(
        "request_money",
        thread_id=crew,
        payer="bob",
        amount=300,
        currency=EUR,
        key=new_key(),
    )
    await bob.ok("block", handle="alice")
    request_id = card["message"]["card"]["request_id"]
    await bob.refused("blocked", "pay_request", request_id=request_id, key=new_key())
    assert await bob.balance() == 1000
    [stored] = (await bob.ok("history", thread_id=crew))["messages"]
    assert stored["card"]["status"] == "open"


async def test_a_retried_payment_is_replayed_not_repeated(relay: RunningRelay) -> None:
    """The same pay sent again with its key, on the same or a new connection, answers with the
    first transfer marked replayed; money moves once and the payee hears of it once."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    fields = pay_fields(dm, "alice", 250, key="pay-once")
    first = await sam.ok("pay", **fields)
    again = await sam.ok("pay", **fields)
    later = Person(await resume(relay.url, sam.client.token, None))
    from_elsewhere = await later.ok("pay", **fields)
    for replay in (again, from_elsewhere):
        assert replay["replayed"] is True
        assert replay["transfer"] == first["transfer"]
        assert replay["message"] == first["message"]
        assert replay["balance"] == first["balance"]
    assert await sam.balance() == 750 and await alice.balance() == 250
    assert [t["id"] for t in await alice.transfers()] == [first["transfer"]["id"]]
    assert db_count(relay.db_path, "messages") == 1
    await marker(sam.client, dm, alice.client, "after the retries")
    assert sum(1 for e in alice.events if e["type"] == "wallet") == 1


async def test_a_key_reused_for_another_payment_is_a_mismatch(relay: RunningRelay) -> None:
    """Reusing a payment's key with another amount, payee, note or request type is
    idempotency_mismatch and moves nothing; another account may use the same key freely."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    await alice.topup(1000)
    crew = await group(sam, alice, bob)
    await sam.ok("pay", **pay_fields(crew, "alice", 100, key="k-1"))
    for changed in (
        pay_fields(crew, "alice", 101, key="k-1"),
        pay_fields(crew, "bob", 100, key="k-1"),
        pay_fields(crew, "alice", 100, key="k-1", note="other"),
    ):
        await sam.refused("idempotency_mismatch", "pay", **changed)
    await sam.refused("idempotency_mismatch", "topup", amount=100, currency=EUR, key="k-1")
    await sam.refused(
        "idempotency_mismatch",
        "request_money",
        thread_id=crew,
        payer="alice",
        amount=100,
        currency=EUR,
        key="k-1",
    )
    theirs = await alice.ok("pay", **pay_fields(crew, "sam", 100, key="k-1"))
    assert theirs["replayed"] is False
    assert (await sam.balance(), await alice.balance(), await bob.balance()) == (1000, 1000, 0)


async def test_concurrent_payments_cannot_overspend_a_wallet(relay: RunningRelay) -> None:
    """Fifty payments of 30 fired at once from a wallet holding 1000, over two sessions of the
    account, succeed exactly 33 times; the other 17 are insufficient_funds."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    second = await raw_connect(relay.url)
    await second.ok("login", handle="sam", password="pw-secret")
    sessions = [sam, Person(second)]
    replies = await asyncio.gather(
        *(sessions[i % 2].call("pay", **pay_fields(dm, "alice", 30)) for i in range(50))
    )
    codes = sorted(
        r["data"]["transfer"]["kind"] if r["type"] == "result" else r["code"] for r in replies
    )
    assert codes.count("payment") == 33 and codes.count("insufficient_funds") == 17, codes
    assert await sam.balance() == 10 and await alice.balance() == 990
    after = sorted(r["data"]["balance"]["amount"] for r in replies if r["type"] == "result")
    assert after == list(range(10, 1000, 30))
    assert len({r["data"]["transfer"]["id"] for r in replies if r["type"] == "result"}) == 33
    assert len([t for t in await alice.transfers() if t["kind"] == "payment"]) == 33


async def test_concurrent_retries_of_one_key_move_money_once(relay: RunningRelay) -> None:
    """Twenty copies of one payment sent at once give one transfer: every answer names it, and
    all but one are marked replayed."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    fields = pay_fields(dm, "alice", 100)
    replies = await asyncio.gather(*(sam.ok("pay", **fields) for _ in range(20)))
    assert len({r["transfer"]["short_id"] for r in replies}) == 1
    assert sorted(r["replayed"] for r in replies) == [False] + [True] * 19
    assert await sam.balance() == 900 and await alice.balance() == 100


async def test_a_paid_request_updates_its_card_for_everyone(relay: RunningRelay) -> None:
    """bob pays alice's request: the money moves as a request transfer, both wallets hear of
    it, and every member gets a card event with status paid and the transfer's short id."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await bob.topup(2000)
    crew = await group(sam, alice, bob)
    asked = await alice.ok(
        "request_money",
        thread_id=crew,
        payer="@bob",
        amount=1500,
        currency=EUR,
        note="cinema",
        key=new_key(),
    )
    card = asked["message"]["card"]
    assert card == {
        "kind": "request",
        "request_id": card["request_id"],
        "amount": 1500,
        "currency": "EUR",
        "requester_id": alice.id,
        "payer_id": bob.id,
        "status": "open",
        "note": "cinema",
        "transfer_id": None,
        "short_id": None,
    }
    assert (await alice.balance(), await bob.balance()) == (0, 2000)
    key = new_key()
    paid = await bob.ok("pay_request", request_id=card["request_id"], key=key)
    transfer = paid["transfer"]
    assert transfer["kind"] == "request" and transfer["amount"] == 1500
    assert transfer["direction"] == "out" and transfer["counterparty"]["handle"] == "alice"
    assert paid["balance"]["amount"] == 500
    assert paid["message"]["card"]["status"] == "paid"
    assert paid["message"]["card"]["short_id"] == transfer["short_id"]
    message_id = asked["message"]["id"]
    for member in (sam, alice, bob):
        event = await member.wait_event(
            card_event(message_id, status="paid", short_id=transfer["short_id"])
        )
        assert event["thread_id"] == crew
        assert event["message"]["card"]["transfer_id"] == transfer["id"]
    income = await alice.wait_event(wallet_event(transfer["id"]))
    assert income["balance"]["amount"] == 1500 and income["transfer"]["direction"] == "in"
    await bob.wait_event(wallet_event(transfer["id"]))
    again = await bob.ok("pay_request", request_id=card["request_id"], key=key)
    assert again["replayed"] is True and again["transfer"]["id"] == transfer["id"]
    await bob.refused("gone", "pay_request", request_id=card["request_id"], key=new_key())
    await bob.refused("gone", "decline_request", request_id=card["request_id"])
    assert (await alice.balance(), await bob.balance()) == (1500, 500)


async def test_the_payer_declines_and_the_requester_cancels(relay: RunningRelay) -> None:
    """A request declined by its payer reads declined, one withdrawn by its requester reads
    cancelled; members see the card change, and neither can be paid afterwards."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await bob.topup(2000)
    crew = await group(sam, alice, bob)

    async def ask() -> dict[str, Any]:
        fields = {"thread_id": crew, "payer": "bob", "amount": 100, "currency": EUR}
        message: dict[str, Any] = (await alice.ok("request_money", key=new_key(), **fields))[
            "message"
        ]
        return message

    declined, cancelled = await ask(), await ask()
    await sam.refused("forbidden", "decline_request", request_id=declined["card"]["request_id"])
    result = await bob.ok("decline_request", request_id=declined["card"]["request_id"])
    assert result["message"]["card"]["status"] == "declined"
    result = await alice.ok("decline_request", request_id=cancelled["card"]["request_id"])
    assert result["message"]["card"]["status"] == "cancelled"
    for member in (sam, alice, bob):
        await member.wait_event(card_event(declined["id"], status="declined"))
        await member.wait_event(card_event(cancelled["id"], status="cancelled"))
    for message in (declined, cancelled):
        request_id = message["card"]["request_id"]
        await bob.refused("gone", "pay_request", request_id=request_id, key=new_key())
        await alice.refused("gone", "decline_request", request_id=request_id)
    assert (await alice.balance(), await bob.balance()) == (0, 2000)


async def test_only_the_payer_pays_a_request(relay: RunningRelay) -> None:
    """A request can be paid only by the person asked (forbidden for others, even the
    requester); an unknown request id is not_found; an unpayable one stays open."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    await alice.topup(1000)
    crew = await group(sam, alice, bob)
    asked = await alice.ok(
        "request_money", thread_id=crew, payer="bob", amount=100, currency=EUR, key=new_key()
    )
    request_id = asked["message"]["card"]["request_id"]
    await sam.refused("forbidden", "pay_request", request_id=request_id, key=new_key())
    await alice.refused("forbidden", "pay_request", request_id=request_id, key=new_key())
    await bob.refused("not_found", "pay_request", request_id=request_id + 1000, key=new_key())
    await bob.refused("insufficient_funds", "pay_request", request_id=request_id, key=new_key())
    [stored] = (await alice.ok("history", thread_id=crew))["messages"]
    assert stored["card"]["status"] == "open"
    await bob.topup(100)
    paid = await bob.ok("pay_request", request_id=request_id, key=new_key())
    assert paid["balance"]["amount"] == 0


async def test_a_request_whose_card_was_deleted_is_not_paid_unseen(relay: RunningRelay) -> None:
    """A request card is the members' only view of a request: the requester either cannot
    delete it, or deleting it withdraws the request, so that bob never pays a request whose
    card nobody can see any more (and whose paid status nobody would ever see)."""
    alice, bob = await people(relay.url, "alice", "bob")
    await bob.topup(1000)
    dm = await direct(alice, bob)
    asked = await alice.ok(
        "request_money", thread_id=dm, payer="bob", amount=100, currency=EUR, key=new_key()
    )
    deleted = await alice.call("delete", message_id=asked["message"]["id"])
    payment = await bob.call(
        "pay_request", request_id=asked["message"]["card"]["request_id"], key=new_key()
    )
    [shown] = (await bob.ok("history", thread_id=dm))["messages"]
    if deleted["type"] == "result":
        assert payment["type"] == "error" and payment["code"] == "gone", payment
        assert await bob.balance() == 1000
    else:
        assert shown["card"]["status"] == "paid"


async def test_a_retried_request_posts_one_card(relay: RunningRelay) -> None:
    """request_money sent twice with one key posts one card and answers the retry with it."""
    alice, bob = await people(relay.url, "alice", "bob")
    dm = await direct(alice, bob)
    fields = {"thread_id": dm, "payer": "bob", "amount": 100, "currency": EUR, "key": "r-1"}
    first = await alice.ok("request_money", **fields)
    again = await alice.ok("request_money", **fields)
    assert again["replayed"] is True and again["message"] == first["message"]
    assert db_count(relay.db_path, "payment_requests") == 1
    assert db_count(relay.db_path, "messages") == 1


async def test_concurrent_payments_of_one_request_pay_it_once(relay: RunningRelay) -> None:
    """Ten pay_request calls with different keys fired at once for one request: one pays, the
    rest are gone, and the money moves once."""
    alice, bob = await people(relay.url, "alice", "bob")
    await bob.topup(1000)
    dm = await direct(alice, bob)
    asked = await alice.ok(
        "request_money", thread_id=dm, payer="bob", amount=400, currency=EUR, key=new_key()
    )
    request_id = asked["message"]["card"]["request_id"]
    replies = await asyncio.gather(
        *(bob.call("pay_request", request_id=request_id, key=new_key()) for _ in range(10))
    )
    outcomes = sorted("paid" if r["type"] == "result" else r["code"] for r in replies)
    assert outcomes == ["gone"] * 9 + ["paid"]
    assert (await alice.balance(), await bob.balance()) == (400, 600)
