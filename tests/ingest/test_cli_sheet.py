"""`cobranza import --sheet`: read the named sheet of a workbook, or stop."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import Document, ImportRun
from cobranza.ingest.readers import MAX_SHEETS
from tests.ingest.conftest import write_csv

runner = CliRunner()
# A wide terminal, so that Rich does not wrap the report's tables.
WIDE = {"COLUMNS": "200"}

HEADER = ["Cliente", "Factura", "Vencimiento", "Importe"]
# The reader prefers this sheet: its balance column makes it look more like
# an invoice list than the others.
OVERDUE = [
    [*HEADER, "Saldo"],
    ["Ana", "V-1", date(2026, 3, 10), 100, 100],
]
MARCH = [
    HEADER,
    ["Beto", "M-1", date(2026, 3, 20), 200],
    ["Beto", "M-2", date(2026, 3, 25), 300],
]


def _workbook(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """Save a workbook with one sheet per entry, in order."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def _stored(database_url: str) -> tuple[list[str], int]:
    """Return the stored document numbers and the number of import runs."""
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            numbers = sorted(session.scalars(select(Document.number)))
            runs = session.scalar(select(func.count()).select_from(ImportRun)) or 0
    finally:
        engine.dispose()
    return numbers, runs


def _text(output: str) -> str:
    return " ".join(output.split())


def test_sheet_reads_named_sheet(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "libro.xlsx", {"Vencidas": OVERDUE, "Marzo": MARCH})

    chosen = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])
    named = runner.invoke(app, ["import", str(path), "--sheet", "Marzo", "--json"])

    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["sheet"] == "Vencidas"
    assert named.exit_code == 0, named.output
    report = json.loads(named.stdout)
    assert report["sheet"] == "Marzo"
    assert report["documents_imported"] == 2
    assert _stored(cli_database) == (["M-1", "M-2"], 1)


def test_chosen_sheet_note_names_others(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "libro.xlsx",
        {"Notas": [["Leer antes"]], "Marzo": MARCH, "Vencidas": OVERDUE},
    )

    result = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])
    named = runner.invoke(
        app, ["import", str(path), "--dry-run", "--json", "--sheet", "Vencidas"]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"][0] == (
        'Se leyó la hoja "Vencidas", la que más se parece a un listado de '
        'facturas. También tiene encabezado: "Marzo". Si las facturas están en '
        "otra hoja, indicala con --sheet."
    )
    assert named.exit_code == 0, named.output
    assert not any("Se leyó la hoja" in n for n in json.loads(named.stdout)["notes"])


def test_sheet_ignores_case_and_spaces(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "libro.xlsx", {"Vencidas": OVERDUE, "Marzo": MARCH})

    result = runner.invoke(app, ["import", str(path), "--sheet", "  MARZO ", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sheet"] == "Marzo"
    assert _stored(cli_database)[0] == ["M-1", "M-2"]


def test_sheet_exact_name_wins(cli_database: str, tmp_path: Path) -> None:
    # Given two sheets whose titles differ only in a trailing space
    spaced = [HEADER, ["Carla", "E-1", date(2026, 3, 30), 50]]
    path = _workbook(tmp_path / "libro.xlsx", {"Marzo": MARCH, "Marzo ": spaced})

    # When the owner names one exactly, and then loosely
    exact = runner.invoke(app, ["import", str(path), "--sheet", "Marzo ", "--json"])
    loose = runner.invoke(app, ["import", str(path), "--sheet", "marzo"])

    # Then the exact title is read, and the loose name matches both and stops
    assert exact.exit_code == 0, exact.output
    assert json.loads(exact.stdout)["sheet"] == "Marzo "
    assert loose.exit_code == 2
    assert _text(loose.output) == (
        "La importación se detuvo y no se guardó nada. libro.xlsx tiene varias "
        'hojas que se llaman "marzo" si no se cuentan mayúsculas ni espacios: '
        '"Marzo" y "Marzo ". Indicá el nombre exacto con --sheet.'
    )
    assert _stored(cli_database) == (["E-1"], 1)


def test_unknown_sheet_stops(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "libro.xlsx", {"Vencidas": OVERDUE, "Marzo": MARCH})

    result = runner.invoke(app, ["import", str(path), "--sheet", "Abril"])
    as_json = runner.invoke(app, ["import", str(path), "--sheet", "Abril", "--json"])

    assert result.exit_code == 2
    assert _text(result.output) == (
        "La importación se detuvo y no se guardó nada. libro.xlsx no tiene una "
        'hoja "Abril". Sus hojas son "Vencidas" y "Marzo". Indicá una de ellas '
        "con --sheet, o sacá --sheet para que se elija sola."
    )
    assert as_json.exit_code == 2
    error = json.loads(as_json.stdout)
    assert error["error"] == "sheet"
    assert error["details"]["sheet"] == "Abril"
    assert error["details"]["sheets"] == ["Vencidas", "Marzo"]
    assert _stored(cli_database) == ([], 0)


def test_sheet_on_csv_stops(cli_database: str, tmp_path: Path) -> None:
    rows = [HEADER, ["Ana", "F-1", "10/03/2026", "100"]]
    path = write_csv(tmp_path / "saldos.csv", rows)

    result = runner.invoke(app, ["import", str(path), "--sheet", "Hoja1"])
    as_json = runner.invoke(app, ["import", str(path), "--sheet", "Hoja1", "--json"])

    assert result.exit_code == 2
    assert _text(result.output) == (
        'La importación se detuvo y no se guardó nada. Pediste la hoja "Hoja1" '
        "con --sheet, pero saldos.csv es un archivo de texto (CSV), que no tiene "
        "hojas. Importalo sin --sheet."
    )
    assert json.loads(as_json.stdout)["error"] == "sheet"
    assert _stored(cli_database) == ([], 0)


def test_named_sheet_without_header(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "libro.xlsx", {"Notas": [["Leer antes"]], "Marzo": MARCH}
    )

    result = runner.invoke(app, ["import", str(path), "--sheet", "Notas"])

    assert result.exit_code == 2
    assert 'filas de la hoja "Notas" de libro.xlsx' in _text(result.output)
    assert _stored(cli_database) == ([], 0)


def test_report_table_names_the_sheet(cli_database: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "libro.xlsx", {"Vencidas": OVERDUE, "Marzo": MARCH})

    result = runner.invoke(
        app, ["import", str(path), "--sheet", "Marzo", "--dry-run"], env=WIDE
    )

    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "Hoja" in line)
    assert [cell.strip() for cell in row.split("│")[1:3]] == ["Hoja", "Marzo"]


def test_too_many_sheets_store_nothing(cli_database: str, tmp_path: Path) -> None:
    # Given a workbook with more sheets than the reader looks through
    sheets = {f"Mes {n}": MARCH for n in range(1, MAX_SHEETS + 2)}
    path = _workbook(tmp_path / "libro.xlsx", sheets)

    # When it is imported without --sheet, and then naming one
    result = runner.invoke(app, ["import", str(path)], env=WIDE)
    stored_after_error = _stored(cli_database)
    named = runner.invoke(app, ["import", str(path), "--sheet", "Mes 3", "--json"])

    # Then the first stops with the count and the fix, and stores nothing
    assert result.exit_code != 0
    text = _text(result.output)
    assert f"libro.xlsx tiene {MAX_SHEETS + 1} hojas" in text
    assert "--sheet" in text
    assert stored_after_error == ([], 0)
    assert named.exit_code == 0, named.output
    assert json.loads(named.stdout)["documents_imported"] == 2
