"""The audit as one self-contained HTML page: inline CSS and SVG, no assets.

The page opens offline: it loads no script, font, style sheet or image from
anywhere, and every chart is SVG drawn here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, select_autoescape

from cobranza.portfolio.audit import AuditReport
from cobranza.portfolio.errors import ReportWriteError
from cobranza.portfolio.labels import labels_for
from cobranza.portfolio.presentation import Formatter
from cobranza.portfolio.rules import Segment

MAX_CUSTOMER_ROWS = 500
CHART_WIDTH = 560
CHART_HEIGHT = 220
MARGIN = 40
# Room left of the aging bars for the bucket names, right of them for the
# amounts, and under the monthly bars for the rotated month labels.
BUCKET_LABEL_WIDTH = 80
AMOUNT_LABEL_WIDTH = 110
MONTH_LABEL_HEIGHT = 50


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in SVG user units, with its labels."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


def render_html(report: AuditReport, locale: str) -> str:
    """Render the audit as an HTML page in the locale's language."""
    text = labels_for(locale)
    fmt = Formatter(report, locale, text)
    environment = Environment(autoescape=select_autoescape(default=True))
    source = files("cobranza.portfolio").joinpath("templates/audit.html")
    template = environment.from_string(source.read_text(encoding="utf-8"))
    customers = report.customers.head(MAX_CUSTOMER_ROWS)
    return template.render(
        report=report,
        text=text,
        fmt=fmt,
        lang="pt" if locale.lower().startswith("pt") else "es",
        segments=list(Segment),
        aging_bars=_aging_bars(report, fmt),
        pareto_points=_pareto_points(report),
        monthly_bars=_monthly_bars(report, fmt),
        chart={
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "margin": MARGIN,
            "month_axis_y": CHART_HEIGHT - MONTH_LABEL_HEIGHT,
        },
        customers=list(customers.itertuples(index=False)),
        customers_left_out=len(report.customers) - len(customers),
        cei_share=None
        if report.period.exact_cei is None
        else report.period.exact_cei / 100,
        other_currency_counts=", ".join(
            f"{code}: {count}" for code, count in report.other_currencies.items()
        ),
    )


def write_html(report: AuditReport, path: Path) -> None:
    """Render the audit in the report's locale and write it to `path`.

    Raises `ReportWriteError` naming the path when the file cannot be written.
    """
    page = render_html(report, report.locale)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ReportWriteError(
            f"no se pudo escribir el informe HTML en {path} "
            f"({exc.strerror or exc}): elegí un archivo en una carpeta que exista "
            "y en la que puedas escribir"
        ) from exc


def _aging_bars(report: AuditReport, fmt: Formatter) -> list[Bar]:
    """Draw one horizontal bar per aging bucket, scaled to the largest amount."""
    largest = max((bucket.amount for bucket in report.aging), default=Decimal(0))
    plot_width = CHART_WIDTH - MARGIN - BUCKET_LABEL_WIDTH - AMOUNT_LABEL_WIDTH
    row_height = (CHART_HEIGHT - MARGIN) / len(report.aging)
    bars = []
    for index, bucket in enumerate(report.aging):
        share = float(bucket.amount / largest) if largest > 0 else 0.0
        bars.append(
            Bar(
                x=MARGIN + BUCKET_LABEL_WIDTH,
                y=MARGIN / 2 + index * row_height + 4,
                width=max(share * plot_width, 0.0),
                height=row_height - 8,
                label=fmt.labels[bucket.key],
                value=fmt.money(bucket.amount),
            )
        )
    return bars


def _pareto_points(report: AuditReport) -> str:
    """Return the Pareto curve as an SVG polyline `points` attribute."""
    plot_width = CHART_WIDTH - 2 * MARGIN
    plot_height = CHART_HEIGHT - 2 * MARGIN
    points = [(Decimal(0), Decimal(0)), *report.pareto.curve]
    return " ".join(
        f"{MARGIN + float(x) * plot_width:.1f},"
        f"{CHART_HEIGHT - MARGIN - float(y) * plot_height:.1f}"
        for x, y in points
    )


def _monthly_bars(report: AuditReport, fmt: Formatter) -> list[Bar]:
    """Draw one vertical bar per month: the share of invoices paid late."""
    months = report.paid_late_by_month
    if months.empty:
        return []
    plot_width = CHART_WIDTH - 2 * MARGIN
    axis_y = CHART_HEIGHT - MONTH_LABEL_HEIGHT
    plot_height = axis_y - MARGIN / 2
    slot = plot_width / len(months)
    bars = []
    for index, row in enumerate(months.itertuples(index=False)):
        share = int(row.paid_late) / int(row.paid_invoices)
        height = share * plot_height
        bars.append(
            Bar(
                x=MARGIN + index * slot + slot * 0.1,
                y=axis_y - height,
                width=slot * 0.8,
                height=height,
                label=_month_label(str(row.month)),
                value=fmt.percent(share),
            )
        )
    return bars


def _month_label(month: str) -> str:
    """Turn "2025-03" into "03/2025", the order the report's dates use."""
    year, _, number = month.partition("-")
    return f"{number}/{year}" if number else month
