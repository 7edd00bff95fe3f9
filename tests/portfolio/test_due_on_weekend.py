"""The audit counts a due date on a weekend or holiday from the next business day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.compliance.business_days import effective_due_dates
from cobranza.db.models import Business, Customer
from cobranza.portfolio import Segment, SegmentRules, audit_portfolio, refresh_segments
from tests.portfolio.conftest import PortfolioBuilder

RULES = SegmentRules()
SATURDAY = date(2026, 3, 14)
MONDAY = date(2026, 3, 16)
TUESDAY = date(2026, 3, 17)


def _customer_row(report: object, external_id: str) -> dict[str, object]:
    customers = report.to_dict()["customers"]  # type: ignore[attr-defined]
    return next(row for row in customers if row["external_id"] == external_id)


def test_saturday_invoice_not_overdue_on_monday(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    customer = builder.customer("C1")
    builder.invoice(customer, "1000", date(2026, 3, 1), SATURDAY)
    builder.invoice(customer, "300", date(2026, 3, 1), date(2026, 3, 13))
    moved = effective_due_dates(business)

    monday = audit_portfolio(
        session, business, MONDAY, today=TUESDAY, rules=RULES, effective_due=moved
    )
    tuesday = audit_portfolio(
        session, business, TUESDAY, today=TUESDAY, rules=RULES, effective_due=moved
    )

    assert monday.overdue == Decimal("300")
    assert monday.aging[0].key == "current"
    assert monday.aging[0].amount == Decimal("1000")
    assert _customer_row(monday, "C1")["max_days_past_due"] == 3
    assert tuesday.overdue == Decimal("1300")
    assert tuesday.aging[0].amount == Decimal("0")
    assert _customer_row(tuesday, "C1")["max_days_past_due"] == 4


def test_holiday_invoice_counts_from_next_business_day(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    # Independence Day, Thursday 9 July 2026, then a bridge holiday on
    # Friday: the invoice may be paid until Monday 13 July.
    customer = builder.customer("C1")
    builder.invoice(customer, "1000", date(2026, 6, 9), date(2026, 7, 9))
    moved = effective_due_dates(business)
    as_of = date(2026, 7, 20)

    report = audit_portfolio(
        session, business, as_of, today=as_of, rules=RULES, effective_due=moved
    )
    without_calendar = audit_portfolio(
        session, business, as_of, today=as_of, rules=RULES
    )

    assert _customer_row(report, "C1")["max_days_past_due"] == 7
    assert _customer_row(without_calendar, "C1")["max_days_past_due"] == 11


def test_paid_on_monday_is_on_time(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    # Four invoices due on a Saturday, each paid on the Monday after it.
    customer = builder.customer("C1")
    for saturday in (
        date(2026, 1, 10),
        date(2026, 2, 14),
        date(2026, 3, 14),
        date(2026, 4, 11),
    ):
        builder.paid_invoice(
            customer, saturday, date.fromordinal(saturday.toordinal() + 2)
        )
    moved = effective_due_dates(business)
    today = date(2026, 6, 30)

    report = audit_portfolio(
        session, business, today, today=today, rules=RULES, effective_due=moved
    )
    counts = refresh_segments(session, business, today, RULES, effective_due=moved)

    row = _customer_row(report, "C1")
    assert row["paid_late"] == 0
    assert row["segment"] == Segment.PUNCTUAL
    assert counts == {Segment.PUNCTUAL: 1}
    stored = session.scalars(select(Customer.segment)).one()
    assert stored == Segment.PUNCTUAL


def test_business_without_documents(session: Session, business: Business) -> None:
    # An owner who set the business up and audits before the first import.
    moved = effective_due_dates(business)

    report = audit_portfolio(
        session, business, TUESDAY, today=TUESDAY, rules=RULES, effective_due=moved
    )

    assert report.open_invoices == 0
    assert report.overdue == Decimal("0")
