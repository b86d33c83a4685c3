"""Encoding and strict decoding of frames, with failures mapped to stable error codes.

Decoders are built once at import: msgspec compiles a validator per type, so decoding a
request costs about a microsecond and allocates only the resulting struct.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import AnyRequest, Error, Request, Result, ServerFrame

_request_decoder = msgspec.json.Decoder(AnyRequest)
_server_decoder = msgspec.json.Decoder(ServerFrame)
_loose_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()

T = TypeVar("T")

# msgspec refuses a JSON escape of a lone surrogate ("\ud800"), sometimes as if the input
# were cut short; recognising it lets the client hear ``invalid_text``, not ``bad_request``.
# A \u escape counts only after an even run of backslashes ("\\ud800" is text).
_U_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u([0-9a-fA-F]{4})")


def _has_lone_surrogate_escape(text: str) -> bool:
    high_end: int | None = None  # where a high-surrogate escape still waiting for its pair ends
    for match in _U_ESCAPE.finditer(text):
        code = int(match.group(1), 16)
        if 0xDC00 <= code <= 0xDFFF:
            if high_end != match.start():
                return True
            high_end = None
            continue
        if high_end is not None:
            return True
        if 0xD800 <= code <= 0xDBFF:
            high_end = match.end()
    return high_end is not None


# When a frame cannot be parsed at all, its id is still worth finding for the error reply.
_ID_FIELD = re.compile(r'"id"\s*:\s*(-?\d{1,18}|"[^"\\]{0,64}")')


def encode(obj: Any) -> bytes:
    """Encode any frame, struct or plain value as compact JSON."""
    return _encoder.encode(obj)


def nesting_depth(raw: bytes | str) -> int:
    """How deeply arrays and objects nest in a JSON text (strings are skipped)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def too_deep(raw: bytes | str) -> bool:
    """Whether ``raw`` nests deeper than ``limits.MAX_NESTING`` (cheap unless it might)."""
    if isinstance(raw, bytes):
        brackets = raw.count(b"[") + raw.count(b"{")
    else:
        brackets = raw.count("[") + raw.count("{")
    return brackets > limits.MAX_NESTING and nesting_depth(raw) > limits.MAX_NESTING


def request_id_of(raw: bytes | str) -> int | str | None:
    """Best effort: the ``id`` of a frame that failed to decode, so its error can be matched.

    A frame nested deeper than the limit is not parsed (the parser would recurse as deep);
    its id is looked for in the text instead.
    """
    try:
        if too_deep(raw):
            raise msgspec.DecodeError("too deep")
        value = _loose_decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeError):
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        match = _ID_FIELD.search(text)
        if match is None:
            return None
        found = match.group(1)
        return found[1:-1] if found.startswith('"') else int(found)
    if isinstance(value, dict):
        rid = value.get("id")
        if isinstance(rid, (int, str)) and not isinstance(rid, bool):
            return rid
    return None


def decode_request(raw: bytes | str) -> Request[Any]:
    """Decode one client frame, raising ``ProtocolError(bad_request)`` with a precise reason."""
    if too_deep(raw):
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"the frame nests arrays and objects deeper than {limits.MAX_NESTING} levels",
        )
    try:
        return _request_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"invalid frame: {exc}") from None
    except (msgspec.DecodeError, UnicodeError) as exc:
        # The code follows from the input, never from the library's wording of the failure.
        reason = invalid_text_reason(raw)
        if reason is not None:
            raise ProtocolError(ErrorCode.INVALID_TEXT, f"invalid text: {reason}") from None
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"malformed JSON: {exc}") from None


def invalid_text_reason(raw: bytes | str) -> str | None:
    """Why a frame that failed to parse is bad *text* rather than bad JSON, if it is."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"the frame is not valid UTF-8 (byte {exc.start})"
    else:
        text = raw
        if _LONE_SURROGATE.search(text):
            return "the frame holds a lone surrogate"
    if _has_lone_surrogate_escape(text):
        return "a \\u escape names a lone surrogate"
    return None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_server_frame(raw: bytes | str) -> ServerFrame:
    """Decode one relay frame (client side)."""
    return _server_decoder.decode(raw)


def convert_result(data: Any, result_type: type[T]) -> T:
    """Turn a result's ``data`` into the request's declared result struct."""
    return msgspec.convert(data, result_type)


def result_frame(request_id: int | str, data: Any) -> bytes:
    """A ``result`` reply as bytes."""
    return _encoder.encode(Result(id=request_id, data=data))


def error_frame(request_id: int | str | None, error: ProtocolError) -> bytes:
    """An ``error`` reply as bytes."""
    return _encoder.encode(
        Error(
            id=request_id,
            code=error.code.value,
            message=error.message,
            retry_after=error.retry_after,
        )
    )


def events_frame(encoded_events: list[bytes]) -> bytes:
    """Join already-encoded events into one ``events`` frame without re-encoding them."""
    return b'{"type":"events","events":[' + b",".join(encoded_events) + b"]}"


def with_cursor(cursor: int, encoded_event: bytes) -> bytes:
    """Prefix a stored event body (``{"type":...}``) with its per-user cursor."""
    return b'{"cursor":' + str(cursor).encode() + b"," + encoded_event[1:]
