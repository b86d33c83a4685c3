"""Journey 3 of ../shared/SCENARIOS.md through the TUI (Textual's Pilot), in English and in
French: the seeded demo with its real assistant (a bot process on the relay, as
``chatshop demo`` runs it); from the first screen, with the promoted coat post open, sam
asks for 42L, answers yes, pays the checkout card the bot posts, and sees the order in the
orders pane. Keys are counted (a typed line and its Enter is one), the wall time measured,
and the order, the 20 % and the books checked on the relay.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from chatshop.protocol.cards import CheckoutCard, PromotionCard, QuickReply
from chatshop.tui.app import ChatshopApp
from chatshop.tui.screens.confirm import ConfirmScreen
from chatshop.tui.screens.main import MainScreen
from chatshop.tui.shop.orders import OrdersScreen
from chatshop_server.cli import DEMO_BOTS
from chatshop_server.config import BotSpec
from conftest import RunningRelay, fresh_db
from payments_support import assert_books
from test_tui_shop import client_for, demo_app
from waiting import main_ready, wait_for

JOURNEY_3_MAX_KEYS = 8
JOURNEY_3_MAX_SECONDS = 20.0
SIZE = (110, 34)
LANGUAGES = {
    "en": ("do you have it in 42L?", "yes"),
    "fr": ("vous l'avez en 42L ?", "oui"),
}


@pytest.fixture
async def selling(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """The seeded demo relay running the northwind assistant as its own bot process."""
    from chatshop_server.app import Relay
    from chatshop_server.seed import seed_demo

    running = RunningRelay(
        fresh_db(schema_template, tmp_path / "demo.db"),
        bots=(BotSpec.parse(DEMO_BOTS[0]),),
    )
    seeding = Relay(running._config())
    await seeding.stores.db.start()
    assert await seed_demo(seeding.stores, seeding.context.passwords, seeding.context.shop.media)
    await seeding.stores.db.close()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    return directory


class Keys:
    """The key actions a person makes: a key, or a typed line with its Enter."""

    def __init__(self, pilot: Pilot[None], main: MainScreen) -> None:
        self.pilot, self.main, self.count = pilot, main, 0

    async def press(self, key: str) -> None:
        self.count += 1
        await self.pilot.press(key)

    async def line(self, text: str) -> None:
        self.count += 1
        self.main.composer.set_text(text)
        await self.pilot.press("enter")


def newest_checkout(main: MainScreen, thread_id: int) -> CheckoutCard | None:
    window = main.session.threads.window(thread_id)
    if window is None or not window.messages:
        return None
    card = window.messages[-1].card
    return card if isinstance(card, CheckoutCard) else None


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_journey_3_from_the_promoted_post_to_a_paid_order(
    selling: RunningRelay, _config_dir: Path, language: str
) -> None:
    question, yes = LANGUAGES[language]
    sam = await client_for(selling, "sam")
    before = (await sam.wallet()).balances[0].amount
    app: ChatshopApp = demo_app(selling, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        # The first screen: the brand thread with the promoted post, open and on top.
        await wait_for(pilot, lambda: main.current is not None and main.transcript.window)
        assert main.current is not None
        thread_id = main.current
        thread = main.session.threads.threads[thread_id]
        assert thread.kind == "brand"
        window = main.session.threads.window(thread_id)
        assert window is not None
        await wait_for(
            pilot, lambda: any(isinstance(m.card, PromotionCard) for m in window.messages)
        )
        post = next(m.card for m in window.messages if isinstance(m.card, PromotionCard))
        assert post.offer is not None and post.offer.value == 20
        assert main.composer.has_focus
        started = time.monotonic()
        keys = Keys(pilot, main)

        await keys.line(question)
        await wait_for(pilot, lambda: offers_buy_now(main))
        await keys.line(yes)
        await wait_for(pilot, lambda: newest_checkout(main, thread_id) is not None)
        card = newest_checkout(main, thread_id)
        assert card is not None and card.discount > 0 and card.lines[0].label == "42L"
        await wait_for(
            pilot, lambda: main.conversation.choices[:1] == ((f"Pay {_total(card)}", "p"),)
        )
        await keys.press("tab")
        await wait_for(pilot, lambda: isinstance(app.focused, Button))
        await keys.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await keys.press("enter")
        await wait_for(
            pilot,
            lambda: (paid := newest_card(main, thread_id)) is not None and paid.status == "paid",
        )
        await keys.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.orders)
        elapsed = time.monotonic() - started
        assert isinstance(app.screen, OrdersScreen)
        shown = app.screen.orders[0]
        paid_card = newest_card(main, thread_id)
        assert paid_card is not None and shown.number == paid_card.order_number

    order = (await sam.shop.orders()).orders[0]
    assert order.number == shown.number and order.status == "placed"
    assert [(line.sku.endswith("42L"), line.quantity) for line in order.lines] == [(True, 1)]
    subtotal = sum(line.unit_price * line.quantity for line in order.lines)
    assert order.discount == (subtotal * 20 + 50) // 100  # the post's 20 %, no code typed
    assert order.promo_code is None
    after = (await sam.wallet()).balances[0].amount
    assert before - after == order.total
    await sam.close()
    await assert_books(selling)
    assert keys.count <= JOURNEY_3_MAX_KEYS, keys.count
    assert elapsed < JOURNEY_3_MAX_SECONDS, elapsed
    print(f"journey 3 ({language}): {keys.count} key actions, {elapsed:.1f} s")


def _total(card: CheckoutCard) -> str:
    from chatshop.tui.cards import money

    return money(card.total, card.currency)


def newest_card(main: MainScreen, thread_id: int) -> CheckoutCard | None:
    """The checkout card of the thread, as it now stands (paid once the card event came)."""
    window = main.session.threads.window(thread_id)
    if window is None:
        return None
    cards = [m.card for m in window.messages if isinstance(m.card, CheckoutCard)]
    return cards[-1] if cards else None


def offers_buy_now(main: MainScreen) -> bool:
    """The buttons under the bot's answer start with its Buy now (in either language)."""
    offers = main._offers
    return (
        bool(offers)
        and isinstance(offers[0].payload, QuickReply)
        and (offers[0].payload.action == "buy_now")
    )
