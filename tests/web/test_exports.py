from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Business, Customer, Document
from cobranza.web.exports import neutralize, to_csv, to_xlsx
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer, make_invoice

DANGEROUS = ["=1+1", "+54911", "-2", "@SUM(A1)", "\tx", "\rx"]


def test_neutralize_formula_prefixes() -> None:
    for value in DANGEROUS:
        assert neutralize(value) == "'" + value
    assert neutralize("Ana") == "Ana"
    assert neutralize(Decimal("-5")) == Decimal("-5")


def test_csv_cells_are_neutralised() -> None:
    body = to_csv(["nombre"], [[value] for value in DANGEROUS])

    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))

    assert [row[0] for row in rows[1:]] == ["'" + value for value in DANGEROUS]


def test_xlsx_cells_are_neutralised() -> None:
    rows = [[value, Decimal("-5.25")] for value in ['=HYPERLINK("x")', *DANGEROUS]]
    body = to_xlsx(["nombre", "monto"], rows)

    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    for index, (value, _amount) in enumerate(rows, start=2):
        cell = sheet.cell(row=index, column=1)
        # Text as written, never a formula, and kept as text when edited. XML
        # reads a carriage return in text back as a line feed.
        assert cell.value == value.replace("\r", "\n")
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    assert sheet["B2"].value == -5.25
    assert sheet["A1"].quotePrefix is False


def test_audit_export_filters(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        for kind, reason in (("note", "=cmd|' /C calc'!A0"), ("other", "ok")):
            session.add(
                AuditEvent(
                    business_id=tenant.business_id,
                    at=NOW,
                    actor="test",
                    kind=kind,
                    subject_type="customer",
                    subject_id=tenant.customer_id,
                    reason=reason,
                    details={},
                )
            )
    client, _ = client_for(tenant)

    response = client.get("/auditoria", params={"kind": "note", "export": "csv"})
    workbook = client.get("/auditoria", params={"kind": "note", "export": "xlsx"})

    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert response.headers["content-disposition"].endswith('auditoria.csv"')
    assert len(rows) == 2
    assert rows[1][2] == "note"
    assert rows[1][6] == "'=cmd|' /C calc'!A0"
    assert workbook.headers["content-type"].startswith("application/vnd.openxml")


def test_customer_and_invoice_exports(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    customers = client.get("/clientes/exportar/csv")
    invoices = client.get("/facturas/exportar/xlsx")
    unknown = client.get("/facturas/exportar/pdf")

    rows = list(csv.reader(io.StringIO(customers.text.lstrip("\ufeff"))))
    names = sorted(row[1] for row in rows[1:])
    sheet = load_workbook(io.BytesIO(invoices.content)).active
    assert sheet is not None
    numbers = sorted(
        str(row[3]) for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert names == ["<script>alert(1)</script>", "Cliente de Ferretería Uno"]
    assert numbers == ["A-0001", "A-0002"]
    assert unknown.status_code == 400


def test_audit_filters_by_customer_and_dates(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        for customer_id, days_ago, reason in (
            (tenant.customer_id, 0, "hoy-del-primero"),
            (tenant.customer_id, 10, "antes-del-primero"),
            (tenant.script_customer_id, 0, "hoy-del-segundo"),
        ):
            session.add(
                AuditEvent(
                    business_id=tenant.business_id,
                    at=NOW - timedelta(days=days_ago),
                    actor="test",
                    kind="note",
                    subject_type="case",
                    subject_id=99,
                    reason=reason,
                    details={"customer_id": customer_id},
                )
            )
    client, _ = client_for(tenant)

    page = client.get(
        "/auditoria",
        params={"customer": tenant.customer_id, "since": "2026-03-15"},
    )

    assert "hoy-del-primero" in page.text
    assert "antes-del-primero" not in page.text
    assert "hoy-del-segundo" not in page.text


def test_exports_write_currency_decimals(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # A Colombian owner's pesos have no cents: "15000.0000" would read as
    # fifteen million in a spreadsheet that groups thousands with points.
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.currency = "COP"
        for document in session.scalars(
            select(Document).where(Document.business_id == tenant.business_id)
        ):
            document.currency = "COP"
            document.amount = document.amount.quantize(Decimal(1))
            document.open_amount = document.open_amount.quantize(Decimal(1))
    client, _ = client_for(tenant)

    customers = client.get("/clientes/exportar/csv")
    invoices = client.get("/facturas/exportar/csv")

    customer_rows = list(csv.reader(io.StringIO(customers.text.lstrip("\ufeff"))))
    invoice_rows = list(csv.reader(io.StringIO(invoices.text.lstrip("\ufeff"))))
    balances = {row[0]: row[4] for row in customer_rows[1:]}
    amounts = {row[3]: (row[6], row[7]) for row in invoice_rows[1:]}
    assert balances == {"C-1": "15000", "C-2": "2500"}
    assert amounts == {"A-0001": ("15000", "15000"), "A-0002": ("2500", "2500")}


def test_exports_keep_two_decimals_for_pesos(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    invoices = client.get("/facturas/exportar/csv")

    rows = list(csv.reader(io.StringIO(invoices.text.lstrip("\ufeff"))))
    amounts = {row[3]: row[6] for row in rows[1:]}
    assert amounts == {"A-0001": "15000.00", "A-0002": "2500.50"}


def test_exports_word_codes_in_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        customer.segment = "occasional_late"
        invoice = session.get_one(Document, tenant.invoice_id)
        invoice.disputed = True
    client, _ = client_for(tenant)

    customers = client.get("/clientes/exportar/csv")
    invoices = client.get("/facturas/exportar/csv")

    customer_rows = list(csv.reader(io.StringIO(customers.text.lstrip("\ufeff"))))
    invoice_rows = list(csv.reader(io.StringIO(invoices.text.lstrip("\ufeff"))))
    segments = {row[0]: row[3] for row in customer_rows[1:]}
    states = {row[0]: row[7] for row in customer_rows[1:]}
    kinds = {row[3]: (row[2], row[9]) for row in invoice_rows[1:]}
    assert segments == {"C-1": "Atraso ocasional", "C-2": "sin calcular todavía"}
    # The state reads as on the Clientes page, with why nothing is sent.
    assert states == {
        "C-1": "sin caso abierto · facturas en disputa: A-0001 · el robot no le "
        "escribe: sin consentimiento",
        "C-2": "sin caso abierto · el robot no le escribe: sin consentimiento",
    }
    assert kinds == {"A-0001": ("factura", "sí"), "A-0002": ("factura", "no")}


def test_xlsx_export_with_control_characters(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # The API and CSV imports store text as sent, so a name may carry a
    # control character that XML 1.0, and so openpyxl, rejects.
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        customer = make_customer(
            session, business, NOW, "C-9", "Ana\x01Gómez\x0b", phone="+5491155550009"
        )
        make_invoice(session, customer, NOW, "B\x1f-7", "10.00", NOW.date())
    client, _ = client_for(tenant)

    customers = client.get("/clientes/exportar/xlsx")
    invoices = client.get("/facturas/exportar/xlsx")

    assert customers.status_code == 200
    assert invoices.status_code == 200
    names = _column(customers.content, 1)
    numbers = _column(invoices.content, 3)
    assert "Ana\ufffdGómez\ufffd" in names
    assert "B\ufffd-7" in numbers


def _column(workbook: bytes, index: int) -> list[object]:
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]
