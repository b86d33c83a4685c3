"""Commands, verbs and the palette from the registry, against the seeded demo: each runs
what it declares and answers on the screen that asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.client.api import new_key
from chatshop.protocol.cards import PickCard, QuickReply
from chatshop.protocol.frames import Send
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


async def test_quick_replies_are_picks_the_relay_acts_on(
    demo: RunningRelay, _config_dir: Path
) -> None:
    """A brand's answer with quick replies offers them as buttons; picking one sends its
    text with ``pick``: the relay posts it with a pick card, and for Add to cart puts the
    offered size in the cart and for Talk to a person calls one, in the same transaction."""
    brand = await client_for(demo, "northwind")
    coat = next(p for p in (await brand.shop.catalog("northwind")).products if "coat" in p.title)
    sku = next(v.sku for v in coat.variants if v.stock > 0)
    thread_id = next(
        t.id for t in await brand.threads() if any(m.handle == "sam" for m in t.members)
    )
    app = demo_app(demo, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        assert await open_brand(pilot, main) == thread_id
        replies = [
            QuickReply(
                label="Add to cart",
                text="Add it",
                action="add_to_cart",
                product_id=coat.id,
                sku=sku,
            ),
            QuickReply(label="Talk to a person", text="A person please", action="handover"),
        ]
        await brand.request(
            Send(id=0, thread_id=thread_id, text="In stock?", key=new_key(), replies=replies)
        )
        labels = ["Add to cart", "Talk to a person"]
        await wait_for(pilot, lambda: [c[0] for c in main.conversation.choices] == labels)
        window = main.session.threads.window(thread_id)
        assert window is not None
        offered = window.messages[-1]
        main._act(next(o for o in main._offers if o.label == "Add to cart"))
        await wait_for(
            pilot,
            lambda: any(
                isinstance(m.card, PickCard) and m.card.message_id == offered.id
                for m in window.messages
            ),
        )
        picked = next(m for m in window.messages if isinstance(m.card, PickCard))
        assert picked.text == "Add it" and picked.reply_to == offered.id
        sam = await client_for(demo, "sam")
        cart = await sam.shop.cart("northwind")
        assert [line.sku for line in cart.lines] == [sku]
        await brand.request(
            Send(id=0, thread_id=thread_id, text="Anything else?", key=new_key(), replies=replies)
        )
        await wait_for(
            pilot,
            lambda: window.messages[-1].text == "Anything else?" and len(main._offers) == 2,
        )
        answering = main.session.threads.answering
        await wait_for(pilot, lambda: answering.get(thread_id) == "the assistant")
        main._act(next(o for o in main._offers if o.label == "Talk to a person"))
        await wait_for(pilot, lambda: answering.get(thread_id) not in (None, "the assistant"))
        assert (await sam.shop.handover(thread_id)).mode in ("waiting", "staff")
        await sam.close()
    await brand.close()
