"""Retail barcodes: EAN-13 and UPC-A numbers with their check digit.

A UPC-A code (12 digits) is an EAN-13 code with a leading zero, so the relay stores and
compares every barcode as 13 digits: ``036000291452`` and ``0036000291452`` are one product.
"""

from __future__ import annotations

from chatshop.protocol.errors import ErrorCode, ProtocolError


def check_digit(body: str) -> int:
    """The GS1 check digit of ``body`` (the digits before it, 11 or 12 of them).

    Weights alternate 3 and 1 from the rightmost digit of the body leftwards.
    """
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid(code: str) -> bool:
    """True for a 13-digit EAN-13 or 12-digit UPC-A code with a correct check digit."""
    return (
        len(code) in (12, 13)
        and code.isascii()
        and code.isdigit()
        and check_digit(code[:-1]) == int(code[-1])
    )


def normalize(code: str) -> str:
    """The 13-digit form of a valid code, else ``invalid_barcode``.

    Spaces and hyphens people copy from a box are ignored: ``4 006381 333931``.
    """
    digits = code.replace(" ", "").replace("-", "")
    if not is_valid(digits):
        shown = code if len(code) <= 32 else code[:32] + "..."
        raise ProtocolError(
            ErrorCode.INVALID_BARCODE,
            f"{shown!r} is not an EAN-13 (13 digits) or UPC-A (12 digits) code "
            "with a correct check digit",
        )
    return digits.zfill(13)
