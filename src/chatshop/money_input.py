"""Amounts as people type them (``$20``, ``20€``, ``€12,50 taxi``, ``EUR 1.234,56``), made exact.

Pure parsing, no I/O and no widgets: the TUI calls it, the tests drive it with hypothesis.
The rules, also in docs/payments.md:

* **Currency.** ``$`` means the relay's default currency (``default_currency`` of the
  ``wallet`` result); ``€`` is EUR, ``£`` GBP, ``¥`` JPY; an upper-case ISO 4217 code names
  its currency (``20 EUR``, ``EUR 20``, ``20EUR``). The marker goes before or after the
  number, with at most one space between. In the money commands (``/request``, ``/split``,
  ``/luckymoney``, ``/topup``) a bare number means the default currency too.
* **Number.** Digits with ``.`` or ``,`` as the decimal mark; the other one, or either one
  repeated, groups thousands in threes: ``12.50`` = ``12,50``, ``1,234.56`` = ``1.234,56``,
  ``1,234,567`` = ``1.234.567``. A single mark followed by exactly three digits groups
  thousands (``1,500`` is one thousand five hundred) unless the currency has three decimals
  (KWD, BHD...), where it is the decimal mark. More decimals than the currency has are
  refused with a hint (``JPY has no decimals``), never rounded.
* **What pays.** A message pays only when it **starts** with an amount that names its
  currency (after optional spaces): ``$20``, ``$20.50 for pizza``, ``20€``, ``€12,50 taxi``,
  and in a group ``$20 @alice for tickets``. Anything else is plain text: ``it cost $20
  yesterday``, ``20 people``, ``$ is a symbol``. A message that starts with ``\\`` followed
  by an amount is sent as text without the backslash (``\\$20 is a lot``).

Amounts become integer minor units with :func:`chatshop.protocol.money.to_minor`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from chatshop.protocol.errors import ProtocolError
from chatshop.protocol.limits import HANDLE_PATTERN
from chatshop.protocol.money import active_currencies, exponent, format_money, to_minor

__all__ = [
    "DEFAULT_MARK",
    "MAX_NOTE_CHARS",
    "SYMBOLS",
    "Amount",
    "AmountError",
    "LuckySpec",
    "PaymentLine",
    "RequestSpec",
    "SplitSpec",
    "equal_shares",
    "escaped_text",
    "parse_amount",
    "parse_lucky",
    "parse_payment_line",
    "parse_request",
    "parse_split",
    "parse_topup",
    "starts_with_amount",
]

DEFAULT_MARK = "$"
"""The marker for the relay's default currency."""

SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY"}
"""Currency symbols with one meaning; ``$`` is the default currency (see ``DEFAULT_MARK``)."""

MAX_NOTE_CHARS = 140
"""The longest note the relay accepts on a payment, request, split or red packet."""

MAX_NUMBER_CHARS = 24
MAX_AMOUNT = 2**53 - 1
MAX_PACKET_COUNT = 100

_MARKS = re.escape("".join([DEFAULT_MARK, *SYMBOLS]))
_NUMBER = r"\d(?:[\d.,]*\d)?"
_SPACE = r"[ \u00a0]?"
_END = r"(?=$|\s|[,;:!?.](?:\s|$))"
_PREFIX = re.compile(
    rf"\s*(?:(?P<mark>[{_MARKS}])|(?P<code>[A-Z]{{3}})){_SPACE}(?P<number>{_NUMBER}){_END}"
)
_SUFFIX = re.compile(
    rf"\s*(?P<number>{_NUMBER}){_SPACE}(?:(?P<mark>[{_MARKS}])|(?P<code>[A-Z]{{3}})(?![A-Za-z]))"
    rf"{_END}"
)
_BARE = re.compile(rf"\s*(?P<number>{_NUMBER}){_END}")
_HANDLE = re.compile(HANDLE_PATTERN)
_SHARE = re.compile(r"@(?P<handle>[^:\s]+):(?P<amount>\S+)")


class AmountError(ValueError):
    """Text that looks like money but cannot be used; ``str(error)`` is a one-line hint."""


@dataclass(frozen=True, slots=True)
class Amount:
    """An exact amount: integer ``minor`` units of ISO 4217 ``currency``."""

    minor: int
    currency: str

    def __str__(self) -> str:
        return format_money(self.minor, self.currency)


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """A message that pays: how much, to whom (a handle, when one was named) and the note."""

    amount: Amount
    handle: str | None
    note: str


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """``/request``: ask ``handle`` (or the other person of a direct thread) for ``amount``."""

    amount: Amount
    handle: str | None
    note: str


@dataclass(frozen=True, slots=True)
class SplitSpec:
    """``/split``: ``amount`` in equal shares or the listed ones (the rest is yours).

    ``shares`` holds (handle, minor units) pairs when amounts were given; ``among`` the
    handles to share equally with when only handles were given (empty: every member).
    """

    amount: Amount
    note: str
    shares: tuple[tuple[str, int], ...] = ()
    among: tuple[str, ...] = ()
    include_self: bool = True


