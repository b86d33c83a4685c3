"""Every command and verb of the app, declared once in its domain module and gathered here."""

from __future__ import annotations

from chatshop.tui.commands import brand, chat, money, shop
from chatshop.tui.commands.registry import Registry

REGISTRY = Registry(
    [*chat.COMMANDS, *money.COMMANDS, *shop.COMMANDS, *brand.COMMANDS],
    [*money.VERBS, *shop.VERBS, *brand.VERBS, *chat.VERBS],
)
