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
