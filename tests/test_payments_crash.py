"""Crash safety of money: SIGKILL the relay process in the middle of a burst of payments,
restart it on the same database, and check that nothing acknowledged was lost, nothing was
doubled, retries stay idempotent and the books still balance."""

from __future__ import annotations

import asyncio
import random
import signal
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed

from conftest import RelayProcess, resume
from payments_support import EUR, Person, check_ledger, group, people

ARGS = ("--host", "127.0.0.1", "--rate-limit", "0", "--log-level", "WARNING")
PAYERS = 4
PER_PAYER = 100
IN_FLIGHT = 12  # payments each payer has sent but not yet seen answered
KILL_AFTER = 150  # acknowledgements seen before the kill
START = 200_000


async def test_a_killed_relay_loses_no_acknowledged_payment_and_doubles_none(
    tmp_path: Path, relay_processes: list[RelayProcess]
) -> None:
    """Payments acknowledged before a SIGKILL exist exactly once after the restart; retrying
    every payment's key, acknowledged or not, creates at most the one missing transfer; and
    ``--check-ledger`` finds the books balanced both after the crash and at the end."""
    db = tmp_path / "relay.db"
    first = RelayProcess(db, *ARGS)
    relay_processes.append(first)
    await first.start()
    crowd = await people(first.url, *(f"payer{i}" for i in range(PAYERS)))
    thread_id = await group(crowd[0], *crowd[1:])
    for member in crowd:
        await member.topup(START)

    rng = random.Random(20240601)
    planned: dict[str, tuple[int, dict[str, Any]]] = {}  # key -> (payer index, pay fields)
    for payer in range(PAYERS):
        for n in range(PER_PAYER):
            payee = crowd[(payer + 1 + n % (PAYERS - 1)) % PAYERS]
            key = f"crash-{payer}-{n}"
            fields = {
                "thread_id": thread_id,
                "to": payee.handle,
                "amount": rng.randint(1, 500),
                "currency": EUR,
                "key": key,
            }
            planned[key] = (payer, fields)

    acknowledged: dict[str, dict[str, Any]] = {}  # key -> transfer
    windows = [asyncio.Semaphore(IN_FLIGHT) for _ in crowd]

    async def pay(key: str) -> None:
        payer, fields = planned[key]
        async with windows[payer]:
            reply = await crowd[payer].call("pay", **fields)
        assert reply["type"] == "result", reply
        acknowledged[key] = reply["data"]["transfer"]
        if len(acknowledged) == KILL_AFTER:
            first.signal(signal.SIGKILL)

    outcomes = await asyncio.gather(*(pay(key) for key in planned), return_exceptions=True)
    assert await first.wait() == -signal.SIGKILL
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(f, ConnectionClosed) for f in failures), failures
    assert KILL_AFTER <= len(acknowledged) < len(planned), "the kill did not land mid-burst"

    after_crash = check_ledger(db)
    assert after_crash.returncode == 0, after_crash.stdout + after_crash.stderr

    second = RelayProcess(db, *ARGS)
    relay_processes.append(second)
    await second.start()
    back = [Person(await resume(second.url, m.client.token, None)) for m in crowd]

    # Every acknowledged payment is in the payer's history, once, as acknowledged.
    histories = [await person.transfers() for person in back]
    for key, transfer in acknowledged.items():
        payer, fields = planned[key]
        matches = [t for t in histories[payer] if t["id"] == transfer["id"]]
        assert matches == [transfer], (key, matches)
        assert transfer["amount"] == fields["amount"]

    # Retrying every key: acknowledged ones replay their transfer; the others either replay
    # a transfer committed before the kill or make the one transfer that was missing.
    async def retry(key: str) -> dict[str, Any]:
        payer, fields = planned[key]
        result: dict[str, Any] = await back[payer].ok("pay", **fields)
        return result

    retries = dict(zip(planned, await asyncio.gather(*map(retry, planned)), strict=True))
    settled = {key: result["transfer"]["id"] for key, result in retries.items()}
    for key, transfer in acknowledged.items():
        assert retries[key]["replayed"] is True
        assert retries[key]["transfer"]["short_id"] == transfer["short_id"]
    for key, again in zip(planned, await asyncio.gather(*map(retry, planned)), strict=True):
        assert again["replayed"] is True and again["transfer"]["id"] == settled[key]

    histories = [await person.transfers() for person in back]
    payments = [t for history in histories for t in history if t["kind"] == "payment"]
    outgoing = sorted(t["id"] for t in payments if t["direction"] == "out")
    assert outgoing == sorted(settled.values())
    total_paid = sum(fields["amount"] for _, fields in planned.values())
    assert sum(t["amount"] for t in payments if t["direction"] == "out") == total_paid
    balances = [await person.balance() for person in back]
    assert sum(balances) == PAYERS * START

    second.signal(signal.SIGTERM)
    assert await second.wait() == 0
    at_rest = check_ledger(db)
    assert at_rest.returncode == 0, at_rest.stdout + at_rest.stderr
