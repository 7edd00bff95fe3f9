"""Amount parsing with one decimal convention per file.

Whether `1.234` means one thousand or one point two is decided once for the
whole file, from the evidence in all its amount cells, never cell by cell:

- a value with both marks (`1.234,56`) or a mark followed by other than
  three digits (`1234,5`) proves the convention;
- a value whose only mark is followed by exactly three digits (`1.234`) is
  ambiguous;
- if nothing proves the convention, the country's convention is used only
  when it reads every ambiguous value with no more decimals than the
  currency has. So `1.234` in Argentina is 1234, but in Mexico it would be
  1.234 pesos, which settles nothing and needs the owner's choice
  (`--decimal`, or the import page's decimal mark control).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cobranza.ingest.errors import DecimalConventionError
from cobranza.ingest.hints import COMMAND_LINE, Hints
from cobranza.money import minor_units

COMMA = "comma"
POINT = "point"
CONVENTIONS = (COMMA, POINT)
# Accepted --decimal values for each convention: its name, its Spanish name
# or the mark itself.
_CONVENTION_NAMES = {
    "comma": COMMA,
    "coma": COMMA,
    ",": COMMA,
    "point": POINT,
    "punto": POINT,
    ".": POINT,
}

# Mexico and Peru write 1,234.56; the other supported countries write 1.234,56.
COUNTRY_CONVENTION = {
    "AR": COMMA,
    "BR": COMMA,
    "CL": COMMA,
    "CO": COMMA,
    "MX": POINT,
    "PE": POINT,
    "UY": COMMA,
}

# "M.N." (moneda nacional) and "pesos" follow amounts on Mexican invoices.
_CURRENCY_MARKS = re.compile(
    r"(R\$|US\$|U\$S|U\$D|S/\.?|\$|€|ARS|MXN|BRL|CLP|COP|PEN|UYU|USD|EUR|"
    r"M\.?\s?N\.?|pesos)",
    re.IGNORECASE,
)
# The ISO 4217 code each mark names. "$", "M.N." and "pesos" are left out
# because they name the country's own currency, so they are read as the
# business's.
_MARK_CURRENCIES = {
    "r$": "BRL", "us$": "USD", "u$s": "USD", "u$d": "USD", "usd": "USD",
    "€": "EUR", "eur": "EUR", "s/": "PEN", "s/.": "PEN", "ars": "ARS",
    "mxn": "MXN", "brl": "BRL", "clp": "CLP", "cop": "COP", "pen": "PEN",
    "uyu": "UYU",
}  # fmt: skip
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_BODY = re.compile(r"\d[\d.,]*|[.,]\d+")


@dataclass(frozen=True)
class AmountText:
    """An amount cell split into its sign and its digits-and-marks body."""

    negative: bool
    body: str


@dataclass(frozen=True)
class DecimalDecision:
    """The decimal convention of a file and how it was decided."""

    convention: str
    source: str  # "option", "file", "country" or "not needed"
    note: str  # Spanish, shown to the owner in the import report


# The Spanish name of each convention, for notes and messages.
MARK_NAMES = {COMMA: "coma decimal", POINT: "punto decimal"}


def convention_named(text: str) -> str | None:
    """Return the convention that `text` names ("coma", "Point", "."), or None."""
    return _CONVENTION_NAMES.get(text.strip().lower())


def split_amount(text: str) -> AmountText | None:
    """Strip currency marks, spaces and the sign; None if it is not an amount."""
    value = _SPACES.sub("", _CURRENCY_MARKS.sub("", text.strip()))
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    elif value.endswith("-"):
        negative, value = not negative, value[:-1]
    elif value.startswith("+"):
        value = value[1:]
    if not _BODY.fullmatch(value):
        return None
    return AmountText(negative, value)


def marked_currency(text: str) -> str | None:
    """Return the ISO 4217 code that a mark in an amount cell names, if any.

    `USD 100` returns "USD" and `$ 100` or `100` return None.
    """
    codes = {
        _MARK_CURRENCIES[mark.lower()]
        for mark in _CURRENCY_MARKS.findall(text)
        if mark.lower() in _MARK_CURRENCIES
    }
    return codes.pop() if len(codes) == 1 else None


def evidence(body: str) -> str | None:
    """Return COMMA or POINT if `body` proves a convention, "ambiguous" or None."""
    commas, points = body.count(","), body.count(".")
    if commas and points:
        return COMMA if body.rfind(",") > body.rfind(".") else POINT
    if not commas and not points:
        return None
    mark, count = (",", commas) if commas else (".", points)
    if count > 1:
        return POINT if mark == "," else COMMA
    decimals = len(body) - body.index(mark) - 1
    if decimals == 3 and body.index(mark) > 0:
        return "ambiguous"
    return COMMA if mark == "," else POINT


def decide_convention(
    bodies: Iterable[str],
    country: str,
    currency: str,
    option: str | None,
    hints: Hints = COMMAND_LINE,
) -> DecimalDecision:
    """Decide the file's decimal convention or raise `DecimalConventionError`.

    The note and the error name the owner's decimal control with `hints`.
    """
    if option is not None:
        return DecimalDecision(
            option, "option", f"{MARK_NAMES[option]}, elegida {hints.decimal_control}"
        )

    proofs: dict[str, str] = {}
    ambiguous: list[str] = []
    for body in bodies:
        found = evidence(body)
        if found in CONVENTIONS:
            proofs.setdefault(found, body)
        elif found == "ambiguous":
            ambiguous.append(body)

    if len(proofs) == 2:
        raise DecimalConventionError(
            f'Los importes mezclan separadores decimales: "{proofs[COMMA]}" tiene '
            f'coma decimal y "{proofs[POINT]}" punto decimal. Corregí el archivo '
            f"o {hints.choose_decimal()}.",
            examples=[proofs[COMMA], proofs[POINT]],
        )
    if proofs:
        (convention, example), *_ = proofs.items()
        return DecimalDecision(
            convention,
            "file",
            f'{MARK_NAMES[convention]}, según valores como "{example}"',
        )
    if not ambiguous:
        default = COUNTRY_CONVENTION.get(country.upper(), COMMA)
        # Spreadsheet number cells are not in `bodies`: they need no
        # convention, though they may have decimals that the currency rounds.
        return DecimalDecision(
            default,
            "not needed",
            "no hizo falta: ningún importe escrito como texto lleva coma ni "
            "punto decimal",
        )

    country_convention = COUNTRY_CONVENTION.get(country.upper())
    if country_convention is not None and all(
        _settles(body, country_convention, currency) for body in ambiguous
    ):
        return DecimalDecision(
            country_convention,
            "country",
            f'valores como "{ambiguous[0]}" son ambiguos, así que se usó la '
            f"convención de {country.upper()} ({MARK_NAMES[country_convention]})",
        )
    fix = hints.choose_decimal()
    raise DecimalConventionError(
        f'No se puede saber si "{ambiguous[0]}" tiene coma decimal o punto '
        f"decimal, y ningún importe del archivo lo aclara. {fix[:1].upper()}"
        f"{fix[1:]}.",
        examples=ambiguous[:3],
    )


def _settles(body: str, convention: str, currency: str) -> bool:
    parsed = parse_body(body, convention)
    if parsed is None:
        return False
    return -parsed.as_tuple().exponent <= minor_units(currency)  # type: ignore[operator]


def parse_body(body: str, convention: str) -> Decimal | None:
    """Read a split amount body under `convention`; None if it does not fit."""
    decimal_mark, group_mark = (",", ".") if convention == COMMA else (".", ",")
    if body.count(decimal_mark) > 1:
        return None
    whole, _, fraction = body.partition(decimal_mark)
    if group_mark in whole:
        groups = whole.split(group_mark)
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            return None
        whole = "".join(groups)
    if group_mark in fraction:
        return None
    try:
        if fraction:
            return Decimal(f"{whole or '0'}.{fraction}")
        return Decimal(whole)
    except InvalidOperation:
        return None
