"""Relay group money: bill splits (equal, uneven, without the creator) and red packets
(opening, sharing out exactly, running out, expiring back to the sender)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ManualClock, RunningRelay, db_count, new_key, resume
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


async def split(creator: Person, thread_id: int, total: int, **extra: Any) -> dict[str, Any]:
    """A split that must succeed: its card."""
    result = await creator.ok(
        "split", thread_id=thread_id, total=total, currency=EUR, key=new_key(), **extra
    )
    card: dict[str, Any] = result["message"]["card"]
    return card


def owed(card: dict[str, Any], person: Person) -> dict[str, Any]:
    """``person``'s share of a split card."""
    shares: list[dict[str, Any]] = [s for s in card["shares"] if s["user_id"] == person.id]
    [share] = shares
    return share


async def send_packet(sender: Person, thread_id: int, total: int, count: int) -> dict[str, Any]:
    """A red packet that must be sent: its message."""
    result = await sender.ok(
        "lucky_send", thread_id=thread_id, total=total, currency=EUR, count=count, key=new_key()
    )
    message: dict[str, Any] = result["message"]
    return message


# --------------------------------------------------------------------------- splits


async def test_an_equal_split_gives_the_remainder_to_the_first_members(
    relay: RunningRelay,
) -> None:
    """EUR 48.01 among three: the creator (first member) keeps the extra cent, 1601, and the
    other two each owe 1600; the shares and the creator's part sum to the total."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    crew = await group(sam, alice, bob)
    card = await split(sam, crew, 4801, note="pizza")
    assert card["kind"] == "split" and card["total"] == 4801 and card["note"] == "pizza"
    assert card["creator_id"] == sam.id and card["creator_share"] == 1601
    assert [(s["user_id"], s["amount"], s["status"]) for s in card["shares"]] == [
        (alice.id, 1600, "open"),
        (bob.id, 1600, "open"),
    ]
    assert db_count(relay.db_path, "payment_requests") == 2
    assert db_count(relay.db_path, "transfers") == 0


@pytest.mark.parametrize(
    ("total", "include_self", "expected"),
    [
        (4801, False, [2401, 2400]),
        (4800, True, [1600, 1600, 1600]),
        (3, True, [1, 1, 1]),
        (2, False, [1, 1]),
        (100, True, [34, 33, 33]),
        (101, False, [51, 50]),
    ],
)
async def test_equal_shares_sum_exactly_to_the_total(
    relay: RunningRelay, total: int, include_self: bool, expected: list[int]
) -> None:
    """Equal shares differ by at most one minor unit, the first members taking the remainder,
    with or without the creator, and always sum to the total."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    crew = await group(sam, alice, bob)
    card = await split(sam, crew, total, include_self=include_self)
    parts = ([card["creator_share"]] if include_self else []) + [
        s["amount"] for s in card["shares"]
    ]
    assert parts == expected
    assert card["creator_share"] + sum(s["amount"] for s in card["shares"]) == total
    if not include_self:
        assert card["creator_share"] == 0


async def test_a_total_smaller_than_the_people_is_refused(relay: RunningRelay) -> None:
    """Two cents cannot be split three ways: invalid_amount, nothing stored."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    crew = await group(sam, alice, bob)
    await sam.refused("invalid_amount", "split", thread_id=crew, total=2, currency=EUR, key="s")
    assert db_count(relay.db_path, "payment_requests") == 0


async def test_uneven_shares_leave_the_rest_to_the_creator(relay: RunningRelay) -> None:
    """Given shares are owed as listed and the creator's part is what remains of the total."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    crew = await group(sam, alice, bob)
    shares = [{"handle": "alice", "amount": 1000}, {"handle": "@bob", "amount": 500}]
    card = await split(sam, crew, 4000, shares=shares)
    assert card["creator_share"] == 2500
    assert (owed(card, alice)["amount"], owed(card, bob)["amount"]) == (1000, 500)
    exact = await split(sam, crew, 1500, shares=shares, include_self=False)
    assert exact["creator_share"] == 0
    assert sum(s["amount"] for s in exact["shares"]) == 1500


