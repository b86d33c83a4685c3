"""The chatshop app: owns the link and the feed, switches between login and main screens,
and rings for news in threads you are not reading. Screens subscribe to what they show."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, tzinfo

from textual import on, work
from textual.binding import Binding
from textual.theme import Theme

from chatshop import safetext
from chatshop.client import ChatClient, ClientError, ConnectionState, StateChanged
from chatshop.config import DEFAULT_SERVER, Config, save
from chatshop.credentials import TokenStore
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.payment_frames import WalletResult
from chatshop.tui import cards
from chatshop.tui.feed import Feed, Session
from chatshop.tui.host import Host
from chatshop.tui.link import (
    ClientFactory,
    Link,
    LinkEnded,
    LoggedIn,
    LoginFailed,
    LoginPlan,
)
from chatshop.tui.screens.help import HelpScreen
from chatshop.tui.screens.login import LoginScreen
from chatshop.tui.screens.main import MainScreen


class ChatshopApp(Host):
    """A terminal messenger with commerce built in.

    | Key | Action |
    | :- | :- |
    | f1 | Help (also ``?`` in an empty composer). |
    | ctrl+p | Command palette. |
    | ctrl+q | Quit. |
    """

    CSS_PATH = "app.tcss"
    TITLE = "chatshop"

    BINDINGS = [
        Binding("f1", "help", "Help", priority=True, id="app.help", tooltip="Keys and commands"),
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
        client_factory: ClientFactory | None = None,
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
        self.today = today or (lambda: datetime.now(tz).date())
        self.client_factory = client_factory
        self.feed = Feed(self)
        self.link = Link(self.feed, client_factory)
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
        self.feed.link.subscribe(self, self._link_changed)
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
        """The one link worker: connects, logs in, then pumps events and calls."""
        self.feed.session = None
        self.link = Link(self.feed, self.client_factory)
        self.server_url = plan.url
        self.handle = plan.handle
        self._was_down = False
        await self.link.run(self, plan)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme picked in the palette is remembered in the settings."""
        if theme.name != self.config.theme:
            self.config.theme = theme.name
            self._save()

    def _save(self) -> None:
        if self.persist:
            with contextlib.suppress(OSError):
                save(self.config)

    def intro_seen(self) -> None:
        """The first-run tips were read: they do not come back."""
        if not self.config.intro_seen:
            self.config.intro_seen = True
            self._save()

    # ------------------------------------------------------------------ the session

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

    @on(LoggedIn)
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
        session = Session(me=message.user, url=message.url)
        self.feed.session = session
        self.switch_screen(MainScreen(session))
        self._load_session()

    def _load_session(self) -> None:
        """The thread list and the wallet, after login and after every reconnect."""

        def threads(found: list[Thread]) -> None:
            if self.feed.session is not None:
                self.feed.session.threads.load(found)
                self.feed.threads_loaded()
                self.update_window_title()

        def wallet(result: WalletResult) -> None:
            if self.feed.session is not None:
                self.feed.session.wallet.load(result)
                self.feed.wallet_loaded()

        self.link.call(self, lambda c: c.threads(), threads, label="threads")
        self.link.call(self, lambda c: c.wallet(), wallet, label="wallet")

    def _link_changed(self, change: StateChanged) -> None:
        """After a reconnect, fetch the thread list and wallet again."""
        if change.state is ConnectionState.CONNECTED:
            if self._was_down:
                self._load_session()
            self._was_down = False
        elif change.state in (ConnectionState.RECONNECTING, ConnectionState.OFFLINE):
            self._was_down = True

    @on(LoginFailed)
    def _login_failed(self, message: LoginFailed) -> None:
        if message.token_rejected and self.tokens is not None:
            self.tokens.forget(self.server_url, self.handle)
        text = (
            "Your saved session has expired; please log in again."
            if message.token_rejected
            else f"Could not log in: {message.reason}"
        )
        screen = self.screen
        if isinstance(screen, LoginScreen):
            screen.set_busy(False)
            screen.show_error(text)
        else:
            self.switch_screen(self._login_screen(message=text))

    @on(LinkEnded)
    def _link_ended(self) -> None:
        if self._logging_out:
            self._logged_out()

    def _logged_out(self) -> None:
        if self.tokens is not None:
            self.tokens.forget(self.server_url, self.handle)
        self.workers.cancel_group(self, "link")
        self.feed.session = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self._login_screen(message="You are logged out."))
        self._logging_out = False

    def main_screen(self) -> MainScreen | None:
        """The main screen, when logged in (for tests and the screenshot tour)."""
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    # ------------------------------------------------------------------ notifications

    def notify_message(self, message: Message) -> None:
        """A message from someone else arrived in a thread you are not reading."""
        session = self.feed.session
        if session is None:
            return
        book = session.threads
        thread = book.threads.get(message.thread_id)
        if thread is None:
            return
        settings = self.config.notifications
        if settings.toast:
            sender = book.user(message.sender_id)
            who = safetext.clean_line(sender.display_name if sender else "someone", max_chars=32)
            text = safetext.clean_line(message.text, max_chars=100)
            if message.card is not None:
                text = cards.summary(message.card, lambda user_id: _name(session, user_id))
            self.notify(
                f"{who}: {text}",
                title=safetext.clean_line(book.title(thread), max_chars=40),
                markup=False,
                timeout=4,
            )
        if settings.bell:
            self.bell()
        self.update_window_title()

    def update_window_title(self) -> None:
        """The unread count in the app's title (Textual passes it to the terminal)."""
        session = self.feed.session
        if not self.config.notifications.title or session is None:
            return
        unread = session.threads.total_unread()
        self.title = f"({unread}) chatshop" if unread else "chatshop"

    # ------------------------------------------------------------------ actions

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_logout(self) -> None:
        """End the session on the relay and forget the stored token."""
        self._logging_out = True

        async def logout(client: ChatClient) -> None:
            with contextlib.suppress(ClientError):
                await client.logout()

        self.link.call(self, logout, lambda _r: self._logged_out(), lambda _f: self._logged_out())


def _name(session: Session, user_id: int) -> str:
    user = session.threads.user(user_id)
    if user is None:
        return "someone"
    return safetext.clean_line(user.display_name, max_chars=32) or user.handle
