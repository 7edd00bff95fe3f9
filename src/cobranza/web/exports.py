"""CSV and XLSX downloads with spreadsheet formula injection neutralised.

A cell whose text starts with = + - @, a tab or a carriage return is run as
a formula by Excel, LibreOffice and Google Sheets. In a CSV such text gets a
leading apostrophe (OWASP's "CSV injection" advice). In an XLSX it is
written as a string cell with the quote-prefix style instead, which
spreadsheets show as text and keep as text when it is edited, so a phone
such as +5215512345678 reads as written. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from cobranza.web.error_pages import PageError, quoted

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | Decimal | date | datetime | bool | None


def neutralize(value: Cell) -> Cell:
    """Return text that a spreadsheet would run as a formula with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(neutralize(value))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """Return the rows as UTF-8 CSV with a BOM, so Excel reads accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(sheet: WriteOnlyWorksheet, value: Cell) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value=_xml_safe(value))
        # openpyxl reads text that starts with = as a formula, so the type is
        # set after the value.
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if isinstance(value, datetime):
        # openpyxl rejects aware datetimes; exports are in UTC.
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        # NOTE: openpyxl stores numbers as doubles, so an amount above about
        # 2**53 minor units loses digits; the CSV export keeps the exact text.
        return value
    return _xml_safe(value)


def _xml_safe(value: Cell) -> Cell:
    """Replace the control characters that XML 1.0 forbids with U+FFFD.

    Names and numbers arrive through the API and imports as sent, and one
    such character would make openpyxl reject the whole workbook. The CSV
    export keeps the original text.
    """
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """Return the rows as an XLSX workbook with one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("datos")
    sheet.append([_xlsx_value(sheet, cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_value(sheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    name: str, file_format: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> Response:
    """Return a download of the rows as `name.csv` or `name.xlsx`."""
    if file_format == "csv":
        body, media_type = to_csv(header, rows), CSV_TYPE
    elif file_format == "xlsx":
        body, media_type = to_xlsx(header, rows), XLSX_TYPE
    else:
        raise PageError(
            400,
            f"No hay descargas en formato «{quoted(file_format)}».",
            ["Descargá la lista en CSV o Excel con los enlaces de la página."],
        )
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{file_format}"'},
    )
