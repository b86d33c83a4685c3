"""The JSON Schema of the wire protocol, built from the msgspec structs in ``frames``/``models``.

The frame lists come from ``REQUEST_TYPES``, ``EVENT_TYPES`` and ``ServerFrame``, the records
from the requests' ``result_type`` and from ``models``, and ``msgspec.json.schema_components``
does the rest. Each definition is then annotated with its class ``example`` (the standard
``examples`` keyword), its properties with the ``FIELD_NOTES`` below (``description``), and
requests with ``x-result-type`` and ``x-needs-auth``. The output is deterministic: sorted
keys, two-space indent, trailing newline, and docstrings cleaned the same way on every Python
version.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Union, get_args

import msgspec
import msgspec.inspect

from chatshop.protocol import (
    cards,
    frames,
    limits,
    models,
    payment_frames,
    shop_frames,
    shop_models,
)
from chatshop.protocol.limits import PROTOCOL_VERSION

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CLIENT_FRAME = "ClientFrame"
SERVER_FRAME = "ServerFrame"
ANY_EVENT = "AnyEvent"

StructType = type[msgspec.Struct]

FIELD_NOTES: dict[str, str] = {
    # What each field means, for the schema's property descriptions and the docs' tables.
    # Keys: "Class.field", or "request.field" / "event.field" for every request / event.
    # The tests check that every key names a real field.
    "request.id": "Chosen by the client; the one reply to this request carries the same `id`.",
    "request.handle": "The other account's handle.",
    "request.thread_id": "A thread you are a member of (`Thread.id`).",
    "Hello.protocol": "The protocol version the client speaks.",
    "Hello.client": "Free-form name and version of the client, for the relay's logs.",
    "Register.handle": (
        f"{limits.MIN_HANDLE_CHARS} to {limits.MAX_HANDLE_CHARS} characters matching "
        f"`{limits.HANDLE_PATTERN}`; unique regardless of case."
    ),
    "Register.display_name": f"Up to {limits.MAX_NAME_CHARS} characters.",
    "Register.password": (
        f"{limits.MIN_PASSWORD_CHARS} to {limits.MAX_PASSWORD_CHARS} characters."
    ),
    "Register.kind": "The kind of account.",
    "Login.handle": "Your handle.",
    "Login.password": "Your password.",
    "Login.device": "Free-form label for this session's device.",
    "Auth.token": "The `token` of an earlier register, login or auth result.",
    "Auth.since": (
        "The last event cursor you processed: every stored event after it is replayed. "
        "Null or absent: no replay."
    ),
    "ChangePassword.old_password": "Your current password.",
    "ChangePassword.new_password": (
        f"{limits.MIN_PASSWORD_CHARS} to {limits.MAX_PASSWORD_CHARS} characters."
    ),
    "CreateGroup.name": f"Up to {limits.MAX_NAME_CHARS} characters.",
    "CreateGroup.handles": (
        f"The other members; a group holds at most {limits.MAX_GROUP_MEMBERS} members."
    ),
    "RenameGroup.name": f"Up to {limits.MAX_NAME_CHARS} characters.",
    "Send.text": f"Up to {limits.MAX_TEXT_CHARS} code points; stored exactly as sent.",
    "Send.key": (
        f"Idempotency key, up to {limits.MAX_KEY_CHARS} characters: fresh for every new "
        "message, the same when retrying one."
    ),
    "Send.reply_to": "The `id` of the message this one answers.",
    "Edit.message_id": "The `id` of your own message.",
    "Edit.text": f"The new text, up to {limits.MAX_TEXT_CHARS} code points.",
    "Delete.message_id": "The `id` of your own message.",
    "MarkRead.seq": "The `seq` of the last message you have read.",
    "GetHistory.before": "Only messages with a lower `seq`; null for the newest page.",
    "GetHistory.limit": f"Page size, at most {limits.MAX_HISTORY_PAGE}.",
    "Result.id": "The `id` of the request this answers.",
    "Result.data": "The request's result record (named in each request's section).",
    "Error.id": "The `id` of the request this answers; null when it could not be read.",
    "Error.code": "A stable [error code](#error-codes); branch on it.",
    "Error.message": "An explanation for people; do not parse it.",
    "Error.retry_after": "Seconds to wait before retrying (with `rate_limited`).",
    "Events.events": "One or more events, in cursor order.",
    "event.cursor": (
        "Position in your account's event stream: opaque, increasing, with gaps. "
        "Absent on ephemeral events."
    ),
    "event.thread_id": "The thread concerned (`Thread.id`).",
    "event.user_id": "The member concerned (`User.id`).",
    "event.message": "The message as it stands now.",
    "ReadEvent.seq": "The member's new read marker.",
    "ThreadEvent.thread": "The thread's new state.",
    "MemberEvent.user": "The member who joined or left.",
    "MemberEvent.change": "`added` or `removed` by someone, or `left` by themselves.",
    "MemberEvent.by": "The account that made the change (`User.id`).",
    "ContactEvent.contact": "Your relation with that account as it stands now.",
    "HelloResult.protocol": "The protocol version this connection speaks.",
    "HelloResult.server": "The relay software.",
    "HelloResult.version": "The relay software's version.",
    "HelloResult.limits": "The limits this relay enforces.",
    "AuthResult.token": "Session token: keep it to resume with `auth`.",
    "AuthResult.user": "Your account.",
    "AuthResult.cursor": "Your event stream's position when this session started.",
    "History.thread_id": "The thread (`Thread.id`).",
    "History.messages": "Ascending `seq`.",
    "History.more": "Whether older messages exist.",
    "UserResult.user": "The account's public profile.",
    "ContactList.contacts": "One entry per account you have a relation with.",
    "ThreadList.threads": "Most recent activity first.",
    "User.id": "Account id.",
    "User.handle": "Unique handle (unique regardless of case).",
    "User.display_name": "The name people see.",
    "User.kind": "A person, or a brand (a shop).",
    "Contact.user": "The other account.",
    "Contact.status": (
        "`friend`; `outgoing` (you asked) or `incoming` (they asked); `blocked` (by you); `none`."
    ),
    "Message.id": "Message id.",
    "Message.thread_id": "Its thread (`Thread.id`).",
    "Message.seq": "Position in its thread: one more than the previous message.",
    "Message.sender_id": "The author (`User.id`).",
    "Message.text": "Exactly as sent; empty once deleted.",
    "Message.created_at": "Milliseconds since the Unix epoch (UTC).",
    "Message.reply_to": "The `id` of the message this one answers.",
    "Message.edited_at": "Milliseconds since the Unix epoch of the last edit.",
    "Message.deleted": "True once deleted (the text is then empty).",
    "Thread.id": "Thread id.",
    "Thread.kind": "Direct (two people), group, or brand (a person and a shop).",
    "Thread.name": "The thread's name.",
    "Thread.owner_id": "The owner (`User.id`), or null when the thread has none.",
    "Thread.members": "Every member's public profile.",
    "Thread.last_seq": "The `seq` of the newest message.",
    "Thread.last_activity": "Milliseconds since the Unix epoch of the last activity.",
    "Thread.last_message": "The newest message, if any.",
    "Thread.unread": "Messages after your read marker.",
    "Thread.read_seq": "Your read marker: the last `seq` you have read.",
    "Limits.max_frame_bytes": "Largest frame accepted, in bytes (larger: close 1009).",
    "Limits.max_text_chars": "Longest message text, in code points.",
    "Limits.max_name_chars": "Longest display name or group name.",
    "Limits.max_group_members": "Most members in a group.",
    "Limits.max_history_page": "Largest `history` page.",
    "Limits.rate_per_second": "Sustained requests per second per connection.",
    "Limits.rate_burst": "Requests a connection may send at once before throttling.",
}

FIELD_NOTES.update(shop_frames.FIELD_NOTES)


def field_note(cls: type, name: str) -> str:
    """The note for one field, most specific key first."""
    keys = [f"{cls.__name__}.{name}"]
    if issubclass(cls, frames.Request):
        keys.append(f"request.{name}")
    if issubclass(cls, frames.Event):
        keys.append(f"event.{name}")
    return next((FIELD_NOTES[k] for k in keys if k in FIELD_NOTES), "")


def request_types() -> tuple[type[frames.Request], ...]:
    """Every client frame, in documentation order."""
    return frames.REQUEST_TYPES


def event_types() -> tuple[type[frames.Event], ...]:
    """Every pushed event, in documentation order."""
    return frames.EVENT_TYPES


def server_frame_types() -> tuple[StructType, ...]:
    """Every relay -> client frame (``result``, ``error``, ``events``)."""
    return tuple(get_args(frames.ServerFrame))


def record_types() -> tuple[StructType, ...]:
    """Result structs and domain models: everything that travels inside a frame.

    Result types come first in request order, then any struct defined in ``models``,
    ``cards``, ``payment_frames``, ``shop_models`` or ``shop_frames`` that no request
    returns (``Limits``, ``User``, the card kinds ...), in definition order.
    """
    seen: list[StructType] = []
    for request in request_types():
        if request.result_type not in seen:
            seen.append(request.result_type)
    for module in (models, cards, payment_frames, shop_models, shop_frames):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, msgspec.Struct)
                and value.__module__ == module.__name__
                and not issubclass(value, (frames.Request, frames.Event))
                and value not in seen
            ):
                seen.append(value)
    return tuple(seen)


def tag_of(cls: StructType) -> str:
    """The ``type`` tag of a tagged struct (request, event or server frame)."""
    tag = cls.__struct_config__.tag
    if not isinstance(tag, str):
        raise TypeError(f"{cls.__name__} has no string tag")
    return tag


def example_of(cls: type) -> dict[str, Any]:
    """The class's ``example`` ClassVar, or an empty dict."""
    example = getattr(cls, "example", None)
    return dict(example) if isinstance(example, dict) else {}


