"""Relay catalogues: brand profiles and staff, products with variants, the documented field
limits, barcodes, search and similar items, product cards, and images over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chatshop.protocol import limits
from chatshop.protocol.barcode import is_valid, normalize
from chatshop.protocol.errors import ProtocolError
from conftest import RunningRelay, db_count, new_key
from payments_support import assert_books
from shop_support import Shop, coat, media_frames, open_shop, picture, simple, tiny_png


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


@pytest.fixture
async def shop(relay: RunningRelay) -> Shop:
    return await open_shop(relay)


def http_url(relay: RunningRelay, path: str) -> str:
    return f"http://127.0.0.1:{relay.port}{path}"


# --------------------------------------------------------------------------- brands


async def test_brand_profile_shows_staff_shipping_and_the_admins_verified_flag(
    shop: Shop,
) -> None:
    """A brand's profile lists its staff and shipping; only the relay admin verifies it, and
    staff changing the profile cannot."""
    sam = await shop.customer("sam")
    profile = await sam.ok("brand", handle="@northwind")
    assert profile["verified"] is False and profile["currency"] == "EUR"
    assert [s["handle"] for s in profile["staff"]] == ["nora"]
    assert [o["code"] for o in profile["shipping"]] == ["standard", "express"]
    await shop.staff.ok("brand_update", brand="northwind", description="Outdoor clothing")
    assert shop.relay.relay is not None
    from chatshop_server.storage.specs import BrandChanges

    await shop.relay.relay.stores.brands.update(None, "northwind", BrandChanges(verified=True))
    profile = await sam.ok("brand", handle="northwind")
    assert profile["verified"] is True and profile["description"] == "Outdoor clothing"
    await sam.refused("forbidden", "brand_update", brand="northwind", description="mine now")
    await sam.refused("not_found", "brand", handle="sam")


async def test_only_staff_change_the_catalogue(shop: Shop) -> None:
    """A customer cannot create, change or withdraw products; staff and the brand can."""
    sam = await shop.customer("sam")
    await sam.refused("forbidden", "product_save", brand="northwind", product=coat())
    product = await shop.save(coat())
    await sam.refused("forbidden", "product_archive", product_id=product["id"])
    await sam.refused("forbidden", "catalog", brand="northwind", include_inactive=True)
    by_brand = await shop.brand.ok(
        "product_save", brand="northwind", product=simple("CAP", "Cap", 1900, 5)
    )
    assert by_brand["product"]["brand"]["handle"] == "northwind"


# --------------------------------------------------------------------------- products


async def test_a_product_has_variants_with_their_own_sku_and_stock(shop: Shop) -> None:
    """Saving a product stores its variants; the product's stock is their sum; saving it
    again by SKU updates variants in place and withdraws the ones left out."""
    product = await shop.save(coat())
    assert product["sku"] == "COAT" and product["compare_at"] == 24900
    assert [(v["sku"], v["label"], v["stock"]) for v in product["variants"]] == [
        ("COAT-40R", "40R", 6),
        ("COAT-42R", "42R", 0),
        ("COAT-42L", "42L", 3),
        ("COAT-44L", "44L", 1),
    ]
    assert product["stock"] == 10 and product["variants"][0]["options"] == {"size": "40R"}
    again = await shop.save(coat({"40R": 2, "42L": 9}, price=17900))
    assert again["id"] == product["id"] and again["price"] == 17900
    assert {v["sku"]: v["stock"] for v in again["variants"]} == {"COAT-40R": 2, "COAT-42L": 9}
    assert again["variants"][0]["id"] == product["variants"][0]["id"]
    plain = await shop.save(simple("BEANIE", "Wool beanie", 2500, 40))
    assert [(v["sku"], v["label"], v["stock"]) for v in plain["variants"]] == [("BEANIE", "", 40)]


async def test_a_sku_belongs_to_one_product_of_a_brand(shop: Shop) -> None:
    """A variant SKU another product already uses is a conflict; SKUs repeat across brands."""
    await shop.save(coat())
    clash = simple("HAT", "Hat", 1000, 1, variants=[{"sku": "COAT-40R", "stock": 1}])
    await shop.staff.refused("conflict", "product_save", brand="northwind", product=clash)
    twice = coat(variants=[{"sku": "X-1", "stock": 1}, {"sku": "x-1", "stock": 2}])
    await shop.staff.refused("conflict", "product_save", brand="northwind", product=twice)
    other = await open_shop(shop.relay, handle="southwind", staff="olaf")
    saved = await other.save(coat())
    assert saved["brand"]["handle"] == "southwind"


async def test_field_limits_are_enforced(shop: Shop) -> None:
    """Prices, lengths, variant counts and tags over their documented limits are refused,
    and nothing is stored."""
    staff = shop.staff

    async def refused(code: str, **fields: Any) -> None:
        await staff.refused(code, "product_save", brand="northwind", product=coat(**fields))

    billion_euro = 100_000_000_000
    await refused("invalid_amount", price=billion_euro, compare_at=None)
    await refused("invalid_amount", price=0, compare_at=None)
    await refused("invalid_amount", price=-5, compare_at=None)
    await refused("bad_request", compare_at=19900)
    await refused("too_large", title="x" * (limits.MAX_TITLE_CHARS + 1))
    await refused("too_large", title="a" + "\u0301" * 9_000)  # as many as fit in a frame
    await refused("too_large", description="d" * (limits.MAX_DESCRIPTION_CHARS + 1))
    await refused("too_large", tags=[f"t{n}" for n in range(limits.MAX_TAGS + 1)])
    await refused("bad_request", sku="has space")
    await refused("bad_request", title="   ")
    await refused("unknown_currency", currency="XXX")
    await refused("bad_request", currency="USD")
    too_many = [{"sku": f"V{n}", "stock": 1} for n in range(limits.MAX_VARIANTS + 1)]
    await refused("too_large", variants=too_many)
    await refused("bad_request", variants=[{"sku": "V1", "stock": -1}])
    await refused("bad_request", images=["https://evil.example/x.png"])
    await refused("not_found", images=["/media/" + "0" * 64 + ".png"])
    assert db_count(shop.relay.db_path, "products") == 0
    await staff.refused(
        "bad_request",
        "product_save",
        brand="northwind",
        product={**coat(), "price": "19.90"},
    )


async def test_text_a_client_would_have_to_change_is_refused(shop: Shop) -> None:
    """Catalogue text that would not display as stored (zalgo runs of combining marks,
    escape sequences, bidi overrides, zero-width characters) is invalid_text; accents,
    emoji with joiners and a few combining marks are fine."""
    staff = shop.staff
    for title in (
        "Coat" + "\u0301" * 5,
        "Coat \x1b[31mred",
        "Coat \u202egnp.exe",
        "Co\u200bat",
        "Coat\nline",
    ):
        await staff.refused(
            "invalid_text", "product_save", brand="northwind", product=coat(title=title)
        )
    await staff.refused(
        "invalid_text", "product_save", brand="northwind", product=coat(title="Coat\x00")
    )
    fine = await shop.save(coat(title="Café coat 👩‍👩‍👧 e\u0301\u0302", description="Two\nlines"))
    assert fine["title"] == "Café coat 👩‍👩‍👧 e\u0301\u0302"


# --------------------------------------------------------------------------- barcodes


def test_fifty_thousand_combining_marks_are_refused_before_storage() -> None:
    """A title of 50,000 combining marks is too_large by the relay's own check (over the wire
    it does not even fit in a frame: the relay closes such a connection with 1009)."""
    from chatshop_server.rules.catalog import catalogue_text

    with pytest.raises(ProtocolError) as caught:
        catalogue_text("a" + "\u0301" * 50_000, field="title", max_chars=limits.MAX_TITLE_CHARS)
    assert caught.value.code == "too_large"


async def test_a_frame_with_fifty_thousand_combining_marks_closes_the_connection(
    shop: Shop,
) -> None:
    """Over the wire, a product_save frame with a 50,000-mark title is over max_frame_bytes:
    the relay closes the connection with 1009 and stores nothing."""
    from conftest import wait_closed

    frame = {
        "type": "product_save",
        "id": 1,
        "brand": "northwind",
        "product": coat(title="a" + "\u0301" * 50_000),
    }
    import json

    await shop.staff.client.send_raw(json.dumps(frame, ensure_ascii=False))
    assert await wait_closed(shop.staff.client) == 1009
    assert db_count(shop.relay.db_path, "products") == 0


def test_barcode_check_digits() -> None:
    """EAN-13 and UPC-A codes are checked by their check digit; UPC-A becomes 13 digits."""
    assert is_valid("4006381333931")
    assert not is_valid("4006381333932")
    assert is_valid("036000291452")  # UPC-A
    assert normalize("036000291452") == "0036000291452"
    assert normalize("4 006381 333931") == "4006381333931"
    for bad in ("400638133393", "40063813339311", "400638133393x", "", "٤٠٠٦٣٨١٣٣٣٩٣١"):
        with pytest.raises(ProtocolError) as caught:
            normalize(bad)
        assert caught.value.code == "invalid_barcode"


async def test_scan_finds_the_product_and_similar_items(shop: Shop) -> None:
    """/scan looks a valid barcode up and returns the product with similar items (shared
    tags first, then closest price); a bad check digit is invalid_barcode."""
    scarf = await shop.save(
        simple("SCARF", "Merino scarf", 3900, 5, tags=["wool", "winter"], barcode="4006381333931")
    )
    beanie = await shop.save(simple("BEANIE", "Beanie", 2500, 5, tags=["wool", "winter"]))
    await shop.save(simple("GLOVES", "Gloves", 5500, 5, tags=["winter"]))
    await shop.save(simple("TOTE", "Tote", 3500, 5, tags=["bag"]))
    sam = await shop.customer("sam")
    found = await sam.ok("scan", code="4006381333931")
    assert found["product"]["id"] == scarf["id"]
    assert [p["sku"] for p in found["similar"]] == ["BEANIE", "GLOVES", "TOTE"]
    assert found["similar"][0]["id"] == beanie["id"]
    for bad, error in (("4006381333932", "invalid_barcode"), ("036000291452", "not_found")):
        reply = await sam.call("scan", code=bad)
        assert reply["type"] == "error" and reply["code"] == error, reply
    await shop.staff.refused(
        "invalid_barcode",
        "product_save",
        brand="northwind",
        product=simple("X", "X", 100, 1, barcode="1234567890123"),
    )


# --------------------------------------------------------------------------- browsing


async def test_catalog_search_and_product_lookups(shop: Shop) -> None:
    """A brand's catalogue pages in order, search matches every word across brands, and a
    product is found by id or by product or variant SKU; withdrawn products disappear for
    customers but not for staff."""
    await shop.save(coat())
    await shop.save(simple("SCARF", "Merino wool scarf", 3900, 5, tags=["winter"]))
    await shop.save(simple("CAP", "Canvas cap", 1900, 5))
    other = await open_shop(shop.relay, handle="southwind", staff="olaf")
    await other.save(simple("SCARF", "Silk scarf", 4900, 5))
    sam = await shop.customer("sam")
    page = await sam.ok("catalog", brand="northwind", limit=2)
    assert [p["sku"] for p in page["products"]] == ["COAT", "SCARF"] and page["more"]
    page = await sam.ok("catalog", brand="northwind", offset=2, limit=2)
    assert [p["sku"] for p in page["products"]] == ["CAP"] and not page["more"]
    found = await sam.ok("search", text="scarf")
    assert {p["brand"]["handle"] for p in found["products"]} == {"northwind", "southwind"}
    found = await sam.ok("search", text="WOOL scarf", brand="northwind")
    assert [p["title"] for p in found["products"]] == ["Merino wool scarf"]
    assert (await sam.ok("search", text="100%_"))["products"] == []
    by_variant = await sam.ok("product", brand="northwind", sku="coat-42l")
    assert by_variant["product"]["sku"] == "COAT"
    cap = (await sam.ok("product", brand="northwind", sku="CAP"))["product"]
    await shop.staff.ok("product_archive", product_id=cap["id"])
    await sam.refused("not_found", "product", product_id=cap["id"])
    assert "CAP" not in [p["sku"] for p in (await sam.ok("catalog", brand="northwind"))["products"]]
    staff_view = await shop.staff.ok("catalog", brand="northwind", include_inactive=True)
    assert [p["active"] for p in staff_view["products"] if p["sku"] == "CAP"] == [False]


async def test_sharing_a_product_posts_a_card_anyone_can_forward(shop: Shop) -> None:
    """Staff share a product card (price, former price, variants with stock, image) into a
    thread; a customer forwards it from that message into a group; a withdrawn product cannot
    be shared."""
    png = tiny_png()
    [frame] = media_frames(png, "img")
    image = await shop.staff.ok("media_upload", **frame)
    product = await shop.save(coat(images=[image["url"]]))
    sam, alice = await shop.customer("sam"), await shop.customer("alice")
    thread = await shop.thread_with(sam)
    shared = await shop.brand.ok(
        "product_share", thread_id=thread, product_id=product["id"], key=new_key()
    )
    card = shared["card"]
    assert card["kind"] == "product" and card["from_brand"] is True
    assert (card["price"], card["compare_at"], card["currency"]) == (19900, 24900, "EUR")
    assert card["image"] == image["url"] and card["stock"] == 10
    assert [(v["sku"], v["stock"]) for v in card["variants"]][:2] == [
        ("COAT-40R", 6),
        ("COAT-42R", 0),
    ]
    group = (await sam.ok("group_create", name="friends", handles=["alice"]))["id"]
    forwarded = await sam.ok(
        "product_share", thread_id=group, message_id=shared["id"], text="look!", key=new_key()
    )
    assert forwarded["card"]["product_id"] == product["id"] and forwarded["text"] == "look!"
    assert forwarded["card"]["from_brand"] is False
    event = await alice.wait_event(lambda e: e["type"] == "message" and e["thread_id"] == group)
    assert event["message"]["card"]["kind"] == "product"
    await alice.refused(
        "not_found", "product_share", thread_id=group, message_id=shared["id"], key=new_key()
    )
    await sam.refused("forbidden", "edit", message_id=forwarded["id"], text="edited")
    await shop.staff.ok("product_archive", product_id=product["id"])
    await sam.refused(
        "gone", "product_share", thread_id=group, product_id=product["id"], key=new_key()
    )


# --------------------------------------------------------------------------- media


async def test_images_are_uploaded_in_parts_and_served_over_http(shop: Shop) -> None:
    """An image uploaded in base64 parts is stored under its SHA-256 and served with its
    type, an ETag and year-long immutable caching; If-None-Match gets 304."""
    png = tiny_png(size=120, comment=70_000)
    frames = media_frames(png, "big-image")
    assert len(frames) == 3
    for frame in frames[:-1]:
        partial = await shop.staff.ok("media_upload", **frame)
        assert partial["url"] == ""
    done = await shop.staff.ok("media_upload", **frames[-1])
    sha = hashlib.sha256(png).hexdigest()
    assert done == {
        "url": f"/media/{sha}.png",
        "sha256": sha,
        "content_type": "image/png",
        "size": len(png),
    }
    async with httpx.AsyncClient() as http:
        response = await http.get(http_url(shop.relay, done["url"]))
        assert response.status_code == 200 and response.content == png
        assert response.headers["content-type"] == "image/png"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["etag"] == f'"{sha}"'
        again = await http.get(
            http_url(shop.relay, done["url"]), headers={"If-None-Match": f'"{sha}"'}
        )
        assert again.status_code == 304 and again.content == b""
        missing = await http.get(http_url(shop.relay, "/media/" + "a" * 64 + ".png"))
        assert missing.status_code == 404
        wrong_type = await http.get(http_url(shop.relay, f"/media/{sha}.jpg"))
        assert wrong_type.status_code == 404
        assert (await http.get(http_url(shop.relay, "/media/../relay.db"))).status_code == 404


async def test_uploads_are_checked_by_content_size_and_rights(shop: Shop) -> None:
    """Uploads are PNG, JPEG or WebP by their bytes, at most MAX_MEDIA_BYTES, from staff."""
    [fake] = media_frames(b"GIF89a not allowed", "gif")
    await shop.staff.refused("unsupported_media", "media_upload", **fake)
    [html] = media_frames(b"<html><script>alert(1)</script>", "html")
    await shop.staff.refused("unsupported_media", "media_upload", **html)
    await shop.staff.refused("bad_request", "media_upload", key="k", data="not base64!")
    sam = await shop.customer("sam")
    [png] = media_frames(tiny_png(), "png")
    await sam.refused("forbidden", "media_upload", **png)
    huge = b"\x89PNG\r\n\x1a\n" + b"\x00" * limits.MAX_MEDIA_BYTES
    refused = None
    for frame in media_frames(huge, "huge", chunk=40_000):
        reply = await shop.staff.call("media_upload", **frame)
        if reply["type"] == "error":
            refused = reply
            break
    assert refused is not None and refused["code"] == "too_large"
    jpeg = await shop.staff.ok("media_upload", **media_frames(picture("JPEG"), "j")[0])
    assert jpeg["content_type"] == "image/jpeg" and jpeg["url"].endswith(".jpg")
    webp = picture("WEBP")
    uploaded = await shop.staff.ok("media_upload", **media_frames(webp, "w")[0])
    assert uploaded["content_type"] == "image/webp"
