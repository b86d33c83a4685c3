"""Shopping in the app against a real relay seeded with the demo shop (@northwind, nora,
WELCOME20): catalogue, product, cart, promo, checkout, and the orders pane moving live when
staff advance an order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from chatshop.client import ChatClient
from chatshop.config import Config
from chatshop.credentials import TokenStore
from chatshop.protocol.cards import ProductCard
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.shop_models import LineSpec
from chatshop.tui.app import ChatshopApp
from chatshop.tui.commands import REGISTRY
from chatshop.tui.commands.registry import Args
from chatshop.tui.commands.slash import SlashError, parse
from chatshop.tui.link import LoginPlan
from chatshop.tui.shop.cart import CartScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.shop.product import (
    ProductListScreen,
    ProductScreen,
    VariantPicker,
    catalog_screen,
)
from chatshop_server.app import Relay
from conftest import RunningRelay, fresh_db
from waiting import main_ready, wait_for

SIZE = (110, 40)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    return directory


@pytest.fixture
async def demo(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay on a database seeded with the demo, as ``chatshop-server --seed-demo`` does."""
    from chatshop_server.seed import seed_demo

    running = RunningRelay(fresh_db(schema_template, tmp_path / "demo.db"))
    seeding = Relay(running._config())
    await seeding.stores.db.start()
    assert await seed_demo(seeding.stores, seeding.context.passwords, seeding.context.shop.media)
    await seeding.stores.db.close()
    await running.start()
    yield running
    await running.stop()


def brand_of(thread: Thread) -> str | None:
    brand = next((m for m in thread.members if m.kind == "brand"), None)
    return brand.handle if brand else None


def demo_app(relay: RunningRelay, config_dir: Path, handle: str = "sam") -> ChatshopApp:
    return ChatshopApp(
        Config(path=config_dir / "config.toml"),
        server=relay.url,
        tokens=TokenStore(config_dir, use_keyring=False),
        autologin=LoginPlan(relay.url, handle, password="demo"),
    )


async def client_for(relay: RunningRelay, handle: str) -> ChatClient:
    client = ChatClient(relay.url)
    await client.connect()
    await client.login(handle, "demo")
    return client


def text_of(app: ChatshopApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_catalogue_product_cart_promo_checkout(demo: RunningRelay, _config_dir: Path) -> None:
    """Sam browses @northwind, adds the coat in 42L, applies WELCOME20 in the cart, checks
    out with Enter, and the orders pane shows the new order first."""
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        app.push_screen(catalog_screen("@northwind"))
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ProductListScreen) and app.screen.products.option_count == 12
            ),
        )
        await pilot.press("enter")  # the coat comes first
        await wait_for(
            pilot, lambda: isinstance(app.screen, ProductScreen) and app.screen.product is not None
        )
        product_screen = app.screen
        assert isinstance(product_screen, ProductScreen) and product_screen.product is not None
        assert "Harbor sport coat" in text_of(app, "#shop-product")
        labels = [v.label for v in product_screen.product.variants]
        product_screen.variants.highlighted = labels.index("42L")
        await pilot.press("a")
        await wait_for(pilot, lambda: "Added to your @northwind cart" in text_of(app, "#shop-hint"))
        assert "only 3 left" in str(
            product_screen.variants.get_option_at_index(labels.index("42L")).prompt
        )

        app.push_screen(CartScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, CartScreen) and app.screen.carts)
        cart_screen = app.screen
        assert isinstance(cart_screen, CartScreen)
        assert cart_screen.carts[0].lines[0].sku.endswith("42L")
        await pilot.press("plus")
        await wait_for(pilot, lambda: cart_screen.carts[0].items == 2)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#cart-promo"))
        await pilot.press(*"WELCOME20", "enter")
        await wait_for(pilot, lambda: "Promo WELCOME20 applied" in text_of(app, "#shop-hint"))
        assert cart_screen.carts[0].discount > 0
        assert "Promo WELCOME20" in text_of(app, "#cart-totals")

        await pilot.press("c")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CheckoutScreen) and app.screen.quote is not None
        )
        checkout = app.screen
        assert isinstance(checkout, CheckoutScreen) and checkout.quote is not None
        assert checkout.quote.discount > 0 and "WELCOME20" in text_of(app, "#checkout-quote")
        await wait_for(pilot, lambda: "Enter on Pay pays" in text_of(app, "#shop-hint"))
        if checkout.needs_address:
            for name, value in (
                ("name", "Sam Carter"),
                ("line1", "1 Quay"),
                ("postcode", "69002"),
                ("city", "Lyon"),
                ("country", "FR"),
            ):
                checkout.query_one(f"#address-{name}").value = value  # type: ignore[attr-defined]
        checkout.pay_button.focus()
        await wait_for(pilot, lambda: app.focused is checkout.pay_button)
        await pilot.press("enter")
        await wait_for(pilot, lambda: checkout.result is not None)
        assert checkout.result is not None
        number = checkout.result.order.number
        assert f"Order placed · {number}" in text_of(app, "#shop-hint")
        await pilot.press("enter")  # again: the orders pane; nothing is charged again
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.orders)
        orders = app.screen
        assert isinstance(orders, OrdersScreen)
        assert orders.orders[0].number == number and orders.orders[0].status == "placed"
        assert number in text_of(app, "#orders-detail")


