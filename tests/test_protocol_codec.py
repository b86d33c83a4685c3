"""Strict decoding, error mapping and text validation of the wire protocol (no relay needed)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatshop.protocol import frames
from chatshop.protocol.codec import (
    convert_result,
    decode_request,
    decode_server_frame,
    encode,
    error_frame,
    events_frame,
    invalid_text_reason,
    nesting_depth,
    request_id_of,
    result_frame,
    with_cursor,
)
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.limits import MAX_NAME_CHARS, MAX_TEXT_CHARS
from chatshop.protocol.models import Message, User
from chatshop.protocol.text import check_text

REQUESTS = frames.REQUEST_TYPES
EVENTS = frames.EVENT_TYPES


def _id(cls: type) -> str:
    return cls.__name__


def _refusal(raw: bytes | str) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        decode_request(raw)
    return caught.value


# --------------------------------------------------------------------------- decode errors


@pytest.mark.parametrize(
    ("raw", "request_id"),
    [
        (b'{"type":"ping","id":7', 7),  # truncated JSON: the id is still found
        (b"", None),
        (b"not json", None),
        (b"[1, 2]", None),
        (b'"ping"', None),
        (b'{"type":"ping","id":7}{"x":1}', 7),  # trailing data
        (b'{"type":"no_such_frame","id":7}', 7),
        (b'{"id":"abc"}', "abc"),  # no type at all
        (b'{"type":"send","id":8,"thread_id":3}', 8),  # missing fields
        (b'{"type":"ping","id":true}', None),  # a bool is not an id
        (b'{"type":"ping","id":1.5}', None),
        (b'{"type":"ping","id":null}', None),
        (b'{"type":"ping","id":[1]}', None),
        (b'{"type":"thread","id":"q-9","thread_id":"3"}', "q-9"),
        (b'{"type":"ping","id":9,"extra":1}', 9),
    ],
)
def test_decode_errors_are_bad_request_with_the_id_recovered(
    raw: bytes, request_id: int | str | None
) -> None:
    """Every undecodable frame is bad_request, and request_id_of finds its id when it has one."""
    assert _refusal(raw).code is ErrorCode.BAD_REQUEST
    assert request_id_of(raw) == request_id


def test_error_reply_for_a_bad_frame_echoes_its_id() -> None:
    """The relay's error reply for a bad frame carries the id request_id_of recovered."""
    raw = b'{"type":"send","id":"s-1","thread_id":3,"key":"k"}'
    reply = decode_server_frame(error_frame(request_id_of(raw), _refusal(raw)))
    assert isinstance(reply, frames.Error)
    assert (reply.id, reply.code) == ("s-1", "bad_request")
    assert "text" in reply.message


@pytest.mark.parametrize("cls", REQUESTS, ids=_id)
def test_unknown_fields_are_refused(cls: type[frames.Request[Any]]) -> None:
    """A field the struct does not define is bad_request, naming the field."""
    error = _refusal(encode({**cls.example, "surprise": 1}))
    assert error.code is ErrorCode.BAD_REQUEST
    assert "surprise" in error.message


@pytest.mark.parametrize("cls", REQUESTS, ids=_id)
def test_wrong_types_are_refused(cls: type[frames.Request[Any]]) -> None:
    """Every field of every request refuses a value of the wrong type, naming its path."""
    for name in cls.example:
        if name == "type":
            continue
        error = _refusal(encode({**cls.example, name: [[{}]]}))
        assert error.code is ErrorCode.BAD_REQUEST
        assert f"$.{name}" in error.message


