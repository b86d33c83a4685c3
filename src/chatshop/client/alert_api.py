"""The typed alert client: a person's watches of products (``protocol.alert_frames``).

    watch = await client.alerts.watch("back_in_stock", brand="northwind", sku="NW-COAT-42L")
    for w in await client.alerts.watches():  # what /watching shows
        ...
    await client.alerts.unwatch(watch.watch_id)

The alerts themselves arrive as messages from the brand carrying an ``AlertCard``.
"""

from __future__ import annotations

from chatshop.client.connection import Connection
from chatshop.client.errors import InvalidReply
from chatshop.protocol.alert_frames import ListWatches, Unwatch, Watch, WatchList, WatchProduct
from chatshop.protocol.base import Ok
from chatshop.protocol.cards import AlertKind
from chatshop.protocol.handles import bare


class AlertClient:
    """Watch calls over one connection (``ChatClient.alerts``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    async def watch(
        self,
        alert: AlertKind,
        *,
        product_id: int | None = None,
        message_id: int | None = None,
        brand: str | None = None,
        sku: str | None = None,
        below: int | None = None,
    ) -> Watch:
        """Watch a product (by id, by a card's message, or by brand and SKU); ``sku`` narrows
        it to one variant, ``below`` is the price for ``price_below``."""
        request = WatchProduct(
            id=0,
            alert=alert,
            product_id=product_id,
            message_id=message_id,
            brand=None if brand is None else bare(brand),
            sku=sku,
            below=below,
        )
        reply = await self.connection.request(request)
        if not isinstance(reply, Watch):
            raise InvalidReply(f"'watch' answered {type(reply).__name__}")
        return reply

    async def watches(self) -> list[Watch]:
        """Your watches, newest first."""
        reply = await self.connection.request(ListWatches(id=0))
        if not isinstance(reply, WatchList):
            raise InvalidReply(f"'watches' answered {type(reply).__name__}")
        return reply.watches

    async def unwatch(self, watch_id: int) -> None:
        """Stop a watch."""
        reply = await self.connection.request(Unwatch(id=0, watch_id=watch_id))
        if not isinstance(reply, Ok):
            raise InvalidReply(f"'unwatch' answered {type(reply).__name__}")
