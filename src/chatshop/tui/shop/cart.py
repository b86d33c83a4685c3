"""The cart screen: your carts per brand (the same from every terminal), with what changed
since each line went in (the relay's ``price_changed`` and ``status`` flags).

| Key | Action |
| :- | :- |
| + / - | One more / one fewer of the highlighted line. |
| x / delete | Remove the line. |
| p | Enter a promo code for the line's brand (empty removes it). |
| c | Check out the line's brand. |
| escape | Back. |
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
from chatshop.protocol.shop_frames import CartEvent
from chatshop.protocol.shop_models import Cart, CartLine, CartList
from chatshop.tui.link import LinkMessage, RelayEvent
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen


class CartScreen(ShopScreen):
    """Every cart that holds something, one brand after another, with totals."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="shop.back", tooltip="Close the cart."),
        Binding("plus,equals_sign", "more", "+1", id="cart.more", tooltip="One more."),
        Binding("minus", "fewer", "-1", id="cart.fewer", tooltip="One fewer."),
        Binding("x,delete", "remove", "Remove", id="cart.remove", tooltip="Remove the line."),
        Binding("p", "promo", "Promo", id="cart.promo", tooltip="Enter a promo code."),
        Binding("c", "checkout", "Checkout", id="cart.checkout", tooltip="Check out."),
    ]

    lines = getters.query_one("#cart-lines", OptionList)
    totals = getters.query_one("#cart-totals", Static)
    promo_input = getters.query_one("#cart-promo", Input)

    def __init__(self, brand: str | None = None, *, promo: str | None = None) -> None:
        super().__init__()
        self.brand = shop_api.handle_of(brand) if brand else None
        self.pending_promo = promo
        self.carts: list[Cart] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static("Your cart", id="shop-title")
            yield OptionList(id="cart-lines")
            yield Static(id="cart-totals")
            yield Input(placeholder="promo code (Enter applies, empty removes)", id="cart-promo")
            yield Static("Loading…", id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.promo_input.display = False
        self.reload()

    def reload(self) -> None:
        self.ask("cart", shop_api.carts, self._loaded)

    def _loaded(self, carts: CartList) -> None:
        self.carts = [c for c in carts.carts if c.lines]
        if self.brand:  # the brand asked for first
            self.carts.sort(key=lambda c: c.brand.handle != self.brand)
        self._draw()
        if self.pending_promo is not None:  # /promo CODE: on that brand, else the first cart
            code, self.pending_promo = self.pending_promo, None
            brand = self.brand or (self.carts[0].brand.handle if self.carts else None)
            if brand is None:
                self.hint("Your cart is empty: add something before a promo code.", error=True)
            else:
                self._set_promo(brand, code)

    def _draw(self) -> None:
        highlighted = self.lines.highlighted
        self.lines.clear_options()
        for cart in self.carts:
            self.lines.add_option(
                Option(
                    safetext.content(f"@{cart.brand.handle} · {cart.items} items"),
                    id=f"brand:{cart.brand.handle}",
                    disabled=True,
                )
            )
            for line in cart.lines:
                self.lines.add_option(
                    Option(
                        render.cart_line_text(line, cart.currency),
                        id=f"{cart.brand.handle}:{line.variant_id}",
                    )
                )
        if self.carts:
            count = self.lines.option_count
            self.lines.highlighted = min(highlighted or 1, count - 1)
            if not self.promo_input.has_focus:  # a live update must not take the typing away
                self.lines.focus()
            self.hint("+/- quantity · x remove · p promo · c checkout")
        else:
            self.hint("Your cart is empty.")
        self._show_totals()

    def current(self) -> tuple[Cart, CartLine] | None:
        """The highlighted line and its cart."""
        index = self.lines.highlighted
        if index is None:
            return None
        option_id = self.lines.get_option_at_index(index).id or ""
        handle, _, variant = option_id.partition(":")
        for cart in self.carts:
            if cart.brand.handle == handle:
                for line in cart.lines:
                    if str(line.variant_id) == variant:
                        return cart, line
        return None

    def current_cart(self) -> Cart | None:
        found = self.current()
        if found is not None:
            return found[0]
        return self.carts[0] if self.carts else None

    @on(OptionList.OptionHighlighted, "#cart-lines")
    def _show_totals(self) -> None:
        cart = self.current_cart()
        self.totals.update(
            render.totals_text(
                cart.currency,
                cart.subtotal,
                cart.discount,
                cart.total,
                promo=cart.promo.code if cart.promo else None,
                promo_problem=cart.promo.problem if cart.promo and not cart.promo.valid else "",
            )
            if cart
            else ""
        )

    def _changed(self, cart: Cart) -> None:
        self.carts = [cart if c.brand.id == cart.brand.id else c for c in self.carts]
        if cart.brand.id not in {c.brand.id for c in self.carts}:
            self.carts.insert(0, cart)
        self.carts = [c for c in self.carts if c.lines]
        self._draw()

    def action_more(self) -> None:
        found = self.current()
        if found:
            line = found[1]
            self.ask(
                "cart",
                lambda c: shop_api.cart_update(c, line.variant_id, line.quantity + 1),
                self._changed,
            )

    def action_fewer(self) -> None:
        found = self.current()
        if found:
            line = found[1]
            self.ask(
                "cart",
                lambda c: shop_api.cart_update(c, line.variant_id, line.quantity - 1),
                self._changed,
            )

    def action_remove(self) -> None:
        found = self.current()
        if found:
            line = found[1]
            self.ask("cart", lambda c: shop_api.cart_remove(c, line.variant_id), self._changed)

    def action_promo(self) -> None:
        if self.current_cart() is None:
            return
        self.promo_input.display = True
        self.promo_input.focus()

    @on(Input.Submitted, "#cart-promo")
    def _promo_entered(self, event: Input.Submitted) -> None:
        cart = self.current_cart()
        self.promo_input.display = False
        self.lines.focus()
        if cart is not None:
            self._set_promo(cart.brand.handle, event.value.strip())

    def _set_promo(self, brand: str, code: str) -> None:
        def applied(cart: Cart) -> None:
            self._changed(cart)
            promo = cart.promo
            if promo is None:
                self.hint("Promo removed.")
            elif promo.valid:
                self.hint(f"Promo {promo.code} applied.")
            else:
                self.hint(f"Promo {promo.code}: {promo.problem}", error=True)

        self.ask("promo", lambda c: shop_api.cart_promo(c, brand, code or None), applied)

    def action_checkout(self) -> None:
        cart = self.current_cart()
        if cart is None:
            self.hint("Your cart is empty.")
            return
        from chatshop.tui.shop.checkout import CheckoutScreen

        self.app.push_screen(CheckoutScreen(cart.brand.handle), lambda _: self.reload())

    def receive(self, message: LinkMessage) -> None:
        if isinstance(message, RelayEvent) and isinstance(message.event, CartEvent):
            self._changed(message.event.cart)
