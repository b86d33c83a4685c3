"""The one place the TUI talks to the relay: a long-lived link worker and what it posts.

The app starts :func:`run_link` in a single exclusive worker. It connects, logs in (or resumes
with a stored token), then runs two loops in one task group: relay events are posted into the
app as :class:`RelayEvent`, and commands submitted through :class:`Link` run as tasks whose
results come back as messages. Screens and widgets never hold the client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual.message import Message as TextualMessage
from textual.message_pump import MessagePump

from chatshop import safetext
from chatshop.client import ChatClient, ClientError, RequestError, StateChanged
from chatshop.protocol.frames import AnyEvent
from chatshop.protocol.models import User

log = logging.getLogger("chatshop.tui")

Job = Callable[[ChatClient], Awaitable[TextualMessage | None]]


@dataclass(frozen=True)
class LoginPlan:
    """How the link should get a session: a stored token, a login, or a registration."""

    url: str
    handle: str
    password: str = ""
    token: str | None = None
    register: bool = False
    display_name: str = ""


# --------------------------------------------------------------------------- messages


class LinkMessage(TextualMessage):
    """Base of everything the link worker posts."""


class LoggedIn(LinkMessage):
    """A session is open as ``user``; ``token`` is the session token to store."""

    def __init__(self, url: str, user: User, token: str) -> None:
        super().__init__()
        self.url = url
        self.user = user
        self.token = token


class LoginFailed(LinkMessage):
    """No session: ``reason`` (already cleaned) says why; ``token_rejected`` if a stored
    token no longer works."""

    def __init__(self, reason: str, *, token_rejected: bool = False) -> None:
        super().__init__()
        self.reason = reason
        self.token_rejected = token_rejected


class RelayEvent(LinkMessage):
    """An event pushed by the relay."""

    def __init__(self, event: AnyEvent) -> None:
        super().__init__()
        self.event = event


class LinkState(LinkMessage):
    """The connection changed state (connected, reconnecting with ``retry_in``, offline)."""

    def __init__(self, change: StateChanged) -> None:
        super().__init__()
        self.change = change


class CommandFailed(LinkMessage):
    """A command failed; ``what`` and ``reason`` are cleaned, one line each."""

    def __init__(self, what: str, reason: str, code: str = "") -> None:
        super().__init__()
        self.what = what
        self.reason = reason
        self.code = code


class LinkClosed(LinkMessage):
    """The link worker ended (logout, or the app is closing)."""


# --------------------------------------------------------------------------- the link


class Link:
    """The app's handle on the link worker: submit jobs; results come back as messages."""

    def __init__(self) -> None:
        self._jobs: asyncio.Queue[tuple[str, Job, Callable[[Exception], None] | None]] = (
            asyncio.Queue()
        )
        self.user: User | None = None
        self.url = ""

    def submit(
        self, what: str, job: Job, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        """Run ``job(client)`` in the link; a message it returns is posted into the app.

        ``what`` names the job for people ("send", "/dm @alice") in a failure notice.
        """
        self._jobs.put_nowait((what, job, on_error))


def describe_error(exc: Exception) -> tuple[str, str]:
    """(reason, code) of a failure, cleaned for the screen."""
    if isinstance(exc, RequestError):
        return safetext.clean_line(exc.message, max_chars=200), str(exc.code)
    return safetext.clean_line(str(exc) or type(exc).__name__, max_chars=200), ""


async def run_link(
    target: MessagePump,
    link: Link,
    plan: LoginPlan,
    *,
    client_factory: Callable[[str, str | None], ChatClient] | None = None,
) -> None:
    """Connect, get a session per ``plan``, then pump events and jobs until cancelled."""
    make = client_factory or (
        lambda url, token: ChatClient(url, token=token, client_name="chatshop-tui/0.1")
    )
    client = make(plan.url, plan.token)
    token: str | None = plan.token
    user: User | None = None
    try:
        try:
            await client.connect()
            if plan.token is None:
                if plan.register:
                    result = await client.register(
                        plan.handle, plan.display_name or plan.handle, plan.password
                    )
                else:
                    result = await client.login(plan.handle, plan.password)
                token, user = result.token, result.user
            else:
                user = client.user
        except (ClientError, OSError) as exc:
            reason, code = describe_error(exc)
            rejected = plan.token is not None and code == "unauthorized"
            target.post_message(LoginFailed(reason, token_rejected=rejected))
            return
        if user is None or token is None:
            target.post_message(LoginFailed("the relay did not open a session"))
            return
        link.user, link.url = user, plan.url
        target.post_message(LoggedIn(plan.url, user, token))
        async with asyncio.TaskGroup() as group:
            group.create_task(_pump_events(target, client))
            group.create_task(_pump_jobs(target, client, link, group))
    finally:
        await client.close()
        target.post_message(LinkClosed())


async def _pump_events(target: MessagePump, client: ChatClient) -> None:
    async for item in client.events():
        if isinstance(item, StateChanged):
            target.post_message(LinkState(item))
        else:
            target.post_message(RelayEvent(item))


async def _pump_jobs(
    target: MessagePump, client: ChatClient, link: Link, group: asyncio.TaskGroup
) -> None:
    while True:
        what, job, on_error = await link._jobs.get()
        group.create_task(_run_job(target, client, what, job, on_error))


async def _run_job(
    target: MessagePump,
    client: ChatClient,
    what: str,
    job: Job,
    on_error: Callable[[Exception], None] | None,
) -> None:
    try:
        message = await job(client)
    except (ClientError, OSError, ValueError) as exc:
        reason, code = describe_error(exc)
        log.info("%s failed: %s", safetext.clean_line(what), reason)
        if on_error is not None:
            on_error(exc)
        target.post_message(CommandFailed(safetext.clean_line(what), reason, code))
        return
    if message is not None:
        target.post_message(message)
