"""The checkout screen: items, shipping option, promo code, address (asked for at the first
checkout, then saved by the relay), total and wallet balance, and one Pay button.

Paying is never a side effect of a keystroke meant for something else: Enter pays only on the
Pay button; Enter in the promo field applies the code (and, once it is accepted, moves to
Pay); Enter on a shipping option chooses it. Letters typed anywhere but a text field go into
the promo field. The idempotency key is made when the screen opens, so paying twice (or
after a dropped link) places one order: the relay answers ``replayed``.

| Key | Action |
| :- | :- |
| enter | On Pay: pay. In the promo field: apply the code. On a shipping option: choose it. |
| tab / shift+tab | Next / previous field. |
| escape | Back without paying. |
"""

from __future__ import annotations

from textual import events, getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.client.api import new_key
from chatshop.client.shop_api import handle_of
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.money import format_money
from chatshop.protocol.shop_models import Address, CheckoutQuote, CheckoutResult, LineSpec
from chatshop.tui.failure import Failure
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen
from chatshop.tui.shop.orders import OrdersScreen

ADDRESS_FIELDS = (
    ("name", "Full name"),
    ("line1", "Street and number"),
    ("postcode", "Postcode"),
    ("city", "City"),
    ("country", "Country code (FR)"),
)


class CheckoutScreen(ShopScreen):
    """Confirm an order at one brand: the cart, or ``items`` bought now."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="shop.back", tooltip="Leave without paying."),
    ]
    AUTO_FOCUS = "#checkout-pay"

    quote_view = getters.query_one("#checkout-quote", Static)
    shipping = getters.query_one("#checkout-shipping", OptionList)
    promo_input = getters.query_one("#checkout-promo", Input)
    pay_button = getters.query_one("#checkout-pay", Button)

    def __init__(self, brand: str, *, items: list[LineSpec] | None = None) -> None:
        super().__init__()
        self.brand = handle_of(brand)
        self.items = items
        self.key = new_key()
        self.quote: CheckoutQuote | None = None
        self.result: CheckoutResult | None = None
        self.needs_address = False
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static("Loading…", id="checkout-quote")
            yield Static("Shipping", classes="shop-label checkout-choice")
            yield OptionList(id="checkout-shipping", classes="checkout-choice")
            yield Static("Promo code (Enter applies it)", classes="shop-label checkout-choice")
            yield Input(
                placeholder="type a code, then Enter",
                id="checkout-promo",
                classes="checkout-choice",
                compact=True,
                select_on_focus=False,
            )
            with Vertical(id="checkout-address"):
                yield Static("Where should it go? (saved for next time)", classes="shop-label")
                for name, label in ADDRESS_FIELDS:
                    yield Input(placeholder=label, id=f"address-{name}", compact=True)
            yield Button("Pay", variant="success", id="checkout-pay", compact=True)
            yield Static(id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#checkout-address").display = False
        self.call(lambda c: c.shop.address(), self._address_loaded, label="address")
        self._requote()

    def _address_loaded(self, address: Address | None) -> None:
        self.needs_address = address is None
        self.query_one("#checkout-address").display = self.needs_address
        if self.needs_address:
            self.query_one("#address-name", Input).focus()

    def _requote(self, *, then_pay_focus: bool = False) -> None:
        shipping = self._shipping_code()
        promo = self.promo_input.value.strip() or None
        brand, items = self.brand, self.items

        def quoted(quote: CheckoutQuote) -> None:
            self._quoted(quote)
            if then_pay_focus and (quote.promo is None or quote.promo.valid):
                self.set_focus(self.pay_button)

        self.call(
            lambda c: c.shop.quote(brand, items=items, shipping=shipping, promo=promo),
            quoted,
            label="checkout",
        )

    def _shipping_code(self) -> str | None:
        index = self.shipping.highlighted
        if index is None or self.shipping.option_count == 0:
            return None
        return self.shipping.get_option_at_index(index).id

    def _quoted(self, quote: CheckoutQuote) -> None:
        self.quote = quote
        self.quote_view.update(render.quote_text(quote))
        if self.shipping.option_count == 0 and quote.shipping_options:
            self.shipping.add_options(
                [
                    Option(
                        safetext.content(
                            f"{o.name}  {format_money(o.price, quote.currency)}"
                            + (f"  ({o.days})" if o.days else "")
                        ),
                        id=o.code,
                    )
                    for o in quote.shipping_options
                ]
            )
            chosen = quote.shipping.code if quote.shipping else None
            codes = [o.code for o in quote.shipping_options]
            self.shipping.highlighted = codes.index(chosen) if chosen in codes else 0
        if quote.promo and not self.promo_input.value:
            self.promo_input.value = quote.promo.code
        if self.result is None and not self.busy:
            total = format_money(quote.total, quote.currency)
            self.pay_button.label = f"Pay {total}"
            self.pay_button.disabled = not quote.can_pay
            if not self.needs_address and not self.promo_input.has_focus:
                self.set_focus(self.pay_button)
            self._explain()

    def _explain(self) -> None:
        """The hint says what Enter does where the focus is."""
        if self.result is not None:
            return
        if self.promo_input.has_focus:
            self.hint("Enter applies the code · Tab moves · Esc goes back.", standing=True)
        elif self.shipping.has_focus:
            self.hint("Up/down choose the shipping · Tab moves · Esc goes back.", standing=True)
        elif self.quote is not None and not self.quote.can_pay:
            self.hint("This cannot be paid yet (see above) · Esc goes back.", standing=True)
        else:
            total = format_money(self.quote.total, self.quote.currency) if self.quote else ""
            self.hint(
                f"Enter on Pay pays {total} from your wallet · letters go to the promo code · "
                "Esc goes back.",
                standing=True,
            )

    def on_descendant_focus(self) -> None:
        self._explain()

    def on_key(self, event: events.Key) -> None:
        """A letter that reached the screen was typed into no text field (a field keeps its
        letters): it belongs to the promo code. Keys queued behind the first one still
        arrive here from the widget that had the focus, so they are appended too."""
        if event.is_printable and event.character and self.result is None:
            event.stop()
            event.prevent_default()
            self.promo_input.focus()
            self.promo_input.insert_text_at_cursor(event.character)

    @on(OptionList.OptionHighlighted, "#checkout-shipping")
    def _shipping_changed(self, event: OptionList.OptionHighlighted) -> None:
        shipping = self.quote.shipping if self.quote is not None else None
        if shipping is not None and event.option.id != shipping.code:
            self._requote()

    @on(OptionList.OptionSelected, "#checkout-shipping")
    def _shipping_chosen(self) -> None:
        self.set_focus(self.pay_button)

    @on(Input.Submitted, "#checkout-promo")
    def _promo_entered(self) -> None:
        self._requote(then_pay_focus=True)

    @on(Input.Submitted, "#checkout-address Input")
    def _address_enter(self, event: Input.Submitted) -> None:
        empty = [f for f, _ in ADDRESS_FIELDS if not self._field(f)]
        if empty:
            self.query_one(f"#address-{empty[0]}", Input).focus()
        else:
            self.pay_button.focus()

    def _field(self, name: str) -> str:
        return self.query_one(f"#address-{name}", Input).value.strip()

    def _address(self) -> Address | None:
        if not self.needs_address:
            return None
        return Address(
            name=self._field("name"),
            line1=self._field("line1"),
            postcode=self._field("postcode"),
            city=self._field("city"),
            country=self._field("country").upper(),
        )

    @on(Button.Pressed, "#checkout-pay")
    def _pay_pressed(self) -> None:
        self.action_pay()

    @on(Button.Pressed, "#checkout-orders")
    def _orders_pressed(self) -> None:
        self.action_pay()

    def action_pay(self) -> None:
        quote = self.quote
        if quote is None or self.busy:
            return
        if self.result is not None:  # Enter again: the order in the orders pane
            result = self.result
            self.dismiss(result)
            self.app.push_screen(OrdersScreen())
            return
        address = self._address()
        if address is not None and not all(
            (address.name, address.line1, address.postcode, address.city, address.country)
        ):
            self.hint("Please fill in the address first.", error=True)
            return
        self.busy = True
        shipping = self._shipping_code()
        promo = self.promo_input.value.strip() or None
        brand, key, items = self.brand, self.key, self.items
        self.hint("Paying…", standing=True)
        self.call(
            lambda c: c.shop.checkout(
                brand,
                key,
                expected_total=quote.total,
                items=items,
                shipping=shipping,
                promo=promo,
                address=address,
            ),
            self._placed,
            self._failed,
        )

    def _placed(self, result: CheckoutResult) -> None:
        self.busy = False
        self.result = result
        order = result.order
        number = safetext.clean_line(order.number)
        total = format_money(order.total, order.currency)
        balance = format_money(result.balance.amount, result.balance.currency)
        self.quote_view.update(render.placed_text(result))
        for part in self.query(".checkout-choice"):
            part.display = False
        self.pay_button.display = False
        orders = Button("Show my orders", variant="primary", id="checkout-orders", compact=True)
        self.query_one(".shop-dialog").mount(orders, before=self.hint_line)
        self.set_focus(orders)
        if result.replayed:
            self.hint(f"Already placed · order {number} · Enter: your orders.", standing=True)
        else:
            self.hint(
                f"Order placed · {number} · {total} paid · balance {balance} · "
                "Enter: your orders · Esc: back.",
                standing=True,
            )

    def _failed(self, failure: Failure) -> None:
        self.busy = False
        self.hint(f"Not placed: {failure.text}", error=True)
        if failure.code is ErrorCode.PRICE_CHANGED:
            self._requote()
