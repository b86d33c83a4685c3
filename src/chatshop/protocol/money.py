"""Currencies and amounts: integer minor units with an ISO 4217 code.

Amounts never travel or rest as floats. A currency's minor-unit exponent (2 for EUR, 0 for
JPY, 3 for KWD and IQD) comes from the ``iso4217`` package, which tracks the ISO 4217
maintenance agency's list, not from a hand-kept table. (CLDR, as shipped with Babel, gives
the digits used for cash in practice instead: 0 for RSD and IQD, which would make the
ledger's minor units differ from the standard's.)
"""

from __future__ import annotations

import functools
from decimal import Decimal

from iso4217 import Currency

from chatshop.protocol.errors import ErrorCode, ProtocolError


@functools.cache
def active_currencies() -> dict[str, int]:
    """Current ISO 4217 codes with a minor unit, mapped to its exponent.

    Codes without a minor unit (gold, SDR, the test and "no currency" codes) are not money
    a wallet can hold.
    """
    return {c.code: c.exponent for c in Currency if c.exponent is not None}


def check_currency(code: str) -> str:
    """Return ``code`` if it is an active ISO 4217 currency, else ``unknown_currency``."""
    if code not in active_currencies():
        raise ProtocolError(ErrorCode.UNKNOWN_CURRENCY, f"{code!r} is not a currency we know")
    return code


def exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (2 for EUR, 0 for JPY)."""
    return active_currencies()[check_currency(currency)]


def to_minor(major: Decimal, currency: str) -> int:
    """``Decimal("12.50")`` EUR -> 1250; refuses more decimals than the currency has."""
    scaled = major.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ProtocolError(
            ErrorCode.INVALID_AMOUNT,
            f"{currency} amounts have at most {exponent(currency)} decimals",
        )
    return int(scaled)


def to_major(amount: int, currency: str) -> Decimal:
    """1250 EUR -> ``Decimal("12.50")``."""
    return Decimal(amount).scaleb(-exponent(currency))


def format_money(amount: int, currency: str) -> str:
    """Render an amount from its structured fields only: "EUR 12.50" style, never from text.

    The ISO code, not a symbol, leads: symbols are ambiguous ("$") and the code cannot be
    spoofed by lookalike characters in a note.
    """
    digits = exponent(currency)
    return f"{currency} {to_major(amount, currency):,.{digits}f}"
