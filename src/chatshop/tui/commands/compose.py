"""What Enter in the composer does with a line: a command, an edit, a ``#cart`` reply, a
payment (``€12 taxi``), or a message."""

from __future__ import annotations

from chatshop.money_input import escaped_text
from chatshop.protocol.models import Message
from chatshop.tui.commands import REGISTRY, chat, money, shop
from chatshop.tui.commands.context import Context
from chatshop.tui.commands.slash import SlashError, message_text, parse


def submit(ctx: Context, line: str, editing: Message | None) -> None:
    """Carry out one submitted composer ``line`` (``editing``: the message being edited)."""
    try:
        parsed = parse(REGISTRY, line)
    except SlashError as exc:
        ctx.hint(str(exc), error=True)
        ctx.restore(line)
        return
    if parsed is not None:
        command, args = parsed
        why = REGISTRY.runnable(command, ctx)
        if why is not None:
            ctx.hint(why, error=True)
            ctx.restore(line)
        elif not command.run(ctx, args):
            ctx.restore(line)
        return
    if editing is not None:
        chat.change(ctx, editing, message_text(line))
        return
    if shop.cart_reply(ctx, line):
        return
    literal = escaped_text(line)
    if literal is None and money.payment_line(ctx, line):
        return
    replying = ctx.replying
    text = literal if literal is not None else message_text(line)
    if ctx.send(text, reply_to=replying.id if replying else None):
        ctx.reply_to(None)
    else:
        ctx.restore(line)
