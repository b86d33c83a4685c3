"""The requests the UI makes, as jobs for the link, and the messages their results become.

Each function returns a job: ``async (client) -> message``. The link runs it and posts the
message into the app; a failure becomes :class:`~chatshop.tui.link.CommandFailed`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from chatshop.client import ChatClient, ClientError
from chatshop.protocol.frames import History
from chatshop.protocol.models import Contact, Message, Thread
from chatshop.protocol.payment_frames import (
    CardResult,
    ClaimResult,
    PaymentResult,
    ShareSpec,
    TransferPage,
    WalletResult,
)
from chatshop.tui.link import Job, LinkMessage, describe_error

MoneyResult = PaymentResult | CardResult | ClaimResult

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


class WalletLoaded(LinkMessage):
    """Balances, default currency and limit."""

    def __init__(self, wallet: WalletResult) -> None:
        super().__init__()
        self.wallet = wallet


class TransfersLoaded(LinkMessage):
    """A page of wallet history: the newest page when ``first``, else an older one."""

    def __init__(self, page: TransferPage, *, first: bool) -> None:
        super().__init__()
        self.page = page
        self.first = first


class MoneyDone(LinkMessage):
    """Money action ``verb`` with idempotency key ``key`` went through: ``result`` says how
    (its ``replayed`` is true when the relay answered a repeat of the key: already done)."""

    def __init__(self, verb: str, key: str, result: MoneyResult) -> None:
        super().__init__()
        self.verb = verb
        self.key = key
        self.result = result


class MoneyFailed(LinkMessage):
    """Money action ``verb`` with key ``key`` failed; ``reason`` is cleaned, ``code`` the
    relay's error code (or the client's: timeout, connection_lost)."""

    def __init__(self, verb: str, key: str, reason: str, code: str) -> None:
        super().__init__()
        self.verb = verb
        self.key = key
        self.reason = reason
        self.code = code


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


# --------------------------------------------------------------------------- money


def load_wallet() -> Job:
    async def job(client: ChatClient) -> WalletLoaded:
        return WalletLoaded(await client.wallet())

    return job


def wallet_history(before: int | None, limit: int) -> Job:
    async def job(client: ChatClient) -> TransfersLoaded:
        page = await client.wallet_history(before=before, limit=limit)
        return TransfersLoaded(page, first=before is None)

    return job


def money(verb: str, key: str, call: Callable[[ChatClient], Awaitable[MoneyResult]]) -> Job:
    """A money action: its result or failure comes back tagged with ``key``."""

    async def job(client: ChatClient) -> LinkMessage:
        try:
            result = await call(client)
        except ClientError as exc:
            reason, code = describe_error(exc)
            return MoneyFailed(verb, key, reason, code)
        return MoneyDone(verb, key, result)

    return job


def pay(thread_id: int, handle: str, amount: int, currency: str, note: str, key: str) -> Job:
    return money(
        "pay",
        key,
        lambda client: client.pay(thread_id, handle, amount, currency, note=note, key=key),
    )


def pay_request(request_id: int, key: str) -> Job:
    return money("pay_request", key, lambda client: client.pay_request(request_id, key=key))


def decline_request(request_id: int, key: str) -> Job:
    return money("decline", key, lambda client: client.decline_request(request_id))


def request_money(
    thread_id: int, handle: str, amount: int, currency: str, note: str, key: str
) -> Job:
    return money(
        "request",
        key,
        lambda client: client.request_money(
            thread_id, handle, amount, currency, note=note, key=key
        ),
    )


def split(
    thread_id: int,
    total: int,
    currency: str,
    note: str,
    shares: list[ShareSpec] | None,
    include_self: bool,
    key: str,
) -> Job:
    return money(
        "split",
        key,
        lambda client: client.split(
            thread_id,
            total,
            currency,
            note=note,
            shares=shares,
            include_self=include_self,
            key=key,
        ),
    )


def lucky_send(thread_id: int, total: int, currency: str, count: int, note: str, key: str) -> Job:
    return money(
        "lucky_send",
        key,
        lambda client: client.lucky_send(thread_id, total, currency, count, note=note, key=key),
    )


def lucky_open(packet_id: int, key: str) -> Job:
    return money("lucky_open", key, lambda client: client.lucky_open(packet_id))


def topup(amount: int, currency: str, key: str) -> Job:
    return money("topup", key, lambda client: client.topup(amount, currency, key=key))
