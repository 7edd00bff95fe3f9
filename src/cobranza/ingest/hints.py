"""The words an import message uses for fields and for the fix of a problem.

One problem reads differently where the owner meets it. In the terminal the
fix is a flag of `cobranza import` (`--map`, `--decimal`, `--date-format`,
`--sheet`)
and a field is its Spanish label with its internal name, as `--json`
reports it, in brackets: "vencimiento (due_on)". `--map` takes either. On
the dashboard's import page the fix is a control of its form, named by its
label («Separador decimal»), and a field is its Spanish label
(«vencimiento»).

Each message is written once, in the module that finds the problem. It
takes these words from the `Hints` of the place where it is shown, which is
`COMMAND_LINE` by default. The dashboard builds a `FormHints` from its own
labels and passes it in `ImportOptions.hints`; the REST API passes `API`,
which names its query parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class Hints:
    """The command line's words: `cobranza import` flags and `--map` names.

    The `*_control` attributes complete a sentence such as "elegí el
    separador decimal …" or "coma decimal, elegida …".
    """

    map_control = "con --map"
    decimal_control = "con --decimal"
    date_control = "con --date-format"
    sheet_control = "con --sheet"
    # The options as an error names them: 'El --decimal "x" no es válido'.
    decimal_option = "--decimal"
    date_option = "--date-format"

    def field(self, name: str) -> str:
        """Return a field as messages name it: "vencimiento (due_on)"."""
        label = _field_labels().get(name)
        return f"{label} ({name})" if label and label != name else name

    def field_choices(self, names: Sequence[str]) -> str:
        """Return every name the owner may write after "=" in a mapping."""
        return ", ".join(self.field(name) for name in names)

    def map_entry(self, column: str, field: str) -> str:
        """Return a mapping as the owner wrote it, to quote it in an error."""
        return f"--map {column}={field}"

    def map_example(self, column: str, field: str) -> str:
        """Return a mapping the owner can copy, with the field's Spanish label."""
        return f"--map '{column}={_field_labels().get(field, field)}'"

    def missing_fields(
        self, required: Sequence[str], alternatives: Sequence[str]
    ) -> str:
        """Return the fields without a column.

        These are each field of `required`, then any one of `alternatives`,
        which is empty when one of them has a column.
        """
        names = [self.field(name) for name in required]
        if alternatives:
            choices = [self.field(name) for name in alternatives]
            names.append(f"el cliente, que puede ser {_either(choices)}")
        if len(names) == 1:
            return names[0]
        return f"{', '.join(names[:-1])} y {names[-1]}"

    def add_column(self, field: str) -> str:
        """Return the fix for a missing field: how to name its column."""
        return (
            "Indicá cada columna con --map COLUMNA=CAMPO, como "
            f"{self.map_example('COLUMNA', field)}."
        )

    def assign_column(self, field: str) -> str:
        """Return how to name the column of `field`, completing "indicala …"."""
        return f"con {self.map_example('COLUMNA', field)}"

    def pick_column(self, field: str, column: str, position: int, ignore: str) -> str:
        """Return the fix for competing columns: keep one, discard the others."""
        return (
            f"Elegí una con {self.map_example(column, field)} (o por posición, "
            f"{self.map_example(f'#{position}', field)}) y descartá las otras "
            f"con {self.map_example('COLUMNA', ignore)}."
        )

    def choose_decimal(self) -> str:
        """Return the fix that names the decimal mark choices, in lower case."""
        return "elegí el separador con --decimal comma|point"

    def invalid_decimal(self, value: str) -> str:
        """Return the error for a decimal option that is neither mark."""
        return (
            f'El {self.decimal_option} "{value}" no es válido. Usá comma (coma) o '
            "point (punto)."
        )

    def invalid_date_format(self, value: str, problem: str) -> str:
        """Return the error for a date option; `problem` completes "… no es"."""
        return (
            f'El {self.date_option} "{value}" no es {problem}. Usá dmy, mdy, ymd o '
            "un patrón de strptime como %d/%m/%Y."
        )

    def find_shared_phones(self) -> str:
        """Return where to look for the customers that share a phone."""
        return "Compará la columna de teléfono de `cobranza customers`."

    def unknown_sheet(self, file_name: str, sheet: str, sheets: Sequence[str]) -> str:
        """Return the error for a sheet name that no sheet of the workbook has."""
        return (
            f'{file_name} no tiene una hoja "{sheet}". {_sheet_list(sheets)} '
            "Indicá una de ellas con --sheet, o sacá --sheet para que se elija sola."
        )

    def ambiguous_sheet(
        self, file_name: str, sheet: str, matches: Sequence[str]
    ) -> str:
        """Return the error for a sheet name that several sheets match loosely."""
        return (
            f'{file_name} tiene varias hojas que se llaman "{sheet}" si no se '
            f"cuentan mayúsculas ni espacios: {_quoted_list(matches)}. Indicá el "
            f"nombre exacto {self.sheet_control}."
        )

    def sheet_of_text_file(self, file_name: str, sheet: str) -> str:
        """Return the error for a sheet requested of a CSV or text file."""
        return (
            f'Pediste la hoja "{sheet}" con --sheet, pero {file_name} es un '
            "archivo de texto (CSV), que no tiene hojas. Importalo sin --sheet."
        )


