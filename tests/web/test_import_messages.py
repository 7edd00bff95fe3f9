"""The import page words the importer's messages for an owner on the page.

Every stop and every row problem names the page's own controls («Columnas»,
«Separador decimal», «Orden de las fechas») and the fields' Spanish labels,
never the command line's flags, the internal field names or a library's
English error text.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from cobranza.db.engine import transaction
from cobranza.db.models import Document
from cobranza.ingest.mapping import FIELD_LABELS, FIELDS
from tests.conftest import shared_data
from tests.web.conftest import Tenant

NOTICE = re.compile(r'<p class="notice error" role="alert">(.*?)</p>', re.DOTALL)
UPLOAD = re.compile(r'name="upload" value="([^"]+)"')
ROW_MESSAGE = re.compile(r"<td>([^<]*)</td></tr>")
# Words of the command line that an owner on the page cannot act on. A field
# whose name is its label ("email") is left out.
INTERNAL_NAMES = [name for name in FIELDS if FIELD_LABELS[name] != name]
COMMAND_LINE_WORDS = re.compile(
    r"--map|--decimal|--date-format|--sheet|comma\|point|strptime|"
    r"cobranza customers|"
    r"\b(" + "|".join(INTERNAL_NAMES) + r"|ignore)\b"
)
# Phrases of the libraries' English errors.
LIBRARY_ENGLISH = re.compile(
    r"zip file|no element found|There is no item|openpyxl|error de Python"
)

HEADER = "Cliente;Factura;Vencimiento;Importe"


def _notice(page) -> str:  # type: ignore[no-untyped-def]
    found = NOTICE.search(page.text)
    assert found is not None, "no error notice on the page"
    return html.unescape(found.group(1))


def _text(page) -> str:  # type: ignore[no-untyped-def]
    """Return what the page shows, without tags and with single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _preview(
    client: TestClient,
    token: str,
    name: str,
    content: bytes,
    **options: str,
):  # type: ignore[no-untyped-def]
    return client.post(
        "/importar",
        data={"csrf_token": token, **options},
        files={"file": (name, content, "application/octet-stream")},
    )


def _again(client: TestClient, token: str, page, **options: str):  # type: ignore[no-untyped-def]
    """Preview the upload that `page` kept, with other options."""
    upload = UPLOAD.search(page.text)
    assert upload is not None, "the page kept no upload"
    return client.post(
        "/importar",
        data={"csrf_token": token, "upload": upload.group(1), **options},
    )


