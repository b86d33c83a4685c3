"""The chatshop app: screens, the link worker, credentials, notifications. Kept thin."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from chatshop import safetext
from chatshop.client import ChatClient, ConnectionState
from chatshop.config import DEFAULT_SERVER, Config, save
from chatshop.credentials import TokenStore
from chatshop.protocol.models import Message
from chatshop.tui import cards, jobs
from chatshop.tui.book import ThreadBook
from chatshop.tui.link import (
    Link,
    LinkClosed,
    LinkMessage,
    LinkState,
    LoggedIn,
    LoginFailed,
    LoginPlan,
    run_link,
)
from chatshop.tui.palette import ChatCommands
from chatshop.tui.screens.help import HelpScreen
from chatshop.tui.screens.login import LoginScreen
from chatshop.tui.screens.main import MainScreen
from chatshop.tui.screens.wallet import WalletScreen
from chatshop.tui.shop.base import ShopScreen
from chatshop.tui.wallet import WalletBook
from chatshop.tui.window import QuoteCache


class ChatshopApp(App[None]):
    """A terminal messenger with commerce built in.

    | Key | Action |
    | :- | :- |
    | f1, ? | Help. |
    | ctrl+p | Command palette. |
    | ctrl+q | Quit. |
    """

    CSS_PATH = "app.tcss"
    TITLE = "chatshop"
    COMMANDS = App.COMMANDS | {ChatCommands}

    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help", tooltip="Keys and commands"),
        Binding(
            "question_mark",
            "help",
            "Help",
            show=False,
            id="app.help_key",
            tooltip="Keys and commands",
        ),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit", tooltip="Quit chatshop"),
    ]

    def __init__(
        self,
        config: Config | None = None,
        *,
        tokens: TokenStore | None = None,
        server: str | None = None,
        autologin: LoginPlan | None = None,
        persist: bool = True,
        tz: tzinfo | None = None,
        today: Callable[[], date] | None = None,
        client_factory: Callable[[str, str | None], ChatClient] | None = None,
    ) -> None:
        super().__init__()
        self.config = config or Config()
        self.tokens = tokens
        self.persist = persist and tokens is not None
        self.server_url = server or (
            self.config.servers[0].url if self.config.servers else DEFAULT_SERVER
        )
        self.autologin = autologin
        self.tz = tz
        self.today: Callable[[], date] = today or (lambda: datetime.now(tz).date())
        self.client_factory = client_factory
        self.quotes = QuoteCache()
        self.link = Link()
        self.book = ThreadBook()
        self.wallet = WalletBook()
        self.handle = ""
        self._logging_out = False
        self._was_down = False

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        if self.config.keys:
            self.set_keymap(self.config.keys)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        plan = self.autologin or self._stored_session()
        self.push_screen(self._login_screen(busy=plan is not None))
        if plan is not None:
            self.start_link(plan)

    def _stored_session(self) -> LoginPlan | None:
        handle = self.config.handle_for(self.server_url)
        if not handle or self.tokens is None:
            return None
        token = self.tokens.load(self.server_url, handle)
        return LoginPlan(self.server_url, handle, token=token) if token else None

    def _login_screen(self, *, busy: bool = False, message: str = "") -> LoginScreen:
        return LoginScreen(
            url=self.server_url,
            handle=self.config.handle_for(self.server_url),
            servers=self.config.servers,
            message=message,
            busy=busy,
        )

    @work(exclusive=True, group="link", exit_on_error=False)
    async def start_link(self, plan: LoginPlan) -> None:
        """The one link worker: connects, logs in, then pumps events and jobs."""
        self.link = Link()
        self.server_url = plan.url
        self.handle = plan.handle
        self._was_down = False
        await run_link(self, self.link, plan, client_factory=self.client_factory)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme picked in the palette is remembered in the settings."""
        if theme.name == self.config.theme:
            return
        self.config.theme = theme.name
        if self.persist:
            with contextlib.suppress(OSError):
                save(self.config)

    # ------------------------------------------------------------------ link messages

    def main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def on_login_screen_submitted(self, event: LoginScreen.Submitted) -> None:
        self.start_link(
            LoginPlan(
                event.url,
                event.handle,
                password=event.password,
                register=event.register,
                display_name=event.display_name,
            )
        )

    @on(LinkMessage)
    def _link_message(self, message: LinkMessage) -> None:
        """Everything the link worker posts (subclasses included) arrives here."""
        if isinstance(message, LoggedIn):
            self._logged_in(message)
        elif isinstance(message, LoginFailed):
            self._login_failed(message)
        elif isinstance(message, jobs.LoggedOut):
            self._logged_out()
        elif isinstance(message, LinkClosed):
            main = self.main_screen()
            if main is not None and not self._logging_out:
                main.status.set_state("offline", detail="link closed")
        else:
            if isinstance(message, LinkState):
                self._link_state(message)
            main = self.main_screen()
            if main is not None and _alive(main):
                main.receive(message)
            for screen in self.screen_stack:
                # A screen not mounted yet loads what it shows once it is.
                if not isinstance(screen, WalletScreen | ShopScreen):
                    continue
                if screen.is_mounted and _alive(screen):
                    screen.receive(message)

    def _link_state(self, message: LinkState) -> None:
        """After a reconnect, fetch the thread list again (names, members, counts)."""
        state = message.change.state
        if state == ConnectionState.CONNECTED:
            if self._was_down:
                self.link.submit("refresh", jobs.load_threads())
                self.link.submit("wallet", jobs.load_wallet())
            self._was_down = False
        elif state in (ConnectionState.RECONNECTING, ConnectionState.OFFLINE):
            self._was_down = True

    def _logged_in(self, message: LoggedIn) -> None:
        self.server_url = message.url
        self.handle = message.user.handle
        if self.persist and self.tokens is not None:
            self.config.remember_server(message.url, message.user.handle)
            try:
                save(self.config)
            except OSError as exc:
                self.notify(
                    f"Could not save settings: {exc.strerror}", severity="warning", markup=False
                )
            self.tokens.save(message.url, message.user.handle, message.token)
            if self.tokens.notice:
                self.notify(
                    safetext.clean_line(self.tokens.notice),
                    title="Credentials",
                    markup=False,
                    timeout=8,
                )
                self.tokens.notice = None
        self.book = ThreadBook(me=message.user)
        self.wallet = WalletBook()
        main = MainScreen(self.book)
        self.switch_screen(main)
        self.link.submit("load threads", jobs.load_threads())
        self.link.submit("wallet", jobs.load_wallet())

    def _login_failed(self, message: LoginFailed) -> None:
        if message.token_rejected and self.tokens is not None:
            self.tokens.forget(self.server_url, self.handle)
        text = (
            "Your saved session has expired; please log in again."
            if message.token_rejected
            else f"Could not log in: {message.reason}"
        )
        if isinstance(self.screen, LoginScreen):
            self.screen.set_busy(False)
            self.screen.show_error(text)
        else:
            self.switch_screen(self._login_screen(message=text))

    def _logged_out(self) -> None:
        if self.tokens is not None:
            self.tokens.forget(self.server_url, self.handle)
        self.workers.cancel_group(self, "link")
        self.book = ThreadBook()
        self.wallet = WalletBook()
        self.switch_screen(self._login_screen(message="You are logged out."))
        self._logging_out = False

    # ------------------------------------------------------------------ notifications

    def notify_message(self, book: ThreadBook, thread_id: int, message: Message) -> None:
        """A message from someone else arrived in a thread you are not reading."""
        settings = self.config.notifications
        thread = book.threads.get(thread_id)
        if thread is None:
            return
        if settings.toast:
            sender = book.user(message.sender_id)
            who = safetext.clean_line(sender.display_name if sender else "someone", max_chars=32)
            text = safetext.clean_line(message.text, max_chars=100)
            if message.card is not None:
                text = cards.summary(message.card, lambda user_id: _name(book, user_id))
            self.notify(
                f"{who}: {text}",
                title=safetext.clean_line(book.title(thread), max_chars=40),
                markup=False,
                timeout=4,
            )
        if settings.bell:
            self.bell()
        self.update_window_title(book)

    def update_window_title(self, book: ThreadBook) -> None:
        """Show the unread count in the app title and, when enabled, the terminal's title."""
        if not self.config.notifications.title:
            return
        unread = book.total_unread()
        title = f"({unread}) chatshop" if unread else "chatshop"
        if title == self.title:
            return
        self.title = title
        if not self.is_headless and self._driver is not None:
            self._driver.write(f"\x1b]2;{safetext.clean_line(title)}\x07")

    # ------------------------------------------------------------------ actions

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_logout(self) -> None:
        """End the session on the relay and forget the stored token."""
        self._logging_out = True
        self.link.submit("log out", jobs.logout())


def _alive(screen: Screen[Any]) -> bool:
    """Whether a screen can still take what the link posts: running and not being torn
    down (the test Textual's own signals apply before calling a subscriber)."""
    return screen.is_running and screen.is_attached and not screen._pruning


def _name(book: ThreadBook, user_id: int) -> str:
    user = book.user(user_id)
    if user is None:
        return "someone"
    return safetext.clean_line(user.display_name, max_chars=32) or user.handle
