"""The wallet screen: balances, the history of transfers (newest first, older pages as you
scroll), and top-up from the relay's funding provider (a simulated card in the demo)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from rich.style import Style
from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.coordinate import Coordinate
from textual.message import Message as TextualMessage
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from chatshop import safetext
from chatshop.money_input import AmountError, parse_topup
from chatshop.protocol.payment_frames import PaymentResult, Transfer, TransferPage, WalletResult
from chatshop.tui.cards import money
from chatshop.tui.failure import Failure
from chatshop.tui.host import Host
from chatshop.tui.timefmt import stamp
from chatshop.tui.wallet import HISTORY_PAGE

KIND_LABELS = {
    "payment": "payment",
    "request": "request paid",
    "split": "split share",
    "lucky_fund": "lucky money sent",
    "lucky_claim": "lucky money",
    "lucky_refund": "lucky money back",
    "topup": "top-up",
    "refund": "refund",
    "purchase": "purchase",
}
NO_COUNTERPARTY = {
    "topup": "simulated card",
    "lucky_fund": "red packet",
    "lucky_refund": "red packet",
}
COLUMNS = (
    ("When", "when", 12),
    ("What", "what", 16),
    ("With", "who", 28),
    ("Note", "note", 18),
    ("Amount", "amount", 13),
    ("Id", "id", 8),
)
"""Columns at full width; on a narrow screen Id goes, then With and Note share the rest."""


def column_widths(width: int) -> dict[str, int]:
    """Widths that fit ``width`` cells (the Amount column is always on screen)."""
    full = {key: size for _, key, size in COLUMNS}
    gaps = 2 * len(COLUMNS) + 4
    if sum(full.values()) + gaps <= width:
        return full
    narrow = {k: v for k, v in full.items() if k != "id"}
    narrow["what"] = 12
    left = width - gaps + 2 - sum(v for k, v in narrow.items() if k not in ("who", "note"))
    narrow["who"] = max(left * 3 // 5, 8)
    narrow["note"] = max(left - narrow["who"], 6)
    return narrow


MORE_ROW = "more"
LOAD_MARGIN = 3
"""Rows from the bottom at which the next older page is fetched."""


class HistoryTable(DataTable[Text]):
    """Transfers, one a row; tells when the reader nears the end of what is loaded.

    | Key | Action |
    | :- | :- |
    | up / down, pageup / pagedown | Move; near the end, older transfers load. |
    | enter | On the last row: load older transfers. |
    """

    DEFAULT_CSS = """
    HistoryTable {
        height: 1fr;
        & > .history--in { color: $success; text-style: bold; }
        & > .history--out { color: $text; text-style: bold; }
        & > .history--muted { color: $text-muted; }
    }
    """

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "history--in",
        "history--out",
        "history--muted",
    }

    class NearEnd(TextualMessage):
        """The cursor or the view came near the last loaded row."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.row_count and new_value >= self.max_scroll_y - LOAD_MARGIN:
            self.post_message(self.NearEnd())

    def watch_cursor_coordinate(
        self, old_coordinate: Coordinate, new_coordinate: Coordinate
    ) -> None:
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if self.row_count and self.cursor_row >= self.row_count - LOAD_MARGIN:
            self.post_message(self.NearEnd())


