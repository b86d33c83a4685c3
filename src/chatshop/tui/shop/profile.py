"""A brand's profile: its name and verified mark, what it says of itself, a few of its
products, whether you follow it, and the keys to follow, mute, unfollow or message it.

It closes with the brand's thread when you press Message (the caller opens it).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from chatshop import safetext
from chatshop.protocol.base import Ok
from chatshop.protocol.brand_frames import Follow, FollowList
from chatshop.protocol.handles import bare
from chatshop.protocol.models import Thread
from chatshop.protocol.shop_models import BrandProfile, ProductPage
from chatshop.tui.shop import render
from chatshop.tui.shop.base import ShopScreen
from chatshop.tui.shop.product import ProductScreen

PRODUCTS_SHOWN = 5


class BrandProfileScreen(ShopScreen):
    """The brand's profile.

    | Key | Action |
    | :- | :- |
    | m, enter on the name | Message the brand (its thread). |
    | f | Follow, or unfollow. |
    | u | Mute or unmute (a muted brand's posts never arrive). |
    | enter on a product | The product. |
    | escape | Back. |
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="profile.back", tooltip="Close the profile."),
        Binding("m", "message", "Message", id="profile.message", tooltip="Open its thread."),
        Binding("f", "follow", "Follow", id="profile.follow", tooltip="Follow or unfollow."),
        Binding("u", "mute", "Mute", id="profile.mute", tooltip="Mute or unmute its posts."),
    ]

    def __init__(self, handle: str) -> None:
        super().__init__()
        self.handle = bare(handle)
        self.profile: BrandProfile | None = None
        self.following: Follow | None = None
        self.page: ProductPage | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="shop-dialog", classes="shop-dialog"):
            yield Static("Loading…", id="profile-head")
            yield Static(id="profile-follow")
            yield Static("Products", id="shop-similar-title")
            yield OptionList(id="profile-products")
            yield Static(id="shop-hint")
        yield Footer()

    def on_mount(self) -> None:
        handle = self.handle
        self.call(lambda c: c.shop.brand(handle), self._profile, label="brand")
        self.call(lambda c: c.brands.follows(), self._follows, label="follows")
        self.call(lambda c: c.shop.catalog(handle), self._products, label="catalogue")
        self.hint("m message · f follow / unfollow · u mute · esc back", standing=True)

    # ------------------------------------------------------------------ what arrives

    def _profile(self, profile: BrandProfile) -> None:
        self.profile = profile
        brand = profile.brand
        name = safetext.clean_line(brand.display_name or brand.handle, max_chars=48)
        parts: list[Content] = [
            Content.assemble(
                (name, "bold"),
                (" ✓ verified" if profile.verified else "", "$success"),
                (f"  @{safetext.clean_line(brand.handle, max_chars=32)}", "$text-muted"),
            )
        ]
        description = safetext.clean(profile.description).strip()
        if description:
            parts.append(Content(description[:600]))
        count = profile.products
        parts.append(
            Content.styled(
                f"{count} product{'s' if count != 1 else ''} · ships in {profile.currency}",
                "$text-muted",
            )
        )
        self.query_one("#profile-head", Static).update(Content("\n").join(parts))

    def _follows(self, follows: FollowList) -> None:
        self.following = next((f for f in follows.follows if f.brand.handle == self.handle), None)
        self._show_follow()

    def _show_follow(self) -> None:
        follow = self.following
        if follow is None:
            text = Content.styled("You do not follow it · f follows", "$text-muted")
        elif follow.muted:
            text = Content.styled("Following, muted: its posts do not reach you · u unmutes", "")
        else:
            text = Content.assemble(
                ("✓ Following", "$success"),
                (" · its offers reach you · f unfollows · u mutes", "$text-muted"),
            )
        self.query_one("#profile-follow", Static).update(text)

    def _products(self, page: ProductPage) -> None:
        self.page = page
        products = self.query_one("#profile-products", OptionList)
        products.clear_options()
        products.add_options(
            [
                Option(render.product_row(product), id=str(product.id))
                for product in page.products[:PRODUCTS_SHOWN]
            ]
        )
        if page.products:
            products.highlighted = 0
            products.focus()

    # ------------------------------------------------------------------ keys

    def action_message(self) -> None:
        handle = self.handle
        self.call(lambda c: c.open_direct(handle), self._thread, label="message")

    def _thread(self, thread: Thread) -> None:
        self.dismiss(thread)

    def action_follow(self) -> None:
        handle = self.handle
        if self.following is None:
            self.call(lambda c: c.brands.follow(handle), self._followed, label="follow")
        else:
            self.call(lambda c: c.brands.unfollow(handle), self._unfollowed, label="unfollow")

    def action_mute(self) -> None:
        if self.following is None:
            self.hint("Follow it first: only a followed brand's posts can be muted.", error=True)
            return
        handle, muted = self.handle, not self.following.muted
        self.call(lambda c: c.brands.set_follow(handle, muted=muted), self._followed, label="mute")

    def _followed(self, follow: Follow) -> None:
        self.following = follow
        self._show_follow()
        self.hint("Muted." if follow.muted else "Following: its offers reach you.")

    def _unfollowed(self, _ok: Ok) -> None:
        self.following = None
        self._show_follow()
        self.hint("Unfollowed: no more posts from it.")

    @on(OptionList.OptionSelected, "#profile-products")
    def _open_product(self, event: OptionList.OptionSelected) -> None:
        product_id = int(event.option.id or "0")
        self.app.push_screen(ProductScreen(lambda c: c.shop.product(product_id)))
