from __future__ import annotations

import pytest

from cobranza.ingest.errors import MappingError
from cobranza.ingest.hints import FormHints
from cobranza.ingest.mapping import (
    FIELD_LABELS,
    FIELDS,
    IGNORE,
    field_for_header,
    field_for_name,
    normalize_header,
    resolve_mapping,
)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Razón Social", "customer_name"),
        ("RAZON_SOCIAL", "customer_name"),
        ("CUIT/CUIL", "tax_id"),
        ("RFC", "tax_id"),
        ("Teléfono", "phone"),
        ("Celular", "mobile"),
        ("WhatsApp", "mobile"),
        ("Nro. Factura", "number"),
        ("N° Comprobante", "number"),
        ("Folio", "number"),
        ("Tipo", "kind"),
        ("Fecha de Emisión", "issued_on"),
        ("Vencimiento", "due_on"),
        ("Importe", "amount"),
        ("Saldo", "open_amount"),
        ("Pagado", "paid_amount"),
        ("Fecha de pago", "paid_on"),
        ("Moneda", "currency"),
        ("E-mail", "email"),
        ("customerID", "customer_id"),
        ("invoiceNumber", "number"),
        ("InvoiceDate", "issued_on"),
        ("DueDate", "due_on"),
        ("InvoiceAmount", "amount"),
        ("SettledDate", "paid_on"),
        ("Disputed", "disputed"),
        ("Acepta WhatsApp", "consent"),
        ("Opt-in", "consent"),
        ("Data de Vencimento", "due_on"),
        ("Valor em aberto", "open_amount"),
        ("Tel. Móvil", "mobile"),
        ("F. Vto.", "due_on"),
        ("Imp. Total", "amount"),
        ("Saldo Adeudado", "open_amount"),
        ("Razón Social / Nombre", "customer_name"),
        ("PaperlessBill", None),
    ],
)
def test_header_synonyms(header: str, field: str | None) -> None:
    assert field_for_header(header) == field


def test_normalize_header_ignores_accents_case_punctuation() -> None:
    assert normalize_header("Fecha de Vto.") == normalize_header("FECHA_VTO")


def test_missing_required_field_lists_candidates() -> None:
    with pytest.raises(MappingError) as caught:
        resolve_mapping(["Cliente", "Comprobante", "Importe", "Fecha prevista"], {})

    assert "due_on" in str(caught.value)
    assert "--map" in str(caught.value)
    assert caught.value.details["candidates"] == ["Fecha prevista"]


def test_competing_columns_ask_for_map() -> None:
    headers = ["Cliente", "Factura", "Importe", "Total", "Vencimiento"]

    with pytest.raises(MappingError) as caught:
        resolve_mapping(headers, {})

    assert caught.value.details["candidates"] == ["Importe", "Total"]


def test_map_resolves_competition() -> None:
    headers = ["Cliente", "Factura", "Importe", "Total", "Vencimiento"]

    mapping = resolve_mapping(headers, {"Total": "amount", "Importe": "ignore"})

    assert mapping.columns["amount"] == 3


def test_map_names_unknown_column_or_field() -> None:
    headers = ["Cliente", "Factura", "Importe", "Vencimiento"]

    with pytest.raises(MappingError, match="no está en el encabezado"):
        resolve_mapping(headers, {"Monto": "amount"})
    with pytest.raises(MappingError, match="no existe"):
        resolve_mapping(headers, {"Importe": "dinero"})


def test_map_matches_normalized_header() -> None:
    headers = ["Cliente", "Factura", "Importe", "Fecha prevista"]

    mapping = resolve_mapping(headers, {"fecha prevista": "due_on"})

    assert mapping.columns["due_on"] == 3


def test_repeated_header_mapped_by_position() -> None:
    headers = ["Cliente", "Factura", "Importe", "Importe", "Vencimiento"]

    with pytest.raises(MappingError, match="#4"):
        resolve_mapping(headers, {"Importe": "amount"})
    mapping = resolve_mapping(headers, {"#4": "amount", "#3": "ignore"})

    assert mapping.columns["amount"] == 3


@pytest.mark.parametrize("position", ["#４", "#٤"])
def test_position_needs_ascii_digits(position: str) -> None:
    headers = ["Cliente", "Factura", "Importe", "Importe", "Vencimiento"]

    with pytest.raises(MappingError, match="no está en el encabezado") as caught:
        resolve_mapping(headers, {position: "amount", "#3": "ignore"})

    assert position in str(caught.value)


