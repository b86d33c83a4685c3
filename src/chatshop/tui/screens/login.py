"""The login screen: relay URL, handle, password; log in or create an account."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.config import Server
from chatshop.protocol.limits import MIN_PASSWORD_CHARS


class LoginScreen(Screen[None]):
    """Log in to a relay, or register on it.

    | Key | Action |
    | :- | :- |
    | enter | Log in (from any field). |
    | ctrl+r | Create the account instead. |
    | tab / shift+tab | Next / previous field. |
    | ctrl+q | Quit. |
    """

    BINDINGS = [
        # Priority: the focus moves when Tab is read, so "sam<tab>demo" typed in one burst
        # puts "demo" in the next field, not after "sam".
        Binding(
            "tab",
            "app.focus_next",
            "Next field",
            show=False,
            priority=True,
            id="login.next_field",
            tooltip="The next field",
        ),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous field",
            show=False,
            priority=True,
            id="login.previous_field",
            tooltip="The previous field",
        ),
        Binding(
            "ctrl+r",
            "register",
            "Register",
            id="login.register",
            tooltip="Create an account with this handle and password",
        ),
    ]

    class Submitted(TextualMessage):
        """The person asked to log in (or register) with these values."""

        def __init__(
            self, url: str, handle: str, password: str, *, register: bool, display_name: str = ""
        ) -> None:
            super().__init__()
            self.url = url
            self.handle = handle
            self.password = password
            self.register = register
            self.display_name = display_name

    def __init__(
        self,
        *,
        url: str,
        handle: str = "",
        servers: list[Server] | None = None,
        message: str = "",
        busy: bool = False,
    ) -> None:
        super().__init__()
        self.busy = busy
        self.url = url
        self.handle = handle
        self.servers = servers or []
        self.message = message

    def compose(self) -> ComposeResult:
        urls = [s.url for s in self.servers]
        with Center(), Vertical(id="login-box"):
            yield Static(Content.styled("chatshop", "bold $accent"), id="login-title")
            yield Static(Content.styled("a messenger with a shop inside", "$text-muted"))
            yield Label("Relay")
            yield Input(
                self.url,
                placeholder="ws://host:port",
                id="url",
                suggester=SuggestFromList(urls, case_sensitive=False),
            )
            yield Label("Handle")
            yield Input(self.handle, placeholder="your handle", id="handle")
            yield Label("Password")
            yield Input(placeholder="password", password=True, id="password")
            yield Label("Display name (to register)")
            yield Input(placeholder="optional", id="display-name")
            yield Static(id="login-error")
            with Horizontal(id="login-buttons"):
                yield Button("Log in", variant="primary", id="login")
                yield Button("Register", id="register")
            if self.servers:
                yield Label("Recent relays")
                yield OptionList(
                    *(
                        Option(Content(safetext.clean_line(f"{s.url}  @{s.handle}")), id=str(i))
                        for i, s in enumerate(self.servers)
                    ),
                    id="recent",
                )
        yield Footer()

    def on_mount(self) -> None:
        if self.busy:
            self.set_busy(True)
        else:
            self.show_error(self.message)
        target = "#password" if self.handle else "#handle"
        self.query_one(target, Input).focus()

    def show_error(self, text: str) -> None:
        self.message = text
        if not self.is_mounted:
            return
        error = self.query_one("#login-error", Static)
        error.display = bool(text)
        error.update(Content(safetext.clean_line(text)))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        if not self.is_mounted:
            return
        for button in self.query(Button):
            button.disabled = busy
        if busy:
            self.show_error("")
            error = self.query_one("#login-error", Static)
            error.display = True
            error.update(Content.styled("connecting…", "$text-muted"))

    def _values(self, *, register: bool) -> LoginScreen.Submitted | None:
        url = self.query_one("#url", Input).value.strip()
        handle = self.query_one("#handle", Input).value.strip().lstrip("@")
        password = self.query_one("#password", Input).value
        name = self.query_one("#display-name", Input).value.strip()
        if not url.startswith(("ws://", "wss://")):
            self.show_error("The relay address starts with ws:// or wss://")
            return None
        if not handle:
            self.show_error("Type your handle.")
            return None
        if len(password) < MIN_PASSWORD_CHARS:
            self.show_error(f"The password has at least {MIN_PASSWORD_CHARS} characters.")
            return None
        return self.Submitted(url, handle, password, register=register, display_name=name)

    def _submit(self, *, register: bool) -> None:
        values = self._values(register=register)
        if values is not None:
            self.set_busy(True)
            self.post_message(values)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self._submit(register=False)

    @on(Button.Pressed, "#login")
    def _login_pressed(self) -> None:
        self._submit(register=False)

    @on(Button.Pressed, "#register")
    def _register_pressed(self) -> None:
        self._submit(register=True)

    def action_register(self) -> None:
        self._submit(register=True)

    @on(OptionList.OptionSelected, "#recent")
    def _recent(self, event: OptionList.OptionSelected) -> None:
        server = self.servers[int(event.option.id or 0)]
        self.query_one("#url", Input).value = server.url
        self.query_one("#handle", Input).value = server.handle
        self.query_one("#password", Input).focus()
