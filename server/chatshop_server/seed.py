"""Demo data for ``chatshop-server --seed-demo``: the cast of docs and screenshots.

sam (password ``demo``) with friends alice and bob, the group "Pizza Friday", and the brand
@northwind ("Northwind Outfitters") with a brand thread to sam; a few days of history. The
shop (catalogue, staff member nora, promo code, sam's orders) comes from ``seed_shop``.
Seeding goes through the same storage operations as live traffic, backdated.
"""

from __future__ import annotations

import uuid

from chatshop.protocol.cards import RequestCard
from chatshop.protocol.models import User
from chatshop_server.media import MediaStore
from chatshop_server.passwords import Passwords
from chatshop_server.storage.rows import now_ms
from chatshop_server.storage.specs import MoneyRequest
from chatshop_server.storage.stores import Stores

DEMO_PASSWORD = "demo"
CAST = [
    ("sam", "Sam Carter", "person"),
    ("alice", "Alice Moreau", "person"),
    ("bob", "Bob Okafor", "person"),
    ("northwind", "Northwind Outfitters", "brand"),
]
HOUR = 3_600_000
DAY = 24 * HOUR

# (hours ago, sender, text, reply to the n-th earlier line of this thread or None)
DIRECT_ALICE = [
    (74, "alice", "Hey! Are you still up for climbing on Thursday?", None),
    (73.8, "sam", "Yes! 6pm at the usual wall?", None),
    (73.5, "alice", "Perfect. I'll bring the spare harness.", None),
    (50, "sam", "Running 10 minutes late, sorry", None),
    (49.9, "alice", "No worries, warming up", None),
    (26, "alice", "That new route was brutal 😅", None),
    (25.5, "sam", "My forearms still hurt. Same time next week?", None),
    (25.2, "alice", "Deal. Also: you owe me a coffee ☕", 5),
    (3, "alice", "Did you see the sport coat Northwind posted? Looks like your style", None),
]
DIRECT_BOB = [
    (70, "bob", "Can you send me the photos from Saturday?", None),
    (69.5, "sam", "Uploading them tonight", None),
    (45, "bob", "Got them, thanks! The one by the lake is great", None),
    (20, "sam", "Are you watching the match later?", None),
    (19.8, "bob", "Obviously. Come over, I have snacks", None),
    (2, "bob", "Birthday plans are on for Friday btw 🎂", None),
]
GROUP = [
    (72, "sam", "Pizza Friday is back! Who's in this week?", None),
    (71.9, "alice", "Me!", None),
    (71.8, "bob", "In. Can we try the new place on Rue Cler?", None),
    (71.5, "sam", "Sure, I'll book for 8pm", 2),
    (48, "alice", "Reminder: I can't do anchovies this time 🙅", None),
    (47, "bob", "Noted. Margherita + diavola + quattro formaggi?", None),
    (46.5, "sam", "Perfect. I'll pay and we split after", None),
    (22, "bob", "That was great. Same place next week?", None),
    (21, "alice", "Yes please, their tiramisu 😍", None),
    (1, "sam", "Booking again for Friday 8pm — 3 people", None),
]
BRAND = [
    (
        30,
        "northwind",
        "Welcome to Northwind Outfitters, Sam! Ask us anything about sizes and stock.",
        None,
    ),
    (29.5, "sam", "Hi! Do you ship to Lyon?", None),
    (29.4, "northwind", "We do: 2 to 3 working days, free over €80.", 1),
]  # then sam's orders and the coat's card (seed_shop)


def _spec(user: User, amount: int, note: str = "") -> MoneyRequest:
    key = uuid.uuid4().hex
    return MoneyRequest(
        user_id=user.id,
        amount=amount,
        currency="EUR",
        max_amount=1_000_000,
        key=key,
        request_hash=key,
        note=note,
    )


async def _seed_money(
    stores: Stores, users: dict[str, User], alice_thread: int, bob_thread: int
) -> None:
    """Wallets with some money, a few past payments, and a request alice paid back."""
    money = stores.payments
    for handle, amount in (("sam", 20_000), ("alice", 15_000), ("bob", 12_000)):
        await money.topup(_spec(users[handle], amount, "simulated card"))
    await money.pay(_spec(users["sam"], 1_200, "taxi"), alice_thread, "alice")
    await money.pay(_spec(users["bob"], 850, "match snacks"), bob_thread, "sam")
    request = await money.request_money(_spec(users["sam"], 1_500, "cinema"), alice_thread, "alice")
    assert isinstance(request.message.card, RequestCard)
    key = uuid.uuid4().hex
    await money.pay_request(users["alice"].id, request.message.card.request_id, key, key)


async def seed_demo(stores: Stores, passwords: Passwords, media: MediaStore | None = None) -> bool:
    """Create the demo cast and history; False (and no change) if ``sam`` already exists."""
    if await stores.accounts.user_by_handle("sam") is not None:
        return False
    password_hash = await passwords.hash(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for handle, name, kind in CAST:
        users[handle] = await stores.accounts.create_user(handle, name, kind, password_hash)  # type: ignore[arg-type]
    sam = users["sam"].id
    contacts = stores.contacts
    for friend in ("alice", "bob"):
        await contacts.change(sam, friend, "request")
        await contacts.change(users[friend].id, "sam", "accept")
    await contacts.change(users["alice"].id, "bob", "request")
    await contacts.change(users["bob"].id, "alice", "accept")

    threads = stores.threads
    alice_thread = await threads.open_direct(sam, "alice")
    bob_thread = await threads.open_direct(sam, "bob")
    group = await threads.create_group(sam, "Pizza Friday", ["alice", "bob"])
    brand_thread = await threads.open_direct(users["northwind"].id, "sam")

    now = now_ms()
    for thread_id, script in (
        (alice_thread.id, DIRECT_ALICE),
        (bob_thread.id, DIRECT_BOB),
        (group.id, GROUP),
        (brand_thread.id, BRAND),
    ):
        ids: list[int] = []
        for hours_ago, handle, text, reply_index in script:
            reply_to = None if reply_index is None else ids[reply_index]
            key = uuid.uuid4().hex
            at = now - int(hours_ago * HOUR)
            message = await stores.messages.send(
                users[handle].id, thread_id, text, reply_to, key, "seed", at=at
            )
            ids.append(message.id)
    await _seed_money(stores, users, alice_thread.id, bob_thread.id)
    from chatshop_server.seed_shop import seed_shop

    media = media or MediaStore(stores.db.path.parent / "media")
    await seed_shop(stores, users, password_hash, now, media)
    # sam has read everything except the latest lines from alice and bob.
    mark_read = stores.messages.mark_read
    await mark_read(sam, alice_thread.id, len(DIRECT_ALICE) + 1)
    await mark_read(sam, bob_thread.id, len(DIRECT_BOB))
    await mark_read(sam, group.id, len(GROUP))
    for handle in ("alice", "bob"):
        await mark_read(users[handle].id, group.id, len(GROUP))
    return True
