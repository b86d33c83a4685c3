"""Money in the app against a real relay: pay with a confirmation, requests, splits, lucky
money, the wallet screen, and a double submit that pays once.

sam uses the app (Pilot); alice and bob are real clients of the same relay.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

from chatshop.client import ChatClient
from chatshop.protocol.cards import LuckyMoneyCard, PaymentCard, RequestCard, SplitCard
from chatshop.protocol.models import Message
from chatshop.protocol.payment_frames import CardEvent
from chatshop.tui.app import ChatshopApp
from chatshop.tui.screens.confirm import ConfirmScreen
from chatshop.tui.screens.main import MainScreen
from chatshop.tui.screens.wallet import WalletScreen
from conftest import RunningRelay, make_user
from test_client_helpers import Recorder
from test_tui_app import logged_in_app, main_of
from waiting import main_ready, wait_for

SIZE = (110, 32)
EUR = "EUR"


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("CHATSHOP_CONFIG_DIR", str(directory))
    monkeypatch.setenv("CHATSHOP_CREDENTIALS", "file")
    return directory


async def cast(relay: RunningRelay, *handles: str) -> list[ChatClient]:
    """``sam`` (the app's account, with EUR 200.00) and friends, as logged-in clients."""
    sam = await make_user(relay.url, "sam")
    await sam.topup(20_000, EUR)
    others = [await make_user(relay.url, handle) for handle in handles]
    return [sam, *others]


async def ready(pilot: Pilot[None], thread_id: int) -> MainScreen:
    """Wait for the main screen with ``thread_id`` open and the wallet loaded."""
    app = pilot.app
    assert isinstance(app, ChatshopApp)
    await main_ready(pilot)
    main = main_of(app)
    await wait_for(pilot, lambda: main.current is not None and app.session.wallet.loaded)
    main.open_thread(thread_id)
    await wait_for(pilot, lambda: main.transcript.window is not None)
    main.composer.focus()
    return main


async def submit(pilot: Pilot[None], main: MainScreen, line: str) -> None:
    main.composer.set_text(line)
    await pilot.press("enter")
    await pilot.pause()


def cards_in(main: MainScreen) -> list[Message]:
    window = main.transcript.window
    return [m for m in (window.messages if window else []) if m.card is not None]


def dialog_text(app: ChatshopApp) -> str:
    assert isinstance(app.screen, ConfirmScreen)
    return str(app.screen.query_one("#confirm-body").render())


def hint(main: MainScreen) -> str:
    return str(main.query_one("#hint").render())


def screen_text(main: MainScreen) -> str:
    transcript = main.transcript
    return "\n".join(transcript.render_line(y).text for y in range(transcript.size.height))


async def test_pay_in_a_direct_thread(relay: RunningRelay, _config_dir: Path) -> None:
    """`$12 taxi` opens a confirmation with name, handle, amount, note and balance after;
    enter pays and both sides get the card; esc cancels and gives the line back; prose
    that mentions a price is sent as text."""
    sam, alice = await cast(relay, "alice")
    direct = await alice.open_direct("sam")
    alice_events = Recorder(alice)
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot, direct.id)
        await submit(pilot, main, "it cost $20 yesterday")
        await wait_for(
            pilot,
            lambda: any(
                m.text == "it cost $20 yesterday"
                for m in main.session.threads.windows[direct.id].messages
            ),
        )
        assert not isinstance(app.screen, ConfirmScreen)

        await submit(pilot, main, "$12 taxi")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        text = dialog_text(app)
        assert "Pay Alice (@alice) EUR 12.00 — taxi" in text
        assert "Balance after: EUR 188.00" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
        assert main.composer.text == "$12 taxi" and "nothing was paid" in hint(main)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is main and bool(cards_in(main)))
        card = cards_in(main)[-1].card
        assert isinstance(card, PaymentCard) and (card.amount, card.note) == (1200, "taxi")
        await wait_for(pilot, lambda: app.session.wallet.balance(EUR) == 18_800)
        assert "Paid Alice (@alice) EUR 12.00" in hint(main)
        assert "You paid Alice EUR 12.00" in screen_text(main)
        assert "wallet EUR 188.00" in str(main.query_one("#balance").render())
        assert main.composer.text == ""
    seen = await alice_events.wait_until(
        lambda: [
            e.message.card
            for e in alice_events.events
            if getattr(e, "message", None) is not None and e.message.card is not None
        ]
    )
    assert seen[0] == card
    assert (await alice.wallet()).balances[0].amount == 1_200
    await alice_events.stop()
    for client in (sam, alice):
        await client.close()


