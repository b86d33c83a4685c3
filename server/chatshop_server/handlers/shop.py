"""Brands and catalogues: profiles, products, search, barcodes, imports, images, sharing.

Handlers check fields against the documented limits (``catalog_rules``), then hand one
storage operation the change; staff rights are checked inside it.
"""

from __future__ import annotations

import base64
import binascii

import msgspec

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.handles import bare
from chatshop.protocol.models import Message
from chatshop.protocol.money import check_currency
from chatshop.protocol.shop_frames import (
    ArchiveProduct,
    GetBrand,
    GetCatalog,
    GetProduct,
    ImportCatalog,
    SaveProduct,
    Scan,
    Search,
    ShareProduct,
    UpdateBrand,
    UploadMedia,
)
from chatshop.protocol.shop_models import (
    BrandProfile,
    ImportReport,
    ImportRowError,
    MediaResult,
    ProductInput,
    ProductPage,
    ProductResult,
)
from chatshop.protocol.text import check_text
from chatshop_server.handlers.base import PeerLike, handles, me, request_hash
from chatshop_server.rules.catalog import (
    CleanProduct,
    catalogue_text,
    clean_product,
    clean_shipping,
    normalize_product,
)
from chatshop_server.storage.specs import BrandChanges, ProductRef

MAX_SEARCH_CHARS = 200


def handle_of(value: str) -> str:
    return bare(value.strip())


def _missing_images(peer: PeerLike, product: CleanProduct) -> list[str]:
    return [url for url in product.images if not peer.ctx.shop.media.exists(url)]


@handles(GetBrand)
async def get_brand(peer: PeerLike, request: GetBrand) -> BrandProfile:
    return await peer.ctx.stores.brands.profile(handle_of(request.handle))


@handles(UpdateBrand)
async def update_brand(peer: PeerLike, request: UpdateBrand) -> BrandProfile:
    handle = handle_of(request.brand)
    description = None
    if request.description is not None:
        description = catalogue_text(
            request.description,
            field="description",
            max_chars=limits.MAX_DESCRIPTION_CHARS,
            multiline=True,
            allow_empty=True,
        )
    currency = None if request.currency is None else check_currency(request.currency.upper())
    shipping = None
    if request.shipping is not None:
        priced_in = currency or await peer.ctx.stores.brands.currency(handle)
        shipping = clean_shipping(request.shipping, priced_in)
    changes = BrandChanges(
        description=description,
        currency=currency,
        shipping=shipping,
        assistant=request.assistant,
    )
    return await peer.ctx.stores.brands.update(me(peer), handle, changes)


@handles(GetCatalog)
async def get_catalog(peer: PeerLike, request: GetCatalog) -> ProductPage:
    return await peer.ctx.stores.catalog.catalog(
        me(peer), handle_of(request.brand), request.offset, request.limit, request.include_inactive
    )


@handles(GetProduct)
async def get_product(peer: PeerLike, request: GetProduct) -> ProductResult:
    brand = None if request.brand is None else handle_of(request.brand)
    return await peer.ctx.stores.catalog.product(me(peer), request.product_id, brand, request.sku)


@handles(Search)
async def search(peer: PeerLike, request: Search) -> ProductPage:
    text = check_text(request.text, field="text", max_chars=MAX_SEARCH_CHARS)
    brand = None if request.brand is None else handle_of(request.brand)
    return await peer.ctx.stores.catalog.search(text, brand, request.offset, request.limit)


@handles(Scan)
async def scan(peer: PeerLike, request: Scan) -> ProductResult:
    return await peer.ctx.stores.catalog.scan(request.code[:64])


@handles(SaveProduct)
async def save_product(peer: PeerLike, request: SaveProduct) -> ProductResult:
    handle = handle_of(request.brand)
    await peer.ctx.stores.brands.require_staff(me(peer), handle)
    product = clean_product(request.product, await peer.ctx.stores.brands.currency(handle))
    missing = _missing_images(peer, product)
    if missing:
        raise ProtocolError(
            ErrorCode.NOT_FOUND, f"image {missing[0]} was not uploaded (media_upload)"
        )
    return await peer.ctx.stores.catalog.save_product(me(peer), handle, product)


@handles(ArchiveProduct)
async def archive_product(peer: PeerLike, request: ArchiveProduct) -> ProductResult:
    return await peer.ctx.stores.catalog.archive_product(
        me(peer), request.product_id, request.active
    )


def number_rows(products: list[ProductInput]) -> list[ProductInput]:
    """Products without a source row are numbered by their place in the import (from 1)."""
    return [
        p if p.row else msgspec.structs.replace(p, row=n) for n, p in enumerate(products, start=1)
    ]


@handles(ImportCatalog)
async def catalog_import(peer: PeerLike, request: ImportCatalog) -> ImportReport:
    handle = handle_of(request.brand)
    user_id = me(peer)
    await peer.ctx.stores.brands.require_staff(user_id, handle)
    staging = peer.ctx.shop.staging
    staged = staging.add(
        user_id,
        "import",
        request.key,
        request.products,
        len(request.products),
        limits.MAX_IMPORT_PRODUCTS,
    )
    if not request.final:
        return ImportReport(imported=False, staged=staged)
    parts: list[list[ProductInput]] = staging.take(user_id, "import", request.key)
    products = number_rows([p for part in parts for p in part])
    currency = await peer.ctx.stores.brands.currency(handle)
    clean: list[CleanProduct] = []
    errors: list[ImportRowError] = []
    for product in products:
        checked, problems = normalize_product(product, currency)
        errors.extend(error for error, _ in problems)
        if checked is not None:
            errors.extend(
                ImportRowError(row=checked.row, field="images", message=f"{url} was not uploaded")
                for url in _missing_images(peer, checked)
            )
            clean.append(checked)
    return await peer.ctx.stores.catalog.import_products(
        user_id, handle, clean, errors, request.dry_run
    )


@handles(UploadMedia)
async def upload_media(peer: PeerLike, request: UploadMedia) -> MediaResult:
    user_id = me(peer)
    assert peer.user is not None
    if peer.user.kind != "brand" and not await peer.ctx.stores.brands.is_staff_anywhere(user_id):
        raise ProtocolError(ErrorCode.FORBIDDEN, "only brands and their staff upload images")
    try:
        chunk = base64.b64decode(request.data, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(ErrorCode.BAD_REQUEST, "data is not valid base64") from None
    staging = peer.ctx.shop.staging
    size = staging.add(user_id, "media", request.key, chunk, len(chunk), limits.MAX_MEDIA_BYTES)
    if not request.final:
        return MediaResult(url="", sha256="", content_type="", size=size)
    data = b"".join(staging.take(user_id, "media", request.key))
    media = peer.ctx.shop.media
    path = media.path_of(data)  # checks that it is an image, and a well-formed one
    await peer.ctx.stores.uploads.record(user_id, path, len(data), peer.ctx.config.media_quota)
    return await media.save(data)


@handles(ShareProduct)
async def share_product(peer: PeerLike, request: ShareProduct) -> Message:
    if request.text:
        check_text(request.text, field="text", max_chars=limits.MAX_TEXT_CHARS)
    ref = ProductRef(
        product_id=request.product_id,
        brand=None if request.brand is None else handle_of(request.brand),
        sku=request.sku,
        message_id=request.message_id,
    )
    return await peer.ctx.stores.catalog.share_product(
        me(peer), request.thread_id, ref, request.text, request.key, request_hash(request)
    )
