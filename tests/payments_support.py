"""Helpers for the payment tests: people with wallets, concurrent calls, the books check.

``Person`` wraps a ``RawClient`` so that many requests can be in flight on one connection at
once (``asyncio.gather`` over ``Person.call``): one reader at a time takes frames off the
socket, and each caller picks its own reply by id.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

from conftest import SERVER_SCRIPT, RawClient, RunningRelay, new_key, raw_user

EUR = "EUR"
_request_ids = itertools.count(1)


class Person:
    """A registered, logged-in account whose requests may overlap on one connection."""

    def __init__(self, client: RawClient) -> None:
        self.client = client
        self._reading = asyncio.Lock()

    @property
    def handle(self) -> str:
        handle: str = self.client.user["handle"]
        return handle

    @property
    def id(self) -> int:
        user_id: int = self.client.user["id"]
        return user_id

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.client.events

    async def call(self, type_: str, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        """Send a request and return its reply frame; safe to run concurrently."""
        request_id = f"p{next(_request_ids)}"
        await self.client.send_raw(json.dumps({"type": type_, "id": request_id, **fields}))
        while request_id not in self.client.replies:
            async with self._reading:
                if request_id not in self.client.replies:
                    await self.client.recv_frame(timeout)
        return self.client.replies.pop(request_id)

    async def ok(self, type_: str, **fields: Any) -> Any:
        """A request that must succeed: its data."""
        reply = await self.call(type_, **fields)
        assert reply["type"] == "result", reply
        return reply["data"]

    async def refused(self, code: str, type_: str, **fields: Any) -> dict[str, Any]:
        """A request that must fail with ``code``: the error frame."""
        reply = await self.call(type_, **fields)
        assert reply["type"] == "error" and reply["code"] == code, reply
        return reply

    async def wait_event(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
        """The first event matching ``predicate`` (no request may be in flight meanwhile)."""
        async with self._reading:
            return await self.client.wait_event(predicate, timeout)

    async def balance(self, currency: str = EUR) -> int:
        """What the wallet holds in ``currency`` (0 when it never held any)."""
        wallet = await self.ok("wallet")
        return sum(b["amount"] for b in wallet["balances"] if b["currency"] == currency)

    async def held(self, currency: str = EUR) -> int:
        """What a brand's orders hold for it in escrow, in ``currency``."""
        wallet = await self.ok("wallet")
        return sum(b["amount"] for b in wallet.get("held", []) if b["currency"] == currency)

    async def topup(self, amount: int, currency: str = EUR) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(
            "topup", amount=amount, currency=currency, key=new_key()
        )
        return result

    async def transfers(self) -> list[dict[str, Any]]:
        """Every transfer touching this wallet, newest first (all pages of wallet_history)."""
        found: list[dict[str, Any]] = []
        before = None
        while True:
            page = await self.ok("wallet_history", before=before, limit=200)
            found.extend(page["transfers"])
            if not page["more"]:
                return found
            before = page["transfers"][-1]["id"]

    async def close(self) -> None:
        await self.client.close()


async def people(url: str, *handles: str) -> list[Person]:
    """Registered accounts, one connection each."""
    return [Person(await raw_user(url, handle)) for handle in handles]


async def group(owner: Person, *members: Person, name: str = "friends") -> int:
    """A group of ``owner`` and ``members``; its thread id."""
    thread = await owner.ok("group_create", name=name, handles=[m.handle for m in members])
    thread_id: int = thread["id"]
    return thread_id


async def direct(a: Person, b: Person) -> int:
    """The direct thread of ``a`` and ``b``; its id."""
    thread_id: int = (await a.ok("dm_open", handle=b.handle))["id"]
    return thread_id


async def assert_books(running: RunningRelay) -> None:
    """The relay's own books check finds nothing wrong."""
    assert running.relay is not None
    assert await running.relay.stores.ledger.check_books() == []


def check_ledger(db_path: Path) -> subprocess.CompletedProcess[str]:
    """``chatshop-server --check-ledger`` on ``db_path`` (run while no relay writes to it)."""
    return subprocess.run(
        [str(SERVER_SCRIPT), "--check-ledger", "--db", str(db_path), "--log-level", "WARNING"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def card_event(message_id: int, **card_fields: Any) -> Any:
    """A predicate: a card event about message ``message_id`` whose card has ``card_fields``."""

    def match(event: dict[str, Any]) -> bool:
        if event["type"] != "card" or event["message"]["id"] != message_id:
            return False
        card = event["message"]["card"]
        return all(card.get(name) == value for name, value in card_fields.items())

    return match


def wallet_event(transfer_id: int) -> Any:
    """A predicate: the wallet event for transfer ``transfer_id``."""
    return lambda e: e["type"] == "wallet" and e["transfer"]["id"] == transfer_id
