"""What a bot token's scopes let it do: which requests it may send, which events it gets.

Every request type is classified here, once: the scope a bot needs for it, ``ANY_BOT`` (every
bot may), or absent from ``BOT_REQUESTS`` (no bot may: money out of the brand's wallet,
account management, a person's own social and shopping life). A test checks that every
request type is classified, so a new request cannot reach bots by accident. People's
sessions are not bound by scopes.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from chatshop.protocol import (
    alert_frames,
    api_frames,
    bot_frames,
    brand_frames,
    frames,
    payment_frames,
    shop_frames,
    webhook_frames,
)
from chatshop.protocol.base import Request
from chatshop.protocol.bot_frames import Scope

AnyBot = Literal["any"]
ANY_BOT: Final[AnyBot] = "any"

#: The scope a bot session needs for each request it may send.
BOT_REQUESTS: dict[type[Request[Any]], Scope | AnyBot] = {
    frames.Hello: ANY_BOT,
    frames.Auth: ANY_BOT,
    frames.Ping: ANY_BOT,
    frames.Logout: ANY_BOT,
    frames.GetUser: "read",
    frames.ListThreads: "read",
    frames.GetThread: "read",
    frames.GetHistory: "read",
    frames.Send: "answer",
    frames.Edit: "answer",
    frames.Delete: "answer",
    frames.Typing: "answer",
    frames.MarkRead: "answer",
    shop_frames.GetBrand: "read",
    shop_frames.GetCatalog: "read",
    shop_frames.GetProduct: "read",
    shop_frames.Search: "read",
    shop_frames.Scan: "read",
    shop_frames.ListBrandThreads: "read",
    shop_frames.GetHandover: "read",
    shop_frames.ShareProduct: "answer",
    shop_frames.RequestPerson: "answer",
    brand_frames.SendCheckoutCard: "answer",
    brand_frames.SendOffer: "answer",
    shop_frames.ListOrders: "orders",
    shop_frames.GetOrder: "orders",
    shop_frames.AdvanceOrder: "orders",
    shop_frames.RefundOrder: "orders",
    shop_frames.UpdateBrand: "catalog",
    shop_frames.SaveProduct: "catalog",
    shop_frames.ArchiveProduct: "catalog",
    shop_frames.ImportCatalog: "catalog",
    shop_frames.UploadMedia: "catalog",
    shop_frames.SavePromo: "catalog",
    shop_frames.ListPromos: "catalog",
    brand_frames.PublishPost: "posts",
    brand_frames.GetPostStats: "posts",
    brand_frames.SendInvoice: "invoices",
    **{kind: "webhooks" for kind in webhook_frames.WEBHOOK_REQUEST_TYPES},
}

#: Requests no bot may send, whatever its scopes (listed so that every type is decided).
PEOPLE_ONLY: frozenset[type[Request[Any]]] = frozenset(
    {
        frames.Register,
        frames.Login,
        frames.LogoutAll,
        frames.ChangePassword,
        frames.Contacts,
        frames.FriendRequest,
        frames.FriendAccept,
        frames.FriendDecline,
        frames.FriendRemove,
        frames.Block,
        frames.Unblock,
        frames.OpenDirect,
        frames.CreateGroup,
        frames.AddMember,
        frames.RemoveMember,
        frames.RenameGroup,
        frames.LeaveGroup,
        *payment_frames.PAYMENT_REQUEST_TYPES,
        shop_frames.GetCart,
        shop_frames.ListCarts,
        shop_frames.AddToCart,
        shop_frames.UpdateCartLine,
        shop_frames.RemoveCartLine,
        shop_frames.SetCartPromo,
        shop_frames.GetAddress,
        shop_frames.SetAddress,
        shop_frames.CheckoutPreview,
        shop_frames.Checkout,
        shop_frames.CancelOrder,
        shop_frames.TakeThread,
        shop_frames.ReleaseThread,
        brand_frames.FollowBrand,
        brand_frames.UnfollowBrand,
        brand_frames.SetFollow,
        brand_frames.ListFollows,
        brand_frames.PayInvoice,
        brand_frames.ReportOrderProblem,
        brand_frames.ConfirmReceipt,
        *bot_frames.BOT_REQUEST_TYPES,
        *alert_frames.ALERT_REQUEST_TYPES,  # a person's own watches
        *api_frames.API_REQUEST_TYPES,  # consent is a person's own
    }
)

#: The scope a bot session needs to be sent each kind of event (by its ``type``); kinds
#: not listed (contacts, wallets, carts) never reach a bot.
BOT_EVENTS: dict[str, Scope] = {
    "message": "read",
    "message_edited": "read",
    "message_deleted": "read",
    "typing": "read",
    "read": "read",
    "thread": "read",
    "member": "read",
    "card": "read",
    "handover": "read",
    "order": "orders",
}


def refusal(request_type: type[Request[Any]], scopes: frozenset[Scope]) -> str | None:
    """Why a bot holding ``scopes`` may not send ``request_type``, or None if it may."""
    tag = request_type.__struct_config__.tag
    needed = BOT_REQUESTS.get(request_type)
    if needed is None:
        return f"bots may not send {tag}"
    if needed == ANY_BOT or needed in scopes:
        return None
    return f"this bot token lacks the {needed} scope needed for {tag}"


def event_kinds(scopes: frozenset[Scope]) -> frozenset[bytes]:
    """The event ``type`` values (as bytes, to match encoded events) a bot gets."""
    return frozenset(kind.encode() for kind, scope in BOT_EVENTS.items() if scope in scopes)


_TYPE_KEY = b'"type":"'


def event_kind(body: bytes) -> bytes:
    """The ``type`` of one encoded event (``b"message"``), read without decoding it."""
    start = body.find(_TYPE_KEY)
    if start < 0:
        return b""
    start += len(_TYPE_KEY)
    return body[start : body.find(b'"', start)]
