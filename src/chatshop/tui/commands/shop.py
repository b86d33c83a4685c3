"""Shopping in the conversation: the shop commands, ``#cart`` replies, the verbs on product
cards (add to cart, buy now, similar) and the bot's shopping quick replies (buy now, add to
cart, similar, talk to a person).

``/search TEXT`` searches products when the open thread is a brand's; ``/products TEXT``
always searches products, across brands (``@brand`` narrows it).
"""

from __future__ import annotations

from collections.abc import Callable

from chatshop import safetext
from chatshop.client.api import new_key
from chatshop.client.shop_api import handle_of
from chatshop.protocol.cards import AlertCard, ProductCard, PromotionCard
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.shop_models import Cart, LineSpec, OrderPage
from chatshop.tui.commands.chat import failed
from chatshop.tui.commands.context import Context
from chatshop.tui.commands.registry import Args, Command, Offer, Shape, Verb
from chatshop.tui.shop.cart import CartScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.shop.product import (
    ProductScreen,
    VariantPicker,
    catalog_screen,
    scan_screen,
    search_screen,
)

CART_TAG = "#cart"


def brand_of(ctx: Context, thread: Thread | None) -> str | None:
    """The handle of the brand account in a thread, if there is one."""
    if thread is None:
        return None
    brand = ctx.session.threads.brand(thread)
    return brand.handle if brand else None


def _brand(ctx: Context, args: Args) -> str | None:
    return args.handles[0] if args.handles else brand_of(ctx, ctx.thread)


def _items(count: int) -> str:
    return f"{count} item{'s' if count != 1 else ''}"


def added(ctx: Context) -> Callable[[Cart], None]:
    def done(cart: Cart) -> None:
        handle = safetext.clean_line(cart.brand.handle)
        ctx.hint(f"Added to your @{handle} cart ({_items(cart.items)}) · /cart shows it.")

    return done


# --------------------------------------------------------------------------- commands


def catalog(ctx: Context, args: Args) -> bool:
    brand = _brand(ctx, args)
    if brand is None:
        ctx.hint("Usage: /catalog @brand (or open a brand's thread).", error=True)
        return False
    ctx.push(catalog_screen(brand))
    return True


def products(ctx: Context, args: Args) -> bool:
    ctx.push(search_screen(args.text, args.handles[0] if args.handles else None))
    return True


def search_products(ctx: Context, text: str) -> bool:
    """``/search`` in a brand's thread: that brand's products."""
    brand = brand_of(ctx, ctx.thread)
    if brand is None:
        return False
    ctx.push(search_screen(text, brand))
    return True


def scan(ctx: Context, args: Args) -> bool:
    ctx.push(scan_screen(args.text.split()[0]))
    return True


def cart(ctx: Context, args: Args) -> bool:
    ctx.push(CartScreen(_brand(ctx, args)))
    return True


def promo(ctx: Context, args: Args) -> bool:
    ctx.push(CartScreen(_brand(ctx, args), promo=args.text.split()[0]))
    return True


def checkout(ctx: Context, args: Args) -> bool:
    brand = _brand(ctx, args)
    if brand is None:
        ctx.push(CartScreen())
        ctx.hint("Choose the brand's cart, then c to check out.")
    else:
        ctx.push(CheckoutScreen(brand))
    return True


def orders(ctx: Context, args: Args) -> bool:
    """Your orders; ``/orders @brand`` (or F4 for brand staff): the brand's queue."""
    session = ctx.session
    brand = args.handles[0] if args.handles else None
    if brand is None and session.staff_brands:
        brand = session.staff_brands[0]
    if brand is None:
        ctx.push(OrdersScreen())
        return True
    handle = handle_of(brand)

    def allowed(_page: OrderPage) -> None:
        if handle not in session.staff_brands:
            session.staff_brands.append(handle)
        ctx.push(OrdersScreen("staff", handle, staff=True))

    def refused(failure: object) -> None:
        ctx.hint(f"You do not work for @{safetext.clean_line(handle)}: your own orders.")
        ctx.push(OrdersScreen())

    ctx.call(lambda c: c.shop.orders("staff", handle), allowed, refused, label="orders")
    return True


def share(ctx: Context, args: Args) -> bool:
    thread = ctx.thread
    sku = args.text.split()[0] if args.text else ""
    brand = _brand(ctx, args)
    if thread is None or not sku or brand is None:
        ctx.hint("Usage: /share SKU [@brand] in the thread to share into.", error=True)
        return False
    key = new_key()
    ctx.call(
        lambda c: c.shop.share(thread.id, key, brand=brand, sku=sku),
        lambda _m: ctx.hint(f"Shared {safetext.clean_line(sku)}."),
        failed(ctx, "/share"),
    )
    return True


