from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rich.console import Console
from sqlalchemy.orm import Session

from cobranza.db.models import Business
from cobranza.portfolio import AuditReport, InvalidAuditRequest, audit_portfolio
from cobranza.portfolio.rules import SegmentRules
from cobranza.portfolio.terminal import print_audit
from tests.portfolio.conftest import PortfolioBuilder

AS_OF = date(2026, 3, 31)


@pytest.fixture
def portfolio(builder: PortfolioBuilder) -> PortfolioBuilder:
    """Three customers with one invoice in each aging bucket, and a credit note.

    As of 2026-03-31, A owes 100 current, 200 at 10 days and 300 at 90 days.
    B owes 250 of 400 at 120 days and 500 at 59 days (paid on 2026-04-02).
    C owes 60 at 30 days, has a credit note of 30 and an invoice issued later.
    """
    a = builder.customer("A")
    b = builder.customer("B")
    c = builder.customer("C")
    builder.invoice(a, "100", date(2026, 3, 1), date(2026, 4, 10))
    builder.invoice(a, "200", date(2026, 2, 1), date(2026, 3, 21))
    builder.invoice(a, "300", date(2025, 12, 1), date(2025, 12, 31))
    partly_paid = builder.invoice(b, "400", date(2025, 11, 1), date(2025, 12, 1))
    builder.pay(partly_paid, "150", on=date(2026, 1, 15))
    paid_later = builder.invoice(b, "500", date(2026, 1, 1), date(2026, 1, 31))
    builder.pay(paid_later, on=date(2026, 4, 2))
    builder.invoice(c, "50", date(2026, 4, 5), date(2026, 5, 5))
    builder.credit_note(c, "30", date(2026, 3, 15))
    builder.invoice(c, "60", date(2026, 2, 15), date(2026, 3, 1))
    return builder


def run(session: Session, business: Business, as_of: date = AS_OF) -> AuditReport:
    return audit_portfolio(
        session, business, as_of, today=date(2026, 4, 30), rules=SegmentRules()
    )


