"""Property: random mixes of top-ups, payments, requests, splits, red packets and retries
(reusing idempotency keys), run concurrently against one real relay, conserve money, never
overdraw a wallet, move money once per key, and leave the books balanced."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RunningRelay, all_history
from payments_support import EUR, Person, assert_books, group, people

PEOPLE = 4
EXPECTED_ERRORS = {"insufficient_funds", "idempotency_mismatch", "gone"}
_examples = itertools.count(1)

# --------------------------------------------------------------------------- stories
# Each story is a short sequence one person (or two) plays out; all the stories of an example
# run at once. ``slot`` picks the idempotency key from a small per-person pool, so that
# stories collide on keys: a retry of the same body, or a different body under a used key.


@dataclass(frozen=True)
class TopUp:
    person: int
    amount: int
    slot: int


@dataclass(frozen=True)
class Pay:
    payer: int
    offset: int  # the payee is the person ``offset`` places after the payer
    amount: int
    slot: int
    copies: int  # identical requests sent at once


@dataclass(frozen=True)
class Ask:
    requester: int
    offset: int
    amount: int
    slot: int
    then: Literal["pay", "decline", "cancel", "leave"]
    pay_slot: int
    copies: int


@dataclass(frozen=True)
class SplitBill:
    creator: int
    total: int
    include_self: bool
    slot: int
    then: tuple[Literal["pay", "decline", "leave"], ...]  # per other member
    pay_slot: int


@dataclass(frozen=True)
class Packet:
    sender: int
    total: int
    count: int
    slot: int
    openers: tuple[int, ...]  # may repeat: a second open returns the first amount


person = st.integers(0, PEOPLE - 1)
offset = st.integers(1, PEOPLE - 1)
slot = st.integers(0, 7)
money = st.integers(1, 1500)
story = st.one_of(
    st.builds(TopUp, person, st.integers(1, 3000), slot),
    st.builds(Pay, person, offset, money, slot, st.integers(1, 3)),
    st.builds(
        Ask,
        person,
        offset,
        money,
        slot,
        st.sampled_from(["pay", "decline", "cancel", "leave"]),
        slot,
        st.integers(1, 2),
    ),
    st.builds(
        SplitBill,
        person,
        st.integers(4, 3000),
        st.booleans(),
        slot,
        st.tuples(*[st.sampled_from(["pay", "decline", "leave"])] * (PEOPLE - 1)),
        slot,
    ),
    st.builds(
        Packet,
        person,
        st.integers(5, 2000),
        st.integers(1, 5),
        slot,
        st.lists(person, max_size=6).map(tuple),
    ),
)


# --------------------------------------------------------------------------- bookkeeping


@dataclass
class Outcomes:
    """What the relay answered, gathered while the stories run."""

    # (user id, key) -> [(replayed, transfer id or message id)] of every successful reply
    keyed: dict[tuple[int, str], list[tuple[bool, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    topups: dict[int, int] = field(default_factory=dict)  # transfer id -> amount
    paid_by: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    packets: set[int] = field(default_factory=set)
    claims: dict[tuple[int, int], set[int]] = field(default_factory=lambda: defaultdict(set))
    request_payments: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    errors: list[dict[str, Any]] = field(default_factory=list)


class Scene:
    """One example: four fresh accounts in a group on the shared relay."""

    def __init__(self, crowd: list[Person], thread_id: int, tag: str) -> None:
        self.crowd = crowd
        self.thread_id = thread_id
        self.tag = tag
        self.seen = Outcomes()

    def key(self, who: int, slot_: int) -> str:
        return f"{self.tag}-{who}-{slot_}"

    async def keyed(self, who: int, slot_: int, type_: str, **fields: Any) -> Any:
        """A key-carrying request: record the transfer or message it answered with."""
        reply = await self.crowd[who].call(type_, key=self.key(who, slot_), **fields)
        if reply["type"] == "error":
            self.seen.errors.append(reply)
            return None
        data = reply["data"]
        named = data["transfer"]["id"] if "transfer" in data else data["message"]["id"]
        self.seen.keyed[(self.crowd[who].id, self.key(who, slot_))].append(
            (data["replayed"], named)
        )
        if "transfer" in data:
            if data["transfer"]["kind"] == "topup":
                self.seen.topups[data["transfer"]["id"]] = data["transfer"]["amount"]
            else:
                self.seen.paid_by[who].add(data["transfer"]["id"])
        return data

    async def plain(self, who: int, type_: str, **fields: Any) -> Any:
        reply = await self.crowd[who].call(type_, **fields)
        if reply["type"] == "error":
            self.seen.errors.append(reply)
            return None
        return reply["data"]

    async def play(self, item: TopUp | Pay | Ask | SplitBill | Packet) -> None:
        crowd, thread_id = self.crowd, self.thread_id
        if isinstance(item, TopUp):
            await self.keyed(item.person, item.slot, "topup", amount=item.amount, currency=EUR)
        elif isinstance(item, Pay):
            payee = crowd[(item.payer + item.offset) % PEOPLE]
            fields = {"thread_id": thread_id, "to": payee.handle, "amount": item.amount}
            await asyncio.gather(
                *(
                    self.keyed(item.payer, item.slot, "pay", currency=EUR, **fields)
                    for _ in range(item.copies)
                )
            )
        elif isinstance(item, Ask):
            payer = (item.requester + item.offset) % PEOPLE
            card = await self.keyed(
                item.requester,
                item.slot,
                "request_money",
                thread_id=thread_id,
                payer=crowd[payer].handle,
                amount=item.amount,
                currency=EUR,
            )
            if card is not None:
                request_id = card["message"]["card"]["request_id"]
                await self.settle(request_id, payer, item.requester, item.then, item.pay_slot)
        elif isinstance(item, SplitBill):
            card = await self.keyed(
                item.creator,
                item.slot,
                "split",
                thread_id=thread_id,
                total=item.total,
                currency=EUR,
                include_self=item.include_self,
            )
            if card is not None:
                by_id = {p.id: i for i, p in enumerate(crowd)}
                shares = card["message"]["card"]["shares"]
                await asyncio.gather(
                    *(
                        self.settle(
                            share["request_id"],
                            by_id[share["user_id"]],
                            item.creator,
                            then,
                            item.pay_slot,
                        )
                        for share, then in zip(shares, item.then, strict=False)
                    )
                )
        else:
            card = await self.keyed(
                item.sender,
                item.slot,
                "lucky_send",
                thread_id=thread_id,
                total=item.total,
                currency=EUR,
                count=item.count,
            )
            if card is not None:
                packet_id = card["message"]["card"]["packet_id"]
                self.seen.packets.add(packet_id)
                await asyncio.gather(*(self.open(packet_id, who) for who in item.openers))

    async def settle(
        self, request_id: int, payer: int, requester: int, then: str, pay_slot: int
    ) -> None:
        if then == "pay":
            paid = await self.keyed(payer, pay_slot, "pay_request", request_id=request_id)
            if paid is not None:
                self.seen.request_payments[request_id].add(paid["transfer"]["id"])
        elif then == "decline":
            await self.plain(payer, "decline_request", request_id=request_id)
        elif then == "cancel":
            await self.plain(requester, "decline_request", request_id=request_id)

    async def open(self, packet_id: int, who: int) -> None:
        claim = await self.plain(who, "lucky_open", packet_id=packet_id)
        if claim is not None:
            self.seen.claims[(packet_id, self.crowd[who].id)].add(claim["amount"])


# --------------------------------------------------------------------------- the property


@pytest.fixture
async def open_relay(tmp_path: Path) -> AsyncIterator[RunningRelay]:
    """One relay for every example of the property, without a request rate limit."""
    running = RunningRelay(tmp_path / "relay.db", rate_per_second=0)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stories=st.lists(story, min_size=8, max_size=16))
async def test_concurrent_money_movements_keep_the_books(
    open_relay: RunningRelay, stories: list[TopUp | Pay | Ask | SplitBill | Packet]
) -> None:
    """Whatever mix of movements and retries runs at once, money is conserved, no wallet goes
    negative, each key moves money once, and the relay's books balance."""
    tag = f"x{next(_examples)}"
    crowd = await people(open_relay.url, *(f"{tag}p{i}" for i in range(PEOPLE)))
    try:
        thread_id = await group(crowd[0], *crowd[1:], name=tag)
        scene = Scene(crowd, thread_id, tag)
        # Everyone starts with a little money, so that some payments pass and some do not.
        await asyncio.gather(*(scene.play(TopUp(i, 1000, 99)) for i in range(PEOPLE)))
        plays: list[Awaitable[None]] = [scene.play(item) for item in stories]
        await asyncio.wait_for(asyncio.gather(*plays), 30)
        await check_outcomes(scene)
        await assert_books(open_relay)
    finally:
        for member in crowd:
            await member.close()


