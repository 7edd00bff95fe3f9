"""Exact money: `Decimal` amounts with an ISO 4217 currency.

Amounts are rounded only at presentation, to the currency's minor units as
Babel's CLDR data gives them (2 for ARS, 0 for CLP). COP is an exception in
practice: CLDR gives it 2 decimals, but Colombian invoices and Mercado Pago
use whole pesos, so it is listed in `WHOLE_UNIT_CURRENCIES`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision

WHOLE_UNIT_CURRENCIES = frozenset({"CLP", "COP", "PYG"})


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