async def test_double_submit_pays_once(relay: RunningRelay, _config_dir: Path) -> None:
    """Two enters in one burst: the second finds the dialog already sending and does
    nothing (a retry after a failure would reuse the dialog's key), so the money moves once."""
    sam, alice = await cast(relay, "alice")
    direct = await alice.open_direct("sam")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot, direct.id)
        await submit(pilot, main, "€5 coffee")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert app._driver is not None
        for _ in range(2):
            key = events.Key("enter", "\r")
            key.set_sender(app)
            app._driver.send_message(key)
        await wait_for(pilot, lambda: "Paid Alice (@alice) EUR 5.00" in hint(main))
        assert dialog.submissions == 1
        await wait_for(pilot, lambda: app.session.wallet.balance(EUR) == 19_500)
    history = await alice.history(direct.id)
    assert len([m for m in history.messages if m.card is not None]) == 1
    assert (await alice.wallet()).balances[0].amount == 500
    for client in (sam, alice):
        await client.close()


async def test_request_cards(relay: RunningRelay, _config_dir: Path) -> None:
    """/request posts a card that updates for everyone when paid; sam pays alice's request
    from its card (ctrl+t, p, enter) and declines another (d)."""
    sam, alice = await cast(relay, "alice")
    await alice.topup(5_000, EUR)
    direct = await alice.open_direct("sam")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot, direct.id)
        await submit(pilot, main, "/request $15 for cinema")
        await wait_for(pilot, lambda: bool(cards_in(main)))
        mine = cards_in(main)[-1].card
        assert isinstance(mine, RequestCard) and mine.status == "open"
        assert "waiting for Alice" in screen_text(main)
        await alice.pay_request(mine.request_id)  # alice pays from her side
        await wait_for(
            pilot,
            lambda: (
                isinstance(card := cards_in(main)[-1].card, RequestCard) and card.status == "paid"
            ),
        )
        assert "✓ paid · T-" in screen_text(main)
        await wait_for(pilot, lambda: app.session.wallet.balance(EUR) == 21_500)

        asked = await alice.request_money(direct.id, "sam", 700, EUR, note="snacks")
        await wait_for(pilot, lambda: len(cards_in(main)) == 2)
        await wait_for(pilot, lambda: "Pay (p)" in screen_text(main))
        await pilot.press("ctrl+t")
        assert main.transcript.selected_message() == cards_in(main)[-1]
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Pay Alice (@alice) EUR 7.00 — snacks" in dialog_text(app)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(card := cards_in(main)[-1].card, RequestCard) and card.status == "paid"
            ),
        )
        await wait_for(pilot, lambda: app.session.wallet.balance(EUR) == 20_800)
        assert isinstance(asked.message.card, RequestCard)

        await alice.request_money(direct.id, "sam", 300, EUR, note="too much")
        await wait_for(pilot, lambda: len(cards_in(main)) == 3)
        await pilot.press("ctrl+t", "d")
        await wait_for(
            pilot,
            lambda: (
                isinstance(card := cards_in(main)[-1].card, RequestCard)
                and card.status == "declined"
            ),
        )
    history = await alice.history(direct.id)
    statuses = [m.card.status for m in history.messages if isinstance(m.card, RequestCard)]
    assert statuses == ["paid", "paid", "declined"]
    for client in (sam, alice):
        await client.close()