def test_map_takes_spanish_labels() -> None:
    headers = ["Razón", "Nro. Cbte", "Fecha prevista", "Importe", "Total"]
    overrides = {
        "Razón": "Nombre del cliente",
        "Nro. Cbte": "número de comprobante",
        "Fecha prevista": "VENCIMIENTO",
        "Total": "ignorar",
    }

    mapping = resolve_mapping(headers, overrides)

    assert mapping.describe() == {
        "Razón": "customer_name",
        "Nro. Cbte": "number",
        "Fecha prevista": "due_on",
        "Importe": "amount",
    }
    assert mapping.unmapped == ()


def test_every_field_has_one_label() -> None:
    labels = [FIELD_LABELS[field] for field in (*FIELDS, IGNORE)]

    assert len(set(labels)) == len(labels)
    for label in labels:
        assert field_for_name(label) in (*FIELDS, IGNORE)


@pytest.mark.parametrize(
    ("name", "field"),
    [("cliente", "customer_name"), ("Folio", "number"), ("Total", "amount")],
)
def test_header_name_names_field(name: str, field: str) -> None:
    assert field_for_name(name) == field


def test_map_by_header_words() -> None:
    # An owner maps a column by a word a header would use, such as "cliente".
    mapping = resolve_mapping(
        ["Vendor_Name", "Created", "Amount", "Due_Date"],
        {"Vendor_Name": "cliente", "Created": "folio", "Due_Date": "vencimiento"},
    )

    assert mapping.describe()["Vendor_Name"] == "customer_name"
    assert mapping.describe()["Created"] == "number"


def test_form_hints_name_labels() -> None:
    hints = FormHints(
        field_labels=FIELD_LABELS,
        mapping="Columnas",
        decimal="Separador decimal",
        decimal_choices=("coma", "punto"),
        detect="Detectar",
        date_format="Orden de las fechas",
        date_orders=("día/mes/año",),
        customers="Clientes",
        sheet="Hoja",
    )

    with pytest.raises(MappingError) as caught:
        resolve_mapping(["Cliente", "Importe", "Fecha prevista"], {}, hints)

    assert str(caught.value) == (
        "No se encontró ninguna columna para «número de comprobante» y "
        '«vencimiento». Escribí en «Columnas» una línea como "COLUMNA=número de '
        'comprobante" por cada campo que falta, donde COLUMNA es el nombre de la '
        'columna en tu archivo. Las columnas sin usar son: "Fecha prevista".'
    )
    assert caught.value.details["missing"] == ["number", "due_on"]


@pytest.mark.parametrize(
    ("header", "currency", "field"),
    [
        ("Importe (S/)", "PEN", "amount"),
        ("Saldo S/.", "PEN", "open_amount"),
        ("Importe $U", "UYU", "amount"),
        ("Saldo ($U)", "UYU", "open_amount"),
        # Another currency's sign keeps the column unmapped.
        ("Importe (S/)", "UYU", None),
        ("Importe $U", "PEN", None),
        ("Importe (S/)", "ARS", None),
    ],
)
def test_own_currency_sign_in_header(
    header: str, currency: str, field: str | None
) -> None:
    assert field_for_header(header, currency) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Fecha Vcto.", "due_on"),
        ("F. Vcto.", "due_on"),
        ("Apellidos y nombres, denominación o razón social", "customer_name"),
        ("Razón Social / Nombres", "customer_name"),
        ("N° RUC", "tax_id"),
        ("Serie y número", "number"),
        ("Importe total del comprobante de pago", "amount"),
        ("Tipo de moneda", "currency"),
        ("Código de moneda", "currency"),
    ],
)
def test_peruvian_headers(header: str, field: str) -> None:
    assert field_for_header(header, "PEN") == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nro. CFE", "number"),
        ("Serie CFE", "series"),
        ("Tipo de CFE", "kind"),
        ("C.I.", "tax_id"),
        ("RUT Receptor", "tax_id"),
        ("Denominación receptor", "customer_name"),
    ],
)
def test_uruguayan_headers(header: str, field: str) -> None:
    assert field_for_header(header, "UYU") == field
