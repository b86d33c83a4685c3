"""Product pictures in the terminal: a pure-Python PNG decoder and a half-block renderer.
The pictures come from the relay's HTTP side through :mod:`chatshop.client.media`.

Only 8-bit RGB / RGBA, non-interlaced PNGs are decoded (what the relay's demo pictures are);
anything else is drawn as a placeholder box with the product's title. Each terminal cell
shows two pixels: the upper one as the foreground of ``▀``, the lower one as its background.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from chatshop import safetext
from chatshop.client.media import ImageCache, media_url

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Limits
MAX_PIXELS = 2**22

Pixel = tuple[int, int, int]


class ImageError(ValueError):
    """The bytes are not a picture this module can decode."""


@dataclass(frozen=True)
class Picture:
    """Decoded pixels, row-major, RGB (alpha composed over black)."""

    width: int
    height: int
    pixels: tuple[Pixel, ...]

    def at(self, x: int, y: int) -> Pixel:
        return self.pixels[y * self.width + x]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> Picture:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG; ``ImageError`` for anything else."""
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError("not a PNG")
    pos = len(PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    idat = bytearray()
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ImageError("truncated chunk")
        pos += 12 + length
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            break
    if header is None:
        raise ImageError("no IHDR")
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise ImageError(f"unsupported PNG (depth {depth}, colour type {colour})")
    if width == 0 or height == 0 or width * height > MAX_PIXELS:
        raise ImageError("unsupported size")
    channels = 3 if colour == 2 else 4
    stride = width * channels
    try:
        raw = zlib.decompressobj().decompress(bytes(idat), (stride + 1) * height + 1)
    except zlib.error as exc:
        raise ImageError("bad image data") from exc
    if len(raw) < (stride + 1) * height:
        raise ImageError("truncated image data")
    previous = bytearray(stride)
    pixels: list[Pixel] = []
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
            elif kind != 0:
                raise ImageError(f"bad filter {kind}")
        for x in range(width):
            p = x * channels
            r, g, b = line[p], line[p + 1], line[p + 2]
            if channels == 4:
                alpha = line[p + 3]
                r, g, b = r * alpha // 255, g * alpha // 255, b * alpha // 255
            pixels.append((r, g, b))
        previous = line
    return Picture(width, height, tuple(pixels))


def scaled(picture: Picture, width: int, height: int) -> Picture:
    """Nearest-neighbour resize to ``width`` x ``height`` pixels."""
    pixels = tuple(
        picture.at(x * picture.width // width, y * picture.height // height)
        for y in range(height)
        for x in range(width)
    )
    return Picture(width, height, pixels)


class HalfBlocks:
    """A Rich renderable drawing a picture ``width`` cells wide with ``▀`` (two pixels a cell).

    The height keeps the picture's aspect ratio (cells are about twice as tall as wide)."""

    def __init__(self, picture: Picture, width: int = 16) -> None:
        self.width = max(1, width)
        rows = max(1, round(picture.height * self.width / picture.width / 2))
        self.picture = scaled(picture, self.width, rows * 2)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        picture = self.picture
        for y in range(0, picture.height, 2):
            for x in range(picture.width):
                top, bottom = picture.at(x, y), picture.at(x, y + 1)
                yield Segment(
                    "▀",
                    Style(
                        color="rgb({},{},{})".format(*top), bgcolor="rgb({},{},{})".format(*bottom)
                    ),
                )
            yield Segment.line()


def placeholder(title: str, width: int = 16, height: int = 4) -> Text:
    """A box of ``width`` x ``height`` cells holding the (sanitized) title."""
    inner = max(1, width - 2)
    name = safetext.clean_line(title)[:inner]
    lines = ["┌" + "─" * inner + "┐"]
    for row in range(max(0, height - 2)):
        body = name if row == (height - 2) // 2 else ""
        lines.append("│" + body.center(inner) + "│")
    lines.append("└" + "─" * inner + "┘")
    return Text("\n".join(lines), style="dim")


def render_image(data: bytes | None, title: str, width: int = 16) -> HalfBlocks | Text:
    """The picture as half-blocks, or a placeholder when it cannot be decoded."""
    if data is not None:
        try:
            return HalfBlocks(decode_png(data), width)
        except ImageError:
            pass
    return placeholder(title, width)


def graphics_protocol(environ: dict[str, str]) -> str:
    """``kitty`` when the terminal speaks the Kitty graphics protocol, else ``halfblocks``.

    Only half-blocks are drawn for now; this tells where a richer renderer could plug in."""
    if environ.get("KITTY_WINDOW_ID") or "kitty" in environ.get("TERM", ""):
        return "kitty"
    return "halfblocks"


__all__ = ["HalfBlocks", "ImageCache", "ImageError", "decode_png", "media_url", "render_image"]
