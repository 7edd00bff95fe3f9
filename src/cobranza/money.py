"""Exact money: `Decimal` amounts with an ISO 4217 currency.

Amounts are rounded only at presentation, to the currency's minor units as
Babel's CLDR data gives them (2 for ARS, 0 for CLP). COP is an exception in
practice: CLDR gives it 2 decimals, but Colombian invoices and Mercado Pago
use whole pesos, so it is listed in `WHOLE_UNIT_CURRENCIES`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_group_symbol,
)

WHOLE_UNIT_CURRENCIES = frozenset({"CLP", "COP", "PYG"})

# Amounts are stored as 64-bit counts of ten-thousandths (max about 9.2e14).
MAX_AMOUNT = Decimal(10) ** 14

# An amount as a person types it for the CLI or a payments file: ASCII
# digits, points and commas. Decimal() alone would also accept NaN,
# Infinity, exponents, "1_000" and non-ASCII digits such as "１２３".
_TYPED_AMOUNT = re.compile(r"[+-]?[0-9][0-9.,]*")
_PLAIN_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def parse_amount(text: str, locale: str, currency: str | None = None) -> Decimal:
    """Parse an amount typed by a business in `locale`.

    A point or a comma may separate thousands or decimals. When both appear,
    the last one is the decimal mark ("4,322.32", "4.322,32"). A mark that
    appears more than once separates thousands ("1.234.567"). A single mark
    followed by exactly three digits ("4,322") is read as thousands when it
    is the locale's group separator (the comma in es_MX, the point in
    es_AR), and rejected as ambiguous otherwise. Any other single mark is
    the decimal mark ("12500.50", "5000,5").

    Raises `ValueError` with a Spanish message naming the value. Its
    examples are whole numbers ("12.500") when `currency` has no decimals,
    as CLP, and have two decimals ("12.500,50") otherwise.
    """
    value = text.strip()
    if any(char.isdecimal() and not char.isascii() for char in value):
        example = _example_amount(currency)
        raise ValueError(
            f"monto inválido {text!r}: tiene dígitos que no son los ASCII 0 a 9. "
            f"Escribilo con 0 a 9, como {example}"
        )
    if not _TYPED_AMOUNT.fullmatch(value) or value[-1] in ".,":
        raise _invalid(text, locale, currency)

    plain = _without_grouping(value, text, locale, currency)
    if not _PLAIN_AMOUNT.fullmatch(plain):
        raise _invalid(text, locale, currency)
    return Decimal(plain)


def parse_amount_input(text: str, locale: str, currency: str | None = None) -> Decimal:
    """Parse an amount an owner typed, on a page or the CLI, in `locale`.

    A currency sign ("$", "R$", "US$", Uruguay's "U$S", Peru's "S/" and
    "S/."), the ISO code of a supported currency ("USD 400") and spaces are
    dropped, then the
    text is read as `parse_amount` reads it: "15.000,50" in es_AR,
    "15,000.50" in es_MX, and "1,500" is 1500 in es_MX but ambiguous in
    es_AR. Raises `ValueError` with a Spanish message naming the value and
    examples that fit `currency`.
    """
    cleaned = _CURRENCY_SIGNS.sub("", text).replace(" ", "").replace("\u00a0", "")
    return parse_amount(cleaned, locale, currency)


# Signs an owner may paste with an amount, longest first.
_CURRENCY_SIGNS = re.compile(
    r"R\$|US\$|U\$S|S/\.?|\$|\b(?:USD|EUR|ARS|BRL|CLP|COP|MXN|PEN|UYU)\b",
    re.IGNORECASE,
)


def _without_grouping(value: str, text: str, locale: str, currency: str | None) -> str:
    """Return `value` with no thousands marks and a point as the decimal mark."""
    group = get_group_symbol(locale)
    marks = [char for char in value if char in ".,"]
    if not marks:
        return value
    decimal_mark: str | None = marks[-1]
    if len(set(marks)) == 1 and len(marks) > 1:
        decimal_mark = None
    elif len(marks) == 1:
        fraction = value.rsplit(marks[0], 1)[1]
        if len(fraction) == 3 and marks[0] == group:
            decimal_mark = None
        elif len(fraction) == 3:
            raise _ambiguous(text, value, marks[0], currency)

    whole, _, fraction = (
        value.rpartition(decimal_mark) if decimal_mark else (value, "", "")
    )
    group_mark = ({".", ","} - {decimal_mark}).pop() if decimal_mark else marks[0]
    if group_mark in whole and not _GROUPED.fullmatch(
        whole.lstrip("+-").replace(group_mark, ",")
    ):
        raise _invalid(text, locale, currency)
    if decimal_mark and decimal_mark in whole:
        raise _invalid(text, locale, currency)
    whole = whole.replace(group_mark, "")
    return f"{whole}.{fraction}" if decimal_mark else whole


# A whole part with thousands marks (written as commas): 1 to 3 digits, then
# groups of exactly three.
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")


def _ambiguous(text: str, value: str, mark: str, currency: str | None) -> ValueError:
    whole, _, fraction = value.rpartition(mark)
    thousands = f"{whole}{fraction}"
    # An amount in a currency without decimals has no two-decimal form.
    alternative = "" if _has_no_decimals(currency) else ", o con dos decimales"
    return ValueError(
        f"monto ambiguo {text!r}: puede ser {thousands} (la «{mark}» separa los "
        f"miles) o {whole} con {fraction} milésimos (la «{mark}» separa los "
        f"decimales). Escribilo sin separador de miles, como {thousands}"
        f"{alternative}"
    )


def _invalid(text: str, locale: str, currency: str | None) -> ValueError:
    # The examples use the locale's marks (12.500,50 in es_AR, 12,500.50 in
    # es_MX) and no decimals for a currency without them (12.500 in es_CL).
    example = _example_amount(currency)
    if _has_no_decimals(currency):
        plain = format_decimal(example, format="0", locale=locale)
        grouped = format_decimal(example, format="#,##0", locale=locale)
        return ValueError(
            f"monto inválido {text!r}: escribilo con dígitos y, si querés, "
            f"separador de miles, como {plain} o {grouped}"
        )
    plain = format_decimal(example, format="0.00", locale=locale)
    grouped = format_decimal(example, format="#,##0.00", locale=locale)
    return ValueError(
        f"monto inválido {text!r}: escribilo con dígitos, un separador decimal y, "
        f"si querés, separador de miles, como {plain} o {grouped}"
    )


def _has_no_decimals(currency: str | None) -> bool:
    return currency is not None and minor_units(currency) == 0


def _example_amount(currency: str | None) -> Decimal:
    """Return the sample amount of error messages, without cents for CLP."""
    return Decimal(12500) if _has_no_decimals(currency) else Decimal("12500.50")


def minor_units(currency: str) -> int:
    """Return the number of decimals used when presenting `currency`."""
    if currency.upper() in WHOLE_UNIT_CURRENCIES:
        return 0
    return int(get_currency_precision(currency.upper()))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` half-up to the currency's minor unit."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert an amount to an integer count of minor units (cents)."""
    return int(quantize(amount, currency).scaleb(minor_units(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    """Convert an integer count of minor units back to a `Decimal`."""
    return Decimal(units).scaleb(-minor_units(currency))


def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """Format an amount without the currency sign, such as "15,000.00" for es_MX.

    The marks are the locale's and the decimals the currency's, so COP
    amounts in es_CO read "15.000".
    """
    digits = minor_units(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(quantize(amount, currency), format=pattern, locale=locale)


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """Format an amount for people: "$ 125.000,00" for es_AR, "$1.250" for es_CL.

    A sign of letters ("USD", "PEN") is spaced from the digits in every
    locale, as CLDR's currency spacing rule requires.
    """
    code = currency.upper()
    sign = get_currency_symbol(code, locale)
    space = " " if _spaced_sign(locale) or sign[-1:].isalpha() else ""
    digits = minor_units(code)
    pattern = "¤" + space + "#,##0" + ("." + "0" * digits if digits else "")
    text = format_currency(
        quantize(amount, code),
        code,
        format=pattern,
        locale=locale,
        currency_digits=False,
    )
    override = _SIGN_OVERRIDES.get((locale, code))
    return text.replace(sign, override, 1) if override else text


# Whether a space separates the currency sign from the digits, where
# cobranza departs from CLDR (CLDR 49, in Babel 2.19, writes "$1.234,56" for
# es_AR). Argentine amounts keep the space that cobranza has printed since
# its first version, which the Argentine messages and their tests pin.
_SPACED_SIGN = {"es_AR": True}

# Signs that replace CLDR's for a currency in a locale. CLDR 49 gives es_PE
# "USD", but Peruvian businesses write dollars as "US$ 2,500.00".
_SIGN_OVERRIDES = {("es_PE", "USD"): "US$"}


@lru_cache(maxsize=64)
def _spaced_sign(locale: str) -> bool:
    """Return whether `locale` separates the currency sign from the digits.

    CLDR's standard currency pattern decides: "¤#,##0.00" (es_CL, es_MX,
    es_CO) has no space and "¤ #,##0.00" (es_PE, es_UY, pt_BR) one. The
    space is a plain one, not CLDR's no-break space, because messages go out
    as WhatsApp text that owners and debtors search and copy. A locale that
    puts the sign last ("es": "#,##0.00 ¤") still gets it first, spaced, as
    every Latin American locale writes it.
    """
    if locale in _SPACED_SIGN:
        return _SPACED_SIGN[locale]
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return not pattern.startswith("¤") or pattern[1:2] in (" ", "\u00a0")
