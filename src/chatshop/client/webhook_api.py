"""The typed webhook client: a brand's endpoints, their delivery log and replays, one method
per request of ``protocol.webhook_frames``, each checked for its result type.

    added = await client.webhooks.add("northwind", "https://crm.example.com/hook", ["order"])
    print(added.secret)  # shown this once

Staff sessions and bot tokens with the ``webhooks`` scope may call them
(``chatshop brand webhooks`` is the command-line face of this class).
"""

from __future__ import annotations

from chatshop.client.namespace import Namespace
from chatshop.protocol.base import Ok
from chatshop.protocol.handles import bare
from chatshop.protocol.webhook_frames import (
    AddWebhook,
    DeliveryPage,
    DeliveryStatus,
    ListDeliveries,
    ListWebhooks,
    RemoveWebhook,
    ReplayResult,
    ReplayWebhook,
    RotateWebhookSecret,
    WebhookEndpoint,
    WebhookKind,
    WebhookList,
    WebhookSecret,
)


class WebhookClient(Namespace):
    """Webhook calls over one connection (``ChatClient.webhooks``)."""

    async def add(self, brand: str, url: str, kinds: list[WebhookKind]) -> WebhookSecret:
        """Register ``url`` for ``kinds`` of events; the reply holds its secret, once."""
        request = AddWebhook(id=0, brand=bare(brand), url=url, kinds=kinds)
        return await self._ask(request, WebhookSecret)

    async def endpoints(self, brand: str) -> list[WebhookEndpoint]:
        """The brand's endpoints, with their backlog (never their secrets)."""
        listed = await self._ask(ListWebhooks(id=0, brand=bare(brand)), WebhookList)
        return listed.endpoints

    async def remove(self, brand: str, endpoint_id: int) -> None:
        """Stop delivering to an endpoint; its undelivered events are dropped."""
        await self._ask(RemoveWebhook(id=0, brand=bare(brand), endpoint_id=endpoint_id), Ok)

    async def rotate(self, brand: str, endpoint_id: int, overlap_hours: int = 24) -> WebhookSecret:
        """A new secret; the old one keeps signing for ``overlap_hours``."""
        request = RotateWebhookSecret(
            id=0, brand=bare(brand), endpoint_id=endpoint_id, overlap_hours=overlap_hours
        )
        return await self._ask(request, WebhookSecret)

    async def deliveries(
        self,
        brand: str,
        endpoint_id: int,
        *,
        status: DeliveryStatus | None = None,
        before: int | None = None,
        limit: int = 50,
    ) -> DeliveryPage:
        """A page of the endpoint's delivery log, newest first."""
        request = ListDeliveries(
            id=0,
            brand=bare(brand),
            endpoint_id=endpoint_id,
            status=status,
            before=before,
            limit=limit,
        )
        return await self._ask(request, DeliveryPage)

    async def replay(
        self,
        brand: str,
        endpoint_id: int,
        *,
        event_id: str | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> int:
        """Deliver again one event, or every event from ``since`` to ``until`` (ms); how many
        deliveries were queued."""
        request = ReplayWebhook(
            id=0,
            brand=bare(brand),
            endpoint_id=endpoint_id,
            event_id=event_id,
            since=since,
            until=until,
        )
        return (await self._ask(request, ReplayResult)).queued
