"""One regression test per defect a new user hit (issue 9, defects 1 to 17), each driving
the app as that user did, by keys, against a real relay (the seeded demo where the shop is
involved) or, for how things look, against fixed data.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from chatshop.client import ChatClient, ConnectionState
from chatshop.config import Config
from chatshop.credentials import TokenStore
from chatshop.protocol.cards import ProductCard
from chatshop.protocol.limits import MAX_TEXT_CHARS
from chatshop.protocol.models import Message, Thread, User
from chatshop.protocol.shop_models import LineSpec
from chatshop.tui.app import ChatshopApp
from chatshop.tui.book import ThreadBook
from chatshop.tui.cards import money
from chatshop.tui.link import LoginPlan
from chatshop.tui.screens.confirm import ConfirmScreen
from chatshop.tui.screens.help import HelpScreen, help_content
from chatshop.tui.screens.login import LoginScreen
from chatshop.tui.screens.main import MainScreen
from chatshop.tui.shop import render
from chatshop.tui.shop.cart import CartScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.orders import OrdersScreen
from chatshop.tui.shop.product import ProductScreen, VariantPicker, image_width
from conftest import RunningRelay, make_user
from test_tui_shop import brand_of, client_for, demo, demo_app
from test_tui_snapshots import PIZZA, fixture_app, logged_in
from waiting import main_ready, wait_for

__all__ = ["demo"]  # the seeded-demo relay fixture, shared with test_tui_shop
SIZE = (110, 34)
PASSWORD = "pw-secret"


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    return directory


def text_of(app: ChatshopApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def main_of(app: ChatshopApp) -> MainScreen:
    main = app.main_screen()
    assert main is not None
    return main


def app_as(relay: RunningRelay, config_dir: Path, handle: str, password: str) -> ChatshopApp:
    return ChatshopApp(
        Config(path=config_dir / "config.toml", intro_seen=True),
        server=relay.url,
        tokens=TokenStore(config_dir, use_keyring=False),
        autologin=LoginPlan(relay.url, handle, password=password),
    )


async def open_brand(pilot: object, main: MainScreen) -> int:
    await wait_for(pilot, lambda: any(brand_of(t) for t in main.session.threads.threads.values()))  # type: ignore[arg-type]
    thread_id = next(t.id for t in main.session.threads.threads.values() if brand_of(t))
    main.open_thread(thread_id)
    await wait_for(pilot, lambda: main.current == thread_id and main.transcript.window)  # type: ignore[arg-type]
    return thread_id


async def share_coat(relay: RunningRelay) -> None:
    """The brand posts the coat's product card in its thread with sam (the newest message
    there), as the brand's own account does."""
    brand = await client_for(relay, "northwind")
    thread = next(t for t in await brand.threads() if any(m.handle == "sam" for m in t.members))
    coat = next(p for p in (await brand.shop.catalog("northwind")).products if "coat" in p.title)
    await brand.shop.share(thread.id, uuid.uuid4().hex, brand="northwind", sku=coat.sku)
    await brand.close()


async def scarf_sku(relay: RunningRelay) -> str:
    """The demo scarf's SKU (one variant, barcode 4006381333931)."""
    sam = await client_for(relay, "sam")
    page = await sam.shop.catalog("northwind")
    await sam.close()
    return next(p for p in page.products if p.barcode == "4006381333931").variants[0].sku


async def cart_with_the_scarf(relay: RunningRelay) -> None:
    sku = await scarf_sku(relay)
    sam = await client_for(relay, "sam")
    await sam.shop.cart_add(brand="northwind", sku=sku)
    await sam.close()


# --------------------------------------------------------------------------- 1, 2: promo codes


