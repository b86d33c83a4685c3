"""Relay admin commands: verify brands, name their staff, import a catalogue, credit money.

    chatshop-server --db relay.db --verify-brand northwind
    chatshop-server --db relay.db --add-staff northwind nora
    chatshop-server --db relay.db --import-catalog northwind catalogue.csv
    chatshop-server --db relay.db --credit sam 25.00 EUR --source bank-transfer
    chatshop-server --db relay.db --bot-token northwind assistant --scopes read,answer,orders

Several may be given at once; they run in that order. Each opens the database (migrating it
if needed), makes its change through the stores and exits: 0 when done, 1 when refused (the
reason on stderr). They may run while the relay serves: SQLite serialises the writes, and the
running relay publishes the events they wrote (a removed staff member's departure, a credited
wallet) within a quarter of a second.
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chatshop.brand_import import ParsedCatalog, format_report, parse_file, resolve_images
from chatshop.protocol.bot_frames import SCOPES
from chatshop.protocol.errors import ProtocolError
from chatshop.protocol.handles import bare
from chatshop.protocol.money import check_currency, format_money, to_minor
from chatshop.protocol.shop_models import (
    ImportRowError,
)
from chatshop_server.config import RelayConfig
from chatshop_server.media import MediaStore
from chatshop_server.passwords import new_token, token_hash
from chatshop_server.rules.catalog import CleanProduct, normalize_product
from chatshop_server.rules.money import check_amount, transfer_limit
from chatshop_server.storage.database import StoreSettings
from chatshop_server.storage.specs import BrandChanges
from chatshop_server.storage.stores import Stores, open_stores


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("brand administration (run once and exit)")
    group.add_argument("--verify-brand", metavar="HANDLE", help="mark a brand account as verified")
    group.add_argument(
        "--unverify-brand", metavar="HANDLE", help="take a brand's verified mark away"
    )
    group.add_argument(
        "--add-staff",
        nargs=2,
        metavar=("BRAND", "HANDLE"),
        help="let a person account act for a brand (answer threads, catalogue, orders)",
    )
    group.add_argument(
        "--remove-staff",
        nargs=2,
        metavar=("BRAND", "HANDLE"),
        help="stop a person acting for a brand",
    )
    group.add_argument(
        "--credit",
        nargs=3,
        metavar=("HANDLE", "AMOUNT", "CURRENCY"),
        help="put money into an account's wallet (e.g. --credit sam 25.00 EUR), recorded "
        "as a transfer from the funding source named by --source",
    )
    group.add_argument(
        "--source",
        metavar="NAME",
        help="with --credit: where the money comes from, e.g. bank-transfer or cash-desk "
        "(--check-ledger reports each source's total)",
    )
    group.add_argument("--note", default="", help="with --credit: a note shown in the wallet")
    group.add_argument(
        "--bot-token",
        nargs=2,
        metavar=("BRAND", "NAME"),
        help="create a token for a bot of BRAND (docs/bots.md), with --scopes; printed, or "
        "written to --token-file",
    )
    group.add_argument(
        "--scopes",
        default="read,answer",
        metavar="LIST",
        help=f"with --bot-token: comma-separated, of {', '.join(SCOPES)} (default read,answer)",
    )
    group.add_argument(
        "--token-file",
        type=Path,
        metavar="PATH",
        help="with --bot-token: write the token to PATH (mode 0600) instead of printing it",
    )
    group.add_argument(
        "--revoke-bot",
        nargs=2,
        metavar=("BRAND", "BOT_ID"),
        help="revoke a bot token; its connections close at once, in a running relay too",
    )
    group.add_argument(
        "--import-catalog",
        nargs=2,
        metavar=("BRAND", "FILE"),
        help="import products from CSV or JSON (docs/catalog-import.md), all or nothing",
    )


def requested(args: argparse.Namespace) -> bool:
    return any(
        getattr(args, name) is not None
        for name in (
            "verify_brand",
            "unverify_brand",
            "add_staff",
            "remove_staff",
            "credit",
            "bot_token",
            "revoke_bot",
            "import_catalog",
        )
    )


async def run(config: RelayConfig, args: argparse.Namespace) -> int:
    stores = open_stores(
        config.db_path,
        lambda _: None,
        settings=StoreSettings(default_currency=config.default_currency),
    )
    await stores.db.start()
    try:
        if args.verify_brand or args.unverify_brand:
            handle = bare(args.verify_brand or args.unverify_brand)
            changes = BrandChanges(verified=args.verify_brand is not None)
            profile = await stores.brands.update(None, handle, changes)
            state = "verified" if profile.verified else "not verified"
            print(f"@{profile.brand.handle} is {state}")
        if args.add_staff or args.remove_staff:
            brand, person = args.add_staff or args.remove_staff
            profile = await stores.staff.set_staff(
                bare(brand), bare(person), args.add_staff is not None
            )
            staff = ", ".join(f"@{u.handle}" for u in profile.staff) or "nobody"
            print(f"@{profile.brand.handle} staff: {staff}")
        if args.credit:
            if not args.source:
                print("chatshop-server: --credit needs --source NAME", file=sys.stderr)
                return 1
            handle, amount_text, currency_text = args.credit
            currency = check_currency(currency_text.upper())
            try:
                amount = to_minor(Decimal(amount_text), currency)
            except InvalidOperation:
                print(f"chatshop-server: {amount_text!r} is not an amount", file=sys.stderr)
                return 1
            check_amount(amount, currency, transfer_limit(currency, config.max_transfer_major))
            result = await stores.payments.credit(
                bare(handle), amount, currency, args.source, args.note
            )
            balance = format_money(result.balance.amount, currency)
            print(
                f"credited @{bare(handle)} {format_money(amount, currency)} from {args.source} "
                f"({result.transfer.short_id}); balance {balance}"
            )
        if args.bot_token:
            return await create_bot_token(stores, args)
        if args.revoke_bot:
            brand, bot_id = args.revoke_bot
            if not bot_id.isdigit():
                print(f"chatshop-server: {bot_id!r} is not a bot id", file=sys.stderr)
                return 1
            await stores.bots.revoke(None, bare(brand), int(bot_id))
            print(f"revoked bot token {bot_id} of @{bare(brand)}")
        if args.import_catalog:
            brand, file = args.import_catalog
            return await import_file(stores, config, bare(brand), Path(file))
    except ProtocolError as exc:
        print(f"chatshop-server: {exc.message}", file=sys.stderr)
        return 1
    finally:
        await stores.db.close()
    return 0


async def create_bot_token(stores: Stores, args: argparse.Namespace) -> int:
    """``--bot-token BRAND NAME``: a new token, printed or written to ``--token-file``."""
    brand, name = args.bot_token
    wanted = [part.strip() for part in args.scopes.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in SCOPES]
    if unknown or not wanted:
        print(
            f"chatshop-server: --scopes takes {', '.join(SCOPES)} (got {args.scopes!r})",
            file=sys.stderr,
        )
        return 1
    scopes = [scope for scope in SCOPES if scope in wanted]
    token = new_token()
    bot = await stores.bots.create(None, bare(brand), name, scopes, token_hash(token))
    if args.token_file is not None:
        path: Path = args.token_file
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(token + "\n")
        print(f"bot {bot.bot_id} of @{bot.brand.handle} ({' '.join(bot.scopes)}): token in {path}")
    else:
        print(token)
    return 0


async def import_file(stores: Stores, config: RelayConfig, brand: str, path: Path) -> int:
    """Import a catalogue file as the relay admin; pictures are stored straight away."""
    try:
        parsed: ParsedCatalog = parse_file(path, await stores.brands.currency(brand))
    except (OSError, ValueError) as exc:
        print(f"chatshop-server: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    media = MediaStore(config.media_path)

    async def keep(data: bytes) -> str:
        return (await media.save(data)).url

    await resolve_images(parsed, path.parent, keep)
    currency = await stores.brands.currency(brand)
    clean: list[CleanProduct] = []
    errors: list[ImportRowError] = list(parsed.errors)
    for product in parsed.products:
        checked, problems = normalize_product(product, currency)
        errors.extend(error for error, _ in problems)
        if checked is not None:
            clean.append(checked)
    report = await stores.catalog.import_products(None, brand, clean, errors, False)
    print(format_report(report), file=sys.stdout if report.imported else sys.stderr)
    return 0 if report.imported else 1
