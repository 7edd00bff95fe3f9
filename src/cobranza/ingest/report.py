"""The import report: counts, row problems and the decisions taken."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class RowIssue:
    """A problem with one cell: the row is rejected or only flagged.

    `code` is the stable, machine-readable name of the problem; `message`
    is its Spanish (es-AR) text from `issue_texts`, with the value and the
    fix, as the terminal report, the dashboard and `--json` show it.
    """

    line: int
    column: str | None
    value: str | None
    message: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    """The outcome of one import. `to_dict()` returns the `--json` report."""

    file_name: str
    sha256: str
    dry_run: bool = False
    already_imported: bool = False
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    decimal: dict[str, str] = field(default_factory=dict)
    date_format: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    customers: int = 0
    customers_created: int = 0
    customers_updated: int = 0
    documents_imported: int = 0
    invoices: int = 0
    credit_notes: int = 0
    debit_notes: int = 0
    documents_created: int = 0
    documents_updated: int = 0
    duplicates_skipped: int = 0
    payments_recorded: int = 0
    payments_total: Decimal = Decimal(0)
    # Payments of documents that came in settled, in whole or in part, with
    # no payment date in the file. The total is in the business's currency.
    payments_without_date: int = 0
    payments_without_date_total: Decimal = Decimal(0)
    # Stored payments without a date that this file gave a date.
    payments_dated: int = 0
    consent_events: int = 0
    open_balance: Decimal = Decimal(0)
    open_balance_by_currency: dict[str, Decimal] = field(default_factory=dict)
    currency: str = ""
    rows_rejected: list[RowIssue] = field(default_factory=list)
    rows_flagged: list[RowIssue] = field(default_factory=list)
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    missing_from_file: list[dict[str, str]] = field(default_factory=list)
    settled_as_missing: int = 0
    # Stored documents that this file marks as cancelled, which stop being
    # owed without a payment: `kind`, `number`, `line` and `open_amount`.
    documents_cancelled: list[dict[str, str]] = field(default_factory=list)
    balances_increased: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected_row_count(self) -> int:
        """Number of rejected rows. A row with several bad cells has several issues."""
        return len({issue.line for issue in self.rows_rejected})

    @property
    def flagged_row_count(self) -> int:
        """Number of imported rows with at least one flag."""
        return len({issue.line for issue in self.rows_flagged})

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data; amounts are decimal strings."""
        data = asdict(self)
        data["payments_total"] = str(self.payments_total)
        data["payments_without_date_total"] = str(self.payments_without_date_total)
        data["open_balance"] = str(self.open_balance)
        data["open_balance_by_currency"] = {
            code: str(amount) for code, amount in self.open_balance_by_currency.items()
        }
        data["rows_rejected"] = [issue.to_dict() for issue in self.rows_rejected]
        data["rows_flagged"] = [issue.to_dict() for issue in self.rows_flagged]
        return data
