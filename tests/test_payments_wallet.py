"""Relay wallets: balances per account and currency, top-ups, amounts, limits, the books."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from conftest import RunningRelay, db_count, new_key
from payments_support import EUR, assert_books, check_ledger, direct, group, people, wallet_event


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


async def test_a_new_wallet_is_empty_and_the_default_currency_is_eur(relay: RunningRelay) -> None:
    """A fresh account holds nothing; the relay names EUR its default and its transfer limit."""
    [sam] = await people(relay.url, "sam")
    wallet = await sam.ok("wallet")
    assert wallet == {"balances": [], "default_currency": "EUR", "max_transfer": 1_000_000}
    assert await sam.ok("wallet_history") == {"transfers": [], "more": False}


async def test_topups_fill_one_wallet_per_currency(relay: RunningRelay) -> None:
    """Top-ups in two currencies give two balances; each is a transfer in from no counterparty,
    answered with the new balance and echoed as a wallet event."""
    [sam] = await people(relay.url, "sam")
    first = await sam.topup(5000)
    assert first["replayed"] is False and first["message"] is None
    assert first["balance"] == {"currency": "EUR", "amount": 5000}
    transfer = first["transfer"]
    assert transfer["kind"] == "topup" and transfer["direction"] == "in"
    assert transfer["amount"] == 5000 and transfer["currency"] == "EUR"
    assert transfer["counterparty"] is None and transfer["thread_id"] is None
    assert transfer["short_id"] == f"T-{transfer['id']:05d}"
    event = await sam.wait_event(wallet_event(transfer["id"]))
    assert event["balance"] == {"currency": "EUR", "amount": 5000}
    assert event["transfer"] == transfer
    await sam.topup(250)
    await sam.topup(300, "JPY")
    wallet = await sam.ok("wallet")
    assert wallet["balances"] == [
        {"currency": "EUR", "amount": 5250},
        {"currency": "JPY", "amount": 300},
    ]
    history = await sam.transfers()
    assert [(t["amount"], t["currency"]) for t in history] == [
        (300, "JPY"),
        (250, "EUR"),
        (5000, "EUR"),
    ]


async def test_a_topup_retried_with_its_key_is_replayed(relay: RunningRelay) -> None:
    """A top-up sent twice with one key credits once and answers the retry with the first
    transfer, marked replayed; the key with another amount is idempotency_mismatch."""
    [sam] = await people(relay.url, "sam")
    first = await sam.ok("topup", amount=700, currency=EUR, key="top-1")
    again = await sam.ok("topup", amount=700, currency=EUR, key="top-1")
    assert again["replayed"] is True
    assert again["transfer"] == first["transfer"]
    await sam.refused("idempotency_mismatch", "topup", amount=701, currency=EUR, key="top-1")
    assert await sam.balance() == 700
    assert len(await sam.transfers()) == 1


@pytest.mark.parametrize("currency", ["XYZ", "ABC", "XXX"])
async def test_unknown_currencies_are_refused_everywhere(
    relay: RunningRelay, currency: str
) -> None:
    """A code that is no active ISO 4217 currency is unknown_currency for every request that
    names one, and nothing is stored."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    crew = await group(sam, alice, bob)
    money = {"currency": currency, "key": new_key()}
    await sam.refused("unknown_currency", "topup", amount=100, **money)
    await sam.refused("unknown_currency", "pay", thread_id=dm, to="alice", amount=100, **money)
    await sam.refused(
        "unknown_currency", "request_money", thread_id=dm, payer="alice", amount=100, **money
    )
    await sam.refused("unknown_currency", "split", thread_id=crew, total=300, **money)
    await sam.refused("unknown_currency", "lucky_send", thread_id=crew, total=300, count=2, **money)
    assert db_count(relay.db_path, "transfers") == 1
    assert db_count(relay.db_path, "messages") == 0
    assert await sam.balance() == 1000


async def test_a_currency_must_be_three_capital_letters(relay: RunningRelay) -> None:
    """A lower-case or malformed currency code does not even decode: bad_request."""
    [sam] = await people(relay.url, "sam")
    for code in ["eur", "EURO", "E1R", ""]:
        await sam.refused("bad_request", "topup", amount=100, currency=code, key=new_key())
    assert await sam.transfers() == []


@pytest.mark.parametrize("amount", [0, -1, -5000])
async def test_zero_and_negative_amounts_are_invalid(relay: RunningRelay, amount: int) -> None:
    """Zero and negative amounts are invalid_amount for top-ups, payments, requests, splits and
    red packets; no money moves and no card is posted."""
    sam, alice, bob = await people(relay.url, "sam", "alice", "bob")
    await sam.topup(1000)
    dm = await direct(sam, alice)
    crew = await group(sam, alice, bob)
    key = {"key": new_key()}
    await sam.refused("invalid_amount", "topup", amount=amount, currency=EUR, **key)
    await sam.refused(
        "invalid_amount", "pay", thread_id=dm, to="alice", amount=amount, currency=EUR, **key
    )
    await sam.refused(
        "invalid_amount",
        "request_money",
        thread_id=dm,
        payer="alice",
        amount=amount,
        currency=EUR,
        **key,
    )
    await sam.refused("invalid_amount", "split", thread_id=crew, total=amount, currency=EUR, **key)
    await sam.refused(
        "invalid_amount", "lucky_send", thread_id=crew, total=amount, currency=EUR, count=1, **key
    )
    assert db_count(relay.db_path, "transfers") == 1
    assert db_count(relay.db_path, "messages") == 0
    assert await sam.balance() == 1000


