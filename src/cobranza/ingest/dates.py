"""Date cells: day/month order decided once per file, Excel serials, ISO.

Numeric dates such as 03/04/2026 are read day first (dd/mm/yyyy) unless the
file proves month first: some second field above 12 and no first field above
12, as in 1/15/2013. The owner's option (`--date-format`, or the import
page's «Orden de las fechas») overrides the decision with `dmy`, `mdy`,
`ymd`, their Spanish names ("día/mes/año", "dd/mm/aaaa") or a `strptime`
pattern such as `%d.%m.%Y`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cobranza.ingest.errors import DateFormatError
from cobranza.ingest.hints import COMMAND_LINE, Hints

DMY, MDY, YMD = "dmy", "mdy", "ymd"
ORDERS = (DMY, MDY, YMD)

# Each order as notes and the import page name it.
ORDER_NAMES = {DMY: "día/mes/año", MDY: "mes/día/año", YMD: "año/mes/día"}
# Each order written as a date template, as owners often type it.
_ORDER_TEMPLATES = {DMY: "dd/mm/aaaa", MDY: "mm/dd/aaaa", YMD: "aaaa-mm-dd"}
_SPELLING_MARKS = re.compile(r"[\s/.-]+")

# Excel's 1900 date system counts days from 1899-12-30 (it keeps Lotus 1-2-3's
# phantom 29 February 1900, so serials above 60 line up with this origin).
_EXCEL_EPOCH = date(1899, 12, 30)
# Serials from 1954-10-03 to 2173-10-13: an invoice date outside that range
# is more likely a number typed into the wrong column.
_SERIAL_RANGE = (20000, 100000)
# The same range for every date, so 01/01/1900 typed as text or stored as an
# XLSX date is rejected like the serial 1 would be.
_PLAUSIBLE_RANGE = (
    _EXCEL_EPOCH + timedelta(days=_SERIAL_RANGE[0]),
    _EXCEL_EPOCH + timedelta(days=_SERIAL_RANGE[1]),
)

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[T ].*)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_SHORT_YMD = re.compile(r"(\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
# "5 ene 2026", "30-Nov-15", and written out as "15 de enero de 2026" or,
# in Mexico, "15 de enero del 2026".
_NAMED = re.compile(
    r"(\d{1,2})(?:[-/. ]|\s+de\s+)([^\W\d_]{3,})\.?(?:[-/. ]|\s+del?\s+)"
    r"(\d{2}|\d{4})(?:[T ].*)?",
    re.IGNORECASE,
)

_MONTHS = {
    "jan": 1, "ene": 1, "janeiro": 1, "enero": 1, "january": 1,
    "feb": 2, "fev": 2, "febrero": 2, "fevereiro": 2, "february": 2,
    "mar": 3, "marzo": 3, "marco": 3, "march": 3,
    "apr": 4, "abr": 4, "abril": 4, "april": 4,
    "may": 5, "mai": 5, "mayo": 5, "maio": 5,
    "jun": 6, "junio": 6, "junho": 6, "june": 6,
    "jul": 7, "julio": 7, "julho": 7, "july": 7,
    "aug": 8, "ago": 8, "agosto": 8, "august": 8,
    "sep": 9, "set": 9, "sept": 9, "septiembre": 9, "setiembre": 9,
    "setembro": 9, "september": 9,
    "oct": 10, "out": 10, "octubre": 10, "outubro": 10, "october": 10,
    "nov": 11, "noviembre": 11, "novembro": 11, "november": 11,
    "dec": 12, "dic": 12, "dez": 12, "diciembre": 12, "dezembro": 12,
    "december": 12,
}  # fmt: skip


@dataclass(frozen=True)
class DateDecision:
    """The order used for numeric dates in a file and why."""

    order: str
    source: str  # "option", "file" or "default"
    note: str
    pattern: str | None = None
    # The file has both day-first and month-first dates.
    conflicting: bool = False


def _spelling(text: str) -> str:
    """Return `text` lower-case, without accents, spaces or date separators."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPELLING_MARKS.sub("", letters)


_ORDER_SPELLINGS = {
    _spelling(text): order
    for order in ORDERS
    for text in (order, ORDER_NAMES[order], _ORDER_TEMPLATES[order])
}


def validate_date_option(option: str, hints: Hints = COMMAND_LINE) -> str:
    """Return the order or pattern of a date option, or raise `DateFormatError`.

    An order may be written as its code (`dmy`), its Spanish name
    ("día/mes/año") or its template ("dd/mm/aaaa").
    """
    value = option.strip()
    order = _ORDER_SPELLINGS.get(_spelling(value))
    if order is not None:
        return order
    if "%" in value:
        try:
            _strptime_date(date(2026, 1, 31).strftime(value), value)
        except ValueError as exc:
            raise DateFormatError(
                hints.invalid_date_format(option, "un patrón de fecha válido"),
                option=option,
            ) from exc
        return value
    raise DateFormatError(hints.invalid_date_format(option, "válido"), option=option)


