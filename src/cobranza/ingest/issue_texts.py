"""The Spanish (es-AR) text of every row problem that an import reports.

`RowIssue.code` stays the stable, machine-readable name of a problem, and
`RowIssue.message` is the text below filled with the row's facts: the
value, the column or limit, and what the owner should do next. Owners read
these messages in the terminal report, in the dashboard's import preview,
in the report stored with each import and in `--json`. A fix that needs an
import option names it through `{hints}`, so the terminal shows the flag
and the import page its control.
"""

from __future__ import annotations

from decimal import Decimal

from cobranza.ingest.hints import COMMAND_LINE, Hints

ROW_ISSUE_TEXTS: dict[str, str] = {
    "wrong_separator": (
        "La línea es una sola celda separada por {separator}, pero el encabezado "
        "tiene {columns} columnas. Exportá el archivo de nuevo para que todas las "
        "líneas usen el mismo separador."
    ),
    "missing_number": (
        "El número de comprobante está vacío. Completalo en el archivo."
    ),
    "number_too_long": (
        "El número de comprobante tiene {length} caracteres, más que el máximo "
        "de {limit}. Revisá que la columna sea la del número."
    ),
    "bidi_in_number": (
        "El número de comprobante {value} tiene el carácter invisible {control}, "
        "que cambia el orden en que se ve el texto, así que podría verse como "
        "otro número. Borralo en el archivo y volvé a importar."
    ),
    "missing_amount": "El importe está vacío. Completalo en el archivo.",
    "cancelled_document": (
        "El comprobante figura como {value}, y un comprobante cancelado no se "
        "importa ni se cobra. Si lo habías importado antes, deja de cobrarse "
        "y no cuenta como cobrado."
    ),
    "cancelled_earlier": (
        "El comprobante {number} figura como cancelado en otra fila o en una "
        "importación anterior, así que esta fila no lo cambia y no se cobra. "
        "Si no está cancelado, revisá la situación en tu sistema."
    ),
    "invalid_amount": (
        "El importe {value} no es un número con {mark}. Corregilo, o elegí el "
        "separador decimal {hints.decimal_control}."
    ),
    "amount_too_large": (
        "El importe {value} llega a {limit} o más. Revisá la columna y el "
        "separador decimal."
    ),
    "amount_rounded": (
        "El importe tiene más decimales de los que usa {currency}, así que se "
        "guardó como {rounded}."
    ),
    "invalid_date": (
        "La fecha {value} {reason}. Las fechas de este archivo se leen como {order}."
    ),
    "missing_due_date": (
        "La fecha de vencimiento está vacía, así que {effect}. Completala si la tenés."
    ),
    "invalid_kind": (
        "El tipo de comprobante {value} no se reconoce. Usá FC (factura), NC "
        "(nota de crédito) o ND (nota de débito){codes}."
    ),
    "invalid_currency": (
        "La moneda {value} no se reconoce. Usá un código ISO 4217, como "
        "{currency} o USD."
    ),
    "currency_mismatch": (
        "El importe {value} está en {marked}, pero la moneda de la fila es "
        "{currency}. Hacé que coincidan la celda de moneda y los importes."
    ),
    "invalid_yes_no": (
        "{value} no es sí ni no, así que la celda se ignoró. Usá sí/no, 1/0 o x."
    ),
    "balance_out_of_range": (
        "El saldo abierto {balance} está fuera del rango de 0 a {amount}, así que "
        "se ajustó. Revisá las columnas de importe y de saldo."
    ),
    "invalid_tax_id": (
        "{problem}. La fila se importó igual: corregilo en el sistema de origen."
    ),
    "tax_id_too_long": (
        "El ID fiscal tiene más de {limit} caracteres, así que se ignoró."
    ),
    "missing_customer": (
        "La fila no indica el cliente. Completá el código, el nombre o el ID "
        "fiscal del cliente."
    ),
    "generic_tax_id_only": (
        "El ID fiscal {value} es el genérico, que comparten muchos clientes, y "
        "la fila no trae otro dato del cliente. Completá el código o el nombre "
        "del cliente."
    ),
    "customer_id_too_long": (
        "El código de cliente tiene más de {limit} caracteres. Usá un código más "
        "corto o elegí otra columna {hints.map_control}."
    ),
    "bidi_in_customer_id": (
        "El código de cliente {value} tiene el carácter invisible {control}, "
        "que cambia el orden en que se ve el texto, así que podría verse como "
        "otro código. Borralo en el archivo y volvé a importar."
    ),
    "name_too_long": ("El nombre tiene más de {limit} caracteres, así que se cortó."),
    "invalid_phone": (
        "{problem}. No se le puede escribir al cliente hasta que lo corrijas."
    ),
    "invalid_email": (
        "El email {value} no es una dirección de correo válida: {problem}. Se "
        "importó la fila sin el email. Corregilo en el archivo, con la forma "
        "nombre@dominio.com, y volvé a importar."
    ),
    "erased_customer": (
        "El cliente {value} pidió que se borraran sus datos el {day}, así que "
        "la fila no se importó y sus datos no se vuelven a guardar. Sacalo del "
        "archivo; si es otro cliente, usá otro código."
    ),
    "conflicting_duplicate": (
        "El comprobante {number} ya aparece en la línea {line} con otros "
        "valores. Dejá una sola de las dos filas."
    ),
    "conflicting_customer": (
        "El cliente {customer} tiene otro {field} en {lines}: {value}. Se guardó "
        "{kept}, de la línea {kept_line}. Si el correcto es otro, corregí las "
        "filas del cliente para que coincidan y volvé a importar."
    ),
}

# Fills the `{effect}` of "missing_due_date".
DUE_DATE_FROM_ISSUE_DATE = "se usa la fecha de emisión"
DUE_DATE_UNKNOWN = "no se pueden programar los recordatorios"

# The phone problem stored for a valid number that is not a mobile.
LANDLINE_PROBLEM = "Teléfono fijo: WhatsApp solo llega si usa WhatsApp Business"

SEPARATOR_NAMES = {",": "comas", ";": "punto y coma", "\t": "tabulaciones"}


def row_issue_text(code: str, hints: Hints = COMMAND_LINE, **facts: object) -> str:
    """Return the Spanish text of `code`, filled with the row's facts.

    `hints` words the fix for where the owner reads it. Raises `KeyError`
    for a code without a text, so a new code cannot reach an owner without
    its Spanish message.
    """
    return ROW_ISSUE_TEXTS[code].format(hints=hints, **facts)


# The past-tense effects in the texts above, and how a dry run words them,
# since it stores nothing.
DRY_RUN_EFFECTS = (
    ("se importó igual", "se importaría igual"),
    ("se guardó como", "se guardaría como"),
    ("Se guardó", "Se guardaría"),
    ("se ajustó", "se ajustaría"),
    ("se ignoró", "se ignoraría"),
    ("se cortó", "se cortaría"),
)


def dry_run_text(message: str) -> str:
    """Return a row problem's text with its effect in the conditional."""
    for done, would in DRY_RUN_EFFECTS:
        message = message.replace(done, would)
    return message


def quoted(value: object) -> str:
    """Return a cell value between double quotes, as messages show values."""
    return f'"{value}"'


def spanish_number(value: int | Decimal) -> str:
    """Return a whole number with the es-AR thousands point: 100.000.000."""
    return f"{value:,}".replace(",", ".")
