"""Amounts as people type them: locale-tolerant, exact, and only at the start of a message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatshop.money_input import (
    Amount,
    AmountError,
    PaymentLine,
    RequestSpec,
    SplitSpec,
    equal_shares,
    escaped_text,
    parse_amount,
    parse_lucky,
    parse_payment_line,
    parse_request,
    parse_split,
    parse_topup,
    starts_with_amount,
)
from chatshop.protocol.money import exponent, format_money

EUR = "EUR"


@pytest.mark.parametrize(
    ("text", "minor", "currency"),
    [
        ("$20", 2000, EUR),  # $ is the relay's default currency
        ("$20.50", 2050, EUR),
        ("20€", 2000, EUR),
        ("20 €", 2000, EUR),
        ("€12,50", 1250, EUR),
        ("€ 12,50", 1250, EUR),
        ("£7.5", 750, "GBP"),
        ("¥1500", 1500, "JPY"),
        ("¥1,500", 1500, "JPY"),
        ("20 USD", 2000, "USD"),
        ("USD 20", 2000, "USD"),
        ("20EUR", 2000, EUR),
        ("EUR 1.234,56", 123456, EUR),
        ("EUR 1,234.56", 123456, EUR),
        ("$1,234", 123400, EUR),  # one mark and three digits: thousands
        ("$1.234", 123400, EUR),
        ("$1,234,567", 123456700, EUR),
        ("$1.234.567,89", 123456789, EUR),
        ("KWD 1.500", 1500, "KWD"),  # three decimals: the mark is the decimal point
        ("KWD 1,234.567", 1234567, "KWD"),
        ("$0.05", 5, EUR),
        ("15", 1500, EUR),  # bare numbers where a command allows them
    ],
)
def test_amounts(text: str, minor: int, currency: str) -> None:
    """Each way of writing an amount gives the same exact minor units."""
    assert parse_amount(text, EUR) == Amount(minor, currency)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("$12.5055", "at most 2 decimals"),
        ("¥1.5", "no decimals"),
        ("$0", "more than zero"),
        ("$1,2,3", "Cannot read"),
        ("$1.234,5,6", "Cannot read"),
        ("20 people", "not an amount"),
        ("$" + "9" * 30, "too long"),
    ],
)
def test_refused_amounts(text: str, hint: str) -> None:
    """What cannot be an exact amount is refused with a one-line hint, never rounded."""
    with pytest.raises(AmountError, match=hint):
        parse_amount(text, EUR)


def test_dollar_needs_the_default_currency() -> None:
    """Until the wallet (and so the default currency) is known, $ cannot be read."""
    with pytest.raises(AmountError, match="still loading"):
        parse_payment_line("$20 taxi", None)
    assert parse_payment_line("€20 taxi", None) == PaymentLine(Amount(2000, EUR), None, "taxi")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$20", PaymentLine(Amount(2000, EUR), None, "")),
        ("$20.50 for pizza", PaymentLine(Amount(2050, EUR), None, "pizza")),
        ("20€", PaymentLine(Amount(2000, EUR), None, "")),
        ("€12,50 taxi", PaymentLine(Amount(1250, EUR), None, "taxi")),
        ("  $12 taxi", PaymentLine(Amount(1200, EUR), None, "taxi")),
        ("$20 @alice for tickets", PaymentLine(Amount(2000, EUR), "alice", "tickets")),
        ("$20 to @alice", PaymentLine(Amount(2000, EUR), "alice", "")),
        ("$20, thanks!", PaymentLine(Amount(2000, EUR), None, "thanks!")),
        ("$20.", PaymentLine(Amount(2000, EUR), None, "")),
    ],
)
def test_payment_lines(text: str, expected: PaymentLine) -> None:
    """A message that starts with an amount pays; the rest is the payee and the note."""
    assert parse_payment_line(text, EUR) == expected


@pytest.mark.parametrize(
    "text",
    [
        "it cost $20 yesterday",
        "20 people are coming",
        "2020 was a year",
        "$ is a symbol",
        "€€€",
        "$20abc",
        "EURO 20",
        "THE 20 best",  # not a currency code
        "eur 20",  # codes count in capitals only
        "-$20",
        "/split $20",  # commands are parsed elsewhere
        "\\$20 is a lot",
    ],
)
def test_plain_text_never_pays(text: str) -> None:
    """Prices that do not start the message, bare numbers and lookalikes are plain text."""
    assert parse_payment_line(text, EUR) is None


def test_escape_sends_an_amount_as_text() -> None:
    """A backslash before a leading amount sends the line as text, without the backslash."""
    assert escaped_text("\\$20 is a lot") == "$20 is a lot"
    assert escaped_text("\\o/ yay") is None
    assert escaped_text("$20") is None


def test_requests() -> None:
    """/request takes the payer before or after the amount; bare numbers are the default."""
    assert parse_request("$15 for cinema", EUR) == RequestSpec(Amount(1500, EUR), None, "cinema")
    assert parse_request("@bob $15", EUR) == RequestSpec(Amount(1500, EUR), "bob", "")
    assert parse_request("15 @bob cinema", EUR) == RequestSpec(Amount(1500, EUR), "bob", "cinema")
    with pytest.raises(AmountError, match="Usage"):
        parse_request("for cinema", EUR)


def test_splits() -> None:
    """/split: equal shares, uneven shares with the rest yours, a subset, or without you."""
    assert parse_split("$60 dinner", EUR) == SplitSpec(Amount(6000, EUR), "dinner")
    assert parse_split("€48 pizza -me", EUR) == SplitSpec(
        Amount(4800, EUR), "pizza", include_self=False
    )
    assert parse_split("$60 dinner @alice:25 @bob:20", EUR) == SplitSpec(
        Amount(6000, EUR), "dinner", shares=(("alice", 2500), ("bob", 2000))
    )
    assert parse_split("$30 taxi @alice", EUR) == SplitSpec(
        Amount(3000, EUR), "taxi", among=("alice",)
    )
    with pytest.raises(AmountError, match="more than"):
        parse_split("$60 @alice:50 @bob:20", EUR)
    with pytest.raises(AmountError, match="must add up"):
        parse_split("$60 @alice:25 @bob:20 -me", EUR)
    with pytest.raises(AmountError, match="listed twice"):
        parse_split("$60 @alice @Alice", EUR)
    with pytest.raises(AmountError, match="every listed person"):
        parse_split("$60 @alice:20 @bob", EUR)


@given(total=st.integers(1, 10**9), people=st.integers(1, 50))
def test_equal_shares_sum_exactly(total: int, people: int) -> None:
    """Equal shares differ by at most one minor unit and always sum to the total."""
    if total < people:
        return
    shares = equal_shares(total, people)
    assert sum(shares) == total and max(shares) - min(shares) <= 1 and min(shares) >= 1


def test_lucky_money_and_topup() -> None:
    """/luckymoney takes an amount and a count; /topup an amount."""
    spec = parse_lucky("$20 5 Happy birthday!", EUR)
    assert (spec.amount, spec.count, spec.note) == (Amount(2000, EUR), 5, "Happy birthday!")
    with pytest.raises(AmountError, match="how many"):
        parse_lucky("$20", EUR)
    with pytest.raises(AmountError, match="at least"):
        parse_lucky("$0.02 3", EUR)
    assert parse_topup("50", EUR) == Amount(5000, EUR)
    assert parse_topup("£20", EUR) == Amount(2000, "GBP")


# --------------------------------------------------------------------------- properties

CURRENCIES = ["EUR", "USD", "GBP", "JPY", "KWD", "CHF", "BHD"]


def typed(minor: int, currency: str, style: int) -> str:
    """``minor`` written the way a person might: ISO style, German style, plain, symbol."""
    digits = exponent(currency)
    formatted = format_money(minor, currency)  # "EUR 1,234.56"
    number = formatted.split(" ", 1)[1]
    whole, _, fraction = number.partition(".")
    if style == 0:
        return formatted
    if style == 1:  # 1.234,56 EUR
        german = whole.replace(",", ".") + ("," + fraction if fraction else "")
        return f"{german} {currency}"
    if style == 2:  # no grouping: EUR1234.56
        return f"{currency}{whole.replace(',', '')}{'.' + fraction if fraction else ''}"
    symbol = {"EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency)
    if symbol is None or digits == 3:
        return formatted
    return f"{symbol}{number}"


@given(
    minor=st.integers(1, 10**12),
    currency=st.sampled_from(CURRENCIES),
    style=st.integers(0, 3),
    note=st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), max_size=30),
)
def test_format_then_parse_round_trips(minor: int, currency: str, style: int, note: str) -> None:
    """Whatever way an amount is written, parsing gives back the exact minor units."""
    text = typed(minor, currency, style)
    assert parse_amount(text, "USD") == Amount(minor, currency)
    line = parse_payment_line(f"{text} {note}", "USD")
    assert line is not None and line.amount == Amount(minor, currency)
    assert starts_with_amount(text)


WORD = st.text(st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=10)


@given(
    first=WORD,
    words=st.lists(WORD, max_size=5),
    minor=st.integers(1, 10**9),
    currency=st.sampled_from(CURRENCIES),
    style=st.integers(0, 3),
    where=st.integers(0, 5),
)
def test_prices_after_the_start_never_pay(
    first: str, words: list[str], minor: int, currency: str, style: int, where: int
) -> None:
    """Prose that mentions a price anywhere but at its very start is plain text."""
    if starts_with_amount(first):  # a word like "EUR" alone is not an amount anyway
        return
    rest = list(words)
    rest.insert(min(where, len(rest)), typed(minor, currency, style))
    text = " ".join([first, *rest])
    assert parse_payment_line(text, EUR) is None
