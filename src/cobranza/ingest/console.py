"""Rich output for people: the import summary and the customer list.

The report's own texts (notes, row problems, captions) are written in es-AR
voseo and printed in the voice of the business's locale
(`cobranza.voseo.owner_text`), as the dashboard's import page shows them.
Values from the file are quoted in those texts, so they keep their words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from rich.console import Console
from rich.table import Table

from cobranza.country_words import words_for
from cobranza.ingest.customers import CustomerSummary
from cobranza.ingest.report import ImportReport, RowIssue
from cobranza.ingest.taxids import format_tax_id
from cobranza.money import format_money
from cobranza.terminal_text import markup_safe
from cobranza.voseo import owner_text

PHONE_STATUS_LABELS = {
    "missing": "sin teléfono",
    "invalid": "teléfono inválido",
    "not_on_whatsapp": "no usa WhatsApp",
    "wrong_person": "número de otra persona",
}

# Rows listed per problem table; the JSON report always has all of them.
MAX_LISTED_ISSUES = 20


def render_report(console: Console, report: ImportReport, locale: str) -> None:
    """Print the summary table, then the rejected and flagged rows.

    A file imported before gets only its note, because its counts would read
    as if it had been imported again. A dry run words its counts as what an
    import would do.
    """
    title = f"Importación de {markup_safe(report.file_name)}"
    if report.already_imported:
        console.print(f"[bold]{title}[/bold]")
        _render_notes(console, report, locale)
        return
    if report.dry_run:
        title += " (prueba: no se guardó nada)"
    summary = Table(title=title, show_header=False)
    summary.add_column("qué")
    summary.add_column("cuánto")
    for label, value in _summary_lines(report, locale):
        summary.add_row(label, markup_safe(value))
    console.print(summary)

    _render_notes(console, report, locale)
    if report.missing_from_file:
        if report.dry_run and report.settled_as_missing:
            action = "se marcarían como saldados"
        elif report.settled_as_missing:
            action = "se marcaron como saldados"
        else:
            action = "siguen abiertos; con --full-snapshot se marcan como saldados"
        console.print(
            f"[yellow]{len(report.missing_from_file)} comprobantes abiertos no "
            f"están en este archivo y {action}.[/yellow]"
        )
    _render_balances_increased(console, report, locale)
    rejected = (
        "Filas rechazadas (no se importarían)"
        if report.dry_run
        else ("Filas rechazadas (no se importaron)")
    )
    flagged = (
        "Filas con observaciones (se importarían)"
        if report.dry_run
        else ("Filas con observaciones (se importaron)")
    )
    _render_issues(console, rejected, report.rows_rejected, locale)
    _render_issues(console, flagged, report.rows_flagged, locale)


def _render_notes(console: Console, report: ImportReport, locale: str) -> None:
    for note in report.notes:
        note_text = markup_safe(owner_text(note, locale))
        console.print(f"[yellow]Nota:[/yellow] {note_text}")


def _summary_lines(report: ImportReport, locale: str) -> list[tuple[str, str]]:
    if report.dry_run:
        documents, payments = "Comprobantes a importar", "Pagos a registrar"
    else:
        documents, payments = "Comprobantes importados", "Pagos registrados"
    sheet = [("Hoja", report.sheet)] if report.sheet is not None else []
    # "salteados" in Argentina, "omitidos" elsewhere.
    words = words_for(locale)
    skipped_rows = words.skipped(plural=True, feminine=True)
    return [
        *sheet,
        ("Filas leídas", str(report.rows_read)),
        ("Clientes", str(report.customers)),
        ("  nuevos", str(report.customers_created)),
        (documents, str(report.documents_imported)),
        ("  facturas", str(report.invoices)),
        ("  notas de crédito", str(report.credit_notes)),
        ("  notas de débito", str(report.debit_notes)),
        (
            "  nuevos / actualizados",
            f"{report.documents_created} / {report.documents_updated}",
        ),
        (payments, str(report.payments_recorded)),
        (f"Duplicados {words.skipped(plural=True)}", str(report.duplicates_skipped)),
        (
            f"Filas {skipped_rows} (títulos, vacías, totales)",
            str(_layout_skips(report)),
        ),
        ("Filas rechazadas", str(report.rejected_row_count)),
        ("Filas con observaciones", str(report.flagged_row_count)),
        ("Saldos más altos que los guardados", str(len(report.balances_increased))),
        ("Separador decimal", owner_text(report.decimal.get("note", ""), locale)),
        ("Fechas", owner_text(report.date_format.get("note", ""), locale)),
        (
            "Saldo abierto",
            format_money(report.open_balance, report.currency, locale),
        ),
    ]


def _render_balances_increased(
    console: Console, report: ImportReport, locale: str
) -> None:
    """List the invoices whose balance in the file is above the stored one."""
    rows = report.balances_increased
    if not rows:
        return
    verb = "se quedaría" if report.dry_run else "se quedó"
    caption = (
        f"cobranza {verb} con el saldo guardado, el menor, para no "
        "reclamarle a un cliente algo que ya pagó. Puede ser un listado anterior "
        "a un pago que ya entró: revisá cada uno en tu sistema."
    )
    # A table prints as built, so its caption takes the business's voice here.
    table = Table(
        title="Saldos del archivo más altos que los guardados",
        caption=owner_text(caption, locale),
    )
    for column in ("línea", "comprobante", "saldo guardado", "saldo en el archivo"):
        table.add_column(column, justify="right" if "saldo" in column else "left")
    for row in rows[:MAX_LISTED_ISSUES]:
        currency = row.get("currency") or report.currency
        table.add_row(
            row["line"],
            markup_safe(row["number"]),
            _money_text(row["stored_open_amount"], currency, locale),
            _money_text(row["file_open_amount"], currency, locale),
        )
    console.print(table)
    if len(rows) > MAX_LISTED_ISSUES:
        console.print(
            f"... y {len(rows) - MAX_LISTED_ISSUES} más; --json los lista todos "
            "en balances_increased."
        )


def _money_text(amount: str, currency: str, locale: str) -> str:
    try:
        return format_money(Decimal(amount), currency, locale)
    except InvalidOperation:
        return markup_safe(amount)


def _layout_skips(report: ImportReport) -> int:
    return len(report.skipped_rows) - report.duplicates_skipped


def _render_issues(
    console: Console, title: str, issues: Sequence[RowIssue], locale: str
) -> None:
    if not issues:
        return
    table = Table(title=title)
    for column in ("línea", "columna", "valor", "problema y cómo corregirlo"):
        table.add_column(column)
    for issue in issues[:MAX_LISTED_ISSUES]:
        # Cells come from the file, so markup and control characters are text.
        table.add_row(
            str(issue.line),
            markup_safe(issue.column or ""),
            markup_safe(issue.value or ""),
            markup_safe(owner_text(issue.message, locale)),
        )
    console.print(table)
    if len(issues) > MAX_LISTED_ISSUES:
        console.print(
            f"... y {len(issues) - MAX_LISTED_ISSUES} más; --json las lista todas."
        )


def _segment_text(segment: str | None, labels: Mapping[str, str]) -> str:
    if segment is None:
        return labels.get("segment_not_computed", "")
    return labels.get(segment, segment)


def render_customers(
    console: Console,
    customers: Sequence[CustomerSummary],
    currency: str,
    locale: str,
    segment_labels: Mapping[str, str] | None = None,
    today: date | None = None,
    country: str | None = None,
) -> None:
    """Print one line per customer with phone state and balance.

    A valid tax id is shown as the `country` writes it ("76.543.210-3"),
    and as stored when no country is given.

    `segment_labels` names the segments for people; the portfolio package
    owns those names and sits below this one, so the caller passes them.
    A balance that includes documents issued after `today` is marked, and
    a note under the table gives their total.
    """
    segment_labels = segment_labels or {}
    headers = ("código", "nombre", "teléfono", "id fiscal", "saldo", "segmento")
    tax_ids = [_shown_tax_id(customer, country) for customer in customers]
    rows = []
    for customer, shown_tax_id in zip(customers, tax_ids, strict=True):
        status = PHONE_STATUS_LABELS.get(customer.phone_status, customer.phone_status)
        phone = (
            markup_safe(customer.phone) if customer.phone else f"[red]{status}[/red]"
        )
        if customer.phone_problem:
            problem = markup_safe(owner_text(customer.phone_problem, locale))
            if customer.phone is None:
                phone = f"[red]{problem}[/red]"
            else:
                # A landline: WhatsApp reaches it only with WhatsApp Business.
                phone += f" [yellow]({problem})[/yellow]"
        tax_id = markup_safe(shown_tax_id)
        if customer.tax_id_valid is False:
            tax_id += " [red](inválido)[/red]"
        rows.append(
            (
                markup_safe(customer.external_id),
                markup_safe(customer.name),
                phone,
                tax_id,
                _balance_text(customer, currency, locale),
                _segment_text(customer.segment, segment_labels),
            )
        )
    widths = _column_widths(customers, rows, tax_ids, headers, console.width)
    count = len(customers)
    table = Table(title="1 cliente" if count == 1 else f"{count} clientes")
    for column in headers:
        table.add_column(
            column,
            justify="right" if column == "saldo" else "left",
            width=widths.get(column),
            overflow="fold" if widths else "ellipsis",
        )
    for row in rows:
        table.add_row(*row)
    console.print(table)
    _print_issued_later_note(console, customers, currency, locale, today)


def _shown_tax_id(customer: CustomerSummary, country: str | None) -> str:
    """Return the customer's tax id as printed in `country`, or as stored."""
    if customer.tax_id is None:
        return ""
    if country is None or customer.tax_id_valid is False:
        return customer.tax_id
    return format_tax_id(customer.tax_id, country)


