"""Ingest: read invoice exports (CSV, XLSX) into customers and documents.

`import_file` is the entry point; see `docs/importar.md` for the rules that
owners read.
"""

from cobranza.ingest.errors import (
    DateFormatError,
    DecimalConventionError,
    FileFormatError,
    IngestError,
    MappingError,
    SheetError,
)
from cobranza.ingest.report import ImportReport, RowIssue
from cobranza.ingest.service import ImportOptions, import_file

__all__ = [
    "DateFormatError",
    "DecimalConventionError",
    "FileFormatError",
    "ImportOptions",
    "ImportReport",
    "IngestError",
    "MappingError",
    "RowIssue",
    "SheetError",
    "import_file",
]