class WalletScreen(Screen[None]):
    """Your wallet.

    | Key | Action |
    | :- | :- |
    | escape | Back to the conversations. |
    | t | Top up: type an amount ($50, €20, 50) and press enter. |
    | ctrl+r | Reload balances and history. |
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="wallet.back", tooltip="Back to the conversations"),
        Binding("t", "topup", "Top up", id="wallet.topup", tooltip="Add money (simulated card)"),
        Binding(
            "ctrl+r", "reload", "Reload", id="wallet.reload", tooltip="Fetch balances and history"
        ),
    ]

    app: Host
    table = getters.query_one("#wallet-history", HistoryTable)
    amount_input = getters.query_one("#topup-amount", Input)

    def __init__(self) -> None:
        super().__init__()
        self._loading = False
        self._drawn = -1
        self._columns: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="wallet-box"):
            yield Static(id="wallet-title")
            yield Static(id="wallet-balances")
            yield HistoryTable(id="wallet-history", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="wallet-topup"):
                yield Static("Top up (simulated card)", id="topup-label")
                yield Input(placeholder="50", id="topup-amount")
                yield Button("Top up", id="topup-go", variant="primary")
            yield Static(id="wallet-hint")
        yield Footer()

    def on_mount(self) -> None:
        who = f"  @{safetext.clean_line(self.app.session.me.handle)}"
        self.query_one("#wallet-title", Static).update(
            Content.assemble(("Wallet", "bold"), (who, "$text-muted"))
        )
        self.app.feed.wallet.subscribe(self, lambda _version: self.redraw())
        self._hint("")
        self._placeholder()
        self._set_columns()
        self.table.focus()
        self.action_reload()

    def on_resize(self) -> None:
        self._set_columns()

    def _set_columns(self) -> None:
        widths = column_widths(self.size.width or 80)
        if tuple(widths) == self._columns and self.table.columns:
            return
        self._columns = tuple(widths)
        self.table.clear(columns=True)
        for label, key, _ in COLUMNS:
            if key in widths:
                self.table.add_column(label, key=key, width=widths[key])
        self.redraw(force=True)

    def _placeholder(self) -> None:
        currency = self.app.session.wallet.default_currency
        self.amount_input.placeholder = f"50 ({currency})" if currency else "50"

    # ------------------------------------------------------------------ drawing

    def redraw(self, *, force: bool = False) -> None:
        """Show the wallet book (only when it changed since the last time)."""
        wallet = self.app.session.wallet
        if (wallet.version == self._drawn and not force) or not self.table.columns:
            return
        self._drawn = wallet.version
        self._draw_balances()
        table = self.table
        row = table.cursor_row
        table.clear()
        now = datetime.combine(self.app.today(), time(), tzinfo=self.app.tz)
        shown = self._columns
        for transfer in wallet.transfers:
            cells = self._cells(transfer, now)
            table.add_row(*(cells[k] for k in shown), key=str(transfer.id))
        if wallet.more or not wallet.history_loaded:
            label = "↓ loading older transfers…" if self._loading else "↓ older transfers (enter)"
            table.add_row(*self._note_row(label), key=MORE_ROW)
        elif not wallet.transfers:
            table.add_row(*self._note_row("No transfers yet."))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)

    def _note_row(self, label: str) -> list[Text]:
        return [self._muted(label) if k == "who" else Text("") for k in self._columns]

    def _draw_balances(self) -> None:
        wallet = self.app.session.wallet
        balances = self.query_one("#wallet-balances", Static)
        shown = wallet.shown_balances()
        if not shown:
            balances.update(Content.styled("Loading your balances…", "$text-muted"))
            return
        parts: list[tuple[str, str] | str] = [("Balance  ", "$text-muted")]
        for index, (currency, amount) in enumerate(shown):
            if index:
                parts.append(("   ·   ", "$text-muted"))
            parts.append((money(amount, currency), "bold $accent" if index == 0 else "bold"))
        balances.update(Content.assemble(*parts))

    def _style(self, name: str) -> Style:
        return self.table.get_component_rich_style(name, partial=True)

    def _muted(self, text: str) -> Text:
        return Text(text, style=self._style("history--muted"), end="")

    def _cells(self, transfer: Transfer, now: datetime) -> dict[str, Text]:
        incoming = transfer.direction == "in"
        other = transfer.counterparty
        if other is not None:
            name = safetext.clean_line(other.display_name, max_chars=20) or other.handle
            handle = safetext.clean_line(other.handle, max_chars=16)
            who = f"{'from' if incoming else 'to'} {name} (@{handle})"
        else:
            who = NO_COUNTERPARTY.get(transfer.kind, "")
        sign = "+" if incoming else "\u2212"  # a minus sign, as wide as the plus
        return {
            "when": self._muted(stamp(transfer.created_at, now)),
            "what": Text(KIND_LABELS.get(transfer.kind, transfer.kind), end=""),
            "who": Text(who, end=""),
            "note": safetext.text(safetext.clean_line(transfer.note, max_chars=24)),
            "amount": Text(
                f"{sign} {money(transfer.amount, transfer.currency)}",
                style=self._style("history--in" if incoming else "history--out"),
                end="",
                justify="right",
            ),
            "id": self._muted(safetext.clean_line(transfer.short_id, max_chars=16)),
        }

    def _hint(self, text: str, *, error: bool = False) -> None:
        hint = self.query_one("#wallet-hint", Static)
        hint.set_class(error, "-error")
        hint.update(Content(safetext.clean_line(text)))

    # ------------------------------------------------------------------ paging

    def _load_older(self) -> None:
        wallet = self.app.session.wallet
        if self._loading or not wallet.more or not wallet.history_loaded:
            return
        self._history(wallet.oldest_id)

    def _history(self, before: int | None) -> None:
        self._loading = True
        self.redraw(force=True)

        def loaded(page: TransferPage) -> None:
            self._loading = False
            self.app.session.wallet.add_page(page, first=before is None)
            self.app.feed.wallet_loaded()

        self.app.link.call(
            self,
            lambda c: c.wallet_history(before=before, limit=HISTORY_PAGE),
            loaded,
            self._failed,
        )

    def _failed(self, failure: Failure) -> None:
        self._loading = False
        self._hint(failure.text, error=True)

    @on(HistoryTable.NearEnd)
    def _near_end(self) -> None:
        self._load_older()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value == MORE_ROW:
            self._load_older()

    # ------------------------------------------------------------------ top-up

    @on(Input.Submitted, "#topup-amount")
    @on(Button.Pressed, "#topup-go")
    def _topup(self) -> None:
        value = self.amount_input.value
        try:
            amount = parse_topup(value, self.app.session.wallet.default_currency)
        except AmountError as exc:
            self._hint(str(exc), error=True)
            return
        key = uuid.uuid4().hex

        def added(result: PaymentResult) -> None:
            short = safetext.clean_line(result.transfer.short_id)
            added = money(result.transfer.amount, result.transfer.currency)
            self._hint(f"{'Already added' if result.replayed else 'Added'} {added} · {short}.")

        def failed(failure: Failure) -> None:
            self._hint(f"Top-up failed: {failure.text}", error=True)

        self.app.link.call(
            self, lambda c: c.topup(amount.minor, amount.currency, key=key), added, failed
        )
        self.amount_input.value = ""
        self._hint(f"Adding {amount}…")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss(None)

    def action_topup(self) -> None:
        self.amount_input.focus()

    def action_reload(self) -> None:
        def loaded(result: WalletResult) -> None:
            self.app.session.wallet.load(result)
            self.app.feed.wallet_loaded()
            self._placeholder()

        self.app.link.call(self, lambda c: c.wallet(), loaded, self._failed)
        self._history(None)
