"""Currencies and amounts: integer minor units with an ISO 4217 code, from CLDR via Babel.

Amounts never travel or rest as floats. A currency's minor-unit exponent (2 for EUR, 0 for
JPY, 3 for KWD) comes from Babel's copy of the Unicode CLDR, not from a hand-kept list.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, get_currency_precision, get_territory_currencies

from chatshop.protocol.errors import ErrorCode, ProtocolError


@functools.cache
def active_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (CLDR territory data)."""
    codes: set[str] = set()
    for territory in Locale("en").territories:
        if isinstance(territory, str) and len(territory) == 2 and territory.isalpha():
            codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(codes)


def check_currency(code: str) -> str:
    """Return ``code`` if it is an active ISO 4217 currency, else ``unknown_currency``."""
    if code not in active_currencies():
        raise ProtocolError(ErrorCode.UNKNOWN_CURRENCY, f"{code!r} is not a currency we know")
    return code


def exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (2 for EUR, 0 for JPY)."""
    return int(get_currency_precision(currency))


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


def format_money(amount: int, currency: str, *, locale: str = "en_US") -> str:
    """Render an amount from its structured fields only: "EUR 12.50" style, never from text.

    The ISO code, not a symbol, leads: symbols are ambiguous ("$") and the code cannot be
    spoofed by lookalike characters in a note.
    """
    digits = exponent(currency)
    number = format_decimal(
        to_major(amount, currency),
        format="#,##0" + ("." + "0" * digits if digits else ""),
        locale=locale,
    )
    return f"{currency} {number}"
