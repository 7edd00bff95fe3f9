"""Readers that turn a CSV or XLSX export into a header and data rows.

Real exports are read as they are: the encoding (UTF-8, UTF-8 with BOM or
Windows-1252) and the separator (`,`, `;` or tab) are detected, title rows
above the header, blank rows and TOTAL rows are skipped and reported.

A workbook is read from the sheet the owner names, or else from the sheet
that looks most like an invoice list.

A file that cannot be read raises `FileFormatError`, and a sheet name that
does not fit the file raises `SheetError`, each with a Spanish message that
names the file and what to do. The English text of the library that failed
(csv, zipfile, openpyxl) is logged, never shown to the owner.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cobranza.ingest.errors import FileFormatError, SheetError
from cobranza.ingest.hints import COMMAND_LINE, Hints
from cobranza.ingest.issue_texts import spanish_number
from cobranza.ingest.mapping import (
    AMOUNT,
    DUE_ON,
    NUMBER,
    OPEN_AMOUNT,
    PAID_AMOUNT,
    field_for_header,
    normalize_header,
)

logger = logging.getLogger(__name__)

SEPARATORS = (",", ";", "\t")
# An OLE2 compound file: an Excel 97-2003 workbook (.xls) or an encrypted
# .xlsx, which openpyxl cannot read.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SEARCH_ROWS = 30
# The maximum rows, blank ones included, and cells that one file may hold. A
# few kilobytes of XLSX can declare a million rows, and 20 MB of CSV can
# hold twenty million blank lines, so without these limits a small file
# makes the reader build gigabytes of rows.
# NOTE: both are estimates with wide room over a small business's invoice
# list. A `cobranza import --dry-run` of 200,000 rows of eight cells peaked
# at 570 MB of memory and took about a minute on SQLite, and openpyxl took
# 185 s to read 5,000,000 cells of inline text in 3,000 sheets.
MAX_ROWS = 200_000
MAX_CELLS = 5_000_000
# The maximum number of sheets that the reader looks through to choose the
# invoice list. An owner's export has a few, and a workbook of thousands of
# tiny sheets took minutes to reach MAX_CELLS. A named sheet is the only one
# opened, so the limit does not apply to it.
MAX_SHEETS = 50
_TOTAL_WORDS = frozenset(
    {
        "total",
        "totales",
        "total general",
        "totales generales",
        "subtotal",
        "grand total",
        "suma",
        "total facturado",
        "total adeudado",
        "total saldo",
        "total geral",
        "totais",
    }
)

# How much a known column says that a sheet is the invoice list.
_FIELD_WEIGHTS = {
    AMOUNT: 5,
    OPEN_AMOUNT: 5,
    PAID_AMOUNT: 5,
    NUMBER: 3,
    DUE_ON: 3,
}
_TOTAL_PREFIXES = frozenset(word[:3] for word in _TOTAL_WORDS)


@dataclass(frozen=True)
class SourceRow:
    """One data row and its line (CSV) or row number (XLSX) in the file."""

    line: int
    cells: tuple[Any, ...]


@dataclass
class Table:
    """A file read as a header and rows, with what the reader skipped."""

    headers: list[str]
    rows: list[SourceRow]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    sha256: str = ""
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    # The other sheets with a header row, when the reader chose the sheet.
    other_sheets: list[str] = field(default_factory=list)


class _SizeGuard:
    """Count the rows of each sheet and the cells of the whole file, and
    raise past the limits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet: str | None = None
        self.rows = 0
        self.cells = 0

    def add(self, width: int, sheet: str | None = None) -> None:
        """Count one row of `width` cells of `sheet` (None for a CSV)."""
        if sheet != self.sheet:
            self.sheet, self.rows = sheet, 0
        self.rows += 1
        self.cells += width
        if self.rows > MAX_ROWS:
            place = f"El archivo {self.path.name}"
            if sheet is not None:
                place = f'La hoja "{sheet}" de {self.path.name}'
            raise FileFormatError(
                f"{place} tiene más de {spanish_number(MAX_ROWS)} "
                "filas, contando las vacías, y no se puede importar de una vez. "
                "Borrá las filas vacías del final o dividí la planilla en partes "
                "más chicas.",
                path=str(self.path),
            )
        if self.cells > MAX_CELLS:
            raise FileFormatError(
                f"El archivo {self.path.name} tiene más de "
                f"{spanish_number(MAX_CELLS)} de celdas, contando sus hojas y las "
                "vacías entre columnas, y no se puede importar de una vez. Borrá "
                "las hojas y columnas que no son de facturas o dividí la planilla "
                "en partes más chicas.",
                path=str(self.path),
            )


