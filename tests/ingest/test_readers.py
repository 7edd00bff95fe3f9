from __future__ import annotations

import io
import logging
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from cobranza.ingest import FileFormatError
from cobranza.ingest.readers import (
    MAX_SHEETS,
    decode,
    detect_separator,
    find_sheet,
    read_table,
)


def test_decode_detects_encodings() -> None:
    assert decode("Núñez".encode()) == ("Núñez", "utf-8")
    assert decode(b"\xef\xbb\xbf" + "Núñez".encode()) == ("Núñez", "utf-8-sig")
    assert decode("Núñez".encode("cp1252")) == ("Núñez", "cp1252")


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_detect_separator(separator: str) -> None:
    rows = [["Cliente", "Importe", "Vence"], ["Ana", "1,5", "1/1/2026"]]
    text = "\n".join(separator.join(f'"{c}"' for c in row) for row in rows)

    assert detect_separator(text) == separator


def test_header_below_title_and_blank(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Saldos al 1/4\n\nCliente;Factura;Importe\nAna;1;5\n;;\n")

    table = read_table(path)

    assert table.headers == ["Cliente", "Factura", "Importe"]
    assert [row.line for row in table.rows] == [4]
    assert table.skipped == [
        {"line": 1, "reason": "fila de título sobre el encabezado"},
        {"line": 5, "reason": "fila vacía"},
    ]


def test_total_row_needs_a_total_word(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Cliente;Factura;Importe\nTotal Austral S.A.;1;5\nTOTAL:;;5\n")

    table = read_table(path)

    assert [row.cells[0] for row in table.rows] == ["Total Austral S.A."]
    assert table.skipped == [{"line": 3, "reason": "fila de totales"}]


def test_quoted_newline_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('Cliente,Factura\n"Ana\nDíaz",1\nBeto,2\n')

    table = read_table(path)

    assert [row.line for row in table.rows] == [2, 4]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "está vacío"),
        ("binary.csv", b"\x00\x01\x02abc", "no es un archivo de texto"),
        ("broken.xlsx", b"PK\x03\x04garbage", "No se puede abrir"),
        ("old.xls", b"abc", "no se puede leer"),
        ("one.csv", b"just one cell\n", "No hay una fila de encabezado"),
    ],
)
def test_unreadable_files(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(FileFormatError, match=message):
        read_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="No se encontró el archivo"):
        read_table(tmp_path / "nope.csv")


def test_key_value_title_is_not_the_header(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "Fecha:;01/04/2026;Total:;5000\n"
        "Cliente;Factura;Vencimiento;Importe\n"
        "Ana;1;10/04/2026;5000\n"
    )

    table = read_table(path)

    assert table.headers == ["Cliente", "Factura", "Vencimiento", "Importe"]
    assert table.skipped == [
        {"line": 1, "reason": "fila de título sobre el encabezado"}
    ]


def _damaged_sheet() -> bytes:
    """Return a workbook whose sheet's XML is cut in half."""
    workbook = Workbook()
    workbook.active.append(["Cliente", "Factura", "Vencimiento", "Importe"])
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


def _zip_without_workbook() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("notas.txt", "hola")
    return archive.getvalue()


DAMAGED_XLSX = (
    "No se puede abrir libro.xlsx como libro XLSX, porque está dañado o no es un "
    "libro de Excel. Abrilo en la planilla de cálculo y guardalo de nuevo como "
    ".xlsx o .csv."
)


