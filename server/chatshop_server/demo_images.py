"""Small PNG pictures for the demo catalogue, drawn with the standard library alone.

A PNG is a signature and three chunks (IHDR, IDAT, IEND), each with its CRC-32; the pixels
are zlib-compressed rows, each starting with filter byte 0. That is all ``png`` needs.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

RGB = tuple[int, int, int]
SIZE = 64


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixel: Callable[[int, int], RGB]) -> bytes:
    """An 8-bit RGB PNG whose pixel (x, y) is ``pixel(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _inside(shape: str, x: float, y: float) -> bool:
    """Whether (x, y), both in 0..1, falls in a simple silhouette of ``shape``."""
    if shape == "coat":
        body = 0.25 <= x <= 0.75 and 0.2 <= y <= 0.9
        sleeves = (0.12 <= x < 0.25 or 0.75 < x <= 0.88) and 0.25 <= y <= 0.75
        lapel = abs(x - 0.5) < (0.45 - y) * 0.6 and y < 0.45
        return (body or sleeves) and not lapel
    if shape == "shirt":
        return (0.28 <= x <= 0.72 and 0.2 <= y <= 0.88) or (
            (0.15 <= x < 0.28 or 0.72 < x <= 0.85) and 0.22 <= y <= 0.45
        )
    if shape == "trousers":
        return 0.3 <= x <= 0.7 and 0.12 <= y <= 0.9 and not (0.47 < x < 0.53 and y > 0.4)
    if shape == "scarf":
        return (0.2 <= x <= 0.8 and 0.3 <= y <= 0.42) or (0.55 <= x <= 0.67 and 0.3 <= y <= 0.9)
    if shape == "round":
        return (x - 0.5) ** 2 + (y - 0.55) ** 2 <= 0.09
    if shape == "shoe":
        return (0.15 <= x <= 0.85 and 0.55 <= y <= 0.72) or (0.15 <= x <= 0.5 and 0.38 <= y < 0.55)
    if shape == "bag":
        handle = 0.03 <= (x - 0.5) ** 2 + (y - 0.35) ** 2 <= 0.045 and y < 0.35
        return handle or (0.25 <= x <= 0.75 and 0.35 <= y <= 0.85)
    return 0.25 <= x <= 0.75 and 0.25 <= y <= 0.75


def product_picture(shape: str, colour: RGB, background: RGB = (238, 234, 226)) -> bytes:
    """A 64x64 picture: ``shape`` in ``colour``, lit from the top, on a soft background."""

    def pixel(x: int, y: int) -> RGB:
        fx, fy = (x + 0.5) / SIZE, (y + 0.5) / SIZE
        if _inside(shape, fx, fy):
            return _mix(colour, (255, 255, 255), 0.25 * (1 - fy))
        return _mix(background, (200, 196, 188), fy * 0.5)

    return png(SIZE, SIZE, pixel)