def cart_reply(ctx: Context, text: str) -> bool:
    """``#cart`` as a reply to a product card: add it to the cart instead of sending."""
    replying = ctx.replying
    if text.strip().lower() != CART_TAG or replying is None:
        return False
    if _product(replying) is None:
        return False
    ctx.reply_to(None)
    _add(ctx, replying, Offer("add_to_cart", "Add to cart"))
    return True


def _shop(
    name: str,
    usage: str,
    summary: str,
    run: Callable[[Context, Args], bool],
    shape: Shape,
    palette: str = "",
    template: str = "",
) -> Command:
    return Command(
        name, usage, summary, run, shape, palette=palette, template=template, domain="shop"
    )


COMMANDS = [
    _shop(
        "catalog",
        "/catalog [@brand]",
        "a brand's catalogue (here: this brand's)",
        catalog,
        Shape.WORDS,
        "shop: Catalogue",
        "/catalog @",
    ),
    _shop(
        "products",
        "/products TEXT [@brand]",
        "search products across brands",
        products,
        Shape.WORDS_REQUIRED,
        "shop: Search products",
        "/products ",
    ),
    _shop(
        "scan",
        "/scan CODE",
        "the product with this barcode, and similar items",
        scan,
        Shape.WORDS_REQUIRED,
        "shop: Scan a barcode",
        "/scan ",
    ),
    _shop(
        "cart",
        "/cart",
        "your carts (#cart in reply to a product card adds it)",
        cart,
        Shape.WORDS,
        "shop: Cart",
    ),
    _shop(
        "promo",
        "/promo CODE [@brand]",
        "apply a promo code to your cart",
        promo,
        Shape.WORDS_REQUIRED,
        "shop: Promo code",
        "/promo ",
    ),
    _shop(
        "checkout",
        "/checkout [@brand]",
        "check out your cart at a brand",
        checkout,
        Shape.WORDS,
        "shop: Checkout",
    ),
    _shop(
        "orders",
        "/orders [@brand]",
        "your orders (f4); brand staff: the brand's queue",
        orders,
        Shape.WORDS,
        "shop: Orders",
    ),
    _shop(
        "share",
        "/share SKU [@brand]",
        "staff: share a product card here",
        share,
        Shape.WORDS_REQUIRED,
    ),
]

# --------------------------------------------------------------------------- verbs


def _product(message: Message) -> ProductCard | None:
    """The product of a product card, a promoted post or an alert."""
    card = message.card
    if isinstance(card, PromotionCard | AlertCard):
        return card.product
    return card if isinstance(card, ProductCard) else None


def _card_offers(verb: str, label: str, key: str) -> Callable[[Context, Message], list[Offer]]:
    def offers(_ctx: Context, message: Message) -> list[Offer]:
        card = _product(message)
        if card is None or (verb != "similar" and card.stock <= 0 and not card.variants):
            return []
        return [Offer(verb, label, key)]

    return offers


def _with_variant(ctx: Context, card: ProductCard, then: Callable[[str], None]) -> None:
    """Run ``then`` with the chosen SKU: asked for, with live stock, when there are sizes."""
    if len(card.variants) <= 1:
        then(card.variants[0].sku if card.variants else card.sku)
        return

    def picked(sku: str | None) -> None:
        if sku:
            then(sku)

    ctx.push(VariantPicker(card.title, card.product_id), picked)


def _add(ctx: Context, message: Message, _offer: Offer) -> None:
    card = _product(message)
    if card is None:
        return
    message_id = message.id
    _with_variant(
        ctx,
        card,
        lambda sku: ctx.call(
            lambda c: c.shop.cart_add(message_id=message_id, sku=sku),
            added(ctx),
            failed(ctx, "add to cart"),
        ),
    )


def _buy(ctx: Context, message: Message, _offer: Offer) -> None:
    card = _product(message)
    if card is not None:
        brand = card.brand_handle
        _with_variant(
            ctx, card, lambda sku: ctx.push(CheckoutScreen(brand, items=[LineSpec(sku=sku)]))
        )


def _similar(ctx: Context, message: Message, _offer: Offer) -> None:
    card = _product(message)
    if card is not None:
        product_id = card.product_id
        ctx.push(ProductScreen(lambda c: c.shop.product(product_id)))


VERBS = [
    Verb(
        "add_to_cart",
        "Add to cart",
        "add this product to your cart",
        _card_offers("add_to_cart", "Add to cart", "a"),
        _add,
        key="a",
        palette="shop: Add the newest product to the cart",
        domain="shop",
    ),
    Verb(
        "buy_now",
        "Buy now",
        "buy this product now (checkout)",
        _card_offers("buy_now", "Buy now", "b"),
        _buy,
        key="b",
        palette="shop: Buy the newest product now",
        domain="shop",
    ),
    Verb(
        "similar",
        "Similar",
        "this product and similar items",
        _card_offers("similar", "Similar", "s"),
        _similar,
        key="s",
        domain="shop",
    ),
]
