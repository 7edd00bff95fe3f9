from __future__ import annotations

import html
import io
import os
import re
import tempfile

from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from cobranza.db.engine import transaction
from cobranza.db.models import Customer, Document, ImportRun
from cobranza.portfolio.labels import SPANISH as SEGMENT_LABELS
from cobranza.web.dashboard.imports import remove_stale_uploads, upload_dir
from tests.web.conftest import Tenant

EXPORT = (
    "Cliente;Celular;Factura;Vencimiento;Importe\r\n"
    "Ana Gómez;11 4567 8901;F-1;10/03/2026;1.000,00\r\n"
    "Ana Gómez;11 4567 8901;F-2;20/03/2026;500,00\r\n"
    "Beto;;F-3;no es fecha;300,00\r\n"
).encode()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _documents(engine: Engine, business_id: int) -> int:
    with transaction(engine) as session:
        return (
            session.scalar(
                select(func.count()).where(Document.business_id == business_id)
            )
            or 0
        )


def test_preview_then_confirm(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    before = _documents(engine, tenant.business_id)

    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", EXPORT, "text/csv")},
    )
    after_preview = _documents(engine, tenant.business_id)
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload is not None
    confirmed = client.post(
        "/importar/confirmar",
        data={"csrf_token": token, "upload": upload.group(1)},
    )

    with transaction(engine) as session:
        run = session.scalars(select(ImportRun)).one()
    assert preview.status_code == 200
    assert "Vista previa de deudores.csv" in preview.text
    assert "Columnas detectadas" in preview.text
    assert "no es fecha" in preview.text
    assert "no es una fecha. Usá dd/mm/aaaa o aaaa-mm-dd." in preview.text
    assert "is not a date" not in preview.text
    assert after_preview == before
    assert confirmed.status_code == 200
    assert "Importado: deudores.csv" in confirmed.text
    assert _documents(engine, tenant.business_id) == before + 2
    assert run.business_id == tenant.business_id
    assert run.file_name == "deudores.csv"
    [stored] = run.report["rows_rejected"]
    assert stored["code"] == "invalid_date"
    assert stored["message"].startswith('La fecha "no es fecha" no es una fecha.')


def test_confirm_imports_named_sheet(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    overdue = workbook.active
    assert overdue is not None
    overdue.title = "Vencidas"
    overdue.append(["Cliente", "Factura", "Vencimiento", "Importe", "Saldo"])
    overdue.append(["Ana", "V-1", "10/03/2026", 100, 100])
    march = workbook.create_sheet("Marzo")
    march.append(["Cliente", "Factura", "Vencimiento", "Importe"])
    march.append(["Beto", "M-1", "20/03/2026", 200])
    march.append(["Beto", "M-2", "25/03/2026", 300])
    content = io.BytesIO()
    workbook.save(content)
    client, token = client_for(tenant)

    preview = client.post(
        "/importar",
        data={"csrf_token": token, "sheet": "Marzo"},
        files={"file": ("libro.xlsx", content.getvalue(), XLSX_TYPE)},
    )
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload is not None
    confirmed = client.post(
        "/importar/confirmar",
        data={"csrf_token": token, "upload": upload.group(1), "sheet": "Marzo"},
    )

    with transaction(engine) as session:
        numbers = session.scalars(
            select(Document.number).where(Document.business_id == tenant.business_id)
        ).all()
        run = session.scalars(select(ImportRun)).one()
    assert preview.status_code == 200
    assert "Hoja: <strong>Marzo</strong>" in preview.text
    assert confirmed.status_code == 200
    assert "M-1" in numbers
    assert "M-2" in numbers
    assert "V-1" not in numbers
    assert run.report["sheet"] == "Marzo"


def test_preview_flags_customer_conflicts(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    export = (
        "Código;Cliente;Email;Factura;Vencimiento;Importe\r\n"
        "C1;Ana Gómez;ana@example.com;F-1;10/03/2026;100\r\n"
        "C1;ANA GOMEZ;Ana@Example.com;F-2;10/03/2026;100\r\n"
        "C1;Ana G. Gómez;ana@example.com;F-3;10/03/2026;100\r\n"
    ).encode()

    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", export, "text/csv")},
    )

    page = " ".join(html.unescape(preview.text).split())
    assert preview.status_code == 200
    assert (
        '<td>4</td><td>Cliente</td><td>Ana G. Gómez</td><td>El cliente "C1" tiene '
        'otro nombre en la línea 4: "Ana G. Gómez". Se guardaría "Ana Gómez", de '
        "la línea 2. Si el correcto es otro, corregí las filas del cliente para "
        "que coincidan y volvé a importar.</td>"
    ) in page
    assert "ANA GOMEZ" not in page
    assert "Ana@Example.com" not in page


def test_confirm_needs_own_upload(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    other, other_token = client_for(other_tenant)
    preview = other.post(
        "/importar",
        data={"csrf_token": other_token},
        files={"file": ("x.csv", EXPORT, "text/csv")},
    )
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload is not None

    stolen = client.post(
        "/importar/confirmar", data={"csrf_token": token, "upload": upload.group(1)}
    )
    traversal = client.post(
        "/importar/confirmar", data={"csrf_token": token, "upload": "../1"}
    )

    assert stolen.status_code == 404
    assert traversal.status_code == 404


def test_preview_shows_notes(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    export = b"Cliente;Factura;Vencimiento;Importe\r\nAna;F-1;10/03/2026;1.000\r\n"

    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("ambiguo.csv", export, "text/csv")},
    )

    assert preview.status_code == 200
    assert "<h3>Notas</h3>" in preview.text
    assert "son ambiguos, así que se usó la convención de AR" in preview.text


def test_file_error_is_spanish(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    export = b"Cliente;Importe;Fecha prevista\r\nAna;1;x\r\n"

    response = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("sin_columnas.csv", export, "text/csv")},
    )

    assert response.status_code == 422
    assert (
        "No se encontró ninguna columna para «número de comprobante» y "
        "«vencimiento»." in response.text
    )
    assert "no column found" not in response.text
    assert "--map" not in response.text


