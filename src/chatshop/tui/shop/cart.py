"""The cart screen: your carts per brand (the same from every terminal), with what changed
since each line went in (the relay's ``price_changed`` and ``status`` flags).

| Key | Action |
| :- | :- |
| + / - | One more / one fewer of the highlighted line. |
| x / delete | Remove the line. |
| p | Enter a promo code for the line's brand (empty removes it); the field stays open
  until a code is accepted or Esc closes it, and no letter typed there is a hotkey. |
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
from chatshop.client.shop_api import handle_of
from chatshop.protocol.shop_models import Cart, CartLine, CartList
from chatshop.tui.failure import Failure
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen
from chatshop.tui.shop.checkout import CheckoutScreen

HOTKEYS = frozenset({"more", "fewer", "remove", "promo", "checkout"})


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
        self.brand = handle_of(brand) if brand else None
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
        self.app.feed.cart.subscribe(self, self._changed)
        self.reload()

    def reload(self) -> None:
        self.call(lambda c: c.shop.carts(), self._loaded, label="cart")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the promo field has focus, letters are the code, never hotkeys."""
        focused = self.focused
        return not (action in HOTKEYS and focused is not None and focused.id == "cart-promo")

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
                    safetext.content(f"@{cart.brand.handle} · {render.count(cart.items, 'item')}"),
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
            if not self.promo_input.has_focus:
                self.lines.focus()
            self.hint("+/- quantity · x remove · p promo · c checkout", standing=True)
        else:
            self.hint("Your cart is empty.", standing=True)
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
            self.call(
                lambda c: c.shop.cart_update(line.variant_id, line.quantity + 1),
                self._changed,
                label="cart",
            )

    def action_fewer(self) -> None:
        found = self.current()
        if found:
            line = found[1]
            self.call(
                lambda c: c.shop.cart_update(line.variant_id, line.quantity - 1),
                self._changed,
                label="cart",
            )

    def action_remove(self) -> None:
        found = self.current()
        if found:
            line = found[1]
            self.call(lambda c: c.shop.cart_remove(line.variant_id), self._changed, label="cart")

    def action_promo(self) -> None:
        if self.current_cart() is None:
            return
        self.promo_input.display = True
        self.promo_input.focus()

    @on(Input.Submitted, "#cart-promo")
    def _promo_entered(self, event: Input.Submitted) -> None:
        cart = self.current_cart()
        if cart is not None:
            self._set_promo(cart.brand.handle, event.value.strip())

    def _close_promo(self) -> None:
        self.promo_input.display = False
        self.promo_input.value = ""
        self.lines.focus()

    def _set_promo(self, brand: str, code: str) -> None:
        """Apply ``code``; the field closes only once the relay accepted it (or it was
        removed), so the next letters still go to the field after a wrong code."""

        def applied(cart: Cart) -> None:
            promo = cart.promo
            if promo is None or promo.valid:
                self._close_promo()
            self._changed(cart)
            if promo is None:
                self.hint("Promo removed.")
            elif promo.valid:
                self.hint(f"Promo {promo.code} applied.")
            else:
                self.hint(f"Promo {promo.code}: {promo.problem} (Esc closes)", error=True)

        def refused(failure: Failure) -> None:
            self.hint(f"Promo: {failure.text} (Esc closes)", error=True)

        self.call(lambda c: c.shop.cart_promo(brand, code or None), applied, refused)

    def action_back(self) -> None:
        if self.promo_input.has_focus:
            self._close_promo()
        else:
            self.dismiss(None)

    def action_checkout(self) -> None:
        cart = self.current_cart()
        if cart is None:
            self.hint("Your cart is empty.")
            return
        self.app.push_screen(CheckoutScreen(cart.brand.handle), lambda _: self.reload())
