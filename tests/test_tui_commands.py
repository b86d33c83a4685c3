"""Commands, verbs and the palette from the registry, against the seeded demo: each runs
what it declares and answers on the screen that asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.protocol.cards import QuickRepliesCard, QuickReply
from chatshop.protocol.models import Message
from chatshop.tui.commands import REGISTRY
from chatshop.tui.palette import entries
from chatshop.tui.screens.main import MainScreen
from chatshop.tui.screens.wallet import WalletScreen
from chatshop.tui.shop.checkout import CheckoutScreen
from chatshop.tui.shop.product import ProductListScreen, ProductScreen
from conftest import RunningRelay
from test_tui_defects import cart_with_the_scarf, open_brand, text_of
from test_tui_shop import client_for, demo, demo_app
from waiting import main_ready, wait_for

__all__ = ["demo"]
SIZE = (110, 34)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    return directory


async def line(pilot: object, main: MainScreen, text: str) -> None:
    main.composer.focus()
    main.composer.set_text(text)
    await pilot.press("enter")  # type: ignore[attr-defined]


def test_every_command_and_verb_is_declared_once_with_help() -> None:
    """Names are unique; every command has usage and help; every palette title is
    "namespace: Verb"; every pick-mode key belongs to one verb."""
    assert len(REGISTRY.commands) == len({c.usage for c in REGISTRY.commands.values()})
    for command in REGISTRY.commands.values():
        assert command.usage.startswith(f"/{command.name}") and command.summary
        assert not command.palette or ": " in command.palette
    keys = [v.key for v in REGISTRY.keyed()]
    assert len(keys) == len(set(keys))


async def test_palette_runs_commands_verbs_and_opens_threads(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """The palette lists the registry's entries and the threads; picking one runs it."""
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        found = {title: run for title, _help, run in entries(main)}
        assert "chat: New direct message" in found and "wallet: Open" in found
        pizza = next(t for t in found if t.startswith("open: Pizza"))
        found[pizza]()
        await wait_for(pilot, lambda: main.thread is not None and main.thread.kind == "group")
        found["chat: New direct message"]()
        await wait_for(pilot, lambda: main.composer.text == "/dm @")
        main.composer.set_text("")
        found["money: Open the red packet"]()
        await wait_for(pilot, lambda: "Nothing here to open" in main.conversation.hint_line.text)
        found["chat: Jump to a thread"]()
        await wait_for(pilot, lambda: main.sidebar.filter_input.has_focus)
        found["wallet: Open"]()
        await wait_for(pilot, lambda: isinstance(app.screen, WalletScreen))


async def test_shop_commands(demo: RunningRelay, _config_dir: Path) -> None:
    """/promo applies a code to the cart, /products lists, /checkout in the brand's
    thread checks out there, /topup adds money."""
    await cart_with_the_scarf(demo)
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        await line(pilot, main, "/promo WELCOME20 @northwind")
        await wait_for(pilot, lambda: "Promo WELCOME20 applied" in text_of(app, "#shop-hint"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        await line(pilot, main, "/products scarf")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ProductListScreen) and app.screen.products.option_count,
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProductScreen) and app.screen.product)
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is main)
        await open_brand(pilot, main)
        await line(pilot, main, "/checkout")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckoutScreen) and app.screen.quote)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        await line(pilot, main, "/topup 10")
        await wait_for(pilot, lambda: "Topped up EUR 10.00" in main.conversation.hint_line.text)
        await line(pilot, main, "/leave")
        await wait_for(pilot, lambda: "works in groups" in main.conversation.hint_line.text)


async def test_quick_replies_do_what_they_say(demo: RunningRelay, _config_dir: Path) -> None:
    """A bot's answer with quick replies (as the assistant posts it) offers buttons: Add to
    cart adds the offered size, Similar opens the product, Talk to a person asks for one."""
    sam = await client_for(demo, "sam")
    coat = next(p for p in (await sam.shop.catalog("northwind")).products if "coat" in p.title)
    await sam.close()
    sku = next(v.sku for v in coat.variants if v.stock > 0)
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        thread_id = await open_brand(pilot, main)
        window = main.session.threads.window(thread_id)
        assert window is not None
        await wait_for(pilot, lambda: window.messages)
        newest = window.messages[-1]
        brand = next(
            m for m in main.session.threads.threads[thread_id].members if m.kind == "brand"
        )
        answer = Message(
            id=10**9,
            thread_id=thread_id,
            seq=newest.seq + 1,
            sender_id=brand.id,
            text="Yes, in stock. Buy now?",
            created_at=newest.created_at + 1,
            card=QuickRepliesCard(
                product_id=coat.id,
                replies=[
                    QuickReply(
                        label="Buy now",
                        text="Buy now",
                        action="buy_now",
                        product_id=coat.id,
                        sku=sku,
                    ),
                    QuickReply(
                        label="Add to cart",
                        text="Add",
                        action="add_to_cart",
                        product_id=coat.id,
                        sku=sku,
                    ),
                    QuickReply(
                        label="Similar", text="Similar", action="similar", product_id=coat.id
                    ),
                    QuickReply(label="Talk to a person", text="A person", action="handover"),
                ],
            ),
        )
        window.add(answer)
        app.feed.changed.publish(answer)
        await wait_for(
            pilot,
            lambda: (
                [c[0] for c in main.conversation.choices]
                == ["Buy now", "Add to cart", "Similar", "Talk to a person"]
            ),
        )

        def act(verb: str) -> None:
            main._act(next(o for o in main._offers if o.verb == verb))

        act("quick_add_to_cart")
        await wait_for(
            pilot, lambda: "Added to your @northwind cart" in main.conversation.hint_line.text
        )
        act("quick_similar")
        await wait_for(pilot, lambda: isinstance(app.screen, ProductScreen) and app.screen.product)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        act("quick_buy_now")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckoutScreen) and app.screen.quote)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        act("quick_handover")
        await wait_for(
            pilot,
            lambda: (
                "answers you now" in main.conversation.hint_line.text
                or "Asked for a person" in main.conversation.hint_line.text
            ),
        )
