"""The typed calls a customer makes of a brand: follow, mute or unfollow it, pay its
invoices and its ready checkout cards, report a problem with an order, confirm one arrived.

    await client.brands.follow("northwind")
    paid = await client.brands.pay_checkout_card("northwind", message.id, key=new_key())

Each method is one request of ``protocol.brand_frames`` (or ``checkout`` with a card),
checked for its result type.
"""

from __future__ import annotations

from chatshop.client.namespace import Namespace
from chatshop.protocol.base import Ok
from chatshop.protocol.brand_frames import (
    ConfirmReceipt,
    Follow,
    FollowBrand,
    FollowList,
    ListFollows,
    PayInvoice,
    ReportOrderProblem,
    SetFollow,
    UnfollowBrand,
)
from chatshop.protocol.handles import bare
from chatshop.protocol.payment_frames import PaymentResult
from chatshop.protocol.shop_frames import Checkout, ReleaseThread, TakeThread
from chatshop.protocol.shop_models import CheckoutResult, Handover, Order


class BrandClient(Namespace):
    """A customer's calls about the brands they deal with (``ChatClient.brands``)."""

    # ------------------------------------------------------------------ following

    async def follow(self, brand: str, *, promotions: bool = True) -> Follow:
        return await self._ask(FollowBrand(id=0, brand=bare(brand), promotions=promotions), Follow)

    async def unfollow(self, brand: str) -> Ok:
        return await self._ask(UnfollowBrand(id=0, brand=bare(brand)), Ok)

    async def set_follow(
        self, brand: str, *, promotions: bool | None = None, muted: bool | None = None
    ) -> Follow:
        request = SetFollow(id=0, brand=bare(brand), promotions=promotions, muted=muted)
        return await self._ask(request, Follow)

    async def follows(self) -> FollowList:
        return await self._ask(ListFollows(id=0), FollowList)

    # ------------------------------------------------------------------ paying

    async def pay_invoice(self, invoice_id: int, *, key: str) -> PaymentResult:
        return await self._ask(PayInvoice(id=0, invoice_id=invoice_id, key=key), PaymentResult)

    async def pay_checkout_card(
        self, brand: str, card_message_id: int, *, key: str, expected_total: int | None = None
    ) -> CheckoutResult:
        """Pay the checkout card posted as message ``card_message_id``: its items, its
        shipping and its offer, re-checked now (``expected_total``: refuse another total)."""
        request = Checkout(
            id=0,
            brand=bare(brand),
            key=key,
            card_message_id=card_message_id,
            expected_total=expected_total,
        )
        return await self._ask(request, CheckoutResult)

    # ------------------------------------------------------------------ after the order

    async def report_problem(self, order_id: int, text: str = "") -> Handover:
        return await self._ask(ReportOrderProblem(id=0, order_id=order_id, text=text), Handover)

    async def confirm_receipt(self, order_id: int) -> Order:
        return await self._ask(ConfirmReceipt(id=0, order_id=order_id), Order)

    # ------------------------------------------------------------------ staff

    async def take_thread(self, thread_id: int) -> Handover:
        """Staff: answer this brand thread yourself (the assistant stays quiet)."""
        return await self._ask(TakeThread(id=0, thread_id=thread_id), Handover)

    async def release_thread(self, thread_id: int) -> Handover:
        """Staff: hand this brand thread back to the brand's assistant."""
        return await self._ask(ReleaseThread(id=0, thread_id=thread_id), Handover)