async def test_1_checkout_never_pays_on_a_promo_keystroke(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """In /cart then c, typing WELCOME20 lands in the promo field wherever the focus was,
    Enter applies it (nothing is paid), the hint says so; only Enter on Pay pays, with the
    discount."""
    await cart_with_the_scarf(demo)
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        main.composer.focus()
        await pilot.press(*"/cart", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CartScreen) and app.screen.carts)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckoutScreen) and app.screen.quote)
        checkout = app.screen
        assert isinstance(checkout, CheckoutScreen) and checkout.quote is not None
        await wait_for(pilot, lambda: not checkout.promo_input.has_focus)
        before = checkout.quote.total
        await pilot.press(*"WELCOME20")
        await wait_for(pilot, lambda: checkout.promo_input.value == "WELCOME20")
        assert "Enter applies the code" in text_of(app, "#shop-hint")
        await pilot.press("enter")
        await wait_for(pilot, lambda: checkout.quote is not None and checkout.quote.discount > 0)
        assert checkout.result is None  # the Enter meant for the field paid nothing
        await wait_for(pilot, lambda: app.focused is checkout.pay_button)
        assert checkout.quote.total < before
        await pilot.press("enter")
        await wait_for(pilot, lambda: checkout.result is not None)
        assert checkout.result is not None and checkout.result.order.discount > 0


async def test_2_a_wrong_promo_keeps_the_field_and_no_letter_is_a_hotkey(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """p, BOGUS1, Enter: the error shows and the field stays focused, so the next code's
    letters (c is checkout) go into the field."""
    await cart_with_the_scarf(demo)
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        cart = CartScreen()
        app.push_screen(cart)
        await wait_for(pilot, lambda: cart.carts and app.focused is cart.lines)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.focused is cart.promo_input)
        await pilot.press(*"BOGUS1", "enter")
        await wait_for(pilot, lambda: "BOGUS1" in text_of(app, "#shop-hint"))
        assert cart.query_one("#shop-hint").has_class("-error")
        assert app.focused is cart.promo_input
        cart.promo_input.value = ""
        await pilot.press(*"CODE")
        await wait_for(pilot, lambda: cart.promo_input.value == "CODE")
        assert app.screen is cart


# --------------------------------------------------------------------------- 3, 4, 8, 9: keys


async def test_3_handles_complete_with_tab(relay: RunningRelay, _config_dir: Path) -> None:
    """`hey @al` Tab and `/dm @al` Tab complete alice's handle from your threads."""
    sam = await make_user(relay.url, "sam")
    alice = await make_user(relay.url, "alice")
    await alice.open_direct("sam")
    app = app_as(relay, _config_dir, "sam", PASSWORD)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        main.composer.focus()
        await pilot.press(*"hey @al", "tab")
        await wait_for(pilot, lambda: main.composer.text == "hey @alice ")
        main.composer.set_text("")
        await pilot.press(*"/dm @al", "tab")
        await wait_for(pilot, lambda: main.composer.text == "/dm @alice ")
    for client in (sam, alice):
        await client.close()


async def test_4_thread_numbers_through_the_jump(relay: RunningRelay, _config_dir: Path) -> None:
    """ctrl+k, 2, Enter opens the second thread (the path that works where alt+2 types a
    character); alt+1 still opens the first where alt sends ESC."""
    sam = await make_user(relay.url, "sam")
    bob = await make_user(relay.url, "bob")
    alice = await make_user(relay.url, "alice")
    await bob.open_direct("sam")
    await alice.open_direct("sam")
    app = app_as(relay, _config_dir, "sam", PASSWORD)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        ordered = [t.id for t in main.session.threads.ordered()]
        await wait_for(pilot, lambda: main.current == ordered[0])
        await pilot.press("ctrl+k", "2", "enter")
        await wait_for(pilot, lambda: main.current == ordered[1])
        assert app.focused is main.composer
        await pilot.press("alt+1")
        await wait_for(pilot, lambda: main.current == ordered[0])
    for client in (sam, bob, alice):
        await client.close()


async def test_8_question_mark_opens_help_from_an_empty_composer() -> None:
    """? in the empty composer opens the help (F1 works everywhere); `what?` stays text."""
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = await logged_in(pilot, {3: PIZZA})
        main.composer.focus()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        await pilot.press(*"what?")
        await wait_for(pilot, lambda: main.composer.text == "what?")
        assert app.screen is main
        main.sidebar.focus_filter()
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