@pytest.mark.parametrize("cls", REQUESTS, ids=_id)
def test_missing_required_fields_are_refused(cls: type[frames.Request[Any]]) -> None:
    """Dropping any required field (the id included) is bad_request."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        if field.required:
            frame = {k: v for k, v in cls.example.items() if k != field.encode_name}
            assert _refusal(encode(frame)).code is ErrorCode.BAD_REQUEST


def test_request_tags_do_not_decode_as_other_requests() -> None:
    """A frame tagged with an event-only or server-only type is not a request."""
    for tag in ("result", "error", "events", "message", "contact"):
        assert _refusal(encode({"type": tag, "id": 1})).code is ErrorCode.BAD_REQUEST


def test_a_nul_escape_decodes_for_check_text_to_refuse() -> None:
    """JSON "\\u0000" decodes; it is check_text that refuses it."""
    request = decode_request(b'{"type":"send","id":1,"thread_id":3,"text":"a\\u0000","key":"k"}')
    assert isinstance(request, frames.Send)
    with pytest.raises(ProtocolError) as caught:
        check_text(request.text, field="text", max_chars=MAX_TEXT_CHARS)
    assert caught.value.code is ErrorCode.INVALID_TEXT


def test_invalid_utf8_in_a_string_is_invalid_text() -> None:
    """Bytes that are not UTF-8 inside a string are refused as invalid_text."""
    assert _refusal(b'{"type":"ping","id":"\xed\xa0\x80"}').code is ErrorCode.INVALID_TEXT


def test_a_lone_surrogate_escape_is_invalid_text() -> None:
    """JSON "\\ud800" cannot become a Python str worth storing: invalid_text, id recovered."""
    raw = b'{"type":"send","id":5,"thread_id":3,"text":"\\ud800","key":"k"}'
    assert _refusal(raw).code is ErrorCode.INVALID_TEXT
    assert request_id_of(raw) == 5


def test_request_id_of_survives_invalid_utf8() -> None:
    """request_id_of never raises on invalid UTF-8; the id is still found."""
    assert request_id_of(b'{"type":"ping","id":7,"x":"\xff"}') == 7


# --------------------------------------------------------------------------- check_text

HOSTILE_BUT_VALID = [
    "[red]x[/red]",
    "[@click=app.quit]press me[/]",
    "[/",
    "[TODO] plan",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;new window title\x07",
    "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066isolate\u2069",
    "zero\u200bwidth",
    "tab\tand\r\nnewlines",
    "\x7f\x08\x0c",
    "e\u0301",  # combining accent, not normalised
    "🍕👩‍👩‍👧",
    "\U0010fffd",
]


@pytest.mark.parametrize("value", HOSTILE_BUT_VALID)
def test_check_text_keeps_hostile_but_valid_text_exactly(value: str) -> None:
    """Markup, escape sequences, bidi overrides and odd code points come back unchanged."""
    assert check_text(value, field="text", max_chars=MAX_TEXT_CHARS) is value


@pytest.mark.parametrize("value", HOSTILE_BUT_VALID)
def test_hostile_text_survives_the_wire_unchanged(value: str) -> None:
    """A send carrying such text decodes to exactly the text sent, escaped or not."""
    for ensure_ascii in (True, False):
        frame = {"type": "send", "id": 1, "thread_id": 3, "text": value, "key": "k"}
        raw = json.dumps(frame, ensure_ascii=ensure_ascii).encode()
        request = decode_request(raw)
        assert isinstance(request, frames.Send)
        assert request.text == value


@pytest.mark.parametrize(
    "value",
    [
        "a\x00b",
        json.loads('"\\ud800"'),  # a lone high surrogate, as a lenient JSON parser gives it
        json.loads('"x\\udfff"'),  # a lone low surrogate
        json.loads('"\\udc00\\ud800"'),  # two surrogates in the wrong order
        "\ufffe",
        "\uffff",
    ],
)
def test_check_text_refuses_nul_surrogates_and_noncharacters(value: str) -> None:
    """NUL, lone surrogates and U+FFFE/U+FFFF are invalid_text."""
    with pytest.raises(ProtocolError) as caught:
        check_text(value, field="text", max_chars=MAX_TEXT_CHARS)
    assert caught.value.code is ErrorCode.INVALID_TEXT


def test_check_text_counts_code_points() -> None:
    """The limit is in code points: MAX_TEXT_CHARS four-byte characters pass, one more fails."""
    at_limit = "🍕" * MAX_TEXT_CHARS
    assert check_text(at_limit, field="text", max_chars=MAX_TEXT_CHARS) is at_limit
    with pytest.raises(ProtocolError) as caught:
        check_text(at_limit + "x", field="text", max_chars=MAX_TEXT_CHARS)
    assert caught.value.code is ErrorCode.TOO_LARGE
    assert str(MAX_TEXT_CHARS) in caught.value.message


def test_check_text_refuses_blank_unless_allowed() -> None:
    """Empty or blank text is bad_request, unless the caller allows empty text."""
    for value in ("", " ", "\n\t"):
        with pytest.raises(ProtocolError) as caught:
            check_text(value, field="name", max_chars=MAX_NAME_CHARS)
        assert caught.value.code is ErrorCode.BAD_REQUEST
    assert check_text("", field="name", max_chars=MAX_NAME_CHARS, allow_empty=True) == ""


# --------------------------------------------------------------------------- encoders


@pytest.mark.parametrize("cls", EVENTS, ids=_id)
def test_with_cursor_and_events_frame_round_trip(cls: type[frames.Event]) -> None:
    """A stored event body, prefixed with its cursor and batched, decodes to the same event."""
    stored = {k: v for k, v in cls.example.items() if k != "cursor"}
    event = msgspec.convert(stored, frames.AnyEvent)
    body = encode(event)
    assert b'"cursor"' not in body  # omitted while unset
    stamped = with_cursor(1_000_000_007, body)
    assert msgspec.json.decode(stamped)["cursor"] == 1_000_000_007
    frame = decode_server_frame(events_frame([stamped, body]))
    assert isinstance(frame, frames.Events)
    assert frame.events == [msgspec.structs.replace(event, cursor=1_000_000_007), event]


def test_events_frame_keeps_order_and_accepts_an_empty_batch() -> None:
    """Events keep the order they were joined in; an empty batch is still a valid frame."""
    bodies = [with_cursor(n, encode(e)) for n, e in ((5, _typing()), (3, _typing()))]
    frame = decode_server_frame(events_frame(bodies))
    assert isinstance(frame, frames.Events)
    assert [e.cursor for e in frame.events] == [5, 3]
    assert decode_server_frame(events_frame([])) == frames.Events(events=[])


def _typing() -> frames.TypingEvent:
    return frames.TypingEvent(thread_id=3, user_id=2)


def test_result_frame_round_trips_through_convert_result() -> None:
    """result_frame + decode_server_frame + convert_result gives back the result struct."""
    message = Message(id=1, thread_id=3, seq=1, sender_id=2, text="[b]hi[/b]", created_at=0)
    frame = decode_server_frame(result_frame("r-1", message))
    assert isinstance(frame, frames.Result)
    assert frame.id == "r-1"
    assert convert_result(frame.data, frames.Send.result_type) == message
    user = User(id=2, handle="alice", display_name="Alice")
    auth = frames.AuthResult(token="t", user=user, cursor=0)
    frame = decode_server_frame(result_frame(2, auth))
    assert isinstance(frame, frames.Result)
    assert convert_result(frame.data, frames.AuthResult) == auth


def test_error_frame_carries_code_message_and_retry_after() -> None:
    """error_frame encodes the stable code, the message and retry_after."""
    error = ProtocolError(ErrorCode.RATE_LIMITED, "slow down", retry_after=0.25)
    frame = decode_server_frame(error_frame(None, error))
    assert frame == frames.Error(
        id=None, code="rate_limited", message="slow down", retry_after=0.25
    )


# --------------------------------------------------------------------------- properties

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters() | st.characters(categories=["Cs"])),  # lone surrogates too
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _tags() -> list[str]:
    return [str(c.__struct_config__.tag) for c in REQUESTS]


@st.composite
def near_frames(draw: st.DrawFn) -> dict[str, Any]:
    """A request example with some fields replaced, dropped or added: close to valid."""
    example = dict(draw(st.sampled_from([c.example for c in REQUESTS])))
    keys = st.sampled_from([*example, "id", "type", "extra"])
    for key in draw(st.lists(keys, max_size=3)):
        example[key] = draw(JSON_VALUES | st.sampled_from(_tags()))
    for key in draw(st.lists(st.sampled_from(list(example)), max_size=2)):
        example.pop(key, None)
    return example


def _assert_request_or_bad_request(raw: bytes | str, *, check_id: bool = True) -> None:
    try:
        request = decode_request(raw)
    except ProtocolError as exc:
        assert exc.code in (ErrorCode.BAD_REQUEST, ErrorCode.INVALID_TEXT)
    else:
        assert isinstance(request, frames.Request)
        assert type(request) in REQUESTS
    if check_id:
        rid = request_id_of(raw)
        assert rid is None or (isinstance(rid, (int, str)) and not isinstance(rid, bool))


@given(value=JSON_VALUES | near_frames(), ensure_ascii=st.booleans())
def test_decode_request_on_any_json_value_gives_a_request_or_bad_request(
    value: Any, ensure_ascii: bool
) -> None:
    """Any JSON document decodes to a Request or raises ProtocolError(bad_request), nothing else."""
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    if not ensure_ascii:
        try:
            text.encode()
        except UnicodeEncodeError:  # raw lone surrogates cannot travel in a text frame
            text = json.dumps(value)
    _assert_request_or_bad_request(text.encode())
    _assert_request_or_bad_request(text)


@given(raw=st.text().map(str.encode))
def test_decode_request_on_any_utf8_text_gives_a_request_or_bad_request(raw: bytes) -> None:
    """Arbitrary UTF-8 text (what a websocket text frame can carry) never escapes the codec."""
    _assert_request_or_bad_request(raw)


@given(
    raw=st.binary()
    | st.builds(lambda junk: b'{"type":"ping","id":"' + junk + b'"}', st.binary(min_size=1))
)
def test_decode_request_on_arbitrary_bytes_gives_a_request_or_bad_request(raw: bytes) -> None:
    """Arbitrary bytes, valid UTF-8 or not, decode to a Request or raise bad_request."""
    _assert_request_or_bad_request(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"type":"ping","id":"\xed\xa0\x80"}', "not valid UTF-8"),
        (b'{"type":"ping","id":"\xff"}', "not valid UTF-8"),
        ('{"type":"ping","id":"\\ud800"}', "lone surrogate"),
        ('{"type":"ping","id":"\\udc00\\ud800"}', "lone surrogate"),
        ('{"type":"ping","id":"\\\\ud800"', None),  # an escaped backslash: text, cut short
        ('{"type":"ping","id":"\\ud83d\\ude00"', None),  # a pair, cut short: bad JSON
        (b'{"type":"ping",', None),
    ],
)
def test_invalid_text_is_told_from_the_input_not_the_library_message(
    raw: bytes | str, reason: str | None
) -> None:
    """Whether a frame is bad text or bad JSON follows from its bytes alone."""
    found = invalid_text_reason(raw)
    assert (found is None) == (reason is None)
    if reason is not None:
        assert found is not None and reason in found


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a":[[1],[2]]}', 3),
        ('{"a":"[[[[{{{{"}', 1),  # brackets inside a string are text
        ('{"a":"\\\\","b":[1]}', 2),  # an escaped backslash ends before the quote
        ('{"a":"\\"[[","b":[1]}', 2),  # an escaped quote does not end the string
    ],
)
def test_nesting_depth_skips_strings(text: str, depth: int) -> None:
    """Depth counts arrays and objects, never brackets inside strings."""
    assert nesting_depth(text) == depth


def test_frames_nested_deeper_than_the_limit_are_bad_requests() -> None:
    """A frame deeper than MAX_NESTING is refused before it is parsed, and the id of such a
    frame is still found for the error reply (the parser would recurse that deep)."""
    deep = "[" * 5000 + "]" * 5000
    error = _refusal(deep.encode())
    assert error.code is ErrorCode.BAD_REQUEST and "deeper than 32" in error.message
    assert request_id_of(f'{{"type":"ping","id":7,"x":{deep}}}') == 7
    assert _refusal(b'{"type":"ping","id":1,"x":' + b"[" * 32 + b"]" * 32 + b"}").code is (
        ErrorCode.BAD_REQUEST
    )
