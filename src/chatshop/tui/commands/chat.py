"""Chat commands and the verbs on messages: direct messages, groups, friends, replies,
edits, deletes, search, and what to do with a message the relay refused."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from chatshop import safetext
from chatshop.client import ChatClient
from chatshop.protocol.cards import QuickRepliesCard, QuickReply
from chatshop.protocol.limits import MAX_TEXT_CHARS
from chatshop.protocol.models import Contact, Message, Thread
from chatshop.tui import search
from chatshop.tui.commands.context import Context
from chatshop.tui.commands.registry import (
    GROUPS,
    THREADS,
    Args,
    Command,
    Offer,
    Shape,
    Verb,
    action_command,
)
from chatshop.tui.failure import Failure
from chatshop.tui.window import Pending

# --------------------------------------------------------------------------- sending


def too_long(text: str) -> str | None:
    """The hint when ``text`` is over the relay's limit (refused before sending)."""
    if len(text) <= MAX_TEXT_CHARS:
        return None
    return f"Too long to send: {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}."


def send_message(
    ctx: Context, text: str, *, reply_to: int | None = None, pick: int | None = None
) -> bool:
    """Show ``text`` pending in the open thread and send it; False when it cannot go
    (``pick``: it answers quick reply ``pick`` of message ``reply_to``)."""
    thread = ctx.thread
    if thread is None:
        ctx.hint("Open a conversation first (ctrl+k), or /dm @handle.", error=True)
        return False
    problem = too_long(text)
    if problem is not None:
        ctx.hint(problem, error=True)
        return False
    window = ctx.session.threads.window(thread.id) or ctx.session.threads.new_window(thread.id)
    pending = Pending(
        key=uuid.uuid4().hex,
        thread_id=thread.id,
        text=text,
        created_at=int(time.time() * 1000),
        reply_to=reply_to,
        pick=pick,
    )
    window.add_pending(pending)
    ctx.feed.pending.publish(thread.id)
    _deliver(ctx, pending)
    return True


def _deliver(ctx: Context, pending: Pending) -> None:
    threads = ctx.session.threads

    def stored(message: Message) -> None:
        window = threads.window(pending.thread_id)
        if window is not None:
            window.resolve_pending(pending.key, message)
        ctx.feed.stored(message)
        ctx.feed.pending.publish(pending.thread_id)

    def failed(failure: Failure) -> None:
        window = threads.window(pending.thread_id)
        if window is not None:
            window.fail_pending(pending.key, failure.text)
        ctx.feed.pending.publish(pending.thread_id)

    ctx.call(
        lambda c: c.send(
            pending.thread_id,
            pending.text,
            reply_to=pending.reply_to,
            key=pending.key,
            pick=pending.pick,
        ),
        stored,
        failed,
        label="message",
    )


def pending_offers(pending: Pending) -> list[Offer]:
    """What a message the relay refused offers: try again, edit it, or drop it."""
    if pending.failed is None:
        return []
    return [
        Offer("retry", "Retry", "r"),
        Offer("rewrite", "Edit", "e"),
        Offer("discard", "Discard", "x"),
    ]


def act_on_pending(ctx: Context, pending: Pending, offer: Offer) -> None:
    window = ctx.session.threads.window(pending.thread_id)
    if window is None:
        return
    if offer.verb == "retry":
        pending.failed = None
        window.version += 1
        ctx.feed.pending.publish(pending.thread_id)
        _deliver(ctx, pending)
        return
    window.resolve_pending(pending.key, None)
    ctx.feed.pending.publish(pending.thread_id)
    if offer.verb == "rewrite":
        ctx.restore(pending.text)
        ctx.hint("Edit the message, then Enter sends it.")
    else:
        ctx.hint("Discarded.")


# --------------------------------------------------------------------------- commands


def opened(ctx: Context) -> Callable[[Thread], None]:
    """A result that is a thread to show now."""

    def done(thread: Thread) -> None:
        ctx.feed.thread_put(thread)
        ctx.open_thread(thread.id)

    return done


def updated(ctx: Context, note: str = "") -> Callable[[Thread], None]:
    def done(thread: Thread) -> None:
        ctx.feed.thread_put(thread)
        if note:
            ctx.hint(note)

    return done


def failed(ctx: Context, what: str) -> Callable[[Failure], None]:
    """The usual failure: a red hint naming what failed."""

    def hint(failure: Failure) -> None:
        ctx.hint(f"{what}: {failure.text}", error=True)

    return hint