def clean_doc(cls: type) -> str:
    """The class docstring, dedented the same way on every Python version."""
    return inspect.cleandoc(cls.__doc__ or "")


def _union(types: tuple[type, ...]) -> Any:
    return Union[types]  # noqa: UP007 - built at run time from a tuple


def build_schema() -> tuple[dict[str, Any], dict[type, str]]:
    """The protocol schema, and the ``$defs`` name msgspec gave each struct class."""
    requests = request_types()
    server = server_frame_types()
    events = event_types()
    records = record_types()
    classes: list[type] = [*requests, *server, *events, *records]
    unions = [_union(requests), _union(server), _union(events)]
    schemas, defs = msgspec.json.schema_components(
        [*unions, *classes], ref_template="#/$defs/{name}"
    )
    client_schema, server_schema, event_schema = schemas[:3]
    names: dict[type, str] = {}
    for cls, ref in zip(classes, schemas[3:], strict=True):
        names[cls] = str(ref["$ref"]).rsplit("/", 1)[-1]
    for name, schema in ((CLIENT_FRAME, client_schema), (SERVER_FRAME, server_schema)):
        if name in defs:
            raise ValueError(f"a struct named {name} collides with a generated definition")
        defs[name] = schema
    if ANY_EVENT in defs:
        raise ValueError(f"a struct named {ANY_EVENT} collides with a generated definition")
    defs[ANY_EVENT] = event_schema
    defs[CLIENT_FRAME]["description"] = "Any frame a client sends: a request, tagged by `type`."
    defs[SERVER_FRAME]["description"] = "Any frame the relay sends: result, error or events."
    defs[ANY_EVENT]["description"] = "Any pushed event, as found in an `events` frame."

    for cls, name in names.items():
        definition = defs[name]
        doc = clean_doc(cls)
        if doc:
            definition["description"] = doc
        example = example_of(cls)
        if example:
            definition["examples"] = [example]
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            note = field_note(cls, field.name)
            if note:
                definition["properties"][field.encode_name]["description"] = note
        if issubclass(cls, frames.Request):
            definition["x-result-type"] = names[cls.result_type]
            definition["x-needs-auth"] = cls.needs_auth

    document: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "title": "chatshop wire protocol",
        "description": (
            "Every frame of the chatshop wire protocol: one JSON object per websocket text "
            "message. Generated by `python -m chatshop.protocol.docgen` from "
            "src/chatshop/protocol; do not edit."
        ),
        "x-protocol-version": PROTOCOL_VERSION,
        "oneOf": [
            {"$ref": f"#/$defs/{CLIENT_FRAME}"},
            {"$ref": f"#/$defs/{SERVER_FRAME}"},
        ],
        "$defs": defs,
    }
    return document, names


def protocol_schema() -> dict[str, Any]:
    """The protocol's JSON Schema (2020-12) document."""
    return build_schema()[0]


def definition_names() -> dict[type, str]:
    """The ``$defs`` name of every struct class in the schema."""
    return build_schema()[1]


def render_schema() -> str:
    """The schema as committed in ``docs/protocol.schema.json``."""
    return json.dumps(protocol_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
