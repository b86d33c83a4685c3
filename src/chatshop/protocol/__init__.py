"""The chatshop wire protocol: frames, codes, limits. Sans-I/O: no sockets, no UI."""

from chatshop.protocol.codec import (
    convert_result,
    decode_request,
    decode_server_frame,
    encode,
    error_frame,
    events_frame,
    request_id_of,
    result_frame,
    with_cursor,
)
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.limits import PROTOCOL_VERSION
from chatshop.protocol.models import Contact, Limits, Message, Thread, User
from chatshop.protocol.session import CloseCode

__all__ = [
    "PROTOCOL_VERSION",
    "CloseCode",
    "Contact",
    "ErrorCode",
    "Limits",
    "Message",
    "ProtocolError",
    "Thread",
    "User",
    "convert_result",
    "decode_request",
    "decode_server_frame",
    "encode",
    "error_frame",
    "events_frame",
    "request_id_of",
    "result_frame",
    "with_cursor",
]
