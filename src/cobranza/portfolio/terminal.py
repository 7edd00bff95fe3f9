"""The audit as Rich tables, for people at a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from cobranza.portfolio.audit import AuditReport
from cobranza.portfolio.labels import labels_for
from cobranza.portfolio.presentation import Formatter
from cobranza.portfolio.rules import Segment
from cobranza.terminal_text import markup_safe


def print_audit(report: AuditReport, console: Console, locale: str) -> None:
    """Print the audit's summary, aging, Pareto, top debtors and segments."""
    text = labels_for(locale)
    fmt = Formatter(report, locale, text)

    console.print(
        f"[bold]{text['title']}[/bold] — {markup_safe(report.business_name)} — "
        f"{text['as_of']} {fmt.date(report.as_of)}"
    )
    console.print(
        f"{text['period']}: {fmt.date(report.period_first_day)} – "
        f"{fmt.date(report.as_of)} ({report.period.period_days} {text['days']})"
    )
    console.print(_summary(report, fmt))
    console.print(_aging(report, fmt))
    _print_pareto(report, fmt, console)
    debtors = _top_debtors(report, fmt, console.width)
    if debtors.row_count:
        console.print(debtors)
    else:
        console.print(f"[bold]{fmt.labels['top_debtors']}[/bold]")
        console.print(fmt.labels["top_debtors_none"])
    console.print(_segments(report, fmt))
    console.print(fmt.rules())
    console.print(text["stored"] if report.segments_stored else text["not_stored"])
    if report.other_currencies:
        console.print(_other_currencies(report, text))


def _summary(report: AuditReport, fmt: Formatter) -> Table:
    text = fmt.labels
    figures = report.period
    table = Table(show_header=False)
    table.add_column()
    table.add_column(justify="right", no_wrap=True)
    table.add_column(style="dim")

    table.add_row(text["open_invoices"], str(report.open_invoices), "")
    table.add_row(text["open_balance"], fmt.money(report.open_balance), "")
    table.add_row(text["overdue"], fmt.money(report.overdue), text["overdue_rule"])
    table.add_row(
        text["unapplied_credits"],
        fmt.money(report.unapplied_credit),
        str(report.unapplied_credit_count),
    )
    if report.credit_customer_count:
        table.add_row(
            text["customer_credit"],
            fmt.money(report.customer_credit),
            f"{fmt.credit_customers()}, {text['customer_credit_rule']}.",
        )
    table.add_row(
        text["disputed"], fmt.money(report.disputed_amount), str(report.disputed_count)
    )

    table.add_row(
        text["delinquency_count"], fmt.percent(report.delinquency["by_count"]), ""
    )
    table.add_row(
        text["delinquency_amount"], fmt.percent(report.delinquency["by_amount"]), ""
    )

    table.add_row(text["dso"], fmt.number(figures.exact_dso), text["dso_formula"])
    cei = figures.exact_cei
    table.add_row(
        text["cei"],
        fmt.percent(None if cei is None else cei / 100),
        text["cei_formula"],
    )
    return table


def _aging(report: AuditReport, fmt: Formatter) -> Table:
    text = fmt.labels
    table = Table(title=text["aging"])
    table.add_column(text["bucket"])
    table.add_column(text["invoices"], justify="right")
    table.add_column(text["amount"], justify="right", no_wrap=True)
    table.add_column(text["share"], justify="right")
    for bucket in report.aging:
        table.add_row(
            text[bucket.key],
            str(bucket.count),
            fmt.money(bucket.amount),
            fmt.aging_share(bucket.amount),
        )
    return table


def _print_pareto(report: AuditReport, fmt: Formatter, console: Console) -> None:
    text = fmt.labels
    result = report.pareto
    console.print(f"[bold]{text['pareto']}[/bold]")
    if result.top_share is None:
        console.print(text["pareto_none"])
        return
    count = result.customers_with_overdue
    console.print(
        text["pareto_top"].format(
            share=fmt.percent(result.top_share), top=result.top_customers, count=count
        )
    )
    console.print(fmt.pareto_80())


def _top_debtors(report: AuditReport, fmt: Formatter, available: int) -> Table:
    text = fmt.labels
    rows = [
        (
            # Names and ids come from imported files, so they are text, not markup.
            markup_safe(f"{row.name} ({row.external_id})"),
            fmt.units(row.open_balance),
            fmt.units(row.overdue_balance),
            str(row.max_days_past_due),
            fmt.percent(row.late_share),
            text[row.segment],
        )
        for row in report.top_debtors().itertuples(index=False)
    ]
    widths = _debtor_widths(rows, text, available)
    table = Table(title=text["top_debtors"])
    keys = ("customer", "open_balance", "overdue", "max_dpd", "late_share", "segment")
    for index, key in enumerate(keys):
        table.add_column(
            text[key],
            justify="left" if key in ("customer", "segment") else "right",
            width=widths[index] if widths else None,
            overflow="fold" if widths else "ellipsis",
        )
    for row in rows:
        table.add_row(*row)
    return table


def _debtor_widths(
    rows: list[tuple[str, ...]], text: dict[str, str], available: int
) -> list[int]:
    """Return column widths that keep the sums whole, or none if they do not fit.

    A sum split over two lines or cut short is misread, so each column but
    the customer's gets the width of its longest value (or, for headers and
    segments, of its longest word), and the customer takes what is left. In
    a narrower terminal no width is set and each column shrinks with an
    ellipsis.
    """
    keys = ("open_balance", "overdue", "max_dpd", "late_share", "segment")
    widths = []
    for index, key in enumerate(keys, start=1):
        words = [*text[key].split(), *(w for row in rows for w in row[index].split())]
        whole = [row[index] for row in rows] if index < 3 else []
        widths.append(max(len(value) for value in [*words, *whole]))
    # Three characters of border and padding per column, and one at the end.
    rest = available - sum(widths) - 3 * (len(keys) + 1) - 1
    return [rest, *widths] if rest >= 6 else []


def _segments(report: AuditReport, fmt: Formatter) -> Table:
    text = fmt.labels
    table = Table(title=text["segments"])
    table.add_column(text["segment"])
    table.add_column(text["customers"], justify="right")
    for segment in Segment:
        table.add_row(text[segment.value], str(report.segment_counts.get(segment, 0)))
    return table


def _other_currencies(report: AuditReport, text: dict[str, str]) -> str:
    counts = ", ".join(
        f"{currency}: {count}" for currency, count in report.other_currencies.items()
    )
    return text["other_currencies"].format(currency=report.currency, counts=counts)