def test_9_the_jump_ranks_the_direct_thread_first() -> None:
    """Typing `alice` in ctrl+k puts the direct thread with alice before a group she is in."""
    sam = User(id=1, handle="sam", display_name="Sam")
    alice = User(id=2, handle="alice", display_name="Alice Moreau")
    bob = User(id=3, handle="bob", display_name="Bob")
    book = ThreadBook(me=sam)
    group = Thread(
        id=1,
        kind="group",
        name="Pizza Friday",
        owner_id=1,
        members=[sam, alice, bob],
        last_seq=0,
        last_activity=30,
    )
    direct = Thread(
        id=2,
        kind="direct",
        name="",
        owner_id=None,
        members=[sam, alice],
        last_seq=0,
        last_activity=10,
    )
    book.load([group, direct])
    assert [t.id for t in book.ordered("alice")] == [2, 1]
    assert [t.id for t in book.ordered("pizza")] == [1]
    assert [t.id for t in book.ordered("@bob")] == [1]


# --------------------------------------------------------------------------- 5, 15: product


async def test_5_the_size_picker_shows_live_stock(demo: RunningRelay, _config_dir: Path) -> None:
    """After the card was shared, someone buys a 42L: the picker opened from the card says
    what is left now, not what the card said."""
    await share_coat(demo)
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        thread_id = await open_brand(pilot, main)

        def card() -> tuple[Message, ProductCard] | None:
            window = main.session.threads.window(thread_id)
            for message in reversed(window.messages if window else []):
                if isinstance(message.card, ProductCard) and len(message.card.variants) > 1:
                    return message, message.card
            return None

        await wait_for(pilot, lambda: card() is not None)
        found = card()
        assert found is not None
        message, product = found
        shared = next(v for v in product.variants if v.label == "42L")
        bob = await client_for(demo, "bob")
        await bob.topup(100_000, "EUR")
        items = [LineSpec(sku=shared.sku)]
        quote = await bob.shop.quote("northwind", items=items)
        from chatshop.protocol.shop_models import Address

        address = Address(name="Bob", line1="1 Rue", postcode="69001", city="Lyon", country="FR")
        await bob.shop.checkout(
            "northwind", "bob-42l", expected_total=quote.total, items=items, address=address
        )
        await bob.close()
        main.transcript.focus()
        assert main.transcript.select_seq(message.seq)
        await wait_for(pilot, lambda: any(o.verb == "add_to_cart" for o in main._offers))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, VariantPicker) and app.screen.variants)
        picker = app.screen
        assert isinstance(picker, VariantPicker)
        live = next(v for v in picker.variants if v.label == "42L")
        assert live.stock == shared.stock - 1
        prompt = str(picker.picker.get_option_at_index(picker.variants.index(live)).prompt)
        assert f"only {shared.stock - 1} left" in prompt


async def test_15_enter_on_a_size_only_moves(demo: RunningRelay, _config_dir: Path) -> None:
    """Enter on a size in the product screen adds nothing; a (shown in the footer) does."""
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        screen = ProductScreen(lambda c: c.shop.product(sku="NW-COAT-HARBOR", brand="northwind"))
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.product is not None and app.focused is screen.variants)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "a adds this size" in text_of(app, "#shop-hint"))
        sam = await client_for(demo, "sam")
        assert (await sam.shop.cart("northwind")).items == 0
        footer = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert "a" in footer
        await pilot.press("a")
        await wait_for(
            pilot, lambda: "Added to your @northwind cart (1 item)" in text_of(app, "#shop-hint")
        )
        assert (await sam.shop.cart("northwind")).items == 1
        await sam.close()


# ------------------------------------------------------------------- 6: long and failed sends


