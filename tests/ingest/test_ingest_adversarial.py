"""Hostile and clumsy import files: clear errors, exact counts, no lost money."""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from rich.console import Console
from sqlalchemy import Engine, func, select

from cobranza.db.engine import transaction
from cobranza.db.models import Document
from cobranza.ingest.console import render_customers, render_report
from cobranza.ingest.customers import CustomerSummary, list_customers
from cobranza.ingest.errors import EmptySnapshotError, FileFormatError
from cobranza.ingest.readers import read_table
from cobranza.ingest.report import ImportReport
from tests.ingest.conftest import make_business, run_import, write_csv

HEADER = ["Código cliente", "Nombre", "Factura", "Vencimiento", "Importe"]


def _documents(engine: Engine, business_id: int) -> list[tuple[str, str, Decimal]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Document.number, Document.currency, Document.open_amount)
            .where(Document.business_id == business_id)
            .order_by(Document.number)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _count_documents(engine: Engine, business_id: int) -> int:
    with transaction(engine) as session:
        query = select(func.count()).where(Document.business_id == business_id)
        return session.scalar(query.select_from(Document)) or 0


def test_huge_cell_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "enorme.csv"
    path.write_text(
        f"Cliente,Factura,Vencimiento,Importe\n{'A' * 300_000},F-1,10/03/2026,100\n",
        encoding="utf-8",
    )

    with pytest.raises(FileFormatError) as caught:
        read_table(path)

    assert "enorme.csv" in str(caught.value)
    assert "una celda tiene más de" in str(caught.value)


def test_huge_cell_after_sample_names_line(tmp_path: Path) -> None:
    lines = ["Cliente,Factura,Vencimiento,Importe"]
    lines += [f"C{i},F-{i},10/03/2026,100" for i in range(60)]
    lines.append(f"C61,{'9' * 300_000},10/03/2026,100")
    path = tmp_path / "tarde.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(FileFormatError) as caught:
        read_table(path)

    assert "línea 62" in str(caught.value)


def test_rejected_rows_count_rows_not_cells(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "celdas.csv",
        [
            HEADER,
            ["C1", "Juan", "F-1", "10/03/2026", "100"],
            ["C2", "Ana", "", "10/03/2026", ""],
            ["C3", "Pepe", "F-3", "31/02/2026", "abc"],
        ],
    )

    report = run_import(sqlite_engine, business_id, path, dry_run=True)
    console = Console(width=200, record=True)
    render_report(console, report, "es_AR")
    summary = console.export_text()

    assert len(report.rows_rejected) == 4
    assert report.rejected_row_count == 2
    assert re.search(r"Filas rechazadas +│ 2 ", summary)


def test_line_with_other_separator_named(sqlite_engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(sqlite_engine)
    path = tmp_path / "separadores.csv"
    path.write_text(
        "codigo cliente,nombre,numero,monto,vencimiento\n"
        "C1,Juan,F1,100,10/01/2026\n"
        "C2;Ana;F2;200;10/01/2026\n"
        "C3\tPepe\tF3\t300\t10/01/2026\n",
        encoding="utf-8",
    )

    report = run_import(sqlite_engine, business_id, path, dry_run=True)

    assert report.documents_imported == 1
    assert [issue.line for issue in report.rows_rejected] == [3, 4]
    assert [issue.code for issue in report.rows_rejected] == ["wrong_separator"] * 2
    assert "separada por punto y coma" in report.rows_rejected[0].message
    assert "separada por tabulaciones" in report.rows_rejected[1].message


@pytest.mark.parametrize(
    "due_on", ["01/01/1900", "00/00/0000", "1900-01-01", "31/12/9999", "0", "1"]
)
def test_implausible_due_date_rejected(
    sqlite_engine: Engine, tmp_path: Path, due_on: str
) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "fechas.csv",
        [HEADER, ["C1", "Juan", "F-1", "10/03/2026", "100"],
         ["C1", "Juan", "F-2", due_on, "100"]],
    )  # fmt: skip

    report = run_import(sqlite_engine, business_id, path, dry_run=True)

    assert report.documents_imported == 1
    assert [issue.code for issue in report.rows_rejected] == ["invalid_date"]
    assert f'"{due_on}"' in report.rows_rejected[0].message


