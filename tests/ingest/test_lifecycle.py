"""Re-imports, newer exports, snapshots, dry runs, rollback and consent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from cobranza.db.engine import transaction
from cobranza.db.models import (
    Allocation,
    Base,
    ConsentEvent,
    Customer,
    Document,
    ImportRun,
    Payment,
)
from cobranza.ingest import service
from tests.ingest.conftest import (
    NOW,
    balance,
    customer,
    make_business,
    run_import,
    write_csv,
)

HEADER = ["Cliente", "Celular", "Factura", "Vencimiento", "Importe", "Saldo",
          "Fecha de pago", "Acepta WhatsApp"]  # fmt: skip


def export(path: Path, rows: list[list[str]], newline: str = "\r\n") -> Path:
    return write_csv(path, [HEADER, *rows], separator=";", newline=newline)


FIRST = [
    ["Ana", "11 4567 8901", "F-1", "10/03/2026", "1.000,00", "1.000,00", "", "si"],
    ["Ana", "11 4567 8901", "F-2", "20/03/2026", "500,00", "500,00", "", "si"],
    ["Beto", "", "F-3", "25/03/2026", "300,00", "0,00", "24/03/2026", ""],
]


def table_counts(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name != "business"
        }


def payments(engine: Engine) -> list[tuple[str, Decimal, datetime]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Payment.provider_payment_id, Payment.amount, Payment.paid_at
            ).order_by(Payment.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_first_import_records_settled_payment(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)

    report = run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))

    assert report.payments_recorded == 1
    [(payment_id, amount, paid_at)] = payments(engine)
    assert payment_id == "invoice:F-3:300.00"
    assert amount == Decimal("300")
    # Noon in Buenos Aires (UTC-3) on the settle date.
    assert paid_at == datetime(2026, 3, 24, 15, 0, tzinfo=UTC)
    with transaction(engine) as session:
        allocation = session.scalars(select(Allocation)).one()
        assert allocation.amount == Decimal("300")


def test_same_file_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    path = export(tmp_path / "a.csv", FIRST)
    run_import(engine, business_id, path)
    before = table_counts(engine)

    report = run_import(engine, business_id, path)

    assert report.already_imported is True
    assert table_counts(engine) == before


def test_same_content_new_bytes_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))
    before = table_counts(engine)

    # Other line endings give another sha256, so only the data decides.
    report = run_import(
        engine, business_id, export(tmp_path / "b.csv", FIRST, newline="\n")
    )

    assert report.already_imported is False
    assert report.documents_created == 0
    assert report.documents_updated == 0
    assert report.payments_recorded == 0
    assert report.consent_events == 0
    after = table_counts(engine)
    assert after.pop("import_run") == before.pop("import_run") + 1
    assert after.pop("audit_event") == before.pop("audit_event") + 1
    assert after == before


def test_newer_export_records_the_difference(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))
    newer = [
        ["Ana", "11 4567 8901", "F-1", "10/03/2026", "1.000,00", "400,00", "", "si"],
        ["Ana", "11 4567 8901", "F-2", "20/03/2026", "500,00", "0,00", "02/04/2026",
         "si"],
        ["Beto", "", "F-3", "25/03/2026", "300,00", "0,00", "24/03/2026", ""],
    ]  # fmt: skip

    report = run_import(engine, business_id, export(tmp_path / "b.csv", newer))

    assert report.payments_recorded == 2
    assert report.payments_total == Decimal("1100")
    recorded = {payment_id: amount for payment_id, amount, _ in payments(engine)}
    assert recorded["invoice:F-1:600.00"] == Decimal("600")
    assert recorded["invoice:F-2:500.00"] == Decimal("500")
    assert balance(engine, business_id, "ana") == Decimal("400")


def test_corrected_amount_is_no_payment(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))
    corrected = [
        ["Ana", "11 4567 8901", "F-1", "10/03/2026", "900,00", "900,00", "", "si"],
        ["Ana", "11 4567 8901", "F-2", "20/03/2026", "600,00", "100,00", "", "si"],
        ["Beto", "", "F-3", "25/03/2026", "300,00", "0,00", "24/03/2026", ""],
    ]

    report = run_import(engine, business_id, export(tmp_path / "b.csv", corrected))

    # F-1 lost 100 of its amount, which was unpaid, and 500 of F-2's new 600 were paid.
    assert report.payments_recorded == 1
    recorded = {payment_id: amount for payment_id, amount, _ in payments(engine)}
    assert recorded == {
        "invoice:F-3:300.00": Decimal("300"),
        "invoice:F-2:500.00": Decimal("500"),
    }
    assert balance(engine, business_id, "ana") == Decimal("1000")


def test_missing_invoice_is_only_reported(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))

    report = run_import(engine, business_id, export(tmp_path / "b.csv", FIRST[1:]))

    assert report.missing_from_file == [
        {"kind": "invoice", "number": "F-1", "open_amount": "1000.00"}
    ]
    assert report.settled_as_missing == 0
    assert balance(engine, business_id, "ana") == Decimal("1500")


def test_full_snapshot_settles_missing_invoice(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))

    report = run_import(
        engine,
        business_id,
        export(tmp_path / "b.csv", FIRST[1:]),
        full_snapshot=True,
    )

    assert report.settled_as_missing == 1
    assert balance(engine, business_id, "ana") == Decimal("500")
    with transaction(engine) as session:
        settled = session.scalars(
            select(Document).where(Document.number == "F-1")
        ).one()
        assert settled.open_amount == Decimal("0")
        assert settled.missing_since == date(2026, 4, 10)
    recorded = {payment_id: amount for payment_id, amount, _ in payments(engine)}
    assert recorded["invoice:F-1:1000.00"] == Decimal("1000")

    again = run_import(
        engine,
        business_id,
        export(tmp_path / "c.csv", FIRST[1:], newline="\n"),
        full_snapshot=True,
    )
    assert again.payments_recorded == 0
    assert again.missing_from_file == []


def test_dry_run_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    before = table_counts(engine)

    report = run_import(
        engine, business_id, export(tmp_path / "a.csv", FIRST), dry_run=True
    )

    assert report.dry_run is True
    assert report.documents_created == 3
    assert report.payments_recorded == 1
    assert table_counts(engine) == before


@contextmanager
def failing_document_insert(engine: Engine, number: str) -> Iterator[None]:
    """Make the database reject inserting document `number`, then undo it.

    The PostgreSQL test database is shared by the whole session, so the
    trigger must not outlive the test.
    """
    if engine.dialect.name == "sqlite":
        statements = [
            "CREATE TRIGGER fail_document BEFORE INSERT ON document "
            f"WHEN NEW.number = '{number}' "
            "BEGIN SELECT RAISE(ABORT, 'document rejected by test'); END"
        ]
        cleanup = ["DROP TRIGGER IF EXISTS fail_document"]
    else:
        statements = [
            "CREATE FUNCTION fail_document() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.number = '{number}' THEN "
            "RAISE EXCEPTION 'document rejected by test'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_document BEFORE INSERT ON document "
            "FOR EACH ROW EXECUTE FUNCTION fail_document()",
        ]
        cleanup = [
            "DROP TRIGGER IF EXISTS fail_document ON document",
            "DROP FUNCTION IF EXISTS fail_document()",
        ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in cleanup:
                connection.execute(text(statement))


def test_failure_mid_file_rolls_back(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    before = table_counts(engine)

    with (
        failing_document_insert(engine, "F-3"),
        pytest.raises(DBAPIError, match="document rejected by test"),
    ):
        run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))

    assert table_counts(engine) == before


def test_consent_column_appends_only_changes(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    path = export(tmp_path / "a.csv", FIRST)

    first = run_import(engine, business_id, path)
    again = run_import(
        engine, business_id, export(tmp_path / "b.csv", FIRST, newline="\n")
    )
    revoked = [[*row[:7], "no"] if row[0] == "Ana" else row for row in FIRST]
    third = run_import(engine, business_id, export(tmp_path / "c.csv", revoked))

    assert (first.consent_events, again.consent_events, third.consent_events) == (
        1,
        0,
        1,
    )
    with transaction(engine) as session:
        events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
        assert [event.action for event in events] == ["grant", "revoke"]
        assert events[0].source == "import:a.csv"
        assert events[0].evidence is not None
        assert events[0].evidence.startswith(f"sha256:{first.sha256}")
        assert events[0].evidence.endswith("line:3")
        assert events[0].at == NOW


def test_no_consent_without_history_appends_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(engine)
    rows = [[*row[:7], "no"] for row in FIRST]

    report = run_import(engine, business_id, export(tmp_path / "a.csv", rows))

    assert report.consent_events == 0


def test_import_run_and_customer_update(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))
    moved = [
        [row[0], "11 5555 6666", *row[2:]] if row[0] == "Ana" else row for row in FIRST
    ]

    report = run_import(engine, business_id, export(tmp_path / "b.csv", moved))

    assert report.customers_updated == 1
    assert customer(engine, business_id, "ana").phone == "+5491155556666"
    with transaction(engine) as session:
        runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [run.file_name for run in runs] == ["a.csv", "b.csv"]
        assert runs[1].report["customers_updated"] == 1
        assert session.scalar(select(func.count()).select_from(Customer)) == 2


def test_progress_reaches_total(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    calls: list[tuple[int, int]] = []

    run_import(
        engine,
        business_id,
        export(tmp_path / "a.csv", FIRST),
        progress=lambda done, total: calls.append((done, total)),
    )

    # 3 rows parsed, then 2 customers, 3 documents, 1 consent event and a
    # payment with its allocation written.
    assert calls[-1] == (11, 11)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_logs_contain_no_names_or_phones(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    business_id = make_business(engine)
    caplog.set_level("DEBUG", logger="cobranza")

    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))

    logged = " ".join(
        record.getMessage() for record in caplog.records if record.levelno >= 20
    )
    assert "import stored" in logged
    for secret in ("Ana", "Beto", "4567", "5491145678901"):
        assert secret not in logged


def test_overlong_values_are_rejected_or_flagged(
    engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(engine)
    long_name = "Distribuidora " + "x" * 400
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe"],
            ["Ana", "F" * 65, "10/04/2026", "100,00"],
            [long_name, "F-2", "10/04/2026", "100,00"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert [issue.code for issue in report.rows_rejected] == ["number_too_long"]
    assert [issue.code for issue in report.rows_flagged] == ["name_too_long"]
    assert report.documents_imported == 1
    with transaction(engine) as session:
        stored = session.scalars(select(Customer)).one()
        assert stored.name == long_name[:300]
        assert len(stored.external_id) == 120


def test_older_export_keeps_lower_balance(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, export(tmp_path / "a.csv", FIRST))
    paid = [["Ana", "11 4567 8901", "F-1", "10/03/2026", "1.000,00", "400,00", "",
             "si"], *FIRST[1:]]  # fmt: skip
    run_import(engine, business_id, export(tmp_path / "b.csv", paid))

    stale = run_import(
        engine, business_id, export(tmp_path / "c.csv", FIRST, newline="\n")
    )

    assert balance(engine, business_id, "ana") == Decimal("900")
    assert stale.payments_recorded == 0
    assert stale.balances_increased == [
        {
            "number": "F-1",
            "kind": "invoice",
            "line": "2",
            "stored_open_amount": "400.00",
            "file_open_amount": "1000.00",
            "currency": "ARS",
        }
    ]


def test_stored_report_caps_issue_lists(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    business_id = make_business(engine)
    monkeypatch.setattr(service, "STORED_ISSUES_LIMIT", 2)
    rows = [["Ana", "", f"F-{n}", "31/02/2026", "1,00", "", "", ""] for n in range(5)]

    report = run_import(engine, business_id, export(tmp_path / "a.csv", rows))

    assert len(report.rows_rejected) == 5
    with transaction(engine) as session:
        stored = session.scalars(select(ImportRun)).one().report
    assert stored["rows_rejected_count"] == 5
    assert [issue["line"] for issue in stored["rows_rejected"]] == [2, 3]


def test_bidi_mark_in_name_kept_as_stored(engine: Engine, tmp_path: Path) -> None:
    # Given a name in Arabic script with a right-to-left mark, and no code
    business_id = make_business(engine)
    name = "\u200fمحمد"
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe"],
            [name, "F-1", "10/04/2026", "100,00"],
        ],
    )

    # When it is imported
    report = run_import(engine, business_id, path)

    # Then the name is stored as written, and the id made from it has no mark
    assert report.rows_rejected == []
    with transaction(engine) as session:
        stored = session.scalars(select(Customer)).one()
        assert stored.name == name
        assert stored.external_id == "محمد"
