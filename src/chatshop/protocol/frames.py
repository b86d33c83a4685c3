"""Every frame of the chatshop wire protocol, defined once for relay, clients and docs.

A frame is one JSON object in one websocket text message, tagged by its ``type`` field.

* Client -> relay: a **request** carries an ``id`` (int or string, chosen by the client) and
  gets exactly one reply with the same ``id``: ``result`` or ``error``.
* Relay -> client: ``result``, ``error``, and ``events``: a batch of pushed events, each with
  the per-user ``cursor`` that a reconnecting client hands back to resume without loss.

Each request class names the struct its result decodes into (``result_type``), and carries an
``example`` used by the generated documentation and checked by the tests.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import msgspec

from chatshop.protocol.alert_frames import ALERT_REQUEST_TYPES, ListWatches, Unwatch, WatchProduct
from chatshop.protocol.api_frames import API_REQUEST_TYPES, AllowApi, ListApiOptIns, RevokeApi
from chatshop.protocol.base import Count as Count
from chatshop.protocol.base import Event as Event
from chatshop.protocol.base import Ok as Ok
from chatshop.protocol.base import PageSize
from chatshop.protocol.base import Request as Request
from chatshop.protocol.bot_frames import (
    BOT_REQUEST_TYPES,
    CreateBotToken,
    ListBotTokens,
    RevokeBotToken,
    Scope,
)
from chatshop.protocol.brand_frames import (
    BRAND_REQUEST_TYPES,
    ConfirmReceipt,
    FollowBrand,
    GetPostStats,
    ListFollows,
    PayInvoice,
    PublishPost,
    ReportOrderProblem,
    SendCheckoutCard,
    SendInvoice,
    SendOffer,
    SetFollow,
    UnfollowBrand,
)
from chatshop.protocol.cards import QuickReply
from chatshop.protocol.limits import DEFAULT_HISTORY_PAGE, MAX_QUICK_REPLIES
from chatshop.protocol.models import AccountKind, Contact, Limits, Message, Thread, User
from chatshop.protocol.payment_frames import (
    PAYMENT_EVENT_TYPES,
    PAYMENT_REQUEST_TYPES,
    CardEvent,
    DeclineRequest,
    GetWallet,
    OpenLuckyMoney,
    Pay,
    PayRequest,
    RequestMoney,
    SendLuckyMoney,
    Split,
    TopUp,
    WalletEvent,
    WalletHistory,
)
from chatshop.protocol.shop_frames import (
    SHOP_EVENT_TYPES,
    SHOP_REQUEST_TYPES,
    AddToCart,
    AdvanceOrder,
    ArchiveProduct,
    CancelOrder,
    CartEvent,
    Checkout,
    CheckoutPreview,
    GetAddress,
    GetBrand,
    GetCart,
    GetCatalog,
    GetHandover,
    GetOrder,
    GetProduct,
    HandoverEvent,
    ImportCatalog,
    ListBrandThreads,
    ListCarts,
    ListOrders,
    ListPromos,
    OrderEvent,
    RefundOrder,
    ReleaseThread,
    RemoveCartLine,
    RequestPerson,
    SaveProduct,
    SavePromo,
    Scan,
    Search,
    SetAddress,
    SetCartPromo,
    ShareProduct,
    TakeThread,
    UpdateBrand,
    UpdateCartLine,
    UploadMedia,
)
from chatshop.protocol.webhook_frames import (
    WEBHOOK_REQUEST_TYPES,
    AddWebhook,
    ListDeliveries,
    ListWebhooks,
    RemoveWebhook,
    ReplayWebhook,
    RotateWebhookSecret,
)

# --------------------------------------------------------------------------- results


class HelloResult(msgspec.Struct, frozen=True, kw_only=True):
    """Who the relay is and which limits it enforces."""

    protocol: int
    server: str
    version: str
    limits: Limits


class AuthResult(msgspec.Struct, frozen=True, kw_only=True):
    """A logged-in session: the token to resume with, the account, and the event cursor.

    ``cursor`` is the position of this account's event stream when the session started; pass
    it (or any later cursor you received) as ``since`` in ``auth`` to resume without loss.
    """

    token: str
    user: User
    cursor: int
    scopes: list[Scope] | None = None


class ContactList(msgspec.Struct, frozen=True, kw_only=True):
    """Your friends, pending requests both ways, and the accounts you blocked."""

    contacts: list[Contact]


class ThreadList(msgspec.Struct, frozen=True, kw_only=True):
    """Your threads, most recent activity first."""

    threads: list[Thread]


class History(msgspec.Struct, frozen=True, kw_only=True):
    """A page of messages in ascending ``seq``; ``more`` tells whether older ones exist."""

    thread_id: int
    messages: list[Message]
    more: bool


class UserResult(msgspec.Struct, frozen=True, kw_only=True):
    """One account's public profile."""

    user: User


