"""Dealing with a brand from the TUI, against the seeded demo: its profile (follow, mute,
unfollow, message), and the verbs on its order updates (it arrived, a problem)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.protocol.cards import OrderUpdateCard
from chatshop.tui.commands import REGISTRY
from chatshop.tui.shop.profile import BrandProfileScreen
from conftest import RunningRelay
from test_tui_defects import open_brand
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


async def test_brand_profile_follow_mute_unfollow_and_message(
    demo: RunningRelay, _config_dir: Path
) -> None:
    app = demo_app(demo, _config_dir)
    sam = await client_for(demo, "sam")
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        thread_id = await open_brand(pilot, main)
        main.composer.set_text("/brand")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, BrandProfileScreen)
                and app.screen.profile is not None
                and app.screen.page is not None
            ),
        )
        profile = app.screen
        assert isinstance(profile, BrandProfileScreen)
        await wait_for(pilot, lambda: profile.following is not None)  # the demo follows it
        assert profile.profile is not None and profile.profile.verified
        await pilot.press("u")
        await wait_for(pilot, lambda: profile.following is not None and profile.following.muted)
        assert [f.muted for f in (await sam.brands.follows()).follows] == [True]
        await pilot.press("f")
        await wait_for(pilot, lambda: profile.following is None)
        assert (await sam.brands.follows()).follows == []
        await pilot.press("u")
        await wait_for(pilot, lambda: "Follow it first" in str(profile.hint_line.render()))
        await pilot.press("f")
        await wait_for(pilot, lambda: profile.following is not None)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen is main and main.current == thread_id)
    await sam.close()


async def test_order_updates_offer_it_arrived_and_a_problem(
    demo: RunningRelay, _config_dir: Path
) -> None:
    app = demo_app(demo, _config_dir)
    sam = await client_for(demo, "sam")
    async with app.run_test(size=SIZE) as pilot:
        main = await main_ready(pilot)
        thread_id = await open_brand(pilot, main)
        window = main.session.threads.window(thread_id)
        assert window is not None
        await wait_for(
            pilot, lambda: any(isinstance(m.card, OrderUpdateCard) for m in window.messages)
        )
        delivered = next(
            m
            for m in window.messages
            if isinstance(m.card, OrderUpdateCard) and m.card.status == "delivered"
        )
        assert isinstance(delivered.card, OrderUpdateCard)
        order_id = delivered.card.order_id
        offers = {o.verb: o for o in REGISTRY.offers(main, delivered)}
        assert {"received", "problem"} <= set(offers)
        REGISTRY.act(main, delivered, offers["received"])
        await wait_for(pilot, lambda: "marked as arrived" in main.conversation.hint_line.text)
        mine = (await sam.shop.orders()).orders
        assert next(o for o in mine if o.id == order_id).received_at is not None
        REGISTRY.act(main, delivered, offers["problem"])
        await wait_for(pilot, lambda: "order is attached" in main.conversation.hint_line.text)
        assert (await sam.shop.handover(thread_id)).mode in ("waiting", "staff")
    await sam.close()
