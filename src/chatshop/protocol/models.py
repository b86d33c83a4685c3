"""Domain records that travel inside frames: users, contacts, threads, messages.

They are plain msgspec structs: the relay builds them from storage rows, clients decode them
from results and events. Timestamps are integer milliseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from chatshop.protocol import limits
from chatshop.protocol.cards import Card

AccountKind = Literal["person", "brand"]
ThreadKind = Literal["direct", "group", "brand"]
ContactStatus = Literal["friend", "outgoing", "incoming", "blocked", "none"]


class User(msgspec.Struct, frozen=True, kw_only=True):
    """A public profile: what others may know about an account.

    ``verified`` marks a brand the relay's admin verified. ``lookalike`` marks an account
    whose display name looks like a verified brand's without being it: show it as a warning
    ("not the verified Northwind Outfitters"), never as the brand.
    """

    id: int
    handle: str
    display_name: str
    kind: AccountKind = "person"
    verified: bool = False
    lookalike: bool = False


class Contact(msgspec.Struct, frozen=True, kw_only=True):
    """Another account as seen from yours: friend, pending request either way, or blocked."""

    user: User
    status: ContactStatus


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """A message in a thread. ``seq`` increases by one per message within its thread."""

    id: int
    thread_id: int
    seq: int
    sender_id: int
    text: str
    created_at: int
    reply_to: int | None = None
    edited_at: int | None = None
    deleted: bool = False
    card: Card | None = None


class Thread(msgspec.Struct, frozen=True, kw_only=True):
    """A thread as one member sees it: members, last message, unread count, read marker."""

    id: int
    kind: ThreadKind
    name: str
    owner_id: int | None
    members: list[User]
    last_seq: int
    last_activity: int
    last_message: Message | None = None
    unread: int = 0
    read_seq: int = 0


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """Every limit the relay enforces, announced in the hello result so clients can check
    early. Fields after ``rate_burst`` came in later relays: a client should not rely on them
    being present from an older relay (the defaults are this version's)."""

    max_frame_bytes: int
    max_text_chars: int
    max_name_chars: int
    max_group_members: int
    max_history_page: int
    rate_per_second: float
    rate_burst: int
    min_handle_chars: int = limits.MIN_HANDLE_CHARS
    max_handle_chars: int = limits.MAX_HANDLE_CHARS
    min_password_chars: int = limits.MIN_PASSWORD_CHARS
    max_password_chars: int = limits.MAX_PASSWORD_CHARS
    max_key_chars: int = limits.MAX_KEY_CHARS
    max_nesting: int = limits.MAX_NESTING
    max_media_bytes: int = limits.MAX_MEDIA_BYTES
    max_cart_lines: int = limits.MAX_CART_LINES
    max_line_quantity: int = limits.MAX_LINE_QUANTITY
    max_quick_replies: int = limits.MAX_QUICK_REPLIES
    hello_timeout: float = limits.HELLO_TIMEOUT
    auth_timeout: float = limits.AUTH_TIMEOUT
    max_connections_per_address: int = limits.MAX_CONNECTIONS_PER_ADDRESS
    top_ups: bool = False
    max_top_up: int = 0
    daily_top_up: int = 0
