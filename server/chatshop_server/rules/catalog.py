"""The documented limits of catalogue, promo and address fields, checked before storage.

Catalogue text goes through the protocol's text check (length, NUL, surrogates) and then the
rules of the sanitizer every client applies before display (``chatshop.safetext``, which the
relay cannot import: it pulls in the UI toolkit): a title or description that a client would
have to change to display (escape sequences, control or bidi-override characters, invisible
format characters, more than ``MAX_COMBINING`` combining marks on one character) is refused
with ``invalid_text`` instead of being shown differently from how it was stored.

Checks raise ``ProtocolError``; ``normalize_product`` collects every problem of a product
with its field and source row instead, for imports that report all errors at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import iso3166

from chatshop.protocol import limits
from chatshop.protocol.barcode import normalize as normalize_barcode
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.money import check_currency, exponent
from chatshop.protocol.shop_models import (
    Address,
    ImportRowError,
    ProductInput,
    PromoKind,
    ShippingOption,
)
from chatshop.protocol.text import check_text

T = TypeVar("T")

MAX_COMBINING = limits.MAX_COMBINING_MARKS  # as many as chatshop.safetext keeps
_KEEP_FORMAT = frozenset("\u200c\u200d")  # joiners: emoji sequences and several scripts

SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MEDIA_PATH = re.compile(r"/media/([0-9a-f]{64})\.(png|jpg|webp)")
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")


def is_displayable(value: str, *, multiline: bool) -> bool:
    """True when a client's sanitizer would show ``value`` unchanged."""
    combining = 0
    previous_newline = True
    for char in value:
        code = ord(char)
        if char == "\n" and multiline:
            combining, previous_newline = 0, True
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return False
        category = unicodedata.category(char)
        if category == "Cf" and char not in _KEEP_FORMAT:
            return False
        if code >= 0x300 and category in ("Mn", "Me"):
            combining += 1
            if combining > MAX_COMBINING or previous_newline:
                return False
        else:
            combining = 0
        previous_newline = False
    return True


def catalogue_text(
    value: str, *, field: str, max_chars: int, multiline: bool = False, allow_empty: bool = False
) -> str:
    """A catalogue field as stored: checked for length and refused characters, trimmed."""
    value = value.strip()
    check_text(value, field=field, max_chars=max_chars, allow_empty=allow_empty)
    if not is_displayable(value, multiline=multiline):
        raise ProtocolError(
            ErrorCode.INVALID_TEXT,
            f"{field} holds control, escape, bidi-override or invisible characters, or more "
            f"than {MAX_COMBINING} combining marks on one character; catalogue text must "
            "display exactly as stored",
        )
    return value


def check_sku(value: str, *, field: str = "sku") -> str:
    value = value.strip()
    if not 1 <= len(value) <= limits.MAX_SKU_CHARS or not SKU_PATTERN.fullmatch(value):
        shown = value if len(value) <= 48 else value[:48] + "..."
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"{field} {shown!r} must be 1 to {limits.MAX_SKU_CHARS} letters, digits or . _ / -, "
            "starting with a letter or digit",
        )
    return value


def max_price(currency: str) -> int:
    """The highest price of one item, in minor units of ``currency``."""
    return int(limits.MAX_PRICE_MAJOR * 10 ** exponent(currency))


def check_price(amount: int, currency: str, *, field: str = "price") -> int:
    ceiling = max_price(currency)
    if not 1 <= amount <= ceiling:
        raise ProtocolError(
            ErrorCode.INVALID_AMOUNT,
            f"{field} must be from 1 to {ceiling} minor units of {currency} "
            f"({limits.MAX_PRICE_MAJOR:,} {currency}); got {amount}",
        )
    return amount


def check_image(path: str) -> str:
    if not MEDIA_PATH.fullmatch(path):
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            "images are relay paths from media_upload: /media/<sha256>.png|jpg|webp",
        )
    return path


@dataclass(frozen=True, slots=True)
class CleanVariant:
    sku: str
    label: str
    options: dict[str, str]
    stock: int
    row: int


@dataclass(frozen=True, slots=True)
class CleanProduct:
    """A product input that passed every check, ready to store."""

    sku: str
    title: str
    description: str
    tags: list[str]
    price: int
    compare_at: int | None
    currency: str
    barcode: str | None
    images: list[str]
    active: bool
    variants: list[CleanVariant]
    row: int

    @property
    def search_text(self) -> str:
        words = [self.title, self.description, *self.tags, self.sku]
        words += [v.sku for v in self.variants] + [v.label for v in self.variants]
        return " ".join(words).lower()

    @property
    def skus(self) -> list[str]:
        return [self.sku, *(v.sku for v in self.variants if v.sku != self.sku)]