def read_table(
    path: Path, sheet: str | None = None, hints: Hints = COMMAND_LINE
) -> Table:
    """Read a CSV or XLSX file; raise `FileFormatError` if it is neither.

    `sheet` names the worksheet of a workbook to read: the exact title
    first, else the title that differs only in case and surrounding spaces.
    Without it, the sheet that looks most like an invoice list is read.
    Raises `SheetError` when no sheet has that name or the file is a CSV.
    `hints` words the fix for where the owner named the sheet.
    """
    if not path.is_file():
        raise FileFormatError(
            f"No se encontró el archivo {path}. Revisá la ruta y el nombre.",
            path=str(path),
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()

    if not data.strip():
        raise FileFormatError(
            f"{path.name} está vacío. Exportá la planilla de nuevo.", path=str(path)
        )
    if data.startswith(_OLE2_SIGNATURE):
        raise _ole2_error(path)
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data, path, sheet, hints)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        if sheet is not None:
            raise SheetError(
                hints.sheet_of_text_file(path.name, sheet), path=str(path), sheet=sheet
            )
        table = _read_csv(data, path)
    else:
        raise FileFormatError(
            f'El tipo de archivo "{suffix}" de {path.name} no se puede leer. '
            "Exportá la planilla como CSV o XLSX.",
            path=str(path),
        )
    table.sha256 = digest
    return table


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def detect_separator(text: str) -> str:
    """Pick the separator that splits most sample lines into the same width."""
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", 0
    for separator in SEPARATORS:
        widths = Counter(
            len(row) for row in csv.reader(sample, delimiter=separator) if row
        )
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        score = count * (width > 1) * width
        if score > best_score:
            best, best_score = separator, score
    return best


