"""The typed shop client: one method per shopping request, each building its frame with
named, typed fields and returning the relay's result struct, checked for its type.

    page = await client.shop.catalog("northwind")
    cart = await client.shop.cart_add(message_id=card_message.id, sku="NW-COAT-42L")

Keyed calls (``share``, ``checkout``) take the caller's idempotency key: a screen makes one
when it opens, so a retried confirm is answered ``replayed`` instead of charging twice.
"""

from __future__ import annotations

from chatshop.client.namespace import Namespace
from chatshop.protocol.cards import OrderStatus
from chatshop.protocol.handles import bare
from chatshop.protocol.models import Message
from chatshop.protocol.shop_frames import (
    AddToCart,
    AdvanceOrder,
    CancelOrder,
    Checkout,
    CheckoutPreview,
    GetAddress,
    GetBrand,
    GetCart,
    GetCatalog,
    GetHandover,
    GetProduct,
    ListCarts,
    ListOrders,
    RefundOrder,
    RemoveCartLine,
    RequestPerson,
    Scan,
    Search,
    SetCartPromo,
    ShareProduct,
    UpdateCartLine,
)
from chatshop.protocol.shop_models import (
    Address,
    AddressResult,
    BrandProfile,
    Cart,
    CartList,
    CheckoutQuote,
    CheckoutResult,
    Handover,
    LineSpec,
    Order,
    OrderPage,
    OrderRole,
    ProductPage,
    ProductResult,
)


def handle_of(brand: str) -> str:
    """``@northwind`` -> ``northwind``."""
    return bare(brand)


def _brand(brand: str | None) -> str | None:
    return handle_of(brand) if brand else None


class ShopClient(Namespace):
    """Shopping calls over one connection (``ChatClient.shop``)."""

    # ------------------------------------------------------------------ catalogue

    async def brand(self, handle: str) -> BrandProfile:
        return await self._ask(GetBrand(id=0, handle=handle_of(handle)), BrandProfile)

    async def catalog(self, brand: str, offset: int = 0) -> ProductPage:
        return await self._ask(GetCatalog(id=0, brand=handle_of(brand), offset=offset), ProductPage)

    async def product(
        self, product_id: int | None = None, *, brand: str | None = None, sku: str | None = None
    ) -> ProductResult:
        request = GetProduct(id=0, product_id=product_id, brand=_brand(brand), sku=sku)
        return await self._ask(request, ProductResult)

    async def search(self, text: str, brand: str | None = None) -> ProductPage:
        return await self._ask(Search(id=0, text=text, brand=_brand(brand)), ProductPage)

    async def scan(self, code: str) -> ProductResult:
        return await self._ask(Scan(id=0, code=code), ProductResult)

    async def share(
        self, thread_id: int, key: str, *, brand: str, sku: str, text: str = ""
    ) -> Message:
        """Staff share a product card into a thread; the message holding it."""
        request = ShareProduct(
            id=0, thread_id=thread_id, key=key, brand=handle_of(brand), sku=sku, text=text
        )
        return await self._ask(request, Message)

    # ------------------------------------------------------------------ cart

    async def cart(self, brand: str) -> Cart:
        return await self._ask(GetCart(id=0, brand=handle_of(brand)), Cart)

    async def carts(self) -> CartList:
        return await self._ask(ListCarts(id=0), CartList)

    async def cart_add(
        self,
        *,
        message_id: int | None = None,
        product_id: int | None = None,
        brand: str | None = None,
        sku: str | None = None,
        quantity: int = 1,
    ) -> Cart:
        """Add to a cart: from a product card message (``#cart``), or a product / SKU."""
        request = AddToCart(
            id=0,
            message_id=message_id,
            product_id=product_id,
            brand=_brand(brand),
            sku=sku,
            quantity=quantity,
        )
        return await self._ask(request, Cart)

    async def cart_update(self, variant_id: int, quantity: int) -> Cart:
        return await self._ask(UpdateCartLine(id=0, variant_id=variant_id, quantity=quantity), Cart)

    async def cart_remove(self, variant_id: int) -> Cart:
        return await self._ask(RemoveCartLine(id=0, variant_id=variant_id), Cart)

    async def cart_promo(self, brand: str, code: str | None) -> Cart:
        return await self._ask(SetCartPromo(id=0, brand=handle_of(brand), code=code), Cart)

    # ------------------------------------------------------------------ checkout

    async def address(self) -> Address | None:
        return (await self._ask(GetAddress(id=0), AddressResult)).address

    async def quote(
        self,
        brand: str,
        *,
        items: list[LineSpec] | None = None,
        shipping: str | None = None,
        promo: str | None = None,
    ) -> CheckoutQuote:
        request = CheckoutPreview(
            id=0, brand=handle_of(brand), items=items, shipping=shipping, promo=promo
        )
        return await self._ask(request, CheckoutQuote)

    async def checkout(
        self,
        brand: str,
        key: str,
        *,
        expected_total: int,
        items: list[LineSpec] | None = None,
        shipping: str | None = None,
        promo: str | None = None,
        address: Address | None = None,
    ) -> CheckoutResult:
        request = Checkout(
            id=0,
            brand=handle_of(brand),
            key=key,
            items=items,
            shipping=shipping,
            promo=promo,
            expected_total=expected_total,
            address=address,
        )
        return await self._ask(request, CheckoutResult)

    # ------------------------------------------------------------------ orders

    async def orders(self, role: OrderRole = "customer", brand: str | None = None) -> OrderPage:
        return await self._ask(ListOrders(id=0, role=role, brand=_brand(brand)), OrderPage)

    async def advance(
        self,
        order_id: int,
        status: OrderStatus,
        *,
        carrier: str | None = None,
        tracking: str | None = None,
    ) -> Order:
        request = AdvanceOrder(
            id=0, order_id=order_id, status=status, carrier=carrier, tracking=tracking
        )
        return await self._ask(request, Order)

    async def refund(self, order_id: int, reason: str = "") -> Order:
        return await self._ask(RefundOrder(id=0, order_id=order_id, reason=reason), Order)

    async def cancel(self, order_id: int, reason: str = "") -> Order:
        """Cancel your own order before it ships (refund to your wallet, stock restored)."""
        return await self._ask(CancelOrder(id=0, order_id=order_id, reason=reason), Order)

    # ------------------------------------------------------------------ hand-over

    async def handover(self, thread_id: int) -> Handover:
        """Who answers a brand thread now."""
        return await self._ask(GetHandover(id=0, thread_id=thread_id), Handover)

    async def ask_for_person(self, thread_id: int) -> Handover:
        """Ask for a person in a brand thread (the assistant steps back)."""
        return await self._ask(RequestPerson(id=0, thread_id=thread_id), Handover)