async def test_uneven_shares_that_do_not_add_up_are_refused(relay: RunningRelay) -> None:
    """Shares over the total, short of it without the creator, zero, listed twice, for a
    non-member or for nobody but the creator are refused, and nothing is stored."""
    sam, alice, bob, eve = await people(relay.url, "sam", "alice", "bob", "eve")
    crew = await group(sam, alice, bob)

    async def refused(code: str, shares: list[dict[str, Any]], **extra: Any) -> None:
        await sam.refused(
            code,
            "split",
            thread_id=crew,
            total=1000,
            currency=EUR,
            key=new_key(),
            shares=shares,
            **extra,
        )

    alice_600 = {"handle": "alice", "amount": 600}
    await refused("invalid_amount", [alice_600, {"handle": "bob", "amount": 401}])
    await refused("invalid_amount", [alice_600], include_self=False)
    await refused("invalid_amount", [{"handle": "alice", "amount": 0}])
    await refused("bad_request", [alice_600, {"handle": "alice", "amount": 100}])
    await refused("not_found", [{"handle": "eve", "amount": 100}])
    await refused("bad_request", [{"handle": "sam", "amount": 1000}])
    await refused("bad_request", [])
    assert eve.id and db_count(relay.db_path, "payment_requests") == 0
    assert db_count(relay.db_path, "messages") == 0


async def test_bills_are_split_in_groups_only(relay: RunningRelay) -> None:
    """A split in a direct thread is bad_request."""
    sam, alice = await people(relay.url, "sam", "alice")
    dm = await direct(sam, alice)
    await sam.refused("bad_request", "split", thread_id=dm, total=1000, currency=EUR, key="s")
    assert db_count(relay.db_path, "payment_requests") == 0


async def test_split_shares_are_paid_and_declined_like_requests(relay: RunningRelay) -> None:
    """Each share is a request: alice pays hers (a split transfer), bob declines his; the
    split card shows each share's status to every member."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await alice.topup(5000)
    crew = await group(sam, alice, bob)
    result = await sam.ok("split", thread_id=crew, total=4801, currency=EUR, key=new_key())
    message_id, card = result["message"]["id"], result["message"]["card"]
    paid = await alice.ok("pay_request", request_id=owed(card, alice)["request_id"], key="a")
    assert paid["transfer"]["kind"] == "split" and paid["transfer"]["amount"] == 1600
    assert paid["balance"]["amount"] == 3400
    await bob.ok("decline_request", request_id=owed(card, bob)["request_id"])
    for member in (sam, alice, bob):
        event = await member.wait_event(
            lambda e: (
                card_event(message_id)(e)
                and {s["status"] for s in e["message"]["card"]["shares"]} == {"paid", "declined"}
            )
        )
        shares = event["message"]["card"]["shares"]
        assert [s["status"] for s in shares] == ["paid", "declined"]
        assert event["message"]["card"]["creator_share"] == 1601
    income = await sam.wait_event(wallet_event(paid["transfer"]["id"]))
    assert income["balance"]["amount"] == 1600
    await alice.refused("gone", "pay_request", request_id=owed(card, alice)["request_id"], key="b")
    assert (await sam.balance(), await alice.balance(), await bob.balance()) == (1600, 3400, 0)


async def test_a_retried_split_posts_one_card(relay: RunningRelay) -> None:
    """split sent twice with one key creates its requests once and replays its card."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    crew = await group(sam, alice, bob)
    fields = {"thread_id": crew, "total": 900, "currency": EUR, "key": "split-1"}
    first = await sam.ok("split", **fields)
    again = await sam.ok("split", **fields)
    assert again["replayed"] is True and again["message"] == first["message"]
    await sam.refused("idempotency_mismatch", "split", **{**fields, "total": 901})
    assert db_count(relay.db_path, "payment_requests") == 2