@dataclass(frozen=True, slots=True)
class LuckySpec:
    """``/luckymoney``: ``amount`` shared at random by the first ``count`` to open it."""

    amount: Amount
    count: int
    note: str


# --------------------------------------------------------------------------- numbers


def _groups_ok(groups: list[str]) -> bool:
    """Thousands groups: the first has one to three digits, every other exactly three."""
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _decimal(number: str, currency: str) -> Decimal:
    """``number`` (digits, ``.`` and ``,``) read by the rules above."""
    if len(number) > MAX_NUMBER_CHARS:
        raise AmountError(f"{number[:12]}… is too long for an amount.")
    marks = [c for c in number if c in ".,"]
    whole, fraction = number, ""
    if marks:
        last = marks[-1]
        other = "," if last == "." else "."
        if other in marks:
            # Both marks: the last one is the decimal mark, the other groups thousands.
            whole, _, fraction = number.rpartition(last)
            if last in whole or not _groups_ok(whole.split(other)):
                raise AmountError(f"Cannot read {number!r} as an amount.")
            whole = whole.replace(other, "")
        elif len(marks) > 1:
            if not _groups_ok(number.split(last)):
                raise AmountError(f"Cannot read {number!r} as an amount.")
            whole = number.replace(last, "")
        else:
            head, _, tail = number.partition(last)
            if len(tail) == 3 and exponent(currency) != 3 and _groups_ok([head, tail]):
                whole = head + tail
            else:
                whole, fraction = head, tail
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:
        raise AmountError(f"Cannot read {number!r} as an amount.") from None


def _amount(number: str, currency: str) -> Amount:
    try:
        minor = to_minor(_decimal(number, currency), currency)
    except ProtocolError:
        digits = exponent(currency)
        if digits == 0:
            raise AmountError(f"{currency} amounts have no decimals.") from None
        raise AmountError(
            f"{currency} amounts have at most {digits} decimal{'s' if digits > 1 else ''}."
        ) from None
    if minor <= 0:
        raise AmountError("The amount must be more than zero.")
    if minor > MAX_AMOUNT:
        raise AmountError("That amount is too large.")
    return Amount(minor, currency)


def _currency(mark: str | None, code: str | None, default: str | None) -> str:
    if code is not None:
        return code
    if mark is None or mark == DEFAULT_MARK:
        if default is None:
            raise AmountError("Your wallet is still loading; try again in a moment.")
        return default
    return SYMBOLS[mark]


def _match(text: str, *, bare: bool) -> re.Match[str] | None:
    """The amount at the start of ``text``: marker and number, or a bare number if allowed."""
    for pattern in (_PREFIX, _SUFFIX):
        found = pattern.match(text)
        if found is not None and found["code"] in (None, *active_currencies()):
            return found
    return _BARE.match(text) if bare else None


def parse_amount(text: str, default_currency: str | None, *, bare: bool = True) -> Amount:
    """Exactly one amount (``$20``, ``12,50 €``, ``EUR 7``; a bare ``15`` when ``bare``)."""
    found = _match(text, bare=bare)
    if found is None or text[found.end() :].strip():
        raise AmountError(f"{text.strip()!r} is not an amount; try $20, 12,50€ or EUR 7.")
    groups = found.groupdict()
    currency = _currency(groups.get("mark"), groups.get("code"), default_currency)
    return _amount(found["number"], currency)


def _take_amount(
    text: str, default_currency: str | None, *, bare: bool
) -> tuple[Amount, str] | None:
    """The amount at the start of ``text`` and the rest after it, or None if none starts it."""
    found = _match(text, bare=bare)
    if found is None:
        return None
    groups = found.groupdict()
    currency = _currency(groups.get("mark"), groups.get("code"), default_currency)
    amount = _amount(found["number"], currency)
    rest = text[found.end() :]
    if rest[:1] in (",", ";", ":", "!", "?", "."):
        rest = rest[1:]
    return amount, rest.strip()


def starts_with_amount(text: str) -> bool:
    """Whether ``text`` starts with an amount that names its currency (so it would pay)."""
    return _match(text, bare=False) is not None


# --------------------------------------------------------------------------- messages


def _note(words: str) -> str:
    """The note: what follows, without a leading "for"."""
    words = words.strip()
    if words[:4].lower() == "for " and words[4:].strip():
        words = words[4:].strip()
    if len(words) > MAX_NOTE_CHARS:
        raise AmountError(f"Notes hold at most {MAX_NOTE_CHARS} characters.")
    return words


def _handle_token(token: str) -> str:
    handle = token[1:]
    if not token.startswith("@") or not _HANDLE.match(handle):
        raise AmountError(f"{token!r} is not a @handle.")
    return handle


def parse_payment_line(text: str, default_currency: str | None) -> PaymentLine | None:
    """A message that pays, or None for plain text (it does not start with an amount).

    ``$20``, ``€12,50 taxi``, ``$20.50 for pizza``, ``$20 @alice for tickets``,
    ``$20 to @alice``. Raises :class:`AmountError` when it starts with money that cannot be
    used (``$12.505``, ``¥1.5``).
    """
    taken = _take_amount(text, default_currency, bare=False)
    if taken is None:
        return None
    amount, rest = taken
    handle = None
    words = rest.split(maxsplit=1)
    if words and words[0].lower() == "to" and len(words) > 1 and words[1].startswith("@"):
        rest = words[1]
        words = rest.split(maxsplit=1)
    if words and words[0].startswith("@"):
        handle = _handle_token(words[0])
        rest = words[1] if len(words) > 1 else ""
    return PaymentLine(amount, handle, _note(rest))