async def test_6_refused_and_failed_sends(relay: RunningRelay, _config_dir: Path) -> None:
    """A 10,000-character paste is refused before sending, with a counter; a send the relay
    refuses (alice blocked sam) offers Retry / Edit / Discard under it, and Discard removes
    it, so it pins nothing anywhere."""
    sam = await make_user(relay.url, "sam")
    alice = await make_user(relay.url, "alice")
    direct = await alice.open_direct("sam")
    await sam.create_group("Other", ["alice"])
    app = app_as(relay, _config_dir, "sam", PASSWORD)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        main.open_thread(direct.id)
        await wait_for(pilot, lambda: main.current == direct.id)
        main.composer.focus()
        main.composer.set_text("x" * 10_000)
        await wait_for(
            pilot, lambda: f"10,000/{MAX_TEXT_CHARS:,}" in str(main.composer.border_subtitle)
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Too long to send" in main.conversation.hint_line.text)
        window = main.session.threads.windows[direct.id]
        assert not window.pending and len(main.composer.text) == 10_000
        main.composer.set_text("")
        await alice.block("sam")
        await pilot.press(*"are you there?", "enter")
        await wait_for(pilot, lambda: window.pending and window.pending[0].failed)
        await wait_for(
            pilot, lambda: [c[0] for c in main.conversation.choices] == ["Retry", "Edit", "Discard"]
        )
        await pilot.press("tab")
        await wait_for(
            pilot, lambda: isinstance(app.focused, type(main.conversation.actions.buttons()[0]))
        )
        await pilot.press("right", "right", "enter")
        await wait_for(pilot, lambda: not window.pending)
        assert not main.conversation.choices
    for client in (sam, alice):
        await client.close()


# --------------------------------------------------------------------------- 7: 80x24


async def test_7_every_part_fits_80x24() -> None:
    """At 80x24 each thread takes two unwrapped lines, the transcript shows its newest
    message, the footer ends with the palette key, and the wallet shows the Amount column."""
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = await logged_in(pilot, {3: PIZZA})
        options = main.sidebar.options
        width = options.content_region.width
        for index in range(options.option_count):
            prompt = options.get_option_at_index(index).prompt
            lines = str(prompt).split("\n")
            assert len(lines) == 2 and all(len(line) <= width for line in lines)
        transcript = main.transcript
        assert round(transcript.scroll_y) >= transcript.max_scroll_y - 1
        await pilot.press("f3")
        from chatshop.tui.screens.wallet import WalletScreen

        await wait_for(
            pilot, lambda: isinstance(app.screen, WalletScreen) and app.screen.table.columns
        )
        screen = app.screen
        assert isinstance(screen, WalletScreen)
        table = screen.table
        assert "amount" in [str(key.value) for key in table.columns]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80


# ------------------------------------------------------------------- 10, 11: who may do what


async def test_10_pick_mode_offers_only_what_applies(
    relay: RunningRelay, _config_dir: Path
) -> None:
    """Picking alice's message offers Reply but not Edit or Delete; sam's own offers all."""
    sam = await make_user(relay.url, "sam")
    alice = await make_user(relay.url, "alice")
    direct = await alice.open_direct("sam")
    await sam.send(direct.id, "mine")
    await alice.send(direct.id, "hers")
    app = app_as(relay, _config_dir, "sam", PASSWORD)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        await wait_for(
            pilot, lambda: main.transcript.window and len(main.transcript.window.messages) == 2
        )
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: main.transcript.selected_message() is not None)
        assert main.transcript.selected_message().text == "hers"  # type: ignore[union-attr]
        assert [o.verb for o in main._offers] == ["reply"]
        active = {b.binding.action for b in app.active_bindings.values()}
        assert "verb('reply')" in active and "verb('edit')" not in active
        assert "verb('delete')" not in active
        await pilot.press("up")
        await wait_for(pilot, lambda: main.transcript.selected_message().text == "mine")  # type: ignore[union-attr]
        assert [o.verb for o in main._offers] == ["reply", "edit", "delete"]
    for client in (sam, alice):
        await client.close()


async def test_11_staff_get_the_queue_and_customers_no_staff_keys(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """nora opens @northwind's queue once; F4 then opens the queue, with staff keys. sam's
    F4 shows his orders with the cancel key and no staff keys; a brand thread seen by its
    staff is titled with the customer."""
    app = demo_app(demo, _config_dir, "nora")
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        main.composer.focus()
        await pilot.press(*"/orders @northwind", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        await pilot.press("f4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.role == "staff"
        )
        keys = {b.binding.action for b in app.active_bindings.values()}
        assert {"advance", "refund", "toggle_role"} <= keys and "cancel_order" not in keys
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen))
        keys = {b.binding.action for b in app.active_bindings.values()}
        assert "cancel_order" in keys and not {"advance", "refund", "toggle_role"} & keys
    nora = User(id=5, handle="nora", display_name="Nora Lind")
    customer = User(id=1, handle="sam", display_name="Sam Carter")
    brand = User(id=4, handle="northwind", display_name="Northwind", kind="brand")
    book = ThreadBook(me=nora)
    thread = Thread(
        id=4,
        kind="brand",
        name="",
        owner_id=None,
        members=[customer, brand],
        last_seq=0,
        last_activity=0,
    )
    assert book.title(thread) == "Sam Carter · Northwind"
    assert ThreadBook(me=customer).title(thread) == "Northwind"