async def test_a_split_with_someone_blocked_is_refused(relay: RunningRelay) -> None:
    """When a group member blocked the creator, an equal split over the group is blocked."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    crew = await group(sam, alice, bob)
    await bob.ok("block", handle="sam")
    await sam.refused("blocked", "split", thread_id=crew, total=900, currency=EUR, key="s")
    assert db_count(relay.db_path, "payment_requests") == 0


# --------------------------------------------------------------------------- red packets


async def test_a_red_packet_is_shared_out_exactly(relay: RunningRelay) -> None:
    """A packet of 1000 for three: the money leaves the sender at once; three members each get
    at least one cent, together exactly 1000; the packet then reads finished, and the fourth
    member to try finds it gone."""
    sam, alice, bob, carol, dave = await people(relay.url, "sam", "alice", "bob", "carol", "dave")
    await sam.topup(1500)
    crew = await group(sam, alice, bob, carol, dave)
    message = await send_packet(sam, crew, 1000, 3)
    card = message["card"]
    assert card["kind"] == "lucky" and card["status"] == "open" and card["claims"] == []
    assert (card["total"], card["count"], card["sender_id"]) == (1000, 3, sam.id)
    assert await sam.balance() == 500
    [fund] = [t for t in await sam.transfers() if t["kind"] == "lucky_fund"]
    assert fund["amount"] == 1000 and fund["direction"] == "out" and fund["counterparty"] is None
    funded = await sam.wait_event(wallet_event(fund["id"]))
    assert funded["balance"]["amount"] == 500
    got: dict[int, int] = {}
    for member in (alice, bob, carol):
        claim = await member.ok("lucky_open", packet_id=card["packet_id"])
        assert claim["amount"] >= 1 and claim["currency"] == "EUR"
        assert claim["balance"] == {"currency": "EUR", "amount": claim["amount"]}
        got[member.id] = claim["amount"]
        [income] = await member.transfers()
        assert income["kind"] == "lucky_claim" and income["amount"] == claim["amount"]
        heard = await member.wait_event(wallet_event(income["id"]))
        assert heard["balance"]["amount"] == claim["amount"]
    assert sum(got.values()) == 1000
    await dave.refused("gone", "lucky_open", packet_id=card["packet_id"])
    await sam.refused("gone", "lucky_open", packet_id=card["packet_id"])
    final = await dave.wait_event(card_event(message["id"], status="finished"))
    claims = final["message"]["card"]["claims"]
    assert {c["user_id"]: c["amount"] for c in claims} == got
    assert await dave.balance() == 0 and await sam.balance() == 500


async def test_opening_a_red_packet_again_returns_the_same_amount(relay: RunningRelay) -> None:
    """A member who opens a packet twice gets their first amount back and nothing more, also
    after the packet has run out."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    crew = await group(sam, alice, bob)
    packet_id = (await send_packet(sam, crew, 1000, 2))["card"]["packet_id"]
    first = await alice.ok("lucky_open", packet_id=packet_id)
    again = await alice.ok("lucky_open", packet_id=packet_id)
    assert again["amount"] == first["amount"]
    assert again["balance"] == first["balance"]
    await bob.ok("lucky_open", packet_id=packet_id)
    after = await alice.ok("lucky_open", packet_id=packet_id)
    assert after["amount"] == first["amount"]
    assert after["message"]["card"]["status"] == "finished"
    assert len(await alice.transfers()) == 1
    assert await alice.balance() == first["amount"]


async def test_the_sender_may_open_their_own_packet(relay: RunningRelay) -> None:
    """The sender is a member too and can take a share of their own packet."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    crew = await group(sam, alice)
    packet_id = (await send_packet(sam, crew, 1000, 2))["card"]["packet_id"]
    mine = await sam.ok("lucky_open", packet_id=packet_id)
    theirs = await alice.ok("lucky_open", packet_id=packet_id)
    assert mine["amount"] + theirs["amount"] == 1000
    assert await sam.balance() == mine["amount"]


async def test_members_racing_for_a_packet_claim_exactly_its_count(relay: RunningRelay) -> None:
    """Eight members open a packet for three at once: three get money summing to the total,
    five find it gone."""
    handles = ["sam", *(f"member{i}" for i in range(8))]
    sam, *members = await people(relay.url, *handles)
    await sam.topup(777)
    crew = await group(sam, *members)
    packet_id = (await send_packet(sam, crew, 777, 3))["card"]["packet_id"]
    replies = await asyncio.gather(*(m.call("lucky_open", packet_id=packet_id) for m in members))
    amounts = [r["data"]["amount"] for r in replies if r["type"] == "result"]
    assert len(amounts) == 3 and min(amounts) >= 1 and sum(amounts) == 777
    assert sorted(r["code"] for r in replies if r["type"] == "error") == ["gone"] * 5


async def test_every_claim_is_at_least_one_minor_unit(relay: RunningRelay) -> None:
    """A packet holding exactly one cent per person gives everyone one cent."""
    sam, alice, bob, carol = await people(relay.url, "sam", "alice", "bob", "carol")
    await sam.topup(3)
    crew = await group(sam, alice, bob, carol)
    packet_id = (await send_packet(sam, crew, 3, 3))["card"]["packet_id"]
    for member in (alice, bob, carol):
        assert (await member.ok("lucky_open", packet_id=packet_id))["amount"] == 1


async def test_red_packets_are_refused_when_they_cannot_be_shared(relay: RunningRelay) -> None:
    """A packet in a direct thread is bad_request; fewer cents than shares is invalid_amount;
    more than the wallet holds is insufficient_funds; none posts a card or moves money."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(100)
    dm = await direct(sam, alice)
    crew = await group(sam, alice)

    async def refused(code: str, thread_id: int, total: int, count: int) -> None:
        await sam.refused(
            code,
            "lucky_send",
            thread_id=thread_id,
            total=total,
            currency=EUR,
            count=count,
            key=new_key(),
        )

    await refused("bad_request", dm, 50, 2)
    await refused("invalid_amount", crew, 2, 3)
    await refused("insufficient_funds", crew, 101, 2)
    await refused("bad_request", crew, 50, 0)
    await refused("bad_request", crew, 500, 101)
    assert await sam.balance() == 100
    assert db_count(relay.db_path, "lucky_packets") == 0
    assert db_count(relay.db_path, "messages") == 0


