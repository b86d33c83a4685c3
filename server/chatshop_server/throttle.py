"""Password guessing slowed down without locking the real owner out.

Failed logins are counted three ways over a sliding window:

- per account and address: after ``free`` failures, every further attempt from that address
  waits, and the wait doubles with each failure (1 s, 2 s, 4 s ... up to ``ceiling``);
- per address, any account: the same past ``free_per_address`` failures, against one
  address trying many accounts;
- per account, any address: the same past ``free_per_account`` failures, against many
  addresses trying one account. An address that has logged into the account before is
  exempt from this one, so an attacker elsewhere cannot lock its owner out.

A throttled attempt is answered ``rate_limited`` with ``retry_after`` before its password
is checked, so guesses cost the relay no argon2 work. A success clears the account-and-
address count and remembers the address. State is in memory, per relay process.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop_server.clock import Clock, now_ms


@dataclass(slots=True)
class _Record:
    failures: deque[int] = field(default_factory=deque)  # times (ms) within the window
    blocked_until: int = 0


class LoginThrottle:
    """Counts failed logins and says when the next attempt may come (see module docstring)."""

    def __init__(
        self,
        *,
        clock: Clock = now_ms,
        window_ms: int = 15 * 60 * 1000,
        free: int = 5,
        free_per_address: int = 20,
        free_per_account: int = 50,
        ceiling_ms: int = 15 * 60 * 1000,
        max_tracked: int = 100_000,
    ) -> None:
        self._clock = clock
        self._window = window_ms
        self._free = {"pair": free, "address": free_per_address, "account": free_per_account}
        self._ceiling = ceiling_ms
        self._max_tracked = max_tracked
        self._records: dict[tuple[str, str], _Record] = {}
        self._known: dict[str, set[str]] = {}  # account -> addresses that logged in
        self.failures = 0  # wrong passwords since start, for /healthz
        self.throttled = 0  # attempts refused unchecked since start

    def _keys(self, account: str, address: str) -> list[tuple[str, str]]:
        keys = [("pair", f"{account}\n{address}"), ("address", address)]
        if address not in self._known.get(account, ()):
            keys.append(("account", account))
        return keys

    def check(self, account: str, address: str) -> None:
        """Raise ``rate_limited`` if ``address`` must wait before trying ``account`` again."""
        now = self._clock()
        wait = 0
        for key in self._keys(account.lower(), address):
            record = self._records.get(key)
            if record is not None and record.blocked_until > now:
                wait = max(wait, record.blocked_until - now)
        if wait:
            self.throttled += 1
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                "too many failed logins; wait before trying again",
                retry_after=round(wait / 1000, 3),
            )

    def failed(self, account: str, address: str) -> None:
        """Count one failed attempt; past the free ones, block for a doubling wait."""
        now = self._clock()
        self.failures += 1
        if len(self._records) >= self._max_tracked:
            self._forget_stale(now)
        for key in self._keys(account.lower(), address):
            record = self._records.setdefault(key, _Record())
            record.failures.append(now)
            while record.failures and record.failures[0] <= now - self._window:
                record.failures.popleft()
            over = len(record.failures) - self._free[key[0]]
            if over >= 0:
                delay = min(self._ceiling, 1000 * 2 ** min(over, 20))
                record.blocked_until = max(record.blocked_until, now + delay)

    def succeeded(self, account: str, address: str) -> None:
        """A correct password: clear this address's count and trust it for the account."""
        account = account.lower()
        self._records.pop(("pair", f"{account}\n{address}"), None)
        self._known.setdefault(account, set()).add(address)

    def _forget_stale(self, now: int) -> None:
        stale = [
            key
            for key, record in self._records.items()
            if record.blocked_until <= now
            and (not record.failures or record.failures[-1] <= now - self._window)
        ]
        for key in stale:
            del self._records[key]
