"""The checkout screen: items, promo, shipping option, address (asked for at the first
checkout, then saved by the relay), total and wallet balance; Enter confirms.

The idempotency key is made when the screen opens, so confirming twice (or after a dropped
link) places one order: the relay answers ``replayed`` and the screen says "already placed".

| Key | Action |
| :- | :- |
| enter | Confirm and pay (in the promo field: apply the code). |
| up / down | Choose the shipping option. |
| escape | Back without paying. |
"""

from __future__ import annotations

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.client import shop_api
from chatshop.client.api import new_key
from chatshop.protocol.money import format_money
from chatshop.protocol.shop_models import Address, CheckoutQuote, CheckoutResult, LineSpec
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen

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
        Binding("enter", "confirm", "Pay", id="checkout.confirm", tooltip="Confirm and pay."),
    ]

    quote_view = getters.query_one("#checkout-quote", Static)
    shipping = getters.query_one("#checkout-shipping", OptionList)
    promo_input = getters.query_one("#checkout-promo", Input)

    def __init__(self, brand: str, *, items: list[LineSpec] | None = None) -> None:
        super().__init__()
        self.brand = shop_api.handle_of(brand)
        self.items = items
        self.key = new_key()
        self.quote: CheckoutQuote | None = None
        self.result: CheckoutResult | None = None
        self.needs_address = False
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static("Loading…", id="checkout-quote")
            yield Static("Shipping", classes="shop-label")
            yield OptionList(id="checkout-shipping")
            yield Input(placeholder="promo code (Enter applies)", id="checkout-promo")
            with Vertical(id="checkout-address"):
                yield Static("Where should it go? (saved for next time)", classes="shop-label")
                for name, label in ADDRESS_FIELDS:
                    yield Input(placeholder=label, id=f"address-{name}")
            yield Static(id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#checkout-address").display = False
        self.ask("address", shop_api.address, self._address_loaded)
        self._requote()

    def _address_loaded(self, address: Address | None) -> None:
        self.needs_address = address is None
        self.query_one("#checkout-address").display = self.needs_address
        if self.needs_address:
            self.query_one("#address-name", Input).focus()

    def _requote(self) -> None:
        shipping = self._shipping_code()
        promo = self.promo_input.value.strip() or None
        self.ask(
            "checkout",
            lambda c: shop_api.quote(
                c, self.brand, items=self.items, shipping=shipping, promo=promo
            ),
            self._quoted,
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
            if not self.needs_address:
                self.shipping.focus()
        if quote.promo and not self.promo_input.value:
            self.promo_input.value = quote.promo.code
        if self.result is None:
            total = format_money(quote.total, quote.currency)
            self.hint(f"Enter pays {total} from your wallet · Esc goes back.")

    @on(OptionList.OptionHighlighted, "#checkout-shipping")
    def _shipping_changed(self, event: OptionList.OptionHighlighted) -> None:
        shipping = self.quote.shipping if self.quote is not None else None
        if shipping is not None and event.option.id != shipping.code:
            self._requote()

    @on(OptionList.OptionSelected, "#checkout-shipping")
    def _shipping_enter(self) -> None:
        self.action_confirm()

    @on(Input.Submitted, "#checkout-promo")
    def _promo_entered(self) -> None:
        self._requote()

    @on(Input.Submitted, "#checkout-address Input")
    def _address_enter(self, event: Input.Submitted) -> None:
        empty = [f for f, _ in ADDRESS_FIELDS if not self._field(f)]
        if empty:
            self.query_one(f"#address-{empty[0]}", Input).focus()
        else:
            self.action_confirm()

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

    def action_confirm(self) -> None:
        quote = self.quote
        if quote is None or self.busy:
            return
        if self.result is not None:
            self.dismiss(self.result)
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
        self.hint("Paying…")
        self.ask(
            "checkout",
            lambda c: shop_api.checkout(
                c,
                self.brand,
                self.key,
                expected_total=quote.total,
                items=self.items,
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
        if result.replayed:
            self.hint(f"Already placed · order {number} · Enter closes.")
        else:
            self.hint(f"Order placed · {number} · {total} paid · Enter closes.")

    def _failed(self, reason: str, code: str) -> None:
        self.busy = False
        self.hint(f"Not placed: {reason}", error=True)
        if code == "price_changed":
            self._requote()
