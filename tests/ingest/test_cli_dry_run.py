"""`cobranza import --dry-run` writes nothing: no file, no tables, no business."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner, Result

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import Base, Business
from tests.ingest.conftest import write_csv
from tests.test_cli_read_only import unmigrated_postgres  # noqa: F401

runner = CliRunner()

ROWS = [
    ["Cliente", "CUIT", "Celular", "Factura", "Vencimiento", "Importe", "Saldo"],
    ["Ana Díaz", "20-12345678-6", "011 15 4567-8901", "F-1", "10/03/2026",
     "1.000,00", "600,00"],
    ["Bar Sur S.A.", "30-71234567-1", "011 4567-8902", "F-2", "10/04/2026",
     "250,50", "250,50"],
]  # fmt: skip
MORE_ROWS = [
    *ROWS,
    ["Casa Norte", "20-23456789-7", "011 15 5555-0000", "F-3", "20/04/2026",
     "99,90", "99,90"],
]  # fmt: skip


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("COBRANZA_BUSINESS_NAME", raising=False)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _invoke(url: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    get_settings.cache_clear()
    return runner.invoke(app, args)


def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with transaction(engine) as session:
        counts = {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def _table_names(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
    engine.dispose()
    return names


def test_dry_run_creates_no_sqlite_file(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "nueva" / "cobranza.db"
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = _invoke(
        f"sqlite:///{database}", ["import", str(path), "--dry-run"], settings_env
    )

    assert result.exit_code == 0, result.output
    assert not database.exists()
    assert not database.parent.exists()
    assert "prueba: no se guardó nada" in result.stdout


def test_dry_run_on_new_file_reports_all(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "cobranza.db"
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = _invoke(
        f"sqlite:///{database}",
        ["import", str(path), "--dry-run", "--json"],
        settings_env,
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    assert report["customers_created"] == 2
    assert report["documents_created"] == 2
    assert report["currency"] == "ARS"
    assert report["open_balance"] == "850.50"
    assert report["decimal"]["convention"] == "comma"
    assert any('"Mi negocio" todavía no existe' in note for note in report["notes"])
    assert not database.exists()


def test_dry_run_takes_country_from_settings(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "cobranza.db"
    path = write_csv(
        tmp_path / "saldos.csv",
        [
            ["Razón social", "RFC", "Celular", "Folio", "Fecha de vencimiento",
             "Importe", "Saldo"],
            ["Ana Díaz", "XAXX010101000", "55 1234 5678", "A-1", "10/03/2026",
             "1,234.50", "1,234.50"],
        ],
        separator=";",
    )  # fmt: skip
    settings_env.setenv("COBRANZA_COUNTRY", "MX")

    result = _invoke(
        f"sqlite:///{database}",
        ["import", str(path), "--dry-run", "--json"],
        settings_env,
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["currency"] == "MXN"
    assert report["decimal"]["convention"] == "point"
    assert report["open_balance"] == "1234.50"
    assert not database.exists()


def test_dry_run_leaves_database_unchanged(
    sqlite_url: str, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    first = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    second = write_csv(tmp_path / "saldos2.csv", MORE_ROWS, separator=";")
    stored = _invoke(sqlite_url, ["import", str(first)], settings_env)
    assert stored.exit_code == 0, stored.output
    counts = _row_counts(sqlite_url)
    content, mtime = database.read_bytes(), database.stat().st_mtime_ns

    result = _invoke(
        sqlite_url, ["import", str(second), "--dry-run", "--json"], settings_env
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["customers_created"] == 1
    assert report["documents_created"] == 1
    assert report["documents_updated"] == 0
    assert not any("todavía no existe" in note for note in report["notes"])
    assert _row_counts(sqlite_url) == counts
    assert database.read_bytes() == content
    assert database.stat().st_mtime_ns == mtime


def test_dry_run_creates_no_business(
    db_url: str, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    counts = _row_counts(db_url)

    result = _invoke(db_url, ["import", str(path), "--dry-run", "--json"], settings_env)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents_created"] == 2
    assert _row_counts(db_url) == counts
    assert counts[Business.__tablename__] == 0


@pytest.mark.postgres
def test_dry_run_creates_no_postgres_tables(
    unmigrated_postgres: str,  # noqa: F811
    tmp_path: Path,
    settings_env: pytest.MonkeyPatch,
) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = _invoke(
        unmigrated_postgres, ["import", str(path), "--dry-run", "--json"], settings_env
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents_created"] == 2
    assert _table_names(unmigrated_postgres) == []


def test_dry_run_names_bad_database_url(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = _invoke("no-es-una-url", ["import", str(path), "--dry-run"], settings_env)

    assert result.exit_code == 2
    assert "no es una URL de base de datos" in " ".join(result.stderr.split())
