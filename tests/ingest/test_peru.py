"""Peruvian exports as SUNAT-style systems write them: series-number, RUC/DNI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import CustomerKind, Document, DocumentKind
from cobranza.ingest.taxids import check_tax_id
from tests.ingest.conftest import customer, make_business, run_import, write_csv

HEADER = [
    "Tipo de comprobante",
    "Serie-Número",
    "RUC/DNI",
    "Razón social",
    "Fecha de emisión",
    "Fecha de vencimiento",
    "Moneda",
    "Importe total",
]


def test_sunat_export_maps_without_map(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "PE")
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            HEADER,
            ["Factura", "F001-00012345", "20131312955", "El Sol S.A.C.",
             "01/10/2026", "31/10/2026", "PEN", '"1,234.50"'],
            ["Boleta de venta", "B001-00000456", "45678912", "María Quispe",
             "10/10/2026", "10/11/2026", "PEN", "350.00"],
            ["Nota de crédito", "FC01-00000012", "20131312955", "El Sol S.A.C.",
             "20/10/2026", "20/10/2026", "PEN", "-200.00"],
        ],
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.rows_flagged == []
    assert report.mapping["Serie-Número"] == "number"
    assert report.mapping["RUC/DNI"] == "tax_id"
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.number)).all()
        stored = [(d.number, d.kind, d.amount) for d in documents]
    assert stored == [
        ("B001-00000456", DocumentKind.INVOICE, Decimal("350.00")),
        ("F001-00012345", DocumentKind.INVOICE, Decimal("1234.50")),
        ("FC01-00000012", DocumentKind.CREDIT_NOTE, Decimal("-200.00")),
    ]


def test_sunat_kind_codes(engine: Engine, tmp_path: Path) -> None:
    # SUNAT's catalog: 01 factura, 03 boleta, 07 nota de crédito, 08 nota de
    # débito. In Argentina's ARCA codes 3 is a credit note and 7 a debit note.
    business_id = make_business(engine, "PE")
    rows = [
        [code, f"X001-{index}", "20131312955", "El Sol S.A.C.", "01/10/2026",
         "31/10/2026", "PEN", "100.00"]
        for index, code in enumerate(("01", "03", "07", "08", "3", "7"))
    ]  # fmt: skip
    path = write_csv(tmp_path / "ventas.csv", [HEADER, *rows])

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.number)).all()
        kinds = [d.kind for d in documents]
    assert kinds == [
        DocumentKind.INVOICE,
        DocumentKind.INVOICE,
        DocumentKind.CREDIT_NOTE,
        DocumentKind.DEBIT_NOTE,
        DocumentKind.INVOICE,
        DocumentKind.CREDIT_NOTE,
    ]


def test_dni_is_a_person_not_a_bad_ruc(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "PE")
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            ["Código", "Cliente", "DNI", "Factura", "Vencimiento", "Importe"],
            ["P1", "María Quispe", "45678912", "B001-1", "10/11/2026", "350.00"],
            ["P2", "Rímac S.A.", "20123456789", "F001-1", "10/11/2026", "350.00"],
        ],
    )

    report = run_import(engine, business_id, path)

    person = customer(engine, business_id, "P1")
    assert (person.tax_id, person.tax_id_valid) == ("45678912", None)
    assert person.kind == CustomerKind.PERSON
    # A RUC with a wrong check digit is still flagged.
    assert [(issue.line, issue.code) for issue in report.rows_flagged] == [
        (3, "invalid_tax_id")
    ]


def test_seven_digits_checked_as_ruc() -> None:
    # Only eight digits make a DNI, so seven are a RUC with digits missing.
    assert check_tax_id("45678912", "PE").valid is None
    assert check_tax_id("4567891", "PE").valid is False


def test_soles_currency_and_identity_column(engine: Engine, tmp_path: Path) -> None:
    # The SUNAT sales register names the customer's document "Nro. Doc.
    # Identidad", and some systems write the currency as a word or a sign.
    business_id = make_business(engine, "PE")
    path = write_csv(
        tmp_path / "registro.csv",
        [
            ["Serie", "Número", "Nro. Doc. Identidad", "Denominación",
             "Fecha de vencimiento", "Moneda", "Total"],
            ["F001", "1", "20131312955", "El Sol S.A.C.", "31/10/2026", "SOLES",
             "10.00"],
            ["F001", "2", "20131312955", "El Sol S.A.C.", "31/10/2026", "S/",
             "10.00"],
            ["F001", "3", "20131312955", "El Sol S.A.C.", "31/10/2026", "S/.",
             "10.00"],
            ["F001", "4", "20131312955", "El Sol S.A.C.", "31/10/2026", "Dólares",
             "10.00"],
        ],
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.mapping["Nro. Doc. Identidad"] == "tax_id"
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.number)).all()
        currencies = [(d.number, d.currency) for d in documents]
    assert currencies == [
        ("F001-1", "PEN"),
        ("F001-2", "PEN"),
        ("F001-3", "PEN"),
        ("F001-4", "USD"),
    ]


def test_nubefact_customer_columns(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "PE")
    path = write_csv(
        tmp_path / "nubefact.csv",
        [
            ["TIPO", "SERIE", "NUMERO", "FECHA DE VENCIMIENTO",
             "TIPO DE DOCUMENTO DEL CLIENTE", "NUMERO DE DOCUMENTO DEL CLIENTE",
             "DENOMINACION DEL CLIENTE", "MONEDA", "TOTAL"],
            ["BOLETA DE VENTA ELECTRÓNICA", "B002", "00000101", "05/12/2026", "DNI",
             "71234567", "Lucía Ramos Torres", "PEN", '"1,500.00"'],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.mapping["NUMERO DE DOCUMENTO DEL CLIENTE"] == "tax_id"
    assert report.mapping["DENOMINACION DEL CLIENTE"] == "customer_name"
    # The type of identity document is not the type of invoice.
    assert report.unmapped_columns == ["TIPO DE DOCUMENTO DEL CLIENTE"]
    person = customer(engine, business_id, "71234567")
    assert person.name == "Lucía Ramos Torres"


def test_dni_leading_zero_restored(engine: Engine, tmp_path: Path) -> None:
    # Excel stores the DNI 07654321 as the number 7654321.
    business_id = make_business(engine, "PE")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Cliente", "DNI", "Factura", "Vencimiento", "Importe"])
    sheet.append(["Rosa Flores", 7654321, "B001-1", date(2026, 11, 10), 350.0])
    sheet.append(["Ana Quispe", "1234567", "B001-2", date(2026, 11, 10), 350.0])
    path = tmp_path / "ventas.xlsx"
    workbook.save(path)

    report = run_import(engine, business_id, path)

    assert report.rows_flagged == []
    rosa = customer(engine, business_id, "07654321")
    assert (rosa.tax_id, rosa.kind) == ("07654321", CustomerKind.PERSON)
    ana = customer(engine, business_id, "01234567")
    assert ana.tax_id == "01234567"


def _numbers(engine: Engine) -> dict[str, Decimal]:
    with transaction(engine) as session:
        documents = session.scalars(select(Document)).all()
        return {document.number: document.open_amount for document in documents}


SEPARATE = ["Serie", "Número", "RUC", "Razón social", "Vencimiento", "Total", "Saldo"]
TOGETHER = ["Serie-Número", "RUC", "Razón social", "Vencimiento", "Total", "Saldo"]
CUSTOMER = ["20131312955", "El Sol S.A.C.", "31/10/2026"]


def test_padded_number_matches_unpadded(engine: Engine, tmp_path: Path) -> None:
    # A sales register with the series apart stores F001-12400, and an
    # export with both together pads the correlativo to eight digits.
    business_id = make_business(engine, "PE")
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "registro.csv",
            [SEPARATE, ["F001", "12400", *CUSTOMER, "100.00", "100.00"]],
        ),
    )

    report = run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "cuentas.csv",
            [TOGETHER, ["F001-00012400", *CUSTOMER, "100.00", "40.00"]],
        ),
        full_snapshot=True,
    )

    assert _numbers(engine) == {"F001-12400": Decimal("40.00")}
    assert report.documents_created == 0
    assert report.settled_as_missing == 0
    assert report.payments_total == Decimal("60.00")
    assert any("(F001-00012400 es F001-12400)" in note for note in report.notes)


def test_unpadded_number_matches_padded(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "PE")
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "cuentas.csv",
            [TOGETHER, ["F001-00000123", *CUSTOMER, "100.00", "100.00"]],
        ),
    )

    report = run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "registro.csv",
            [
                SEPARATE,
                ["F001", "123", *CUSTOMER, "100.00", "100.00"],
                ["F001", "124", *CUSTOMER, "50.00", "50.00"],
            ],
        ),
    )

    assert _numbers(engine) == {
        "F001-00000123": Decimal("100.00"),
        "F001-124": Decimal("50.00"),
    }
    assert report.documents_created == 1
    assert report.missing_from_file == []


def test_other_series_is_not_matched(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "PE")
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "a.csv", [TOGETHER, ["F001-00000123", *CUSTOMER, "10", "10"]]
        ),
    )

    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "b.csv",
            [
                SEPARATE,
                ["F002", "123", *CUSTOMER, "10", "10"],
                ["F001", "1230", *CUSTOMER, "10", "10"],
            ],
        ),
    )

    assert set(_numbers(engine)) == {"F001-00000123", "F002-123", "F001-1230"}


def test_padded_and_bare_number_once(engine: Engine, tmp_path: Path) -> None:
    # One invoice written both ways in one file is listed twice, not two
    # invoices: storing both would double what the customer owes.
    business_id = make_business(engine, "PE")
    padded = ["Factura", "F001-00000123", "20131312955", "El Sol S.A.C.",
              "01/10/2026", "31/10/2026", "PEN", "500.00"]  # fmt: skip
    bare = [*padded[:1], "F001-123", *padded[2:]]

    report = run_import(
        engine, business_id, write_csv(tmp_path / "ventas.csv", [HEADER, padded, bare])
    )

    assert [issue.code for issue in report.rows_rejected] == ["conflicting_duplicate"]
    with transaction(engine) as session:
        documents = session.scalars(
            select(Document).where(Document.business_id == business_id)
        )
        stored = [(doc.number, doc.open_amount) for doc in documents]
    assert stored == [("F001-00000123", Decimal("500"))]
