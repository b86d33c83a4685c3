"""Base classes of frames: a request with its one reply, and a pushed event.

Kept apart from the frame catalogue so that feature modules (payments, shopping) can define
their frames without importing the catalogue that lists them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec

#: Ids, sequence numbers and cursors: non-negative and exact in every JSON implementation.
Count = Annotated[int, msgspec.Meta(ge=0, le=2**53 - 1)]
#: How many items one page of history may hold (``limits.MAX_HISTORY_PAGE``).
PageSize = Annotated[int, msgspec.Meta(ge=1, le=200)]


class Ok(msgspec.Struct, frozen=True, kw_only=True):
    """An empty result for requests that only succeed or fail."""


class Request(msgspec.Struct, tag_field="type", kw_only=True, forbid_unknown_fields=True):
    """Base of every client request: an ``id`` echoed in the one reply it gets."""

    id: int | str
    result_type: ClassVar[type[msgspec.Struct]] = Ok
    needs_auth: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {}


class Event(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    """Base of pushed events. ``cursor`` orders one account's stream; absent for ephemera
    (typing), which are never stored or replayed."""

    cursor: int | None = None
    example: ClassVar[dict[str, Any]] = {}
