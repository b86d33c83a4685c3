"""The typed alert client: a person's watches of products (``protocol.alert_frames``).

    watch = await client.alerts.watch("back_in_stock", brand="northwind", sku="NW-COAT-42L")
    for w in await client.alerts.watches():  # what /watching shows
        ...
    await client.alerts.unwatch(watch.watch_id)

The alerts themselves arrive as messages from the brand carrying an ``AlertCard``.
"""

from __future__ import annotations

from chatshop.client.namespace import Namespace
from chatshop.protocol.alert_frames import ListWatches, Unwatch, Watch, WatchList, WatchProduct
from chatshop.protocol.base import Ok
from chatshop.protocol.cards import AlertKind
from chatshop.protocol.handles import bare


class AlertClient(Namespace):
    """Watch calls over one connection (``ChatClient.alerts``)."""

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
        return await self._ask(request, Watch)

    async def watches(self) -> list[Watch]:
        """Your watches, newest first."""
        return (await self._ask(ListWatches(id=0), WatchList)).watches

    async def unwatch(self, watch_id: int) -> None:
        """Stop a watch."""
        await self._ask(Unwatch(id=0, watch_id=watch_id), Ok)
