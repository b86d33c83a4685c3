"""Pictures from the relay's HTTP side (``GET /media/...``), fetched once and kept in memory.

The websocket carries only paths; the bytes come over plain HTTP from the same host.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx

# Limits
MAX_IMAGE_BYTES = 2**22
# Timeouts
FETCH_TIMEOUT = 5.0


def media_url(ws_url: str, path: str) -> str:
    """The HTTP address of a relay media path, from the relay's websocket URL."""
    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


class ImageCache:
    """Pictures fetched from the relay, kept in memory by URL (failures cached as ``None``)."""

    def __init__(self, ws_url: str) -> None:
        self.ws_url = ws_url
        self._bytes: dict[str, bytes | None] = {}

    def cached(self, path: str) -> bytes | None:
        return self._bytes.get(media_url(self.ws_url, path))

    async def fetch(self, path: str) -> bytes | None:
        """The picture's bytes, fetched once; ``None`` when it cannot be had."""
        url = media_url(self.ws_url, path)
        if url in self._bytes:
            return self._bytes[url]
        data: bytes | None = None
        try:
            async with httpx.AsyncClient(timeout=FETCH_TIMEOUT) as http:
                reply = await http.get(url)
            if reply.status_code == 200 and len(reply.content) <= MAX_IMAGE_BYTES:
                data = reply.content
        except httpx.HTTPError:
            data = None
        self._bytes[url] = data
        return data