async def test_checkout_key_is_replayed(demo: RunningRelay, _config_dir: Path) -> None:
    """The checkout screen's key makes a second confirm an answer, not a second order."""
    sam = await client_for(demo, "sam")
    page = await sam.shop.catalog("northwind")
    scarf = next(p for p in page.products if p.barcode == "4006381333931")
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        screen = CheckoutScreen("northwind", items=[LineSpec(sku=scarf.variants[0].sku)])
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.quote is not None)
        await wait_for(pilot, lambda: "Enter on Pay pays" in text_of(app, "#shop-hint"))
        assert screen.quote is not None
        first = await sam.shop.checkout(
            "northwind",
            screen.key,
            expected_total=screen.quote.total,
            items=screen.items,
            shipping=screen._shipping_code(),
        )
        screen.action_pay()
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result is not None and screen.result.replayed
        assert screen.result.order.number == first.order.number
        assert f"Already placed · order {first.order.number}" in text_of(app, "#shop-hint")
    await sam.close()


async def test_cart_reply_to_a_product_card(demo: RunningRelay, _config_dir: Path) -> None:
    """Replying ``#cart`` to the coat card asks for the size, then adds it instead of
    sending text; /cart then shows it."""
    from test_tui_defects import share_coat

    await share_coat(demo)
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = app.main_screen()
        assert main is not None
        await wait_for(
            pilot,
            lambda: any(brand_of(t) == "northwind" for t in main.session.threads.threads.values()),
        )
        brand_thread = next(
            t.id for t in main.session.threads.threads.values() if brand_of(t) == "northwind"
        )
        main.open_thread(brand_thread)

        def card_message() -> Message | None:
            window = main.session.threads.window(brand_thread)
            messages = window.messages if window else []
            return next((m for m in messages if isinstance(m.card, ProductCard)), None)

        await wait_for(pilot, lambda: card_message() is not None)
        message = card_message()
        assert message is not None and isinstance(message.card, ProductCard)
        main.reply_to(message)
        main.composer.focus()
        await pilot.press(*"#cart", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, VariantPicker))
        picker = app.screen
        assert isinstance(picker, VariantPicker)
        options = picker.query_one(OptionList)
        labels = [v.label for v in message.card.variants]
        options.highlighted = labels.index("42L")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "Added to your @northwind cart" in main.conversation.hint_line.text
        )
        window = main.session.threads.window(brand_thread)
        assert window is not None and not any(m.text == "#cart" for m in window.messages)
        main.composer.focus()
        await pilot.press(*"/cart", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CartScreen) and app.screen.carts)
        assert isinstance(app.screen, CartScreen)
        assert [line.label for line in app.screen.carts[0].lines] == ["42L"]


async def test_orders_pane_moves_live(demo: RunningRelay, _config_dir: Path) -> None:
    """Sam's pane shows his new order; nora confirms it and ships it with tracking from her
    own queue, and sam's pane follows each step without reloading."""
    sam = await client_for(demo, "sam")
    page = await sam.shop.catalog("northwind")
    scarf = next(p for p in page.products if p.barcode == "4006381333931")
    items = [LineSpec(sku=scarf.variants[0].sku)]
    quote = await sam.shop.quote("northwind", items=items)
    placed = await sam.shop.checkout(
        "northwind", "live-order-1", expected_total=quote.total, items=items
    )
    await sam.close()
    nora = await client_for(demo, "nora")
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.orders)
        pane = app.screen
        assert isinstance(pane, OrdersScreen)
        assert pane.orders[0].number == placed.order.number
        await nora.shop.advance(placed.order.id, "confirmed")
        await wait_for(pilot, lambda: pane.orders[0].status == "confirmed")
        await nora.shop.advance(placed.order.id, "preparing")
        await nora.shop.advance(
            placed.order.id, "shipped", carrier="Colissimo", tracking="6A000111"
        )
        await wait_for(pilot, lambda: pane.orders[0].status == "shipped")
        assert "tracking Colissimo 6A000111" in text_of(app, "#orders-detail")
    await nora.close()