def _documents(engine: Engine, business_id: int) -> int:
    with transaction(engine) as session:
        query = select(func.count()).where(Document.business_id == business_id)
        return session.scalar(query) or 0


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        pytest.param(
            _csv("Cliente;Importe;Fecha prevista", "Ana;1;x"),
            {},
            "No se encontró ninguna columna para «número de comprobante» y "
            "«vencimiento». Escribí en «Columnas» una línea como "
            '"COLUMNA=número de comprobante" por cada campo que falta, donde '
            "COLUMNA es el nombre de la columna en tu archivo. Las columnas sin "
            'usar son: "Fecha prevista".',
            id="missing-columns",
        ),
        pytest.param(
            _csv("Factura;Vencimiento;Importe", "1;1/1/2026;1"),
            {},
            "No se encontró ninguna columna para el cliente («código de cliente», "
            "«nombre del cliente» o «identificación fiscal»). Escribí en "
            '«Columnas» una línea como "COLUMNA=código de cliente" por cada campo '
            "que falta, donde COLUMNA es el nombre de la columna en tu archivo. "
            "Las columnas sin usar son: ninguna.",
            id="missing-customer",
        ),
        pytest.param(
            _csv(f"{HEADER};Total", "Ana;1;1/1/2026;1;1"),
            {},
            'Las columnas "Importe" (#4), "Total" (#5) parecen todas el campo '
            '«importe». Elegí una en «Columnas» con la línea "Importe=importe" '
            '(o por posición, "#4=importe") y descartá las otras con '
            '"COLUMNA=ignorar".',
            id="competing-columns",
        ),
        pytest.param(
            _csv(HEADER, 'Ana;1;1/1/2026;"1.234,5"', 'Ana;2;1/1/2026;"1,234.5"'),
            {},
            'Los importes mezclan separadores decimales: "1.234,5" tiene coma '
            'decimal y "1,234.5" punto decimal. Corregí el archivo o elegí '
            "«coma (1.234,56)» o «punto (1,234.56)» en «Separador decimal».",
            id="mixed-decimals",
        ),
        pytest.param(
            _csv(HEADER, 'Ana;1;1/1/2026;"1,230"'),
            {},
            'No se puede saber si "1,230" tiene coma decimal o punto decimal, y '
            "ningún importe del archivo lo aclara. Elegí «coma (1.234,56)» o "
            "«punto (1,234.56)» en «Separador decimal».",
            id="ambiguous-decimals",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"decimal": "virgula"},
            'El separador decimal "virgula" no es válido. Elegí «Detectar», '
            "«coma (1.234,56)» o «punto (1,234.56)» en «Separador decimal».",
            id="unknown-decimal",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"date_format": "dd/mm"},
            'El orden de las fechas "dd/mm" no es válido. En «Orden de las '
            "fechas» escribí día/mes/año, mes/día/año o año/mes/día, o un patrón "
            "como %d/%m/%Y, o dejalo vacío para que se detecte solo.",
            id="unknown-date-order",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"date_format": "%d/%Q"},
            'El orden de las fechas "%d/%Q" no es un patrón de fecha válido. En '
            "«Orden de las fechas» escribí día/mes/año, mes/día/año o "
            "año/mes/día, o un patrón como %d/%m/%Y, o dejalo vacío para que se "
            "detecte solo.",
            id="invalid-date-pattern",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"mapping": "Monto=importe"},
            'La columna "Monto" de la línea "Monto=importe" de «Columnas» no está '
            'en el encabezado. Las columnas son: "Cliente", "Factura", '
            '"Vencimiento", "Importe".',
            id="mapping-unknown-column",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"mapping": "Importe=dinero"},
            'El campo "dinero" de la línea "Importe=dinero" de «Columnas» no '
            "existe. Usá uno de estos: código de cliente, nombre del cliente, "
            "identificación fiscal, dígito de verificación, teléfono, celular, "
            "email, número de comprobante, serie, tipo de comprobante, fecha de "
            "emisión, "
            "vencimiento, "
            "importe, saldo, importe pagado, fecha de pago, moneda, en disputa, "
            "consentimiento, situación, ignorar.",
            id="mapping-unknown-field",
        ),
        pytest.param(
            _csv(f"{HEADER};Importe", "Ana;1;1/1/2026;1;2"),
            {"mapping": "Importe=importe"},
            'La columna "Importe" de la línea "Importe=importe" de «Columnas» '
            "aparece más de una vez en el encabezado. Nombrala por posición, como "
            '"#5=importe". Las columnas son: "Cliente", "Factura", "Vencimiento", '
            '"Importe", "Importe".',
            id="mapping-repeated-column",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"mapping": "Fecha prevista vencimiento"},
            'La línea "Fecha prevista vencimiento" de «Columnas» no tiene la forma '
            "COLUMNA=campo. Escribí el nombre de la columna en tu archivo, un "
            'signo = y el campo, como "Fecha prevista=vencimiento".',
            id="mapping-line-without-equals",
        ),
        pytest.param(
            _csv(HEADER, "Ana;1;1/1/2026;1"),
            {"sheet": "Hoja1"},
            'Escribiste la hoja "Hoja1" en «Hoja», pero deudores.csv es un archivo '
            "de texto (CSV), que no tiene hojas. Dejá «Hoja» vacía para importarlo.",
            id="sheet-of-csv",
        ),
    ],
)
def test_stop_names_page_controls(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
    content: bytes,
    options: dict[str, str],
    message: str,
) -> None:
    client, token = client_for(tenant)
    before = _documents(engine, tenant.business_id)

    page = _preview(client, token, "deudores.csv", content, **options)

    assert page.status_code == 422
    assert _notice(page) == message
    assert COMMAND_LINE_WORDS.search(_notice(page)) is None
    assert _documents(engine, tenant.business_id) == before


