"""The requests the UI makes, as jobs for the link, and the messages their results become.

Each function returns a job: ``async (client) -> message``. The link runs it and posts the
message into the app; a failure becomes :class:`~chatshop.tui.link.CommandFailed`.
"""

from __future__ import annotations

import contextlib

from chatshop.client import ChatClient, ClientError
from chatshop.protocol.frames import History
from chatshop.protocol.models import Contact, Message, Thread
from chatshop.tui.link import Job, LinkMessage

# --------------------------------------------------------------------------- results


class ThreadsLoaded(LinkMessage):
    """The full thread list."""

    def __init__(self, threads: list[Thread]) -> None:
        super().__init__()
        self.threads = threads


class HistoryLoaded(LinkMessage):
    """A page of ``thread_id``: ``mode`` is "latest", "older" or "newer"."""

    def __init__(self, history: History, mode: str) -> None:
        super().__init__()
        self.history = history
        self.mode = mode


class MessageSent(LinkMessage):
    """Pending message ``key`` was stored as ``message``."""

    def __init__(self, key: str, message: Message) -> None:
        super().__init__()
        self.key = key
        self.message = message


class SendFailed(LinkMessage):
    """Pending message ``key`` in ``thread_id`` could not be sent."""

    def __init__(self, thread_id: int, key: str, reason: str) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.key = key
        self.reason = reason


class MessageChanged(LinkMessage):
    """An edit or delete went through; ``message`` is the new state."""

    def __init__(self, message: Message) -> None:
        super().__init__()
        self.message = message


class ThreadOpened(LinkMessage):
    """A thread to show now (a new DM or group)."""

    def __init__(self, thread: Thread) -> None:
        super().__init__()
        self.thread = thread


class ThreadUpdated(LinkMessage):
    """A thread's new state after a rename or a membership change."""

    def __init__(self, thread: Thread) -> None:
        super().__init__()
        self.thread = thread


class ThreadLeft(LinkMessage):
    """You left ``thread_id``."""

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id


class Info(LinkMessage):
    """A one-line confirmation to show (written by us, values already cleaned)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class LoggedOut(LinkMessage):
    """The session was ended on the relay."""


# --------------------------------------------------------------------------- jobs


def load_threads() -> Job:
    async def job(client: ChatClient) -> ThreadsLoaded:
        return ThreadsLoaded(await client.threads())

    return job


def load_history(thread_id: int, before: int | None, limit: int, mode: str) -> Job:
    async def job(client: ChatClient) -> HistoryLoaded:
        return HistoryLoaded(await client.history(thread_id, before=before, limit=limit), mode)

    return job


def send(thread_id: int, text: str, key: str, reply_to: int | None) -> Job:
    async def job(client: ChatClient) -> LinkMessage:
        try:
            message = await client.send(thread_id, text, reply_to=reply_to, key=key)
        except ClientError as exc:
            from chatshop.tui.link import describe_error

            return SendFailed(thread_id, key, describe_error(exc)[0])
        return MessageSent(key, message)

    return job


def edit(message_id: int, text: str) -> Job:
    async def job(client: ChatClient) -> MessageChanged:
        return MessageChanged(await client.edit(message_id, text))

    return job


def delete(message_id: int) -> Job:
    async def job(client: ChatClient) -> MessageChanged:
        return MessageChanged(await client.delete(message_id))

    return job


def typing(thread_id: int) -> Job:
    async def job(client: ChatClient) -> None:
        with contextlib.suppress(ClientError):
            await client.typing(thread_id)

    return job


def mark_read(thread_id: int, seq: int) -> Job:
    async def job(client: ChatClient) -> None:
        with contextlib.suppress(ClientError):
            await client.mark_read(thread_id, seq)

    return job


def open_direct(handle: str) -> Job:
    async def job(client: ChatClient) -> ThreadOpened:
        return ThreadOpened(await client.open_direct(handle))

    return job


def create_group(name: str, handles: list[str]) -> Job:
    async def job(client: ChatClient) -> ThreadOpened:
        return ThreadOpened(await client.create_group(name, handles))

    return job


def add_member(thread_id: int, handle: str) -> Job:
    async def job(client: ChatClient) -> ThreadUpdated:
        return ThreadUpdated(await client.add_member(thread_id, handle))

    return job


def remove_member(thread_id: int, handle: str) -> Job:
    async def job(client: ChatClient) -> ThreadUpdated:
        return ThreadUpdated(await client.remove_member(thread_id, handle))

    return job


def rename_group(thread_id: int, name: str) -> Job:
    async def job(client: ChatClient) -> ThreadUpdated:
        return ThreadUpdated(await client.rename_group(thread_id, name))

    return job


def leave_group(thread_id: int) -> Job:
    async def job(client: ChatClient) -> ThreadLeft:
        await client.leave_group(thread_id)
        return ThreadLeft(thread_id)

    return job


_FRIEND_DONE = {
    "add": "Friend request sent to @{}",
    "accept": "You and @{} are now friends",
    "decline": "Declined @{}",
    "remove": "Removed @{} from your friends",
    "block": "Blocked @{}",
    "unblock": "Unblocked @{}",
}


def friend(verb: str, handle: str) -> Job:
    async def job(client: ChatClient) -> Info:
        calls = {
            "add": client.friend_request,
            "accept": client.friend_accept,
            "decline": client.friend_decline,
            "remove": client.friend_remove,
            "block": client.block,
            "unblock": client.unblock,
        }
        contact: Contact = await calls[verb](handle)
        text = _FRIEND_DONE[verb].format(contact.user.handle)
        if verb == "add" and contact.status == "friend":
            text = f"You and @{contact.user.handle} are now friends"
        return Info(text)

    return job


def logout() -> Job:
    async def job(client: ChatClient) -> LoggedOut:
        with contextlib.suppress(ClientError):
            await client.logout()
        return LoggedOut()

    return job