async def test_staff_advance_from_the_queue(demo: RunningRelay, _config_dir: Path) -> None:
    """nora's queue: n confirms, n prepares, n asks for carrier and tracking and ships,
    r r refunds."""
    sam = await client_for(demo, "sam")
    page = await sam.shop.catalog("northwind")
    scarf = next(p for p in page.products if p.barcode == "4006381333931")
    items = [LineSpec(sku=scarf.variants[0].sku)]
    quote = await sam.shop.quote("northwind", items=items)
    placed = await sam.shop.checkout(
        "northwind", "staff-order-1", expected_total=quote.total, items=items
    )
    app = demo_app(demo, _config_dir, "nora")
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        app.push_screen(OrdersScreen("staff", "@northwind"))
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.orders)
        queue = app.screen
        assert isinstance(queue, OrdersScreen)
        assert queue.orders[0].number == placed.order.number
        await pilot.press("n")
        await wait_for(pilot, lambda: queue.orders[0].status == "confirmed")
        await pilot.press("n")
        await wait_for(pilot, lambda: queue.orders[0].status == "preparing")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#orders-carrier"))
        await pilot.press(*"DHL", "enter")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#orders-tracking"))
        await pilot.press(*"JD0001", "enter")
        await wait_for(pilot, lambda: queue.orders[0].status == "shipped")
        assert queue.orders[0].tracking == "JD0001"
        await pilot.press("r")
        assert "Press r again" in text_of(app, "#shop-hint")
        await pilot.press("r")
        await wait_for(pilot, lambda: queue.orders[0].status == "refunded")
    mine = await sam.shop.orders()
    assert next(o for o in mine.orders if o.id == placed.order.id).status == "refunded"
    await sam.close()


def test_shop_commands_parse() -> None:
    """Shop commands take free words and @handles; the ones needing words say so."""

    def args(line: str) -> Args:
        parsed = parse(REGISTRY, line)
        assert parsed is not None
        return parsed[1]

    assert args("/products wool scarf @northwind") == Args(
        handles=("northwind",), text="wool scarf"
    )
    assert args("/orders @northwind") == Args(handles=("northwind",))
    assert args("/cart") == Args()
    for line in ("/scan", "/promo", "/products @northwind"):
        with pytest.raises(SlashError):
            parse(REGISTRY, line)


async def test_scan_and_search_in_a_brand_thread(demo: RunningRelay, _config_dir: Path) -> None:
    """/scan shows the scarf and similar items; /search in the brand's thread lists its
    products, while elsewhere it still searches the conversation."""
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        main = app.main_screen()
        assert main is not None
        main.composer.focus()
        await pilot.press(*"/scan 4006381333931", "enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ProductScreen) and app.screen.result is not None
        )
        scanned = app.screen
        assert isinstance(scanned, ProductScreen) and scanned.result is not None
        assert scanned.result.product.barcode == "4006381333931"
        assert scanned.similar.option_count == len(scanned.result.similar) > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        await wait_for(
            pilot,
            lambda: any(brand_of(t) == "northwind" for t in main.session.threads.threads.values()),
        )
        main.open_thread(
            next(t.id for t in main.session.threads.threads.values() if brand_of(t) == "northwind")
        )
        main.composer.focus()
        await pilot.press(*"/search coat", "enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ProductListScreen) and app.screen.products.option_count > 0
            ),
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        main.open_thread(
            next(t.id for t in main.session.threads.threads.values() if brand_of(t) is None)
        )
        main.composer.focus()
        await pilot.press(*"/search zzz-nothing", "enter")
        await wait_for(pilot, lambda: "Nothing here contains" in main.conversation.hint_line.text)
        assert app.screen is main


async def test_customer_cancels_before_shipping(demo: RunningRelay, _config_dir: Path) -> None:
    """Sam cancels a placed order from his pane with c c: the relay refunds his wallet and
    puts the scarf back on the shelf."""
    sam = await client_for(demo, "sam")
    page = await sam.shop.catalog("northwind")
    scarf = next(p for p in page.products if p.barcode == "4006381333931")
    items = [LineSpec(sku=scarf.variants[0].sku)]
    quote = await sam.shop.quote("northwind", items=items)
    before = (await sam.wallet()).balances
    placed = await sam.shop.checkout(
        "northwind", "cancel-order-1", expected_total=quote.total, items=items
    )
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.orders)
        pane = app.screen
        assert isinstance(pane, OrdersScreen)
        assert pane.orders[0].number == placed.order.number
        await pilot.press("c")
        assert "Press c again" in text_of(app, "#shop-hint")
        await pilot.press("c")
        await wait_for(pilot, lambda: pane.orders[0].status == "cancelled")
    assert (await sam.wallet()).balances == before
    again = await sam.shop.catalog("northwind")
    restocked = next(p for p in again.products if p.id == scarf.id)
    assert restocked.variants[0].stock == scarf.variants[0].stock
    await sam.close()
