"""``chatshop brand import FILE``: read a catalogue from CSV or JSON and send it to the relay.

The file format is documented in docs/catalog-import.md. Parsing happens here, checking
happens on the relay (``catalog_import``), and the import is all or nothing: when any row is
wrong, nothing is stored and every wrong row is reported with its number (CSV rows are
numbered as a spreadsheet shows them, the header being row 1; JSON products from 1).

Pictures named by a local path are uploaded first (``media_upload``) and replaced by the
relay path they get. The module speaks to the relay through anything with the client's
``request`` coroutine, so it needs neither the client library nor the relay.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

import msgspec

from chatshop.protocol.base import Request
from chatshop.protocol.errors import ProtocolError
from chatshop.protocol.handles import bare
from chatshop.protocol.limits import MAX_FRAME_BYTES
from chatshop.protocol.money import to_minor
from chatshop.protocol.shop_frames import (
    GetBrand,
    ImportCatalog,
    UploadMedia,
)
from chatshop.protocol.shop_models import (
    ImportReport,
    ImportRowError,
    MediaResult,
    ProductInput,
    VariantInput,
)

__all__ = [
    "ParsedCatalog",
    "import_catalog",
    "parse_catalog",
    "parse_file",
    "resolve_images",
]

LIST_SEPARATORS = (";", "|")
OPTION_COLUMNS = ("size", "colour", "color", "waist", "length", "material", "fit")
FRAME_BUDGET = MAX_FRAME_BYTES - 4096  # room for the frame's other fields
MEDIA_CHUNK = 36 * 1024  # raw bytes per media_upload part (48 KiB once in base64)
TRUE = frozenset({"1", "yes", "true", "y", "on"})
FALSE = frozenset({"0", "no", "false", "n", "off"})


class RequestSender(Protocol):
    """What ``import_catalog`` needs of a client: ``ChatClient.request``."""

    async def request(self, request: Request[Any], /, **fields: Any) -> msgspec.Struct: ...


@dataclass
class ParsedCatalog:
    """The products read from a file, and what could not be read (by row)."""

    products: list[ProductInput] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)


class _RowError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _split(value: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        if sep in value:
            return [part.strip() for part in value.split(sep) if part.strip()]
    return [value.strip()] if value.strip() else []


def _money(value: Any, currency: str, name: str) -> int:
    try:
        major = (
            Decimal(str(value).strip().replace(",", ""))
            if isinstance(value, str)
            else (Decimal(str(value)))
        )
        if not major.is_finite():
            raise InvalidOperation
        return to_minor(major, currency)
    except (InvalidOperation, ValueError):
        raise _RowError(name, f"{value!r} is not an amount (write it like 199.00)") from None
    except ProtocolError as exc:
        raise _RowError(name, exc.message) from None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _RowError(name, f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise _RowError(name, f"{value!r} is not a whole number")
    return int(text)


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise _RowError(name, f"{value!r} is not yes or no")


# --------------------------------------------------------------------------- CSV


def _options(row: dict[str, str]) -> dict[str, str]:
    options = {}
    for column, value in row.items():
        name = column.removeprefix("option.").removeprefix("option:")
        if (column in OPTION_COLUMNS or name != column) and value.strip():
            options["colour" if name == "color" else name] = value.strip()
    return options


def _csv_product(row: dict[str, str], number: int, currency: str) -> ProductInput:
    if not row.get("sku", "").strip():
        raise _RowError("sku", "every row needs the product's sku")
    if not row.get("title", "").strip():
        raise _RowError("title", "the first row of a product needs its title")
    if not row.get("price", "").strip():
        raise _RowError("price", "the first row of a product needs its price")
    row_currency = row.get("currency", "").strip().upper() or currency
    compare_at = row.get("compare_at", "").strip()
    return ProductInput(
        sku=row["sku"].strip(),
        title=row["title"].strip(),
        description=row.get("description", "").strip(),
        tags=_split(row.get("tags", "")),
        price=_money(row["price"], row_currency, "price"),
        compare_at=_money(compare_at, row_currency, "compare_at") if compare_at else None,
        currency=row_currency if row.get("currency", "").strip() else None,
        barcode=row.get("barcode", "").strip() or None,
        images=_split(row.get("images", "")),
        active=_bool(row["active"], "active") if row.get("active", "").strip() else True,
        row=number,
    )


def _csv_variant(row: dict[str, str], number: int) -> VariantInput | None:
    sku = row.get("variant_sku", "").strip()
    options = _options(row)
    label = (row.get("variant_label") or row.get("label") or "").strip()
    if not sku:
        if options or label:
            raise _RowError("variant_sku", "a row with a size or colour needs its variant_sku")
        return None
    stock = row.get("stock", "").strip()
    return VariantInput(
        sku=sku,
        label=label,
        options=options,
        stock=_int(stock, "stock") if stock else 0,
        row=number,
    )


def _parse_csv(text: str, currency: str) -> ParsedCatalog:
    parsed = ParsedCatalog()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        parsed.errors.append(ImportRowError(row=1, field="header", message="the file is empty"))
        return parsed
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    for needed in ("sku", "title", "price"):
        if needed not in reader.fieldnames:
            parsed.errors.append(
                ImportRowError(row=1, field="header", message=f"no {needed!r} column")
            )
    if parsed.errors:
        return parsed
    by_sku: dict[str, int] = {}
    failed: set[str] = set()  # products whose first row was wrong: later rows only checked
    for raw in reader:
        number = reader.line_num
        row = {k: (v or "") for k, v in raw.items() if k is not None}
        if None in raw:
            parsed.errors.append(
                ImportRowError(row=number, field="row", message="more cells than columns")
            )
            continue
        if not any(v.strip() for v in row.values()):
            continue
        sku = row.get("sku", "").strip()
        try:
            index = by_sku.get(sku.lower())
            variant = _csv_variant(row, number)
            if sku.lower() in failed:
                continue
            if index is None:
                product = _csv_product(row, number, currency)
                if variant is not None:
                    product = msgspec.structs.replace(product, variants=[variant])
                elif row.get("stock", "").strip():
                    product = msgspec.structs.replace(product, stock=_int(row["stock"], "stock"))
                by_sku[sku.lower()] = len(parsed.products)
                parsed.products.append(product)
            else:
                first = parsed.products[index]
                if variant is None or not first.variants:
                    raise _RowError(
                        "sku", f"SKU {sku!r} appears again (row {first.row}) without variants"
                    )
                parsed.products[index] = msgspec.structs.replace(
                    first, variants=[*first.variants, variant]
                )
        except _RowError as exc:
            parsed.errors.append(ImportRowError(row=number, field=exc.field, message=exc.message))
            if sku and sku.lower() not in by_sku:
                failed.add(sku.lower())
    return parsed


# --------------------------------------------------------------------------- JSON


def _json_product(item: Any, number: int, currency: str) -> ProductInput:
    if not isinstance(item, dict):
        raise _RowError("product", "each product is a JSON object")
    known = {
        "sku", "title", "description", "tags", "price", "compare_at", "currency", "barcode",
        "images", "variants", "stock", "active",
    }  # fmt: skip
    unknown = sorted(set(item) - known)
    if unknown:
        raise _RowError(unknown[0], f"unknown field {unknown[0]!r}")
    for needed in ("sku", "title", "price"):
        if needed not in item:
            raise _RowError(needed, f"each product needs {needed!r}")
    row_currency = str(item.get("currency") or currency).upper()
    variants = []
    for variant in item.get("variants") or []:
        if not isinstance(variant, dict) or "sku" not in variant:
            raise _RowError("variants", "each variant is an object with its sku")
        options = variant.get("options") or {}
        if not isinstance(options, dict):
            raise _RowError("options", "options map a name to a value")
        variants.append(
            VariantInput(
                sku=str(variant["sku"]),
                label=str(variant.get("label") or ""),
                options={str(k): str(v) for k, v in options.items()},
                stock=_int(variant.get("stock", 0), "stock"),
                row=number,
            )
        )
    tags = item.get("tags") or []
    images = item.get("images") or []
    return ProductInput(
        sku=str(item["sku"]),
        title=str(item["title"]),
        description=str(item.get("description") or ""),
        tags=[str(t) for t in (_split(tags) if isinstance(tags, str) else tags)],
        price=_money(item["price"], row_currency, "price"),
        compare_at=None
        if item.get("compare_at") in (None, "")
        else _money(item["compare_at"], row_currency, "compare_at"),
        currency=str(item["currency"]).upper() if item.get("currency") else None,
        barcode=str(item["barcode"]) if item.get("barcode") else None,
        images=[str(i) for i in (_split(images) if isinstance(images, str) else images)],
        variants=variants,
        stock=_int(item.get("stock", 0), "stock"),
        active=_bool(item.get("active", True), "active"),
        row=number,
    )


def _parse_json(text: str, currency: str) -> ParsedCatalog:
    parsed = ParsedCatalog()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.errors.append(ImportRowError(row=0, field="file", message=f"not JSON: {exc}"))
        return parsed
    items = document.get("products") if isinstance(document, dict) else document
    if not isinstance(items, list):
        message = "expected a list of products, or an object with a 'products' list"
        parsed.errors.append(ImportRowError(row=0, field="file", message=message))
        return parsed
    for number, item in enumerate(items, start=1):
        try:
            parsed.products.append(_json_product(item, number, currency))
        except _RowError as exc:
            parsed.errors.append(ImportRowError(row=number, field=exc.field, message=exc.message))
    return parsed


def parse_catalog(text: str, fmt: str, currency: str) -> ParsedCatalog:
    """Read a catalogue in ``fmt`` (``csv`` or ``json``); prices are in ``currency`` unless
    a row names its own."""
    if fmt == "csv":
        return _parse_csv(text, currency)
    if fmt == "json":
        return _parse_json(text, currency)
    raise ValueError(f"unknown catalogue format {fmt!r}: use csv or json")


def parse_file(path: Path, currency: str) -> ParsedCatalog:
    """``parse_catalog`` on a file, its format told by its extension."""
    fmt = path.suffix.lower().lstrip(".")
    return parse_catalog(path.read_text(encoding="utf-8-sig"), fmt, currency)


async def resolve_images(
    parsed: ParsedCatalog, base: Path, store: Callable[[bytes], Awaitable[str]]
) -> None:
    """Replace local picture paths by relay paths, storing each file once with ``store``."""
    done: dict[Path, str] = {}
    for index, product in enumerate(parsed.products):
        images = []
        for image in product.images:
            if image.startswith("/media/"):
                images.append(image)
                continue
            path = (base / image).resolve()
            if path not in done:
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    parsed.errors.append(
                        ImportRowError(
                            row=product.row, field="images", message=f"{image}: {exc.strerror}"
                        )
                    )
                    continue
                try:
                    done[path] = await store(data)
                except ProtocolError as exc:
                    parsed.errors.append(
                        ImportRowError(row=product.row, field="images", message=exc.message)
                    )
                    continue
            images.append(done[path])
        parsed.products[index] = msgspec.structs.replace(product, images=images)


# --------------------------------------------------------------------------- over the wire


async def upload_image(client: RequestSender, data: bytes) -> str:
    """Upload one image in frame-sized parts; its relay path."""
    key = f"img-{uuid.uuid4().hex[:16]}"
    parts = [data[i : i + MEDIA_CHUNK] for i in range(0, len(data), MEDIA_CHUNK)] or [b""]
    result: msgspec.Struct | None = None
    for n, part in enumerate(parts, start=1):
        encoded = base64.b64encode(part).decode()
        request = UploadMedia(id=0, key=key, data=encoded, final=n == len(parts))
        result = await client.request(request)
    assert isinstance(result, MediaResult)
    return result.url


def _chunks(products: list[ProductInput]) -> list[list[ProductInput]]:
    """Products in groups that each fit one frame."""
    chunks: list[list[ProductInput]] = [[]]
    size = 0
    for product in products:
        encoded = len(msgspec.json.encode(product)) + 1
        if chunks[-1] and size + encoded > FRAME_BUDGET:
            chunks.append([])
            size = 0
        chunks[-1].append(product)
        size += encoded
    return chunks


async def send_catalog(
    client: RequestSender, brand: str, products: list[ProductInput], *, dry_run: bool = False
) -> ImportReport:
    """``catalog_import`` in as many parts as the frame limit needs; the relay's report."""
    key = f"import-{uuid.uuid4().hex[:16]}"
    chunks = _chunks(products)
    report: msgspec.Struct | None = None
    for n, chunk in enumerate(chunks, start=1):
        request = ImportCatalog(
            id=0,
            brand=brand,
            key=key,
            products=chunk,
            final=n == len(chunks),
            dry_run=dry_run,
        )
        report = await client.request(request)
    assert isinstance(report, ImportReport)
    return report


