"""One coroutine per endpoint of ``chatshop.protocol.http_api.ENDPOINTS``: each turns the
call into the websocket requests a brand bot would send (``Send``, ``ShareProduct``,
``SendInvoice``, ``GetHistory``, ``GetOrder``, ``AdvanceOrder``) or, for what no request
does (an order placed elsewhere, an order update card without a step), into a store call;
the customer's consent is checked in every one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

from chatshop.protocol import limits
from chatshop.protocol.brand_frames import SendInvoice
from chatshop.protocol.errors import ErrorCode, ProtocolError
from chatshop.protocol.frames import GetHistory, Send
from chatshop.protocol.handles import bare
from chatshop.protocol.http_api import (
    AdvanceStep,
    CreateOrder,
    InvoiceSpec,
    OrderUpdateSpec,
    ProductCardSpec,
    SendMessage,
    Sent,
)
from chatshop.protocol.models import Message
from chatshop.protocol.money import check_currency
from chatshop.protocol.shop_frames import AdvanceOrder, GetOrder, ShareProduct
from chatshop_server.http_api.calls import Answer, Call, answer
from chatshop_server.rules.catalog import clean_address
from chatshop_server.storage.external_orders import ExternalLine, ExternalOrder

Route = Callable[[Call], Awaitable[Answer]]


def _customer(call: Call) -> str:
    return bare(call.param("customer"))


def _order_id(call: Call) -> int:
    found = call.number("order_id", call.param("order_id"))
    assert found is not None
    return found


async def send_message(call: Call) -> Answer:
    body = call.decode(SendMessage)
    if not body.text and body.card is None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, "send a text, a card or both")
    card = body.card
    if isinstance(card, InvoiceSpec):
        call.peer.require("invoices", "an invoice card")
    if isinstance(card, OrderUpdateSpec):
        call.peer.require("orders", "an order update card")
    stores, brand = call.peer.ctx.stores, call.caller.brand
    thread_id = await stores.api_optins.open_thread(brand.id, _customer(call))
    posted: list[Message] = []
    if isinstance(card, ProductCardSpec):
        share = ShareProduct(
            id=0,
            thread_id=thread_id,
            key=call.child_key("product"),
            brand=brand.handle,
            sku=card.sku,
            text=body.text,
        )
        posted.append(await call.peer.call(share))
        return answer(Sent(messages=posted), HTTPStatus.CREATED)
    if body.text:
        send = Send(id=0, thread_id=thread_id, text=body.text, key=call.child_key("text"))
        posted.append(await call.peer.call(send))
    if isinstance(card, InvoiceSpec):
        invoice = SendInvoice(
            id=0,
            brand=brand.handle,
            customer=_customer(call),
            reference=card.reference,
            lines=card.lines,
            currency=check_currency(card.currency),
            expires_in_hours=card.expires_in_hours,
        )
        posted.append((await call.peer.call(invoice)).message)
    elif isinstance(card, OrderUpdateSpec):
        posted.append(
            await stores.external_orders.post_update(
                brand.id, _customer(call), card.order_id, card.note
            )
        )
    return answer(Sent(messages=posted), HTTPStatus.CREATED)


async def read_thread(call: Call) -> Answer:
    query = call.request.query_params
    before = call.number("before", query.get("before"))
    limit = call.number("limit", query.get("limit"), limits.DEFAULT_HISTORY_PAGE)
    assert limit is not None
    stores = call.peer.ctx.stores
    thread_id = await stores.api_optins.thread(call.caller.brand.id, _customer(call))
    page = await call.peer.call(GetHistory(id=0, thread_id=thread_id, before=before, limit=limit))
    return answer(page)


async def create_order(call: Call) -> Answer:
    body = call.decode(CreateOrder)
    spec = ExternalOrder(
        brand_id=call.caller.brand.id,
        customer=bare(body.customer),
        external_id=body.external_id,
        lines=tuple(
            ExternalLine(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
            for line in body.lines
        ),
        total=body.total,
        address=clean_address(body.address),
        shipping_cost=body.shipping_cost,
        discount=body.discount,
        currency=None if body.currency is None else check_currency(body.currency),
        shipping=body.shipping,
    )
    order = await call.peer.ctx.stores.external_orders.place(spec)
    return answer(order, HTTPStatus.CREATED)


async def get_order(call: Call) -> Answer:
    order_id = _order_id(call)
    await call.peer.ctx.stores.external_orders.customer(call.caller.brand.id, order_id)
    order = await call.peer.call(GetOrder(id=0, order_id=order_id))
    return answer(order)


async def advance_order(call: Call) -> Answer:
    body = call.decode(AdvanceStep)
    order_id = _order_id(call)
    await call.peer.ctx.stores.external_orders.customer(call.caller.brand.id, order_id)
    step = AdvanceOrder(
        id=0,
        order_id=order_id,
        status=body.status,
        carrier=body.carrier,
        tracking=body.tracking,
        note=body.note,
    )
    order = await call.peer.call(step)
    return answer(order)


#: Each endpoint's coroutine, by ``Endpoint.name``.
ROUTES: dict[str, Route] = {
    "send_message": send_message,
    "read_thread": read_thread,
    "create_order": create_order,
    "get_order": get_order,
    "advance_order": advance_order,
}
