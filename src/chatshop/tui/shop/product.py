"""Product screens: a product's details with its picture, a variant picker and similar
items; a list of products (a catalogue, search results); a variant picker on its own (for a
``#cart`` reply to a card with several sizes).

| Key | Action |
| :- | :- |
| a | Add the chosen variant to the cart. |
| b | Buy it now (checkout of this one item). |
| s | Similar items. |
| enter | On a similar item or a list row: open it. |
| escape | Back. |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.client import ChatClient, shop_api
from chatshop.protocol.cards import CardVariant
from chatshop.protocol.shop_models import (
    Cart,
    LineSpec,
    Product,
    ProductPage,
    ProductResult,
    Variant,
)
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen
from chatshop.tui.shop.images import render_image

IMAGE_WIDTH = 20
ProductLoad = Callable[[ChatClient], Awaitable[ProductResult]]


def _back() -> Binding:
    return Binding("escape", "back", "Back", id="shop.back", tooltip="Close this screen.")


class ProductScreen(ShopScreen):
    """One product: picture, price (former price struck through), stock, variant picker,
    similar items, and the actions add to cart / buy now / similar."""

    BINDINGS = [
        _back(),
        Binding("a", "add", "Add to cart", id="shop.add", tooltip="Add the variant to the cart."),
        Binding("b", "buy", "Buy now", id="shop.buy", tooltip="Check out this one item now."),
        Binding("s", "similar", "Similar", id="shop.similar", tooltip="Show similar items."),
    ]

    variants = getters.query_one("#shop-variants", OptionList)
    similar = getters.query_one("#shop-similar", OptionList)

    def __init__(self, load: ProductLoad, *, sku: str | None = None) -> None:
        super().__init__()
        self.load = load
        self.wanted_sku = sku
        self.result: ProductResult | None = None

    @property
    def product(self) -> Product | None:
        return self.result.product if self.result else None

    def compose(self) -> ComposeResult:
        with Vertical(id="shop-dialog", classes="shop-dialog"):
            with Horizontal(id="shop-product-row"):
                yield Static(id="shop-image")
                with Vertical(id="shop-product-side"):
                    yield Static("Loading…", id="shop-product")
                    yield OptionList(id="shop-variants")
            yield Static("Similar items", id="shop-similar-title")
            yield OptionList(id="shop-similar")
            yield Static(id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.ask("product", self.load, self._loaded)

    def _loaded(self, result: ProductResult) -> None:
        self.result = product_result = result
        product = product_result.product
        self.query_one("#shop-product", Static).update(render.product_text(product))
        self.query_one("#shop-image", Static).update(render_image(None, product.title, IMAGE_WIDTH))
        self.variants.clear_options()
        self.variants.add_options(
            [Option(render.variant_label(v), id=v.sku) for v in product.variants]
        )
        first = next(
            (n for n, v in enumerate(product.variants) if v.sku == self.wanted_sku),
            next((n for n, v in enumerate(product.variants) if v.stock > 0), 0),
        )
        self.variants.highlighted = first if product.variants else None
        self.variants.display = len(product.variants) > 1
        self.similar.clear_options()
        self.similar.add_options(
            [Option(render.product_row(p), id=str(p.id)) for p in product_result.similar]
        )
        self.variants.focus() if len(product.variants) > 1 else self.similar.focus()
        if product.images:
            self._fetch_image(product.images[0], product.title)

    @work(exclusive=True, group="shop-image")
    async def _fetch_image(self, path: str, title: str) -> None:
        data = await self.images.fetch(path)
        self.query_one("#shop-image", Static).update(render_image(data, title, IMAGE_WIDTH))

    def chosen(self) -> Variant | None:
        """The highlighted variant (the only one of a product without sizes)."""
        product = self.product
        if product is None or not product.variants:
            return None
        index = self.variants.highlighted
        return product.variants[index if index is not None else 0]

    def _chosen_in_stock(self) -> Variant | None:
        variant = self.chosen()
        if variant is None:
            return None
        if variant.stock <= 0:
            self.hint(f"{variant.label or 'This item'} is sold out.", error=True)
            return None
        return variant

    def action_add(self) -> None:
        variant = self._chosen_in_stock()
        if variant is not None:
            self.ask(
                "add to cart",
                lambda c: shop_api.cart_add(
                    c, product_id=None, brand=self._brand(), sku=variant.sku
                ),
                self._added,
            )

    def _brand(self) -> str:
        return self.product.brand.handle if self.product else ""

    def _added(self, cart: Cart) -> None:
        self.hint(f"Added to your @{cart.brand.handle} cart ({cart.items} items).")

    def action_buy(self) -> None:
        variant = self._chosen_in_stock()
        if variant is not None:
            from chatshop.tui.shop.checkout import CheckoutScreen

            self.app.push_screen(
                CheckoutScreen(self._brand(), items=[LineSpec(sku=variant.sku, quantity=1)])
            )

    def action_similar(self) -> None:
        if self.result is not None and not self.result.similar:
            self.hint("No similar items.")
        self.similar.focus()

    @on(OptionList.OptionSelected, "#shop-similar")
    def _open_similar(self, event: OptionList.OptionSelected) -> None:
        product_id = int(event.option.id or 0)
        self.app.push_screen(ProductScreen(lambda c: shop_api.product(c, product_id)))

    @on(OptionList.OptionSelected, "#shop-variants")
    def _variant_enter(self, event: OptionList.OptionSelected) -> None:
        self.action_add()


class ProductListScreen(ShopScreen):
    """A list of products (a catalogue, search results); Enter opens one."""

    BINDINGS = [_back()]

    products = getters.query_one("#shop-products", OptionList)

    def __init__(self, title: str, load: Callable[[ChatClient], Awaitable[ProductPage]]) -> None:
        super().__init__()
        self.title_text = title
        self.load = load

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static(safetext.content(self.title_text), id="shop-title")
            yield OptionList(id="shop-products")
            yield Static("Loading…", id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.ask(self.title_text, self.load, self._loaded)

    def _loaded(self, page: ProductPage) -> None:
        self.products.clear_options()
        self.products.add_options(
            [Option(render.product_row(p), id=str(p.id)) for p in page.products]
        )
        if page.products:
            self.products.highlighted = 0
        self.products.focus()
        count = len(page.products)
        self.hint(
            f"{count}{'+' if page.more else ''} products · Enter opens one."
            if count
            else "Nothing found."
        )

    @on(OptionList.OptionSelected, "#shop-products")
    def _open(self, event: OptionList.OptionSelected) -> None:
        product_id = int(event.option.id or 0)
        self.app.push_screen(ProductScreen(lambda c: shop_api.product(c, product_id)))


class VariantPicker(ModalScreen[str | None]):
    """Choose a variant (size, colour) of a product card; dismisses with its SKU."""

    CSS_PATH = "shop.tcss"
    BINDINGS = [_back()]

    def __init__(self, title: str, variants: list[CardVariant]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = variants

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static(safetext.content(f"Which one? {self.title_text}"), id="shop-title")
            yield OptionList(
                *[
                    Option(render.variant_label(_as_variant(v)), id=v.sku, disabled=v.stock <= 0)
                    for v in self.choices
                ],
                id="shop-picker",
            )
        yield Footer()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)


def _as_variant(card: CardVariant) -> Variant:
    return Variant(id=0, sku=card.sku, label=card.label, options={}, stock=card.stock)


def scan_screen(code: str) -> ProductScreen:
    """``/scan CODE``: the product with that barcode (or SKU) and similar items."""
    return ProductScreen(lambda c: shop_api.scan(c, code))


def catalog_screen(brand: str) -> ProductListScreen:
    handle = shop_api.handle_of(brand)
    return ProductListScreen(f"@{handle} catalogue", lambda c: shop_api.catalog(c, handle))


def search_screen(text: str, brand: str | None = None) -> ProductListScreen:
    where = f" at @{shop_api.handle_of(brand)}" if brand else ""
    return ProductListScreen(
        f"Products matching “{text}”{where}", lambda c: shop_api.search(c, text, brand)
    )
