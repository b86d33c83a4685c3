"""Write (or check) docs/openapi.json, the OpenAPI 3.1 document of the brand HTTP API.

    python -m tools.openapi            # regenerate it (``make docs`` does)
    python -m tools.openapi --check    # exit 1, naming the command, if it is stale

Everything comes from ``chatshop.protocol.http_api``: the paths from ``ENDPOINTS`` (the
relay builds its routes from the same list), the schemas from the msgspec structs of the
bodies and answers through ``msgspec.json.schema_components`` (the function the websocket
protocol's JSON Schema is made with, so ``Order`` or ``Message`` are the same there and
here), field meanings from ``http_api.FIELD_NOTES`` and the protocol's notes. OpenAPI 3.1
schemas are JSON Schema 2020-12, which is what msgspec writes. The output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect

import chatshop
from chatshop.protocol import cards, frames, http_api, models, shop_models
from chatshop.protocol.errors import ERROR_DESCRIPTIONS
from chatshop.protocol.http_api import ENDPOINTS, PREFIX, Endpoint, status_of
from chatshop.protocol.schema import clean_doc, field_note

REGENERATE_COMMAND = "make docs"
FILE_NAME = "openapi.json"
REF = "#/components/schemas/{name}"
_MODULES = (http_api, models, cards, shop_models, frames)
_PATH_PARAMETERS = {
    "brand": "The brand's handle; it must be the token's brand.",
    "customer": "The customer's handle; they must have allowed the brand's API.",
    "order_id": "One of the brand's orders (`Order.id`).",
}
_QUERY_PARAMETERS = {
    "before": "Only messages with a lower `seq` (the `seq` of the first message of the page "
    "you hold); absent: the newest page.",
    "limit": "Messages per page, 1 to 200 (default 50).",
}
_ERRORS = ("400", "401", "403", "404", "409", "413", "429")


def _classes() -> dict[str, type[msgspec.Struct]]:
    """The structs the document may name, by class name."""
    found: dict[str, type[msgspec.Struct]] = {}
    for module in _MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, msgspec.Struct):
                found.setdefault(value.__name__, value)
    return found


def _note(cls: type[msgspec.Struct], name: str) -> str:
    return http_api.FIELD_NOTES.get(f"{cls.__name__}.{name}") or field_note(cls, name)


def _schemas() -> dict[str, Any]:
    """Every body and answer, and what they contain, annotated with docstrings and notes."""
    roots = list(http_api.RECORD_TYPES)
    roots += [e.answer for e in ENDPOINTS if e.answer not in roots]
    _, defs = msgspec.json.schema_components(roots, ref_template=REF)
    classes = _classes()
    for name, definition in defs.items():
        cls = classes.get(name)
        if cls is None:
            continue
        doc = clean_doc(cls)
        if doc:
            definition["description"] = doc
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            note = _note(cls, field.name)
            if note and field.encode_name in definition.get("properties", {}):
                definition["properties"][field.encode_name]["description"] = note
    return dict(sorted(defs.items()))


def _ref(cls: type[msgspec.Struct]) -> dict[str, str]:
    return {"$ref": REF.format(name=cls.__name__)}


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", endpoint.path):
        kind = {"type": "integer", "minimum": 0} if name == "order_id" else {"type": "string"}
        found.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": _PATH_PARAMETERS[name],
                "schema": kind,
            }
        )
    for name in endpoint.query:
        found.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": _QUERY_PARAMETERS[name],
                "schema": {"type": "integer", "minimum": 0 if name == "before" else 1},
            }
        )
    if endpoint.method == "POST":
        found.append({"$ref": "#/components/parameters/IdempotencyKey"})
    return found


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    description = f"Needs a bot token with the `{endpoint.scope}` scope."
    if endpoint.more_scopes:
        description += " " + endpoint.more_scopes
    operation: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "description": description,
        "x-scope": endpoint.scope,
        "parameters": _parameters(endpoint),
        "responses": {
            str(int(endpoint.status)): {
                "description": clean_doc(endpoint.answer).split("\n\n")[0],
                "content": {"application/json": {"schema": _ref(endpoint.answer)}},
            },
            **{code: {"$ref": f"#/components/responses/E{code}"} for code in _ERRORS},
        },
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(endpoint.body)}},
        }
    return operation


def _error_responses() -> dict[str, Any]:
    """One response per error status, listing the codes it carries."""
    by_status: dict[str, list[str]] = {code: [] for code in _ERRORS}
    for code in ERROR_DESCRIPTIONS:
        status = str(int(status_of(code)))
        if status in by_status:
            by_status[status].append(f"`{code.value}`")
    responses: dict[str, Any] = {}
    for status, codes in by_status.items():
        entry: dict[str, Any] = {
            "description": "Error; `error.code` is one of " + ", ".join(codes) + ".",
            "content": {"application/json": {"schema": _ref(http_api.ApiError)}},
        }
        if status == "429":
            entry["headers"] = {
                "Retry-After": {
                    "description": "Whole seconds to wait before calling again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        responses[f"E{status}"] = entry
    return responses


def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chatshop brand HTTP API",
            "version": chatshop.__version__,
            "description": "A brand's own systems reach the customers who allowed it, in "
            "its chatshop thread with them. Generated by `make docs` (tools/openapi.py) "
            "from src/chatshop/protocol/http_api.py; do not edit. See docs/http-api.md.",
        },
        "servers": [{"url": "http://127.0.0.1:8766", "description": "chatshop-server --api-port"}],
        "security": [{"botToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "botToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A bot token of the brand (`bot_token_create`), with the "
                    "scopes each operation names. A person's session token is refused.",
                }
            },
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "Any string of 1 to "
                    f"{http_api.MAX_IDEMPOTENCY_KEY_CHARS} ASCII characters, fresh per "
                    "operation: a retry with it answers the first success again (same status "
                    "and body, header `Idempotent-Replayed: true`); with another body it is "
                    "refused (409 `idempotency_mismatch`).",
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": http_api.MAX_IDEMPOTENCY_KEY_CHARS,
                    },
                }
            },
            "responses": _error_responses(),
            "schemas": _schemas(),
        },
    }


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def default_path() -> Path:
    return Path(__file__).resolve().parents[1] / "docs" / FILE_NAME


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.openapi", description="Generate docs/openapi.json from the code."
    )
    parser.add_argument("--check", action="store_true", help="only verify; exit 1 if stale")
    parser.add_argument("--out", type=Path, default=None, help="the file (default: docs/)")
    args = parser.parse_args(argv)
    path: Path = args.out or default_path()
    text = render()
    if args.check:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date; regenerate with: {REGENERATE_COMMAND}", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