# --------------------------------------------------------------------------- 12: offline


async def test_12_offline_status_retry_now_and_queued_payments(
    relay: RunningRelay, _config_dir: Path
) -> None:
    """With the relay down the status reads "offline, retrying in N s (ctrl+r: now)" (no
    errno text) and the handle stays on the bar; a payment confirmed offline is marked
    queued; ctrl+r reconnects at once once the relay is back, and the payment goes once."""
    sam = await make_user(relay.url, "sam")
    await sam.topup(5_000, "EUR")
    alice = await make_user(relay.url, "alice")
    direct = await alice.open_direct("sam")
    app = app_as(relay, _config_dir, "sam", PASSWORD)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await main_ready(pilot)
        await wait_for(pilot, lambda: main.current == direct.id and main.session.wallet.loaded)
        await relay.stop()
        await wait_for(pilot, lambda: main.status.state == "reconnecting")
        status = main.status.text()
        assert "offline, retrying" in status and "(ctrl+r: now)" in status
        assert "Errno" not in status and "refused" not in status
        whoami = main.query_one("#whoami")
        assert whoami.region.width > 0 and whoami.region.right <= 80
        main.composer.focus()
        main.composer.set_text("€3 coffee")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.state == "queued")
        assert "queued" in str(dialog.query_one("#confirm-status").render())
        await wait_for(pilot, lambda: "1 queued" in main.status.text())
        await relay.start()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.link.state is ConnectionState.CONNECTED, timeout=8)
        await wait_for(pilot, lambda: app.screen is main)
        await wait_for(pilot, lambda: "Paid Alice" in main.conversation.hint_line.text)
    again = ChatClient(relay.url)
    await again.connect()
    await again.login("alice", PASSWORD)
    history = await again.history(direct.id)
    await again.close()
    assert len([m for m in history.messages if m.card is not None]) == 1
    for client in (sam, alice):
        await client.close()


# --------------------------------------------------------------------------- 13: stale hints


