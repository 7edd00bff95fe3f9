"""Errors that stop an import before anything is written.

Row problems do not raise. They become `RowIssue` entries in the report.
These exceptions are for questions about the whole file that only the
owner can answer, or files that cannot be read at all::

    IngestError
    ├── FileFormatError          the file cannot be read as a table
    ├── SheetError               the workbook has no sheet of the requested
    │                            name, or a sheet was requested of a CSV
    ├── MappingError             a required field has no column, two
    │                            columns compete for one field, or the
    │                            owner's mapping names an unknown one
    ├── DecimalConventionError   the amounts do not settle whether the
    │                            decimal mark is a comma or a point, or the
    │                            decimal option is neither
    ├── DateFormatError          the date option is not an order or a
    │                            strptime pattern
    └── EmptySnapshotError       --full-snapshot with no valid document row
                                 would mark every open document settled

Each error carries a machine-readable `code` and `details`; `str(error)` is
the Spanish (es-AR) message with the value and the fix, which the CLI, its
`--json` output and the dashboard show as they are. The fix names the
option to use where the owner reads it (`--map` in the terminal, «Columnas»
on the import page), as `ImportOptions.hints` words it.
"""

from __future__ import annotations

from typing import Any


class IngestError(Exception):
    """An import that cannot go ahead; nothing was written."""

    code = "ingest_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class FileFormatError(IngestError):
    code = "file_format"


class SheetError(IngestError):
    code = "sheet"


class MappingError(IngestError):
    code = "mapping"


class DecimalConventionError(IngestError):
    code = "decimal_convention"


class DateFormatError(IngestError):
    code = "date_format"


class EmptySnapshotError(IngestError):
    code = "empty_snapshot"
