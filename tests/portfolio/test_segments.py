from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import Business, Customer
from cobranza.portfolio import Segment, SegmentRules, audit_portfolio, refresh_segments
from tests.portfolio.conftest import PortfolioBuilder

TODAY = date(2026, 6, 30)
RULES = SegmentRules()


def pay_series(
    builder: PortfolioBuilder, customer: Customer, delays: list[int], due_day: int = 10
) -> None:
    """Add one invoice a month from January, paid `delay` days after its due day."""
    for month, delay in enumerate(delays, start=1):
        due_on = date(2026, month, due_day)
        paid_on = date.fromordinal(due_on.toordinal() + delay)
        builder.paid_invoice(customer, due_on, paid_on)


def segment_of(report_dict: dict[str, object], external_id: str) -> dict[str, object]:
    customers = report_dict["customers"]
    assert isinstance(customers, list)
    return next(row for row in customers if row["external_id"] == external_id)


@pytest.fixture
def segmented(builder: PortfolioBuilder) -> PortfolioBuilder:
    pay_series(builder, builder.customer("punctual"), [0, -2, 0, 0])
    pay_series(builder, builder.customer("new"), [5, 9])
    pay_series(builder, builder.customer("occasional"), [0, 0, 0, 12])
    pay_series(builder, builder.customer("chronic"), [20, 0, 15, 31])
    # Due on the 10th, paid on the 28th: 18 days late every month.
    pay_series(builder, builder.customer("month_end"), [18, 18, 18, 18])
    # Due on the last day of the month and paid that day: punctual.
    for month_end in (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)):
        builder.paid_invoice(builder.customer_by("due_month_end"), month_end, month_end)
    return builder


@pytest.mark.parametrize(
    ("external_id", "segment"),
    [
        ("punctual", Segment.PUNCTUAL),
        ("new", Segment.NEW),
        ("occasional", Segment.OCCASIONAL_LATE),
        ("chronic", Segment.CHRONIC_LATE),
        ("month_end", Segment.MONTH_END),
        ("due_month_end", Segment.PUNCTUAL),
    ],
)
def test_segment_rules(
    session: Session,
    business: Business,
    segmented: PortfolioBuilder,
    external_id: str,
    segment: Segment,
) -> None:
    report = audit_portfolio(session, business, TODAY, today=TODAY, rules=RULES)

    row = segment_of(report.to_dict(), external_id)

    assert row["segment"] == segment.value


def test_behaviour_figures_per_customer(
    session: Session, business: Business, segmented: PortfolioBuilder
) -> None:
    report = audit_portfolio(session, business, TODAY, today=TODAY, rules=RULES)

    chronic = segment_of(report.to_dict(), "chronic")

    assert chronic["paid_invoices"] == 4
    assert chronic["paid_late"] == 3
    assert chronic["late_share"] == "0.7500"
    assert chronic["mean_days_late"] == "16.50"
    assert chronic["median_days_late"] == "17.50"
    assert chronic["month_end_payer"] is False


def test_month_end_flag_and_share(
    session: Session, business: Business, segmented: PortfolioBuilder
) -> None:
    report = audit_portfolio(session, business, TODAY, today=TODAY, rules=RULES)

    row = segment_of(report.to_dict(), "month_end")

    assert row["month_end_payer"] is True
    assert row["month_end_share"] == "1.0000"


def test_grace_days_count_as_on_time(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    pay_series(builder, builder.customer("grace"), [2, 3, 1])
    lenient = SegmentRules(late_grace_days=3)

    strict = audit_portfolio(session, business, TODAY, today=TODAY, rules=RULES)
    relaxed = audit_portfolio(session, business, TODAY, today=TODAY, rules=lenient)

    assert segment_of(strict.to_dict(), "grace")["segment"] == "chronic_late"
    assert segment_of(relaxed.to_dict(), "grace")["segment"] == "punctual"


def test_history_stops_at_as_of(
    session: Session, business: Business, segmented: PortfolioBuilder
) -> None:
    # By 2026-03-05 the occasional payer had paid two invoices, both on time.
    report = audit_portfolio(
        session, business, date(2026, 3, 5), today=TODAY, rules=RULES
    )

    row = segment_of(report.to_dict(), "occasional")

    assert row["paid_invoices"] == 2
    assert row["segment"] == "new"


def stored_segments(session: Session) -> dict[str, str | None]:
    rows = session.execute(select(Customer.external_id, Customer.segment)).all()
    return dict(rows)


def test_refresh_segments_stores_them(
    session: Session, business: Business, segmented: PortfolioBuilder
) -> None:
    segmented.customer("no_documents")

    counts = refresh_segments(session, business, TODAY, RULES)

    stored = stored_segments(session)
    assert stored["chronic"] == "chronic_late"
    assert stored["month_end"] == "month_end"
    assert stored["no_documents"] == "new"
    assert counts["punctual"] == 2
    assert counts["new"] == 2


def test_audit_of_today_stores_segments(
    session: Session, business: Business, segmented: PortfolioBuilder
) -> None:
    report = audit_portfolio(session, business, TODAY, today=TODAY, rules=RULES)

    assert report.segments_stored is True
    assert stored_segments(session)["occasional"] == "occasional_late"


def test_audit_of_past_date_only_reports(
    session: Session, business: Business, segmented: PortfolioBuilder
) -> None:
    report = audit_portfolio(
        session, business, date(2026, 5, 31), today=TODAY, rules=RULES
    )

    assert report.segments_stored is False
    assert set(stored_segments(session).values()) == {None}


def test_paid_late_by_month(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    pay_series(builder, builder.customer("monthly"), [0, 3, 4, 0])

    months = audit_portfolio(
        session, business, TODAY, today=TODAY, rules=RULES
    ).to_dict()["paid_late_by_month"]

    assert [row["month"] for row in months] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert [row["late_share"] for row in months] == [
        "0.0000",
        "1.0000",
        "1.0000",
        "0.0000",
    ]


def test_logs_carry_no_customer_names(
    session: Session,
    business: Business,
    builder: PortfolioBuilder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = builder.customer("L1", "Nombre Secreto (ficticio)")
    customer.phone = "+5491155550000"
    pay_series(builder, customer, [0, 5, 9])
    caplog.set_level(logging.DEBUG, logger="cobranza")

    audit_portfolio(session, business, TODAY, today=TODAY, rules=RULES)
    refresh_segments(session, business, TODAY, RULES)

    messages = [record.getMessage() for record in caplog.records]
    assert messages
    for message in messages:
        assert "Secreto" not in message
        assert "5491155550000" not in message
        assert "L1" not in message