def decide_order(
    texts: Iterable[str], option: str | None, hints: Hints = COMMAND_LINE
) -> DateDecision:
    """Decide day/month order from every numeric date text in the file.

    The note and any error name the owner's date control with `hints`.
    """
    if option is not None:
        value = validate_date_option(option, hints)
        note = f"{ORDER_NAMES.get(value, value)}, elegido {hints.date_control}"
        if value in ORDERS:
            return DateDecision(value, "option", note)
        return DateDecision(DMY, "option", note, value)

    first_example: str | None = None
    second_example: str | None = None
    numeric_count = 0
    iso_example: str | None = None
    for text in texts:
        if iso_example is None and _ISO.fullmatch(text.strip()):
            iso_example = text
        match = _NUMERIC.fullmatch(text.strip())
        if match is None:
            continue
        numeric_count += 1
        if int(match.group(1)) > 12 and first_example is None:
            first_example = text
        if int(match.group(2)) > 12 and second_example is None:
            second_example = text

    if second_example is not None and first_example is None:
        return DateDecision(
            MDY, "file", f'mes/día/año, según "{second_example.strip()}"'
        )
    if second_example is not None and first_example is not None:
        return DateDecision(
            DMY,
            "default",
            f'día/mes/año por defecto, aunque "{first_example.strip()}" tiene el '
            f'día primero y "{second_example.strip()}" el mes primero. Las filas '
            f"que no encajan se rechazan: elegí el orden {hints.date_control}",
            conflicting=True,
        )
    return DateDecision(DMY, "default", _default_note(numeric_count, iso_example))


def _default_note(numeric_count: int, iso_example: str | None) -> str:
    """Describe the dates found when the file does not prove month first.

    An ISO date (2026-03-09) is read year first whatever the order, so a
    file whose only text dates are ISO is reported as such, not as day first.
    """
    iso = f'año-mes-día (ISO), como "{iso_example.strip()}"' if iso_example else ""
    if numeric_count == 0:
        return iso or ORDER_NAMES[DMY]
    if iso:
        return f"{ORDER_NAMES[DMY]}. Las fechas con el año primero se leen como {iso}"
    return ORDER_NAMES[DMY]


def parse_date(value: object, decision: DateDecision) -> date | None:
    """Read a date cell; None when empty, `ValueError` when it is not a date.

    A real date outside 1954-10-03 to 2173-10-13 also raises, because an
    invoice from then is more likely a typing error or the wrong column.
    The `ValueError` text is Spanish and completes "La fecha "…" …".
    """
    day = _parse_any(value, decision)
    if day is None:
        return None
    first, end = _PLAUSIBLE_RANGE
    if not first <= day < end:
        raise ValueError(
            f"está fuera del rango posible, de {first.isoformat()} a "
            f"{(end - timedelta(days=1)).isoformat()}. Revisá el año y la columna"
        )
    return day


def _parse_any(value: object, decision: DateDecision) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))

    text = str(value).strip()
    if not text:
        return None
    if decision.pattern is not None:
        try:
            return _strptime_date(text, decision.pattern)
        except ValueError as exc:
            raise ValueError(f"no sigue el formato {decision.pattern}") from exc
    return _parse_text(text, decision.order)


def _parse_text(text: str, order: str) -> date:
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _build(year, month, day)
    if order == YMD and (match := _SHORT_YMD.fullmatch(text)):
        year_text, month_text, day_text = match.groups()
        return _build(_full_year(year_text), int(month_text), int(day_text))
    if match := _NUMERIC.fullmatch(text):
        first, second, year_text = match.groups()
        year = _full_year(year_text)
        if order == MDY:
            return _build(year, int(first), int(second))
        return _build(year, int(second), int(first))
    if match := _NAMED.fullmatch(text):
        day_text, month_name, year_text = match.groups()
        month_number = _MONTHS.get(_fold(month_name))
        if month_number is None:
            raise ValueError(f'tiene un mes desconocido, "{month_name}"')
        return _build(_full_year(year_text), month_number, int(day_text))
    if match := _COMPACT.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _build(year, month, day)
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text))
    raise ValueError("no es una fecha. Usá dd/mm/aaaa o aaaa-mm-dd")


def _strptime_date(text: str, pattern: str) -> date:
    # Only the calendar day is kept, so the missing zone does not matter.
    return datetime.strptime(text, pattern).date()  # noqa: DTZ007


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(
            f"no existe en el calendario (día {day}, mes {month}, año {year})"
        ) from exc


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return 2000 + year if year < 70 else 1900 + year
    return year


def _from_serial(serial: float) -> date:
    low, high = _SERIAL_RANGE
    if not (low <= serial < high):
        raise ValueError(
            f"es el número {serial:g}, que no es un número de fecha de Excel "
            f"posible (de {low} a {high})"
        )
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _fold(text: str) -> str:
    return (
        text.lower()
        .replace("ç", "c")
        .replace("é", "e")
        .replace("í", "i")
        .replace("ã", "a")
    )
