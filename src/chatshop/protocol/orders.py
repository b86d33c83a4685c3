"""An order's life and a variant's stock, as relay and clients both state them.

Orders move one step at a time: placed -> confirmed -> preparing -> shipped -> delivered.
The customer may cancel until the order ships; the brand may refund it at any step until
it is cancelled or refunded. Stock at or under ``LOW_STOCK`` is shown as "only N left".
"""

from __future__ import annotations

from chatshop.protocol.cards import OrderStatus

#: The one step each status may take next (staff, with ``order_advance``).
NEXT_STEP: dict[OrderStatus, OrderStatus] = {
    "placed": "confirmed",
    "confirmed": "preparing",
    "preparing": "shipped",
    "shipped": "delivered",
}
#: Statuses a customer may cancel from (``order_cancel``): not shipped yet.
CANCELLABLE: frozenset[OrderStatus] = frozenset({"placed", "confirmed", "preparing"})
#: Statuses the brand may refund from (``order_refund``).
REFUNDABLE: frozenset[OrderStatus] = frozenset(
    {"placed", "confirmed", "preparing", "shipped", "delivered"}
)
#: Stock at or under this many is "only N left".
LOW_STOCK = 5


def next_step(status: OrderStatus) -> OrderStatus | None:
    """What an order in ``status`` may become next (None: it is finished)."""
    return NEXT_STEP.get(status)
