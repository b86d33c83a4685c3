"""Product images: stored content-addressed next to the database, served over plain HTTP.

An image is named by the SHA-256 of its bytes (``/media/<sha256>.png``), so a path never
changes meaning: responses are cacheable forever (``immutable``) and the hash is the ETag.
Uploads are recognised by their first bytes (PNG, JPEG, WebP), never by a name or a claimed
type, and the file type decides the extension and the ``Content-Type`` served.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import struct
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.shop_models import (
    MediaResult,
)

MEDIA_ROUTE = re.compile(r"/media/([0-9a-f]{64})\.(png|jpg|webp)")
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
CACHE_FOREVER = "public, max-age=31536000, immutable"


def sniff(data: bytes) -> str | None:
    """The extension of an image by its magic bytes: ``png``, ``jpg``, ``webp``, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_image(data: bytes, *, max_bytes: int = limits.MAX_MEDIA_BYTES) -> str:
    """The extension of an acceptable upload, else ``unsupported_media``.

    Beyond the magic number the file's structure is walked to its end (PNG chunks and their
    CRCs up to IEND, JPEG segments up to the scan and the end marker, WebP's RIFF chunks), so
    a picture's header followed by HTML or a script is refused, not served as an image.
    """
    if len(data) > max_bytes:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_MEDIA, f"an image holds at most {max_bytes} bytes"
        )
    ext = sniff(data)
    if ext is None:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_MEDIA, "only PNG, JPEG and WebP images are accepted"
        )
    problem = {"png": _png_problem, "jpg": _jpeg_problem, "webp": _webp_problem}[ext](data)
    if problem is not None:
        raise ProtocolError(ErrorCode.UNSUPPORTED_MEDIA, f"not a well-formed image: {problem}")
    return ext


def _png_problem(data: bytes) -> str | None:
    at, first = 8, True
    while at + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            return "a PNG chunk runs past the end of the file"
        body = data[at + 4 : at + 8 + length]
        (crc,) = struct.unpack_from(">I", data, at + 8 + length)
        if zlib.crc32(body) != crc:
            return f"the CRC of PNG chunk {kind!r} is wrong"
        if first and kind != b"IHDR":
            return "a PNG starts with IHDR"
        first = False
        if kind == b"IEND":
            return None if end == len(data) else "bytes follow the PNG's IEND chunk"
        at = end
    return "the PNG has no IEND chunk"


def _jpeg_problem(data: bytes) -> str | None:
    if not data.endswith(b"\xff\xd9"):
        return "a JPEG ends with its EOI marker"
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return "a JPEG segment does not start with a marker"
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the end marker
            return None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            at += 2
            continue
        (length,) = struct.unpack_from(">H", data, at + 2)
        if length < 2:
            return "a JPEG segment has an impossible length"
        at += 2 + length
    return "the JPEG has no image data"


def _webp_problem(data: bytes) -> str | None:
    (size,) = struct.unpack_from("<I", data, 4)
    if size + 8 != len(data):
        return "the WebP's RIFF size does not match the file"
    at, first = 12, True
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (length,) = struct.unpack_from("<I", data, at + 4)
        if first and kind not in (b"VP8 ", b"VP8L", b"VP8X"):
            return "a WebP starts with a VP8, VP8L or VP8X chunk"
        first = False
        at += 8 + length + (length & 1)
    return None if at == len(data) and not first else "the WebP's chunks do not fit the file"