def _xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Ana", "F-1", "10/03/2026", 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cut_sheet(workbook: bytes) -> bytes:
    """Return the workbook with its sheet's XML cut in half, as a bad copy does."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "logged"),
    [
        pytest.param(b"PK\x03\x04garbage", "BadZipFile", id="not-a-zip"),
        pytest.param(_xlsx()[:2000], "BadZipFile", id="cut-short"),
        pytest.param(_cut_sheet(_xlsx()), "ParseError", id="damaged-sheet"),
    ],
)
def test_damaged_xlsx_is_spanish(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    caplog: pytest.LogCaptureFixture,
    content: bytes,
    logged: str,
) -> None:
    client, token = client_for(tenant)
    caplog.set_level(logging.INFO, logger="cobranza")

    page = _preview(client, token, "saldos.xlsx", content)

    assert page.status_code == 422
    assert _notice(page) == (
        "No se puede abrir saldos.xlsx como libro XLSX, porque está dañado o no "
        "es un libro de Excel. Abrilo en la planilla de cálculo y guardalo de "
        "nuevo como .xlsx o .csv."
    )
    assert LIBRARY_ENGLISH.search(page.text) is None
    assert any(logged in record.getMessage() for record in caplog.records)


def test_empty_workbook_is_named(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    page = _preview(client, token, "deudores.xlsx", b"")

    assert page.status_code == 422
    assert _notice(page) == "deudores.xlsx está vacío. Exportá la planilla de nuevo."


def test_old_excel_file_is_named(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)

    page = _preview(client, token, "saldos.xlsx", ole2)

    assert page.status_code == 422
    assert _notice(page) == (
        "saldos.xlsx es un libro de Excel 97-2003 (.xls) o un libro protegido con "
        "contraseña, y no se puede leer. Abrilo en la planilla de cálculo y "
        "guardalo como .xlsx sin contraseña o como .csv."
    )


def test_columns_box_fixes_kept_upload(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
) -> None:
    client, token = client_for(tenant)
    content = _csv(
        "Cliente;Comprobante;Fecha prevista;Importe", "Ana;F-1;10/04/2026;500"
    )
    before = _documents(engine, tenant.business_id)

    stopped = _preview(client, token, "deudores.csv", content)
    fixed = _again(client, token, stopped, mapping="Fecha prevista=Vencimiento\n")
    upload = UPLOAD.search(fixed.text)
    assert upload is not None
    confirmed = client.post(
        "/importar/confirmar",
        data={
            "csrf_token": token,
            "upload": upload.group(1),
            "mapping": "Fecha prevista=Vencimiento\n",
        },
    )

    assert stopped.status_code == 422
    assert "Archivo: deudores.csv" in _text(stopped)
    assert fixed.status_code == 200
    assert "Vista previa de deudores.csv" in fixed.text
    assert "<tr><td>Fecha prevista</td><td>vencimiento</td></tr>" in fixed.text
    assert "<tr><td>Cliente</td><td>nombre del cliente</td></tr>" in fixed.text
    assert confirmed.status_code == 200
    assert _documents(engine, tenant.business_id) == before + 1


def test_decimal_choice_fixes_kept_upload(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, token = client_for(tenant)
    content = _csv(HEADER, 'Ana;1;1/1/2026;"1,230"')

    stopped = _preview(client, token, "deudores.csv", content)
    fixed = _again(client, token, stopped, decimal="point")

    assert stopped.status_code == 422
    assert fixed.status_code == 200
    assert "Separador decimal: punto decimal, elegida en «Separador decimal»" in (
        _text(fixed)
    )
    assert "Documentos: 1 (facturas: 1" in _text(fixed)
    assert "Filas rechazadas: 0" in _text(fixed)


def _workbook(**sheets: list[list[object]]) -> bytes:
    """Return a workbook with one sheet per keyword, in order."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_sheet_box_fixes_kept_upload(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
) -> None:
    # Given a workbook whose invoices are not on the sheet the reader prefers
    header: list[object] = HEADER.split(";")
    content = _workbook(
        Vencidas=[[*header, "Saldo"], ["Ana", "V-1", "10/03/2026", 100, 100]],
        Marzo=[header, ["Beto", "M-1", "20/03/2026", 200]],
    )
    client, token = client_for(tenant)
    before = _documents(engine, tenant.business_id)

    # When the owner names a sheet the workbook lacks, then the right one
    stopped = _preview(client, token, "libro.xlsx", content, sheet="Abril")
    fixed = _again(client, token, stopped, sheet=" marzo")

    # Then the first stops naming «Hoja» and the second previews «Marzo»
    assert stopped.status_code == 422
    assert _notice(stopped) == (
        'libro.xlsx no tiene una hoja "Abril". Sus hojas son "Vencidas" y '
        '"Marzo". Escribí una de ellas en «Hoja», o dejá «Hoja» vacía para que '
        "se elija sola."
    )
    assert COMMAND_LINE_WORDS.search(_notice(stopped)) is None
    assert 'name="sheet" value="Abril"' in stopped.text
    assert fixed.status_code == 200
    assert "Hoja: Marzo" in _text(fixed)
    assert "Documentos: 1 (facturas: 1" in _text(fixed)
    assert 'type="hidden" name="sheet" value=" marzo"' in fixed.text
    assert _documents(engine, tenant.business_id) == before


