"""Money limits: what one transfer may move, in minor units of its currency."""

from __future__ import annotations

import secrets

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import exponent


def transfer_limit(currency: str, max_major: int) -> int:
    """The relay's per-transfer limit (``--max-transfer``, in major units) in minor units."""
    return int(max_major * 10 ** exponent(currency))


DAY_MS = 24 * 3600 * 1000


def check_topup(
    amount: int, currency: str, *, topped_up: int, per_topup: int, per_day: int
) -> None:
    """A demo top-up of ``amount`` after ``topped_up`` in the last 24 hours, within limits."""
    check_amount(amount, currency, per_topup)
    if topped_up + amount > per_day:
        left = max(0, per_day - topped_up)
        raise ProtocolError(
            ErrorCode.LIMIT_EXCEEDED,
            f"demo top-ups are limited to {per_day} minor units of {currency} per account "
            f"per 24 hours; {left} are left",
        )


def check_amount(amount: int, currency: str, limit: int) -> None:
    """Refuse an amount that is not positive or is over ``limit`` minor units."""
    if amount <= 0:
        raise ProtocolError(ErrorCode.INVALID_AMOUNT, "the amount must be more than zero")
    if amount > limit:
        raise ProtocolError(
            ErrorCode.LIMIT_EXCEEDED,
            f"one transfer may move at most {limit} minor units of {currency}",
        )


def equal_shares(total: int, people: int) -> list[int]:
    """``total`` in ``people`` parts that differ by at most one minor unit and sum exactly."""
    base, remainder = divmod(total, people)
    return [base + (1 if i < remainder else 0) for i in range(people)]


def draw_allocations(total: int, count: int) -> list[int]:
    """Random shares of ``total`` for ``count`` people, each at least 1, summing exactly.

    The "double average" draw: each share is uniform in [1, 2 x the average still owed],
    capped so that everyone after gets at least one unit; the last takes the rest.
    """
    rng = secrets.SystemRandom()
    shares: list[int] = []
    remaining = total
    for left in range(count, 1, -1):
        ceiling = min(2 * remaining // left, remaining - (left - 1))
        share = rng.randint(1, max(1, ceiling))
        shares.append(share)
        remaining -= share
    shares.append(remaining)
    rng.shuffle(shares)
    return shares
