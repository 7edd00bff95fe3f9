"""Public exports imported as they are (skipped when the data is absent)."""

from __future__ import annotations

import csv
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from cobranza.db.engine import transaction
from cobranza.db.models import Allocation, Document, Payment
from cobranza.ingest import MappingError
from tests.conftest import shared_data
from tests.ingest.conftest import make_business, run_import

pytestmark = pytest.mark.shared_data

IBM = ("ibm-accounts-receivable", "WA_Fn-UseC_-Accounts-Receivable.csv")


def test_ibm_export_imports_as_is(engine: Engine) -> None:
    path = shared_data(*IBM)
    business_id = make_business(engine)

    report = run_import(engine, business_id, path)

    assert report.rows_read == 2466
    assert report.documents_imported == 2466
    assert report.customers == 100
    assert report.rows_rejected == []
    assert report.rows_flagged == []
    assert report.date_format["order"] == "mdy"
    assert report.decimal["convention"] == "point"
    assert report.payments_recorded == 2466
    assert report.open_balance == Decimal(0)


def test_ibm_every_invoice_has_its_settled_payment(engine: Engine) -> None:
    path = shared_data(*IBM)
    business_id = make_business(engine)
    run_import(engine, business_id, path)

    with transaction(engine) as session:
        invoiced = session.scalar(select(func.sum(Document.amount)))
        paid = session.scalar(select(func.sum(Payment.amount)))
        allocated = session.scalar(
            select(func.count(Allocation.document_id.distinct()))
        )
        numbers = set(session.scalars(select(Document.number)))
        disputed = session.scalar(
            select(func.count()).select_from(Document).where(Document.disputed)
        )

    assert allocated == 2466
    assert paid == invoiced
    assert "0000611365" in numbers
    assert disputed == 561


def test_cassandra_export_asks_for_map(engine: Engine) -> None:
    path = shared_data("cassandra-udyam22-vendor-invoices", "testData.csv")
    business_id = make_business(engine)

    with pytest.raises(MappingError) as caught:
        run_import(engine, business_id, path)

    assert caught.value.details["missing"] == [
        "number",
        "customer_id or customer_name or tax_id",
    ]
    assert "Description" in caught.value.details["candidates"]


def test_billing_bills_ask_for_map(engine: Engine) -> None:
    path = shared_data("billing-payments-co-prueba-tecnica", "bills.csv")
    business_id = make_business(engine)

    with pytest.raises(MappingError) as caught:
        run_import(engine, business_id, path)

    assert "expired_date" in caught.value.details["candidates"]


def test_billing_bills_import_with_map(engine: Engine) -> None:
    path = shared_data("billing-payments-co-prueba-tecnica", "bills.csv")
    business_id = make_business(engine)
    mapping = {
        "id": "number",
        "contract_id": "customer_id",
        "expired_date": "due_on",
        "cuttoff_date": "issued_on",
    }

    report = run_import(engine, business_id, path, mapping=mapping)

    assert report.rows_read == 18633
    assert report.documents_imported == 18633
    assert report.credit_notes == 45
    assert report.rows_rejected == []
    assert [row["reason"] for row in report.skipped_rows] == ["fila vacía"] * 2


def test_cassandra_rows_as_mexican_workbook(engine: Engine, tmp_path: Path) -> None:
    # A Mexican owner's workbook built from real vendor invoices: a title row,
    # Spanish headers, "DD-Mon-YY" dates as text, amounts as numbers, and a
    # consecutive folio, since the data set has no invoice number.
    source = shared_data("cassandra-udyam22-vendor-invoices", "trainData.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(itertools.islice(csv.DictReader(handle), 200))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Facturas"
    sheet.append(["Cartera de clientes (datos públicos)"])
    sheet.append(["Folio", "Cliente", "Fecha", "Vencimiento", "Importe", "Saldo"])
    for index, row in enumerate(rows, start=1):
        sheet.append(
            [
                f"F-{index}",
                row["Vendor_Name"],
                row["Invoice_Date"],
                row["Due_Date"],
                float(row["Amount"]),
                float(row["Outstanding"]),
            ]
        )
    path = tmp_path / "cartera.xlsx"
    workbook.save(path)
    business_id = make_business(engine, "MX")

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.documents_created == len(rows)
    expected = sum(Decimal(row["Outstanding"]) for row in rows)
    assert report.open_balance == expected
    assert report.currency == "MXN"
