from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import text
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import make_engine
from cobranza.timeutil import local_date, utcnow
from tests.ingest.conftest import write_csv

runner = CliRunner()
# A wide terminal, so that Rich does not wrap the report's tables.
WIDE = {"COLUMNS": "200"}

ROWS = [
    ["Cliente", "CUIT", "Celular", "Factura", "Vencimiento", "Importe", "Saldo"],
    ["Ana Díaz", "20-12345678-6", "011 15 4567-8901", "F-1", "10/03/2026",
     "1.000,00", "600,00"],
    ["Ana Díaz", "20-12345678-6", "011 15 4567-8901", "F-2", "10/04/2026",
     "250,50", "250,50"],
    ["Bar Sur S.A.", "30-71234567-1", "123", "F-3", "31/02/2026", "10,00", "10,00"],
]  # fmt: skip

REPORT_KEYS = (
    "customers",
    "documents_imported",
    "invoices",
    "credit_notes",
    "duplicates_skipped",
    "open_balance",
    "rows_rejected",
    "rows_flagged",
    "debit_notes",
    "payments_recorded",
    "missing_from_file",
    "mapping",
    "decimal",
    "date_format",
    "skipped_rows",
)


def test_import_json_report(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in REPORT_KEYS:
        assert key in report
    assert report["documents_imported"] == 2
    assert report["open_balance"] == "850.50"
    assert report["rows_rejected"] == [
        {
            "line": 4,
            "column": "Vencimiento",
            "value": "31/02/2026",
            "message": (
                'La fecha "31/02/2026" no existe en el calendario (día 31, mes 2, '
                "año 2026). Las fechas de este archivo se leen como día/mes/año."
            ),
            "code": "invalid_date",
        }
    ]
    assert report["payments_recorded"] == 1


def test_import_table_for_people(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = runner.invoke(app, ["import", str(path)])

    assert result.exit_code == 0, result.output
    assert "Comprobantes importados" in result.stdout
    assert "Filas rechazadas" in result.stdout
    assert "31/02/2026" in result.stdout


def test_dry_run_lists_higher_balances(cli_database: str, tmp_path: Path) -> None:
    runner.invoke(
        app, ["import", str(write_csv(tmp_path / "a.csv", ROWS, separator=";"))]
    )
    older = [ROWS[0], [*ROWS[1][:6], "1.000,00"], *ROWS[2:]]
    path = write_csv(tmp_path / "older.csv", older, separator=";")

    result = runner.invoke(app, ["import", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    output = " ".join(result.stdout.split())
    assert "Saldos del archivo más altos que los guardados" in output
    assert "cobranza se quedaría con el saldo guardado" in output
    row = next(line for line in result.stdout.splitlines() if " F-1 " in line)
    cells = [cell.strip() for cell in row.split("│")[1:5]]
    assert cells == ["2", "F-1", "$ 600,00", "$ 1.000,00"]
    assert "Comprobantes a importar" in result.stdout
    assert "Comprobantes importados" not in result.stdout


def test_higher_balances_caption_in_tu(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    get_settings.cache_clear()
    runner.invoke(
        app, ["import", str(write_csv(tmp_path / "a.csv", ROWS, separator=";"))]
    )
    older = [ROWS[0], [*ROWS[1][:6], "1.000,00"], *ROWS[2:]]
    path = write_csv(tmp_path / "older.csv", older, separator=";")

    result = runner.invoke(app, ["import", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    output = " ".join(result.stdout.split())
    assert "Saldos del archivo más altos que los guardados" in output
    assert "revisa cada uno en tu sistema" in output
    assert "revisá" not in output


def test_reimport_claims_no_import(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    runner.invoke(app, ["import", str(path)])

    again = runner.invoke(app, ["import", str(path)])

    assert again.exit_code == 0, again.output
    output = " ".join(again.stdout.split())
    assert "ya se importó el" in output
    assert "así que no se guardó nada" in output
    assert "Comprobantes importados" not in output
    assert "Filas con observaciones" not in output


def test_import_asks_for_map(cli_database: str, tmp_path: Path) -> None:
    rows = [["Cliente", "Factura", "Fecha prevista", "Importe"], ["Ana", "1", "x", "1"]]
    path = write_csv(tmp_path / "a.csv", rows)

    result = runner.invoke(app, ["import", str(path)])
    mapped = runner.invoke(
        app, ["import", str(path), "--map", "Fecha prevista=due_on", "--json"]
    )

    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "La importación se detuvo y no se guardó nada" in output
    assert (
        "No se encontró ninguna columna para vencimiento (due_on). Indicá cada "
        "columna con --map COLUMNA=CAMPO, como --map 'COLUMNA=vencimiento'."
    ) in output
    assert "--map" in result.output
    assert "Fecha prevista" in result.output
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.stdout)["mapping"]["Fecha prevista"] == "due_on"


def test_import_error_as_json(cli_database: str, tmp_path: Path) -> None:
    rows = [["Cliente", "Factura", "Vencimiento", "Importe", "Total"]]
    path = write_csv(tmp_path / "a.csv", [*rows, ["Ana", "1", "1/1/2026", "1", "1"]])

    result = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 2
    error = json.loads(result.stdout)
    assert error["error"] == "mapping"
    assert error["message"].startswith("Las columnas ")
    assert "parecen todas el campo" in error["message"]
    assert error["details"]["candidates"] == ["Importe", "Total"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--map", "no-equals-sign"], "no tiene la forma COLUMNA=CAMPO"),
        (["--decimal", "virgula"], 'El --decimal "virgula" no es válido'),
        (["--date-format", "dd/mm"], 'El --date-format "dd/mm" no es válido'),
    ],
)
def test_import_rejects_bad_options(
    cli_database: str, tmp_path: Path, options: list[str], message: str
) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = runner.invoke(app, ["import", str(path), *options])

    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_dry_run_then_customers_is_empty(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    dry = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])
    listed = runner.invoke(app, ["customers", "--json"])

    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["dry_run"] is True
    assert json.loads(listed.stdout) == []


def test_customers_lists_phone_and_balance(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    runner.invoke(app, ["import", str(path)])

    result = runner.invoke(app, ["customers", "--json"])
    table = runner.invoke(app, ["customers"])

    assert result.exit_code == 0, result.output
    [ana] = json.loads(result.stdout)
    assert ana["external_id"] == "20123456786"
    assert ana["name"] == "Ana Díaz"
    assert ana["phone"] == "+5491145678901"
    assert ana["tax_id"] == "20123456786"
    assert ana["balance"] == "850.50"
    assert table.exit_code == 0
    assert "Ana Díaz" in table.stdout
    assert table.stdout.splitlines()[0].strip() == "1 cliente"


def test_customers_sums_each_currency(cli_database: str, tmp_path: Path) -> None:
    # Given a customer with one invoice in pesos and one in dollars
    rows = [
        ["Cliente", "Celular", "Factura", "Vencimiento", "Importe", "Moneda"],
        ["Ana Díaz", "011 15 4567-8901", "F-1", "10/03/2026", "1.000,00", "ARS"],
        ["Ana Díaz", "011 15 4567-8901", "F-2", "10/04/2026", "500,00", "USD"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows, separator=";")
    imported = runner.invoke(app, ["import", str(path)])

    result = runner.invoke(app, ["customers", "--json"])
    table = runner.invoke(app, ["customers"], env={"COLUMNS": "120"})

    # Then each currency is summed apart, never added together
    assert imported.exit_code == 0, imported.output
    [ana] = json.loads(result.stdout)
    assert ana["balance"] == "1000.00"
    assert ana["other_balances"] == {"USD": "500.00"}
    assert "$ 1.000,00" in table.stdout
    assert "US$ 500,00" in table.stdout
    assert "1.500" not in table.stdout


def test_database_failure_writes_nothing(cli_database: str, tmp_path: Path) -> None:
    engine = make_engine(cli_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER fail_document BEFORE INSERT ON document "
                "BEGIN SELECT RAISE(ABORT, 'disk full in test'); END"
            )
        )
    engine.dispose()
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")

    result = runner.invoke(app, ["import", str(path)])
    listed = runner.invoke(app, ["customers", "--json"])

    assert result.exit_code == 1
    assert "no se guardó nada" in result.output
    assert "disk full in test" in result.output
    assert json.loads(listed.stdout) == []


def test_import_stops_name_flags(cli_database: str, tmp_path: Path) -> None:
    rows = [["Cliente", "Factura", "Vencimiento", "Importe", "Total"]]
    path = write_csv(tmp_path / "a.csv", [*rows, ["Ana", "1", "1/1/2026", "1", "1"]])

    result = runner.invoke(app, ["import", str(path)])

    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        "La importación se detuvo y no se guardó nada. Las columnas "
        '"Importe" (#4), "Total" (#5) parecen todas el campo importe (amount). '
        "Elegí una con --map 'Importe=importe' (o por posición, --map "
        "'#4=importe') y descartá las otras con --map 'COLUMNA=ignorar'."
    )


def test_import_stop_names_spanish_fields(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["Importe", "Fecha prevista"], ["1", "x"]])

    result = runner.invoke(app, ["import", str(path)])

    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        "La importación se detuvo y no se guardó nada. No se encontró ninguna "
        "columna para número de comprobante (number), vencimiento (due_on) y el "
        "cliente, que puede ser código de cliente (customer_id), nombre del "
        "cliente (customer_name) o identificación fiscal (tax_id). Indicá cada "
        "columna con --map COLUMNA=CAMPO, como --map 'COLUMNA=número de "
        'comprobante\'. Las columnas sin usar son: "Fecha prevista".'
    )


def test_import_notes_name_flags(cli_database: str, tmp_path: Path) -> None:
    rows = [["Cliente", "Factura", "Vencimiento", "Importe"]]
    path = write_csv(tmp_path / "a.csv", [*rows, ["Ana", "1", "1/1/2026", "1"]])

    result = runner.invoke(
        app, ["import", str(path), "--date-format", "día/mes/año", "--json"]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["date_format"]["note"] == "día/mes/año, elegido con --date-format"
    assert report["notes"] == [
        "El archivo no tiene una columna de teléfono, así que los clientes nuevos "
        "quedan sin teléfono y no reciben mensajes. Agregá una columna Celular o "
        "Teléfono y volvé a importar. Si ya está con otro nombre, indicala con "
        "--map 'COLUMNA=celular'."
    ]


def test_import_map_takes_spanish_labels(cli_database: str, tmp_path: Path) -> None:
    rows = [["Razón", "Nro", "Fecha prevista", "Monto a cobrar"]]
    path = write_csv(tmp_path / "a.csv", [*rows, ["Ana", "1", "1/1/2026", "1"]])

    result = runner.invoke(
        app,
        [
            "import",
            str(path),
            "--json",
            "--map",
            "Razón=Nombre del cliente",
            "--map",
            "Fecha prevista=vencimiento",
            "--map",
            "Monto a cobrar=importe",
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mapping"] == {
        "Razón": "customer_name",
        "Nro": "number",
        "Fecha prevista": "due_on",
        "Monto a cobrar": "amount",
    }


def damaged_sheet() -> bytes:
    """Return a workbook whose sheet's XML is cut in half, as a bad copy leaves it."""
    workbook = Workbook()
    workbook.active.append(["Cliente", "Factura", "Vencimiento", "Importe"])
    workbook.active.append(["Ana", "F-1", "10/03/2026", 100])
    whole = io.BytesIO()
    workbook.save(whole)
    source = zipfile.ZipFile(whole)
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return damaged.getvalue()


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        pytest.param(b"PK\x03\x04garbage", "BadZipFile", id="not-a-zip"),
        pytest.param(damaged_sheet(), "ParseError", id="damaged-sheet"),
    ],
)
def test_import_damaged_xlsx_is_spanish(
    cli_database: str, tmp_path: Path, content: bytes, cause: str
) -> None:
    path = tmp_path / "saldos.xlsx"
    path.write_bytes(content)

    result = runner.invoke(app, ["import", str(path)])
    as_json = runner.invoke(app, ["import", str(path), "--json"])

    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        "La importación se detuvo y no se guardó nada. No se puede abrir "
        "saldos.xlsx como libro XLSX, porque está dañado o no es un libro de "
        "Excel. Abrilo en la planilla de cálculo y guardalo de nuevo como .xlsx "
        "o .csv."
    )
    error = json.loads(as_json.stdout)
    assert error["error"] == "file_format"
    assert error["details"]["cause"].startswith(cause)


def test_dry_run_words_row_effects_as_conditional(
    cli_database: str, tmp_path: Path
) -> None:
    # Given a row with an invalid CUIT, which is imported but flagged
    rows = [
        ["Cliente", "CUIT", "Factura", "Vencimiento", "Importe"],
        ["Ana Díaz", "20-12345678-0", "F-1", "10/03/2026", "1.000,00"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows, separator=";")

    dry = runner.invoke(app, ["import", str(path), "--dry-run"], env=WIDE)
    stored = runner.invoke(app, ["import", str(path)], env=WIDE)

    # Then the dry run says what would happen and the import what happened
    assert dry.exit_code == 0, dry.output
    dry_text = " ".join(dry.stdout.split())
    assert "Filas con observaciones (se importarían)" in dry_text
    assert "La fila se importaría igual" in dry_text
    assert "se importó igual" not in dry_text
    assert stored.exit_code == 0, stored.output
    assert "La fila se importó igual" in " ".join(stored.stdout.split())


def test_iso_dates_reported_as_iso(cli_database: str, tmp_path: Path) -> None:
    rows = [
        ["Cliente", "Factura", "Emisión", "Vencimiento", "Importe"],
        ["Ana Díaz", "F-1", "2026-02-08", "2026-03-10", "1000.00"],
        ["Bar Sur", "F-2", "2026-02-15", "2026-03-17", "250.50"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows)

    result = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    note = json.loads(result.stdout)["date_format"]["note"]
    assert note == 'año-mes-día (ISO), como "2026-02-08"'


def test_mixed_dates_name_both_orders(cli_database: str, tmp_path: Path) -> None:
    rows = [
        ["Cliente", "Factura", "Emisión", "Vencimiento", "Importe"],
        ["Ana Díaz", "F-1", "2026-02-08", "10/03/2026", "1000.00"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows)

    result = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    note = json.loads(result.stdout)["date_format"]["note"]
    assert note.startswith("día/mes/año. ")
    assert 'se leen como año-mes-día (ISO), como "2026-02-08"' in note


def test_customers_notes_invoices_issued_later(
    cli_database: str, tmp_path: Path
) -> None:
    # Given Ana with an invoice issued last month and one issued next month
    today = local_date(utcnow(), "America/Argentina/Buenos_Aires")
    past, future = today - timedelta(days=30), today + timedelta(days=30)
    rows = [
        ["Cliente", "Factura", "Emisión", "Vencimiento", "Importe"],
        ["Ana Díaz", "F-1", f"{past:%d/%m/%Y}", f"{today:%d/%m/%Y}", "1.000,00"],
        ["Ana Díaz", "F-2", f"{future:%d/%m/%Y}", f"{future:%d/%m/%Y}", "250,00"],
        ["Bar Sur", "F-3", f"{past:%d/%m/%Y}", f"{today:%d/%m/%Y}", "400,00"],
    ]
    path = write_csv(tmp_path / "saldos.csv", rows, separator=";")
    imported = runner.invoke(app, ["import", str(path)])

    as_json = runner.invoke(app, ["customers", "--json"])
    table = runner.invoke(app, ["customers"], env=WIDE)
    audit = runner.invoke(app, ["audit", "--json"])

    # Then the balance keeps the later invoice, and the list says so
    assert imported.exit_code == 0, imported.output
    ana, bar = json.loads(as_json.stdout)
    assert ana["balance"] == "1250.00"
    assert ana["issued_after_today"] == "250.00"
    assert bar["issued_after_today"] == "0.00"
    assert table.exit_code == 0, table.output
    text = " ".join(table.stdout.split())
    assert "$ 1.250,00 *" in text
    assert "$ 400,00 *" not in text
    assert (
        f"* El saldo incluye $ 250,00 de comprobantes emitidos después de hoy "
        f"({today:%d/%m/%Y}), en 1 cliente." in text
    )
    # and the audit's total is the list's total less that amount
    assert audit.exit_code == 0, audit.output
    assert json.loads(audit.stdout)["open_balance"] == "1400.00"


def test_customers_without_later_invoices_has_no_note(
    cli_database: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    runner.invoke(app, ["import", str(path)])

    table = runner.invoke(app, ["customers"], env=WIDE)

    assert table.exit_code == 0, table.output
    assert "emitidos después de hoy" not in table.stdout
    assert " *" not in table.stdout


CONSENT_ROWS = [
    ["Código", "Cliente", "Celular", "Factura", "Vencimiento", "Importe", "Saldo",
     "Consentimiento"],
    ["C-1", "Ana Díaz", "011 15 4567-8901", "F-1", "10/03/2026", "600,00",
     "600,00", "sí"],
]  # fmt: skip


def test_case_show_lists_consent_history(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "consent.csv", CONSENT_ROWS, separator=";")
    imported = runner.invoke(app, ["import", str(path)], env=WIDE)
    revoked = runner.invoke(
        app,
        ["consent", "revoke", "C-1", "--source", "pidió la baja por teléfono"],
        env=WIDE,
    )

    result = runner.invoke(app, ["case", "show", "C-1"], env=WIDE)

    assert imported.exit_code == 0, imported.output
    assert revoked.exit_code == 0, revoked.output
    assert result.exit_code == 0, result.output
    history = " ".join(result.output[result.output.index("Historial") :].split())
    assert "consentimiento otorgado" in history
    assert "import:consent.csv" in history
    assert "importación (cliente" in history
    assert "consentimiento revocado" in history
    assert "pidió la baja por teléfono" in history
    assert "terminal (cliente" in history
    assert history.count("consentimiento") == 2


def test_customers_show_segment_after_import(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    imported = runner.invoke(app, ["import", str(path)], env=WIDE)

    listed = runner.invoke(app, ["customers", "--json"], env=WIDE)
    table = runner.invoke(app, ["customers"], env=WIDE)

    assert imported.exit_code == 0, imported.output
    assert listed.exit_code == 0, listed.output
    customers = json.loads(listed.stdout)
    assert customers
    for customer in customers:
        assert customer["segment"] is not None, customer
    assert "sin calcular todavía" not in table.stdout


def test_customers_name_missing_segment(cli_database: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "saldos.csv", ROWS, separator=";")
    imported = runner.invoke(app, ["import", str(path)], env=WIDE)
    # A customer stored before imports computed segments has none.
    engine = make_engine(cli_database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE customer SET segment = NULL"))
    engine.dispose()

    result = runner.invoke(app, ["customers"], env=WIDE)

    assert imported.exit_code == 0, imported.output
    assert result.exit_code == 0, result.output
    # The segment column wraps its label one word per line.
    segment_cells = [
        line.split("│")[-2].strip()
        for line in result.stdout.splitlines()
        if line.count("│") > 2
    ]
    assert " ".join(cell for cell in segment_cells if cell) == "sin calcular todavía"