def test_rejects_other_file_types(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    response = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("notas.pdf", b"%PDF-1.4", "application/pdf")},
    )

    assert response.status_code == 400
    assert "CSV o XLSX" in response.text


def test_stale_uploads_are_removed(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = upload_dir(7)
    old = folder / ("a" * 32)
    fresh = folder / ("b" * 32)
    for path in (old, fresh):
        path.mkdir()
        (path / "x.csv").write_text("x")
    os.utime(old, (1_000, 1_000))
    os.utime(fresh, (90_000, 90_000))

    removed = remove_stale_uploads(7, now=90_000 + 60)

    assert removed == 1
    assert not old.exists()
    assert fresh.exists()


def test_import_page_warns_undated_payments(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    export = (
        "Cliente;Factura;Vencimiento;Importe;Saldo\r\n"
        "Ana Gómez;F-1;10/01/2026;1.000,00;0,00\r\n"
        "Ana Gómez;F-2;10/02/2026;500,00;200,00\r\n"
    ).encode()

    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("saldos.csv", export, "text/csv")},
    )
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload is not None
    confirmed = client.post(
        "/importar/confirmar",
        data={"csrf_token": token, "upload": upload.group(1)},
    )

    warning = "2 comprobantes ya vienen cobrados en todo o en parte"
    assert preview.text.count(warning) == 1
    assert "se guardarían sin fecha" in preview.text
    assert confirmed.text.count(warning) == 1
    assert "se guardaron sin fecha" in confirmed.text


def test_import_stores_segments(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", EXPORT, "text/csv")},
    )
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload is not None
    confirmed = client.post(
        "/importar/confirmar",
        data={"csrf_token": token, "upload": upload.group(1)},
    )

    with transaction(engine) as session:
        segment = session.scalar(
            select(Customer.segment).where(
                Customer.business_id == tenant.business_id,
                Customer.name == "Ana Gómez",
            )
        )
    listed = client.get("/clientes", params={"q": "Ana Gómez"})
    assert confirmed.status_code == 200
    assert segment is not None
    row = listed.text[listed.text.index("Ana Gómez") :]
    assert f'<td data-label="Segmento">{SEGMENT_LABELS[segment]}</td>' in row
    assert "sin calcular todavía" not in row


def test_preview_counts_flagged_rows(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    # One row with two flags (phone and CUIT) counts as one row, as the
    # terminal's «Filas con observaciones» counts it.
    client, token = client_for(tenant)
    export = (
        b"Cliente;CUIT;Celular;Factura;Vencimiento;Importe\r\n"
        b"Ana;20-12345678-0;123;F-1;10/03/2026;100\r\n"
        b"Beto;20-12345678-6;11 4567 8901;F-2;10/03/2026;no es un importe\r\n"
    )

    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", export, "text/csv")},
    )

    page = " ".join(html.unescape(preview.text).split())
    assert preview.status_code == 200
    assert "Filas rechazadas: <strong>1</strong>" in page
    assert "con observaciones: 1</li>" in page


def test_reimport_preview_shows_only_notice(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    first = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", EXPORT, "text/csv")},
    )
    upload = re.search(r'name="upload" value="([^"]+)"', first.text)
    assert upload is not None
    client.post(
        "/importar/confirmar", data={"csrf_token": token, "upload": upload.group(1)}
    )

    again = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", EXPORT, "text/csv")},
    )

    page = " ".join(html.unescape(again.text).split())
    assert again.status_code == 200
    assert "Este archivo ya se importó el " in page
    assert "Problemas por fila" not in page
    assert "Filas leídas" not in page
    assert "se importaría" not in page
    assert "Confirmar e importar" not in page


def test_preview_counts_debit_notes(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    export = (
        "Cliente;Tipo;Factura;Vencimiento;Importe\r\n"
        "Ana Gómez;FC;F-1;10/03/2026;1.000,00\r\n"
        "Ana Gómez;NC;NC-1;10/03/2026;-100,00\r\n"
        "Ana Gómez;ND;ND-1;10/03/2026;50,00\r\n"
    ).encode()

    preview = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", export, "text/csv")},
    )

    text = html.unescape(preview.text)
    assert "(nuevos: 1)" in text
    assert "facturas: 1 · notas de crédito: 1 · notas de débito: 1" in text
