from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from cobranza.db.models import Business
from cobranza.portfolio import SegmentRules, audit_portfolio
from cobranza.portfolio.html import CHART_HEIGHT, CHART_WIDTH, render_html
from tests.portfolio.conftest import PortfolioBuilder

TODAY = date(2026, 6, 30)
RECT = re.compile(
    r'<rect class="[^"]*" x="([\d.]+)" y="([\d.]+)" '
    r'width="([\d.]+)" height="([\d.]+)"'
)


def render(session: Session, business: Business, locale: str = "es_AR") -> str:
    report = audit_portfolio(
        session, business, TODAY, today=TODAY, rules=SegmentRules()
    )
    return render_html(report, locale)


def test_bars_fit_inside_the_charts(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    for number in range(12):
        customer = builder.customer(f"K{number}")
        builder.invoice(customer, "987654321.99", date(2025, 1, 1), date(2025, 1, 31))
        due_on = date(2025, number + 1, 5)
        builder.paid_invoice(customer, due_on, date(2025, number + 1, 6 + number))

    html = render(session, business)

    rectangles = RECT.findall(html)
    assert len(rectangles) == 5 + 12
    for x, y, width, height in rectangles:
        assert float(x) + float(width) <= CHART_WIDTH
        assert float(y) + float(height) <= CHART_HEIGHT
        assert float(x) >= 0
        assert float(y) >= 0


def test_page_in_portuguese_for_brazil(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    builder.invoice(builder.customer("B1"), "10", date(2026, 1, 1), date(2026, 2, 1))

    html = render(session, business, "pt_BR")

    assert '<html lang="pt">' in html
    assert "Auditoria da carteira" in html
    assert "Mais de 90 dias" in html


def test_empty_portfolio_renders(session: Session, business: Business) -> None:
    html = render(session, business)

    assert "No hay deuda vencida." in html
    assert "<polyline" not in html


def test_bidi_names_are_isolated(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    name = "Ana \u202eDíaz 0001$"
    customer = builder.customer("C-\u202e1", name)
    builder.invoice(customer, "100", date(2026, 1, 1), date(2026, 1, 31))

    html = render(session, business)

    assert f"<bdi>{name}</bdi> (<bdi>C-\u202e1</bdi>)" in html


def test_dso_without_sales_has_no_unit(session: Session, business: Business) -> None:
    # No invoice was issued in the period, so DSO is undefined.
    html = render(session, business)

    assert "sin datos días" not in html
    assert "sin datos</div>" in html