def _read_csv(data: bytes, path: Path) -> Table:
    if b"\x00" in data[:8192]:
        raise FileFormatError(
            f"{path.name} no es un archivo de texto (tiene bytes NUL). Exportá la "
            "planilla como CSV o XLSX.",
            path=str(path),
        )
    text, encoding = decode(data)
    try:
        separator = detect_separator(text)
    except csv.Error as exc:
        raise _csv_error(exc, path, 0) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    raw_rows: list[SourceRow] = []
    guard = _SizeGuard(path)
    line = 1
    try:
        for cells in reader:
            guard.add(len(cells))
            raw_rows.append(SourceRow(line, tuple(cell.strip() for cell in cells)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_error(exc, path, line) from exc
    table = _split_header(raw_rows, path)
    table.encoding, table.separator = encoding, separator
    return table


def _csv_error(exc: csv.Error, path: Path, line: int) -> FileFormatError:
    """Build the `FileFormatError` for a `csv.Error`, such as an oversized cell."""
    logger.info("cannot read %s as CSV at line %d: %s", path.name, line, exc)
    where = f" en la línea {line}" if line else ""
    detail = ""
    if "field larger than field limit" in str(exc):
        detail = f" (una celda tiene más de {csv.field_size_limit()} caracteres)"
    return FileFormatError(
        f"No se puede leer {path.name} como CSV{where}{detail}. "
        "Buscá una comilla sin cerrar o una celda con un documento entero pegado, "
        "y exportá el archivo de nuevo.",
        path=str(path),
        line=line or None,
        cause=str(exc),
    )


def _read_xlsx(data: bytes, path: Path, name: str | None, hints: Hints) -> Table:
    from openpyxl import load_workbook

    # NOTE: data_only reads the value a spreadsheet program saved with each
    # formula. A file written by a script without those values reads formula
    # cells as empty, so their rows are rejected as missing the value.
    named: Any = None
    try:
        if name is None:
            count = _sheet_count(data)
            if count > MAX_SHEETS:
                raise FileFormatError(
                    f"{path.name} tiene {count} hojas, más de las {MAX_SHEETS} "
                    "entre las que se elige la de facturas, y no se puede importar "
                    f"así. Indicá la hoja de facturas {hints.sheet_control}, o "
                    "guardala sola en un archivo .xlsx o .csv.",
                    path=str(path),
                )
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        else:
            named = _open_named_sheet(data, name, path, hints)
            workbook = named.parent
    except (FileFormatError, SheetError):
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _xlsx_error(exc, path) from exc
    others: list[str] = []
    guard = _SizeGuard(path)
    try:
        # In read-only mode openpyxl reads each sheet's XML while iterating,
        # so a damaged sheet fails here rather than in `load_workbook`.
        if named is None:
            sheet, others = _best_sheet(workbook.worksheets, guard)
        else:
            sheet = named
        if sheet is None:
            raise FileFormatError(
                f"Ninguna hoja de {path.name} tiene una fila de encabezado en sus "
                f"primeras {_HEADER_SEARCH_ROWS} filas. El archivo necesita una fila "
                "con los nombres de las columnas.",
                path=str(path),
            )
        raw_rows = _sheet_rows(sheet, guard)
    except (FileFormatError, SheetError):
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors of a damaged sheet
        raise _xlsx_error(exc, path) from exc
    finally:
        workbook.close()
    where = f'la hoja "{sheet.title}" de {path.name}' if name is not None else None
    table = _split_header(raw_rows, path, where)
    table.sheet = sheet.title
    table.other_sheets = others
    return table


@dataclass(frozen=True)
class _WorksheetPart:
    """A worksheet that the workbook part lists: its title and XML part."""

    title: str
    target: str
    state: str


def _workbook_reader(data: bytes) -> Any:
    """Read the manifest and workbook part of `data`, and no sheet.

    `load_workbook` scans every worksheet's XML once for its size, so the
    sheet list comes from the workbook part alone, read as openpyxl 3.1
    reads it. Reading the last of 3,000 sheets of 20 rows (2.7 MB) by name
    took 1.3 s that way and 0.1 s this way, measured once on a shared
    2-core machine. The caller closes
    `reader.archive`, or `reader.wb` once a sheet is open.
    """
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
    except BaseException:
        reader.archive.close()
        raise
    return reader


def _sheet_count(data: bytes) -> int:
    """Count the worksheets of a workbook, opening none of them."""
    reader = _workbook_reader(data)
    try:
        return len(_worksheet_parts(reader))
    finally:
        reader.archive.close()


def _worksheet_parts(reader: Any) -> list[_WorksheetPart]:
    """List the worksheets that `load_workbook` would open, in order.

    As openpyxl does, a sheet whose part is missing is dropped, and a chart
    sheet is not a worksheet.
    """
    parts = []
    for sheet, relation in reader.parser.find_sheets():
        if relation.target in reader.valid_files and "chartsheet" not in relation.Type:
            parts.append(_WorksheetPart(sheet.name, relation.target, sheet.state))
    return parts


def _open_named_sheet(data: bytes, name: str, path: Path, hints: Hints) -> Any:
    """Open only the worksheet that `name` names, as `_match_title` matches it.

    Returns an openpyxl `ReadOnlyWorksheet` whose `parent` workbook the
    caller closes. The shared strings and the styles, which give the dates
    their type, are read as `load_workbook` reads them.
    """
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    reader = _workbook_reader(data)
    try:
        parts = _worksheet_parts(reader)
        part = parts[_match_title([part.title for part in parts], name, path, hints)]
        reader.read_strings()
        apply_stylesheet(reader.archive, reader.wb)
        sheet = ReadOnlyWorksheet(
            reader.wb, part.title, part.target, reader.shared_strings
        )
    except BaseException:
        reader.archive.close()
        raise
    sheet.sheet_state = part.state
    return sheet


def _match_title(titles: list[str], name: str, path: Path, hints: Hints) -> int:
    """Return the index of the title `name`, or else of the one that differs
    only in case and surrounding spaces. Raise `SheetError` if none or several
    match."""
    if name in titles:
        return titles.index(name)
    requested = name.strip().casefold()
    matches = [
        i for i, title in enumerate(titles) if title.strip().casefold() == requested
    ]
    if len(matches) == 1:
        return matches[0]

    if matches:
        message = hints.ambiguous_sheet(path.name, name, [titles[i] for i in matches])
    else:
        message = hints.unknown_sheet(path.name, name, titles)
    raise SheetError(message, path=str(path), sheet=name, sheets=titles)


def find_sheet(path: Path, name: str, hints: Hints = COMMAND_LINE) -> str:
    """Return the title of the worksheet of `path` that `name` names.

    For readers other than `read_table`, such as `cobranza payment import`,
    so that `--sheet` matches and fails as it does for `cobranza import`.
    Raises `SheetError` when no sheet or several match, or when `path` is a
    CSV or text file, and `FileFormatError` when the workbook cannot be read.
    """
    data = path.read_bytes()
    if data.startswith(_OLE2_SIGNATURE):
        raise _ole2_error(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm") and data[:4] != b"PK\x03\x04":
        raise SheetError(
            hints.sheet_of_text_file(path.name, name), path=str(path), sheet=name
        )
    try:
        reader = _workbook_reader(data)
        try:
            titles = [part.title for part in _worksheet_parts(reader)]
        finally:
            reader.archive.close()
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _xlsx_error(exc, path) from exc
    return titles[_match_title(titles, name, path, hints)]


def _ole2_error(path: Path) -> FileFormatError:
    return FileFormatError(
        f"{path.name} es un libro de Excel 97-2003 (.xls) o un libro protegido "
        "con contraseña, y no se puede leer. Abrilo en la planilla de cálculo "
        "y guardalo como .xlsx sin contraseña o como .csv.",
        path=str(path),
    )


def _xlsx_error(exc: Exception, path: Path) -> FileFormatError:
    """Build the `FileFormatError` for a workbook that openpyxl cannot read."""
    logger.info("cannot read %s as XLSX: %s: %s", path.name, type(exc).__name__, exc)
    return FileFormatError(
        f"No se puede abrir {path.name} como libro XLSX, porque está dañado o no "
        "es un libro de Excel. Abrilo en la planilla de cálculo y guardalo de "
        "nuevo como .xlsx o .csv.",
        path=str(path),
        cause=f"{type(exc).__name__}: {exc}",
    )


def _sheet_rows(
    sheet: Any, guard: _SizeGuard, max_row: int | None = None
) -> list[SourceRow]:
    """Read a sheet's rows, each as wide as its last cell.

    The dimension that a sheet's XML declares is ignored, because openpyxl
    pads every row, and fills every missing row, to that size.
    """
    sheet.reset_dimensions()
    rows = []
    for number, row in enumerate(sheet.iter_rows(values_only=True, max_row=max_row)):
        guard.add(len(row), sheet.title)
        rows.append(SourceRow(number + 1, tuple(_xlsx_cell(value) for value in row)))
    return rows


def _best_sheet(sheets: list[Any], guard: _SizeGuard) -> tuple[Any | None, list[str]]:
    """Return the sheet whose header looks most like an invoice list, and the
    titles of the other sheets that have a header.

    Workbooks often hold instructions or customer lists next to the
    invoices. An amount column weighs most, then the invoice number and due
    date, then any other known column; ties go to the first sheet. When
    this picks the wrong sheet, the owner names the right one (`--sheet`).
    """
    best, best_score = None, 0
    with_header = []
    for sheet in sheets:
        rows = _sheet_rows(sheet, guard, max_row=_HEADER_SEARCH_ROWS + 1)
        index = _find_header(rows)
        if index is None:
            continue
        with_header.append(sheet)
        fields = {
            field_for_header(cell)
            for cell in rows[index].cells
            if isinstance(cell, str) and cell
        }
        score = 1 + sum(_FIELD_WEIGHTS.get(field, 1) for field in fields if field)
        if score > best_score:
            best, best_score = sheet, score
    return best, [sheet.title for sheet in with_header if sheet is not best]


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _is_blank(cells: tuple[Any, ...]) -> bool:
    return all(cell is None or cell == "" for cell in cells)


def _split_header(
    raw_rows: list[SourceRow], path: Path, where: str | None = None
) -> Table:
    """Split the rows at the header. `where` names the part of the file read,
    such as a sheet the owner chose, for the error; the file name by default."""
    header_index = _find_header(raw_rows)
    if header_index is None:
        raise FileFormatError(
            f"No hay una fila de encabezado en las primeras {_HEADER_SEARCH_ROWS} "
            f"filas de {where or path.name}. El archivo necesita una fila con los "
            "nombres de las columnas.",
            path=str(path),
        )
    header_row = raw_rows[header_index]
    headers = [
        str(cell).strip() if cell is not None else "" for cell in header_row.cells
    ]
    while headers and not headers[-1]:
        headers.pop()

    table = Table(headers=headers, rows=[])
    for row in raw_rows[:header_index]:
        if not _is_blank(row.cells):
            table.skipped.append(
                {"line": row.line, "reason": "fila de título sobre el encabezado"}
            )
    for row in raw_rows[header_index + 1 :]:
        if _is_blank(row.cells):
            table.skipped.append({"line": row.line, "reason": "fila vacía"})
        elif _is_total(row.cells):
            table.skipped.append({"line": row.line, "reason": "fila de totales"})
        else:
            table.rows.append(row)
    return table


def _find_header(raw_rows: list[SourceRow]) -> int | None:
    """Return the index of the header: the row naming the most known fields.

    At least two are needed, and the first such row wins a tie. Title blocks
    such as "Fecha: 01/04 | Total: 5000" name fewer fields than the header.

    Failing that, the first row whose two or more filled cells are all text,
    so a file with unknown headers still gets a header (and then a mapping
    error that lists its columns).
    """
    window = raw_rows[:_HEADER_SEARCH_ROWS]
    best, best_known = None, 1
    for index, row in enumerate(window):
        texts = [c for c in row.cells if isinstance(c, str) and c]
        known = len({field_for_header(text) for text in texts} - {None})
        if known > best_known:
            best, best_known = index, known
    if best is not None:
        return best
    for index, row in enumerate(window):
        texts = [c for c in row.cells if isinstance(c, str) and c]
        if len(texts) >= 2 and len(texts) == sum(
            c is not None and c != "" for c in row.cells
        ):
            return index
    return None


def _is_total(cells: tuple[Any, ...]) -> bool:
    for cell in cells:
        # The prefix check keeps this cheap: it runs on every cell of every row.
        if isinstance(cell, str) and cell[:3].lower() in _TOTAL_PREFIXES:
            if normalize_header(cell) in _TOTAL_WORDS:
                return True
    return False
