"""``chatshop brand import FILE --brand HANDLE`` against a real relay: a staff member's CSV
becomes the brand's catalogue, and a wrong row stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.brand_cli import import_file
from chatshop.cli import build_parser
from conftest import RunningRelay, make_user
from shop_support import open_shop

CSV = """\
sku,title,description,tags,price,compare_at,barcode,images,variant_sku,size,stock
COAT,Harbor sport coat,Navy wool,coat;men,199.00,249.00,,,COAT-40R,40R,6
COAT,,,,,,,,COAT-42L,42L,3
BEANIE,Wool beanie,,hat,25,,,,,,40
"""


async def test_brand_import_command(
    relay: RunningRelay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """nora imports two products; a row with a bad price is reported and nothing stored."""
    await open_shop(relay)
    good = tmp_path / "catalogue.csv"
    good.write_text(CSV, encoding="utf-8")
    assert await import_file(relay.url, "nora", "@northwind", good, password="pw-secret") == 0
    assert capsys.readouterr().out.strip() == "imported: 2 new, 0 updated"
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("25,,", "lots,,"), encoding="utf-8")
    assert await import_file(relay.url, "nora", "northwind", bad, password="pw-secret") == 1
    out = capsys.readouterr().out
    assert "row " in out and "nothing was imported" in out
    sam = await make_user(relay.url, "sam")
    page = await sam.shop.catalog("northwind")
    assert sorted(p.sku for p in page.products) == ["BEANIE", "COAT"]
    await sam.close()


def test_brand_import_arguments() -> None:
    """The command line parses FILE, --brand and --dry-run."""
    args = build_parser().parse_args(["brand", "import", "x.csv", "--brand", "@northwind"])
    assert (args.command, args.brand_command, args.brand, args.dry_run) == (
        "brand",
        "import",
        "@northwind",
        False,
    )
