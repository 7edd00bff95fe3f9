"""`POST /api/v1/imports` takes the options of `cobranza import` as parameters."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, select

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.db.models import Document, ImportRun
from tests.web.conftest import NOW, Tenant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(app: FastAPI, engine: Engine, business_id: int) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, business_id, "erp", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def _workbook() -> bytes:
    """A workbook whose invoices sit on a second sheet named «Deudas»."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notas"
    notes.append(["Cliente", "Factura", "Vencimiento", "Importe"])
    notes.append(["Nota", "N-1", "01/03/2026", 5])
    debts = book.create_sheet("Deudas")
    debts.append(["Cliente", "Factura", "Vencimiento", "Importe"])
    debts.append(["Ana Gómez", "F-1", "10/03/2026", 1500])
    debts.append(["Bruno Díaz", "F-2", "11/03/2026", 2500])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _numbers(engine: Engine) -> list[str]:
    """The imported documents' numbers, without the tenant's own A-000n."""
    with transaction(engine) as session:
        numbers = session.scalars(select(Document.number))
        return sorted(number for number in numbers if not number.startswith("A-"))


def test_sheet_parameter_reads_named_sheet(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)

    response = client.post(
        "/api/v1/imports",
        params={"sheet": "Deudas"},
        files={"file": ("libro.xlsx", _workbook(), XLSX)},
    )

    assert response.status_code == 200, response.text
    assert response.json()["documents_imported"] == 2
    assert _numbers(engine) == ["F-1", "F-2"]


def test_unknown_sheet_lists_sheets(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)

    response = client.post(
        "/api/v1/imports",
        params={"sheet": "Facturas"},
        files={"file": ("libro.xlsx", _workbook(), XLSX)},
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert 'no tiene una hoja "Facturas"' in detail
    assert '"Notas" y "Deudas"' in detail
    assert "parámetro sheet" in detail
    assert "--sheet" not in detail
    assert _numbers(engine) == []


def test_map_and_decimal_parameters(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)
    export = (
        b"Razon social;Cbte;Vto;Saldo pendiente\r\n"
        b"Ana G\xc3\xb3mez;F-7;10/03/2026;1.234,50\r\n"
    )

    response = client.post(
        "/api/v1/imports",
        params=[
            ("map", "Cbte=number"),
            ("map", "Vto=due_on"),
            ("map", "Saldo pendiente=amount"),
            ("map", "Razon social=customer_name"),
            ("decimal", "comma"),
        ],
        files={"file": ("erp.csv", export, "text/csv")},
    )

    assert response.status_code == 200, response.text
    with transaction(engine) as session:
        document = session.scalars(
            select(Document).where(Document.number == "F-7")
        ).one()
        assert document.amount == Decimal("1234.50")


def test_bad_parameters_store_nothing(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)
    export = b"Cliente,Factura,Vencimiento,Importe\r\nAna,F-9,10/03/2026,100\r\n"

    def post(params: list[tuple[str, str]]) -> str:
        response = client.post(
            "/api/v1/imports",
            params=params,
            files={"file": ("api.csv", export, "text/csv")},
        )
        assert response.status_code == 422, response.text
        detail: str = response.json()["detail"]
        return detail

    no_equals = post([("map", "Factura")])
    decimal = post([("decimal", "virgula")])
    date_format = post([("date_format", "%Q")])
    text_sheet = post([("sheet", "Deudas")])

    assert 'El parámetro map "Factura" no tiene la forma COLUMNA=CAMPO' in no_equals
    assert 'El parámetro decimal "virgula" no es válido' in decimal
    assert 'El parámetro date_format "%Q"' in date_format
    assert "archivo de texto (CSV)" in text_sheet
    assert "Importalo sin sheet" in text_sheet
    with transaction(engine) as session:
        assert session.scalars(select(ImportRun)).all() == []
    assert _numbers(engine) == []


def test_missing_column_names_map_parameter(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _client(app, engine, tenant.business_id)
    export = b"Cliente,Factura,Importe\r\nAna,F-9,100\r\n"

    response = client.post(
        "/api/v1/imports", files={"file": ("api.csv", export, "text/csv")}
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "map=COLUMNA=" in detail
    assert "--map" not in detail


def test_undated_payment_shows_import_date(
    app: FastAPI,
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    api = _client(app, engine, tenant.business_id)
    # A settled balance with no payment date: the importer stores a payment
    # whose date is unknown.
    export = (
        b"Cliente;Factura;Vencimiento;Importe;Saldo\r\n"
        b"Ana;F-1;10/01/2026;1.000,00;0,00\r\n"
    )
    imported = api.post(
        "/api/v1/imports", files={"file": ("saldos.csv", export, "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    [payment] = api.get("/api/v1/payments").json()["data"]
    browser, _ = client_for(tenant)

    page = browser.get(f"/clientes/{payment['customer_id']}").text

    assert payment["paid_at_unknown"] is True
    assert "sin fecha (importado el " in page