def test_row_problems_name_page_controls(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, token = client_for(tenant)
    content = _csv(
        "Código cliente;Nombre;Factura;Vencimiento;Importe",
        "C1;Ana;F-1;10/03/2026;1.000,00",
        "C2;Beto;F-2;10/03/2026;abc",
        f"{'C' * 121};Caro;F-3;10/03/2026;5,00",
        "C4;Dani;F-4;2026-03-10;5,00",
    )

    page = _preview(client, token, "deudores.csv", content, date_format="%d/%m/%Y")
    messages = [html.unescape(text) for text in ROW_MESSAGE.findall(page.text)]

    assert page.status_code == 200
    assert (
        'El importe "abc" no es un número con coma decimal. Corregilo, o elegí el '
        "separador decimal en «Separador decimal»."
    ) in messages
    assert (
        "El código de cliente tiene más de 120 caracteres. Usá un código más "
        "corto o elegí otra columna en «Columnas»."
    ) in messages
    assert (
        'La fecha "2026-03-10" no sigue el formato %d/%m/%Y. Las fechas de este '
        "archivo se leen como %d/%m/%Y, elegido en «Orden de las fechas»."
    ) in messages
    assert (
        "El archivo no tiene una columna de teléfono, así que los clientes nuevos "
        "quedan sin teléfono y no reciben mensajes. Agregá una columna Celular o "
        "Teléfono y volvé a importar. Si ya está con otro nombre, indicala en "
        '«Columnas» con una línea como "COLUMNA=celular".'
    ) in _text(page)
    for message in messages:
        assert COMMAND_LINE_WORDS.search(message) is None, message


def test_spanish_date_order_is_accepted(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, token = client_for(tenant)
    content = _csv(HEADER, "Ana;1;03/04/2026;1", "Beto;2;04/05/2026;1")

    page = _preview(client, token, "deudores.csv", content, date_format="mm/dd/aaaa")

    assert page.status_code == 200
    assert "Orden de las fechas: mes/día/año, elegido en «Orden de las fechas»" in (
        _text(page)
    )


def test_form_help_is_spanish(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/importar")
    page_text = _text(page)

    assert page.status_code == 200
    assert "COLUMNA=campo" not in page_text
    assert (
        "Solo si hace falta: una línea por columna, con el nombre de la columna en "
        "tu archivo, un signo = y el campo, como <code>Fecha prevista=vencimiento"
        "</code>. Campos: código de cliente, nombre del cliente, identificación "
        "fiscal, dígito de verificación, teléfono, celular, email, número de "
        "comprobante, serie, tipo de "
        "comprobante, fecha de emisión, vencimiento, importe, saldo, importe "
        "pagado, fecha de pago, moneda, en disputa, consentimiento, situación. Con "
        "<code>COLUMNA=ignorar</code> se descarta una columna."
    ) in page.text
    assert '<option value="día/mes/año">' in page.text
    assert COMMAND_LINE_WORDS.search(page_text) is None, COMMAND_LINE_WORDS.search(
        page_text
    )


def test_preview_without_file_asks_for_one(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    page = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )

    assert page.status_code == 400
    assert _notice(page) == "Elegí un archivo CSV o XLSX."


@pytest.mark.shared_data
def test_ibm_export_preview_names_date_order(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    path = shared_data("ibm-accounts-receivable", "WA_Fn-UseC_-Accounts-Receivable.csv")

    page = _preview(client, token, path.name, path.read_bytes())
    page_text = _text(page)

    assert page.status_code == 200
    assert "Filas leídas: 2466" in page_text
    assert 'Orden de las fechas: mes/día/año, según "1/15/2013"' in page_text
    assert "Separador decimal: punto decimal, según valores como" in page_text
    assert "invoiceNumber número de comprobante" in page_text
    assert "DueDate vencimiento" in page_text
    assert COMMAND_LINE_WORDS.search(page_text) is None, COMMAND_LINE_WORDS.search(
        page_text
    )


@pytest.mark.shared_data
def test_kaggle_invoices_mapped_on_page(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    path = shared_data("cassandra-udyam22-vendor-invoices", "testData.csv")

    stopped = _preview(client, token, path.name, path.read_bytes())
    named = _again(client, token, stopped, mapping="Vendor_Name=nombre del cliente")

    assert stopped.status_code == 422
    assert _notice(stopped).startswith(
        "No se encontró ninguna columna para «número de comprobante» y el cliente "
        "(«código de cliente», «nombre del cliente» o «identificación fiscal»). "
        'Escribí en «Columnas» una línea como "COLUMNA=número de comprobante" '
        "por cada campo que falta"
    )
    assert '"Vendor_Name"' in _notice(stopped)
    assert named.status_code == 422
    assert _notice(named).startswith(
        "No se encontró ninguna columna para «número de comprobante». "
    )
