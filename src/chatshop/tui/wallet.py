"""What the client knows about your wallet: balances, the relay's default currency and limit,
and the pages of history loaded so far. Pure state, fed by results and ``wallet`` events; the
status line, the payment dialogs and the wallet screen read it.
"""

from __future__ import annotations

from chatshop.protocol.money import exponent
from chatshop.protocol.payment_frames import Transfer, TransferPage, WalletEvent, WalletResult

HISTORY_PAGE = 30
"""Transfers fetched per page on the wallet screen."""

MAX_KEPT = 1000
"""Transfers kept in memory; older ones are fetched again when scrolled to."""


class WalletBook:
    """Balances by currency and the transfers loaded so far, newest first."""

    def __init__(self) -> None:
        self.default_currency: str | None = None
        """The relay's default currency (what ``$`` means); None until the wallet loaded."""
        self.max_transfer = 0
        """The relay's per-transfer maximum, in minor units of the default currency."""
        self.balances: dict[str, int] = {}
        self.transfers: list[Transfer] = []
        self.more = True
        """Whether older transfers exist beyond the loaded ones."""
        self.history_loaded = False
        self.version = 0
        """Bumped on every change, so views know when to redraw."""

    @property
    def loaded(self) -> bool:
        return self.default_currency is not None

    def balance(self, currency: str) -> int:
        return self.balances.get(currency, 0)

    def limit(self, currency: str) -> int | None:
        """The per-transfer maximum in minor units of ``currency``: the same number of major
        units as the default currency's limit (None while unknown)."""
        if self.default_currency is None or not self.max_transfer:
            return None
        major = self.max_transfer // 10 ** exponent(self.default_currency)
        return int(major * 10 ** exponent(currency))

    def shown_balances(self) -> list[tuple[str, int]]:
        """Balances to show: the default currency first (even at zero), then the others held."""
        shown: list[tuple[str, int]] = []
        if self.default_currency is not None:
            shown.append((self.default_currency, self.balance(self.default_currency)))
        for currency in sorted(self.balances):
            if currency != self.default_currency and self.balances[currency]:
                shown.append((currency, self.balances[currency]))
        return shown

    # ------------------------------------------------------------------ changes

    def load(self, result: WalletResult) -> None:
        self.default_currency = result.default_currency
        self.max_transfer = result.max_transfer
        self.balances = {b.currency: b.amount for b in result.balances}
        self.version += 1

    def set_balance(self, currency: str, amount: int) -> None:
        self.balances[currency] = amount
        self.version += 1

    def add_page(self, page: TransferPage, *, first: bool) -> None:
        """A page of history: the newest (``first``) replaces what was loaded, an older one is
        appended below."""
        if first:
            known = {t.id for t in page.transfers}
            live = [t for t in self.transfers if t.id not in known and self._newer(t, page)]
            self.transfers = live + list(page.transfers)
        else:
            known = {t.id for t in self.transfers}
            self.transfers += [t for t in page.transfers if t.id not in known]
        self.more = page.more
        if len(self.transfers) > MAX_KEPT:
            del self.transfers[MAX_KEPT:]
            self.more = True
        self.history_loaded = True
        self.version += 1

    @staticmethod
    def _newer(transfer: Transfer, page: TransferPage) -> bool:
        return not page.transfers or transfer.id > page.transfers[0].id

    def apply(self, event: WalletEvent) -> None:
        """A ``wallet`` event: the new balance, and the movement at the top of the history."""
        self.balances[event.balance.currency] = event.balance.amount
        self.add_transfer(event.transfer)

    def add_transfer(self, transfer: Transfer) -> None:
        if all(t.id != transfer.id for t in self.transfers):
            self.transfers.insert(0, transfer)
            self.transfers.sort(key=lambda t: -t.id)
        self.version += 1

    @property
    def oldest_id(self) -> int | None:
        return self.transfers[-1].id if self.transfers else None
