"""Friends and blocks."""

from __future__ import annotations

from chatshop.protocol.frames import (
    Block,
    ContactList,
    Contacts,
    FriendAccept,
    FriendDecline,
    FriendRemove,
    FriendRequest,
    Unblock,
)
from chatshop.protocol.handles import bare
from chatshop.protocol.models import Contact
from chatshop_server.handlers.base import PeerLike, handles, me
from chatshop_server.storage.specs import ContactAction

_ACTIONS: dict[type, ContactAction] = {
    FriendRequest: "request",
    FriendAccept: "accept",
    FriendDecline: "decline",
    FriendRemove: "remove",
    Block: "block",
    Unblock: "unblock",
}


@handles(Contacts)
async def contacts(peer: PeerLike, request: Contacts) -> ContactList:
    return ContactList(contacts=await peer.ctx.stores.contacts.contacts(me(peer)))


async def change_contact(
    peer: PeerLike,
    request: FriendRequest | FriendAccept | FriendDecline | FriendRemove | Block | Unblock,
) -> Contact:
    return await peer.ctx.stores.contacts.change(
        me(peer), bare(request.handle), _ACTIONS[type(request)]
    )


handles(FriendRequest)(change_contact)
handles(FriendAccept)(change_contact)
handles(FriendDecline)(change_contact)
handles(FriendRemove)(change_contact)
handles(Block)(change_contact)
handles(Unblock)(change_contact)