class MediaStore:
    """A folder of content-addressed images."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, sha256: str, ext: str) -> Path:
        return self.directory / f"{sha256}.{ext}"

    def exists(self, url: str) -> bool:
        match = MEDIA_ROUTE.fullmatch(url)
        return match is not None and self._path(match[1], match[2]).is_file()

    def path_of(self, data: bytes) -> str:
        """Where ``data`` is stored once saved (``unsupported_media`` if it is no image)."""
        ext = check_image(data)
        return f"/media/{hashlib.sha256(data).hexdigest()}.{ext}"

    def remove(self, url: str) -> None:
        """Delete a stored image (an upload nothing refers to)."""
        match = MEDIA_ROUTE.fullmatch(url)
        if match is not None:
            self._path(match[1], match[2]).unlink(missing_ok=True)

    def save_sync(self, data: bytes) -> MediaResult:
        """Store ``data`` (checked) and return its path; storing it again changes nothing."""
        ext = check_image(data)
        sha256 = hashlib.sha256(data).hexdigest()
        target = self._path(sha256, ext)
        if not target.is_file():
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return MediaResult(
            url=f"/media/{sha256}.{ext}",
            sha256=sha256,
            content_type=CONTENT_TYPES[ext],
            size=len(data),
        )

    async def save(self, data: bytes) -> MediaResult:
        return await asyncio.to_thread(self.save_sync, data)

    async def response(self, request: Request) -> Response:
        """The HTTP answer to ``GET /media/...``."""
        path = request.path.split("?", 1)[0]
        match = MEDIA_ROUTE.fullmatch(path)
        if match is None:
            return _plain(HTTPStatus.NOT_FOUND, b"no such image\n")
        sha256, ext = match[1], match[2]
        etag = f'"{sha256}"'
        headers = [
            ("Content-Type", CONTENT_TYPES[ext]),
            ("Cache-Control", CACHE_FOREVER),
            ("ETag", etag),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(
                HTTPStatus.NOT_MODIFIED.value, HTTPStatus.NOT_MODIFIED.phrase, Headers(headers)
            )
        try:
            body = await asyncio.to_thread(self._path(sha256, ext).read_bytes)
        except FileNotFoundError:
            return _plain(HTTPStatus.NOT_FOUND, b"no such image\n")
        headers.append(("Content-Length", str(len(body))))
        return Response(HTTPStatus.OK.value, HTTPStatus.OK.phrase, Headers(headers), body)


def _plain(status: HTTPStatus, body: bytes) -> Response:
    headers = Headers(
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
    )
    return Response(status.value, status.phrase, headers, body)


# --------------------------------------------------------------------------- staging


@dataclass(slots=True)
class _Staged:
    parts: list[Any] = field(default_factory=list)
    size: int = 0
    touched: float = field(default_factory=time.monotonic)


class Staging:
    """Parts of chunked uploads and imports, kept between frames per account and key.

    What is not finished within ``ttl`` seconds is dropped; an account holds at most
    ``max_keys`` unfinished uploads or imports at once.
    """

    def __init__(self, *, ttl: float = 600.0, max_keys: int = 8) -> None:
        self._ttl = ttl
        self._max_keys = max_keys
        self._staged: dict[tuple[int, str, str], _Staged] = {}

    def add(self, owner: int, kind: str, key: str, part: Any, size: int, limit: int) -> int:
        """Keep ``part``; return the size so far, refusing ``too_large`` over ``limit``."""
        self._expire()
        slot = (owner, kind, key)
        staged = self._staged.get(slot)
        if staged is None:
            if sum(1 for o, _, _ in self._staged if o == owner) >= self._max_keys:
                raise ProtocolError(
                    ErrorCode.RATE_LIMITED,
                    f"at most {self._max_keys} unfinished uploads or imports at once",
                    retry_after=self._ttl,
                )
            staged = self._staged[slot] = _Staged()
        if staged.size + size > limit:
            del self._staged[slot]
            raise ProtocolError(ErrorCode.TOO_LARGE, f"over the limit of {limit}; start again")
        staged.parts.append(part)
        staged.size += size
        staged.touched = time.monotonic()
        return staged.size

    def take(self, owner: int, kind: str, key: str) -> list[Any]:
        """Every part kept under ``key`` (and forget them)."""
        staged = self._staged.pop((owner, kind, key), None)
        return [] if staged is None else staged.parts

    def drop(self, owner: int, kind: str, key: str) -> None:
        self._staged.pop((owner, kind, key), None)

    def _expire(self) -> None:
        limit = time.monotonic() - self._ttl
        for slot in [s for s, staged in self._staged.items() if staged.touched < limit]:
            del self._staged[slot]


@dataclass(frozen=True, slots=True)
class ShopServices:
    """What the shopping handlers keep outside the database: images and unfinished parts."""

    media: MediaStore
    staging: Staging = field(default_factory=Staging)
