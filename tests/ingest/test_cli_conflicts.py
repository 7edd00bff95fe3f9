"""Rows of one customer that disagree are flagged by `cobranza import`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.db.engine import make_engine
from cobranza.db.models import Customer
from tests.ingest.conftest import customer, write_csv

runner = CliRunner()
# A wide terminal, so that Rich does not wrap the report's tables.
WIDE = {"COLUMNS": "250"}

HEADER = ["Código", "Cliente", "CUIT", "Celular", "Email", "Factura",
          "Vencimiento", "Importe"]  # fmt: skip
FIRST = ["C1", "Ana Díaz", "20-12345678-6", "11 5555-0000", "ana@example.com",
         "F-1", date(2026, 3, 10), 100]  # fmt: skip


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Facturas"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _row(number: str, **cells: Any) -> list[Any]:
    """Return the first row with another number and some cells replaced."""
    names = ["customer_id", "name", "tax_id", "mobile", "email"]
    row = list(FIRST)
    row[5] = number
    for name, value in cells.items():
        row[names.index(name)] = value
    return row


def _stored(database_url: str, external_id: str) -> Customer:
    """Return the stored customer of the command's business, the first one."""
    engine = make_engine(database_url)
    try:
        return customer(engine, 1, external_id)
    finally:
        engine.dispose()


def _conflicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in report["rows_flagged"] if i["code"] == "conflicting_customer"]


def test_formatting_differences_not_flagged(cli_database: str, tmp_path: Path) -> None:
    # Given rows of one customer that differ only in how values are written
    path = _workbook(
        tmp_path / "libro.xlsx",
        [
            FIRST,
            _row("F-2", name="  ANA   DIAZ ", tax_id="20123456786"),
            _row("F-3", mobile="+54 9 11 5555-0000", email="Ana@Example.COM"),
            _row("F-4", mobile=1155550000, name="ana díaz"),
        ],
    )

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents_imported"] == 4
    assert _conflicts(report) == []


def test_disagreeing_rows_flagged(cli_database: str, tmp_path: Path) -> None:
    # Given a customer whose rows name two people, two CUITs, two phones
    # and two emails, one of them on several rows
    path = _workbook(
        tmp_path / "libro.xlsx",
        [
            FIRST,
            _row("F-2", name="Ana María Díaz"),
            _row("F-3", tax_id="20-87654321-3", mobile="11 6666-0000"),
            _row("F-4", name="Ana Maria Diaz", email="otra@example.com"),
        ],
    )

    # When it is imported
    result = runner.invoke(app, ["import", str(path), "--json"])

    # Then each other value is flagged once, on its first row, and the
    # import keeps the first values
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents_imported"] == 4
    assert report["rows_rejected"] == []
    conflicts = _conflicts(report)
    assert [(c["line"], c["column"], c["value"]) for c in conflicts] == [
        (3, "Cliente", "Ana María Díaz"),
        (4, "CUIT", "20-87654321-3"),
        (4, "Celular", "11 6666-0000"),
        (5, "Email", "otra@example.com"),
    ]
    assert conflicts[0]["message"] == (
        'El cliente "C1" tiene otro nombre en las líneas 3 y 5: "Ana María '
        'Díaz". Se guardó "Ana Díaz", de la línea 2. Si el correcto es otro, '
        "corregí las filas del cliente para que coincidan y volvé a importar."
    )
    assert conflicts[1]["message"].startswith(
        'El cliente "C1" tiene otro ID fiscal en la línea 4: "20-87654321-3". '
        'Se guardó "20123456786", de la línea 2.'
    )
    assert 'otro teléfono en la línea 4: "11 6666-0000"' in conflicts[2]["message"]
    assert 'Se guardó "ana@example.com", de la línea 2' in conflicts[3]["message"]
    stored = _stored(cli_database, "C1")
    assert stored.name == "Ana Díaz"
    assert stored.tax_id == "20123456786"
    assert stored.email == "ana@example.com"
    assert stored.phone == "+5491155550000"


def test_valid_phone_kept_over_first(cli_database: str, tmp_path: Path) -> None:
    rows = [
        ["Código", "Cliente", "Celular", "Factura", "Vencimiento", "Importe"],
        ["C1", "Ana", "abc", "F-1", "10/03/2026", "100"],
        ["C1", "Ana", "11 5555-0000", "F-2", "10/03/2026", "100"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows)

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 0, result.output
    [conflict] = _conflicts(json.loads(result.stdout))
    assert conflict["line"] == 2
    assert conflict["message"].startswith(
        'El cliente "C1" tiene otro teléfono en la línea 2: "abc". Se guardó '
        '"11 5555-0000", de la línea 3.'
    )


def test_first_given_name_kept(cli_database: str, tmp_path: Path) -> None:
    rows = [
        ["Código", "Cliente", "Factura", "Vencimiento", "Importe"],
        ["C1", "", "F-1", "10/03/2026", "100"],
        ["C1", "Ana", "F-2", "10/03/2026", "100"],
        ["C1", "Beto", "F-3", "10/03/2026", "100"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows)

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 0, result.output
    [conflict] = _conflicts(json.loads(result.stdout))
    assert conflict["line"] == 4
    assert 'Se guardó "Ana", de la línea 3.' in conflict["message"]
    assert _stored(cli_database, "C1").name == "Ana"


def test_conflicts_in_table_and_dry_run(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "libro.xlsx", [FIRST, _row("F-2", name="Beto")])

    dry = runner.invoke(app, ["import", str(path), "--dry-run"], env=WIDE)
    stored = runner.invoke(app, ["import", str(path)], env=WIDE)

    assert dry.exit_code == 0, dry.output
    dry_text = " ".join(dry.stdout.split())
    assert "Filas con observaciones (se importarían)" in dry_text
    assert (
        'El cliente "C1" tiene otro nombre en la línea 3: "Beto". Se guardaría '
        '"Ana Díaz", de la línea 2.'
    ) in dry_text
    assert stored.exit_code == 0, stored.output
    row = next(line for line in stored.stdout.splitlines() if "Beto" in line)
    cells = [cell.strip() for cell in row.split("│")[1:4]]
    assert cells == ["3", "Cliente", "Beto"]
    assert 'Se guardó "Ana Díaz", de la línea 2.' in row


def test_many_lines_are_counted(cli_database: str, tmp_path: Path) -> None:
    others = [_row(f"F-{n}", name="Beto") for n in range(2, 16)]
    path = _workbook(tmp_path / "libro.xlsx", [FIRST, *others])

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 0, result.output
    [conflict] = _conflicts(json.loads(result.stdout))
    assert (
        "en las líneas 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 y 4 más: " in conflict["message"]
    )
