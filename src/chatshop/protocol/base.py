"""Base classes of frames: a request with its one reply, and a pushed event.

Kept apart from the frame catalogue so that feature modules (payments, shopping) can define
their frames without importing the catalogue that lists them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, TypeVar, get_args

import msgspec

#: The struct a request's result decodes into.
R = TypeVar("R", bound=msgspec.Struct)

#: Ids, sequence numbers and cursors: non-negative and exact in every JSON implementation.
Count = Annotated[int, msgspec.Meta(ge=0, le=2**53 - 1)]
#: How many items one page of history may hold (``limits.MAX_HISTORY_PAGE``).
PageSize = Annotated[int, msgspec.Meta(ge=1, le=200)]


class Ok(msgspec.Struct, frozen=True, kw_only=True):
    """An empty result for requests that only succeed or fail."""


class Request(
    msgspec.Struct, Generic[R], tag_field="type", kw_only=True, forbid_unknown_fields=True
):
    """Base of every client request: an ``id`` echoed in the one reply it gets.

    A request names the struct its result decodes into as its type argument
    (``class Send(Request[Message], tag="send")``); ``result_type`` holds it at run time,
    and the relay's handler registry checks the handler returns it.
    """

    id: int | str
    result_type: ClassVar[type[msgspec.Struct]] = Ok
    needs_auth: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        for base in getattr(cls, "__orig_bases__", ()):
            args = get_args(base)
            if args and isinstance(args[0], type):
                cls.result_type = args[0]


class Event(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    """Base of pushed events. ``cursor`` orders one account's stream; absent for ephemera
    (typing), which are never stored or replayed."""

    cursor: int | None = None
    example: ClassVar[dict[str, Any]] = {}
