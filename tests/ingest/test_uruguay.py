"""Uruguayan exports of CFE (electronic invoices): types, RUT and CI."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import CustomerKind, Document, DocumentKind
from cobranza.ingest.taxids import check_tax_id, uruguayan_ci_check_digit
from tests.ingest.conftest import customer, make_business, run_import, write_csv

HEADER = ["Tipo CFE", "Serie", "Número", "RUT/CI", "Razón social", "Vencimiento",
          "Moneda", "Total"]  # fmt: skip


def test_cfe_export_maps_without_map(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "UY")
    path = write_csv(
        tmp_path / "cfe.csv",
        [
            HEADER,
            ["e-Factura", "A", "1234", "211234560019", "El Ceibo S.A.", "31/10/2026",
             "UYU", "$ 12.345,60"],
            ["e-Factura", "A", "1235", "211234560019", "El Ceibo S.A.", "04/11/2026",
             "USD", "U$S 1.250,00"],
            ["e-Ticket", "B", "567", "1.234.567-2", "Martina Rodríguez",
             "10/11/2026", "UYU", "3.500,00"],
            ["Nota de crédito de e-Factura", "A", "89", "211234560019",
             "El Ceibo S.A.", "20/10/2026", "UYU", "1.000,00"],
            ["Nota de débito de e-Ticket", "B", "90", "1.234.567-2",
             "Martina Rodríguez", "20/10/2026", "UYU", "100,00"],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.rows_flagged == []
    assert report.mapping["Tipo CFE"] == "kind"
    assert report.mapping["RUT/CI"] == "tax_id"
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.number)).all()
        stored = [(d.number, d.kind, d.amount, d.currency) for d in documents]
    assert stored == [
        ("A-1234", DocumentKind.INVOICE, Decimal("12345.60"), "UYU"),
        ("A-1235", DocumentKind.INVOICE, Decimal("1250.00"), "USD"),
        ("A-89", DocumentKind.CREDIT_NOTE, Decimal("-1000.00"), "UYU"),
        ("B-567", DocumentKind.INVOICE, Decimal("3500.00"), "UYU"),
        ("B-90", DocumentKind.DEBIT_NOTE, Decimal("100.00"), "UYU"),
    ]
    person = customer(engine, business_id, "12345672")
    assert (person.tax_id_valid, person.kind) == (True, CustomerKind.PERSON)


def test_cfe_type_codes(engine: Engine, tmp_path: Path) -> None:
    # DGI's codes: 101 e-Ticket, 111 e-Factura, x02 its credit note and x03
    # its debit note. In Argentina's ARCA codes 202 is a debit note.
    business_id = make_business(engine, "UY")
    codes = ("101", "102", "103", "111", "112", "113", "202", "211")
    rows = [
        [code, "A", str(index), "211234560019", "El Ceibo S.A.", "31/10/2026",
         "UYU", "100,00"]
        for index, code in enumerate(codes)
    ]  # fmt: skip
    path = write_csv(tmp_path / "cfe.csv", [HEADER, *rows], separator=";")

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.id)).all()
        kinds = [d.kind for d in documents]
    invoice, credit, debit = (
        DocumentKind.INVOICE,
        DocumentKind.CREDIT_NOTE,
        DocumentKind.DEBIT_NOTE,
    )
    assert kinds == [invoice, credit, debit, invoice, credit, debit, credit, invoice]


def test_ci_check_digit() -> None:
    assert uruguayan_ci_check_digit("1234567") == "2"
    assert uruguayan_ci_check_digit("800000") == "8"
    valid = check_tax_id("1.234.567-2", "UY")
    assert (valid.compact, valid.valid, valid.kind) == (
        "12345672",
        True,
        CustomerKind.PERSON,
    )
    wrong = check_tax_id("1.234.567-3", "UY")
    assert wrong.valid is False
    assert wrong.problem is not None
    assert "dígito verificador" in wrong.problem
    # Twelve digits are a RUT, checked as before.
    assert check_tax_id("211234560019", "UY").valid is True
    assert check_tax_id("211234560018", "UY").valid is False


def test_peso_signs_and_receptor_document(engine: Engine, tmp_path: Path) -> None:
    # DGI's CFE listings name the customer's RUT or CI "Documento receptor",
    # and some write the currency as $U or in words.
    business_id = make_business(engine, "UY")
    path = write_csv(
        tmp_path / "cfe.csv",
        [
            ["Nro", "Documento receptor", "Nombre receptor", "Vencimiento",
             "Moneda", "Monto total"],
            ["1", "12345672", "Martina", "20/11/2026", "$U", "1.500,50"],
            ["2", "12345672", "Martina", "20/11/2026", "Pesos uruguayos", "10,00"],
            ["3", "12345672", "Martina", "20/11/2026", "$", "10,00"],
            ["4", "12345672", "Martina", "20/11/2026", "U$S", "10,00"],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.mapping["Documento receptor"] == "tax_id"
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.number)).all()
        currencies = [d.currency for d in documents]
    assert currencies == ["UYU", "UYU", "UYU", "USD"]