def test_aging_buckets_by_count_and_amount(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    report = run(session, business).to_dict()

    aging = {row["bucket"]: (row["count"], row["amount"]) for row in report["aging"]}
    assert aging == {
        "current": (1, "100.00"),
        "1_30": (2, "260.00"),
        "31_60": (1, "500.00"),
        "61_90": (1, "300.00"),
        "over_90": (1, "250.00"),
    }
    assert report["open_invoices"] == 6
    assert report["open_balance"] == "1380.00"
    assert report["unapplied_credits"] == {"count": 1, "amount": "-30.00"}


def test_delinquency_rate_over_60_days(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    rate = run(session, business).to_dict()["delinquency_rate"]

    assert rate["by_count"] == "0.3333"
    assert rate["by_amount"] == "0.3901"


def test_dso_and_cei_over_90_days(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    report = run(session, business).to_dict()

    assert report["dso"]["ending_receivables"] == "1380.00"
    assert report["dso"]["credit_sales"] == "830.00"
    assert report["dso"]["days"] == "149.64"
    assert report["cei"]["beginning_receivables"] == "700.00"
    assert report["cei"]["ending_current_receivables"] == "100.00"
    assert report["cei"]["percent"] == "10.49"


def test_pareto_of_overdue_balance(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    pareto = run(session, business).to_dict()["pareto"]

    # B's 750 of 1280 overdue: A's 500, and C's 60 less its credit note of 30
    assert pareto["customers_with_overdue"] == 3
    assert pareto["top_customers"] == 1
    assert pareto["top_share"] == "0.5859"
    assert pareto["customers_for_80_percent"] == 2
    assert pareto["curve"][-1] == ["1.0000", "1.0000"]


def test_top_debtors_by_overdue_balance(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    debtors = run(session, business).to_dict()["top_debtors"]

    assert [row["external_id"] for row in debtors] == ["B", "A", "C"]
    assert debtors[0]["overdue_balance"] == "750.00"
    assert debtors[0]["max_days_past_due"] == 120
    assert debtors[2]["open_balance"] == "30.00"
    assert debtors[2]["overdue_balance"] == "30.00"


def test_payment_after_as_of_is_ignored(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    before = run(session, business, date(2026, 4, 1)).to_dict()
    after = run(session, business, date(2026, 4, 2)).to_dict()

    assert before["open_balance"] == "1380.00"
    assert after["open_balance"] == "880.00"


def test_document_issued_after_as_of_is_ignored(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    before = run(session, business, date(2026, 4, 4)).to_dict()
    after = run(session, business, date(2026, 4, 5)).to_dict()

    assert before["open_invoices"] == 5
    assert after["open_invoices"] == 6


def test_as_of_ends_at_local_midnight(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    customer = builder.customer("Z")
    late_evening = builder.invoice(customer, "10", date(2026, 3, 1), date(2026, 3, 31))
    after_midnight = builder.invoice(
        customer, "20", date(2026, 3, 1), date(2026, 3, 31)
    )
    # 23:30 on 31 March and 00:30 on 1 April in Buenos Aires (UTC−3).
    builder.pay(late_evening, at=datetime(2026, 4, 1, 2, 30, tzinfo=UTC))
    builder.pay(after_midnight, at=datetime(2026, 4, 1, 3, 30, tzinfo=UTC))

    report = run(session, business).to_dict()

    assert report["open_balance"] == "20.00"


def test_partial_payments_leave_the_rest_open(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    customer = builder.customer("P")
    invoice = builder.invoice(customer, "1000.50", date(2026, 1, 1), date(2026, 1, 31))
    builder.pay(invoice, "300.25", on=date(2026, 2, 1))
    builder.pay(invoice, "200.25", on=date(2026, 3, 1))

    report = run(session, business).to_dict()

    assert report["open_balance"] == "500.00"
    assert report["customers"][0]["paid_invoices"] == 0


def test_credit_notes_lower_the_balance(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    customer = builder.customer("N")
    builder.invoice(customer, "500", date(2026, 3, 1), date(2026, 3, 31))
    builder.credit_note(customer, "120.50", date(2026, 3, 10))

    report = run(session, business).to_dict()

    assert report["open_balance"] == "379.50"
    assert report["customers"][0]["open_balance"] == "379.50"
    assert report["dso"]["credit_sales"] == "379.50"


def test_overdue_nets_credit_notes_per_customer(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    # Credit notes cover what is not yet due first, then what is overdue.
    past, later = date(2026, 3, 1), date(2026, 4, 30)
    covers_part = builder.customer("P")
    builder.invoice(covers_part, "1000", past, past)
    builder.invoice(covers_part, "300", past, later)
    builder.credit_note(covers_part, "500", past)
    all_overdue = builder.customer("Q")
    builder.invoice(all_overdue, "200", past, past)
    builder.credit_note(all_overdue, "50", past)
    credit_left_over = builder.customer("R")
    builder.invoice(credit_left_over, "100", past, past)
    builder.credit_note(credit_left_over, "400", past)
    not_due_only = builder.customer("S")
    builder.invoice(not_due_only, "300", past, later)
    builder.credit_note(not_due_only, "100", past)

    report = run(session, business)
    figures = report.to_dict()

    assert figures["overdue"] == "950.00"
    assert report.overdue == Decimal("950")
    assert figures["open_balance"] == "850.00"
    aging_total = sum(Decimal(row["amount"]) for row in figures["aging"])
    credits = Decimal(figures["unapplied_credits"]["amount"])
    assert aging_total + credits == Decimal(figures["open_balance"])


def test_empty_portfolio_has_undefined_ratios(
    session: Session, business: Business
) -> None:
    report = run(session, business).to_dict()

    assert report["open_invoices"] == 0
    assert report["delinquency_rate"]["by_count"] is None
    assert report["dso"]["days"] is None
    assert report["cei"]["percent"] is None
    assert report["pareto"]["top_share"] is None
    assert report["customers"] == []


def test_future_as_of_is_rejected(session: Session, business: Business) -> None:
    with pytest.raises(InvalidAuditRequest, match="posterior a hoy"):
        run(session, business, date(2026, 5, 1))


def test_disputed_invoices_are_counted(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    customer = builder.customer("D")
    builder.invoice(customer, "70", date(2026, 3, 1), date(2026, 3, 31), disputed=True)

    disputed = run(session, business).to_dict()["disputed"]

    assert disputed == {"count": 1, "amount": "70.00"}


def test_other_currencies_are_left_out(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    customer = builder.customer("U")
    builder.invoice(customer, "100", date(2026, 3, 1), date(2026, 3, 31))
    dollars = builder.invoice(customer, "40", date(2026, 3, 1), date(2026, 3, 31))
    dollars.currency = "USD"
    session.flush()

    pesos = run(session, business).to_dict()
    in_dollars = audit_portfolio(
        session,
        business,
        AS_OF,
        today=date(2026, 4, 30),
        rules=SegmentRules(),
        currency="usd",
    ).to_dict()

    assert pesos["open_balance"] == "100.00"
    assert pesos["other_currencies"] == {"USD": 1}
    assert in_dollars["currency"] == "USD"
    assert in_dollars["open_balance"] == "40.00"
    assert in_dollars["other_currencies"] == {"ARS": 1}


def test_invalid_currency_is_rejected(session: Session, business: Business) -> None:
    with pytest.raises(InvalidAuditRequest, match="ISO 4217"):
        audit_portfolio(
            session,
            business,
            AS_OF,
            today=AS_OF,
            rules=SegmentRules(),
            currency="pesos",
        )


def test_audit_keeps_sums_whole_at_80_columns(
    session: Session, business: Business, portfolio: PortfolioBuilder
) -> None:
    customer = portfolio.customer(
        "C-016", "Veterinaria La Esquina de Barrio Norte S.R.L. (ficticia)"
    )
    portfolio.invoice(customer, "1131574.34", date(2026, 1, 2), date(2026, 2, 1))
    console = Console(width=80, record=True)

    print_audit(run(session, business), console, "es_AR")
    output = console.export_text()

    assert "$ 1.131.574,34" in output
    assert "…" not in output
    table_lines = [line for line in output.splitlines() if line[:1] in "┏┃┡│└"]
    assert all(line.rstrip()[-1] in "┓┃┩│┘" for line in table_lines)


def test_percentages_are_rounded_once(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    # 2545.10 of 100000 is more than 60 days late: 0.025451, or 2,5 %.
    customer = builder.customer("M")
    builder.invoice(customer, "2545.10", date(2025, 12, 1), date(2026, 1, 1))
    builder.invoice(customer, "97454.90", date(2026, 3, 20), date(2026, 4, 10))
    report = run(session, business)
    console = Console(width=120, record=True)

    print_audit(report, console, "es_AR")
    output = console.export_text()

    assert report.to_dict()["delinquency_rate"]["by_amount"] == "0.0255"
    amount_line = next(line for line in output.splitlines() if "por monto" in line)
    assert "2,5%" in amount_line
    assert "2,6%" not in amount_line


def test_credit_note_covering_overdue_customer(
    session: Session, business: Business, builder: PortfolioBuilder
) -> None:
    # Given D owing 100 at 40 days past due with a credit note of 150, and
    # E owing 80 at 10 days past due
    d = builder.customer("D")
    e = builder.customer("E")
    builder.invoice(d, "100", date(2026, 1, 20), date(2026, 2, 19))
    builder.credit_note(d, "150", date(2026, 3, 10))
    builder.invoice(e, "80", date(2026, 2, 20), date(2026, 3, 21))

    # When
    report = run(session, business).to_dict()

    # Then D owes nothing overdue, so only E is a debtor
    rows = {row["external_id"]: row for row in report["customers"]}
    assert rows["D"]["overdue_balance"] == "0.00"
    assert rows["D"]["max_days_past_due"] == 0
    assert rows["E"]["overdue_balance"] == "80.00"
    assert rows["E"]["max_days_past_due"] == 10
    assert [row["external_id"] for row in report["top_debtors"]] == ["E"]
    assert report["pareto"]["customers_with_overdue"] == 1
    assert report["overdue"] == "80.00"
