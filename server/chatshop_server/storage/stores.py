"""Every store of the relay over one database, composed for the handlers.

A handler reaches the stores it uses through ``ctx.stores`` (``ctx.stores.messages.send``);
each store is a small class in its domain's module, next to the SQL of its operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatshop_server.events import PublishHook
from chatshop_server.storage.accounts import AccountStore, ContactStore
from chatshop_server.storage.alerts import AlertStore
from chatshop_server.storage.api_optins import ApiOptInStore
from chatshop_server.storage.bots import BotStore
from chatshop_server.storage.carts import CartStore
from chatshop_server.storage.catalog import BrandStore, CatalogStore
from chatshop_server.storage.checkout_cards import CheckoutCardStore
from chatshop_server.storage.database import Database, StoreSettings
from chatshop_server.storage.external_orders import ExternalOrderStore
from chatshop_server.storage.following import FollowStore
from chatshop_server.storage.handover import HandoverStore, StaffStore
from chatshop_server.storage.invoices import InvoiceStore
from chatshop_server.storage.ledger import LedgerStore
from chatshop_server.storage.messages import EventLog, MessageStore
from chatshop_server.storage.offers import OfferStore
from chatshop_server.storage.orders import OrderStore
from chatshop_server.storage.payments import PaymentStore
from chatshop_server.storage.picks import PickStore
from chatshop_server.storage.threads import ThreadStore
from chatshop_server.storage.uploads import UploadStore
from chatshop_server.storage.webhooks import WebhookStore


@dataclass(frozen=True, slots=True)
class Stores:
    """The relay's storage, one store per domain, all on ``db``."""

    db: Database
    accounts: AccountStore
    contacts: ContactStore
    threads: ThreadStore
    messages: MessageStore
    log: EventLog
    ledger: LedgerStore
    payments: PaymentStore
    brands: BrandStore
    staff: StaffStore
    catalog: CatalogStore
    carts: CartStore
    orders: OrderStore
    handover: HandoverStore
    uploads: UploadStore
    follows: FollowStore
    invoices: InvoiceStore
    bots: BotStore
    picks: PickStore
    offers: OfferStore
    checkout_cards: CheckoutCardStore
    webhooks: WebhookStore
    alerts: AlertStore
    api_optins: ApiOptInStore
    external_orders: ExternalOrderStore

    @classmethod
    def on(cls, db: Database) -> Stores:
        """Every store over ``db``."""
        return cls(
            db=db,
            accounts=AccountStore(db),
            contacts=ContactStore(db),
            threads=ThreadStore(db),
            messages=MessageStore(db),
            log=EventLog(db),
            ledger=LedgerStore(db),
            payments=PaymentStore(db),
            brands=BrandStore(db),
            staff=StaffStore(db),
            catalog=CatalogStore(db),
            carts=CartStore(db),
            orders=OrderStore(db),
            handover=HandoverStore(db),
            uploads=UploadStore(db),
            follows=FollowStore(db),
            invoices=InvoiceStore(db),
            bots=BotStore(db),
            picks=PickStore(db),
            offers=OfferStore(db),
            checkout_cards=CheckoutCardStore(db),
            webhooks=WebhookStore(db),
            alerts=AlertStore(db),
            api_optins=ApiOptInStore(db),
            external_orders=ExternalOrderStore(db),
        )


def open_stores(
    path: Path,
    publish: PublishHook,
    *,
    synchronous: str = "FULL",
    settings: StoreSettings | None = None,
) -> Stores:
    """The stores of the SQLite file at ``path`` (call ``stores.db.start()`` before use)."""
    return Stores.on(Database(path, publish, synchronous=synchronous, settings=settings))