def test_xlsx_date_in_1900_rejected(sqlite_engine: Engine, tmp_path: Path) -> None:
    from openpyxl import Workbook

    business_id = make_business(sqlite_engine)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["C1", "Juan", "F-1", date(2026, 3, 10), 100])
    sheet.append(["C1", "Juan", "F-2", date(1900, 1, 1), 100])
    path = tmp_path / "fechas.xlsx"
    workbook.save(path)

    report = run_import(sqlite_engine, business_id, path, dry_run=True)

    assert report.documents_imported == 1
    assert [issue.line for issue in report.rows_rejected] == [3]
    assert "fuera del rango posible" in report.rows_rejected[0].message


def test_foreign_currency_mark_is_not_local_money(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "monedas.csv",
        [
            HEADER,
            ["C1", "Juan", "F-1", "10/03/2026", "USD 100"],
            ["C1", "Juan", "F-2", "10/03/2026", "$ 200"],
            ["C1", "Juan", "F-3", "10/03/2026", "US$ 1.000,50"],
        ],
        separator=";",
    )

    run_import(sqlite_engine, business_id, path)

    assert _documents(sqlite_engine, business_id) == [
        ("F-1", "USD", Decimal("100.00")),
        ("F-2", "ARS", Decimal("200.00")),
        ("F-3", "USD", Decimal("1000.50")),
    ]


def test_currency_mark_against_column_rejects(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "contradice.csv",
        [
            [*HEADER, "Moneda"],
            ["C1", "Juan", "F-1", "10/03/2026", "USD 100", "ARS"],
            ["C1", "Juan", "F-2", "10/03/2026", "USD 300", "USD"],
        ],
    )

    report = run_import(sqlite_engine, business_id, path)

    assert [issue.code for issue in report.rows_rejected] == ["currency_mismatch"]
    assert '"USD 100"' in report.rows_rejected[0].message
    assert _documents(sqlite_engine, business_id) == [("F-2", "USD", Decimal("300.00"))]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([HEADER], id="header-only"),
        pytest.param(
            [HEADER, ["C1", "Juan", "", "10/03/2026", "100"]], id="all-rejected"
        ),
    ],
)
def test_empty_full_snapshot_settles_nothing(
    engine: Engine, tmp_path: Path, rows: list[list[str]]
) -> None:
    business_id = make_business(engine)
    first = write_csv(
        tmp_path / "enero.csv",
        [
            HEADER,
            ["C1", "Juan", "F-1", "10/03/2026", "100"],
            ["C2", "Ana", "F-2", "10/03/2026", "200"],
        ],
    )
    run_import(engine, business_id, first)
    before = _documents(engine, business_id)
    empty = write_csv(tmp_path / "vacio.csv", rows)

    with pytest.raises(EmptySnapshotError) as caught:
        run_import(engine, business_id, empty, full_snapshot=True)

    assert "los 2 comprobantes abiertos" in str(caught.value)
    assert _documents(engine, business_id) == before
    assert _count_documents(engine, business_id) == 2


