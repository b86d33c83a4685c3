"""The committed protocol docs match the code, and every documented example is a valid frame."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import jsonschema
import msgspec
import pytest
from tools.docgen import (
    MARKDOWN_NAME,
    REGENERATE_COMMAND,
    SCHEMA_NAME,
    generated_files,
    main,
    render_markdown,
)

from chatshop.protocol import frames, models
from chatshop.protocol.codec import decode_request, decode_server_frame, encode
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.limits import MAX_FRAME_BYTES, PROTOCOL_VERSION
from chatshop.protocol.schema import (
    ANY_EVENT,
    CLIENT_FRAME,
    FIELD_NOTES,
    SERVER_FRAME,
    definition_names,
    example_of,
    field_note,
    protocol_schema,
    record_types,
    render_schema,
    server_frame_types,
    tag_of,
)
from chatshop.protocol.session import CloseCode

DOCS = Path(__file__).resolve().parents[1] / "docs"
REQUESTS = frames.REQUEST_TYPES
EVENTS = frames.EVENT_TYPES
SERVER_FRAMES = server_frame_types()


def _id(cls: type) -> str:
    return cls.__name__


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return protocol_schema()


@pytest.fixture(scope="module")
def markdown() -> str:
    return render_markdown()


def _validator(schema: dict[str, Any], definition: str) -> Any:
    """A validator for one ``$defs`` entry of the protocol schema."""
    sub = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(sub)


# --------------------------------------------------------------------------- committed files


@pytest.mark.parametrize("name", [MARKDOWN_NAME, SCHEMA_NAME])
def test_committed_docs_are_current(name: str) -> None:
    """docs/protocol.md and docs/protocol.schema.json are exactly what the generator writes."""
    path = DOCS / name
    committed = path.read_text(encoding="utf-8") if path.is_file() else None
    if committed != generated_files()[name]:
        pytest.fail(f"{path} is out of date; regenerate with: {REGENERATE_COMMAND}")


def test_generation_is_deterministic() -> None:
    """Two runs produce the same bytes; the schema is sorted JSON ending in a newline."""
    first, second = generated_files(), generated_files()
    assert first == second
    text = first[SCHEMA_NAME]
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert first[MARKDOWN_NAME].endswith("\n")
    assert not first[MARKDOWN_NAME].endswith("\n\n")


def test_check_mode_reports_stale_files_with_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check exits 1 naming the regenerate command until the files are written."""
    assert main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert REGENERATE_COMMAND in capsys.readouterr().err
    assert main(["--docs-dir", str(tmp_path)]) == 0
    assert main(["--check", "--docs-dir", str(tmp_path)]) == 0
    (tmp_path / MARKDOWN_NAME).write_text("edited by hand\n", encoding="utf-8")
    assert main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert f"{MARKDOWN_NAME} is out of date" in capsys.readouterr().err


# --------------------------------------------------------------------------- definitions


def test_unions_list_the_same_frames_as_the_type_lists() -> None:
    """The codec decodes exactly the frames the docs describe (AnyRequest/AnyEvent vs the lists)."""
    assert set(get_args(frames.AnyRequest)) == set(REQUESTS)
    assert set(get_args(frames.AnyEvent)) == set(EVENTS)
    assert len(set(REQUESTS)) == len(REQUESTS)
    assert len(set(EVENTS)) == len(EVENTS)


@pytest.mark.parametrize("cls", [*REQUESTS, *EVENTS, *SERVER_FRAMES], ids=_id)
def test_every_frame_has_a_docstring_and_an_example_of_its_own_type(cls: type) -> None:
    """Each frame documents itself and its example carries its own tag."""
    assert (cls.__doc__ or "").strip(), f"{cls.__name__} has no docstring"
    example = example_of(cls)
    assert example, f"{cls.__name__} has no example"
    assert example["type"] == tag_of(cls)


