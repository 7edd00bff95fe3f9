"""Invoices that an export marks as cancelled after an earlier import."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Business, Document, Payment
from cobranza.portfolio.audit import audit_portfolio
from cobranza.portfolio.rules import SegmentRules
from cobranza.web.dashboard.summary_data import load_summary
from tests.ingest.conftest import NOW, make_business, run_import, write_csv

HEADER = ["Nº NF", "CPF/CNPJ", "Razão social", "Vencimento", "Valor", "Situação"]
OPEN_401 = ["000.401", "529.982.247-25", "Maria", "01/03/2026", "100,00", "Em aberto"]
OPEN_402 = ["000.402", "123.456.789-09", "João", "01/03/2026", "200,00", "Em aberto"]
CANCELLED_402 = [*OPEN_402[:5], "Cancelada"]


def export(path: Path, *rows: list[str]) -> Path:
    return write_csv(path, [HEADER, *rows], separator=";")


def document(engine: Engine, number: str) -> Document:
    with transaction(engine) as session:
        return session.scalars(select(Document).where(Document.number == number)).one()


def payment_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return len(session.scalars(select(Payment.id)).all())


def test_cancelled_row_stops_stored_invoice(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    run_import(engine, business_id, export(tmp_path / "a.csv", OPEN_401, OPEN_402))

    report = run_import(
        engine, business_id, export(tmp_path / "b.csv", OPEN_401, CANCELLED_402)
    )

    cancelled = document(engine, "000.402")
    assert cancelled.open_amount == Decimal(0)
    assert cancelled.amount == Decimal("200.00")
    assert cancelled.missing_since is None
    assert payment_count(engine) == 0
    assert report.payments_recorded == 0
    assert report.open_balance == Decimal("100.00")
    assert report.documents_cancelled == [
        {
            "kind": "invoice",
            "number": "000.402",
            "line": "3",
            "open_amount": "200.00",
            "voided_payment": "",
        }
    ]
    with transaction(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "document_cancelled")
        ).one()
    assert any("cancelados: 000.402. Dejan de cobrarse" in n for n in report.notes)
    assert event.subject_id == cancelled.id
    assert event.details["open_amount"] == "200.00"


def test_snapshot_keeps_cancelled_unpaid(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    run_import(engine, business_id, export(tmp_path / "a.csv", OPEN_401, OPEN_402))
    run_import(engine, business_id, export(tmp_path / "b.csv", OPEN_401, CANCELLED_402))

    report = run_import(
        engine, business_id, export(tmp_path / "c.csv", OPEN_401), full_snapshot=True
    )

    assert report.settled_as_missing == 0
    assert report.payments_recorded == 0
    assert payment_count(engine) == 0
    assert document(engine, "000.402").missing_since is None


def test_snapshot_with_cancelled_row(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    run_import(engine, business_id, export(tmp_path / "a.csv", OPEN_401, OPEN_402))

    report = run_import(
        engine,
        business_id,
        export(tmp_path / "b.csv", OPEN_401, CANCELLED_402),
        full_snapshot=True,
    )

    assert report.settled_as_missing == 0
    assert report.missing_from_file == []
    assert report.payments_recorded == 0
    assert payment_count(engine) == 0
    assert document(engine, "000.402").open_amount == Decimal(0)
    assert len(report.documents_cancelled) == 1


def test_cancelled_counts_nowhere(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    run_import(engine, business_id, export(tmp_path / "a.csv", OPEN_401, OPEN_402))
    run_import(
        engine,
        business_id,
        export(tmp_path / "b.csv", OPEN_401, CANCELLED_402),
        full_snapshot=True,
    )

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        summary = load_summary(session, business, NOW)
        audit = audit_portfolio(
            session, business, NOW.date(), today=NOW.date(), rules=SegmentRules()
        )

    assert summary.open_balance == Decimal("100.00")
    assert summary.recovered_this_month == Decimal(0)
    assert summary.imported_this_month == Decimal(0)
    assert audit.open_balance == Decimal("100.00")
    assert audit.open_invoices == 1


def test_older_export_keeps_cancellation(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    run_import(engine, business_id, export(tmp_path / "a.csv", OPEN_401, OPEN_402))
    run_import(engine, business_id, export(tmp_path / "b.csv", OPEN_401, CANCELLED_402))

    report = run_import(
        engine,
        business_id,
        export(tmp_path / "c.csv", OPEN_401, OPEN_402, ["000.403", *OPEN_401[1:]]),
    )

    assert document(engine, "000.402").open_amount == Decimal(0)
    assert report.open_balance == Decimal("200.00")
    [flag] = [i for i in report.rows_flagged if i.code == "cancelled_earlier"]
    assert flag.line == 3
    assert '"000.402" figura como cancelado' in flag.message


def test_cancelled_new_invoice_not_stored(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")

    report = run_import(
        engine, business_id, export(tmp_path / "a.csv", OPEN_401, CANCELLED_402)
    )

    assert report.documents_cancelled == []
    assert [issue.code for issue in report.rows_rejected] == ["cancelled_document"]
    with transaction(engine) as session:
        numbers = session.scalars(select(Document.number)).all()
    assert numbers == ["000.401"]


def test_cancelling_voids_snapshot_payment(engine: Engine, tmp_path: Path) -> None:
    # An earlier full snapshot that no longer listed 000.402 settled it
    # with an import payment. A later file shows it was cancelled instead.
    business_id = make_business(engine, "BR")
    run_import(engine, business_id, export(tmp_path / "a.csv", OPEN_401, OPEN_402))
    run_import(
        engine, business_id, export(tmp_path / "b.csv", OPEN_401), full_snapshot=True
    )

    report = run_import(
        engine, business_id, export(tmp_path / "c.csv", OPEN_401, CANCELLED_402)
    )

    [entry] = report.documents_cancelled
    assert entry["voided_payment"] == "200.00"
    with transaction(engine) as session:
        statuses = session.scalars(select(Payment.status)).all()
        business = session.get_one(Business, business_id)
        summary = load_summary(session, business, NOW)
    assert statuses == ["cancelled"]
    assert summary.imported_this_month == Decimal(0)
    assert dict(summary.collections)[f"{NOW:%m/%Y}"] == Decimal(0)


def test_cancelled_is_no_sale_for_dso(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    header = [*HEADER, "Emissão"]
    issued = f"{NOW:%d}/{NOW:%m}/{NOW:%Y}"
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "a.csv",
            [header, [*OPEN_401, issued], [*OPEN_402, issued]],
            separator=";",
        ),
    )
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "b.csv",
            [header, [*OPEN_401, issued], [*CANCELLED_402, issued]],
            separator=";",
        ),
    )

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        summary = load_summary(session, business, NOW)
        audit = audit_portfolio(
            session, business, NOW.date(), today=NOW.date(), rules=SegmentRules()
        )

    assert audit.period.exact_dso is not None
    assert summary.dso_days == audit.period.exact_dso
    assert summary.dso_days == Decimal(90)


def test_new_invoice_owed_and_cancelled(engine: Engine, tmp_path: Path) -> None:
    # The file lists 000.402 as open and, on another row, as cancelled.
    # Importing it once or twice must store the same: no debt for 000.402.
    business_id = make_business(engine, "BR")
    path = export(tmp_path / "a.csv", OPEN_401, OPEN_402, CANCELLED_402)

    first = run_import(engine, business_id, path)
    with transaction(engine) as session:
        after_first = session.scalars(select(Document.number)).all()
    run_import(engine, business_id, path)
    with transaction(engine) as session:
        after_second = session.scalars(select(Document.number)).all()

    assert after_first == ["000.401"]
    assert after_second == ["000.401"]
    assert [issue.code for issue in first.rows_flagged] == ["cancelled_earlier"]
    assert [issue.code for issue in first.rows_rejected] == ["cancelled_document"]