async def test_amounts_are_integer_minor_units(relay: RunningRelay) -> None:
    """An amount with a fraction, or a string, is not minor units: the frame is refused."""
    [sam] = await people(relay.url, "sam")
    for amount in [12.5, 12.0, "1250", None]:
        await sam.refused("bad_request", "topup", amount=amount, currency=EUR, key=new_key())
    assert await sam.transfers() == []


async def test_the_per_transfer_limit_is_in_major_units(tmp_path: Path) -> None:
    """With max_transfer_major=100 one transfer moves at most EUR 100.00 (10000 cents) or
    JPY 100; one minor unit more is limit_exceeded and nothing moves."""
    running = RunningRelay(tmp_path / "relay.db", max_transfer_major=100)
    await running.start()
    try:
        sam, alice, bob = await people(running.url, "sam", "alice", "bob")
        assert (await sam.ok("wallet"))["max_transfer"] == 10_000
        await sam.refused("limit_exceeded", "topup", amount=10_001, currency=EUR, key=new_key())
        await sam.refused("limit_exceeded", "topup", amount=101, currency="JPY", key=new_key())
        await sam.topup(10_000)
        await sam.topup(10_000)
        await sam.topup(100, "JPY")
        dm = await direct(sam, alice)
        crew = await group(sam, alice, bob)
        await sam.refused(
            "limit_exceeded",
            "pay",
            thread_id=dm,
            to="alice",
            amount=10_001,
            currency=EUR,
            key=new_key(),
        )
        await sam.refused(
            "limit_exceeded",
            "request_money",
            thread_id=dm,
            payer="alice",
            amount=10_001,
            currency=EUR,
            key=new_key(),
        )
        await sam.refused(
            "limit_exceeded", "split", thread_id=crew, total=10_001, currency=EUR, key=new_key()
        )
        await sam.refused(
            "limit_exceeded",
            "lucky_send",
            thread_id=crew,
            total=10_001,
            currency=EUR,
            count=2,
            key=new_key(),
        )
        assert await sam.balance() == 20_000
        paid = await sam.ok(
            "pay", thread_id=dm, to="alice", amount=10_000, currency=EUR, key=new_key()
        )
        assert paid["balance"]["amount"] == 10_000
        assert await alice.balance() == 10_000
        await assert_books(running)
    finally:
        await running.stop()


@pytest.mark.parametrize(
    ("currency", "iso_exponent"),
    [("EUR", 2), ("JPY", 0), ("KWD", 3), ("RSD", 2), ("IQD", 3)],
)
async def test_minor_units_are_those_of_iso_4217(
    tmp_path: Path, currency: str, iso_exponent: int
) -> None:
    """Amounts are minor units as ISO 4217 defines them (RSD 2 decimals, IQD 3, JPY none), so
    with max_transfer_major=100 exactly 100 major units, 100 x 10^exponent minor units, may
    move in one transfer, and one minor unit more is limit_exceeded."""
    running = RunningRelay(tmp_path / "relay.db", max_transfer_major=100)
    await running.start()
    try:
        [sam] = await people(running.url, "sam")
        most = 100 * 10**iso_exponent
        await sam.refused(
            "limit_exceeded", "topup", amount=most + 1, currency=currency, key=new_key()
        )
        topped = await sam.ok("topup", amount=most, currency=currency, key=new_key())
        assert topped["balance"] == {"currency": currency, "amount": most}
        await assert_books(running)
    finally:
        await running.stop()


async def test_wallet_history_pages_newest_first(relay: RunningRelay) -> None:
    """wallet_history pages backwards by transfer id; a limit outside 1..200 is bad_request."""
    [sam] = await people(relay.url, "sam")
    for amount in range(1, 6):
        await sam.topup(amount)
    first = await sam.ok("wallet_history", limit=2)
    assert [t["amount"] for t in first["transfers"]] == [5, 4] and first["more"] is True
    second = await sam.ok("wallet_history", limit=2, before=first["transfers"][-1]["id"])
    assert [t["amount"] for t in second["transfers"]] == [3, 2] and second["more"] is True
    last = await sam.ok("wallet_history", limit=2, before=second["transfers"][-1]["id"])
    assert [t["amount"] for t in last["transfers"]] == [1] and last["more"] is False
    await sam.refused("bad_request", "wallet_history", limit=0)
    await sam.refused("bad_request", "wallet_history", limit=201)


async def test_check_ledger_passes_on_good_books_and_names_a_bad_balance(tmp_path: Path) -> None:
    """``chatshop-server --check-ledger`` exits 0 on a database whose balances match its
    transfers, and 1, naming the account, once a stored balance is changed behind its back."""
    db = tmp_path / "relay.db"
    running = RunningRelay(db)
    await running.start()
    sam, alice = await people(running.url, "sam", "alice")
    await sam.topup(5000)
    await sam.ok(
        "pay",
        thread_id=await direct(sam, alice),
        to="alice",
        amount=1234,
        currency=EUR,
        key=new_key(),
    )
    await running.stop()
    good = check_ledger(db)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "the books balance" in good.stdout

    tampered = tmp_path / "tampered.db"
    shutil.copy(db, tampered)
    conn = sqlite3.connect(tampered)
    with conn:
        conn.execute(
            "UPDATE ledger_accounts SET balance = balance + 1"
            " WHERE kind = 'wallet' AND user_id = ?",
            (alice.id,),
        )
    conn.close()
    bad = check_ledger(tampered)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "stores 1235 but its transfers give 1234" in bad.stdout
    assert "EUR balances sum to 1, not 0" in bad.stdout