def test_field_notes_name_real_fields() -> None:
    """No note in schema.FIELD_NOTES outlives a renamed or removed field."""
    classes: list[type[msgspec.Struct]] = [*REQUESTS, *EVENTS, *SERVER_FRAMES, *record_types()]
    by_name = {cls.__name__: cls for cls in classes}
    groups: dict[str, list[type[msgspec.Struct]]] = {
        "request": list(REQUESTS),
        "event": list(EVENTS),
    }
    for key in FIELD_NOTES:
        owner, field = key.split(".")
        candidates = groups.get(owner) or ([by_name[owner]] if owner in by_name else [])
        assert candidates, f"FIELD_NOTES[{key!r}]: no class {owner}"
        assert any(field in c.__struct_fields__ for c in candidates), f"{key} is not a field"


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("cls", REQUESTS, ids=_id)
def test_request_examples_decode_into_their_class(cls: type[frames.Request[Any]]) -> None:
    """decode_request(encode(example)) gives the example's own class, and survives a round trip."""
    request = decode_request(encode(example_of(cls)))
    assert type(request) is cls
    assert decode_request(encode(request)) == request


@pytest.mark.parametrize("cls", EVENTS, ids=_id)
def test_event_examples_convert_into_their_class(cls: type[frames.Event]) -> None:
    """msgspec.convert(example, AnyEvent) gives the example's own class."""
    event = msgspec.convert(example_of(cls), frames.AnyEvent)
    assert type(event) is cls
    assert msgspec.convert(msgspec.json.decode(encode(event)), frames.AnyEvent) == event


@pytest.mark.parametrize("cls", SERVER_FRAMES, ids=_id)
def test_server_frame_examples_decode_into_their_class(cls: type[msgspec.Struct]) -> None:
    """decode_server_frame(encode(example)) gives the example's own class."""
    assert type(decode_server_frame(encode(example_of(cls)))) is cls


def test_result_example_holds_its_request_result() -> None:
    """The result example's data is a Message, as `send` (whose id it echoes) returns."""
    result = decode_server_frame(encode(frames.Result.example))
    assert isinstance(result, frames.Result)
    sent = decode_request(encode(frames.Send.example))
    assert result.id == sent.id
    assert isinstance(msgspec.convert(result.data, frames.Send.result_type), models.Message)


# --------------------------------------------------------------------------- schema


def test_schema_is_a_valid_2020_12_schema(schema: dict[str, Any]) -> None:
    """The generated document is itself valid JSON Schema 2020-12."""
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["x-protocol-version"] == PROTOCOL_VERSION
    assert {CLIENT_FRAME, SERVER_FRAME, ANY_EVENT} <= set(schema["$defs"])


@pytest.mark.parametrize("cls", [*REQUESTS, *SERVER_FRAMES], ids=_id)
def test_frame_examples_validate_against_the_schema(schema: dict[str, Any], cls: type) -> None:
    """Each frame example matches its own definition and exactly one top-level branch."""
    example = example_of(cls)
    _validator(schema, definition_names()[cls]).validate(example)
    jsonschema.Draft202012Validator(schema).validate(example)


@pytest.mark.parametrize("cls", EVENTS, ids=_id)
def test_event_examples_validate_against_the_schema(schema: dict[str, Any], cls: type) -> None:
    """Each event example matches its own definition and the AnyEvent union."""
    _validator(schema, definition_names()[cls]).validate(example_of(cls))
    _validator(schema, ANY_EVENT).validate(example_of(cls))


def test_schema_refuses_what_the_codec_refuses(schema: dict[str, Any]) -> None:
    """Unknown fields, missing fields and unknown types fail schema validation too."""
    client = _validator(schema, CLIENT_FRAME)
    for bad in (
        {**frames.Ping.example, "extra": 1},
        {"type": "send", "id": 1, "thread_id": 3},
        {"type": "no_such_frame", "id": 1},
        {**frames.Hello.example, "protocol": "1"},
    ):
        assert not client.is_valid(bad), bad


