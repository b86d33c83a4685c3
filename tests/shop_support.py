"""Helpers for the shop tests: a brand with staff and a catalogue, customers with wallets.

Everything goes through the protocol, except what only the relay admin may do (naming
staff, verifying a brand), which goes through the same storage call the admin command uses.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from conftest import RunningRelay, new_key, raw_connect, raw_user
from payments_support import Person

ADDRESS = {
    "name": "Sam Carter",
    "line1": "12 rue de la Republique",
    "postcode": "69002",
    "city": "Lyon",
    "country": "FR",
}
COAT_SIZES = {"40R": 6, "42R": 0, "42L": 3, "44L": 1}
SHIPPING = [
    {"code": "standard", "name": "Standard", "price": 490, "days": "2-3 days"},
    {"code": "express", "name": "Express", "price": 1200},
]


def tiny_png(
    rgb: tuple[int, int, int] = (200, 40, 40), size: int = 4, *, comment: int = 0
) -> bytes:
    """A valid size x size PNG of one colour (with a ``comment``-byte text chunk, to make a
    large file that is still well-formed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"tEXt", b"Comment\x00" + b"x" * comment) if comment else b"")
        + chunk(b"IEND", b"")
    )


def coat(sizes: dict[str, int] | None = None, **fields: Any) -> dict[str, Any]:
    """The Harbor sport coat as staff would send it (``product_save.product``)."""
    product: dict[str, Any] = {
        "sku": "COAT",
        "title": "Harbor sport coat",
        "description": "Navy wool twill.",
        "price": 19900,
        "compare_at": 24900,
        "tags": ["coat", "men", "wool"],
        "variants": [
            {"sku": f"COAT-{label}", "label": label, "options": {"size": label}, "stock": stock}
            for label, stock in (sizes or COAT_SIZES).items()
        ],
    }
    return {**product, **fields}


def simple(sku: str, title: str, price: int, stock: int, **fields: Any) -> dict[str, Any]:
    """A product without variants."""
    return {"sku": sku, "title": title, "price": price, "stock": stock, **fields}


@dataclass
class Shop:
    """@northwind (a brand account), nora (its staff) and customers."""

    relay: RunningRelay
    brand: Person
    staff: Person

    @property
    def handle(self) -> str:
        return self.brand.handle

    async def save(self, product: dict[str, Any]) -> dict[str, Any]:
        """Staff save a product; the stored product."""
        data: dict[str, Any] = await self.staff.ok(
            "product_save", brand=self.handle, product=product
        )
        product_data: dict[str, Any] = data["product"]
        return product_data

    async def customer(self, handle: str, money: int = 0) -> Person:
        person = Person(await raw_user(self.relay.url, handle))
        if money:
            await person.topup(money)
        return person

    async def thread_with(self, customer: Person) -> int:
        """The customer's brand thread (opened by the customer)."""
        thread_id: int = (await customer.ok("dm_open", handle=self.handle))["id"]
        return thread_id

    async def order_from(self, customer: Person, **fields: Any) -> dict[str, Any]:
        """A checkout that must succeed; the result."""
        fields.setdefault("address", ADDRESS)
        result: dict[str, Any] = await customer.ok(
            "checkout", brand=self.handle, key=new_key(), **fields
        )
        return result


async def open_shop(
    relay: RunningRelay,
    *,
    handle: str = "northwind",
    staff: str = "nora",
    shipping: list[dict[str, Any]] | None = None,
    assistant: bool = True,
) -> Shop:
    """A brand account, a staff member named by the admin, and its shipping options."""
    client = await raw_connect(relay.url)
    data = await client.ok(
        "register", handle=handle, display_name=handle.capitalize(), password="pw-pw", kind="brand"
    )
    client.token, client.user, client.cursor = data["token"], data["user"], data["cursor"]
    brand = Person(client)
    member = Person(await raw_user(relay.url, staff))
    assert relay.relay is not None
    await relay.relay.stores.staff.set_staff(handle, staff, True)
    await member.ok(
        "brand_update", brand=handle, shipping=shipping or SHIPPING, assistant=assistant
    )
    return Shop(relay=relay, brand=brand, staff=member)


def picture(format: str, rgb: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A real 8x8 image in ``format`` (JPEG, WEBP, PNG), made with Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), rgb).save(out, format=format)
    return out.getvalue()


def media_frames(data: bytes, key: str, chunk: int = 30_000) -> list[dict[str, Any]]:
    """The media_upload requests for ``data``, in parts of ``chunk`` bytes."""
    parts = [data[i : i + chunk] for i in range(0, len(data), chunk)] or [b""]
    return [
        {"key": key, "data": base64.b64encode(part).decode(), "final": n == len(parts)}
        for n, part in enumerate(parts, start=1)
    ]


def of_type(kind: str) -> Any:
    """A predicate: events of one type."""
    return lambda e: e["type"] == kind


def card_message(thread_id: int, kind: str, **fields: Any) -> Any:
    """A predicate: a message event in ``thread_id`` whose card is ``kind`` with ``fields``."""

    def match(event: dict[str, Any]) -> bool:
        if event["type"] != "message" or event["thread_id"] != thread_id:
            return False
        card = event["message"].get("card") or {}
        return card.get("kind") == kind and all(card.get(k) == v for k, v in fields.items())

    return match


async def refused(person: Person, error: str, type_: str, **fields: Any) -> dict[str, Any]:
    """``Person.refused`` for requests with a field named ``code``."""
    reply = await person.call(type_, **fields)
    assert reply["type"] == "error" and reply["code"] == error, reply
    return reply
