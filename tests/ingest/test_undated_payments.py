"""Settled amounts that an invoice file gives without a payment date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import transaction
from cobranza.db.models import Payment
from tests.ingest.conftest import NOW, make_business, run_import, write_csv

HEADER = ["Cliente", "Factura", "Vencimiento", "Importe", "Saldo"]
ROWS = [
    ["Ana", "F-1", "10/01/2026", "1.000,00", "0,00"],
    ["Ana", "F-2", "10/02/2026", "500,00", "200,00"],
    ["Beto", "F-3", "10/03/2026", "300,00", "300,00"],
]
# The same invoices with the day each one was paid.
DATED_ROWS = [
    [*ROWS[0], "05/01/2026"],
    [*ROWS[1], "20/02/2026"],
    [*ROWS[2], ""],
]
WARNING = "el archivo no dice cuándo se pagaron"


def undated_file(tmp_path: Path, name: str = "saldos.csv") -> Path:
    return write_csv(tmp_path / name, [HEADER, *ROWS], separator=";")


def dated_file(tmp_path: Path, name: str = "saldos-con-fecha.csv") -> Path:
    return write_csv(
        tmp_path / name, [[*HEADER, "Fecha de pago"], *DATED_ROWS], separator=";"
    )


def stored_payments(engine: Engine) -> dict[str, tuple[Decimal, datetime, bool]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Payment.provider_payment_id,
                Payment.amount,
                Payment.paid_at,
                Payment.paid_at_unknown,
            )
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def warnings_in(notes: list[str]) -> list[str]:
    return [note for note in notes if WARNING in note]


def test_balance_without_date_is_undated(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)

    report = run_import(engine, business_id, undated_file(tmp_path))

    assert report.payments_recorded == 2
    assert report.payments_without_date == 2
    assert report.payments_without_date_total == Decimal("1300")
    payments = stored_payments(engine)
    assert payments["invoice:F-1:1000.00"][2] is True
    assert payments["invoice:F-2:300.00"][2] is True
    [warning] = warnings_in(report.notes)
    assert warning.startswith("2 comprobantes ya vienen cobrados")
    assert "$ 1.300,00" in warning
    assert "se guardaron sin fecha" in warning
    assert "«Fecha de pago»" in warning
    assert "cobranza payment import" in warning


def test_balance_with_date_is_dated(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)

    report = run_import(engine, business_id, dated_file(tmp_path))

    assert report.payments_without_date == 0
    assert warnings_in(report.notes) == []
    _amount, paid_at, unknown = stored_payments(engine)["invoice:F-1:1000.00"]
    assert unknown is False
    # Noon in Buenos Aires (UTC-3) on the payment date.
    assert paid_at == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def test_dry_run_words_warning_as_conditional(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)

    report = run_import(engine, business_id, undated_file(tmp_path), dry_run=True)

    [warning] = warnings_in(report.notes)
    assert "se guardarían sin fecha" in warning
    assert stored_payments(engine) == {}


def test_newer_export_dates_difference_at_import(
    engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, undated_file(tmp_path))
    newer = [ROWS[0], ROWS[1], ["Beto", "F-3", "10/03/2026", "300,00", "100,00"]]
    path = write_csv(tmp_path / "nuevo.csv", [HEADER, *newer], separator=";")
    later = NOW + timedelta(days=7)

    report = run_import(engine, business_id, path, now=later)

    # The stored balance of F-3 dates its payment between the two imports.
    assert report.payments_recorded == 1
    assert report.payments_without_date == 0
    assert warnings_in(report.notes) == []
    _amount, paid_at, unknown = stored_payments(engine)["invoice:F-3:200.00"]
    assert unknown is False
    assert paid_at == later


def test_file_with_dates_dates_stored_payments(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine)
    run_import(engine, business_id, undated_file(tmp_path))

    report = run_import(engine, business_id, dated_file(tmp_path))

    assert report.payments_recorded == 0
    assert report.payments_dated == 2
    assert "2 pagos guardados sin fecha ahora tienen" in " ".join(report.notes)
    payments = stored_payments(engine)
    assert len(payments) == 2
    assert payments["invoice:F-1:1000.00"][1:] == (
        datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
        False,
    )
    assert payments["invoice:F-2:300.00"][1:] == (
        datetime(2026, 2, 20, 15, 0, tzinfo=UTC),
        False,
    )


@pytest.fixture
def cli_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_cli_warns_once_in_json_and_table(cli_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = undated_file(tmp_path)

    dry = runner.invoke(app, ["import", str(path), "--dry-run"], env={"COLUMNS": "200"})
    stored = runner.invoke(app, ["import", str(path), "--json"])

    assert dry.exit_code == 0, dry.output
    assert dry.stdout.count(WARNING) == 1
    assert stored.exit_code == 0, stored.output
    report = json.loads(stored.stdout)
    assert report["payments_without_date"] == 2
    assert report["payments_without_date_total"] == "1300.00"
    assert len(warnings_in(report["notes"])) == 1