async def test_split_and_lucky_money_in_a_group(relay: RunningRelay, _config_dir: Path) -> None:
    """`/split €48 pizza` asks alice and bob for EUR 16.00 each and the card follows their
    payments; `/luckymoney €20 3` (confirmed) drops a red packet that sam opens with o."""
    sam, alice, bob = await cast(relay, "alice", "bob")
    await alice.topup(5_000, EUR)
    group = await sam.create_group("Pizza Friday", ["alice", "bob"])
    bob_events = Recorder(bob)
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot, group.id)
        await submit(pilot, main, "$20 pizza")
        assert "In a group, say who" in hint(main) and main.composer.text == "$20 pizza"

        await submit(pilot, main, "/split €48 pizza")
        await wait_for(pilot, lambda: bool(cards_in(main)))
        split = cards_in(main)[-1].card
        assert isinstance(split, SplitCard) and split.creator_share == 1600
        assert [s.amount for s in split.shares] == [1600, 1600]
        share = next(s for s in split.shares if s.user_id == alice.user.id)  # type: ignore[union-attr]
        await alice.pay_request(share.request_id)
        await wait_for(pilot, lambda: "1/2 paid" in screen_text(main))

        await submit(pilot, main, "/split €10 taxi @alice -me")
        await wait_for(pilot, lambda: len(cards_in(main)) == 2)
        lone = cards_in(main)[-1].card
        assert isinstance(lone, SplitCard) and lone.creator_share == 0
        assert [s.amount for s in lone.shares] == [1000]

        await submit(pilot, main, "/luckymoney €20 3 Happy birthday Bob!")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Send lucky money EUR 20.00 for the first 3" in dialog_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(cards_in(main)) == 3)
        packet = cards_in(main)[-1].card
        assert isinstance(packet, LuckyMoneyCard) and packet.note == "Happy birthday Bob!"
        claim = await bob.lucky_open(packet.packet_id)
        await wait_for(pilot, lambda: "opened 1/3" in screen_text(main))
        await pilot.press("ctrl+t", "o")
        await wait_for(pilot, lambda: "You got EUR" in hint(main))
        await wait_for(pilot, lambda: "opened 2/3" in screen_text(main))
        opened = cards_in(main)[-1].card
        assert isinstance(opened, LuckyMoneyCard)
        assert bob.user is not None
        others = sum(c.amount for c in opened.claims if c.user_id != bob.user.id)
        assert claim.amount + others <= 2000
    splits = await bob_events.wait_until(
        lambda: [e for e in bob_events.events if isinstance(e, CardEvent)]
    )
    assert isinstance(splits[0].message.card, SplitCard)
    await bob_events.stop()
    for client in (sam, alice, bob):
        await client.close()


async def test_wallet_screen(relay: RunningRelay, _config_dir: Path) -> None:
    """F3 shows the balance and the history newest first, loads older pages at the end,
    tops up from its field, and follows payments live."""
    sam, alice = await cast(relay, "alice")
    await alice.topup(5_000, EUR)
    direct = await alice.open_direct("sam")
    for n in range(34):
        await sam.pay(direct.id, "alice", 100 + n, EUR, note=f"round {n}")
    app = await logged_in_app(relay, _config_dir)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot, direct.id)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, WalletScreen))
        wallet = app.screen
        assert isinstance(wallet, WalletScreen)
        await wait_for(pilot, lambda: app.session.wallet.history_loaded)
        table = wallet.table
        assert "round 33" in str(table.get_row_at(0)[3])
        assert "to Alice (@alice)" in str(table.get_row_at(0)[2])
        assert (
            len(app.session.wallet.transfers) >= 30
        )  # the first page (the next loads near the end)
        table.focus()
        await pilot.press("end")
        await wait_for(pilot, lambda: not app.session.wallet.more)
        assert len(app.session.wallet.transfers) == 35  # 34 payments and the top-up
        assert "top-up" in str(table.get_row_at(34)[1])

        await pilot.press("t")
        await wait_for(pilot, lambda: app.focused is wallet.query_one("#topup-amount"))
        await pilot.press(*"50", "enter")
        await wait_for(
            pilot, lambda: "Added EUR 50.00" in str(wallet.query_one("#wallet-hint").render())
        )
        await alice.pay(direct.id, "sam", 2_500, EUR, note="thanks")
        await wait_for(pilot, lambda: "thanks" in str(table.get_row_at(0)[3]))
        expected = 20_000 - sum(100 + n for n in range(34)) + 5_000 + 2_500
        assert app.session.wallet.balance(EUR) == expected
        assert "EUR" in str(wallet.query_one("#wallet-balances").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)
    for client in (sam, alice):
        await client.close()
