"""Request handlers: one coroutine per request type, registered with ``handles`` in
``HANDLERS``. They speak to the stores, the broker and the relay's services, never to SQL.

Importing this package imports every handler module, which fills the registry.
"""

from __future__ import annotations

from chatshop_server.handlers import (  # noqa: F401 - imported for their registrations
    accounts,
    alerts,
    api_optins,
    bots,
    brands,
    cart,
    messages,
    orders,
    payments,
    shop,
    social,
    threads,
    webhooks,
)
from chatshop_server.handlers.base import HANDLERS, Handler

__all__ = ["HANDLERS", "Handler"]
