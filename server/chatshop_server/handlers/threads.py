"""Thread list, direct threads and group management."""

from __future__ import annotations

from chatshop.protocol import limits
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import (
    AddMember,
    CreateGroup,
    GetThread,
    LeaveGroup,
    ListThreads,
    Ok,
    OpenDirect,
    RemoveMember,
    RenameGroup,
    ThreadList,
)
from chatshop.protocol.handles import bare
from chatshop.protocol.models import Thread
from chatshop.protocol.text import check_text
from chatshop_server.handlers.base import OK, PeerLike, handles, me


def _group_name(name: str) -> str:
    return check_text(name, field="name", max_chars=limits.MAX_NAME_CHARS)


@handles(ListThreads)
async def list_threads(peer: PeerLike, request: ListThreads) -> ThreadList:
    return ThreadList(threads=await peer.ctx.stores.threads.list(me(peer)))


@handles(GetThread)
async def get_thread(peer: PeerLike, request: GetThread) -> Thread:
    return await peer.ctx.stores.threads.get(me(peer), request.thread_id)


@handles(OpenDirect)
async def open_direct(peer: PeerLike, request: OpenDirect) -> Thread:
    return await peer.ctx.stores.threads.open_direct(me(peer), bare(request.handle))


@handles(CreateGroup)
async def create_group(peer: PeerLike, request: CreateGroup) -> Thread:
    if len(request.handles) >= limits.MAX_GROUP_MEMBERS:
        raise ProtocolError(
            ErrorCode.TOO_LARGE, f"a group holds at most {limits.MAX_GROUP_MEMBERS} members"
        )
    handles = [bare(h) for h in request.handles]
    return await peer.ctx.stores.threads.create_group(me(peer), _group_name(request.name), handles)


@handles(AddMember)
async def add_member(peer: PeerLike, request: AddMember) -> Thread:
    return await peer.ctx.stores.threads.change_member(
        me(peer), request.thread_id, bare(request.handle), "add"
    )


@handles(RemoveMember)
async def remove_member(peer: PeerLike, request: RemoveMember) -> Thread:
    return await peer.ctx.stores.threads.change_member(
        me(peer), request.thread_id, bare(request.handle), "remove"
    )


@handles(RenameGroup)
async def rename_group(peer: PeerLike, request: RenameGroup) -> Thread:
    return await peer.ctx.stores.threads.rename_group(
        me(peer), request.thread_id, _group_name(request.name)
    )


@handles(LeaveGroup)
async def leave_group(peer: PeerLike, request: LeaveGroup) -> Ok:
    await peer.ctx.stores.threads.leave_group(me(peer), request.thread_id)
    return OK