def _balance_text(customer: CustomerSummary, currency: str, locale: str) -> str:
    """Format each currency's balance on its own line, marking future documents."""
    own = format_money(customer.balance, currency, locale)
    if customer.issued_after_today:
        own += " *"
    others = [
        format_money(amount, code, locale) for code, amount in customer.other_balances
    ]
    return "\n".join([own, *others])


def _print_issued_later_note(
    console: Console,
    customers: Sequence[CustomerSummary],
    currency: str,
    locale: str,
    today: date | None,
) -> None:
    """Explain the marked balances, so totals that differ from the audit add up."""
    marked = [customer for customer in customers if customer.issued_after_today]
    if not marked or today is None:
        return
    total = sum((customer.issued_after_today for customer in marked), Decimal(0))
    clients = "1 cliente" if len(marked) == 1 else f"{len(marked)} clientes"
    console.print(
        f"* El saldo incluye {format_money(total, currency, locale)} de "
        f"comprobantes emitidos después de hoy ({today:%d/%m/%Y}), en {clients}. "
        "cobranza audit y el Resumen del panel no los cuentan hasta su fecha de "
        "emisión, así que sus totales difieren en ese monto.",
        highlight=False,
    )


def _column_widths(
    customers: Sequence[CustomerSummary],
    rows: Sequence[tuple[str, ...]],
    tax_ids: Sequence[str],
    headers: Sequence[str],
    available: int,
) -> dict[str, int]:
    """Return column widths that keep phones, tax ids and sums whole.

    A sum, a phone or a tax id split over two lines or cut short is
    misread, so their columns get the width of their longest value, and
    the code and name columns share what is left. A phone problem or an
    invalid tax id wraps inside its column. When even that does not fit,
    no width is set and each column shrinks with an ellipsis.
    """
    widths = {
        "teléfono": max([len("teléfono")] + [len(c.phone or "") for c in customers]),
        "id fiscal": max(
            [len("id fiscal")]
            + [
                len(tax_id)
                for c, tax_id in zip(customers, tax_ids, strict=True)
                if c.tax_id_valid is not False
            ]
        ),
        "saldo": max(
            [len("saldo")] + [len(line) for row in rows for line in row[4].split("\n")]
        ),
        "segmento": max(
            [len("segmento")] + [len(word) for row in rows for word in row[5].split()]
        ),
    }
    # Three characters of border and padding per column, and one at the end.
    rest = available - sum(widths.values()) - 3 * len(headers) - 1
    if rest < 2 * 4:
        return {}
    longest_code = max([len("código")] + [len(row[0]) for row in rows])
    widths["código"] = min(longest_code, max(4, rest // 2))
    widths["nombre"] = rest - widths["código"]
    return widths
