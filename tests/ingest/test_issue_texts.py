"""Every row problem reaches the owner in Spanish, with its facts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from cobranza.ingest.console import render_report
from cobranza.ingest.errors import IngestError
from cobranza.ingest.issue_texts import ROW_ISSUE_TEXTS, row_issue_text
from cobranza.ingest.report import ImportReport, RowIssue
from tests.ingest.conftest import make_business, run_import, write_csv

HEADER = ["Código cliente", "Nombre", "Celular", "CUIT", "Factura", "Tipo",
          "Moneda", "Vencimiento", "Importe", "Saldo", "En disputa",
          "Estado factura", "Email"]  # fmt: skip
GOOD = ["C0", "Ana", "", "", "F-0", "FC", "ARS", "10/03/2026", "100", "", "", "", ""]


def _row(**cells: str) -> list[str]:
    """Return the good row with some cells replaced, by field name."""
    names = ["customer_id", "name", "mobile", "tax_id", "number", "kind",
             "currency", "due_on", "amount", "open_amount", "disputed",
             "status", "email"]  # fmt: skip
    row = list(GOOD)
    for name, value in cells.items():
        row[names.index(name)] = value
    return row


# One row per problem, each on its own line. The comment names the code.
ROWS = [
    GOOD,
    ["C1;Beto;;;F-1;FC;ARS;10/03/2026;100;;;;"],  # wrong_separator
    _row(number=""),  # missing_number
    _row(number="F" * 65),  # number_too_long
    _row(number="F-4", amount=""),  # missing_amount
    _row(number="F-5", amount="abc"),  # invalid_amount
    _row(number="F-6", amount="1000000000000000"),  # amount_too_large
    _row(number="F-7", amount='"10,5555"'),  # amount_rounded
    _row(number="F-8", due_on="31/02/2026"),  # invalid_date
    _row(number="F-9", due_on=""),  # missing_due_date
    _row(number="F-10", kind="XX"),  # invalid_kind
    _row(number="F-11", currency="ZZZZ"),  # invalid_currency
    _row(number="F-12", amount="USD 100"),  # currency_mismatch
    _row(number="F-13", disputed="quizás"),  # invalid_yes_no
    _row(number="F-14", open_amount="500"),  # balance_out_of_range
    _row(customer_id="C15", number="F-15", tax_id="20-12345678-0"),  # invalid_tax_id
    _row(customer_id="C16", number="F-16", tax_id="2" * 40),  # tax_id_too_long
    _row(customer_id="", name="", number="F-17"),  # missing_customer
    _row(customer_id="C" * 121, number="F-18"),  # customer_id_too_long
    _row(customer_id="C19", name="N" * 301, number="F-19"),  # name_too_long
    _row(customer_id="C20", number="F-20", mobile="abc"),  # invalid_phone
    _row(number="F-0", amount="200"),  # conflicting_duplicate
    _row(name="Ana María", number="F-22"),  # conflicting_customer
    _row(customer_id="C23", number="F-\u202e32"),  # bidi_in_number
    _row(customer_id="C\u202e42", number="F-24"),  # bidi_in_customer_id
    _row(number="F-25", status="Anulada"),  # cancelled_document
    _row(customer_id="C26", number="F-26", email="ana.bar.com"),  # invalid_email
]

# Words of the English texts these messages replaced. None may reach an owner.
ENGLISH = re.compile(
    r"\b(the|is|are|was|fill|check|use|correct|ignored|stored|unknown|empty|"
    r"invalid|missing|column|amount|date|phone|customer|row|line|cannot)\b",
    re.IGNORECASE,
)


@pytest.fixture
def bad_report(sqlite_engine: Engine, tmp_path: Path) -> ImportReport:
    business_id = make_business(sqlite_engine)
    path = write_csv(tmp_path / "todo_mal.csv", [HEADER, *ROWS])
    return run_import(sqlite_engine, business_id, path, dry_run=True)


def _issues(report: ImportReport) -> list[RowIssue]:
    return [*report.rows_rejected, *report.rows_flagged]


def _first_by_code(report: ImportReport) -> dict[str, RowIssue]:
    by_code: dict[str, RowIssue] = {}
    for issue in _issues(report):
        by_code.setdefault(issue.code, issue)
    return by_code


# Codes that depend on the store rather than on the file: "erased_customer"
# needs a customer erased before, and tests/compliance/test_erasure.py
# checks its text. "cancelled_earlier" needs a document cancelled by an
# earlier import, and tests/ingest/test_cancelled.py checks its text.
STORE_CODES = {"erased_customer", "cancelled_earlier"}
# Codes of another country than this Argentine file: "generic_tax_id_only"
# needs a Mexican business, and tests/ingest/test_generic_rfc.py checks it.
COUNTRY_CODES = {"generic_tax_id_only"}
FILE_CODES = sorted(set(ROW_ISSUE_TEXTS) - STORE_CODES - COUNTRY_CODES)


def test_every_code_is_produced(bad_report: ImportReport) -> None:
    codes = {issue.code for issue in _issues(bad_report)}

    assert codes == set(FILE_CODES)


@pytest.mark.parametrize("code", FILE_CODES)
def test_code_message_is_spanish(bad_report: ImportReport, code: str) -> None:
    messages = [issue.message for issue in _issues(bad_report) if issue.code == code]

    assert messages, f"no issue with code {code}"
    for message in messages:
        assert "{" not in message, message
        assert ENGLISH.search(message) is None, message
        assert message.endswith("."), message


def test_messages_name_value_and_limit(bad_report: ImportReport) -> None:
    by_code = _first_by_code(bad_report)

    assert '"abc"' in by_code["invalid_amount"].message
    assert "coma decimal" in by_code["invalid_amount"].message
    assert "100.000.000.000.000" in by_code["amount_too_large"].message
    assert "10,56" in by_code["amount_rounded"].message
    assert "(día 31, mes 2, año 2026)" in by_code["invalid_date"].message
    assert "día/mes/año" in by_code["invalid_date"].message
    assert '"ZZZZ"' in by_code["invalid_currency"].message
    assert "ARS" in by_code["invalid_currency"].message
    assert "CUIT" in by_code["invalid_tax_id"].message
    assert "dígito verificador" in by_code["invalid_tax_id"].message
    assert '"abc"' in by_code["invalid_phone"].message
    assert '"ana.bar.com"' in by_code["invalid_email"].message
    assert "le falta la @" in by_code["invalid_email"].message
    assert "línea 2" in by_code["conflicting_duplicate"].message
    assert '"Ana María"' in by_code["conflicting_customer"].message
    assert (
        'Se guardaría "Ana", de la línea 2' in by_code["conflicting_customer"].message
    )
    assert "punto y coma" in by_code["wrong_separator"].message
    assert "13 columnas" in by_code["wrong_separator"].message


def test_codes_and_columns_stay_stable(bad_report: ImportReport) -> None:
    by_code = _first_by_code(bad_report)

    assert by_code["invalid_date"].column == "Vencimiento"
    assert by_code["invalid_date"].value == "31/02/2026"
    assert by_code["invalid_phone"].column == "Celular"
    assert by_code["wrong_separator"].column is None
    assert "de 0 a 100" in by_code["balance_out_of_range"].message


def test_terminal_report_has_no_english(bad_report: ImportReport) -> None:
    console = Console(record=True, width=400, color_system=None)

    render_report(console, bad_report, "es_AR")
    output = console.export_text()

    # The report is a dry run, so it says what an import would do.
    assert "Filas rechazadas (no se importarían)" in output
    assert "El importe está vacío. Completalo en el archivo." in output
    assert ENGLISH.search(output) is None, ENGLISH.search(output)


def test_unknown_code_has_no_text() -> None:
    with pytest.raises(KeyError):
        row_issue_text("not_a_code")


# Phrases of the English file errors these messages replaced.
ENGLISH_FIX = re.compile(
    r"\b(use|fix|check|choose|export|name the|cannot|not found|is empty|"
    r"unknown|invalid|would mark|the columns)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("rows", "options", "error"),
    [
        pytest.param(
            [["Cliente", "Importe", "Fecha prevista"], ["Ana", "1", "x"]],
            {},
            "No se encontró ninguna columna para número de comprobante (number) y "
            "vencimiento (due_on)",
            id="missing-columns",
        ),
        pytest.param(
            [HEADER, _row(amount='"1.234,5"'), _row(number="F-1", amount="1,234.5")],
            {},
            "Los importes mezclan separadores decimales",
            id="mixed-decimals",
        ),
        pytest.param(
            [HEADER, _row(amount="1.234")],
            {"decimal": "virgula"},
            'El --decimal "virgula" no es válido',
            id="bad-decimal-option",
        ),
        pytest.param(
            [HEADER, GOOD],
            {"date_format": "dd/mm"},
            'El --date-format "dd/mm" no es válido',
            id="bad-date-format",
        ),
        pytest.param(
            [HEADER, GOOD],
            {"mapping": {"Monto": "amount"}},
            'La columna "Monto" de --map Monto=amount no está en el encabezado',
            id="map-unknown-column",
        ),
        pytest.param(
            [HEADER, GOOD],
            {"mapping": {"Importe": "dinero"}},
            'El campo "dinero" de --map Importe=dinero no existe',
            id="map-unknown-field",
        ),
        pytest.param(
            [["solo una celda"]], {}, "No hay una fila de encabezado", id="no-header"
        ),
    ],
)
def test_file_errors_are_spanish(
    sqlite_engine: Engine,
    tmp_path: Path,
    rows: list[list[str]],
    options: dict[str, object],
    error: str,
) -> None:
    business_id = make_business(sqlite_engine)
    path = write_csv(tmp_path / "archivo.csv", rows)

    with pytest.raises(IngestError) as caught:
        run_import(sqlite_engine, business_id, path, **options)

    message = str(caught.value)
    assert message.startswith(error), message
    assert ENGLISH_FIX.search(message) is None, message


def test_ambiguous_decimals_error_is_spanish(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(sqlite_engine, "MX")
    path = write_csv(tmp_path / "ambiguo.csv", [HEADER, _row(amount="1.234")])

    with pytest.raises(IngestError) as caught:
        run_import(sqlite_engine, business_id, path)

    message = str(caught.value)
    assert message.startswith('No se puede saber si "1.234" tiene coma decimal')
    assert ENGLISH_FIX.search(message) is None, message


def test_bidi_controls_in_ids_rejected(bad_report: ImportReport) -> None:
    by_code = _first_by_code(bad_report)
    number = by_code["bidi_in_number"]
    customer_id = by_code["bidi_in_customer_id"]

    assert number in bad_report.rows_rejected
    assert number.value == "F-\u202e32"
    assert '"F-\\u202e32"' in number.message
    assert "U+202E" in number.message
    assert "\u202e" not in number.message
    assert customer_id in bad_report.rows_rejected
    assert customer_id.column == "Código cliente"
    assert '"C\\u202e42"' in customer_id.message
    assert "\u202e" not in customer_id.message