def test_empty_full_snapshot_without_open_documents(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(sqlite_engine)
    empty = write_csv(tmp_path / "vacio.csv", [HEADER])

    report = run_import(sqlite_engine, business_id, empty, full_snapshot=True)

    assert report.settled_as_missing == 0


PHONE_HEADER = ["Código cliente", "Nombre", "Celular", "Factura", "Vencimiento",
                "Importe"]  # fmt: skip


def _shared_phone_notes(report: ImportReport) -> list[str]:
    return [note for note in report.notes if "tienen el mismo teléfono" in note]


def test_shared_phone_in_file_noted(sqlite_engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "telefonos.csv",
        [
            PHONE_HEADER,
            ["C1", "Juan", "+54 9 11 1234-5678", "F-1", "10/03/2026", "100"],
            ["C2", "Ana", "011 15 1234 5678", "F-2", "10/03/2026", "100"],
            ["C3", "Pepe", "+54 9 11 8765-4321", "F-3", "10/03/2026", "100"],
        ],
    )

    report = run_import(sqlite_engine, business_id, path)

    [note] = _shared_phone_notes(report)
    assert note.startswith("Los clientes C1, C2 tienen el mismo teléfono")
    assert "1234" not in note


def test_shared_phone_names_customers(sqlite_engine: Engine, tmp_path: Path) -> None:
    # Without a customer code, the external id is the folded name, such as
    # "jose nunez", which the owner never wrote.
    business_id = make_business(sqlite_engine, "MX")
    path = write_csv(
        tmp_path / "telefonos.csv",
        [
            ["Cliente", "Celular", "Folio", "Vencimiento", "Importe"],
            ["José Núñez", "55 1234 5678", "A-1", "10/03/2026", "100"],
            ["Ana Díaz", "+52 1 55 1234 5678", "A-2", "10/03/2026", "100"],
        ],
    )

    report = run_import(sqlite_engine, business_id, path)

    [note] = _shared_phone_notes(report)
    assert note.startswith("Los clientes Ana Díaz, José Núñez tienen el mismo")


def test_shared_phone_with_stored_noted(sqlite_engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(sqlite_engine)
    first = write_csv(
        tmp_path / "enero.csv",
        [
            PHONE_HEADER,
            ["C1", "Juan", "+54 9 11 1234-5678", "F-1", "10/03/2026", "100"],
            ["C3", "Pepe", "+54 9 11 8765-4321", "F-3", "10/03/2026", "100"],
        ],
    )
    second = write_csv(
        tmp_path / "febrero.csv",
        [
            PHONE_HEADER,
            ["C3", "Pepe", "+54 9 11 1234-5678", "F-3", "10/03/2026", "100"],
        ],
    )

    assert _shared_phone_notes(run_import(sqlite_engine, business_id, first)) == []
    report = run_import(sqlite_engine, business_id, second)

    [note] = _shared_phone_notes(report)
    assert note.startswith("Los clientes C1, C3 tienen el mismo teléfono")


def test_markup_and_escapes_in_cells(sqlite_engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(sqlite_engine)
    path = tmp_path / "marcas.csv"
    path.write_text(
        "Código cliente,Nombre,Factura,Vencimiento,Importe\n"
        "C1,[bold red]Juan[/] [link=http://x]y[/link],F-1,10/03/2026,100\n"
        "C2,Ana \x1b[31mROJO\x1b[0m,F-2,10/03/2026,100\n"
        "[/],[/],F-3,[/],100\n",
        encoding="utf-8",
    )

    report = run_import(sqlite_engine, business_id, path)
    console = Console(width=200, record=True)
    render_report(console, report, "es_AR")
    with transaction(sqlite_engine) as session:
        summaries = list_customers(session, business_id)
    render_customers(console, summaries, "ARS", "es_AR")
    output = console.export_text()

    names = {summary.external_id: summary.name for summary in summaries}
    assert names["C1"] == "[bold red]Juan[/] [link=http://x]y[/link]"
    assert names["C2"].startswith("Ana ")
    assert "\x1b" not in names["C2"]
    assert "\x1b" not in output
    assert "[bold red]Juan[/]" in output
    assert re.search(r"│ 4 +│ Vencimiento │ \[/\]", output)


def test_customer_table_at_80_columns() -> None:
    summary = CustomerSummary(
        id=1,
        external_id="C-001",
        name="Veterinaria La Esquina de Barrio Norte S.R.L. (ficticia)",
        kind="company",
        phone="+5492215975902",
        phone_status="valid",
        phone_problem=None,
        tax_id="20-17816334-6",
        tax_id_valid=True,
        balance=Decimal("1131574.34"),
        documents=3,
        segment="occasional_late",
    )
    unreachable = CustomerSummary(
        id=2,
        external_id="CLIENTE-EXTERNO-0000000000012345",
        name="Ana",
        kind="person",
        phone=None,
        phone_status="invalid",
        phone_problem="El número 123 es demasiado corto: revisá el código de área",
        tax_id="XX-INVALIDO",
        tax_id_valid=False,
        balance=Decimal("123456789.00"),
        documents=1,
        segment="new",
    )
    console = Console(width=80, record=True)

    render_customers(
        console,
        [summary, unreachable],
        "ARS",
        "es_AR",
        {"occasional_late": "Atraso ocasional", "new": "Nuevo"},
    )
    output = console.export_text()

    assert "+5492215975902" in output
    assert "20-17816334-6" in output
    assert "$ 123.456.789,00" in output
    assert "$ 1.131.574,34" in output
    assert "…" not in output
    table_lines = [line for line in output.splitlines() if line[:1] in "┏┃┡│└"]
    assert all(line.rstrip()[-1] in "┓┃┩│┘" for line in table_lines)


def test_file_without_phone_column_noted(sqlite_engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "sin_telefono.csv",
        [
            ["Código cliente", "Nombre", "Factura", "Vencimiento", "Importe"],
            ["C1", "Juan", "F-1", "10/03/2026", "100"],
        ],
    )

    report = run_import(sqlite_engine, business_id, path)
    again = run_import(sqlite_engine, business_id, path)

    assert any("no tiene una columna de teléfono" in note for note in report.notes)
    [repeated] = [note for note in again.notes if "ya se importó" in note]
    assert re.search(r"el \d{2}/\d{2}/\d{4} a las \d{2}:\d{2},", repeated)


def test_file_with_phone_column_not_noted(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(
        tmp_path / "telefonos.csv",
        [
            PHONE_HEADER,
            ["C1", "Juan", "+54 9 11 1234-5678", "F-1", "10/03/2026", "100"],
        ],
    )

    report = run_import(sqlite_engine, business_id, path)

    assert not any("columna de teléfono" in note for note in report.notes)


def _xlsx_with_sheet_xml(path: Path, edit: Callable[[str], str]) -> Path:
    """Write a small workbook, then rewrite its sheet XML with `edit`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["C-1", "Ana", "F-1", "10/03/2026", 100])
    plain = path.with_suffix(".plain.xlsx")
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


def test_xlsx_declaring_whole_sheet_rejected(tmp_path: Path) -> None:
    # Five kilobytes that declare every row and column of a sheet and put a
    # cell in its last row: read as declared, that is 17 billion cells.
    def whole_sheet(xml: str) -> str:
        xml = re.sub(
            r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml
        )
        last = (
            '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        )
        return xml.replace("</sheetData>", last + "</sheetData>")

    path = _xlsx_with_sheet_xml(tmp_path / "bomba.xlsx", whole_sheet)
    started = time.monotonic()

    with pytest.raises(FileFormatError) as raised:
        read_table(path)

    assert time.monotonic() - started < 20
    assert "más de 200.000 filas" in str(raised.value)
    assert "bomba.xlsx" in str(raised.value)


def test_xlsx_wrong_dimension_still_read(tmp_path: Path) -> None:
    def wide(xml: str) -> str:
        return re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD3"/>', xml)

    table = read_table(_xlsx_with_sheet_xml(tmp_path / "ancho.xlsx", wide))

    assert table.headers == HEADER
    assert [row.cells[:3] for row in table.rows] == [("C-1", "Ana", "F-1")]


def test_csv_of_blank_lines_rejected(tmp_path: Path) -> None:
    # Under the 20 MB upload limit, and twenty million blank lines.
    path = tmp_path / "vacias.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + b"\n" * 19_000_000)

    with pytest.raises(FileFormatError) as raised:
        read_table(path)

    assert "más de 200.000 filas" in str(raised.value)


def test_csv_with_too_many_cells_rejected(tmp_path: Path) -> None:
    path = tmp_path / "celdas.csv"
    wide_row = b"," * 999 + b"\n"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + wide_row * 6000)

    with pytest.raises(FileFormatError) as raised:
        read_table(path)

    assert "más de 5.000.000 de celdas" in str(raised.value)