# --------------------------------------------------------------------------- requests


class Hello(Request[HelloResult], tag="hello"):
    """The first frame of every connection: states the protocol version the client speaks."""

    protocol: Count
    client: str = ""
    needs_auth = False
    example = {"type": "hello", "id": 1, "protocol": 1, "client": "chatshop-tui/0.1"}


class Register(Request[AuthResult], tag="register"):
    """Create an account and log in. Handles are unique regardless of case."""

    handle: str
    display_name: str
    password: str
    kind: AccountKind = "person"
    needs_auth = False
    example = {
        "type": "register",
        "id": 2,
        "handle": "sam",
        "display_name": "Sam Carter",
        "password": "correct horse",
    }


class Login(Request[AuthResult], tag="login"):
    """Log in with handle and password; the result holds a new session token."""

    handle: str
    password: str
    device: str = ""
    needs_auth = False
    example = {"type": "login", "id": 2, "handle": "sam", "password": "demo"}


class Auth(Request[AuthResult], tag="auth"):
    """Resume a session with its token; with ``since``, replay every event after that cursor."""

    token: str
    since: Count | None = None
    needs_auth = False
    example = {"type": "auth", "id": 2, "token": "q5Wc...", "since": 1042}


class Logout(Request[Ok], tag="logout"):
    """End this session: its token stops working."""

    example = {"type": "logout", "id": 9}


class LogoutAll(Request[Ok], tag="logout_all"):
    """End every session of this account, this one included; others are closed with 4001."""

    example = {"type": "logout_all", "id": 9}


class ChangePassword(Request[Ok], tag="change_password"):
    """Change the password; every other session of the account is revoked."""

    old_password: str
    new_password: str
    example = {
        "type": "change_password",
        "id": 9,
        "old_password": "demo",
        "new_password": "s3cret!",
    }


class Ping(Request[Ok], tag="ping"):
    """Do nothing; answers ``result`` with an empty object. Useful to measure round trips."""

    needs_auth = False
    example = {"type": "ping", "id": 3}


class GetUser(Request[UserResult], tag="user"):
    """Look an account up by handle."""

    handle: str
    example = {"type": "user", "id": 4, "handle": "alice"}


class Contacts(Request[ContactList], tag="contacts"):
    """List friends, pending requests and blocked accounts."""

    example = {"type": "contacts", "id": 4}


class FriendRequest(Request[Contact], tag="friend_request"):
    """Ask someone to be your friend (accepts at once if they already asked you)."""

    handle: str
    example = {"type": "friend_request", "id": 5, "handle": "alice"}


class FriendAccept(Request[Contact], tag="friend_accept"):
    """Accept a pending friend request from ``handle``."""

    handle: str
    example = {"type": "friend_accept", "id": 5, "handle": "bob"}


class FriendDecline(Request[Contact], tag="friend_decline"):
    """Decline a pending friend request from ``handle`` (or withdraw your own)."""

    handle: str
    example = {"type": "friend_decline", "id": 5, "handle": "bob"}


class FriendRemove(Request[Contact], tag="friend_remove"):
    """Stop being friends with ``handle``."""

    handle: str
    example = {"type": "friend_remove", "id": 5, "handle": "bob"}


class Block(Request[Contact], tag="block"):
    """Block ``handle``: they can no longer message you or add you to groups."""

    handle: str
    example = {"type": "block", "id": 5, "handle": "spammer"}


class Unblock(Request[Contact], tag="unblock"):
    """Lift a block you placed on ``handle``."""

    handle: str
    example = {"type": "unblock", "id": 5, "handle": "spammer"}


