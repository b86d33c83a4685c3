"""The brand HTTP API on a real relay's own loopback port, called with a real httpx client:
bearer bot tokens and their scopes, consent, idempotency, errors, the rate limit, and a
brand's own shop following an order through delivery in the customer's thread."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import msgspec
import pytest
from tools import openapi

from chatshop.protocol import http_api
from chatshop_server.cli import build_parser, config_from_args
from chatshop_server.http_api.routes import ROUTES
from conftest import RunningRelay, fresh_db, send_text
from payments_support import Person
from shop_support import ADDRESS, Shop, card_message, coat, open_shop, simple
from test_bot_sdk import as_bot
from waiting import until
from webhook_support import Receiver

ALL_SCOPES = ["read", "answer", "orders", "invoices"]


@pytest.fixture
async def api_relay(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay with the brand HTTP API on a free port (and webhooks allowed to loopback)."""
    running = RunningRelay(
        fresh_db(schema_template, tmp_path / "api.db"), api_port=0, webhook_private_targets=True
    )
    await running.start()
    yield running
    await running.stop()


def api_url(relay: RunningRelay) -> str:
    assert relay.relay is not None
    return relay.relay.api_url + http_api.PREFIX


async def token(shop: Shop, scopes: list[str] = ALL_SCOPES, name: str = "site") -> str:
    created = await shop.staff.ok("bot_token_create", brand=shop.handle, name=name, scopes=scopes)
    found: str = created["token"]
    return found


def client(relay: RunningRelay, bearer: str | None) -> httpx.AsyncClient:
    headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
    return httpx.AsyncClient(base_url=api_url(relay), headers=headers, timeout=10)


async def shop_with_customer(relay: RunningRelay, *, allow: bool = True) -> tuple[Shop, Person]:
    shop = await open_shop(relay)
    await shop.save(coat())
    await shop.save(simple("SCARF", "Wool scarf", 3900, 10))
    sam = await shop.customer("sam")
    if allow:
        allowed = await sam.ok("api_allow", brand="northwind")
        assert allowed["allowed"] is True and allowed["brand"]["handle"] == "northwind"
    return shop, sam


def order_body(external_id: str = "WEB-1001", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": external_id,
        "customer": "sam",
        "lines": [{"sku": "COAT-42L"}, {"sku": "SCARF", "quantity": 2, "unit_price": 3500}],
        "total": 19900 + 7000 + 490,
        "shipping_cost": 490,
        "address": ADDRESS,
    }
    return {**body, **fields}