async def import_catalog(
    client: RequestSender, brand: str, path: Path, *, dry_run: bool = False
) -> ImportReport:
    """Import ``path`` (CSV or JSON) into ``brand``'s catalogue, all or nothing.

    For ``chatshop brand import FILE``: the report lists every problem by row; when the file
    itself has errors nothing is stored, and the relay still checks the readable rows
    (without storing them) so that all problems are reported at once.
    """
    brand = bare(brand)
    profile = await client.request(GetBrand(id=0, handle=brand))
    currency = str(getattr(profile, "currency", "EUR"))
    parsed = parse_file(path, currency)

    async def store(data: bytes) -> str:
        return await upload_image(client, data)

    await resolve_images(parsed, path.parent, store)
    if not parsed.errors:
        return await send_catalog(client, brand, parsed.products, dry_run=dry_run)
    checked = await send_catalog(client, brand, parsed.products, dry_run=True)
    errors = sorted([*parsed.errors, *checked.errors], key=lambda e: (e.row, e.field))
    return ImportReport(imported=False, errors=errors)


def format_report(report: ImportReport) -> str:
    """The report as lines for a terminal."""
    if report.imported:
        return f"imported: {report.created} new, {report.updated} updated"
    if not report.errors:
        return f"checked {report.staged} products: no problems (nothing stored: dry run)"
    lines = [f"row {e.row}, {e.field}: {e.message}" for e in report.errors]
    lines.append(f"{len(report.errors)} problem(s); nothing was imported")
    return "\n".join(lines)
