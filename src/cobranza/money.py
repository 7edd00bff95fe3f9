"""Exact money: `Decimal` amounts with an ISO 4217 currency.

Amounts are rounded only at presentation, to the currency's minor units as
Babel's CLDR data gives them (2 for ARS, 0 for CLP). COP is an exception in
practice: CLDR gives it 2 decimals, but Colombian invoices and Mercado Pago
use whole pesos, so it is listed in `WHOLE_UNIT_CURRENCIES`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision

WHOLE_UNIT_CURRENCIES = frozenset({"CLP", "COP", "PYG"})

# Amounts are stored as 64-bit counts of ten-thousandths (max about 9.2e14).
MAX_AMOUNT = Decimal(10) ** 14

# An amount as a person types it for the CLI or a payments file: ASCII
# digits and a point as the decimal mark. Decimal() alone would also accept
# NaN, Infinity, exponents, "1_000" and non-ASCII digits such as "１２３".
_TYPED_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def parse_amount(text: str) -> Decimal:
    """Parse an amount typed with a decimal point, such as "12500.50".

    Raises `ValueError` with a Spanish message for anything else, and that
    message says so when the digits are not ASCII 0 to 9.
    """
    value = text.strip()
    if _TYPED_AMOUNT.fullmatch(value):
        return Decimal(value)
    if any(char.isdecimal() and not char.isascii() for char in value):
        raise ValueError(
            f"monto inválido {text!r}: tiene dígitos que no son los ASCII 0 a 9. "
            "Escribilo con 0 a 9, punto decimal y sin separador de miles, "
            "como 12500.50"
        )
    raise ValueError(
        f"monto inválido {text!r}: escribilo con punto decimal y sin separador "
        "de miles, como 12500.50"
    )


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


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """Format an amount for people, such as "$ 125.000,00" for es_AR."""
    digits = minor_units(currency)
    pattern = "¤ #,##0" + ("." + "0" * digits if digits else "")
    return format_currency(
        quantize(amount, currency),
        currency.upper(),
        format=pattern,
        locale=locale,
        currency_digits=False,
    )
