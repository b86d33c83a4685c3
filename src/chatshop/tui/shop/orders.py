"""The orders pane: your orders with their status and timeline, moving live with ``order``
events; for brand staff, the queue of the brand's orders, advanced step by step.

| Key | Action |
| :- | :- |
| up / down | Choose an order; its lines, tracking and timeline show below. |
| t | Switch between your orders and the staff queue (``/orders @brand`` opens it). |
| n | Staff: advance to the next status (shipping asks for carrier and tracking). |
| r | Staff: refund (press twice). |
| c | Your orders: cancel before it ships (press twice); the money returns to your wallet. |
| escape / f4 | Back. |
"""

from __future__ import annotations

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.client.shop_api import handle_of
from chatshop.protocol.shop_models import Order, OrderPage, OrderRole
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen

#: Statuses a customer may still cancel from (the relay decides; this only guides the hint).
CANCELLABLE = frozenset({"placed", "confirmed", "preparing"})
STAFF_ACTIONS = frozenset({"advance", "refund"})


class OrdersScreen(ShopScreen):
    """Orders, newest first, and the highlighted one's details."""

    BINDINGS = [
        Binding("escape,f4", "back", "Back", id="shop.back", tooltip="Close the orders pane."),
        Binding("t", "toggle_role", "Mine/queue", id="orders.role", tooltip="Switch views."),
        Binding("n", "advance", "Next step", id="orders.advance", tooltip="Advance (staff)."),
        Binding("r", "refund", "Refund", id="orders.refund", tooltip="Refund (staff)."),
        Binding("c", "cancel_order", "Cancel", id="orders.cancel", tooltip="Cancel your order."),
    ]

    table = getters.query_one("#orders-list", OptionList)
    detail = getters.query_one("#orders-detail", Static)
    title_line = getters.query_one("#shop-title", Static)

    def __init__(
        self, role: OrderRole = "customer", brand: str | None = None, *, staff: bool = False
    ) -> None:
        super().__init__()
        self.role: OrderRole = role
        self.brand = handle_of(brand) if brand else None
        self.staff = staff or role == "staff"
        """Whether this account works for ``brand`` (its queue and staff keys are offered)."""
        self.orders: list[Order] = []
        self.refund_armed: int | None = None
        self.cancel_armed: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static(id="shop-title")
            yield OptionList(id="orders-list")
            yield Static(id="orders-detail")
            with Horizontal(id="orders-ship"):
                yield Input(placeholder="carrier", id="orders-carrier")
                yield Input(placeholder="tracking number", id="orders-tracking")
            yield Static("Loading…", id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#orders-ship").display = False
        self.app.feed.order.subscribe(self, self._order_event)
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Staff keys for the staff queue, the cancel key for your own orders, and the
        switch only for people who work for the brand."""
        if action in STAFF_ACTIONS:
            return self.role == "staff"
        if action == "cancel_order":
            return self.role == "customer"
        if action == "toggle_role":
            return self.staff and self.brand is not None
        return True

    def reload(self) -> None:
        role, brand = self.role, self.brand
        title = f"@{brand} order queue (staff)" if role == "staff" else "Your orders"
        self.title_line.update(safetext.content(title))
        self.refresh_bindings()
        self.call(lambda c: c.shop.orders(role, brand), self._loaded, label="orders")

    def _loaded(self, page: OrderPage) -> None:
        self.orders = list(page.orders)
        self._draw()
        switch = " · t your own orders" if self.role == "staff" else ""
        if self.role == "customer" and self.staff:
            switch = f" · t the @{self.brand} queue"
        if not self.orders:
            self.hint(f"No orders yet{switch}.", standing=True)
        elif self.role == "staff":
            self.hint(f"n next step · r refund{switch} · Esc back", standing=True)
        else:
            self.hint(f"c cancel (before shipping){switch} · Esc back", standing=True)

    def _draw(self) -> None:
        highlighted = self.table.highlighted
        self.table.clear_options()
        self.table.add_options(
            [
                Option(render.order_row(o, staff=self.role == "staff"), id=str(o.id))
                for o in self.orders
            ]
        )
        if self.orders:
            self.table.highlighted = min(highlighted or 0, len(self.orders) - 1)
            self.table.focus()
        self._show_detail()

    def current(self) -> Order | None:
        index = self.table.highlighted
        if index is None or index >= len(self.orders):
            return None
        return self.orders[index]

    @on(OptionList.OptionHighlighted, "#orders-list")
    def _show_detail(self) -> None:
        order = self.current()
        self.detail.update(render.order_text(order) if order else "")

    def order_changed(self, order: Order) -> None:
        """An ``order`` event (or an answer): replace or add the order, keep the cursor."""
        for n, known in enumerate(self.orders):
            if known.id == order.id:
                self.orders[n] = order
                break
        else:
            self.orders.insert(0, order)
        self._draw()

    def _order_event(self, order: Order) -> None:
        mine = order.customer.id == self.app.session.me.id
        if (self.role == "customer") == mine or any(o.id == order.id for o in self.orders):
            self.order_changed(order)

    # ------------------------------------------------------------------ staff

    def action_toggle_role(self) -> None:
        self.role = "staff" if self.role == "customer" else "customer"
        self.orders = []
        self.reload()

    def action_advance(self) -> None:
        order = self.current()
        if order is None:
            return
        step = render.NEXT_STATUS.get(order.status)
        if step is None:
            self.hint(f"Order {order.number} is {order.status}: nothing to advance.")
            return
        if step == "shipped":
            self.query_one("#orders-ship").display = True
            self.query_one("#orders-carrier", Input).focus()
            self.hint("Carrier and tracking number, then Enter.")
            return
        self._advance(order, step)

    def _advance(
        self, order: Order, step: str, carrier: str | None = None, tracking: str | None = None
    ) -> None:
        status = render.NEXT_STATUS[order.status]
        self.call(
            lambda c: c.shop.advance(order.id, status, carrier=carrier, tracking=tracking),
            self._advanced,
            label=f"order {order.number}",
        )

    def _advanced(self, order: Order) -> None:
        self.order_changed(order)
        self.hint(f"{safetext.clean_line(order.number)} is {order.status}.")

    @on(Input.Submitted, "#orders-ship Input")
    def _ship(self, event: Input.Submitted) -> None:
        carrier = self.query_one("#orders-carrier", Input).value.strip()
        tracking = self.query_one("#orders-tracking", Input).value.strip()
        if not carrier:
            self.query_one("#orders-carrier", Input).focus()
            return
        if not tracking:
            self.query_one("#orders-tracking", Input).focus()
            return
        order = self.current()
        self.query_one("#orders-ship").display = False
        self.table.focus()
        if order is not None:
            self._advance(order, "shipped", carrier, tracking)

    def action_refund(self) -> None:
        order = self.current()
        if order is None:
            return
        if self.refund_armed != order.id:
            self.refund_armed = order.id
            number = safetext.clean_line(order.number)
            self.hint(f"Press r again to refund {number} to the customer's wallet.")
            return
        self.refund_armed = None
        self.call(lambda c: c.shop.refund(order.id), self._advanced, label="refund")

    # ------------------------------------------------------------------ customers

    def action_cancel_order(self) -> None:
        order = self.current()
        if order is None:
            return
        number = safetext.clean_line(order.number)
        if order.status not in CANCELLABLE:
            self.hint(f"{number} is {order.status}: it can no longer be cancelled.", error=True)
            return
        if self.cancel_armed != order.id:
            self.cancel_armed = order.id
            self.hint(f"Press c again to cancel {number}; the money returns to your wallet.")
            return
        self.cancel_armed = None
        self.call(lambda c: c.shop.cancel(order.id), self._advanced, label="cancel")