COMMAND_LINE = Hints()


class FirstSheetHints(Hints):
    """The command line's words for a command that reads a workbook's first
    sheet when `--sheet` is not given, such as `cobranza payment import`."""

    def unknown_sheet(self, file_name: str, sheet: str, sheets: Sequence[str]) -> str:
        return (
            f'{file_name} no tiene una hoja "{sheet}". {_sheet_list(sheets)} '
            "Indicá una de ellas con --sheet, o sacá --sheet para leer la primera."
        )


FIRST_SHEET = FirstSheetHints()


class ApiHints(Hints):
    """The REST API's words: the query parameters of `POST /api/v1/imports`.

    The reader is a program's author, so a fix names the parameter as it goes
    in the URL (`map=COLUMNA=CAMPO`, `decimal=comma`) and a field keeps the
    form `--json` reports, label and internal name.
    """

    map_control = "con el parámetro map"
    decimal_control = "con el parámetro decimal"
    date_control = "con el parámetro date_format"
    sheet_control = "con el parámetro sheet"
    decimal_option = "parámetro decimal"
    date_option = "parámetro date_format"

    def map_entry(self, column: str, field: str) -> str:
        return f"map={column}={field}"

    def map_example(self, column: str, field: str) -> str:
        return f'"map={column}={_field_labels().get(field, field)}"'

    def add_column(self, field: str) -> str:
        return (
            "Indicá cada columna con un parámetro map=COLUMNA=CAMPO, como "
            f"{self.map_example('COLUMNA', field)}."
        )

    def choose_decimal(self) -> str:
        return "elegí el separador con el parámetro decimal=comma o decimal=point"

    def find_shared_phones(self) -> str:
        return "Compará el teléfono de los clientes que lista GET /api/v1/customers."

    def unknown_sheet(self, file_name: str, sheet: str, sheets: Sequence[str]) -> str:
        return (
            f'{file_name} no tiene una hoja "{sheet}". {_sheet_list(sheets)} '
            "Indicá una de ellas con el parámetro sheet, o sacalo para que se "
            "elija sola."
        )

    def sheet_of_text_file(self, file_name: str, sheet: str) -> str:
        return (
            f'Pediste la hoja "{sheet}" con el parámetro sheet, pero {file_name} es '
            "un archivo de texto (CSV), que no tiene hojas. Importalo sin sheet."
        )


API = ApiHints()