def _thread(ctx: Context) -> Thread:
    thread = ctx.thread
    assert thread is not None  # the registry checked the command's scope
    return thread


def dm(ctx: Context, args: Args) -> bool:
    handle = args.handles[0]
    ctx.call(lambda c: c.open_direct(handle), opened(ctx), failed(ctx, f"/dm @{handle}"))
    return True


def group(ctx: Context, args: Args) -> bool:
    name, handles = args.text, list(args.handles)
    ctx.call(lambda c: c.create_group(name, handles), opened(ctx), failed(ctx, "/group"))
    return True


def invite(ctx: Context, args: Args) -> bool:
    thread, handle = _thread(ctx), args.handles[0]
    ctx.call(
        lambda c: c.add_member(thread.id, handle),
        updated(ctx, f"Added @{handle}."),
        failed(ctx, "/invite"),
    )
    return True


def kick(ctx: Context, args: Args) -> bool:
    thread, handle = _thread(ctx), args.handles[0]
    ctx.call(
        lambda c: c.remove_member(thread.id, handle),
        updated(ctx, f"Removed @{handle}."),
        failed(ctx, "/kick"),
    )
    return True


def rename(ctx: Context, args: Args) -> bool:
    thread, name = _thread(ctx), args.text
    ctx.call(lambda c: c.rename_group(thread.id, name), updated(ctx), failed(ctx, "/rename"))
    return True


def leave(ctx: Context, args: Args) -> bool:
    thread = _thread(ctx)

    async def request(client: ChatClient) -> int:
        await client.leave_group(thread.id)
        return thread.id

    ctx.call(request, ctx.feed.thread_gone, failed(ctx, "/leave"))
    return True


def reply(ctx: Context, args: Args) -> bool:
    target = ctx.picked or ctx.target(mine=False)
    if target is None:
        ctx.hint("Nothing to reply to here.", error=True)
        return False
    if args.text:
        return ctx.send(args.text, reply_to=target.id)
    ctx.reply_to(target)
    return True


def edit(ctx: Context, args: Args) -> bool:
    target = ctx.target(mine=True)
    if target is None:
        ctx.hint("You have no message to edit here.", error=True)
        return False
    if args.text:
        change(ctx, target, args.text)
    else:
        ctx.edit(target)
    return True


def change(ctx: Context, message: Message, text: str) -> None:
    """Replace the text of your ``message``."""
    if text == message.text:
        return
    problem = too_long(text)
    if problem is not None:
        ctx.hint(problem, error=True)
        ctx.restore(text)
        return
    ctx.call(lambda c: c.edit(message.id, text), ctx.feed.stored, failed(ctx, "edit"))


def delete(ctx: Context, args: Args) -> bool:
    target = ctx.target(mine=True)
    if target is None:
        ctx.hint("You have no message to delete here.", error=True)
        return False
    _delete(ctx, target)
    return True


def _delete(ctx: Context, message: Message) -> None:
    ctx.call(lambda c: c.delete(message.id), ctx.feed.stored, failed(ctx, "delete"))
    ctx.hint("Message deleted.")


_FRIEND_DONE = {
    "add": "Friend request sent to @{}",
    "accept": "You and @{} are now friends",
    "decline": "Declined @{}",
    "remove": "Removed @{} from your friends",
    "block": "Blocked @{}",
    "unblock": "Unblocked @{}",
}


def friend(ctx: Context, args: Args) -> bool:
    verb, handle = args.verb, args.handles[0]

    async def request(client: ChatClient) -> Contact:
        calls = {
            "add": client.friend_request,
            "accept": client.friend_accept,
            "decline": client.friend_decline,
            "remove": client.friend_remove,
            "block": client.block,
            "unblock": client.unblock,
        }
        return await calls[verb](handle)

    def done(contact: Contact) -> None:
        text = _FRIEND_DONE[verb].format(contact.user.handle)
        if verb == "add" and contact.status == "friend":
            text = f"You and @{contact.user.handle} are now friends"
        ctx.hint(safetext.clean_line(text))

    ctx.call(request, done, failed(ctx, f"/friend {verb}"))
    return True


def find(ctx: Context, args: Args) -> bool:
    """``/search TEXT``: in the thread's history on the relay (see :mod:`..search`)."""
    search.run(ctx, _thread(ctx), args.text)
    return True