def error_of(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_sending_a_message_and_each_card_to_a_customer_who_opted_in(
    api_relay: RunningRelay,
) -> None:
    """Text, a product card with text, an invoice and an order update card each reach sam's
    thread with the brand, live over his websocket, and the thread reads back in pages."""
    shop, sam = await shop_with_customer(api_relay)
    async with client(api_relay, await token(shop)) as api:
        hello = await api.post("/brands/northwind/customers/sam/messages", json={"text": "Hi!"})
        assert hello.status_code == 201, hello.text
        thread = hello.json()["messages"][0]["thread_id"]
        product = await api.post(
            "/brands/northwind/customers/sam/messages",
            json={"text": "Back in stock", "card": {"kind": "product", "sku": "COAT-42L"}},
        )
        assert product.status_code == 201, product.text
        [card] = product.json()["messages"]
        assert card["card"]["kind"] == "product" and card["text"] == "Back in stock"
        invoice = await api.post(
            "/brands/northwind/customers/sam/messages",
            json={
                "card": {
                    "kind": "invoice",
                    "reference": "ALT-7",
                    "lines": [{"label": "Hem alteration", "amount": 1500}],
                    "currency": "EUR",
                }
            },
        )
        assert invoice.status_code == 201, invoice.text
        order = (await api.post("/brands/northwind/orders", json=order_body())).json()
        update = await api.post(
            "/brands/northwind/customers/sam/messages",
            json={
                "text": "A small delay, sorry",
                "card": {"kind": "order_update", "order_id": order["id"], "note": "a day late"},
            },
        )
        assert update.status_code == 201, update.text
        assert update.json()["messages"][0]["card"] is None
        assert update.json()["messages"][1]["card"]["note"] == "a day late"
        await sam.client.wait_event(card_message(thread, "invoice", reference="ALT-7"))
        await sam.client.wait_event(card_message(thread, "order_update", note="a day late"))
        first = await api.get("/brands/northwind/customers/sam/messages", params={"limit": 3})
        assert first.status_code == 200, first.text
        page = first.json()
        assert page["more"] is True and len(page["messages"]) == 3
        older = await api.get(
            "/brands/northwind/customers/sam/messages",
            params={"before": page["messages"][0]["seq"], "limit": 50},
        )
        texts = [m["text"] for m in older.json()["messages"] + page["messages"]]
        assert texts[:2] == ["Hi!", "Back in stock"]
        assert texts[-2:] == ["A small delay, sorry", ""]


async def test_tokens_sessions_and_scopes_are_checked_on_every_call(
    api_relay: RunningRelay,
) -> None:
    """No token, an unknown one, a person's session token and a revoked bot token are 401
    with ``unauthorized``; a token without the scope is 403 ``forbidden``."""
    shop, sam = await shop_with_customer(api_relay)
    path = "/brands/northwind/customers/sam/messages"
    for bearer in (None, "nope", sam.client.token, shop.staff.client.token):
        async with client(api_relay, bearer) as api:
            refused = await api.post(path, json={"text": "hi"})
        assert refused.status_code == 401 and error_of(refused) == "unauthorized", refused.text
        assert refused.headers["www-authenticate"].startswith("Bearer")
    reader = await token(shop, ["read"], name="reader")
    async with client(api_relay, reader) as api:
        refused = await api.post(path, json={"text": "hi"})
        assert refused.status_code == 403 and error_of(refused) == "forbidden"
        assert "answer" in refused.json()["error"]["message"]
        refused = await api.post("/brands/northwind/orders", json=order_body())
        assert refused.status_code == 403 and error_of(refused) == "forbidden"
        no_thread = await api.get(path)
        assert no_thread.status_code == 404 and error_of(no_thread) == "not_found"
        await shop.thread_with(sam)
        assert (await api.get(path)).status_code == 200
    answerer = await token(shop, ["answer"], name="answerer")
    async with client(api_relay, answerer) as api:
        lines = [{"label": "Hem", "amount": 900}]
        invoice = {"kind": "invoice", "reference": "R", "lines": lines, "currency": "EUR"}
        refused = await api.post(path, json={"card": invoice})
        assert refused.status_code == 403 and "invoices" in refused.json()["error"]["message"]
    live = await token(shop, name="short-lived")
    async with client(api_relay, live) as api:
        assert (await api.post(path, json={"text": "still here"})).status_code == 201
        bots = await shop.staff.ok("bot_tokens", brand="northwind")
        bot_id = next(b["bot_id"] for b in bots["bots"] if b["name"] == "short-lived")
        await shop.staff.ok("bot_token_revoke", brand="northwind", bot_id=bot_id)
        revoked = await api.post(path, json={"text": "gone"})
        assert revoked.status_code == 401 and error_of(revoked) == "unauthorized"


async def test_opting_in_then_revoking_and_other_brands(api_relay: RunningRelay) -> None:
    """Without consent the API answers 403 ``not_opted_in``; api_allow lets it through;
    api_revoke stops the very next call; another brand's token is refused on this brand's
    paths (403) and cannot see this brand's orders (404), nor reach sam without his consent."""
    shop, sam = await shop_with_customer(api_relay, allow=False)
    path = "/brands/northwind/customers/sam/messages"
    async with client(api_relay, await token(shop)) as api:
        refused = await api.post(path, json={"text": "hi"})
        assert refused.status_code == 403 and error_of(refused) == "not_opted_in"
        refused = await api.get(path)
        assert refused.status_code == 403 and error_of(refused) == "not_opted_in"
        refused = await api.post("/brands/northwind/orders", json=order_body())
        assert refused.status_code == 403 and error_of(refused) == "not_opted_in"
        await sam.ok("api_allow", brand="@northwind")
        listed = await sam.ok("api_optins")
        assert [o["brand"]["handle"] for o in listed["optins"]] == ["northwind"]
        assert (await api.post(path, json={"text": "hi"})).status_code == 201
        order = (await api.post("/brands/northwind/orders", json=order_body())).json()
        await sam.ok("api_revoke", brand="northwind")
        assert (await sam.ok("api_optins"))["optins"] == []
        for refused in (
            await api.post(path, json={"text": "again"}),
            await api.get(f"/brands/northwind/orders/{order['id']}"),
            await api.post(
                f"/brands/northwind/orders/{order['id']}/steps", json={"status": "confirmed"}
            ),
        ):
            assert refused.status_code == 403 and error_of(refused) == "not_opted_in"
    await shop.brand.refused("forbidden", "api_allow", brand="northwind")  # people consent
    other = await open_shop(api_relay, handle="southwind", staff="sofia")
    await sam.ok("api_allow", brand="northwind")
    async with client(api_relay, await token(other)) as api:
        refused = await api.post(path, json={"text": "from southwind"})
        assert refused.status_code == 403 and error_of(refused) == "forbidden"
        refused = await api.get(f"/brands/southwind/orders/{order['id']}")
        assert refused.status_code == 404 and error_of(refused) == "not_found"
        refused = await api.post(
            f"/brands/southwind/orders/{order['id']}/steps", json={"status": "confirmed"}
        )
        assert refused.status_code == 404 and error_of(refused) == "not_found"
        refused = await api.post("/brands/southwind/customers/sam/messages", json={"text": "x"})
        assert refused.status_code == 403 and error_of(refused) == "not_opted_in"
    await sam.refused("bad_request", "api_allow")
    bot = await token(shop, name="consenting-bot")
    as_brand = await as_bot(api_relay, bot)
    await as_brand.refused("forbidden", "api_allow", brand="northwind")


async def test_an_idempotency_key_answers_a_retry_once_and_refuses_another_body(
    api_relay: RunningRelay,
) -> None:
    """The same key and body answer the first status and body again without a second
    message or order; the key with another body is 409 ``idempotency_mismatch``; an error is
    not kept, so the key works once the cause is gone."""
    shop, sam = await shop_with_customer(api_relay)
    async with client(api_relay, await token(shop)) as api:
        path = "/brands/northwind/customers/sam/messages"
        headers = {"Idempotency-Key": "msg-1"}
        first = await api.post(path, json={"text": "once"}, headers=headers)
        again = await api.post(path, json={"text": "once"}, headers=headers)
        assert (first.status_code, first.content) == (again.status_code, again.content)
        assert again.headers["idempotent-replayed"] == "true"
        other = await api.post(path, json={"text": "twice"}, headers=headers)
        assert other.status_code == 409 and error_of(other) == "idempotency_mismatch"
        history = (await api.get(path)).json()["messages"]
        assert [m["text"] for m in history].count("once") == 1
        headers = {"Idempotency-Key": "order-1"}
        created = await api.post("/brands/northwind/orders", json=order_body(), headers=headers)
        retried = await api.post("/brands/northwind/orders", json=order_body(), headers=headers)
        assert created.status_code == retried.status_code == 201
        assert created.json() == retried.json()
        orders = await sam.ok("orders")
        assert [o["external_id"] for o in orders["orders"]] == ["WEB-1001"]
        duplicate = await api.post("/brands/northwind/orders", json=order_body())
        assert duplicate.status_code == 409 and error_of(duplicate) == "conflict"
        await sam.ok("api_revoke", brand="northwind")
        headers = {"Idempotency-Key": "later"}
        refused = await api.post(path, json={"text": "later"}, headers=headers)
        assert refused.status_code == 403
        await sam.ok("api_allow", brand="northwind")
        assert (await api.post(path, json={"text": "later"}, headers=headers)).status_code == 201
        long_key = {"Idempotency-Key": "k" * (http_api.MAX_IDEMPOTENCY_KEY_CHARS + 1)}
        refused = await api.post(path, json={"text": "x"}, headers=long_key)
        assert refused.status_code == 400 and error_of(refused) == "bad_request"


async def test_malformed_oversized_and_unknown_requests_get_json_errors(
    api_relay: RunningRelay,
) -> None:
    """Broken JSON, wrong types and unknown fields are 400 ``bad_request``; a body over the
    limit 413 ``too_large``; unknown ids, customers and paths 404 ``not_found``; a wrong
    step 409 ``invalid_transition``; a wrong total 400 ``invalid_amount``."""
    shop, _sam = await shop_with_customer(api_relay)
    async with client(api_relay, await token(shop)) as api:
        path = "/brands/northwind/customers/sam/messages"
        for body in (b"{not json", b'{"text": 5}', b'{"text": "x", "extra": 1}', b"[]", b""):
            refused = await api.post(
                path, content=body, headers={"Content-Type": "application/json"}
            )
            assert refused.status_code == 400 and error_of(refused) == "bad_request", body
        empty = await api.post(path, json={})
        assert empty.status_code == 400
        huge = await api.post(path, json={"text": "x" * (http_api.MAX_BODY_BYTES + 1)})
        assert huge.status_code == 413 and error_of(huge) == "too_large"
        for missing in (
            await api.post("/brands/northwind/customers/nobody/messages", json={"text": "x"}),
            await api.get("/brands/northwind/orders/999"),
            await api.get("/brands/northwind/nothing-here"),
            await api.post("/brands/northwind/orders", json=order_body(lines=[{"sku": "NOPE"}])),
        ):
            assert missing.status_code == 404 and error_of(missing) == "not_found", missing.text
        wrong_total = await api.post("/brands/northwind/orders", json=order_body(total=1))
        assert wrong_total.status_code == 400 and error_of(wrong_total) == "invalid_amount"
        order = (await api.post("/brands/northwind/orders", json=order_body())).json()
        steps = f"/brands/northwind/orders/{order['id']}/steps"
        skipped = await api.post(steps, json={"status": "shipped", "carrier": "C", "tracking": "T"})
        assert skipped.status_code == 409 and error_of(skipped) == "invalid_transition"
        bad_status = await api.post(steps, json={"status": "teleported"})
        assert bad_status.status_code == 400
        bad_query = await api.get(path, params={"limit": "lots"})
        assert bad_query.status_code == 400 and error_of(bad_query) == "bad_request"
        wrong_method = await api.delete(steps)
        assert wrong_method.status_code == 405 and error_of(wrong_method) == "bad_request"


async def test_a_token_over_its_rate_gets_429_with_retry_after(
    tmp_path: Path, schema_template: Path
) -> None:
    """Past its burst a token is answered 429 ``rate_limited`` with ``Retry-After`` in whole
    seconds; another token of the same brand is not slowed."""
    running = RunningRelay(
        fresh_db(schema_template, tmp_path / "rate.db"),
        api_port=0,
        api_rate_per_second=0.5,
        api_rate_burst=3,
    )
    await running.start()
    try:
        shop, _sam = await shop_with_customer(running)
        async with client(running, await token(shop)) as api:
            answers = [await api.get("/brands/northwind/orders/1") for _ in range(4)]
            assert [a.status_code for a in answers[:3]] == [404, 404, 404]
            limited = answers[3]
            assert limited.status_code == 429 and error_of(limited) == "rate_limited"
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.json()["error"]["retry_after"] == int(limited.headers["retry-after"])
        async with client(running, await token(shop, name="second")) as api:
            assert (await api.get("/brands/northwind/orders/1")).status_code == 404
    finally:
        await running.stop()


async def test_an_order_from_the_brands_own_website_is_followed_to_delivery(
    api_relay: RunningRelay,
) -> None:
    """The website creates sam's order through the API and advances it through confirmed,
    preparing, shipped and delivered: the receipt and each step appear in his thread (read
    over his websocket), in his ``orders`` list, and at the brand's CRM webhook; money moves
    nowhere here, and he cannot cancel it on the relay."""
    receiver = Receiver()
    receiver.start()
    try:
        shop, sam = await shop_with_customer(api_relay)
        await shop.staff.ok("webhook_add", brand="northwind", url=receiver.url, kinds=["order"])
        async with client(api_relay, await token(shop)) as api:
            created = await api.post("/brands/northwind/orders", json=order_body())
            assert created.status_code == 201, created.text
            order = created.json()
            assert order["external_id"] == "WEB-1001" and order["status"] == "placed"
            assert order["total"] == 27390 and order["lines"][1]["unit_price"] == 3500
            thread = order["thread_id"]
            await sam.client.wait_event(card_message(thread, "receipt", number=order["number"]))
            steps = f"/brands/northwind/orders/{order['id']}/steps"
            for step in (
                {"status": "confirmed"},
                {"status": "preparing", "note": "packing now"},
                {"status": "shipped", "carrier": "Colissimo", "tracking": "6A123"},
                {"status": "delivered"},
            ):
                moved = await api.post(steps, json=step, headers={"Idempotency-Key": str(step)})
                assert moved.status_code == 200, moved.text
                assert moved.json()["status"] == step["status"]
                await sam.client.wait_event(
                    card_message(thread, "order_update", status=step["status"])
                )
            shipped = next(
                e["message"]["card"]
                for e in sam.events
                if card_message(thread, "order_update", status="shipped")(e)
            )
            assert (shipped["carrier"], shipped["tracking"]) == ("Colissimo", "6A123")
            listed = await sam.ok("orders")
            assert [(o["number"], o["status"]) for o in listed["orders"]] == [
                (order["number"], "delivered")
            ]
            assert [s["status"] for s in listed["orders"][0]["steps"]] == [
                "placed",
                "confirmed",
                "preparing",
                "shipped",
                "delivered",
            ]
            got = await api.get(f"/brands/northwind/orders/{order['id']}")
            assert got.json()["status"] == "delivered"
            conforms("Order", got.json())
            conforms("ApiError", (await api.get("/brands/northwind/orders/9999")).json())
        wallet = await sam.ok("wallet")
        assert all(b["amount"] == 0 for b in wallet["balances"])
        await sam.refused("forbidden", "order_cancel", order_id=order["id"])
        await shop.staff.refused("forbidden", "order_refund", order_id=order["id"])
        await send_text(sam.client, thread, "Thanks, it arrived!")

        def crm_statuses() -> list[str]:
            return [
                json.loads(r.body)["data"]["order"]["status"] for r in receiver.of_kind("order")
            ]

        await until(lambda: crm_statuses()[-1:] == ["delivered"])
        assert crm_statuses() == ["placed", "confirmed", "preparing", "shipped", "delivered"]
    finally:
        receiver.stop()


def conforms(schema: str, value: Any) -> None:
    """``value`` is valid against the committed OpenAPI document's schema ``schema``."""
    document = json.loads(openapi.default_path().read_text(encoding="utf-8"))
    root = {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
    jsonschema.Draft202012Validator(root).validate(value)


def test_the_committed_openapi_document_is_current() -> None:
    """docs/openapi.json is what tools/openapi.py makes from the code now."""
    committed = openapi.default_path().read_text(encoding="utf-8")
    assert committed == openapi.render(), f"stale: regenerate with {openapi.REGENERATE_COMMAND}"
    assert openapi.main(["--check"]) == 0


def test_openapi_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    """--check names the command when the file differs."""
    stale = tmp_path / "openapi.json"
    stale.write_text("{}", encoding="utf-8")
    assert openapi.main(["--check", "--out", str(stale)]) == 1
    assert openapi.main(["--out", str(stale)]) == 0
    assert openapi.main(["--check", "--out", str(stale)]) == 0


def test_every_endpoint_has_its_route_and_every_body_field_a_meaning() -> None:
    """The relay serves exactly the documented endpoints, and each field of a body the API
    takes or gives is explained (no note outlives its field)."""
    assert set(ROUTES) == {e.name for e in http_api.ENDPOINTS}
    for cls in http_api.RECORD_TYPES:
        for name in cls.__struct_fields__:
            assert f"{cls.__name__}.{name}" in http_api.FIELD_NOTES, f"{cls.__name__}.{name}"
    fields = {f"{c.__name__}.{n}" for c in http_api.RECORD_TYPES for n in c.__struct_fields__}
    assert set(http_api.FIELD_NOTES) <= fields
    for endpoint in http_api.ENDPOINTS:
        for kind in (endpoint.body, endpoint.answer):
            if kind is not None:
                assert isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def test_the_relay_cli_offers_the_api_port() -> None:
    """``--api-port`` is in ``--help``; the API is off unless asked for, and ``--seed-demo``
    turns it on beside a fixed relay port."""
    parser = build_parser()
    assert "--api-port" in parser.format_help()
    assert config_from_args(parser.parse_args([])).api_port is None
    assert config_from_args(parser.parse_args(["--api-port", "0"])).api_port == 0
    demo = parser.parse_args(["--seed-demo", "--port", "9100", "--api-rate-limit", "2"])
    assert config_from_args(demo).api_port == 9101
    assert config_from_args(demo).api_rate_per_second == 2
    assert config_from_args(parser.parse_args(["--seed-demo", "--port", "0"])).api_port is None
