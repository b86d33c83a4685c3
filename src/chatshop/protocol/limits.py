"""Documented limits of the wire protocol; the relay enforces them, clients may check early."""

from __future__ import annotations

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})

MAX_FRAME_BYTES = 2**16  # a larger frame closes the connection with 1009
MAX_TEXT_CHARS = 4000  # message text, in code points
MAX_NAME_CHARS = 64  # display names and group names
MIN_HANDLE_CHARS = 2
MAX_HANDLE_CHARS = 32
MIN_PASSWORD_CHARS = 4
MAX_PASSWORD_CHARS = 256
MAX_KEY_CHARS = 64  # idempotency keys
MAX_GROUP_MEMBERS = 256
MAX_HISTORY_PAGE = 200  # also the bound of base.PageSize
DEFAULT_HISTORY_PAGE = 50
REPLAY_BATCH = 500  # events per frame while a resumed connection catches up
DEFAULT_RATE_PER_SECOND = 50.0  # sustained requests per connection
DEFAULT_RATE_BURST = 100  # requests a connection may send at once before throttling

HANDLE_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