class ListThreads(Request[ThreadList], tag="threads"):
    """Your threads with last message and unread count, most recent activity first."""

    example = {"type": "threads", "id": 6}


class GetThread(Request[Thread], tag="thread"):
    """One thread you are a member of."""

    thread_id: Count
    example = {"type": "thread", "id": 6, "thread_id": 3}


class OpenDirect(Request[Thread], tag="dm_open"):
    """Open the direct thread with ``handle`` (a brand thread if they are a brand).

    Opening it again returns the same thread.
    """

    handle: str
    example = {"type": "dm_open", "id": 7, "handle": "alice"}


class CreateGroup(Request[Thread], tag="group_create"):
    """Create a group you own, with the given members (by handle)."""

    name: str
    handles: list[str] = []
    example = {"type": "group_create", "id": 8, "name": "Pizza Friday", "handles": ["alice", "bob"]}


class AddMember(Request[Thread], tag="group_add"):
    """Add ``handle`` to a group you own."""

    thread_id: Count
    handle: str
    example = {"type": "group_add", "id": 8, "thread_id": 3, "handle": "carol"}


class RemoveMember(Request[Thread], tag="group_remove"):
    """Remove ``handle`` from a group you own."""

    thread_id: Count
    handle: str
    example = {"type": "group_remove", "id": 8, "thread_id": 3, "handle": "carol"}


class RenameGroup(Request[Thread], tag="group_rename"):
    """Rename a group you own."""

    thread_id: Count
    name: str
    example = {"type": "group_rename", "id": 8, "thread_id": 3, "name": "Pizza Saturday"}


class LeaveGroup(Request[Ok], tag="group_leave"):
    """Leave a group. When the owner leaves, the longest-standing member becomes owner."""

    thread_id: Count
    example = {"type": "group_leave", "id": 8, "thread_id": 3}


class Send(Request[Message], tag="send"):
    """Post a message. ``key`` is the client's idempotency key: a retry with the same key and
    body returns the original message; the same key with another body is refused."""

    thread_id: Count
    text: str
    key: str
    reply_to: Count | None = None
    pick: Annotated[int, msgspec.Meta(ge=0, le=MAX_QUICK_REPLIES - 1)] | None = None
    replies: Annotated[list[QuickReply], msgspec.Meta(max_length=MAX_QUICK_REPLIES)] | None = None
    example = {
        "type": "send",
        "id": 10,
        "thread_id": 3,
        "text": "Who's in for pizza?",
        "key": "c0a8-0001",
    }


class Edit(Request[Message], tag="edit"):
    """Replace the text of your own message; members get ``message_edited``."""

    message_id: Count
    text: str
    example = {"type": "edit", "id": 11, "message_id": 120, "text": "Who's in for pizza tonight?"}


class Delete(Request[Message], tag="delete"):
    """Delete your own message; members get ``message_deleted`` and a placeholder stays."""

    message_id: Count
    example = {"type": "delete", "id": 12, "message_id": 120}


class Typing(Request[Ok], tag="typing"):
    """Tell the other members you are typing. Not stored, not replayed."""

    thread_id: Count
    example = {"type": "typing", "id": 13, "thread_id": 3}


class MarkRead(Request[Ok], tag="read"):
    """Move your read marker in a thread forward to ``seq`` (it never moves back)."""

    thread_id: Count
    seq: Count
    example = {"type": "read", "id": 14, "thread_id": 3, "seq": 57}


class GetHistory(Request[History], tag="history"):
    """A page of messages older than ``before`` (a seq), newest page when ``before`` is null."""

    thread_id: Count
    before: Count | None = None
    limit: PageSize = DEFAULT_HISTORY_PAGE
    example = {"type": "history", "id": 15, "thread_id": 3, "before": 51, "limit": 50}


