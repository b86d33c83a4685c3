"""Command palette (ctrl+p) entries: every chat action by name, "namespace: verb"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from chatshop import safetext

if TYPE_CHECKING:
    from chatshop.tui.screens.main import MainScreen

# (title, help, composer template or None, action name on the main screen or app)
ENTRIES: tuple[tuple[str, str, str], ...] = (
    ("chat: New direct message", "Open a conversation with someone", "/dm @"),
    ("chat: New group", "Create a group with members", "/group new "),
    ("chat: Invite to this group", "Add someone to the open group", "/invite @"),
    ("chat: Remove from this group", "Remove someone from the open group", "/kick @"),
    ("chat: Rename this group", "Give the open group a new name", "/rename "),
    ("chat: Leave this group", "Leave the open group", "/leave"),
    ("chat: Reply", "Reply to the selected or latest message", "/reply"),
    ("chat: Edit my last message", "Change the text of your message", "/edit"),
    ("chat: Delete my last message", "Delete your selected or last message", "/delete"),
    ("chat: Search this conversation", "Find text in the loaded messages", "/search "),
    ("chat: Next unread thread", "Open the next thread with unread messages", "!next_unread"),
    ("chat: Jump to a thread", "Filter the threads by name", "!switcher"),
    ("money: Pay someone here", "Type the amount: $20 taxi, or $20 @alice in a group", "$"),
    ("money: Request money", "Ask someone here for money", "/request "),
    ("money: Split a bill", "Share a bill among this group", "/split "),
    ("money: Send lucky money", "A red packet the first few to open it share", "/luckymoney "),
    ("money: Pay the selected request", "Pay a request or a split share", "!card('pay')"),
    ("money: Decline the selected request", "Decline (or cancel yours)", "!card('decline')"),
    ("money: Open the red packet", "Open the newest unopened red packet", "!card('open')"),
    ("wallet: Open", "Balances, history and top-up (f3)", "!wallet"),
    ("wallet: Top up", "Add money (simulated card)", "/topup "),
    ("shop: Cart", "Your carts at every brand", "/cart"),
    ("shop: Checkout", "Check out your cart at a brand", "/checkout"),
    ("shop: Orders", "Your orders and their progress (f4)", "!orders"),
    ("shop: Search products", "Products across brands", "/products "),
    ("shop: Scan a barcode", "The product with this barcode, and similar items", "/scan "),
    ("shop: Catalogue", "A brand's catalogue", "/catalog @"),
    ("friends: Add a friend", "Send a friend request", "/friend add @"),
    ("friends: Accept a friend request", "Accept someone's request", "/friend accept @"),
    ("friends: Remove a friend", "Stop being friends", "/friend remove @"),
    ("friends: Block someone", "No more messages from them", "/friend block @"),
    ("app: Help", "Keys and commands", "/help"),
    ("app: Log out", "End the session and forget the stored token", "/logout"),
)


class ChatCommands(Provider):
    """Chat actions and the open threads, for the command palette."""

    def _main(self) -> MainScreen | None:
        from chatshop.tui.screens.main import MainScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        main = self._main()
        if main is None:
            return []
        commands: list[tuple[str, str, Callable[[], None]]] = [
            (title, help_text, partial(self._run, main, template))
            for title, help_text, template in ENTRIES
        ]
        for thread in main.book.ordered():
            name = safetext.clean_line(main.book.title(thread), max_chars=40)
            commands.append(
                (
                    f"open: {name}",
                    f"Open this {thread.kind} thread",
                    partial(main.open_thread, thread.id),
                )
            )
        return commands

    @staticmethod
    def _run(main: MainScreen, template: str) -> None:
        if template.startswith("!"):
            main.call_later(main.run_action, template[1:])
            return
        composer = main.composer
        if template.endswith((" ", "@", "$")):
            composer.set_text(template)
            composer.focus()
        else:
            from chatshop.tui.widgets.composer import Composer

            main.post_message(Composer.Submitted(template))

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
