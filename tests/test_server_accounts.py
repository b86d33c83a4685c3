"""Relay accounts: hello, register, login, auth, logout, passwords and who may do what."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatshop.protocol import limits
from chatshop.protocol.frames import REQUEST_TYPES
from conftest import RunningRelay, db_count, db_rows, raw_connect, raw_user, resume, wait_closed

NEEDS_AUTH = [cls for cls in REQUEST_TYPES if cls.needs_auth]


async def test_hello_announces_protocol_server_and_limits(relay: RunningRelay) -> None:
    """The hello result names protocol 1, the relay software and the default limits."""
    client = await raw_connect(relay.url, hello=False)
    data = await client.ok("hello", protocol=1, client="tests/1")
    assert data["protocol"] == limits.PROTOCOL_VERSION
    assert data["server"] == "chatshop-relay"
    assert isinstance(data["version"], str) and data["version"]
    assert data["limits"] == {
        "max_frame_bytes": limits.MAX_FRAME_BYTES,
        "max_text_chars": limits.MAX_TEXT_CHARS,
        "max_name_chars": limits.MAX_NAME_CHARS,
        "max_group_members": limits.MAX_GROUP_MEMBERS,
        "max_history_page": limits.MAX_HISTORY_PAGE,
        "rate_per_second": limits.DEFAULT_RATE_PER_SECOND,
        "rate_burst": limits.DEFAULT_RATE_BURST,
        "min_handle_chars": limits.MIN_HANDLE_CHARS,
        "max_handle_chars": limits.MAX_HANDLE_CHARS,
        "min_password_chars": limits.MIN_PASSWORD_CHARS,
        "max_password_chars": limits.MAX_PASSWORD_CHARS,
        "max_key_chars": limits.MAX_KEY_CHARS,
        "max_nesting": limits.MAX_NESTING,
        "max_media_bytes": limits.MAX_MEDIA_BYTES,
        "max_cart_lines": limits.MAX_CART_LINES,
        "max_line_quantity": limits.MAX_LINE_QUANTITY,
        "max_quick_replies": limits.MAX_QUICK_REPLIES,
        "hello_timeout": limits.HELLO_TIMEOUT,
        "auth_timeout": limits.AUTH_TIMEOUT,
        "max_connections_per_address": limits.MAX_CONNECTIONS_PER_ADDRESS,
        "top_ups": True,  # the test relays run with demo funding, in EUR
        "max_top_up": 10_000 * 100,
        "daily_top_up": 1_000_000 * 100,
    }


async def test_hello_announces_configured_rate(tmp_path: Any) -> None:
    """A relay configured with another rate announces that rate, not the default."""
    running = RunningRelay(tmp_path / "rate.db", rate_per_second=5, rate_burst=7)
    await running.start()
    try:
        client = await raw_connect(running.url, hello=False)
        data = await client.ok("hello", protocol=1)
        assert data["limits"]["rate_per_second"] == 5
        assert data["limits"]["rate_burst"] == 7
    finally:
        await running.stop()


async def test_unsupported_version_is_answered_then_closed_1002(relay: RunningRelay) -> None:
    """A hello naming protocol 2 gets unsupported_version, then the connection closes 1002."""
    client = await raw_connect(relay.url, hello=False)
    reply = await client.call("hello", protocol=2)
    assert reply["type"] == "error"
    assert reply["code"] == "unsupported_version"
    assert reply["id"] == 1
    assert await wait_closed(client) == 1002


@pytest.mark.parametrize(
    "first",
    [
        '{"type":"ping","id":1}',
        '{"type":"register","id":1,"handle":"sam","display_name":"Sam","password":"pw-pw"}',
        '{"type":"hello","id":1}',
        "not json at all",
        '{"type":"hello","id":1,"protocol":1,"extra":true}',
    ],
    ids=["ping", "register", "hello-without-version", "garbage", "hello-extra-field"],
)
async def test_first_frame_must_be_a_valid_hello(relay: RunningRelay, first: str) -> None:
    """Any first frame other than a valid hello closes the connection with 1002."""
    client = await raw_connect(relay.url, hello=False)
    await client.send_raw(first)
    assert await wait_closed(client) == 1002
    assert db_count(relay.db_path, "users") == 0


async def test_register_returns_token_account_and_cursor(relay: RunningRelay) -> None:
    """register creates a person account and logs the connection in."""
    client = await raw_connect(relay.url)
    data = await client.ok("register", handle="Sam_1", display_name="Sam C", password="pw-pw")
    assert isinstance(data["token"], str) and len(data["token"]) >= 16
    assert data["user"]["handle"] == "Sam_1"
    assert data["user"]["display_name"] == "Sam C"
    assert data["user"]["kind"] == "person"
    assert isinstance(data["cursor"], int)
    assert (await client.ok("contacts"))["contacts"] == []


async def test_brand_accounts_keep_their_kind(relay: RunningRelay) -> None:
    """An account registered with kind brand is a brand for everybody looking it up."""
    shop = await raw_connect(relay.url)
    data = await shop.ok(
        "register", handle="northwind", display_name="Northwind", password="pw-pw", kind="brand"
    )
    assert data["user"]["kind"] == "brand"
    sam = await raw_user(relay.url, "sam")
    found = await sam.ok("user", handle="northwind")
    assert found["user"] == data["user"]


async def test_handles_are_unique_regardless_of_case(relay: RunningRelay) -> None:
    """Once Sam exists, sam and SAM are taken, and lookups find Sam in any case."""
    first = await raw_user(relay.url, "Sam")
    other = await raw_connect(relay.url)
    for handle in ("sam", "SAM", "Sam"):
        reply = await other.call("register", handle=handle, display_name="x", password="pw-pw")
        assert reply["type"] == "error" and reply["code"] == "conflict", reply
    assert db_count(relay.db_path, "users") == 1
    found = await first.ok("user", handle="sAM")
    assert found["user"]["handle"] == "Sam"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"handle": "a"}, "bad_request"),
        ({"handle": "a" * 33}, "bad_request"),
        ({"handle": "has space"}, "bad_request"),
        ({"handle": ".dot"}, "bad_request"),
        ({"handle": "émile"}, "bad_request"),
        ({"password": "abc"}, "bad_request"),
        ({"password": "p" * 257}, "bad_request"),
        ({"display_name": "  "}, "bad_request"),
        ({"display_name": "n" * 65}, "too_large"),
        ({"display_name": "nul\x00name"}, "invalid_text"),
        ({"kind": "robot"}, "bad_request"),
    ],
    ids=[
        "short-handle",
        "long-handle",
        "space-in-handle",
        "leading-dot",
        "non-ascii-handle",
        "short-password",
        "long-password",
        "blank-name",
        "long-name",
        "nul-in-name",
        "unknown-kind",
    ],
)
async def test_register_refuses_invalid_fields(
    relay: RunningRelay, fields: dict[str, str], code: str
) -> None:
    """An invalid handle, password, name or kind is refused with its code; nothing is stored."""
    client = await raw_connect(relay.url)
    request = {"handle": "valid", "display_name": "Valid", "password": "pw-pw", **fields}
    reply = await client.call("register", **request)
    assert reply["type"] == "error" and reply["code"] == code, reply
    assert db_count(relay.db_path, "users") == 0
    await client.ok("ping")


async def test_register_accepts_limits_exactly(relay: RunningRelay) -> None:
    """A 2- and a 32-character handle, a 64-character name and a 4-character password pass."""
    client = await raw_connect(relay.url)
    await client.ok("register", handle="ab", display_name="n" * 64, password="abcd")
    other = await raw_connect(relay.url)
    await other.ok("register", handle="a" * 32, display_name="x", password="p" * 256)


async def test_passwords_are_stored_as_argon2id(relay: RunningRelay) -> None:
    """The users table holds an argon2id hash, never the password itself."""
    await raw_user(relay.url, "sam", password="hunter2-secret")
    [(stored,)] = db_rows(relay.db_path, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$")
    assert "hunter2-secret" not in stored


async def test_login_opens_a_new_session(relay: RunningRelay) -> None:
    """login with the right password returns a new token for the same account."""
    sam = await raw_user(relay.url, "sam", password="pw-right")
    client = await raw_connect(relay.url)
    data = await client.ok("login", handle="sam", password="pw-right", device="laptop")
    assert data["user"] == sam.user
    assert data["token"] != sam.token
    assert (await client.ok("threads"))["threads"] == []


@pytest.mark.parametrize(
    ("handle", "password"),
    [("sam", "pw-wrong"), ("nobody", "pw-right"), ("sam", "")],
    ids=["wrong-password", "unknown-handle", "empty-password"],
)
async def test_login_refuses_wrong_credentials(
    relay: RunningRelay, handle: str, password: str
) -> None:
    """A wrong password or unknown handle is unauthorized and leaves the connection anonymous."""
    await raw_user(relay.url, "sam", password="pw-right")
    client = await raw_connect(relay.url)
    reply = await client.call("login", handle=handle, password=password)
    assert reply["type"] == "error" and reply["code"] == "unauthorized", reply
    reply = await client.call("threads")
    assert reply["code"] == "unauthorized"


async def test_auth_resumes_a_session_by_token(relay: RunningRelay) -> None:
    """auth with a register token logs a new connection in as the same account."""
    sam = await raw_user(relay.url, "sam")
    client = await raw_connect(relay.url)
    data = await client.ok("auth", token=sam.token)
    assert data["user"] == sam.user
    assert data["token"] == sam.token
    assert isinstance(data["cursor"], int)
    await client.ok("contacts")


async def test_auth_with_unknown_token_is_unauthorized(relay: RunningRelay) -> None:
    """A made-up token is unauthorized and the connection stays usable."""
    client = await raw_connect(relay.url)
    reply = await client.call("auth", token="not-a-real-token")
    assert reply["type"] == "error" and reply["code"] == "unauthorized"
    await client.ok("ping")


@pytest.mark.parametrize("request_type", NEEDS_AUTH, ids=lambda cls: cls.__struct_config__.tag)
async def test_requests_needing_auth_are_unauthorized_before_login(
    relay: RunningRelay, request_type: Any
) -> None:
    """Every request marked needs-auth is refused with unauthorized on an anonymous connection."""
    client = await raw_connect(relay.url)
    example = dict(request_type.example)
    example["id"] = "anon"
    await client.send_raw(json.dumps(example))
    reply = await client.reply_to("anon")
    assert reply["type"] == "error" and reply["code"] == "unauthorized", reply
    await client.ok("ping")


async def test_ping_needs_no_login(relay: RunningRelay) -> None:
    """ping answers an empty result on an anonymous connection."""
    client = await raw_connect(relay.url)
    assert await client.ok("ping") == {}


async def test_user_lookup_of_unknown_handle_is_not_found(relay: RunningRelay) -> None:
    """Looking up a handle nobody has is not_found."""
    sam = await raw_user(relay.url, "sam")
    reply = await sam.call("user", handle="nobody")
    assert reply["type"] == "error" and reply["code"] == "not_found"


async def test_logout_ends_only_this_session(relay: RunningRelay) -> None:
    """After logout the connection is anonymous and its token dead; other sessions live on."""
    sam = await raw_user(relay.url, "sam")
    other = await raw_connect(relay.url)
    other_token = (await other.ok("login", handle="sam", password="pw-secret"))["token"]
    assert await sam.ok("logout") == {}
    assert (await sam.call("threads"))["code"] == "unauthorized"
    stranger = await raw_connect(relay.url)
    assert (await stranger.call("auth", token=sam.token))["code"] == "unauthorized"
    await other.ok("threads")
    await stranger.ok("auth", token=other_token)


async def test_logout_all_closes_other_sessions_with_4001(relay: RunningRelay) -> None:
    """logout_all ends every session: the others are closed with 4001, no token works."""
    sam = await raw_user(relay.url, "sam")
    second = await raw_connect(relay.url)
    second_token = (await second.ok("login", handle="sam", password="pw-secret"))["token"]
    third = await resume(relay.url, second_token, None)
    bob = await raw_user(relay.url, "bob")
    assert await sam.ok("logout_all") == {}
    assert await wait_closed(second) == 4001
    assert await wait_closed(third) == 4001
    assert (await sam.call("threads"))["code"] == "unauthorized"
    client = await raw_connect(relay.url)
    for token in (sam.token, second_token):
        assert (await client.call("auth", token=token))["code"] == "unauthorized"
    await bob.ok("threads")  # other accounts are untouched
    await client.ok("login", handle="sam", password="pw-secret")


async def test_change_password_needs_the_old_password(relay: RunningRelay) -> None:
    """A wrong old password is unauthorized and leaves the password unchanged."""
    sam = await raw_user(relay.url, "sam", password="pw-old")
    reply = await sam.call("change_password", old_password="pw-guess", new_password="pw-new")
    assert reply["type"] == "error" and reply["code"] == "unauthorized"
    await sam.ok("threads")  # still logged in
    client = await raw_connect(relay.url)
    await client.ok("login", handle="sam", password="pw-old")


async def test_change_password_refuses_a_short_new_password(relay: RunningRelay) -> None:
    """A new password under 4 characters is bad_request and the old one keeps working."""
    sam = await raw_user(relay.url, "sam", password="pw-old")
    reply = await sam.call("change_password", old_password="pw-old", new_password="abc")
    assert reply["type"] == "error" and reply["code"] == "bad_request"
    client = await raw_connect(relay.url)
    await client.ok("login", handle="sam", password="pw-old")


async def test_change_password_revokes_other_sessions(relay: RunningRelay) -> None:
    """After change_password the other sessions close with 4001; this one and the new password
    work, the old password and the other tokens do not."""
    sam = await raw_user(relay.url, "sam", password="pw-old")
    laptop = await raw_connect(relay.url)
    laptop_token = (await laptop.ok("login", handle="sam", password="pw-old"))["token"]
    await sam.ok("change_password", old_password="pw-old", new_password="pw-new")
    assert await wait_closed(laptop) == 4001
    await sam.ok("threads")
    client = await raw_connect(relay.url)
    assert (await client.call("auth", token=laptop_token))["code"] == "unauthorized"
    assert (await client.call("login", handle="sam", password="pw-old"))["code"] == "unauthorized"
    await client.ok("login", handle="sam", password="pw-new")
    again = await raw_connect(relay.url)
    await again.ok("auth", token=sam.token)  # the session that changed it survives
    [(stored,)] = db_rows(relay.db_path, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$")
