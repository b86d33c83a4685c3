"""The relay's business rules as pure functions: no relay, no database."""

from __future__ import annotations

import pytest

from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.models import User
from chatshop.protocol.shop_models import Address, PromoApplied, ShippingOption
from chatshop_server.rules.checkout import (
    Basket,
    BrandInfo,
    PricedLine,
    PromoCheck,
    PromoRule,
    check_checkout,
    promo_discount,
    promo_problem,
    sold_out,
)
from chatshop_server.rules.identity import skeleton
from chatshop_server.rules.media import MediaQuota, MediaUsage, check_quota
from chatshop_server.rules.money import check_topup, equal_shares, transfer_limit
from chatshop_server.throttle import LoginThrottle

BRAND = BrandInfo(
    user=User(id=1, handle="northwind", display_name="Northwind", kind="brand"),
    description="",
    verified=True,
    currency="EUR",
    shipping=[ShippingOption(code="standard", name="Standard", price=490)],
    assistant=True,
)
ADDRESS = Address(name="Sam", line1="1 Quay", postcode="69002", city="Lyon", country="FR")


def rule(**changes: object) -> PromoRule:
    fields: dict[str, object] = {
        "code": "WELCOME20",
        "kind": "percent",
        "value": 20,
        "currency": "EUR",
        "active": True,
        "expires_at": None,
        "max_uses": None,
        "uses": 0,
        "max_uses_per_customer": 1,
        "min_basket": 0,
    }
    return PromoRule(**{**fields, **changes})  # type: ignore[arg-type]


def line(quantity: int = 1, available: int = 3, buyable: bool = True) -> PricedLine:
    return PricedLine(
        variant_id=5,
        product_id=2,
        sku="COAT-42L",
        title="Harbor sport coat",
        label="42L",
        quantity=quantity,
        unit_price=19_900,
        price_when_added=19_900,
        available=available,
        buyable=buyable,
        image=None,
    )


def basket(**changes: object) -> Basket:
    fields: dict[str, object] = {
        "brand": BRAND,
        "lines": [line()],
        "from_cart": True,
        "subtotal": 19_900,
        "promo": None,
        "shipping": BRAND.shipping[0],
        "address": ADDRESS,
    }
    return Basket(**{**fields, **changes})  # type: ignore[arg-type]


def test_promo_codes_apply_in_their_window_and_limits() -> None:
    assert promo_problem(rule(), used_by_me=0, subtotal=100, now=5) == ""
    assert "no longer valid" in promo_problem(rule(active=False), used_by_me=0, subtotal=1, now=5)
    assert "expired" in promo_problem(rule(expires_at=5), used_by_me=0, subtotal=1, now=5)
    assert "used up" in promo_problem(rule(max_uses=3, uses=3), used_by_me=0, subtotal=1, now=1)
    assert "already used" in promo_problem(rule(), used_by_me=1, subtotal=1, now=1)
    assert "EUR 50.00" in promo_problem(rule(min_basket=5000), used_by_me=0, subtotal=4999, now=1)


def test_promo_discounts_round_down_and_never_exceed_the_subtotal() -> None:
    assert promo_discount(rule(value=20), 19_999) == 3_999
    assert promo_discount(rule(kind="amount", value=5_000), 3_000) == 3_000


def test_a_checkout_needs_an_address_a_valid_promo_the_shown_total_and_the_limit() -> None:
    check_checkout(basket(), expected_total=20_390, max_amount=1_000_000)
    cases = [
        (basket(address=None), 20_390, ErrorCode.ADDRESS_REQUIRED),
        (basket(lines=[line(buyable=False)]), 20_390, ErrorCode.GONE),
        (basket(), 20_000, ErrorCode.PRICE_CHANGED),
    ]
    bad_promo = PromoCheck(
        PromoApplied(code="X", kind="percent", value=1, discount=0, valid=False, problem="no"),
        None,
    )
    cases.append((basket(promo=bad_promo), 20_390, ErrorCode.PROMO_INVALID))
    for value, expected, code in cases:
        with pytest.raises(ProtocolError) as refused:
            check_checkout(value, expected_total=expected, max_amount=1_000_000)
        assert refused.value.code is code
    with pytest.raises(ProtocolError) as over:
        check_checkout(basket(), expected_total=None, max_amount=20_000)
    assert over.value.code is ErrorCode.LIMIT_EXCEEDED
    assert "sold out" in sold_out(line(), 0).message
    assert "only 1 left" in sold_out(line(quantity=2), 1).message


def test_money_limits_and_shares() -> None:
    assert transfer_limit("EUR", 500) == 50_000
    assert transfer_limit("JPY", 500) == 500
    assert sum(equal_shares(1_000, 3)) == 1_000 and max(equal_shares(1_000, 3)) == 334
    check_topup(50_000, "EUR", topped_up=150_000, per_topup=50_000, per_day=200_000)
    with pytest.raises(ProtocolError) as daily:
        check_topup(1, "EUR", topped_up=200_000, per_topup=50_000, per_day=200_000)
    assert daily.value.code is ErrorCode.LIMIT_EXCEEDED and "0 are left" in daily.value.message


def test_media_quota_names_the_quota_that_would_be_passed() -> None:
    quota = MediaQuota(account_files_per_day=2, brand_bytes=100)
    usage = MediaUsage(
        account_files_today=1, account_bytes_today=10, brand_files=1, brand_bytes=10, total_bytes=10
    )
    check_quota(50, usage, quota)
    with pytest.raises(ProtocolError) as bytes_over:
        check_quota(91, usage, quota)
    assert "bytes per brand" in bytes_over.value.message
    with pytest.raises(ProtocolError) as files_over:
        check_quota(1, MediaUsage(2, 0, 0, 0, 0), quota)
    assert files_over.value.code is ErrorCode.QUOTA_EXCEEDED


@pytest.mark.parametrize(
    ("one", "other", "alike"),
    [
        ("northwind", "n0rthwind", True),
        ("northwind", "North.Wind", True),
        ("northwind", "n\u043erthwind", True),  # Cyrillic o
        ("modern", "rnodern", True),
        ("alice", "AIice", True),  # capital i for l
        ("Northwind Outfitters", "N\uff4frthwind  Outfitters!", True),  # fullwidth o
        ("bar", "bat", False),
        ("sam", "samuel", False),
    ],
)
def test_look_alike_names_share_a_skeleton(one: str, other: str, alike: bool) -> None:
    assert (skeleton(one) == skeleton(other)) is alike


def test_the_login_throttle_doubles_its_wait_and_trusts_known_addresses() -> None:
    now = [0]
    throttle = LoginThrottle(clock=lambda: now[0], free=2, free_per_account=3)
    for _ in range(2):
        throttle.check("sam", "1.1.1.1")
        throttle.failed("sam", "1.1.1.1")
    with pytest.raises(ProtocolError) as first:
        throttle.check("sam", "1.1.1.1")
    assert first.value.retry_after == 1.0
    now[0] += 1000
    throttle.failed("sam", "1.1.1.1")
    with pytest.raises(ProtocolError) as second:
        throttle.check("sam", "1.1.1.1")
    assert second.value.retry_after == 2.0
    with pytest.raises(ProtocolError):  # the account's limit: 3 failures from anywhere
        throttle.check("sam", "2.2.2.2")
    throttle.succeeded("sam", "3.3.3.3")
    throttle.check("sam", "3.3.3.3")  # a known address is not held back by others
    assert throttle.failures == 3 and throttle.throttled == 3