class FormHints(Hints):
    """The import page's words: its controls' labels and the fields' labels.

    The dashboard passes the labels that its page shows, so a message names
    each control exactly as the owner sees it.
    """

    def __init__(
        self,
        *,
        field_labels: Mapping[str, str],
        mapping: str,
        decimal: str,
        decimal_choices: Sequence[str],
        detect: str,
        date_format: str,
        date_orders: Sequence[str],
        customers: str,
        sheet: str,
    ) -> None:
        self.field_labels = dict(field_labels)
        self.mapping = mapping
        self.decimal = decimal
        self.decimal_choices = tuple(decimal_choices)
        self.detect = detect
        self.date_format = date_format
        self.date_orders = tuple(date_orders)
        self.customers = customers
        self.sheet = sheet
        self.map_control = f"en «{mapping}»"
        self.decimal_control = f"en «{decimal}»"
        self.date_control = f"en «{date_format}»"
        self.sheet_control = f"en «{sheet}»"

    def field(self, name: str) -> str:
        return f"«{self.field_labels.get(name, name)}»"

    def field_choices(self, names: Sequence[str]) -> str:
        return ", ".join(self.field_labels.get(name, name) for name in names)

    def map_entry(self, column: str, field: str) -> str:
        return f'la línea "{column}={field}" de «{self.mapping}»'

    def map_example(self, column: str, field: str) -> str:
        return f'"{column}={self.field_labels.get(field, field)}"'

    def missing_fields(
        self, required: Sequence[str], alternatives: Sequence[str]
    ) -> str:
        names = [self.field(name) for name in required]
        if alternatives:
            choices = [self.field(name) for name in alternatives]
            names.append(f"el cliente ({_either(choices)})")
        if len(names) == 1:
            return names[0]
        return f"{', '.join(names[:-1])} y {names[-1]}"

    def add_column(self, field: str) -> str:
        return (
            f"Escribí en «{self.mapping}» una línea como "
            f"{self.map_example('COLUMNA', field)} por cada campo que falta, donde "
            "COLUMNA es el nombre de la columna en tu archivo."
        )

    def assign_column(self, field: str) -> str:
        return (
            f"en «{self.mapping}» con una línea como "
            f"{self.map_example('COLUMNA', field)}"
        )

    def pick_column(self, field: str, column: str, position: int, ignore: str) -> str:
        return (
            f"Elegí una en «{self.mapping}» con la línea "
            f"{self.map_example(column, field)} (o por posición, "
            f"{self.map_example(f'#{position}', field)}) y descartá las otras con "
            f"{self.map_example('COLUMNA', ignore)}."
        )

    def choose_decimal(self) -> str:
        choices = _either([f"«{choice}»" for choice in self.decimal_choices])
        return f"elegí {choices} en «{self.decimal}»"

    def invalid_decimal(self, value: str) -> str:
        choices = [f"«{self.detect}»", *(f"«{c}»" for c in self.decimal_choices)]
        return (
            f'El separador decimal "{value}" no es válido. Elegí {_either(choices)} '
            f"en «{self.decimal}»."
        )

    def invalid_date_format(self, value: str, problem: str) -> str:
        return (
            f'El orden de las fechas "{value}" no es {problem}. En '
            f"«{self.date_format}» escribí {_either(self.date_orders)}, o un "
            "patrón como %d/%m/%Y, o dejalo vacío para que se detecte solo."
        )

    def find_shared_phones(self) -> str:
        return f"Buscalos por teléfono en «{self.customers}»."

    def unknown_sheet(self, file_name: str, sheet: str, sheets: Sequence[str]) -> str:
        return (
            f'{file_name} no tiene una hoja "{sheet}". {_sheet_list(sheets)} '
            f"Escribí una de ellas en «{self.sheet}», o dejá «{self.sheet}» vacía "
            "para que se elija sola."
        )

    def ambiguous_sheet(
        self, file_name: str, sheet: str, matches: Sequence[str]
    ) -> str:
        return (
            f'{file_name} tiene varias hojas que se llaman "{sheet}" si no se '
            f"cuentan mayúsculas ni espacios: {_quoted_list(matches)}. Escribí el "
            f"nombre exacto en «{self.sheet}»."
        )

    def sheet_of_text_file(self, file_name: str, sheet: str) -> str:
        return (
            f'Escribiste la hoja "{sheet}" en «{self.sheet}», pero {file_name} es '
            "un archivo de texto (CSV), que no tiene hojas. Dejá "
            f"«{self.sheet}» vacía para importarlo."
        )


def _field_labels() -> Mapping[str, str]:
    # Imported here, because `mapping` imports this module.
    from cobranza.ingest.mapping import FIELD_LABELS

    return FIELD_LABELS


# Sheet names listed in an error; a longer list ends with how many are left.
MAX_LISTED_SHEETS = 20


def _sheet_list(sheets: Sequence[str]) -> str:
    """Return the sentence that lists a workbook's sheets."""
    if not sheets:
        return "No tiene ninguna hoja con celdas, solo gráficos."
    if len(sheets) == 1:
        return f'Su única hoja es "{sheets[0]}".'
    return f"Sus hojas son {_quoted_list(sheets)}."


def _quoted_list(names: Sequence[str]) -> str:
    """Join names in quotes in Spanish, "a" y "b", with at most 20 of them."""
    quoted = [f'"{name}"' for name in names[:MAX_LISTED_SHEETS]]
    if len(names) > MAX_LISTED_SHEETS:
        quoted.append(f"{len(names) - MAX_LISTED_SHEETS} más")
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} y {quoted[-1]}"


def _either(words: Sequence[str]) -> str:
    """Join alternatives in Spanish: "a", "a o b", "a, b o c"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} o {words[-1]}"