def test_request_definitions_name_result_and_auth(schema: dict[str, Any]) -> None:
    """Each request definition says which record it returns and whether it needs auth."""
    names = definition_names()
    for cls in REQUESTS:
        definition = schema["$defs"][names[cls]]
        assert definition["x-result-type"] == names[cls.result_type]
        assert definition["x-result-type"] in schema["$defs"]
        assert definition["x-needs-auth"] is cls.needs_auth


# --------------------------------------------------------------------------- markdown


def test_markdown_documents_every_frame_and_record(markdown: str) -> None:
    """Each request, event, server frame and record has its section and example."""
    for request in REQUESTS:
        assert f'<a id="request-{tag_of(request)}"></a>' in markdown
        assert f"**Class:** `{request.__name__}`" in markdown
    for event in EVENTS:
        assert f'<a id="event-{tag_of(event)}"></a>' in markdown
    for frame in SERVER_FRAMES:
        assert f'<a id="frame-{tag_of(frame)}"></a>' in markdown
    for record in record_types():
        assert f'<a id="record-{record.__name__.lower()}"></a>' in markdown
    assert json.dumps(frames.Hello.example) in markdown


def test_markdown_lists_codes_and_limits(markdown: str) -> None:
    """Every error code, every close code and the frame limit appear in the document."""
    for code in ErrorCode:
        assert f"| `{code.value}` |" in markdown
    for name, value in vars(CloseCode).items():
        if name.isupper():
            assert f"| {value} | `{name}` |" in markdown
    assert f"| `MAX_FRAME_BYTES` | `{MAX_FRAME_BYTES}` |" in markdown
    assert "## A session by hand" in markdown
    assert "python -m websockets ws://127.0.0.1:8765" in markdown


def test_links_point_to_anchors(markdown: str) -> None:
    """Every in-page link targets an explicit anchor or a heading."""
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', markdown))
    for heading in re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE):
        anchors.add(re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-"))
    for target in re.findall(r"\]\(#([^)]+)\)", markdown):
        assert target in anchors, target


# --------------------------------------------------------------------------- new frames


class Shout(frames.Request[frames.Ok], tag="shout"):
    """Say something to every member of a thread at once."""

    thread_id: int
    text: str
    example = {"type": "shout", "id": 1, "thread_id": 3, "text": "hey"}


class Wave(frames.Event, tag="wave"):
    """Someone waved."""

    user_id: int
    example = {"type": "wave", "cursor": 7, "user_id": 2}


def test_new_frames_are_picked_up_without_editing_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Adding a class to REQUEST_TYPES / EVENT_TYPES is enough for both generated files."""
    monkeypatch.setattr(frames, "REQUEST_TYPES", (*frames.REQUEST_TYPES, Shout))
    monkeypatch.setattr(frames, "EVENT_TYPES", (*frames.EVENT_TYPES, Wave))
    markdown = render_markdown()
    assert '<a id="request-shout"></a>' in markdown
    assert '<a id="event-wave"></a>' in markdown
    assert json.dumps(Shout.example) in markdown
    schema = json.loads(render_schema())
    assert {"$ref": "#/$defs/Shout"} in schema["$defs"][CLIENT_FRAME]["anyOf"]
    assert {"$ref": "#/$defs/Wave"} in schema["$defs"][ANY_EVENT]["anyOf"]
    _validator(schema, "Shout").validate(Shout.example)


def test_every_field_of_every_frame_and_record_has_a_meaning() -> None:
    """A stranger building a client finds what each field means: no empty Meaning cell."""
    classes: list[type[msgspec.Struct]] = [*REQUESTS, *EVENTS, *SERVER_FRAMES, *record_types()]
    missing = [
        f"{cls.__name__}.{name}"
        for cls in classes
        for name in cls.__struct_fields__
        if not field_note(cls, name)
    ]
    assert missing == []
