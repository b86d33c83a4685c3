"""Frames for personal price and stock alerts: a person watches a product (or one variant)
and the brand's thread with them gets one message when the change they asked about happens.

Three kinds of watch:

* ``back_in_stock``: the product (or variant) had none left and now has some;
* ``price_below``: its price drops to ``below`` or under (minor units of its currency);
* ``lowest_30d``: its price drops to its lowest of the last 30 days.

A watch fires on the change that makes its condition come true (a restock from nothing, a
price crossing the line, a drop to the 30-day low), once; it fires again only after the
condition stopped holding and came true again (``lowest_30d``: on each drop to the low). An
offer the brand gives you that brings its price, for you, under a ``price_below`` line fires
that watch too (the card then carries the offer). Alerts come from the brand, privately, in
its thread with you, as a message carrying an ``AlertCard``; none reach you while you mute
the brand, and unfollowing it pauses your watches of its products (following again resumes
them). A product's variants share its price, so its price history, and ``lowest_30d``, is
the product's.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from chatshop.protocol.base import Count, Ok, Request
from chatshop.protocol.cards import AlertKind, ProductCard

ALERT_KINDS: tuple[AlertKind, ...] = ("back_in_stock", "price_below", "lowest_30d")

MAX_WATCHES = 100  # per person
LOWEST_WINDOW_DAYS = 30


class Watch(msgspec.Struct, frozen=True, kw_only=True):
    """One of your watches, with the product as it is now."""

    watch_id: int
    alert: AlertKind
    product: ProductCard
    active: bool
    met: bool
    created_at: int
    sku: str | None = None
    below: int | None = None
    fired_at: int | None = None


class WatchList(msgspec.Struct, frozen=True, kw_only=True):
    """Your watches, newest first."""

    watches: list[Watch]


class WatchProduct(Request[Watch], tag="watch"):
    """Watch a product: the one in the card of message ``message_id``, product
    ``product_id``, or ``brand`` and ``sku``; ``sku`` narrows it to one variant. Watching the
    same thing again answers the same watch (resumed if it was paused)."""

    alert: AlertKind
    message_id: Count | None = None
    product_id: Count | None = None
    brand: str | None = None
    sku: str | None = None
    below: Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)] | None = None
    example = {
        "type": "watch",
        "id": 120,
        "product_id": 3,
        "sku": "NW-COAT-42L",
        "alert": "back_in_stock",
    }


class ListWatches(Request[WatchList], tag="watches"):
    """Your watches (``/watching``)."""

    example = {"type": "watches", "id": 121}


class Unwatch(Request[Ok], tag="unwatch"):
    """Stop a watch."""

    watch_id: Count
    example = {"type": "unwatch", "id": 122, "watch_id": 7}


ALERT_REQUEST_TYPES: tuple[type[Request[Any]], ...] = (WatchProduct, ListWatches, Unwatch)

FIELD_NOTES: dict[str, str] = {
    "Watch.watch_id": "The watch's id (for `unwatch`).",
    "Watch.alert": "`back_in_stock`, `price_below` or `lowest_30d`.",
    "Watch.product": "The product as it is now (its `lowest_30d` included).",
    "Watch.active": "False while paused: you unfollowed the brand (follow it again, or "
    "watch again, to resume).",
    "Watch.met": "Whether its condition holds now (in stock, at or under `below`, at its "
    "30-day low): it fires the next time the condition comes true.",
    "Watch.sku": "The variant watched; null: the whole product.",
    "Watch.below": "For `price_below`: the price asked for, in minor units.",
    "Watch.fired_at": "When it last fired (ms).",
    "WatchList.watches": "Newest first.",
    "WatchProduct.alert": "What to be told of.",
    "WatchProduct.message_id": "A message with a product (or alert) card.",
    "WatchProduct.product_id": "The product's id.",
    "WatchProduct.sku": "A variant SKU (with `brand`: a product or variant SKU).",
    "WatchProduct.below": "For `price_below` (required there): the price, in minor units of "
    "the product's currency.",
    "Unwatch.watch_id": "The watch's id.",
    "AlertCard.watch_id": "Your watch that fired.",
    "AlertCard.alert": "`back_in_stock`, `price_below` or `lowest_30d`.",
    "AlertCard.product": "The product as it is now (a snapshot, as on a product card): add "
    "to cart or buy from it.",
    "AlertCard.sku": "The variant watched; null: the whole product.",
    "AlertCard.price": "The price now, in minor units.",
    "AlertCard.previous_price": "The price before this change, when it changed.",
    "AlertCard.lowest_30d": "The lowest price of the last 30 days (this one included).",
    "AlertCard.below": "For `price_below`: the price asked for.",
    "AlertCard.stock": "How many are left of what is watched.",
    "AlertCard.offer": "For `price_below`: the offer the brand just gave you that brings the "
    "price (`price`, with the offer) under your line; applied at your checkout by itself.",
    "Product.lowest_30d": "The lowest price of the last 30 days, the current one included "
    "(the relay records every price change).",
    "ProductCard.lowest_30d": "The lowest price of the last 30 days when the card was made.",
}
