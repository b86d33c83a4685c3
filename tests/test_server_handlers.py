"""Every request the protocol defines has exactly one handler, declared for its type."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from chatshop.protocol.frames import REQUEST_TYPES, Request
from chatshop_server.handlers import HANDLERS


def test_every_request_type_has_a_handler() -> None:
    """A request without a handler would be answered internal, never served."""
    missing = [cls.__name__ for cls in REQUEST_TYPES if cls not in HANDLERS]
    assert missing == []
    assert set(HANDLERS) <= set(REQUEST_TYPES)


@pytest.mark.parametrize("cls", REQUEST_TYPES, ids=lambda cls: cls.__name__)
def test_each_handler_takes_the_request_it_is_registered_for(cls: type[Request[Any]]) -> None:
    """The handler's ``request`` parameter names its request type (or a union holding it),
    and it returns that request's result type: what mypy checks at ``@handles``."""
    handler = HANDLERS[cls]
    parameters = list(inspect.signature(handler).parameters.values())
    assert len(parameters) == 2
    annotation = str(parameters[1].annotation)
    assert cls.__name__ in annotation.replace(" ", "").split("|"), (cls.__name__, annotation)
    returned = str(inspect.signature(handler).return_annotation)
    assert returned == cls.result_type.__name__, (cls.__name__, returned)
