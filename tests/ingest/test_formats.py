"""Real-export shapes: Windows-1252 with `;`, XLSX with titles, UTF-8 BOM."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import CustomerKind, Document, DocumentKind, PhoneStatus
from cobranza.ingest import DecimalConventionError, MappingError
from cobranza.ingest.issue_texts import LANDLINE_PROBLEM
from tests.ingest.conftest import (
    balance,
    customer,
    make_business,
    run_import,
    write_csv,
)

AR_HEADER = [
    "Razón Social", "CUIT", "Celular", "Tipo", "Nro. Comprobante", "Fecha",
    "Vencimiento", "Importe", "Saldo",
]  # fmt: skip
AR_ROWS = [
    ["Ferretería Núñez S.R.L.", "30-71234567-1", "011 15 4567-8901", "FC",
     "0001-00000101", "01/03/2026", "31/03/2026", "$ 1.234,56", "1.234,56"],
    ["Ferretería Núñez S.R.L.", "30-71234567-1", "011 15 4567-8901", "NC",
     "0001-00000005", "05/03/2026", "05/03/2026", "(200,00)", "200,00"],
    ["José Peña", "20-12345678-6", "351 456-7890", "FC", "0001-00000102",
     "02/03/2026", "01/04/2026", "10.000,00", "4.000,00"],
    ["José Peña", "20-12345678-6", "351 456-7890", "ND", "0001-00000007",
     "03/03/2026", "02/04/2026", "500,00", "500,00"],
]  # fmt: skip


def write_ar_export(path: Path) -> Path:
    rows = [
        ["Listado de saldos al 10/04/2026"],
        [],
        AR_HEADER,
        *AR_ROWS,
        AR_ROWS[0],
        ["TOTAL", "", "", "", "", "", "", "11.534,56", "5.534,56"],
    ]
    return write_csv(path, rows, separator=";", encoding="cp1252")


def test_windows_1252_semicolon_export(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_ar_export(tmp_path / "saldos.csv")

    report = run_import(engine, business_id, path)

    assert report.encoding == "cp1252"
    assert report.separator == ";"
    assert report.decimal["convention"] == "comma"
    assert report.invoices == 2
    assert report.credit_notes == 1
    assert report.debit_notes == 1
    assert report.duplicates_skipped == 1
    assert report.rows_rejected == []
    reasons = {row["reason"] for row in report.skipped_rows}
    assert "fila de totales" in reasons
    assert "fila de título sobre el encabezado" in reasons
    assert report.open_balance == Decimal("5534.56")
    assert balance(engine, business_id, "30712345671") == Decimal("1034.56")


def test_windows_1252_customer_fields(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    run_import(engine, business_id, write_ar_export(tmp_path / "saldos.csv"))

    company = customer(engine, business_id, "30712345671")
    person = customer(engine, business_id, "20123456786")

    assert company.name == "Ferretería Núñez S.R.L."
    assert company.kind == CustomerKind.COMPANY
    assert company.phone == "+5491145678901"
    assert company.tax_id_valid is True
    assert person.kind == CustomerKind.PERSON
    # A bare 10-digit number in a "Celular" column is a mobile: +54 9.
    assert person.phone == "+5493514567890"


def test_credit_and_debit_note_signs(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    run_import(engine, business_id, write_ar_export(tmp_path / "saldos.csv"))

    with transaction(engine) as session:
        documents = {
            document.number: document for document in session.scalars(select(Document))
        }

    assert documents["0001-00000005"].kind == DocumentKind.CREDIT_NOTE
    assert documents["0001-00000005"].amount == Decimal("-200")
    assert documents["0001-00000005"].open_amount == Decimal("-200")
    assert documents["0001-00000007"].kind == DocumentKind.DEBIT_NOTE
    assert documents["0001-00000007"].open_amount == Decimal("500")
    assert documents["0001-00000102"].open_amount == Decimal("4000")


def write_xlsx_export(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Deudores"
    sheet.append(["Cuentas a cobrar - Distribuidora Demo (ficticia)"])
    sheet.append([])
    header = ["Cliente", "Teléfono", "Celular", "Factura", "Emisión"]
    sheet.append([*header, "Vencimiento", "Total", "Pendiente"])
    tito = ["Almacén Don Tito", None, 1145678901.0, 1001, date(2026, 3, 1)]
    sheet.append([*tito, date(2026, 3, 31), 15000.5, 15000.5])
    sheet.append([])
    # 46113 is 2026-04-01 as an Excel serial typed into a number cell.
    sheet.append(
        ["Kiosco Lola", 1145678901, None, 1002, date(2026, 3, 2), 46113, 2500, 0]
    )
    bar = ["Bar El Sur", "12", None, 1003, date(2026, 3, 3)]
    sheet.append([*bar, date(2026, 4, 2), 800, 800])
    sheet.append([None, None, None, None, None, "Total", 18300.5, 15800.5])
    workbook.save(path)
    return path


def test_xlsx_export_with_title_and_total(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_xlsx_export(tmp_path / "deudores.xlsx")

    report = run_import(engine, business_id, path)

    assert report.sheet == "Deudores"
    assert report.documents_imported == 3
    assert report.rows_rejected == []
    reasons = sorted(row["reason"] for row in report.skipped_rows)
    assert reasons == [
        "fila de totales",
        "fila de título sobre el encabezado",
        "fila vacía",
    ]
    assert report.open_balance == Decimal("15800.50")
    assert report.payments_recorded == 1


def test_xlsx_phones_typed_as_numbers(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    report = run_import(engine, business_id, write_xlsx_export(tmp_path / "d.xlsx"))

    tito = customer(engine, business_id, "almacen don tito")
    lola = customer(engine, business_id, "kiosco lola")
    bar = customer(engine, business_id, "bar el sur")

    assert tito.phone == "+5491145678901"
    assert lola.phone == "+541145678901"
    assert bar.phone is None
    assert bar.phone_status == PhoneStatus.INVALID
    assert bar.phone_problem is not None
    assert bar.phone_problem.startswith('El teléfono "')
    assert "no es un número válido para Argentina" in bar.phone_problem
    assert lola.phone_problem == LANDLINE_PROBLEM
    assert [issue.code for issue in report.rows_flagged] == ["invalid_phone"]
    assert report.rows_flagged[0].line == 7


def test_xlsx_serial_and_date_cells(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    run_import(engine, business_id, write_xlsx_export(tmp_path / "d.xlsx"))

    with transaction(engine) as session:
        due = dict(session.execute(select(Document.number, Document.due_on)).all())

    assert due["1001"] == date(2026, 3, 31)
    assert due["1002"] == date(2026, 4, 1)


def write_mx_export(
    path: Path, amounts: tuple[str, str] = ("$1,234.56", "$980.00")
) -> Path:
    rows = [
        ["Cliente", "RFC", "Teléfono", "Folio", "Fecha", "Vencimiento", "Monto"],
        ["Abarrotes Lupita S.A. de C.V.", "ABC010101AB1", "+52 1 55 1234 5678",
         "A-1", "2026-03-01", "2026-03-31", f'"{amounts[0]}"'],
        ["Juan Gómez", "GODE561231GR8", "33 1234 5678", "A-2", "2026-03-05",
         "2026-04-04", f'"{amounts[1]}"'],
    ]  # fmt: skip
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_mexico_utf8_bom_point_decimals(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")

    report = run_import(engine, business_id, write_mx_export(tmp_path / "cxc.csv"))

    assert report.encoding == "utf-8-sig"
    assert report.mapping["Cliente"] == "customer_name"
    assert report.decimal["convention"] == "point"
    assert report.open_balance == Decimal("2214.56")
    lupita = customer(engine, business_id, "ABC010101AB1")
    assert lupita.phone == "+525512345678"
    assert lupita.kind == CustomerKind.COMPANY
    assert customer(engine, business_id, "GODE561231GR8").kind == CustomerKind.PERSON


def test_mexico_ambiguous_decimals_ask(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")
    path = write_mx_export(tmp_path / "cxc.csv", ("1.234", "2.500"))

    with pytest.raises(DecimalConventionError, match="--decimal"):
        run_import(engine, business_id, path)
    report = run_import(engine, business_id, path, decimal="comma")

    assert report.open_balance == Decimal("3734")


def test_argentina_ambiguous_decimals_use_country(
    engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe"],
            ["Ana", "1", "10/04/2026", "1.234"],
            ["Beto", "2", "10/04/2026", "5.000"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.open_balance == Decimal("6234")
    assert report.decimal["source"] == "country"
    assert any("ambiguos" in note for note in report.notes)


def test_competing_columns_ask_for_map(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe", "Total"],
            ["Ana", "1", "10/04/2026", "100", "121"],
        ],
    )

    with pytest.raises(MappingError) as caught:
        run_import(engine, business_id, path)
    report = run_import(
        engine, business_id, path, mapping={"Total": "amount", "Importe": "ignore"}
    )

    assert caught.value.details["candidates"] == ["Importe", "Total"]
    assert report.open_balance == Decimal("121")


def test_month_first_dates_detected(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Fecha", "Vencimiento", "Importe"],
            ["Ana", "1", "3/1/2026", "3/31/2026", "100"],
            ["Beto", "2", "4/2/2026", "5/2/2026", "100"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.date_format["order"] == "mdy"
    with transaction(engine) as session:
        due = dict(session.execute(select(Document.number, Document.due_on)).all())
    assert due == {"1": date(2026, 3, 31), "2": date(2026, 5, 2)}


def test_impossible_date_rejects_only_that_row(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe"],
            ["Ana", "1", "31/02/2026", "100,00"],
            ["Beto", "2", "28/02/2026", "100,00"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.documents_imported == 1
    [issue] = report.rows_rejected
    assert issue.line == 2
    assert issue.column == "Vencimiento"
    assert issue.value == "31/02/2026"
    assert issue.code == "invalid_date"
    assert "no existe en el calendario" in issue.message


def test_row_problems_are_reported_and_good_rows_kept(
    engine: Engine, tmp_path: Path
) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Tipo", "Vencimiento", "Importe"],
            ["Ana", "", "FC", "10/04/2026", "100,00"],
            ["Beto", "2", "Remito", "10/04/2026", "100,00"],
            ["Caro", "3", "FC", "10/04/2026", "cien"],
            ["Dani", "4", "Factura B", "10/04/2026", "100,00"],
            ["Eli", "4", "FC", "11/04/2026", "100,00"],
        ],
    )

    report = run_import(engine, business_id, path)

    codes = [(issue.line, issue.code) for issue in report.rows_rejected]
    assert codes == [
        (2, "missing_number"),
        (3, "invalid_kind"),
        (4, "invalid_amount"),
        (6, "conflicting_duplicate"),
    ]
    assert report.documents_imported == 1


def test_wrong_tax_id_check_digit_flags_row(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "CUIT", "Factura", "Vencimiento", "Importe"],
            ["Ana", "20-12345678-0", "1", "10/04/2026", "100,00"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.documents_imported == 1
    [flag] = report.rows_flagged
    assert flag.code == "invalid_tax_id"
    assert flag.column == "CUIT"
    assert customer(engine, business_id, "20123456780").tax_id_valid is False


def test_invalid_email_flags_row(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Email", "Factura", "Vencimiento", "Importe"],
            ["Ana", "ana.bar.com", "1", "10/04/2026", "100,00"],
            ["Beto", " beto@bar.com.ar ", "2", "10/04/2026", "100,00"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.documents_imported == 2
    [flag] = report.rows_flagged
    assert flag.code == "invalid_email"
    assert flag.column == "Email"
    assert flag.line == 2
    assert flag.value == "ana.bar.com"
    assert '"ana.bar.com"' in flag.message
    assert "le falta la @" in flag.message
    assert customer(engine, business_id, "ana").email is None
    assert customer(engine, business_id, "beto").email == "beto@bar.com.ar"


def test_amount_too_large_is_rejected(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe"],
            ["Ana", "1", "10/04/2026", "100.000.000.000.000,00"],
            ["Beto", "2", "10/04/2026", "99.999.999.999.999,99"],
        ],
        separator=";",
    )

    report = run_import(engine, business_id, path)

    assert [issue.code for issue in report.rows_rejected] == ["amount_too_large"]
    assert report.open_balance == Decimal("99999999999999.99")


def test_extra_decimals_are_rounded_and_flagged(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe"],
            ["Ana", "1", "10/04/2026", "10,125"],
            ["Beto", "2", "10/04/2026", "1.000,50"],
        ],
        separator=";",
    )

    report = run_import(engine, business_id, path)

    [flag] = report.rows_flagged
    assert flag.code == "amount_rounded"
    assert flag.line == 2
    assert report.open_balance == Decimal("1010.63")


def test_xlsx_picks_the_invoice_sheet(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Instrucciones"
    notes.append(["Paso", "Detalle"])
    notes.append(["1", "Revisar los saldos"])
    customers = workbook.create_sheet("Clientes")
    customers.append(["Cliente", "CUIT", "Email"])
    invoices = workbook.create_sheet("Facturas")
    invoices.append(["Cliente", "Factura", "Vencimiento", "Importe"])
    invoices.append(["Ana", "1", date(2026, 4, 10), 100])
    path = tmp_path / "libro.xlsx"
    workbook.save(path)

    report = run_import(engine, business_id, path)

    assert report.sheet == "Facturas"
    assert report.documents_imported == 1


def test_mapping_error_names_the_sheet(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Hoja1"
    sheet.append(["Cliente", "Importe", "Fecha prevista"])
    path = tmp_path / "libro.xlsx"
    workbook.save(path)

    with pytest.raises(MappingError, match='hoja "Hoja1"') as caught:
        run_import(engine, business_id, path)

    assert caught.value.details["sheet"] == "Hoja1"