async def test_13_hints_go_stale_and_the_tail_stays_in_view(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """ "Added to your cart" goes when the cart changes from another terminal; a hint
    appearing under the transcript keeps the newest message in view."""
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await main_ready(pilot)
        await open_brand(pilot, main)
        transcript = main.transcript

        def at_tail() -> bool:
            return transcript.max_scroll_y > 0 and transcript.scroll_y >= transcript.max_scroll_y

        await wait_for(pilot, at_tail)
        hint = main.conversation.hint_line
        hint.clear()
        await wait_for(pilot, lambda: not hint.display)
        height = transcript.size.height
        main.hint("Added to your @northwind cart (1 item) · /cart shows it.")
        await wait_for(pilot, lambda: transcript.size.height < height)  # the hint took a line
        await wait_for(pilot, at_tail)
        sam = await client_for(demo, "sam")
        await sam.shop.cart_add(brand="northwind", sku=await scarf_sku(demo))
        await wait_for(pilot, lambda: not main.conversation.hint_line.text)
        await sam.close()


# --------------------------------------------------------------------------- 14: login


async def test_14_fast_typing_across_login_fields(relay: RunningRelay, _config_dir: Path) -> None:
    """`sam`, Tab, `demo` in one burst puts sam in Handle and demo in Password."""
    app = ChatshopApp(Config(), tokens=None, server=relay.url, persist=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        handle = app.screen.query_one("#handle", Input)
        handle.focus()
        await wait_for(pilot, lambda: app.focused is handle)
        driver = app._driver
        assert driver is not None
        from textual import events

        for key, char in [*((c, c) for c in "sam"), ("tab", "\t"), *((c, c) for c in "demo")]:
            event = events.Key(key, char)
            event.set_sender(app)
            driver.send_message(event)
        password = app.screen.query_one("#password", Input)
        await wait_for(pilot, lambda: password.value == "demo")
        assert handle.value == "sam"


# --------------------------------------------------------------------------- 16: wording


def test_16_wording() -> None:
    """Counts agree with their nouns, cards read as sentences, the help wraps under its own
    column, and the top-up placeholder names the wallet's currency."""
    assert render.count(1, "item") == "1 item" and render.count(2, "product") == "2 products"
    from chatshop.protocol.cards import PaymentCard, SplitCard, SplitShare
    from chatshop.tui.cards import lines

    names = {1: "Sam", 2: "Alice Moreau"}.__getitem__
    paid = PaymentCard(
        transfer_id=1, short_id="T-1", amount=1600, currency="EUR", from_id=2, to_id=1
    )
    head = "".join(text for text, _ in lines(paid, me=1, name=names)[0])
    assert "Alice Moreau paid you EUR 16.00" in head and "  EUR" not in head
    split = SplitCard(
        split_id=1,
        total=4800,
        currency="EUR",
        creator_id=1,
        creator_share=1600,
        shares=[SplitShare(user_id=2, amount=3200, request_id=1, status="open")],
    )
    shares = "".join(text for text, _ in lines(split, me=1, name=names)[1])
    assert "You EUR 16.00 (own share)" in shares and "16.00 own" not in shares
    help_lines = str(help_content(60)).split("\n")
    width = next(len(line) - len(line.lstrip()) for line in help_lines if line.startswith(" " * 8))
    assert width > 8  # continuation lines start under the description column


async def test_16_checkout_shows_the_balance_after_paying(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """After paying, the checkout shows the wallet balance the relay answered, not the one
    before; the wallet's top-up field suggests an amount in its own currency."""
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        await main_ready(pilot)
        await wait_for(pilot, lambda: app.session.wallet.loaded)
        screen = CheckoutScreen("northwind", items=[LineSpec(sku=await scarf_sku(demo))])
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.quote is not None and app.focused is screen.pay_button)
        assert screen.quote is not None
        before = screen.quote.balance
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result is not None
        after = money(before - screen.result.order.total, "EUR")
        assert f"Wallet balance now{after:>}".replace(" ", "") in text_of(
            app, "#checkout-quote"
        ).replace(" ", "")
        await pilot.press("escape")
        await pilot.press("f3")
        from chatshop.tui.screens.wallet import WalletScreen

        await wait_for(pilot, lambda: isinstance(app.screen, WalletScreen))
        assert app.screen.query_one("#topup-amount", Input).placeholder == "50 (EUR)"


# --------------------------------------------------------------------------- 17: seams


def test_17_pictures_grow_with_the_screen() -> None:
    """The product picture grows with the screen (a quarter of its width, within its
    height), no longer a fixed 20 cells."""
    assert image_width(80, 24) == 16 and image_width(200, 60) == 40
    assert image_width(300, 100) == 48


async def test_17_search_reaches_past_the_loaded_window(
    relay: RunningRelay, _config_dir: Path
) -> None:
    """/search finds a message older than the pages loaded, from the relay's history."""
    sam = await make_user(relay.url, "sam")
    alice = await make_user(relay.url, "alice")
    direct = await alice.open_direct("sam")
    await alice.send(direct.id, "the pepperoni place on Rue Merciere")
    for n in range(160):
        await alice.send(direct.id, f"filler {n}")
    app = app_as(relay, _config_dir, "sam", PASSWORD)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        await wait_for(pilot, lambda: main.transcript.window and main.transcript.window.messages)
        window = main.transcript.window
        assert window is not None
        assert not any("pepperoni" in m.text for m in window.messages)
        main.composer.focus()
        await pilot.press(*"/search pepperoni", "enter")
        await wait_for(pilot, lambda: "1 match" in main.conversation.hint_line.text)
        assert "pepperoni place" in main.conversation.hint_line.text
    for client in (sam, alice):
        await client.close()
