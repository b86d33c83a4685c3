"""How the app looks: login, main screen (at 80x24 and wider), help, hostile text, and
money: payment and request cards, split and red-packet cards, the payment confirmation and
the wallet screen.

Every screen is drawn at 80x24 (the smallest terminal it must work in) and at 200x60. The
data is fixed (no relay, fixed clock and time zone) so the pictures are stable; the
behaviour against a real relay is in test_tui_app.py. Update with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from chatshop.client import ConnectionState, StateChanged
from chatshop.config import Config
from chatshop.protocol.cards import (
    Card,
    LuckyMoneyCard,
    PacketClaim,
    PaymentCard,
    QuickRepliesCard,
    QuickReply,
    RequestCard,
    SplitCard,
    SplitShare,
)
from chatshop.protocol.models import Message, Thread, User
from chatshop.protocol.payment_frames import Balance, Transfer, TransferPage, WalletResult
from chatshop.tui.app import ChatshopApp
from chatshop.tui.link import LoggedIn
from chatshop.tui.screens.confirm import ConfirmScreen
from chatshop.tui.screens.main import MainScreen
from chatshop.tui.screens.wallet import WalletScreen
from waiting import settled, wait_for

URL = "ws://127.0.0.1:8765"
NOW = datetime(2026, 3, 6, 18, 30, tzinfo=UTC)
DAY = 86_400_000
T0 = int(NOW.timestamp() * 1000)

SAM = User(id=1, handle="sam", display_name="Sam Carter")
ALICE = User(id=2, handle="alice", display_name="Alice Moreau")
BOB = User(id=3, handle="bob", display_name="Bob Okafor")
NORTHWIND = User(id=4, handle="northwind", display_name="Northwind Outfitters", kind="brand")

SnapCompare = Callable[..., bool]
SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
Size = tuple[int, int]


def _m(seq: int, sender: User, text: str, at: int, thread_id: int = 3, **extra: Any) -> Message:
    return Message(
        id=300 + seq + 100 * (thread_id - 3),
        thread_id=thread_id,
        seq=seq,
        sender_id=sender.id,
        text=text,
        created_at=at,
        **extra,
    )


PIZZA = [
    _m(1, ALICE, "Pizza Friday again? Same place?", T0 - DAY - 3_600_000),
    _m(2, BOB, "I'm in. [TODO] book the big table", T0 - DAY - 3_500_000),
    _m(3, SAM, "Booked for 8 — see you there", T0 - DAY - 3_400_000, edited_at=T0 - DAY),
    _m(4, BOB, "", T0 - 7_200_000, deleted=True),
    _m(5, ALICE, "[red]not red[/red] \x1b[31mno escapes\x1b[0m evil\u202etxt.exe", T0 - 3_600_000),
    _m(6, SAM, "Who's bringing drinks?", T0 - 1_800_000, reply_to=302),
    _m(7, BOB, "Me! 🥤", T0 - 600_000),
]

THREADS = [
    Thread(
        id=3,
        kind="group",
        name="Pizza Friday",
        owner_id=1,
        members=[SAM, ALICE, BOB],
        last_seq=7,
        last_activity=PIZZA[-1].created_at,
        last_message=PIZZA[-1],
        unread=2,
        read_seq=5,
    ),
    Thread(
        id=1,
        kind="direct",
        name="",
        owner_id=None,
        members=[SAM, ALICE],
        last_seq=4,
        last_activity=T0 - 5_000_000,
        unread=1,
        read_seq=3,
        last_message=Message(
            id=14,
            thread_id=1,
            seq=4,
            sender_id=2,
            text="Did you see the coat Northwind posted?",
            created_at=T0 - 5_000_000,
        ),
    ),
    Thread(
        id=4,
        kind="brand",
        name="",
        owner_id=None,
        members=[SAM, NORTHWIND],
        last_seq=2,
        last_activity=T0 - 2 * DAY,
        read_seq=2,
        last_message=Message(
            id=22,
            thread_id=4,
            seq=2,
            sender_id=4,
            text="New in: the Harbour sport coat, 20 % off",
            created_at=T0 - 2 * DAY,
        ),
    ),
    Thread(
        id=2,
        kind="direct",
        name="",
        owner_id=None,
        members=[SAM, BOB],
        last_seq=1,
        last_activity=T0 - 9 * DAY,
        read_seq=1,
        last_message=Message(
            id=11, thread_id=2, seq=1, sender_id=1, text="See you!", created_at=T0 - 9 * DAY
        ),
    ),
]


def fixture_app(*, intro: bool = False) -> ChatshopApp:
    return ChatshopApp(
        Config(intro_seen=not intro),
        tokens=None,
        server=URL,
        persist=False,
        tz=UTC,
        today=lambda: NOW.date(),
    )


async def logged_in(
    pilot: Pilot[None],
    histories: dict[int, list[Message]],
    *,
    current: int = 3,
    threads: list[Thread] | None = None,
    wallet: WalletResult | None = None,
) -> MainScreen:
    """Log in as sam with fixed data, as the link would have delivered it."""
    app = pilot.app
    assert isinstance(app, ChatshopApp)
    app.post_message(LoggedIn(URL, SAM, "token"))
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.is_mounted)
    main = app.main_screen()
    assert main is not None
    main.sidebar.now = lambda: NOW.replace(tzinfo=None)
    main.composer.cursor_blink = False
    session = app.session
    session.threads.load(threads or THREADS)
    for thread_id, messages in histories.items():
        window = session.threads.window(thread_id) or session.threads.new_window(thread_id)
        window.reset(messages, more=False)
    if wallet is not None:
        session.wallet.load(wallet)
        app.feed.wallet_loaded()
    app.feed.link_changed(StateChanged(state=ConnectionState.CONNECTED))
    app.feed.threads_loaded()
    await wait_for(pilot, lambda: main.current is not None)
    main.open_thread(current)
    await wait_for(pilot, lambda: main.current == current and main.transcript.window)
    await settled(pilot)
    return main


async def show_main(pilot: Pilot[None]) -> None:
    main = await logged_in(pilot, {3: PIZZA})
    main.transcript.set_read(ALICE.id, 6)
    await settled(pilot)


def test_login_screen(snap_compare: SnapCompare) -> None:
    """The login screen with a preselected relay."""
    assert snap_compare(fixture_app(), terminal_size=(80, 24))


@SIZES
def test_main_screen(snap_compare: SnapCompare, size: Size) -> None:
    """Threads (one line each, never wrapped), the group conversation with a day separator,
    a reply, an edit, a deleted message, a new-messages marker, a read marker and hostile
    text, scrolled to the newest message, the footer whole."""
    assert snap_compare(fixture_app(), terminal_size=size, run_before=show_main)


def test_first_run_hint(snap_compare: SnapCompare) -> None:
    """The first time, a line says what to try and where help is."""
    assert snap_compare(fixture_app(intro=True), terminal_size=(80, 24), run_before=show_main)


def test_slash_completion(snap_compare: SnapCompare) -> None:
    """Typing a slash lists matching commands with their inline help."""

    async def run_before(pilot: Pilot[None]) -> None:
        await show_main(pilot)
        await pilot.press(*"/fr")
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=(100, 28), run_before=run_before)


@SIZES
def test_help_screen(snap_compare: SnapCompare, size: Size) -> None:
    """F1 shows keys and commands, generated from the registry; long lines wrap under
    their own column."""

    async def run_before(pilot: Pilot[None]) -> None:
        await show_main(pilot)
        await pilot.press("f1")
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)


BOT_ANSWER = [
    _m(1, NORTHWIND, "New in: the Harbor sport coat, 20 % off", T0 - 600_000, thread_id=4),
    _m(2, SAM, "do you have it in 42L?", T0 - 120_000, thread_id=4),
    Message(
        id=399,
        thread_id=4,
        seq=3,
        sender_id=NORTHWIND.id,
        text="Yes, 3 left in 42L. Buy now?",
        created_at=T0 - 60_000,
        card=QuickRepliesCard(
            product_id=1,
            replies=[
                QuickReply(
                    label="Buy now",
                    text="Buy now",
                    action="buy_now",
                    product_id=1,
                    sku="NW-COAT-42L",
                ),
                QuickReply(
                    label="Add to cart",
                    text="Add to cart",
                    action="add_to_cart",
                    product_id=1,
                    sku="NW-COAT-42L",
                ),
                QuickReply(label="Talk to a person", text="A person", action="handover"),
            ],
        ),
    ),
]


@SIZES
def test_quick_replies_as_buttons(snap_compare: SnapCompare, size: Size) -> None:
    """The bot's quick replies under its answer, as buttons; Tab from the empty composer
    has put the focus on the first."""

    async def run_before(pilot: Pilot[None]) -> None:
        main = await logged_in(pilot, {4: BOT_ANSWER}, current=4)
        await wait_for(pilot, lambda: main.conversation.choices)
        await pilot.press("tab")
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)


# --------------------------------------------------------------------------- money

WALLET = WalletResult(
    balances=[Balance(currency="EUR", amount=18_800), Balance(currency="GBP", amount=500)],
    default_currency="EUR",
    max_transfer=1_000_000,
)


def _card(seq: int, sender: User, card: Card, at: int, thread_id: int = 1) -> Message:
    return Message(
        id=500 + seq,
        thread_id=thread_id,
        seq=seq,
        sender_id=sender.id,
        text="",
        created_at=at,
        card=card,
    )


DIRECT = [
    Message(id=501, thread_id=1, seq=1, sender_id=2, text="Taxi was 12?", created_at=T0 - 600_000),
    _card(
        2,
        SAM,
        PaymentCard(
            transfer_id=42,
            short_id="T-00042",
            amount=1200,
            currency="EUR",
            from_id=SAM.id,
            to_id=ALICE.id,
            note="taxi \u202eevil",
        ),
        T0 - 500_000,
    ),
    _card(
        3,
        ALICE,
        RequestCard(
            request_id=7,
            amount=1500,
            currency="EUR",
            requester_id=ALICE.id,
            payer_id=SAM.id,
            status="open",
            note="cinema",
        ),
        T0 - 400_000,
    ),
    _card(
        4,
        SAM,
        RequestCard(
            request_id=8,
            amount=850,
            currency="EUR",
            requester_id=SAM.id,
            payer_id=ALICE.id,
            status="paid",
            note="snacks",
            transfer_id=43,
            short_id="T-00043",
        ),
        T0 - 300_000,
    ),
]

GROUP_CARDS = [
    _card(
        8,
        SAM,
        SplitCard(
            split_id=9,
            total=4800,
            currency="EUR",
            creator_id=SAM.id,
            creator_share=1600,
            shares=[
                SplitShare(user_id=ALICE.id, amount=1600, request_id=9, status="paid"),
                SplitShare(user_id=BOB.id, amount=1600, request_id=10, status="open"),
            ],
            note="pizza",
        ),
        T0 - 300_000,
        thread_id=3,
    ),
    _card(
        9,
        BOB,
        SplitCard(
            split_id=11,
            total=1000,
            currency="EUR",
            creator_id=BOB.id,
            creator_share=334,
            shares=[
                SplitShare(user_id=SAM.id, amount=333, request_id=11, status="open"),
                SplitShare(user_id=ALICE.id, amount=333, request_id=12, status="open"),
            ],
            note="drinks",
        ),
        T0 - 200_000,
        thread_id=3,
    ),
    _card(
        10,
        SAM,
        LuckyMoneyCard(
            packet_id=3,
            total=2000,
            currency="EUR",
            count=3,
            sender_id=SAM.id,
            status="open",
            expires_at=T0 + DAY,
            claims=[PacketClaim(user_id=ALICE.id, amount=731)],
            note="Happy birthday Bob!",
        ),
        T0 - 100_000,
        thread_id=3,
    ),
]


def _transfer(n: int, kind: str, direction: str, amount: int, who: User | None, note: str) -> Any:
    return Transfer(
        id=n,
        short_id=f"T-{n:05d}",
        kind=kind,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        amount=amount,
        currency="EUR",
        counterparty=who,
        note=note,
        created_at=T0 - (50 - n) * 3_600_000,
        thread_id=1 if who else None,
    )


TRANSFERS = [
    _transfer(44, "split", "in", 1600, ALICE, "pizza"),
    _transfer(43, "request", "in", 850, ALICE, "snacks"),
    _transfer(42, "payment", "out", 1200, ALICE, "taxi"),
    _transfer(41, "lucky_fund", "out", 2000, None, "Happy birthday Bob!"),
    _transfer(40, "payment", "in", 850, BOB, "match snacks"),
    _transfer(12, "topup", "in", 20_000, None, "simulated card"),
]


async def show_money(pilot: Pilot[None], thread_id: int = 1) -> MainScreen:
    """The main screen with the wallet loaded and the money cards in the direct thread."""
    main = await logged_in(
        pilot, {1: DIRECT, 3: [*PIZZA, *GROUP_CARDS]}, current=thread_id, wallet=WALLET
    )
    await settled(pilot)
    return main


@SIZES
def test_request_and_payment_cards(snap_compare: SnapCompare, size: Size) -> None:
    """A payment card (its note's bidi override removed), a request addressed to sam with
    Pay and Decline as buttons under it, and a paid request; the balance in the status line."""

    async def run_before(pilot: Pilot[None]) -> None:
        await show_money(pilot, thread_id=1)

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)


def test_split_and_lucky_cards(snap_compare: SnapCompare) -> None:
    """Split cards (sam's with a paid share; bob's with sam's share to pay, remainder shown)
    and a red packet opened once, in the group; the picked card offers its keys."""

    async def run_before(pilot: Pilot[None]) -> None:
        main = await show_money(pilot, thread_id=3)
        main.transcript.focus()
        main.transcript.select_seq(9)
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=(100, 32), run_before=run_before)


@SIZES
def test_payment_confirmation(snap_compare: SnapCompare, size: Size) -> None:
    """`€12 taxi` in the direct thread: who (name and handle), how much, the note, and the
    balance after."""

    async def run_before(pilot: Pilot[None]) -> None:
        main = await show_money(pilot, thread_id=1)
        main.composer.focus()
        main.composer.set_text("€12 taxi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)


@SIZES
def test_wallet_screen(snap_compare: SnapCompare, size: Size) -> None:
    """F3: balances, and the history newest first with counterparties, notes, amounts
    (always on screen) and ids (when there is room)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await show_money(pilot, thread_id=1)
        await pilot.press("f3")
        app = pilot.app
        assert isinstance(app, ChatshopApp)
        await wait_for(
            pilot, lambda: isinstance(app.screen, WalletScreen) and app.screen.table.columns
        )
        app.session.wallet.add_page(TransferPage(transfers=TRANSFERS, more=False), first=True)
        app.feed.wallet_loaded()
        await settled(pilot)

    assert snap_compare(fixture_app(), terminal_size=size, run_before=run_before)