def escaped_text(text: str) -> str | None:
    """``\\$20 is a lot`` -> ``$20 is a lot``: the text to send as a message, or None when
    ``text`` is not a backslash-escaped amount."""
    stripped = text.lstrip()
    if stripped.startswith("\\") and starts_with_amount(stripped[1:]):
        return stripped[1:]
    return None


# --------------------------------------------------------------------------- commands


def parse_request(text: str, default_currency: str | None) -> RequestSpec:
    """``/request`` arguments: ``$15 for cinema``, ``@bob $15``, ``15 @bob cinema``."""
    text = text.strip()
    handle = None
    if text.startswith("@"):
        first, _, text = text.partition(" ")
        handle = _handle_token(first)
    taken = _take_amount(text, default_currency, bare=True)
    if taken is None:
        raise AmountError("Usage: /request [@handle] AMOUNT [note] — e.g. /request $15 for cinema")
    amount, rest = taken
    words = rest.split(maxsplit=1)
    if handle is None and words and words[0].startswith("@"):
        handle = _handle_token(words[0])
        rest = words[1] if len(words) > 1 else ""
    return RequestSpec(amount, handle, _note(rest))


SPLIT_USAGE = (
    "Usage: /split AMOUNT [note] [@a:SHARE @b:SHARE | @a @b] [-me] — e.g. /split $60 dinner"
)


def parse_split(text: str, default_currency: str | None) -> SplitSpec:
    """``/split`` arguments: ``$60 dinner``, ``€48 pizza -me``, ``$60 dinner @alice:25 @bob:20``,
    ``$30 taxi @alice``. ``-me`` leaves you out."""
    taken = _take_amount(text.strip(), default_currency, bare=True)
    if taken is None:
        raise AmountError(SPLIT_USAGE)
    amount, rest = taken
    include_self = True
    shares: list[tuple[str, int]] = []
    among: list[str] = []
    words: list[str] = []
    for token in rest.split():
        if token.lower() == "-me":
            include_self = False
        elif (share := _SHARE.fullmatch(token)) is not None:
            handle = _handle_token("@" + share["handle"])
            part = parse_amount(share["amount"], amount.currency)
            if part.currency != amount.currency:
                raise AmountError(f"Shares are in {amount.currency}, like the total.")
            shares.append((handle, part.minor))
        elif token.startswith("@"):
            among.append(_handle_token(token))
        else:
            words.append(token)
    if shares and among:
        raise AmountError("Give every listed person a share (@alice:20), or nobody one.")
    handles = [h.lower() for h, _ in shares] or [h.lower() for h in among]
    if len(set(handles)) != len(handles):
        raise AmountError("Someone is listed twice.")
    listed = sum(minor for _, minor in shares)
    if listed > amount.minor:
        raise AmountError(f"The shares add up to more than {amount}.")
    if shares and not include_self and listed != amount.minor:
        raise AmountError(f"Without you, the shares must add up to {amount}.")
    return SplitSpec(
        amount=amount,
        note=_note(" ".join(words)),
        shares=tuple(shares),
        among=tuple(among),
        include_self=include_self,
    )


def equal_shares(total: int, people: int) -> list[int]:
    """``total`` in ``people`` parts differing by at most one minor unit, summing exactly; the
    first ones get the extra units (the relay's rule, so previews match its cards)."""
    base, remainder = divmod(total, people)
    return [base + (1 if i < remainder else 0) for i in range(people)]


LUCKY_USAGE = "Usage: /luckymoney AMOUNT COUNT [note] — e.g. /luckymoney $20 5 Happy birthday!"


def parse_lucky(text: str, default_currency: str | None) -> LuckySpec:
    """``/luckymoney`` arguments: ``$20 5``, ``€20 3 Happy birthday Bob!``."""
    taken = _take_amount(text.strip(), default_currency, bare=True)
    if taken is None:
        raise AmountError(LUCKY_USAGE)
    amount, rest = taken
    count_text, _, note = rest.partition(" ")
    if not count_text.isdecimal() or not 1 <= int(count_text) <= MAX_PACKET_COUNT:
        raise AmountError(f"Say how many can open it (1 to {MAX_PACKET_COUNT}). {LUCKY_USAGE}")
    count = int(count_text)
    if amount.minor < count:
        raise AmountError(f"{count} people need at least {Amount(count, amount.currency)}.")
    return LuckySpec(amount, count, _note(note))


def parse_topup(text: str, default_currency: str | None) -> Amount:
    """``/topup`` argument: ``$50``, ``50``, ``€20``."""
    if not text.strip():
        raise AmountError("Usage: /topup AMOUNT — e.g. /topup $50")
    return parse_amount(text, default_currency)