@dataclass(slots=True)
class _Collector:
    row: int
    errors: list[tuple[ImportRowError, ProtocolError]] = field(default_factory=list)

    def check(self, name: str, fn: Callable[[], T], *, row: int | None = None) -> T | None:
        try:
            return fn()
        except ProtocolError as exc:
            where = self.row if row is None or row == 0 else row
            self.errors.append((ImportRowError(row=where, field=name, message=exc.message), exc))
            return None


def _tags(values: list[str]) -> list[str]:
    if len(values) > limits.MAX_TAGS:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"at most {limits.MAX_TAGS} tags")
    tags: list[str] = []
    for value in values:
        tag = catalogue_text(value, field="tag", max_chars=limits.MAX_TAG_CHARS).lower()
        if tag not in tags:
            tags.append(tag)
    return tags


def _options(options: dict[str, str]) -> dict[str, str]:
    if len(options) > limits.MAX_OPTIONS:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"at most {limits.MAX_OPTIONS} options")
    clean: dict[str, str] = {}
    for name, value in options.items():
        key = catalogue_text(name, field="option name", max_chars=limits.MAX_OPTION_CHARS)
        clean[key.lower()] = catalogue_text(
            value, field="option value", max_chars=limits.MAX_OPTION_CHARS
        )
    return clean


def normalize_product(
    product: ProductInput, brand_currency: str
) -> tuple[CleanProduct | None, list[tuple[ImportRowError, ProtocolError]]]:
    """Check every field of ``product``; the clean product, or None and every problem."""
    c = _Collector(product.row)
    sku = c.check("sku", lambda: check_sku(product.sku))
    title = c.check(
        "title",
        lambda: catalogue_text(product.title, field="title", max_chars=limits.MAX_TITLE_CHARS),
    )
    description = c.check(
        "description",
        lambda: catalogue_text(
            product.description,
            field="description",
            max_chars=limits.MAX_DESCRIPTION_CHARS,
            multiline=True,
            allow_empty=True,
        ),
    )
    tags = c.check("tags", lambda: _tags(product.tags))
    currency = c.check("currency", lambda: _currency(product.currency, brand_currency))
    price = compare_at = None
    if currency is not None:
        price = c.check("price", lambda: check_price(product.price, currency))
        if product.compare_at is not None:
            compare_at = c.check(
                "compare_at", lambda: _compare_at(product.compare_at, product.price, currency)
            )
    barcode = None
    if product.barcode:
        barcode = c.check("barcode", lambda: normalize_barcode(product.barcode or ""))
    images = c.check("images", lambda: _images(product.images))
    variants = _variants(product, sku, c)
    if c.errors:
        return None, c.errors
    assert sku is not None and title is not None and description is not None
    assert tags is not None and currency is not None and price is not None
    assert images is not None
    return (
        CleanProduct(
            sku=sku,
            title=title,
            description=description,
            tags=tags,
            price=price,
            compare_at=compare_at,
            currency=currency,
            barcode=barcode,
            images=images,
            active=product.active,
            variants=variants,
            row=product.row,
        ),
        [],
    )


def _currency(given: str | None, brand_currency: str) -> str:
    currency = check_currency(given.upper()) if given else brand_currency
    if currency != brand_currency:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"this brand sells in {brand_currency}; a product in {currency} cannot be added",
        )
    return currency


def _compare_at(compare_at: int | None, price: int, currency: str) -> int:
    assert compare_at is not None
    check_price(compare_at, currency, field="compare_at")
    if compare_at <= price:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, "compare_at (the former price) must be above the price"
        )
    return compare_at


def _images(paths: list[str]) -> list[str]:
    if len(paths) > limits.MAX_IMAGES:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"at most {limits.MAX_IMAGES} images")
    return [check_image(path) for path in paths]


