"""A Colombian business imports its export and reads the result in tú forms.

The rows mimic an export of a Bogotá business: NIT with its check digit,
a mobile, a Bogotá landline (601) and a number that is no Colombian phone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from tests.ingest.conftest import write_csv

runner = CliRunner()
# A wide terminal, so that Rich wraps no table cell.
WIDE = {"COLUMNS": "250"}

ROWS = [
    ["Código cliente", "Razón social", "NIT", "Celular", "Factura", "Vencimiento",
     "Total"],
    ["C-1", "Ferretería El Tornillo SAS", "900.123.456-8", "300 123 4567", "F-1",
     "2026-11-15", "1250000"],
    ["C-2", "Panadería La Espiga", "NIT 800.197.268-4", "601 7654321", "F-2",
     "2026-11-20", "830250"],
    ["C-3", "Droguería San Jorge", "C.C. 79.845.123", "326 736 4736", "F-3",
     "2026-11-30", "374620"],
]  # fmt: skip


@pytest.fixture
def colombian_cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the `cobranza` command at a new SQLite database of a CO business."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "CO")
    monkeypatch.delenv("COBRANZA_LOCALE", raising=False)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def _imported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "facturas.csv", ROWS)
    result = runner.invoke(app, ["import", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output


def _phone_cells(output: str) -> dict[str, str]:
    """Return each customer's phone cell, its wrapped lines joined."""
    cells: dict[str, list[str]] = {}
    code = ""
    for line in output.splitlines():
        columns = [cell.strip() for cell in line.split("│")]
        if len(columns) < 4:
            continue
        code = columns[1] or code
        cells.setdefault(code, []).append(columns[3])
    return {code: " ".join(" ".join(parts).split()) for code, parts in cells.items()}


def test_customers_phone_problem_in_tu(colombian_cli: str, tmp_path: Path) -> None:
    _imported(tmp_path)

    result = runner.invoke(app, ["customers"], env=WIDE)

    assert result.exit_code == 0, result.output
    phone = _phone_cells(result.stdout)["C-3"]
    assert phone.startswith('El teléfono "326 736 4736" no es un número válido')
    assert "para Colombia" in phone
    assert "Revisa el indicativo" in phone
    assert "Revisá" not in result.stdout


def test_customers_show_landline_warning(colombian_cli: str, tmp_path: Path) -> None:
    _imported(tmp_path)

    result = runner.invoke(app, ["customers"], env=WIDE)

    assert result.exit_code == 0, result.output
    phones = _phone_cells(result.stdout)
    assert phones["C-2"] == (
        "+576017654321 (Teléfono fijo: WhatsApp solo llega si usa WhatsApp Business)"
    )
    assert phones["C-1"] == "+573001234567"


def test_import_json_messages_in_tu(colombian_cli: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "facturas.csv", ROWS)

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [flag] = report["rows_flagged"]
    assert flag["code"] == "invalid_phone"
    assert flag["message"] == (
        'El teléfono "326 736 4736" no es un número válido para Colombia. '
        "Revisa el indicativo y la cantidad de dígitos. No se le puede escribir "
        "al cliente hasta que lo corrijas."
    )


def test_import_json_error_in_tu(colombian_cli: str, tmp_path: Path) -> None:
    rows = [["Cliente", "Factura", "Vencimiento", "Importe", "Total"]]
    path = write_csv(tmp_path / "a.csv", [*rows, ["Ana", "1", "1/1/2026", "1", "1"]])

    table = runner.invoke(app, ["import", str(path)], env=WIDE)
    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 2
    message = json.loads(result.stdout)["message"]
    assert "Elige una con --map" in message
    assert "Elegí" not in message
    assert message in " ".join(table.output.split())


def test_customers_json_phone_problem_in_tu(colombian_cli: str, tmp_path: Path) -> None:
    _imported(tmp_path)

    result = runner.invoke(app, ["customers", "--json"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    problems = {row["external_id"]: row["phone_problem"] for row in rows}
    assert problems["C-1"] is None
    assert problems["C-3"] == (
        'El teléfono "326 736 4736" no es un número válido para Colombia. '
        "Revisa el indicativo y la cantidad de dígitos"
    )


def test_case_show_names_customer_code(colombian_cli: str, tmp_path: Path) -> None:
    _imported(tmp_path)
    granted = runner.invoke(
        app, ["consent", "grant", "C-1", "--source", "formulario de vinculación"]
    )

    result = runner.invoke(app, ["case", "show", "C-1"], env=WIDE)

    assert granted.exit_code == 0, granted.output
    assert result.exit_code == 0, result.output
    history = " ".join(result.output[result.output.index("Historial") :].split())
    assert "terminal (cliente C-1)" in history


def test_xlsx_decimal_note_matches_rounding(colombian_cli: str, tmp_path: Path) -> None:
    # Excel keeps 3467103.62 as a number, which needs no decimal separator,
    # but has decimals that COP rounds away.
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Código cliente", "Factura", "Vencimiento", "Total"])
    sheet.append(["C-1", "F-1", "2026-11-15", 3467103.62])
    path = tmp_path / "facturas.xlsx"
    workbook.save(path)

    result = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [flag["code"] for flag in report["rows_flagged"]] == ["amount_rounded"]
    assert report["decimal"]["note"] == (
        "no hizo falta: ningún importe escrito como texto lleva coma ni punto decimal"
    )


@pytest.mark.parametrize(
    ("written", "suggested"),
    [("(1) 7654321", "601 7654321"), ("034 2345678", "604 2345678")],
)
def test_old_landline_gets_new_format(
    colombian_cli: str, tmp_path: Path, written: str, suggested: str
) -> None:
    # Since 2021 a Colombian landline starts with 60 and the city's digit,
    # and customer files still keep the old (1) 7654321.
    rows = [ROWS[0], ["C-9", "Papelería Central", "", written, "F-9",
                      "2026-11-15", "100000"]]  # fmt: skip
    path = write_csv(tmp_path / "facturas.csv", rows)

    result = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    [flag] = json.loads(result.stdout)["rows_flagged"]
    assert flag["code"] == "invalid_phone"
    assert (
        f"Si es un fijo con el formato anterior a 2021, ahora es {suggested}."
        in flag["message"]
    )