REQUEST_TYPES: tuple[type[Request[Any]], ...] = (
    Hello,
    Register,
    Login,
    Auth,
    Logout,
    LogoutAll,
    ChangePassword,
    Ping,
    GetUser,
    Contacts,
    FriendRequest,
    FriendAccept,
    FriendDecline,
    FriendRemove,
    Block,
    Unblock,
    ListThreads,
    GetThread,
    OpenDirect,
    CreateGroup,
    AddMember,
    RemoveMember,
    RenameGroup,
    LeaveGroup,
    Send,
    Edit,
    Delete,
    Typing,
    MarkRead,
    GetHistory,
    *PAYMENT_REQUEST_TYPES,
    *SHOP_REQUEST_TYPES,
    *BRAND_REQUEST_TYPES,
    *BOT_REQUEST_TYPES,
    *WEBHOOK_REQUEST_TYPES,
    *ALERT_REQUEST_TYPES,
    *API_REQUEST_TYPES,
)

AnyRequest = (
    Hello
    | Register
    | Login
    | Auth
    | Logout
    | LogoutAll
    | ChangePassword
    | Ping
    | GetUser
    | Contacts
    | FriendRequest
    | FriendAccept
    | FriendDecline
    | FriendRemove
    | Block
    | Unblock
    | ListThreads
    | GetThread
    | OpenDirect
    | CreateGroup
    | AddMember
    | RemoveMember
    | RenameGroup
    | LeaveGroup
    | Send
    | Edit
    | Delete
    | Typing
    | MarkRead
    | GetHistory
    | GetWallet
    | WalletHistory
    | TopUp
    | Pay
    | RequestMoney
    | PayRequest
    | DeclineRequest
    | Split
    | SendLuckyMoney
    | OpenLuckyMoney
    | GetBrand
    | UpdateBrand
    | GetCatalog
    | GetProduct
    | Search
    | Scan
    | SaveProduct
    | ArchiveProduct
    | ImportCatalog
    | UploadMedia
    | ShareProduct
    | GetCart
    | ListCarts
    | AddToCart
    | UpdateCartLine
    | RemoveCartLine
    | SetCartPromo
    | GetAddress
    | SetAddress
    | CheckoutPreview
    | Checkout
    | ListOrders
    | GetOrder
    | AdvanceOrder
    | CancelOrder
    | RefundOrder
    | SavePromo
    | ListPromos
    | ListBrandThreads
    | GetHandover
    | RequestPerson
    | TakeThread
    | ReleaseThread
    | FollowBrand
    | UnfollowBrand
    | SetFollow
    | ListFollows
    | PublishPost
    | GetPostStats
    | SendInvoice
    | PayInvoice
    | SendCheckoutCard
    | SendOffer
    | ReportOrderProblem
    | ConfirmReceipt
    | CreateBotToken
    | ListBotTokens
    | RevokeBotToken
    | AddWebhook
    | ListWebhooks
    | RemoveWebhook
    | RotateWebhookSecret
    | ListDeliveries
    | ReplayWebhook
    | WatchProduct
    | ListWatches
    | Unwatch
    | AllowApi
    | RevokeApi
    | ListApiOptIns
)

# --------------------------------------------------------------------------- replies


class Result(msgspec.Struct, tag_field="type", tag="result", kw_only=True):
    """The successful reply to request ``id``; ``data`` is the request's result struct."""

    id: int | str
    data: Any
    example: ClassVar[dict[str, Any]] = {
        "type": "result",
        "id": 10,
        "data": {
            "id": 120,
            "thread_id": 3,
            "seq": 51,
            "sender_id": 1,
            "text": "Who's in for pizza?",
            "created_at": 1795900000000,
        },
    }


class Error(msgspec.Struct, tag_field="type", tag="error", kw_only=True):
    """The failed reply to request ``id`` (null when the id could not be read).

    ``code`` is stable and machine-readable; ``message`` is for people.
    """

    id: int | str | None
    code: str
    message: str
    retry_after: float | None = None
    example: ClassVar[dict[str, Any]] = {
        "type": "error",
        "id": 10,
        "code": "forbidden",
        "message": "only the author may change a message",
    }


# --------------------------------------------------------------------------- events


class MessageEvent(Event, tag="message"):
    """A new message in one of your threads (your own included, for your other sessions)."""

    thread_id: int
    message: Message
    example = {
        "type": "message",
        "cursor": 1043,
        "thread_id": 3,
        "message": {
            "id": 121,
            "thread_id": 3,
            "seq": 52,
            "sender_id": 2,
            "text": "Me!",
            "created_at": 1795900004000,
            "reply_to": 120,
        },
    }


