"""Product screens: a product's details with its picture, a variant picker and similar
items; a list of products (a catalogue, search results); a variant picker on its own (for a
``#cart`` reply to a card with several sizes).

| Key | Action |
| :- | :- |
| a | Add the chosen variant to the cart (Enter on a size only moves there). |
| b | Buy it now (checkout of this one item). |
| s | Similar items. |
| enter | On a similar item or a list row: open it. |
| escape | Back. |

Pictures are drawn as wide as a quarter of the screen, within its height
(``image_width``), from the relay's image; a sharper renderer (sixel, Kitty graphics)
plugs in at :func:`images.render_image`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.client import ChatClient
from chatshop.client.shop_api import handle_of
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
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.images import render_image

MIN_IMAGE_WIDTH = 12
MAX_IMAGE_WIDTH = 48
ProductLoad = Callable[[ChatClient], Awaitable[ProductResult]]


def image_width(screen_width: int, screen_height: int) -> int:
    """Picture width in cells: a quarter of the screen, and short enough (a square picture
    is half as many rows as cells) to leave two thirds of the height to the rest."""
    return max(MIN_IMAGE_WIDTH, min(MAX_IMAGE_WIDTH, screen_width // 4, 2 * screen_height // 3))


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
        self.call(self.load, self._loaded, label="product")

    @property
    def image_width(self) -> int:
        return image_width(self.app.size.width, self.app.size.height)

    def _loaded(self, result: ProductResult) -> None:
        self.result = product_result = result
        product = product_result.product
        self.query_one("#shop-product", Static).update(render.product_text(product))
        image = self.query_one("#shop-image", Static)
        image.styles.width = self.image_width + 2
        image.update(
            render_image(
                self.images.cached(product.images[0]) if product.images else None,
                product.title,
                self.image_width,
            )
        )
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
        for image in self.query("#shop-image").results(Static):  # gone if the screen closed
            image.update(render_image(data, title, self.image_width))

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
            brand = self._brand()
            self.call(
                lambda c: c.shop.cart_add(brand=brand, sku=variant.sku),
                self._added,
                label="add to cart",
            )

    def _brand(self) -> str:
        return self.product.brand.handle if self.product else ""

    def _added(self, cart: Cart) -> None:
        self.hint(f"Added to your @{cart.brand.handle} cart ({render.count(cart.items, 'item')}).")

    def action_buy(self) -> None:
        variant = self._chosen_in_stock()
        if variant is not None:
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
        self.app.push_screen(ProductScreen(lambda c: c.shop.product(product_id)))

    @on(OptionList.OptionSelected, "#shop-variants")
    def _variant_enter(self) -> None:
        self.hint("a adds this size to the cart · b buys it now.")


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
        self.call(self.load, self._loaded, label=self.title_text)

    def _loaded(self, page: ProductPage) -> None:
        self.products.clear_options()
        self.products.add_options(
            [Option(render.product_row(p), id=str(p.id)) for p in page.products]
        )
        if page.products:
            self.products.highlighted = 0
        self.products.focus()
        count = len(page.products)
        more = "+" if page.more else ""
        self.hint(
            f"{count}{more} product{'s' if count != 1 or more else ''} · Enter opens one."
            if count
            else "Nothing found.",
            standing=True,
        )

    @on(OptionList.OptionSelected, "#shop-products")
    def _open(self, event: OptionList.OptionSelected) -> None:
        product_id = int(event.option.id or 0)
        self.app.push_screen(ProductScreen(lambda c: c.shop.product(product_id)))


class VariantPicker(ShopScreen):
    """Choose a variant (size, colour) of a product; dismisses with its SKU. Stock is read
    live from the relay when the picker opens, never from the card's snapshot."""

    BINDINGS = [_back()]

    picker = getters.query_one("#shop-picker", OptionList)

    def __init__(self, title: str, product_id: int) -> None:
        super().__init__()
        self.title_text = title
        self.product_id = product_id
        self.variants: list[Variant] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="shop-dialog"):
            yield Static(safetext.content(f"Which one? {self.title_text}"), id="shop-title")
            yield OptionList(id="shop-picker")
            yield Static("Loading live stock…", id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        product_id = self.product_id
        self.call(lambda c: c.shop.product(product_id), self._loaded, label="sizes")

    def _loaded(self, result: ProductResult) -> None:
        self.variants = list(result.product.variants)
        self.picker.add_options(
            [
                Option(render.variant_label(v), id=v.sku, disabled=v.stock <= 0)
                for v in self.variants
            ]
        )
        first = next((n for n, v in enumerate(self.variants) if v.stock > 0), None)
        self.picker.highlighted = first
        self.picker.focus()
        self.hint("Enter picks · Esc goes back (stock as of now).", standing=True)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


def scan_screen(code: str) -> ProductScreen:
    """``/scan CODE``: the product with that barcode (or SKU) and similar items."""
    return ProductScreen(lambda c: c.shop.scan(code))


def catalog_screen(brand: str) -> ProductListScreen:
    handle = handle_of(brand)
    return ProductListScreen(f"@{handle} catalogue", lambda c: c.shop.catalog(handle))


def search_screen(text: str, brand: str | None = None) -> ProductListScreen:
    where = f" at @{handle_of(brand)}" if brand else ""
    return ProductListScreen(
        f"Products matching “{text}”{where}", lambda c: c.shop.search(text, brand)
    )
