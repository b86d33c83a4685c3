"""The relay's SQL schema (SQLAlchemy Core). Alembic migrations create exactly this.

Events are one log for everybody: a row is addressed either to a thread (all members whose
membership period covers the event id) or to one user. The event id is the per-user cursor:
a user's stream is the subsequence of the log addressed to them, so no row is written per
recipient and a 50-member group costs one event row per message.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("handle", String(32), nullable=False),
    Column("handle_lower", String(32), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    # What the handle and the display name look like (rules.identity.skeleton): a handle
    # that looks like another is refused; a name that looks like a verified brand's marks
    # the account ``lookalike``.
    Column("handle_skeleton", String(64), nullable=False, server_default="", index=True),
    Column("name_skeleton", String(128), nullable=False, server_default="", index=True),
    Column("verified", Integer, nullable=False, server_default="0"),  # a verified brand
    Column("lookalike", Integer, nullable=False, server_default="0"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("device", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    # A bot token's session: its scopes (space-separated), name and creator; NULL for people.
    Column("scopes", String(80), nullable=True),
    Column("bot_name", String(40), nullable=True),
    Column("created_by", Integer, nullable=True),
)

contacts = Table(
    "contacts",
    metadata,
    Column("owner_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("other_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("status", String(8), nullable=False),  # friend | outgoing | incoming | blocked
    Column("updated_at", BigInteger, nullable=False),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),  # direct | group | brand
    Column("name", String(64), nullable=False),
    Column("owner_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("direct_key", String(40), nullable=True, unique=True),  # "lo:hi" user ids
    Column("last_seq", Integer, nullable=False),
    Column("last_activity", BigInteger, nullable=False),
    # The event-log position of the last activity: lists are ordered by it (commit order,
    # never a tie, unlike the millisecond ``last_activity``).
    Column("activity", BigInteger, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("joined_event", Integer, nullable=False),  # first event id this period sees
    Column("left_event", Integer, nullable=True),  # last event id it sees; null while active
    Column("read_seq", Integer, nullable=False),
    Index("ix_memberships_thread_active", "thread_id", "left_event"),
    Index("ix_memberships_user", "user_id", "thread_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("sender_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("reply_to", Integer, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("edited_at", BigInteger, nullable=True),
    Column("deleted_at", BigInteger, nullable=True),
    Column("card", LargeBinary, nullable=True),  # JSON of a protocol Card, updated in place
    UniqueConstraint("thread_id", "seq", name="uq_messages_thread_seq"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("thread_id", Integer, nullable=True),
    Column("user_id", Integer, nullable=True),
    Column("body", LargeBinary, nullable=False),  # the event's JSON, without its cursor
    Column("created_at", BigInteger, nullable=False),
    Index("ix_events_thread", "thread_id", "id"),
    Index("ix_events_user", "user_id", "id"),
    sqlite_autoincrement=True,
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# --------------------------------------------------------------------------- money
# Double-entry ledger: every movement is one ``transfers`` row debiting one account and
# crediting another; ``ledger_accounts.balance`` is a cache of the transfers that the
# ledger check recomputes. System accounts (the funding provider, red-packet escrow) have
# user_id 0; only the funding account may go below zero (it is money from outside).

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # wallet | funding | escrow
    Column("currency", String(3), nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("kind", "user_id", "currency", name="uq_ledger_accounts_owner"),
)

funding_sources = Table(
    "funding_sources",
    metadata,
    # Where money enters the relay: the demo's simulated card, an admin's credits. Each has
    # a ledger account of kind "funding" (user_id = this id) per currency, the only kind of
    # account allowed below zero.
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("debit_account", Integer, ForeignKey("ledger_accounts.id"), nullable=False),
    Column("credit_account", Integer, ForeignKey("ledger_accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("note", Text, nullable=False),
    Column("thread_id", Integer, nullable=True),
    Column("initiator_id", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_transfers_debit", "debit_account", "id"),
    Index("ix_transfers_credit", "credit_account", "id"),
)

payment_requests = Table(
    "payment_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("message_id", Integer, nullable=False),  # the card (the split's card for shares)
    Column("requester_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("payer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(9), nullable=False),  # open | paid | declined | cancelled
    Column("transfer_id", Integer, nullable=True),
    Column("split_id", Integer, nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

lucky_packets = Table(
    "lucky_packets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("sender_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("count", Integer, nullable=False),
    Column("allocations", Text, nullable=False),  # JSON list of the amounts, drawn at creation
    Column("claimed", Integer, nullable=False),
    Column("status", String(8), nullable=False),  # open | finished | expired
    Column("expires_at", BigInteger, nullable=False),
    Column("note", Text, nullable=False),
    Index("ix_lucky_packets_open", "status", "expires_at"),
)

lucky_claims = Table(
    "lucky_claims",
    metadata,
    Column("packet_id", Integer, ForeignKey("lucky_packets.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("transfer_id", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# --------------------------------------------------------------------------- shopping
# A brand is a user of kind "brand"; ``brands`` holds its profile once it has one. Stock lives
# on variants only (a product without sizes has one variant), and checkout takes it with a
# guarded UPDATE (``stock >= quantity``), as the ledger's debit guards a balance.

brands = Table(
    "brands",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("description", Text, nullable=False),
    Column("verified", Integer, nullable=False),  # 0 | 1, set by the relay admin only
    Column("currency", String(3), nullable=False),
    Column("shipping", Text, nullable=False),  # JSON list of ShippingOption
    Column("assistant", Integer, nullable=False),  # 0 | 1: the bot answers customers
    Column("updated_at", BigInteger, nullable=False),
)

brand_staff = Table(
    "brand_staff",
    metadata,
    Column("brand_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("added_at", BigInteger, nullable=False),
    Index("ix_brand_staff_user", "user_id"),
)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("title", String(120), nullable=False),
    Column("description", Text, nullable=False),
    Column("tags", Text, nullable=False),  # JSON list of lower-case tags
    Column("search_text", Text, nullable=False),  # lower-case title, description, tags, SKUs
    Column("price", BigInteger, nullable=False),
    Column("compare_at", BigInteger, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("barcode", String(13), nullable=True, index=True),  # EAN-13 digits
    Column("images", Text, nullable=False),  # JSON list of /media/ paths
    Column("active", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("brand_id", "sku", name="uq_products_brand_sku"),
)

product_tags = Table(
    "product_tags",
    metadata,
    Column("product_id", Integer, ForeignKey("products.id"), primary_key=True),
    Column("tag", String(32), primary_key=True),
    Index("ix_product_tags_tag", "tag"),
)

variants = Table(
    "variants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False, index=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("label", String(32), nullable=False),
    Column("options", Text, nullable=False),  # JSON object: option name -> value
    Column("stock", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Integer, nullable=False),
    UniqueConstraint("brand_id", "sku", name="uq_variants_brand_sku"),
)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("variant_id", Integer, ForeignKey("variants.id"), primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price_when_added", BigInteger, nullable=False),
    Column("added_at", BigInteger, nullable=False),
    Index("ix_cart_lines_user_brand", "user_id", "brand_id"),
)

carts = Table(
    "carts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("promo_code", String(32), nullable=True),
    Column("updated_at", BigInteger, nullable=False),
)

addresses = Table(
    "addresses",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("address", Text, nullable=False),  # JSON of an Address
    Column("updated_at", BigInteger, nullable=False),
)

promos = Table(
    "promos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("code", String(32), nullable=False),  # upper case
    Column("kind", String(8), nullable=False),  # percent | fixed
    Column("value", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("expires_at", BigInteger, nullable=True),
    Column("max_uses", Integer, nullable=True),
    Column("max_uses_per_customer", Integer, nullable=True),
    Column("min_basket", BigInteger, nullable=False),
    Column("uses", Integer, nullable=False),
    Column("active", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("brand_id", "code", name="uq_promos_brand_code"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("status", String(10), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("subtotal", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("shipping_cost", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("promo_id", Integer, ForeignKey("promos.id"), nullable=True),
    Column("promo_code", String(32), nullable=True),
    Column("shipping", String(64), nullable=False),  # the shipping option's name
    Column("address", Text, nullable=False),  # JSON of an Address
    Column("carrier", String(64), nullable=True),
    Column("tracking", String(64), nullable=True),
    Column("transfer_id", Integer, nullable=True),  # the payment (null for a free order)
    Column("refund_transfer_id", Integer, nullable=True),
    Column("receipt_message_id", Integer, nullable=True),
    # The payment waits in the brand's escrow account until the return window after
    # delivery has passed (release_after), then goes to the brand's wallet (released_at).
    Column("release_after", BigInteger, nullable=True),
    Column("released_at", BigInteger, nullable=True),
    Column("offer_id", Integer, nullable=True),  # the offer that gave the discount, if any
    Column("received_at", BigInteger, nullable=True),  # when the customer confirmed receipt
    # An order placed on the brand's own shop and followed here (brand HTTP API): its id there.
    Column("external_id", String(64), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_orders_brand_status", "brand_id", "status", "id"),
    Index("ix_orders_customer", "customer_id", "id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("title", String(120), nullable=False),
    Column("label", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
)

order_steps = Table(
    "order_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False),
    Column("actor_id", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("carrier", String(64), nullable=True),
    Column("tracking", String(64), nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

promo_uses = Table(
    "promo_uses",
    metadata,
    Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
    Column("promo_id", Integer, ForeignKey("promos.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Index("ix_promo_uses_promo_user", "promo_id", "user_id"),
)

handovers = Table(
    "handovers",
    metadata,
    Column("thread_id", Integer, ForeignKey("threads.id"), primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("mode", String(8), nullable=False),  # bot | waiting | staff
    Column("agent_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_handovers_agent", "agent_id", "mode"),
)

media_uploads = Table(
    "media_uploads",
    metadata,
    # Who stored which image, for quotas and for removing images nothing refers to.
    Column("path", String(80), primary_key=True),  # /media/<sha256>.<ext>
    Column("bytes", Integer, nullable=False),
    Column("uploader_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_media_uploads_uploader", "uploader_id", "created_at"),
    Index("ix_media_uploads_brand", "brand_id"),
)

follows = Table(
    "follows",
    metadata,
    # A person following a brand: its promoted posts reach them unless they opted out
    # (``promotions``) or muted the brand (``muted``: no post, no alert, no notification).
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("promotions", Integer, nullable=False),
    Column("muted", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_follows_brand", "brand_id"),
)

offers = Table(
    "offers",
    metadata,
    # A discount a brand gives to the people it sends it to (with a post, or as a card):
    # applied at their checkout by itself, no code to type.
    Column("id", Integer, primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(8), nullable=False),  # percent | fixed
    Column("value", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=True),  # null: all
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=True),
    Column("label", String(120), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("max_uses_per_customer", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

offer_grants = Table(
    "offer_grants",
    metadata,
    Column("offer_id", Integer, ForeignKey("offers.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("message_id", Integer, nullable=True),  # the post or card that carried it
    Column("created_at", BigInteger, nullable=False),
    Index("ix_offer_grants_user", "user_id"),
)

offer_uses = Table(
    "offer_uses",
    metadata,
    Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
    Column("offer_id", Integer, ForeignKey("offers.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Index("ix_offer_uses_offer_user", "offer_id", "user_id"),
)

posts = Table(
    "posts",
    metadata,
    # A brand's promoted post, sent to its opted-in followers as a card in each one's
    # brand thread.
    Column("id", Integer, primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=True),
    Column("offer_id", Integer, ForeignKey("offers.id"), nullable=True),
    Column("reached", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_posts_brand", "brand_id", "created_at"),
)

post_deliveries = Table(
    "post_deliveries",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("message_id", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_post_deliveries_user", "user_id", "created_at"),
)

invoices = Table(
    "invoices",
    metadata,
    # A bill a brand sends a customer in their thread: paid with one key, once.
    Column("id", Integer, primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("reference", String(64), nullable=False),
    Column("lines", Text, nullable=False),  # JSON list of {label, amount}
    Column("total", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(8), nullable=False),  # open | paid | expired
    Column("expires_at", BigInteger, nullable=False),
    Column("transfer_id", Integer, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("brand_id", "reference", name="uq_invoices_brand_reference"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    # Where a brand wants its events POSTed, and the secret that signs them.
    Column("id", Integer, primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("kinds", String(80), nullable=False),  # space-separated WebhookKinds
    Column("secret", String(64), nullable=False),
    Column("previous_secret", String(64), nullable=True),  # still signs until previous_until
    Column("previous_until", BigInteger, nullable=True),
    Column("active", Integer, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("created_by", Integer, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("rotated_at", BigInteger, nullable=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # The outbox: one row per event per endpoint, written in the event's own transaction.
    Column("id", Integer, primary_key=True),
    Column("endpoint_id", Integer, ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("thread_id", Integer, nullable=True),  # deliveries of one thread go in order
    Column("body", LargeBinary, nullable=False),
    Column("status", String(10), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("give_up_at", BigInteger, nullable=False),
    Column("claimed_until", BigInteger, nullable=True),  # a dispatcher is delivering it
    Column("delivered_at", BigInteger, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("latency_ms", Integer, nullable=True),
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_order", "endpoint_id", "thread_id", "status", "id"),
)

api_optins = Table(
    "api_optins",
    metadata,
    # A person lets a brand reach them through the brand HTTP API (its own shop, its CRM).
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("brand_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)

watches = Table(
    "watches",
    metadata,
    # "Tell me when": back in stock, below a price, at its lowest in 30 days.
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False, index=True),
    Column("variant_id", Integer, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("below", BigInteger, nullable=True),
    Column("armed", Integer, nullable=False),  # 1: fires on the next change that meets it
    Column("created_at", BigInteger, nullable=False),
    Column("fired_at", BigInteger, nullable=True),
)

price_history = Table(
    "price_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_price_history_product", "product_id", "at"),
)