async def test_outsiders_cannot_open_a_packet(relay: RunningRelay) -> None:
    """Someone outside the group cannot open its packet (not_found, as if the group did not
    exist); an unknown packet is not_found too."""
    sam, alice, eve = await people(relay.url, "sam", "alice", "eve")
    await sam.topup(100)
    crew = await group(sam, alice)
    packet_id = (await send_packet(sam, crew, 100, 1))["card"]["packet_id"]
    await eve.refused("not_found", "lucky_open", packet_id=packet_id)
    await eve.refused("not_found", "lucky_open", packet_id=packet_id + 100)
    assert await eve.balance() == 0


async def test_a_retried_red_packet_is_funded_once(relay: RunningRelay) -> None:
    """lucky_send sent twice with one key creates one packet and debits the sender once."""
    sam, alice = await people(relay.url, "sam", "alice")
    await sam.topup(1000)
    crew = await group(sam, alice)
    fields = {"thread_id": crew, "total": 600, "currency": EUR, "count": 2, "key": "l-1"}
    first = await sam.ok("lucky_send", **fields)
    again = await sam.ok("lucky_send", **fields)
    assert again["replayed"] is True and again["message"] == first["message"]
    assert await sam.balance() == 400
    assert db_count(relay.db_path, "lucky_packets") == 1


async def test_unclaimed_red_packet_money_returns_when_it_expires(tmp_path: Path) -> None:
    """Once the expiry has passed the sweep returns what nobody claimed to the sender as a
    lucky_refund, the card reads expired for every member, and later openers find it gone
    while an earlier opener still sees their amount."""
    clock = ManualClock()
    running = RunningRelay(
        tmp_path / "relay.db", lucky_expiry_seconds=60, lucky_sweep_seconds=0.05, clock=clock
    )
    await running.start()
    try:
        sam, alice, bob = await people(running.url, "sam", "alice", "bob")
        await sam.topup(1000)
        crew = await group(sam, alice, bob)
        message = await send_packet(sam, crew, 1000, 3)
        packet_id = message["card"]["packet_id"]
        claim = await alice.ok("lucky_open", packet_id=packet_id)
        clock.advance(61)
        for member in (sam, alice, bob):
            event = await member.wait_event(card_event(message["id"], status="expired"))
            assert event["message"]["card"]["claims"] == [
                {"user_id": alice.id, "amount": claim["amount"]}
            ]
        refund = await sam.wait_event(
            lambda e: e["type"] == "wallet" and e["transfer"]["kind"] == "lucky_refund"
        )
        assert refund["transfer"]["amount"] == 1000 - claim["amount"]
        assert refund["transfer"]["direction"] == "in"
        assert refund["balance"]["amount"] == 1000 - claim["amount"]
        await bob.refused("gone", "lucky_open", packet_id=packet_id)
        assert (await alice.ok("lucky_open", packet_id=packet_id))["amount"] == claim["amount"]
        assert await sam.balance() == 1000 - claim["amount"]
        assert await bob.balance() == 0
        await assert_books(running)
    finally:
        await running.stop()


async def test_an_expired_packet_is_refunded_after_a_restart(tmp_path: Path) -> None:
    """A packet still unclaimed when the relay restarts is refunded by the restarted relay's
    sweep, and the sender catching up from their cursor sees it expire."""
    clock = ManualClock()
    running = RunningRelay(
        tmp_path / "relay.db", lucky_expiry_seconds=60, lucky_sweep_seconds=0.05, clock=clock
    )
    await running.start()
    try:
        [sam, alice] = await people(running.url, "sam", "alice")
        await sam.topup(500)
        crew = await group(sam, alice)
        await send_packet(sam, crew, 500, 2)
        token, cursor = sam.client.token, sam.client.cursor
        await running.stop()
        clock.advance(61)  # the packet expires while the relay is down
        await running.start()
        back = Person(await resume(running.url, token, cursor))
        await back.wait_event(
            lambda e: e["type"] == "card" and e["message"]["card"]["status"] == "expired"
        )
        assert await back.balance() == 500
        await assert_books(running)
    finally:
        await running.stop()