async def check_outcomes(scene: Scene) -> None:
    """The invariants, from the answers gathered and the state the relay reports afterwards."""
    seen, crowd = scene.seen, scene.crowd
    unexpected = [e for e in seen.errors if e["code"] not in EXPECTED_ERRORS]
    assert not unexpected, unexpected

    # Each key answered with one transfer (or card), first unreplayed, then only replayed.
    for key, answers in seen.keyed.items():
        assert len({named for _, named in answers}) == 1, (key, answers)
        assert [replayed for replayed, _ in answers].count(False) == 1, (key, answers)

    # A request is paid at most once; a red packet claim is one amount per person.
    assert all(len(ids) == 1 for ids in seen.request_payments.values())
    assert all(len(amounts) == 1 for amounts in seen.claims.values()), seen.claims

    histories = [await p.transfers() for p in crowd]
    balances = [await p.balance() for p in crowd]
    assert min(balances) >= 0, balances
    for index, (member, history, balance) in enumerate(
        zip(crowd, histories, balances, strict=True)
    ):
        ids = [t["id"] for t in history]
        assert len(ids) == len(set(ids)), "a transfer listed twice"
        signed = sum(t["amount"] if t["direction"] == "in" else -t["amount"] for t in history)
        assert signed == balance, (member.handle, signed, balance)
        sent = {
            t["id"]
            for t in history
            if t["direction"] == "out" and t["kind"] in ("payment", "request", "split")
        }
        assert sent == seen.paid_by[index], (member.handle, sent, seen.paid_by[index])
    every_topup = {t["id"] for h in histories for t in h if t["kind"] == "topup"}
    assert every_topup == set(seen.topups)

    # Red packets: claims never exceed the count; escrow holds what open packets still owe.
    cards = {
        m["card"]["packet_id"]: m["card"]
        for m in await all_history(crowd[0].client, scene.thread_id)
        if m["card"] is not None and m["card"]["kind"] == "lucky"
    }
    assert set(cards) == seen.packets
    escrow = 0
    for packet_id, card in cards.items():
        claimed = {c["user_id"]: c["amount"] for c in card["claims"]}
        assert len(claimed) == len(card["claims"]) <= card["count"]
        assert all(amount >= 1 for amount in claimed.values())
        for (packet, user_id), amounts in seen.claims.items():
            if packet == packet_id:
                assert amounts == {claimed[user_id]}
        if card["status"] == "finished":
            assert len(claimed) == card["count"] and sum(claimed.values()) == card["total"]
        else:
            assert card["status"] == "open"
            escrow += card["total"] - sum(claimed.values())

    assert sum(balances) == sum(seen.topups.values()) - escrow
