"""Password hashing with argon2id, off the event loop, and session tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# A fixed hash to verify against when the handle does not exist, so that a login for an
# unknown handle costs as much as one for a known handle (no user enumeration by timing).
_DUMMY_PASSWORD = "chatshop-dummy-password"


class Passwords:
    """argon2id hashing; ``fast=True`` lowers the cost for tests (still argon2id)."""

    def __init__(self, *, fast: bool = False, concurrency: int = 2) -> None:
        self._hasher = (
            PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
            if fast
            else PasswordHasher()
        )
        self._slots = asyncio.Semaphore(concurrency)  # bounds memory: 64 MiB per hash
        self._dummy = self._hasher.hash(_DUMMY_PASSWORD)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored_hash, password)

    def _verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and (
                stored_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    """A session token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Only this digest is stored, so a database leak does not leak live sessions."""
    return hashlib.sha256(token.encode()).hexdigest()
