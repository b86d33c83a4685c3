"""Catalogue imports from CSV and JSON: all or nothing, every wrong row reported with its
number, pictures uploaded on the way; and the relay admin's brand commands."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatshop.brand_import import format_report, import_catalog, parse_catalog
from conftest import SERVER_SCRIPT, RunningRelay, db_count, make_user, raw_connect
from payments_support import Person, assert_books
from shop_support import tiny_png

CSV = """\
sku,title,description,tags,price,compare_at,barcode,images,variant_sku,size,stock
COAT,Harbor sport coat,Navy wool,coat;men,199.00,249.00,,coat.png,COAT-40R,40R,6
COAT,,,,,,,,COAT-42L,42L,3
COAT,,,,,,,,COAT-44L,44L,0
BEANIE,Wool beanie,,hat|winter,25,,4006381333931,coat.png,,,40
SCARF,Merino scarf,,,"39.90",,,,SCARF-GRY,,12
"""


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


@pytest.fixture
async def staff(relay: RunningRelay) -> AsyncIterator[Any]:
    """nora, staff of @northwind, logged in with the real client library."""
    brand = await raw_connect(relay.url)
    await brand.ok(
        "register", handle="northwind", display_name="Northwind", password="pw-pw", kind="brand"
    )
    client = await make_user(relay.url, "nora")
    assert relay.relay is not None
    await relay.relay.stores.staff.set_staff("northwind", "nora", True)
    yield client
    await client.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (tmp_path / "coat.png").write_bytes(tiny_png())
    return path


async def test_a_csv_catalogue_is_imported_with_its_pictures(
    relay: RunningRelay, staff: Any, tmp_path: Path
) -> None:
    """Rows of one SKU become one product with variants; local pictures are uploaded once
    and served by the relay; importing again updates instead of duplicating."""
    path = write(tmp_path, "catalogue.csv", CSV)
    report = await import_catalog(staff, "@northwind", path)
    assert (report.imported, report.created, report.updated, report.errors) == (True, 3, 0, [])
    assert format_report(report) == "imported: 3 new, 0 updated"
    sam = Person(await raw_connect(relay.url))
    await sam.ok("register", handle="sam", display_name="Sam", password="pw-pw")
    products = (await sam.ok("catalog", brand="northwind"))["products"]
    assert [(p["sku"], p["price"], p["stock"]) for p in products] == [
        ("COAT", 19900, 9),
        ("BEANIE", 2500, 40),
        ("SCARF", 3990, 12),
    ]
    coat = products[0]
    assert coat["compare_at"] == 24900 and coat["tags"] == ["coat", "men"]
    assert [(v["sku"], v["options"]) for v in coat["variants"]] == [
        ("COAT-40R", {"size": "40R"}),
        ("COAT-42L", {"size": "42L"}),
        ("COAT-44L", {"size": "44L"}),
    ]
    assert products[1]["barcode"] == "4006381333931" and products[1]["tags"] == ["hat", "winter"]
    assert coat["images"] == products[1]["images"] and len(coat["images"]) == 1
    async with httpx.AsyncClient() as http:
        served = await http.get(f"http://127.0.0.1:{relay.port}{coat['images'][0]}")
    assert served.status_code == 200 and served.content == tiny_png()
    again = await import_catalog(staff, "northwind", path)
    assert (again.imported, again.created, again.updated) == (True, 0, 3)
    assert db_count(relay.db_path, "products") == 3


async def test_a_malformed_row_is_reported_and_nothing_is_imported(
    relay: RunningRelay, staff: Any, tmp_path: Path
) -> None:
    """A price that is not a number in row 4 (and a title over the limit in row 6, caught by
    the relay) are reported with their row numbers; not one product is stored."""
    broken = CSV.replace("BEANIE,Wool beanie,,hat|winter,25,", "BEANIE,Wool beanie,,hat,abc,")
    broken += "CAP," + "x" * 200 + ",,,19.00,,,,,,5\n"
    path = write(tmp_path, "broken.csv", broken)
    report = await import_catalog(staff, "northwind", path)
    assert report.imported is False
    assert [(e.row, e.field) for e in report.errors] == [(5, "price"), (7, "title")]
    assert "'abc' is not an amount" in report.errors[0].message
    assert format_report(report).endswith("2 problem(s); nothing was imported")
    assert db_count(relay.db_path, "products") == 0
    assert db_count(relay.db_path, "variants") == 0


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    """The header is row 1; a quoted cell with a line break still counts one row per line."""
    text = (
        "sku,title,price,stock\n"
        'A,"Two\nlines",1.00,1\n'
        "B,Fine,2.00,1\n"
        "C,Bad,2.001,1\n"
        "D,Extra,1.00,1,surplus\n"
        "E,,1.00,1\n"
    )
    parsed = parse_catalog(text, "csv", "EUR")
    assert [(p.sku, p.row) for p in parsed.products] == [("A", 3), ("B", 4)]
    assert [(e.row, e.field) for e in parsed.errors] == [(5, "price"), (6, "row"), (7, "title")]
    assert "at most 2 decimals" in parsed.errors[0].message
    no_header = parse_catalog("name,cost\nx,1\n", "csv", "EUR")
    assert [(e.row, e.field) for e in no_header.errors] == [
        (1, "header"),
        (1, "header"),
        (1, "header"),
    ]


async def test_json_imports_report_relay_side_errors_by_product(
    relay: RunningRelay, staff: Any, tmp_path: Path
) -> None:
    """A JSON catalogue is checked by the relay too: a bad barcode in product 2 and a SKU
    already used by another product in product 3 are both reported; nothing is stored."""
    await staff.request(_save_request("OLD", [{"sku": "OLD-1", "stock": 1}]))
    items = [
        {"sku": "A", "title": "A", "price": 10, "stock": 1},
        {"sku": "B", "title": "B", "price": "12.50", "barcode": "4006381333932", "stock": 1},
        {"sku": "C", "title": "C", "price": 5, "variants": [{"sku": "OLD-1", "stock": 2}]},
    ]
    path = write(tmp_path, "catalogue.json", json.dumps({"products": items}))
    report = await import_catalog(staff, "northwind", path)
    assert report.imported is False
    assert [(e.row, e.field) for e in report.errors] == [(2, "barcode"), (3, "sku")]
    assert "already belongs to another product" in report.errors[1].message
    assert db_count(relay.db_path, "products") == 1
    fixed = [items[0], {**items[1], "barcode": "4006381333931"}]
    path.write_text(json.dumps(fixed), encoding="utf-8")
    report = await import_catalog(staff, "northwind", path)
    assert (report.imported, report.created) == (True, 2)


def _save_request(sku: str, variants: list[dict[str, Any]]) -> Any:
    import msgspec

    from chatshop.protocol.shop_frames import SaveProduct

    product = {"sku": sku, "title": sku, "price": 100, "variants": variants}
    return msgspec.convert(
        {"type": "product_save", "id": 0, "brand": "northwind", "product": product}, SaveProduct
    )


async def test_an_import_in_parts_is_applied_at_the_last_part(
    relay: RunningRelay, staff: Any
) -> None:
    """Parts under one key are kept until the final one, then stored together; duplicates
    across parts are reported; a customer cannot import."""
    nora = Person(await raw_connect(relay.url))
    await nora.ok("login", handle="nora", password="pw-secret")
    first = [{"sku": f"P{n}", "title": f"Product {n}", "price": 100, "stock": 1} for n in range(3)]
    second = [{"sku": "P3", "title": "Product 3", "price": 100, "stock": 1}]
    staged = await nora.ok(
        "catalog_import", brand="northwind", key="k1", products=first, final=False
    )
    assert staged == {"imported": False, "created": 0, "updated": 0, "staged": 3, "errors": []}
    assert db_count(relay.db_path, "products") == 0
    done = await nora.ok("catalog_import", brand="northwind", key="k1", products=second)
    assert (done["imported"], done["created"]) == (True, 4)
    await nora.ok("catalog_import", brand="northwind", key="k2", products=first, final=False)
    clash = await nora.ok("catalog_import", brand="northwind", key="k2", products=[first[0]])
    assert clash["imported"] is False
    assert [(e["row"], e["field"]) for e in clash["errors"]] == [(4, "sku")]
    assert "also appears in row 1" in clash["errors"][0]["message"]
    dry = await nora.ok("catalog_import", brand="northwind", key="k3", products=second,
                        dry_run=True)  # fmt: skip
    assert dry["imported"] is False and dry["errors"] == []
    sam = Person(await raw_connect(relay.url))
    await sam.ok("register", handle="sam", display_name="Sam", password="pw-pw")
    await sam.refused("forbidden", "catalog_import", brand="northwind", key="x", products=first)
    assert db_count(relay.db_path, "products") == 4


def admin(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``chatshop-server --db DB ARGS`` (an admin command that runs once and exits)."""
    return subprocess.run(
        [str(SERVER_SCRIPT), "--db", str(db), "--log-level", "WARNING", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_admin_commands_verify_brands_name_staff_and_import(
    relay: RunningRelay, tmp_path: Path
) -> None:
    """--verify-brand, --add-staff and --import-catalog (given together) change the relay's
    database; a bad import exits 1 naming the rows and stores nothing."""
    brand = await raw_connect(relay.url)
    await brand.ok(
        "register", handle="northwind", display_name="Northwind", password="pw-pw", kind="brand"
    )
    sam = Person(await raw_connect(relay.url))
    await sam.ok("register", handle="nora", display_name="Nora", password="pw-pw")
    db = relay.db_path

    bad = write(tmp_path, "bad.csv", "sku,title,price,stock\nA,A,1.00,x\nB,B,oops,1\n")
    good = write(tmp_path, "good.csv", CSV)
    setup = ("--verify-brand", "@northwind", "--add-staff", "northwind", "nora")
    done = await asyncio.to_thread(admin, db, *setup, "--import-catalog", "northwind", str(good))
    bad_run = await asyncio.to_thread(admin, db, "--import-catalog", "northwind", str(bad))
    wrong = await asyncio.to_thread(admin, db, "--add-staff", "nora", "northwind")
    assert done.returncode == 0, done.stderr
    assert "@northwind is verified" in done.stdout and "staff: @nora" in done.stdout
    assert "imported: 3 new" in done.stdout
    assert bad_run.returncode == 1
    assert "row 2, stock" in bad_run.stderr and "row 3, price" in bad_run.stderr
    assert wrong.returncode == 1 and "is not a brand" in wrong.stderr
    profile = await sam.ok("brand", handle="northwind")
    assert profile["verified"] is True and [s["handle"] for s in profile["staff"]] == ["nora"]
    products = (await sam.ok("catalog", brand="northwind"))["products"]
    assert len(products) == 3 and products[0]["verified"] is True
    async with httpx.AsyncClient() as http:
        served = await http.get(f"http://127.0.0.1:{relay.port}{products[0]['images'][0]}")
    assert served.status_code == 200
