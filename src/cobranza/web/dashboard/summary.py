"""Resumen: the portfolio and collection figures with their charts."""

from __future__ import annotations

from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cobranza.jobs.business_settings import (
    missing_detail_lines,
    missing_legal_details,
    waiting_details,
)
from cobranza.money import format_money
from cobranza.web.charts import bar_chart, funnel_chart
from cobranza.web.dashboard.common import business_of
from cobranza.web.dashboard.summary_data import (
    AGING_LABELS,
    CREDIT_NOTES_LABEL,
    load_summary,
)
from cobranza.web.security import db, now, signed_in
from cobranza.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def summary_page(request: Request) -> HTMLResponse:
    """Show the Resumen page."""
    user = signed_in(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        figures = load_summary(session, business, now(request))
        name = business.name
        details = waiting_details(session, business.id)
        waiting = missing_detail_lines(details, business.locale)
        legal = missing_legal_details(business, waiting=details)

    dso = "—"
    if figures.dso_days is not None:
        dso = (
            format_decimal(figures.dso_days, "#,##0.0", locale=figures.locale) + " días"
        )

    def money(amount: object) -> str:
        return format_money(amount, figures.currency, figures.locale)  # type: ignore[arg-type]

    aging_rows = [
        (AGING_LABELS.get(b.key, b.key), b.amount, money(b.amount))
        for b in figures.aging
    ]
    if figures.unapplied_credit:
        # A negative row without a bar, so the rows add up to the open balance.
        aging_rows.append(
            (
                CREDIT_NOTES_LABEL,
                figures.unapplied_credit,
                money(figures.unapplied_credit),
            )
        )
    aging = bar_chart(aging_rows, "Antigüedad de la deuda")
    collections = bar_chart(
        [(month, amount, money(amount)) for month, amount in figures.collections],
        "Cobrado por mes",
    )
    funnel = funnel_chart(
        [(stage.label, stage.customers) for stage in figures.funnel],
        "Embudo de los últimos 30 días",
        locale=figures.locale,
    )
    return render(
        request,
        "resumen.html",
        {
            "business_name": name,
            "waiting": waiting,
            "legal": legal,
            "s": figures,
            "dso": dso,
            "aging_chart": aging,
            "collections_chart": collections,
            "funnel_chart": funnel,
        },
    )
