"""The pure-Python PNG decoder and the half-block renderer, on pictures made here."""

from __future__ import annotations

import struct
import zlib

import pytest
from rich.console import Console

from chatshop.tui.shop.images import (
    HalfBlocks,
    ImageCache,
    ImageError,
    decode_png,
    graphics_protocol,
    media_url,
    render_image,
)
from conftest import RunningRelay

Pixel = tuple[int, ...]
RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + data))
    return struct.pack(">I", len(data)) + kind + data + crc


def _filtered(kind: int, line: bytes, previous: bytes, channels: int) -> bytes:
    if kind == 1:
        return bytes(
            (line[i] - (line[i - channels] if i >= channels else 0)) & 0xFF
            for i in range(len(line))
        )
    if kind == 2:
        return bytes((line[i] - previous[i]) & 0xFF for i in range(len(line)))
    return line


def png(rows: list[list[Pixel]], colour: int = 2, filters: bytes = b"\x00") -> bytes:
    """A PNG of the pixel rows (RGB or RGBA), rows filtered in turn by ``filters``."""
    channels = 3 if colour == 2 else 4
    width, height = len(rows[0]), len(rows)
    raw = bytearray()
    previous = bytes(width * channels)
    for n, row in enumerate(rows):
        line = bytes(v for pixel in row for v in pixel)
        kind = filters[n % len(filters)]
        raw += bytes([kind]) + _filtered(kind, line, previous, channels)
        previous = line
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(raw)))
        + _chunk(b"IEND", b"")
    )


def test_decodes_rgb_with_filters() -> None:
    """RGB rows written with the None, Sub and Up filters decode to the same pixels."""
    rows: list[list[Pixel]] = [
        [RED, BLUE, GREEN],
        [WHITE, RED, BLUE],
        [GREEN, GREEN, RED],
        [BLUE, WHITE, WHITE],
    ]
    picture = decode_png(png(rows, filters=b"\x00\x01\x02"))
    assert (picture.width, picture.height) == (3, 4)
    assert [picture.at(x, y) for y in range(4) for x in range(3)] == [p for r in rows for p in r]


def test_decodes_rgba_over_black() -> None:
    """Alpha is composed over black."""
    picture = decode_png(png([[(255, 255, 255, 0), (200, 100, 50, 255)]], colour=6))
    assert picture.pixels == ((0, 0, 0), (200, 100, 50))


def test_refuses_what_it_cannot_decode() -> None:
    """Not a PNG, or a palette PNG: ImageError, and a placeholder box with the title."""
    with pytest.raises(ImageError):
        decode_png(b"GIF89a....")
    palette = png([[RED]]).replace(b"\x08\x02\x00", b"\x08\x03\x00", 1)
    with pytest.raises(ImageError):
        decode_png(palette)
    box = render_image(b"\xff\xd8jpeg", "Harbor [b]coat\x1b[31m", width=20)
    assert not isinstance(box, HalfBlocks)
    assert "Harbor [b]coat" in box.plain and "\x1b" not in box.plain
    assert box.plain.startswith("┌")


def test_half_blocks_carry_two_pixels_a_cell() -> None:
    """Top pixel as the foreground of ▀, bottom pixel as its background."""
    picture = decode_png(png([[RED, BLUE], [GREEN, WHITE]]))
    console = Console(width=10, color_system="truecolor", force_terminal=True)
    cells = [s for s in console.render(HalfBlocks(picture, width=2)) if s.text == "▀"]
    assert len(cells) == 2
    first, second = cells[0].style, cells[1].style
    assert first is not None and first.color is not None and first.bgcolor is not None
    assert first.color.triplet == RED and first.bgcolor.triplet == GREEN
    assert second is not None and second.bgcolor is not None
    assert second.bgcolor.triplet == WHITE


def test_graphics_detection_and_urls() -> None:
    """Kitty is detected from the environment; media paths map onto the relay's HTTP side."""
    assert graphics_protocol({"KITTY_WINDOW_ID": "1"}) == "kitty"
    assert graphics_protocol({"TERM": "xterm-256color"}) == "halfblocks"
    assert media_url("ws://127.0.0.1:8765", "/media/a.png") == "http://127.0.0.1:8765/media/a.png"
    assert (
        media_url("wss://relay.example/ws", "/media/a.png") == "https://relay.example/media/a.png"
    )


async def test_cache_fetches_once(relay: RunningRelay) -> None:
    """A missing picture is asked for once and remembered as missing."""
    cache = ImageCache(relay.url)
    path = "/media/" + "0" * 64 + ".png"
    assert await cache.fetch(path) is None
    assert cache.cached(path) is None
    assert media_url(relay.url, path) in cache._bytes