@pytest.mark.parametrize(
    ("content", "message", "cause"),
    [
        pytest.param(
            b"",
            "libro.xlsx está vacío. Exportá la planilla de nuevo.",
            None,
            id="empty",
        ),
        pytest.param(b"PK\x03\x04garbage", DAMAGED_XLSX, "BadZipFile", id="not-a-zip"),
        pytest.param(_zip_without_workbook(), DAMAGED_XLSX, "KeyError", id="other-zip"),
        pytest.param(_damaged_sheet(), DAMAGED_XLSX, "ParseError", id="damaged-sheet"),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
            "libro.xlsx es un libro de Excel 97-2003 (.xls) o un libro protegido con "
            "contraseña, y no se puede leer. Abrilo en la planilla de cálculo y "
            "guardalo como .xlsx sin contraseña o como .csv.",
            None,
            id="old-or-encrypted",
        ),
    ],
)
def test_unreadable_workbooks_are_spanish(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    content: bytes,
    message: str,
    cause: str | None,
) -> None:
    path = tmp_path / "libro.xlsx"
    path.write_bytes(content)
    caplog.set_level(logging.INFO, logger="cobranza.ingest.readers")

    with pytest.raises(FileFormatError) as caught:
        read_table(path)

    assert str(caught.value) == message
    if cause is not None:
        assert caught.value.details["cause"].startswith(cause)
        assert any(cause in record.getMessage() for record in caplog.records)


def _many_sheets(count: int, damage_first: bool = False) -> bytes:
    """Return a workbook with `count` small invoice sheets.

    With `damage_first`, the first sheet's XML is cut in half, so reading
    its cells fails: an error about the sheet count then shows that the
    count was checked before any cell was read.
    """
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for number in range(count):
        sheet = workbook.create_sheet(f"Hoja {number + 1}")
        sheet.append(["Cliente", "Factura", "Vencimiento", "Importe"])
        sheet.append(["Ana", f"F-{number}", "2026-03-10", 100])
    whole = io.BytesIO()
    workbook.save(whole)
    if not damage_first:
        return whole.getvalue()
    source = zipfile.ZipFile(whole)
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return damaged.getvalue()


def test_too_many_sheets_fail_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "libro.xlsx"
    path.write_bytes(_many_sheets(MAX_SHEETS + 1, damage_first=True))

    with pytest.raises(FileFormatError) as caught:
        read_table(path)

    message = str(caught.value)
    assert "libro.xlsx" in message
    assert f"{MAX_SHEETS + 1} hojas" in message
    assert "--sheet" in message


def test_sheet_limit_allows_named_sheet(tmp_path: Path) -> None:
    path = tmp_path / "libro.xlsx"
    path.write_bytes(_many_sheets(MAX_SHEETS + 1))

    table = read_table(path, sheet=f"Hoja {MAX_SHEETS + 1}")
    at_limit = tmp_path / "justo.xlsx"
    at_limit.write_bytes(_many_sheets(MAX_SHEETS))

    assert table.sheet == f"Hoja {MAX_SHEETS + 1}"
    assert read_table(at_limit).sheet == "Hoja 1"


def test_named_sheet_opens_no_other(tmp_path: Path) -> None:
    # Given a workbook whose first sheet's part is not XML at all, which
    # openpyxl's `load_workbook` fails on while it sizes every sheet
    source = zipfile.ZipFile(io.BytesIO(_many_sheets(3)))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b"not a worksheet"
            target.writestr(item, data)
    path = tmp_path / "libro.xlsx"
    path.write_bytes(damaged.getvalue())

    # When the owner names another sheet
    table = read_table(path, sheet="hoja 3")
    title = find_sheet(path, " HOJA 2 ")

    # Then only that sheet is read, so the damaged one does not matter
    assert table.sheet == "Hoja 3"
    assert table.headers == ["Cliente", "Factura", "Vencimiento", "Importe"]
    assert [row.cells[1] for row in table.rows] == ["F-2"]
    assert title == "Hoja 2"
    with pytest.raises(FileFormatError):
        read_table(path)


def test_named_sheet_keeps_date_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Facturas"
    sheet.append(["Cliente", "Factura", "Vencimiento", "Importe"])
    # Spreadsheet dates have no time zone, so openpyxl reads them naive.
    due = datetime(2026, 3, 10)  # noqa: DTZ001 - the cell's own type
    sheet.append(["Ana", "F-1", due, 100])
    path = tmp_path / "libro.xlsx"
    workbook.save(path)

    table = read_table(path, sheet="Facturas")

    assert table.rows[0].cells == ("Ana", "F-1", due, 100)
