"""Rich output for people: the import summary and the customer list."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cobranza.ingest.customers import CustomerSummary
from cobranza.ingest.report import ImportReport, RowIssue
from cobranza.money import format_money

# Rows listed per problem table; the JSON report always has all of them.
MAX_LISTED_ISSUES = 20


def render_report(console: Console, report: ImportReport, locale: str) -> None:
    """Print the summary table, then the rejected and flagged rows."""
    title = f"Import of {escape(report.file_name)}"
    if report.dry_run:
        title += " (dry run: nothing was written)"
    summary = Table(title=title, show_header=False)
    summary.add_column("what")
    summary.add_column("value")
    for label, value in _summary_lines(report, locale):
        summary.add_row(label, escape(value))
    console.print(summary)

    for note in report.notes:
        console.print(f"[yellow]Note:[/yellow] {escape(note)}")
    if report.missing_from_file:
        action = (
            "were marked settled"
            if report.settled_as_missing
            else "are still open; use --full-snapshot to mark them settled"
        )
        console.print(
            f"[yellow]{len(report.missing_from_file)} open documents are missing "
            f"from this file and {action}.[/yellow]"
        )
    _render_issues(console, "Rejected rows (not imported)", report.rows_rejected)
    _render_issues(console, "Flagged rows (imported)", report.rows_flagged)


def _summary_lines(report: ImportReport, locale: str) -> list[tuple[str, str]]:
    return [
        ("Rows read", str(report.rows_read)),
        ("Customers", str(report.customers)),
        ("  new", str(report.customers_created)),
        ("Documents imported", str(report.documents_imported)),
        ("  invoices", str(report.invoices)),
        ("  credit notes", str(report.credit_notes)),
        ("  debit notes", str(report.debit_notes)),
        ("  new / updated", f"{report.documents_created} / {report.documents_updated}"),
        ("Payments recorded", str(report.payments_recorded)),
        ("Duplicates skipped", str(report.duplicates_skipped)),
        ("Rows skipped (titles, blanks, totals)", str(_layout_skips(report))),
        ("Rows rejected", str(report.rejected_row_count)),
        ("Rows flagged", str(report.flagged_row_count)),
        ("Decimal mark", report.decimal.get("note", "")),
        ("Dates", report.date_format.get("note", "")),
        (
            "Open balance",
            format_money(report.open_balance, report.currency, locale),
        ),
    ]


def _layout_skips(report: ImportReport) -> int:
    return len(report.skipped_rows) - report.duplicates_skipped


def _render_issues(console: Console, title: str, issues: Sequence[RowIssue]) -> None:
    if not issues:
        return
    table = Table(title=title)
    for column in ("line", "column", "value", "problem and fix"):
        table.add_column(column)
    for issue in issues[:MAX_LISTED_ISSUES]:
        # Cells come from the file, so "[/]" in one must not be read as markup.
        table.add_row(
            str(issue.line),
            escape(issue.column or ""),
            escape(issue.value or ""),
            escape(issue.message),
        )
    console.print(table)
    if len(issues) > MAX_LISTED_ISSUES:
        console.print(
            f"... and {len(issues) - MAX_LISTED_ISSUES} more; --json lists them all."
        )


def render_customers(
    console: Console, customers: Sequence[CustomerSummary], currency: str, locale: str
) -> None:
    """Print one line per customer with phone state and balance."""
    table = Table(title=f"{len(customers)} customers")
    for column in ("id", "name", "phone", "tax id", "balance", "segment"):
        table.add_column(column, justify="right" if column == "balance" else "left")
    for customer in customers:
        phone = customer.phone or f"[red]{customer.phone_status}[/red]"
        if customer.phone_problem and customer.phone is None:
            phone = f"[red]{escape(customer.phone_problem)}[/red]"
        tax_id = escape(customer.tax_id or "")
        if customer.tax_id_valid is False:
            tax_id += " [red](invalid)[/red]"
        table.add_row(
            escape(customer.external_id),
            escape(customer.name),
            phone,
            tax_id,
            format_money(customer.balance, currency, locale),
            customer.segment or "",
        )
    console.print(table)
