"""Segments and audit figures of a history imported without payment dates.

Every portfolio here goes in through `import_file`, as an owner's invoice
file does, and is read back by the real segment refresh and audit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer
from cobranza.portfolio import refresh_segments
from cobranza.portfolio.audit import AuditReport, audit_portfolio
from cobranza.portfolio.rules import Segment, SegmentRules
from cobranza.web.dashboard.summary_data import load_summary
from tests.ingest.conftest import make_business, run_import, write_csv

IMPORTED_AT = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 4, 10)
HEADER = ["Cliente", "Factura", "Emisión", "Vencimiento", "Importe", "Saldo",
          "Fecha de pago"]  # fmt: skip


def history(customer: str, first: int, paid_on: str = "") -> list[list[str]]:
    """Four invoices of 2025, all settled, each paid on `paid_on` if given."""
    return [
        [customer, f"F-{first + month}", f"01/{month:02d}/2025",
         f"15/{month:02d}/2025", "1.000,00", "0,00", paid_on]
        for month in range(1, 5)
    ]  # fmt: skip


def import_rows(engine: Engine, tmp_path: Path, rows: list[list[str]]) -> int:
    business_id = make_business(engine)
    path = write_csv(tmp_path / "cartera.csv", [HEADER, *rows], separator=";")
    run_import(engine, business_id, path, now=IMPORTED_AT)
    return business_id


def segments(engine: Engine, business_id: int) -> dict[str, str | None]:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        refresh_segments(session, business, TODAY, SegmentRules())
        rows = session.execute(
            select(Customer.external_id, Customer.segment).where(
                Customer.business_id == business_id
            )
        )
        return {external_id: segment for external_id, segment in rows}


def audit(engine: Engine, business_id: int, as_of: date = TODAY) -> AuditReport:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        return audit_portfolio(
            session, business, as_of, today=TODAY, rules=SegmentRules()
        )


def test_undated_history_is_not_late(engine: Engine, tmp_path: Path) -> None:
    # Ana's file has no payment dates; Beto's shows each invoice paid a
    # month after its due date, which is late.
    rows = [*history("Ana", 0), *history("Beto", 10, paid_on="15/06/2025")]
    business_id = import_rows(engine, tmp_path, rows)

    stored = segments(engine, business_id)

    assert stored["ana"] == Segment.NEW.value
    assert stored["beto"] == Segment.CHRONIC_LATE.value


def test_audit_behaviour_skips_undated(engine: Engine, tmp_path: Path) -> None:
    rows = [*history("Ana", 0), *history("Beto", 10, paid_on="10/01/2025")]
    business_id = import_rows(engine, tmp_path, rows)

    report = audit(engine, business_id)

    customers = report.customers.set_index("external_id")
    assert customers.loc["ana", "paid_invoices"] == 0
    assert customers.loc["beto", "paid_invoices"] == 4
    assert customers.loc["beto", "paid_late"] == 0
    assert int(report.paid_late_by_month["paid_invoices"].sum()) == 4


def test_undated_partial_then_dated_rest(engine: Engine, tmp_path: Path) -> None:
    # F-1 came half paid without a date. A later file shows the rest paid on
    # its due date, and that payment decides when F-1 was paid.
    business_id = make_business(engine)
    first = [["Ana", "F-1", "01/01/2026", "15/01/2026", "1.000,00", "500,00", ""]]
    path = write_csv(tmp_path / "a.csv", [HEADER, *first], separator=";")
    run_import(engine, business_id, path, now=datetime(2026, 1, 10, tzinfo=UTC))
    second = [["Ana", "F-1", "01/01/2026", "15/01/2026", "1.000,00", "0,00",
               "15/01/2026"]]  # fmt: skip
    path = write_csv(tmp_path / "b.csv", [HEADER, *second], separator=";")
    run_import(engine, business_id, path, now=IMPORTED_AT)

    report = audit(engine, business_id)

    customers = report.customers.set_index("external_id")
    assert customers.loc["ana", "paid_invoices"] == 1
    assert customers.loc["ana", "paid_late"] == 0


def test_cei_leaves_out_old_undated(engine: Engine, tmp_path: Path) -> None:
    # Old invoices settled at an unknown date, and one invoice of the last
    # 90 days still open.
    rows = [
        *history("Ana", 0),
        ["Ana", "F-20", "01/03/2026", "31/03/2026", "1.000,00", "1.000,00", ""],
    ]
    business_id = import_rows(engine, tmp_path, rows)

    report = audit(engine, business_id)

    # Dated at the import, the four settled invoices would be open at the
    # period start, and their payments would fall inside the period.
    assert report.period.beginning_receivables == Decimal(0)
    assert report.period.credit_sales == Decimal("1000")
    assert report.period.ending_receivables == Decimal("1000")
    assert report.period.cei == Decimal("0.00")
    assert report.period.dso == Decimal("90.00")


def test_past_audit_keeps_undated_settled(engine: Engine, tmp_path: Path) -> None:
    business_id = import_rows(engine, tmp_path, history("Ana", 0))

    report = audit(engine, business_id, as_of=date(2025, 5, 31))

    # The invoices count as paid when issued, not on the import's day, and
    # the invoice of April is the period's only sale.
    assert report.open_balance == Decimal(0)
    assert report.period.credit_sales == Decimal("1000")
    assert report.period.ending_receivables == Decimal(0)
    assert report.period.dso == Decimal("0.00")


def test_applied_credit_note_matches_summary(engine: Engine, tmp_path: Path) -> None:
    # NC-1 came with a balance of 0: it was applied before the export, and
    # no payment allocation records that. NC-2 is still to apply.
    rows = [
        ["Ana", "F-1", "01/03/2026", "31/03/2026", "1.000,00", "1.000,00", ""],
        ["Ana", "NC-1", "05/03/2026", "05/03/2026", "-200,00", "0,00", ""],
        ["Beto", "F-2", "01/03/2026", "31/03/2026", "500,00", "500,00", ""],
        ["Beto", "NC-2", "05/03/2026", "05/03/2026", "-100,00", "-100,00", ""],
    ]
    business_id = import_rows(engine, tmp_path, rows)

    report = audit(engine, business_id)
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        summary = load_summary(session, business, IMPORTED_AT)

    assert report.open_balance == Decimal("1400")
    assert report.unapplied_credit == Decimal("-100")
    assert report.unapplied_credit_count == 1
    assert report.overdue == Decimal("1400")
    assert summary.open_balance == report.open_balance
    assert summary.unapplied_credit == report.unapplied_credit
    assert summary.overdue == report.overdue
