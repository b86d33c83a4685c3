"""Request handlers: one coroutine per request type, speaking only to the storage and
broker interfaces (never to SQL), registered in ``HANDLERS``."""

from __future__ import annotations

from chatshop_server.handlers.accounts import ACCOUNT_HANDLERS
from chatshop_server.handlers.base import REPLIED, Handler
from chatshop_server.handlers.cart import CART_HANDLERS
from chatshop_server.handlers.messages import MESSAGE_HANDLERS
from chatshop_server.handlers.orders import ORDER_HANDLERS
from chatshop_server.handlers.payments import PAYMENT_HANDLERS
from chatshop_server.handlers.shop import SHOP_HANDLERS
from chatshop_server.handlers.social import SOCIAL_HANDLERS
from chatshop_server.handlers.threads import THREAD_HANDLERS

HANDLERS: dict[type, Handler] = {
    **ACCOUNT_HANDLERS,
    **SOCIAL_HANDLERS,
    **THREAD_HANDLERS,
    **MESSAGE_HANDLERS,
    **PAYMENT_HANDLERS,
    **SHOP_HANDLERS,
    **CART_HANDLERS,
    **ORDER_HANDLERS,
}

__all__ = ["HANDLERS", "REPLIED", "Handler"]