class MessageEdited(Event, tag="message_edited"):
    """A message was edited; ``message`` holds the new text and ``edited_at``."""

    thread_id: int
    message: Message
    example = {
        "type": "message_edited",
        "cursor": 1044,
        "thread_id": 3,
        "message": {
            "id": 121,
            "thread_id": 3,
            "seq": 52,
            "sender_id": 2,
            "text": "Me! Pepperoni please",
            "created_at": 1795900004000,
            "edited_at": 1795900009000,
        },
    }


class MessageDeleted(Event, tag="message_deleted"):
    """A message was deleted; its text is gone and ``deleted`` is true."""

    thread_id: int
    message: Message
    example = {
        "type": "message_deleted",
        "cursor": 1045,
        "thread_id": 3,
        "message": {
            "id": 121,
            "thread_id": 3,
            "seq": 52,
            "sender_id": 2,
            "text": "",
            "created_at": 1795900004000,
            "deleted": True,
        },
    }


class TypingEvent(Event, tag="typing"):
    """Someone is typing in a thread. Ephemeral: no cursor, never stored or replayed."""

    thread_id: int
    user_id: int
    example = {"type": "typing", "thread_id": 3, "user_id": 2}


class ReadEvent(Event, tag="read"):
    """A member's read marker moved to ``seq``."""

    thread_id: int
    user_id: int
    seq: int
    example = {"type": "read", "cursor": 1046, "thread_id": 3, "user_id": 2, "seq": 52}


class ThreadEvent(Event, tag="thread"):
    """A thread you belong to was created, renamed or changed membership; ``thread`` is its
    new state (``unread`` and ``read_seq`` are left at zero: they are per member)."""

    thread: Thread
    example = {
        "type": "thread",
        "cursor": 1047,
        "thread": {
            "id": 3,
            "kind": "group",
            "name": "Pizza Saturday",
            "owner_id": 1,
            "members": [{"id": 1, "handle": "sam", "display_name": "Sam Carter", "kind": "person"}],
            "last_seq": 52,
            "last_activity": 1795900009000,
        },
    }


class MemberEvent(Event, tag="member"):
    """``user`` joined or left a thread; ``by`` is who did it (equal to the user for leaving).

    When you are the one removed, this is the last event you receive for that thread.
    """

    thread_id: int
    user: User
    change: Literal["added", "removed", "left"]
    by: int
    example = {
        "type": "member",
        "cursor": 1048,
        "thread_id": 3,
        "user": {"id": 4, "handle": "carol", "display_name": "Carol", "kind": "person"},
        "change": "added",
        "by": 1,
    }


class ContactEvent(Event, tag="contact"):
    """Your relation with someone changed: a friend request arrived, was accepted, etc."""

    contact: Contact
    example = {
        "type": "contact",
        "cursor": 1049,
        "contact": {
            "user": {"id": 2, "handle": "alice", "display_name": "Alice", "kind": "person"},
            "status": "incoming",
        },
    }


EVENT_TYPES: tuple[type[Event], ...] = (
    MessageEvent,
    MessageEdited,
    MessageDeleted,
    TypingEvent,
    ReadEvent,
    ThreadEvent,
    MemberEvent,
    ContactEvent,
    *PAYMENT_EVENT_TYPES,
    *SHOP_EVENT_TYPES,
)

AnyEvent = (
    MessageEvent
    | MessageEdited
    | MessageDeleted
    | TypingEvent
    | ReadEvent
    | ThreadEvent
    | MemberEvent
    | ContactEvent
    | CardEvent
    | WalletEvent
    | OrderEvent
    | HandoverEvent
    | CartEvent
)


class Events(msgspec.Struct, tag_field="type", tag="events", kw_only=True):
    """A batch of pushed events in cursor order. The relay joins everything produced for a
    connection in one event-loop turn into one frame, so a busy group costs one websocket
    message per member per turn, not one per event."""

    events: list[AnyEvent]
    example: ClassVar[dict[str, Any]] = {
        "type": "events",
        "events": [
            {"type": "typing", "thread_id": 3, "user_id": 2},
            MessageEvent.example,
        ],
    }


ServerFrame = Result | Error | Events