COMMANDS = [
    Command(
        "help", "/help", "show keys and commands", action_command("app.help"), palette="app: Help"
    ),
    Command(
        "dm",
        "/dm @handle",
        "open a direct conversation",
        dm,
        Shape.HANDLE,
        palette="chat: New direct message",
        template="/dm @",
    ),
    Command(
        "group",
        "/group new NAME @a @b",
        "create a group with members",
        group,
        Shape.GROUP,
        palette="chat: New group",
        template="/group new ",
    ),
    Command(
        "invite",
        "/invite @handle",
        "add someone to this group",
        invite,
        Shape.HANDLE,
        GROUPS,
        "chat: Invite to this group",
        "/invite @",
    ),
    Command(
        "kick",
        "/kick @handle",
        "remove someone from this group",
        kick,
        Shape.HANDLE,
        GROUPS,
        "chat: Remove from this group",
        "/kick @",
    ),
    Command("leave", "/leave", "leave this group", leave, scope=GROUPS, palette="chat: Leave"),
    Command(
        "rename",
        "/rename NAME",
        "rename this group",
        rename,
        Shape.TEXT,
        GROUPS,
        "chat: Rename this group",
        "/rename ",
    ),
    Command(
        "reply",
        "/reply [TEXT]",
        "reply to the picked (or latest) message",
        reply,
        Shape.OPTIONAL_TEXT,
        THREADS,
        "chat: Reply",
    ),
    Command(
        "edit",
        "/edit [TEXT]",
        "edit your picked (or last) message",
        edit,
        Shape.OPTIONAL_TEXT,
        THREADS,
        "chat: Edit my last message",
    ),
    Command(
        "delete",
        "/delete",
        "delete your picked (or last) message",
        delete,
        scope=THREADS,
        palette="chat: Delete my last message",
    ),
    Command(
        "friend",
        "/friend add|accept|decline|remove|block|unblock @handle",
        "manage friends",
        friend,
        Shape.FRIEND,
        palette="friends: Add a friend",
        template="/friend add @",
    ),
    Command(
        "search",
        "/search TEXT",
        "find TEXT in this thread's history (in a brand's thread: its products)",
        find,
        Shape.TEXT,
        THREADS,
        "chat: Search this conversation",
        "/search ",
    ),
    Command(
        "logout",
        "/logout",
        "log out and forget the stored session",
        action_command("app.logout"),
        palette="app: Log out",
    ),
]

# --------------------------------------------------------------------------- verbs


def _mine(ctx: Context, message: Message) -> bool:
    return message.sender_id == ctx.session.threads.my_id


def _replyable(ctx: Context, message: Message) -> list[Offer]:
    return [] if message.deleted else [Offer("reply", "Reply", "r")]


def _editable(ctx: Context, message: Message) -> list[Offer]:
    if not _mine(ctx, message) or message.deleted or message.card is not None:
        return []
    return [Offer("edit", "Edit", "e")]


def _deletable(ctx: Context, message: Message) -> list[Offer]:
    if not _mine(ctx, message) or message.deleted or message.card is not None:
        return []
    return [Offer("delete", "Delete", "delete")]


def _quick_replies(ctx: Context, message: Message) -> list[Offer]:
    """A bot's suggested answers, in the card's order."""
    card = message.card
    if not isinstance(card, QuickRepliesCard) or _mine(ctx, message) or message.deleted:
        return []
    return [
        Offer("quick_reply", safetext.clean_line(reply.label, max_chars=24), payload=reply)
        for reply in card.replies
    ]


def _pick(ctx: Context, message: Message, offer: Offer) -> None:
    """Answer with the picked reply: its text goes out as your message, with ``pick`` so
    the bot knows exactly which one (the relay also adds to the cart or calls a person for
    those actions, in the same transaction)."""
    card = message.card
    reply = offer.payload
    if not isinstance(card, QuickRepliesCard) or not isinstance(reply, QuickReply):
        return
    index = next((n for n, r in enumerate(card.replies) if r is reply), None)
    if index is None:
        index = card.replies.index(reply)
    ctx.send(reply.text, reply_to=message.id, pick=index)


VERBS = [
    Verb(
        "reply",
        "Reply",
        "reply to this message",
        _replyable,
        lambda ctx, message, _o: ctx.reply_to(message),
        key="r",
        bar=False,
    ),
    Verb(
        "edit",
        "Edit",
        "edit your message",
        _editable,
        lambda ctx, message, _o: ctx.edit(message),
        key="e",
        bar=False,
    ),
    Verb(
        "delete",
        "Delete",
        "delete your message",
        _deletable,
        lambda ctx, message, _o: _delete(ctx, message),
        key="delete",
        bar=False,
    ),
    Verb("quick_reply", "Quick reply", "answer with the suggested reply", _quick_replies, _pick),
]
