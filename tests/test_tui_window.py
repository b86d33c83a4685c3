"""The bounded transcript window and the thread book, without any widget."""

from __future__ import annotations

from chatshop.protocol.models import Message, Thread, User
from chatshop.tui.book import ThreadBook
from chatshop.tui.window import Pending, QuoteCache, Window

SAM = User(id=1, handle="sam", display_name="Sam")
ALICE = User(id=2, handle="alice", display_name="Alice")


def msg(seq: int, sender: int = 2, thread_id: int = 1) -> Message:
    return Message(
        id=100 + seq,
        thread_id=thread_id,
        seq=seq,
        sender_id=sender,
        text=f"m{seq}",
        created_at=1_000 * seq,
    )


def test_window_stays_bounded_while_paging_both_ways() -> None:
    """Older pages push out the newest past the bound; newer pages push out the oldest."""
    window = Window(thread_id=1, max_size=250)
    window.reset([msg(s) for s in range(951, 1001)], more=True, last_seq=1000)
    for before in range(951, 651, -100):
        window.prepend([msg(s) for s in range(before - 100, before)], more=True)
    assert len(window.messages) == 250
    assert window.first_seq == 651 and window.newest_seq == 900
    assert not window.at_tail
    assert not window.add(msg(1001))  # not at the tail: not shown, but counted
    assert window.last_seq == 1001
    window.append_newer([msg(s) for s in range(901, 1001)])
    assert len(window.messages) == 250 and window.newest_seq == 1000
    window.append_newer([msg(1001)])
    assert window.at_tail and window.newest_seq == 1001


def test_window_live_edits_and_pending() -> None:
    """Edits replace in place; a pending message resolves into the confirmed one."""
    window = Window(thread_id=1)
    window.reset([msg(1), msg(2)], more=False)
    edited = Message(
        id=102, thread_id=1, seq=2, sender_id=2, text="m2!", created_at=2000, edited_at=3000
    )
    assert window.replace(edited)
    assert window.messages[-1].text == "m2!"
    window.add_pending(Pending(key="k", thread_id=1, text="hi", created_at=4000))
    window.resolve_pending("k", msg(3, sender=1))
    assert not window.pending and window.newest_seq == 3
    assert not window.add(msg(9))  # a gap: leaves the tail to be fetched
    assert not window.at_tail


def test_quote_cache_is_bounded() -> None:
    """Only the most recent messages are remembered for quoting."""
    cache = QuoteCache(size=3)
    for seq in range(1, 6):
        cache.remember(msg(seq))
    assert len(cache) == 3
    assert cache.get(101) is None and cache.get(105) is not None


def test_book_orders_counts_and_types() -> None:
    """New messages move threads up and count as unread unless they are yours."""
    book = ThreadBook(me=SAM)
    direct = Thread(
        id=1,
        kind="direct",
        name="",
        owner_id=None,
        members=[SAM, ALICE],
        last_seq=0,
        last_activity=10,
    )
    group = Thread(
        id=2,
        kind="group",
        name="Pizza",
        owner_id=1,
        members=[SAM, ALICE],
        last_seq=0,
        last_activity=20,
    )
    book.load([direct, group])
    assert [t.id for t in book.ordered()] == [2, 1]
    version = book.version
    book.arrived(msg(1))
    assert book.version > version
    assert [t.id for t in book.ordered()] == [1, 2]
    assert book.threads[1].unread == 1 and book.total_unread() == 1
    book.arrived(msg(2, sender=1))
    assert book.threads[1].unread == 0
    assert book.title(book.threads[1]) == "Alice"
    assert [t.id for t in book.ordered("piz")] == [2]
    book.typed(2, 2)
    assert book.typing_names(2) == ["Alice"]
    book.read(1, 2, 2)
    assert book.read_by[1] == {2: 2}
    book.load([direct, group])  # a stale list does not undo what events told us
    assert book.threads[1].last_seq == 2


def test_reset_keeps_live_messages_newer_than_the_page() -> None:
    """A message that arrived while the first page was loading is not lost by the page."""
    window = Window(thread_id=1)
    assert window.add(msg(5))
    window.reset([msg(3), msg(4)], more=True)
    assert [m.seq for m in window.messages] == [3, 4, 5]


def test_card_amounts_come_from_integers() -> None:
    """Amounts are formatted from minor units with the ISO code; notes are cleaned; a currency
    this client does not know is shown as raw minor units, never guessed."""
    from chatshop.protocol.cards import PaymentCard
    from chatshop.tui.cards import money, summary

    assert money(1250, "EUR") == "EUR 12.50" and money(7, "CHF") == "CHF 0.07"
    assert money(1234567, "KWD") == "KWD 1,234.567" and money(500, "JPY") == "JPY 500"
    assert money(7, "X\x07Z") == "X␇Z 7 (minor units)"
    card = PaymentCard(
        transfer_id=1,
        short_id="x",
        amount=1200,
        currency="EUR",
        from_id=1,
        to_id=2,
        note="taxi\u202e\x1b[2J",
    )
    assert summary(card, {1: "Sam", 2: "Alice"}.__getitem__) == "💸 Sam paid Alice EUR 12.00 · taxi"
