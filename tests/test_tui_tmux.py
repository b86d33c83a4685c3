"""The journeys of ../shared/SCENARIOS.md that are built, played by keyboard in a real
terminal: ``chatshop demo`` in tmux at 100x30, keys sent with ``send-keys``, the screen read
with ``capture-pane``. Each step waits for the exact text it then relies on.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatshop.client import ChatClient
from tmux_driver import Tmux, demo

JOURNEY_3_MAX_KEYS = 8


async def share_coat(url: str) -> None:
    """The brand posts the coat's card in its thread with sam."""
    brand = ChatClient(url)
    await brand.connect()
    await brand.login("northwind", "demo")
    thread = next(t for t in await brand.threads() if any(m.handle == "sam" for m in t.members))
    coat = next(p for p in (await brand.shop.catalog("northwind")).products if "coat" in p.title)
    await brand.shop.share(thread.id, uuid.uuid4().hex, brand="northwind", sku=coat.sku)
    await brand.close()


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Tmux]:
    assert shutil.which("tmux"), "tmux is installed by .ci/run"
    driver = demo(tmp_path / "config")
    try:
        yield driver
    finally:
        driver.close()


def jump(term: Tmux, name: str, title: str) -> None:
    """ctrl+k, the name, Enter (one line): the thread whose title shows ``title``."""
    term.press("C-k")
    term.type(name)
    term.wait_first_line(name)  # in the filter
    term.press("Enter")  # the typed name and its Enter: one key action, with ctrl+k two
    term.wait_first_line("Filter (ctrl+k)")  # emptied: the thread is open
    term.wait_for(title)


def first_screen(term: Tmux) -> str:
    """The demo's first screen: threads with history and the first-run tips."""
    term.wait_for("Pizza Friday")
    return term.wait_for("F1 or ?: help")


def test_journey_1_first_minute(term: Tmux) -> None:
    """Threads with history, help from the empty composer with ?, and alice writes back."""
    screen = first_screen(term)
    assert "Alice Moreau" in screen and "Northwind" in screen
    term.type("?")
    term.wait_for("chatshop help")
    term.wait_for("new line in the message")
    term.press("Escape")
    term.wait_for("F1 or ?: help")
    jump(term, "alice", "@alice")
    term.line("hi alice, climbing tonight?")
    term.wait_for("hi alice, climbing tonight?")
    screen = term.wait_for("Alice Moreau", timeout=30)
    lines = screen.splitlines()
    mine = next(n for n, line in enumerate(lines) if "climbing tonight?" in line)
    term.wait_for("Alice Moreau")
    assert mine >= 0


def test_journey_2_friends_and_money(term: Tmux) -> None:
    """€12 taxi to alice confirms with her name and handle; /split and /luckymoney in Pizza
    Friday post their cards."""
    first_screen(term)
    jump(term, "alice", "@alice")
    term.line("€12 taxi")
    term.wait_for("Pay Alice Moreau (@alice) EUR 12.00")
    term.press("Enter")
    term.wait_for("Paid Alice Moreau (@alice) EUR 12.00")
    jump(term, "pizza", "3 members")
    term.line("/split €48 pizza")
    term.wait_for("split EUR 48.00 among 3")
    term.line("/luckymoney €20 3 Happy birthday Bob!")
    term.wait_for("Confirm lucky money")
    term.press("Enter")
    term.wait_for("sent lucky money EUR 20.00 for 3")


@pytest.mark.parametrize(
    ("question", "yes"), [("do you have it in 42L?", "yes"), ("vous l'avez en 42L ?", "oui")]
)
def test_journey_3_the_60_second_purchase(term: Tmux, question: str, yes: str) -> None:
    """From the first screen (the promoted coat post open) to a paid order in the orders
    pane: ask for 42L, answer yes, pay the bot's checkout card with the 20 % applied, see
    the order; in English and in French, keys counted."""
    first_screen(term)
    term.wait_for("Promoted")
    term.keys = 0
    term.line(question)
    term.wait_for("42L")
    term.line(yes)
    term.wait_for("Checkout at @northwind")
    term.wait_for("20 % off")
    term.press("Tab")
    term.wait_for("esc Composer")  # the focus is on the buttons: Pay first
    term.press("Enter")
    term.wait_for("Confirm order")
    term.press("Enter")
    term.wait_for("paid · order NOR-")
    term.press("F4")
    screen = term.wait_for("Your orders")
    assert "NOR-" in screen
    assert term.keys <= JOURNEY_3_MAX_KEYS, term.keys
    print(f"journey 3: {term.keys} key actions")


def test_journey_4_cart_reply(term: Tmux) -> None:
    """ctrl+t picks the coat card, r replies, `#cart` adds it instead of sending: the size
    picker shows live stock, Enter picks; /cart shows the coat, the same on every terminal."""
    first_screen(term)
    asyncio.run(share_coat(term.relay_url()))
    jump(term, "northwind", "@northwind · brand")
    term.wait_for("Add to cart (a)   Buy now (b)")  # the newest message is the coat card
    term.press("C-t")
    term.wait_for("a Add to cart")  # pick mode: the picked message's keys in the footer
    term.type("r")
    term.wait_for("replying to Northwind")
    term.line("#cart")
    term.wait_for("Which one? Harbor sport coat")
    term.wait_for("stock as of now")
    term.press("Enter")
    term.wait_for("Added to your @northwind cart (1 item)")
    term.line("/cart")
    term.wait_for("Your cart")
    term.wait_for("Harbor sport coat")


def test_journey_5_scan(term: Tmux) -> None:
    """/scan 4006381333931 shows the product and similar items."""
    first_screen(term)
    term.line("/scan 4006381333931")
    term.wait_for("Similar items")
    term.wait_for("Merino wool scarf")


def test_journey_6_orders_and_a_person(term: Tmux) -> None:
    """The orders pane opens with F4; in the brand thread, Talk to a person under the
    bot's answer asks for one."""
    first_screen(term)
    jump(term, "northwind", "@northwind · brand")
    term.line("where is my order?")
    term.wait_for("Talk to a person")  # the button under the bot's answer
    term.press("Tab")
    term.wait_for("esc Composer")
    term.press("Enter")
    term.wait_for("brand · Nora Lind")  # the title says who answers now
    term.press("F4")
    term.wait_for("Your orders")
    term.press("Escape")
    term.wait_for("@northwind · brand")
