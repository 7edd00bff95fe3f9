"""Column mapping: which column of the file contains which field.

Headers are compared after `normalize_header`, so "Razón Social",
"RAZON_SOCIAL" and "razon social" are the same header, and "invoiceNumber"
matches "invoice number". A header maps to a field only by an exact match
against the synonyms below; anything else is left unmapped and listed in the
report, so nothing is guessed silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cobranza.ingest.errors import MappingError
from cobranza.ingest.hints import COMMAND_LINE, Hints

IGNORE = "ignore"

# Field names, as shown in the report and `--json`.
CUSTOMER_ID = "customer_id"
CUSTOMER_NAME = "customer_name"
TAX_ID = "tax_id"
# The check digit (DV) of a Colombian NIT, which exports often keep apart.
TAX_ID_CHECK_DIGIT = "tax_id_check_digit"
PHONE = "phone"
MOBILE = "mobile"
EMAIL = "email"
NUMBER = "number"
# The series that a Mexican CFDI puts before its folio ("A" of A-100), which
# exports keep in a column of its own.
SERIES = "series"
KIND = "kind"
ISSUED_ON = "issued_on"
DUE_ON = "due_on"
AMOUNT = "amount"
OPEN_AMOUNT = "open_amount"
PAID_AMOUNT = "paid_amount"
PAID_ON = "paid_on"
CURRENCY = "currency"
DISPUTED = "disputed"
CONSENT = "consent"
# The document's status in the source system ("Situação" in Brazilian
# exports), read only to leave out cancelled documents.
STATUS = "status"

AMOUNT_FIELDS = (AMOUNT, OPEN_AMOUNT, PAID_AMOUNT)
DATE_FIELDS = (ISSUED_ON, DUE_ON, PAID_ON)
CUSTOMER_FIELDS = (CUSTOMER_ID, CUSTOMER_NAME, TAX_ID)
REQUIRED_FIELDS = (NUMBER, AMOUNT, DUE_ON)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    CUSTOMER_ID: (
        "customer id",
        "customerid",
        "id cliente",
        "cliente id",
        "codigo cliente",
        "cod cliente",
        "numero cliente",
        "cliente numero",
        "customer numero",
        "customer code",
        "client id",
        "cuenta",
        "numero cuenta",
        "account",
        "account numero",
        "codigo",
        "cod",
        "codigo deudor",
        "codigo do cliente",
        "cliente codigo",
    ),
    CUSTOMER_NAME: (
        "cliente",
        "nombre cliente",
        "cliente nombre",
        "razon social",
        "nombre",
        "nombre razon social",
        "customer",
        "customer name",
        "client",
        "client name",
        "nome cliente",
        "cliente nome",
        "nome",
        "denominacion",
        "deudor",
        "name",
        "sacado",
        "comprador",
        "apellido nombre",
        "nombre apellido",
        "razon social nombre",
        "nombre razon social cliente",
        "nombre fantasia",
        "razao social",
        "razao social nome",
        "nome razao social",
        "nombre o razon social",
        "razon social o nombre",
        # CFDI reports name the invoiced customer "receptor".
        "receptor",
        "nombre receptor",
        "receptor nombre",
        "razon social receptor",
        "denominacion receptor",
        # Peruvian electronic invoicing systems name the customer this way.
        "denominacion cliente",
        "razon social cliente",
        # SUNAT's sales register (Peru).
        "apellidos y nombres denominacion o razon social",
        "apellidos y nombres o razon social",
        "razon social nombres",
    ),
    TAX_ID: (
        "cuit",
        "cuil",
        "cuit cuil",
        "rfc",
        "nit",
        "rut",
        "cpf",
        "cnpj",
        "cpf cnpj",
        "ruc",
        "tax id",
        "taxid",
        "tax numero",
        "documento",
        "numero documento",
        "dni",
        "ci",
        "nif",
        "identificacion",
        "numero identificacion",
        "document numero",
        "cedula",
        "cnpj cpf",
        "cedula nit",
        "nit cedula",
        "rfc receptor",
        "receptor rfc",
        # Uruguayan exports name a company's RUT or a person's CI together.
        "rut ci",
        "ci rut",
        "rut receptor",
        "receptor rut",
        "rut cliente",
        "cliente rut",
        "documento receptor",
        "numero documento receptor",
        "c i",
        # SUNAT exports (Peru) name the customer's RUC or DNI in one column.
        "ruc dni",
        "dni ruc",
        "ruc cliente",
        "numero documento identidad",
        "numero doc identidad",
        "numero documento cliente",
        "numero doc cliente",
        "numero ruc",
        "doc identidad",
        "documento identidad",
    ),
    TAX_ID_CHECK_DIGIT: (
        "dv",
        "digito verificacion",
        "digito verificador",
        "dv nit",
        "nit dv",
    ),
    PHONE: (
        "telefono",
        "tel",
        "phone",
        "telephone",
        "phone numero",
        "telefone",
        "fone",
        "telefono contacto",
        "contacto",
        "telefono fijo",
        "telefono cliente",
        # Chileans write "fono" for a phone.
        "fono",
        "fono cliente",
        "fono contacto",
    ),
    MOBILE: (
        "celular",
        "cel",
        "movil",
        "whatsapp",
        "numero whatsapp",
        "telefono celular",
        "telefono movil",
        "mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "cellphone",
        "wa",
        "tel movil",
        "tel celular",
        "numero celular",
        "celular whatsapp",
        "celular cliente",
        "telefone celular",
        "fone celular",
        "telefone whatsapp",
    ),
    EMAIL: ("email", "e mail", "mail", "correo", "correo electronico", "email address"),
    NUMBER: (
        "comprobante",
        "numero comprobante",
        "factura",
        "numero factura",
        "factura numero",
        "folio",
        "invoice",
        "invoice numero",
        "invoice id",
        "invoice no",
        "numero",
        "nota fiscal",
        "numero nota fiscal",
        "nf",
        "numero nf",
        "numero fc",
        "bill id",
        "bill numero",
        "document",
        "comprobante numero",
        "numero documento fiscal",
        "numero nota",
        "nf e",
        "nfe",
        "numero nf e",
        "numero nfe",
        "fatura",
        "numero fatura",
        # SUNAT exports (Peru) write the series and the correlative number
        # together, as in "F001-00012345".
        "serie numero",
        "serie correlativo",
        "serie y numero",
        # Uruguay's electronic invoices (CFE).
        "numero cfe",
        "cfe numero",
    ),
    SERIES: (
        "serie",
        "series",
        "serie comprobante",
        "serie factura",
        "serie cfdi",
        "serie cfe",
    ),
    KIND: (
        "tipo",
        "tipo comprobante",
        "tipo documento fiscal",
        "tipo factura",
        "type",
        "document type",
        "invoice type",
        "clase",
        "cbte tipo",
        "tipo cbte",
        "tipo dte",
        "codigo tipo dte",
        "tipo doc",
        "tipo documento",
        # Uruguay's electronic invoices (CFE) are typed by a code or a name.
        "tipo cfe",
        "cfe tipo",
    ),
    ISSUED_ON: (
        "fecha",
        "emision",
        "fecha emision",
        "fecha factura",
        "fecha comprobante",
        "invoice date",
        "invoicedate",
        "date",
        "issue date",
        "issued",
        "issued on",
        "data emissao",
        "emissao",
        "data",
        "fecha documento",
        "f emision",
        "fec emision",
        "fecha emision factura",
        "dt emissao",
    ),
    DUE_ON: (
        "vencimiento",
        "fecha vencimiento",
        "vto",
        "fecha vto",
        "venc",
        "fecha venc",
        "due date",
        "duedate",
        "due",
        "due on",
        "vencimento",
        "data vencimento",
        "fecha limite pago",
        "fecha limite",
        "f vto",
        "f venc",
        "fec vto",
        "fecha vencimiento factura",
        "dt vencimento",
        # Peruvian exports abbreviate "vencimiento" as "Vcto.".
        "vcto",
        "fecha vcto",
        "f vcto",
        "fec vcto",
    ),
    AMOUNT: (
        "importe",
        "monto",
        "total",
        "importe total",
        "monto total",
        "total factura",
        "importe factura",
        "invoice amount",
        "invoiceamount",
        "amount",
        "total amount",
        "valor",
        "valor total",
        "valor nota",
        "imp total",
        "importe original",
        "monto original",
        "valor original",
        "valor documento",
        "valor nf",
        "valor nf e",
        "valor nota fiscal",
        "valor fatura",
        "importe total operacion",
        "importe total comprobante",
        "importe total comprobante pago",
        "total comprobante",
    ),
    OPEN_AMOUNT: (
        "saldo",
        "pendiente",
        "saldo pendiente",
        "importe pendiente",
        "monto pendiente",
        "outstanding",
        "balance",
        "open amount",
        "amount due",
        "balance due",
        "saldo devedor",
        "valor em aberto",
        "em aberto",
        "adeudado",
        "deuda",
        "saldo factura",
        "saldo adeudado",
        "importe adeudado",
        "saldo actual",
        "monto adeudado",
        "saldo insoluto",
        "saldo em aberto",
        "valor aberto",
    ),
    PAID_AMOUNT: (
        "pagado",
        "importe pagado",
        "monto pagado",
        "paid",
        "amount paid",
        "paid amount",
        "cobrado",
        "importe cobrado",
        "valor pago",
        "pago",
        "settled",
        "abonado",
        "valor recebido",
    ),
    PAID_ON: (
        "fecha pago",
        "fecha cobro",
        "settled date",
        "settleddate",
        "payment date",
        "paid date",
        "date paid",
        "paid on",
        "settlement date",
        "data pagamento",
        "fecha cancelacion",
        "dt pagamento",
        "data recebimento",
    ),
    CURRENCY: (
        "moneda",
        "currency",
        "divisa",
        "moeda",
        "tipo moneda",
        "codigo moneda",
        "cod moneda",
    ),
    DISPUTED: (
        "disputed",
        "disputa",
        "en disputa",
        "disputado",
        "reclamo",
        "em disputa",
        "dispute",
        "contestada",
    ),
    CONSENT: (
        "consentimiento",
        "consentimiento whatsapp",
        "opt in",
        "optin",
        "whatsapp opt in",
        "opt in whatsapp",
        "acepta whatsapp",
        "acepta",
        "autoriza whatsapp",
        "autoriza contacto",
        "consent",
        "consentimento",
    ),
    # "Estado" alone is left out: customer exports use it for the state or
    # province of the address.
    STATUS: (
        "situacao",
        "situacion",
        "status",
        "situacao documento",
        "situacao titulo",
        "situacao conta",
        "estado comprobante",
        "estado factura",
        "estado documento",
    ),
}

FIELDS = tuple(_SYNONYMS)

# The Spanish name of each field, as the import page and docs/importar.md
# show it. A mapping (`--map`, or the page's «Columnas» box) accepts the
# label or the field name, and IGNORE's label discards a column.
FIELD_LABELS = {
    CUSTOMER_ID: "código de cliente",
    CUSTOMER_NAME: "nombre del cliente",
    TAX_ID: "identificación fiscal",
    TAX_ID_CHECK_DIGIT: "dígito de verificación",
    PHONE: "teléfono",
    MOBILE: "celular",
    EMAIL: "email",
    NUMBER: "número de comprobante",
    SERIES: "serie",
    KIND: "tipo de comprobante",
    ISSUED_ON: "fecha de emisión",
    DUE_ON: "vencimiento",
    AMOUNT: "importe",
    OPEN_AMOUNT: "saldo",
    PAID_AMOUNT: "importe pagado",
    PAID_ON: "fecha de pago",
    CURRENCY: "moneda",
    DISPUTED: "en disputa",
    CONSENT: "consentimiento",
    STATUS: "situación",
    IGNORE: "ignorar",
}

_STOP_WORDS = frozenset(
    {"de", "del", "la", "el", "los", "las", "of", "the", "do", "da"}
)
_NUMBER_WORDS = frozenset({"n", "no", "nro", "nr", "num", "numero", "number", "nros"})
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# The Brazilian real's sign, alone or in brackets, as in "Valor (R$)". Other
# currency marks such as "(USD)" are kept, so such a header maps to nothing
# and the owner picks the column: amounts in another currency than the
# business's need a currency column.
_REAL_SIGN = re.compile(r"[(\[]?\s*R\$\s*[)\]]?")
# The signs of other currencies that headers carry, as in Peru's
# "Importe (S/)" and Uruguay's "Saldo $U". Like a currency code, a sign is
# dropped only when it is the business's own currency.
_OWN_SIGNS = {
    "PEN": re.compile(r"[(\[]?\s*S/\.?\s*[)\]]?", re.IGNORECASE),
    "UYU": re.compile(r"[(\[]?\s*\$\s?U(?![a-z])\s*[)\]]?", re.IGNORECASE),
}
# A mapping's column "#3" names the third column, for headers that repeat.
# The position takes ASCII digits only, as \d would also match "#３".
_POSITION = re.compile(r"#([0-9]+)")


@lru_cache(maxsize=4096)
def normalize_header(header: str, *, split_camel: bool = True) -> str:
    """Return the accent-, case- and punctuation-free form of a header.

    With `split_camel`, "invoiceNumber" becomes "invoice numero".
    """
    text = str(header).strip()
    if split_camel:
        text = _CAMEL_BOUNDARY.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = _NON_ALNUM.sub(" ", text.lower()).split()
    words = ["numero" if word in _NUMBER_WORDS else word for word in words]
    return " ".join(word for word in words if word not in _STOP_WORDS)


_LOOKUP: dict[str, str] = {}
for _field, _names in _SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(normalize_header(_name, split_camel=False), _field)

# Header names whose meaning depends on the business's country. Chilean
# sales exports (Bsale, the SII's sales register) call the folio "N°
# Documento", which elsewhere is a person's identity document.
_COUNTRY_LOOKUP: dict[str, dict[str, str]] = {
    "CL": {"numero documento": NUMBER, "numero doc": NUMBER, "numero docto": NUMBER},
}

_FIELD_NAMES = {
    normalize_header(text, split_camel=False): field
    for field, label in FIELD_LABELS.items()
    for text in (field, label)
}


def field_for_name(name: str) -> str | None:
    """Return the field that a mapping names by field name or label, or None.

    Case, accents and punctuation do not count, so "Vencimiento", "due_on"
    and "DUE ON" all name DUE_ON, and "ignorar" names IGNORE. A header name
    of a field names it too, so "cliente" names CUSTOMER_NAME and "folio"
    NUMBER, as they would as headers.
    """
    normalized = normalize_header(name, split_camel=False)
    return _FIELD_NAMES.get(normalized) or _LOOKUP.get(normalized)


def field_for_header(
    header: str, currency: str | None = None, country: str | None = None
) -> str | None:
    """Return the field a header names, or None when it names none.

    The header is tried as written ("WhatsApp"), then with camelCase split
    into words ("invoiceNumber"), then without the real's sign ("Valor (R$)"),
    the sign of `currency` ("Importe (S/)" when it is PEN) or its code
    ("Importe (MXN)" when it is MXN). Another currency's code or sign keeps
    the header unmapped, because its amounts need a currency column. The
    names of `country`, the business's, come first ("N° Documento" is the
    invoice number in Chile).
    """
    own_names = _COUNTRY_LOOKUP.get((country or "").upper(), {})
    field = own_names.get(normalize_header(header, split_camel=False))
    if field is None:
        field = _LOOKUP.get(normalize_header(header, split_camel=False))
    if field is None:
        field = _LOOKUP.get(normalize_header(header))
    if field is None and "R$" in header:
        field = field_for_header(_REAL_SIGN.sub(" ", header))
    own_sign = _OWN_SIGNS.get(currency.upper()) if currency else None
    if field is None and own_sign is not None and own_sign.search(header):
        field = field_for_header(own_sign.sub(" ", header))
    if field is None and currency:
        own_code = re.compile(rf"(?<![a-z]){re.escape(currency)}(?![a-z])", re.I)
        if own_code.search(header):
            field = field_for_header(own_code.sub(" ", header))
    return field


@dataclass(frozen=True)
class ColumnMapping:
    """The column index of each mapped field, and the columns left unmapped."""

    columns: dict[str, int]
    headers: tuple[str, ...]
    unmapped: tuple[str, ...]

    def describe(self) -> dict[str, str]:
        """Return {header: field} for the report."""
        return {self.headers[index]: field for field, index in self.columns.items()}


def resolve_mapping(
    headers: Sequence[str],
    overrides: Mapping[str, str],
    hints: Hints = COMMAND_LINE,
    currency: str | None = None,
    country: str | None = None,
) -> ColumnMapping:
    """Map headers to fields, applying the owner's {column: field} overrides first.

    `currency` is the business's, whose code a header may carry, and
    `country` the business's, whose exports may use a name differently.

    Raises `MappingError`, worded with `hints`, when an override names an
    unknown column or field, when two columns compete for one field, or when
    a required field has no column.
    """
    normalized = [normalize_header(header) for header in headers]
    forced = _forced_fields(headers, normalized, overrides, hints)

    candidates: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        field: str | None
        if index in forced:
            field = forced[index]
        else:
            field = field_for_header(header, currency, country)
        if field is not None and field != IGNORE:
            candidates.setdefault(field, []).append(index)

    columns: dict[str, int] = {}
    for field, indexes in candidates.items():
        forced_here = [index for index in indexes if index in forced]
        if len(forced_here) == 1:
            columns[field] = forced_here[0]
            continue
        if len(indexes) > 1:
            names = [headers[index] for index in indexes]
            raise MappingError(
                f"Las columnas {_positions(names, indexes)} parecen todas el campo "
                f"{hints.field(field)}. "
                + hints.pick_column(field, names[0], indexes[0] + 1, IGNORE),
                field=field,
                candidates=names,
            )
        columns[field] = indexes[0]

    _check_required(headers, columns, hints)
    mapped = set(columns.values()) | {i for i, f in forced.items() if f == IGNORE}
    unmapped = tuple(h for i, h in enumerate(headers) if i not in mapped and h)
    return ColumnMapping(columns=columns, headers=tuple(headers), unmapped=unmapped)


def _forced_fields(
    headers: Sequence[str],
    normalized: list[str],
    overrides: Mapping[str, str],
    hints: Hints,
) -> dict[int, str]:
    forced: dict[int, str] = {}
    for column, field in overrides.items():
        field_name = field_for_name(field)
        if field_name is None:
            raise MappingError(
                f'El campo "{field}" de {hints.map_entry(column, field)} no existe. '
                f"Usá uno de estos: {hints.field_choices((*FIELDS, IGNORE))}.",
                field=field,
                candidates=list(FIELDS),
            )
        matches = [i for i, h in enumerate(headers) if h.strip() == column.strip()]
        position = _POSITION.fullmatch(column.strip())
        if not matches and position and 1 <= int(position.group(1)) <= len(headers):
            matches = [int(position.group(1)) - 1]
        if not matches:
            wanted = normalize_header(column)
            matches = [i for i, name in enumerate(normalized) if name == wanted]
        if len(matches) != 1:
            problem = (
                "no está en el encabezado"
                if not matches
                else "aparece más de una vez en el encabezado. Nombrala por "
                f"posición, como {hints.map_example(f'#{matches[1] + 1}', field)}"
            )
            raise MappingError(
                f'La columna "{column}" de {hints.map_entry(column, field)} '
                f"{problem}. Las columnas son: {_quoted(headers)}.",
                column=column,
                candidates=list(headers),
            )
        forced[matches[0]] = field_name
    return forced


def _positions(names: Sequence[str], indexes: Sequence[int]) -> str:
    """Return '"Importe" (#3), "Total" (#4)' for a competition message."""
    return ", ".join(
        f'"{name[:40]}" (#{index + 1})'
        for name, index in zip(names, indexes, strict=True)
    )


def _quoted(headers: Sequence[str]) -> str:
    """Return headers as a quoted list, each cut to 40 characters."""
    return ", ".join(f'"{header[:40]}"' for header in headers) or "ninguna"


def _check_required(
    headers: Sequence[str], columns: dict[str, int], hints: Hints
) -> None:
    required = [field for field in REQUIRED_FIELDS if field not in columns]
    alternatives: tuple[str, ...] = ()
    missing = list(required)
    if not any(field in columns for field in CUSTOMER_FIELDS):
        alternatives = CUSTOMER_FIELDS
        # `details` keeps the English "or" that `--json` readers already parse.
        missing.append(" or ".join(CUSTOMER_FIELDS))
    if not missing:
        return
    unused = [h for i, h in enumerate(headers) if i not in columns.values() and h]
    first = required[0] if required else alternatives[0]
    raise MappingError(
        "No se encontró ninguna columna para "
        f"{hints.missing_fields(required, alternatives)}. "
        f"{hints.add_column(first)} Las columnas sin usar son: {_quoted(unused)}.",
        missing=missing,
        candidates=unused,
    )