def _variants(product: ProductInput, sku: str | None, c: _Collector) -> list[CleanVariant]:
    if len(product.variants) > limits.MAX_VARIANTS:
        c.check("variants", lambda: _too_many_variants(len(product.variants)))
        return []
    if not product.variants:
        stock = c.check("stock", lambda: _stock(product.stock))
        if sku is None or stock is None:
            return []
        return [CleanVariant(sku=sku, label="", options={}, stock=stock, row=product.row)]
    clean: list[CleanVariant] = []
    seen: set[str] = set()
    for variant in product.variants:
        row = variant.row or product.row
        v_sku = c.check("variant sku", partial(check_sku, variant.sku), row=row)
        options = c.check("options", partial(_options, variant.options), row=row)
        stock = c.check("stock", partial(_stock, variant.stock), row=row)
        label_source = variant.label or " / ".join((options or {}).values())
        label = c.check(
            "label",
            partial(
                catalogue_text,
                label_source,
                field="label",
                max_chars=limits.MAX_OPTION_CHARS,
                allow_empty=True,
            ),
            row=row,
        )
        if v_sku is not None and v_sku.lower() in seen:
            c.check("variant sku", partial(_duplicate, v_sku), row=row)
            continue
        if v_sku is None or options is None or stock is None or label is None:
            continue
        seen.add(v_sku.lower())
        clean.append(CleanVariant(sku=v_sku, label=label, options=options, stock=stock, row=row))
    return clean


def _too_many_variants(count: int) -> None:
    raise ProtocolError(
        ErrorCode.TOO_LARGE, f"{count} variants; a product has at most {limits.MAX_VARIANTS}"
    )


def _duplicate(sku: str) -> None:
    raise ProtocolError(ErrorCode.CONFLICT, f"SKU {sku!r} is listed twice")


def _stock(stock: int) -> int:
    if not 0 <= stock <= limits.MAX_STOCK:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"stock must be 0 to {limits.MAX_STOCK}")
    return stock


def clean_product(product: ProductInput, brand_currency: str) -> CleanProduct:
    """``normalize_product`` for one product: the first problem is raised as is."""
    clean, errors = normalize_product(product, brand_currency)
    if errors:
        raise errors[0][1]
    assert clean is not None
    return clean


# --------------------------------------------------------------------------- brands, promos


def clean_shipping(options: list[ShippingOption], currency: str) -> list[ShippingOption]:
    if not options or len(options) > limits.MAX_SHIPPING_OPTIONS:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, f"give 1 to {limits.MAX_SHIPPING_OPTIONS} shipping options"
        )
    clean: list[ShippingOption] = []
    codes: set[str] = set()
    for option in options:
        code = check_code(option.code, field="shipping code").lower()
        if code in codes:
            raise ProtocolError(ErrorCode.CONFLICT, f"shipping code {code!r} is listed twice")
        codes.add(code)
        if not 0 <= option.price <= max_price(currency):
            raise ProtocolError(ErrorCode.INVALID_AMOUNT, "a shipping price is out of range")
        clean.append(
            ShippingOption(
                code=code,
                name=catalogue_text(
                    option.name, field="shipping name", max_chars=limits.MAX_OPTION_CHARS
                ),
                price=option.price,
                days=catalogue_text(
                    option.days,
                    field="shipping days",
                    max_chars=limits.MAX_OPTION_CHARS,
                    allow_empty=True,
                ),
            )
        )
    return clean


def check_code(value: str, *, field: str = "code") -> str:
    value = value.strip()
    if not 1 <= len(value) <= limits.MAX_PROMO_CODE_CHARS or not CODE_PATTERN.fullmatch(value):
        raise ProtocolError(
            ErrorCode.BAD_REQUEST,
            f"{field} must be 1 to {limits.MAX_PROMO_CODE_CHARS} letters, digits, _ or -",
        )
    return value


def check_promo(kind: PromoKind, value: int, currency: str) -> None:
    if kind == "percent" and not 1 <= value <= 100:
        raise ProtocolError(ErrorCode.INVALID_AMOUNT, "a percentage promo is 1 to 100 (%)")
    if kind == "fixed":
        check_price(value, currency, field="value")


def clean_address(address: Address) -> Address:
    def part(value: str, name: str, *, allow_empty: bool = False) -> str:
        return catalogue_text(
            value,
            field=f"address {name}",
            max_chars=limits.MAX_ADDRESS_FIELD_CHARS,
            allow_empty=allow_empty,
        )

    country = address.country.strip().upper()
    if not COUNTRY_PATTERN.fullmatch(country) or country not in iso3166.countries_by_alpha2:
        raise ProtocolError(
            ErrorCode.BAD_REQUEST, "country is a two-letter ISO 3166-1 code, such as FR"
        )
    return Address(
        name=part(address.name, "name"),
        line1=part(address.line1, "line1"),
        line2=part(address.line2, "line2", allow_empty=True),
        postcode=part(address.postcode, "postcode"),
        city=part(address.city, "city"),
        country=country,
        phone=part(address.phone, "phone", allow_empty=True),
    )


def short_text(value: str, *, field: str, max_chars: int) -> str:
    """Notes, reasons, carriers, tracking numbers: may be empty."""
    return catalogue_text(value, field=field, max_chars=max_chars, allow_empty=True)
