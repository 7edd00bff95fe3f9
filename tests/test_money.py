"""Typed amounts: ASCII digits, with thousands marks read per locale."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobranza.money import format_money, parse_amount, parse_amount_input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500.50", Decimal("12500.50")),
        (" 10 ", Decimal("10")),
        ("-5", Decimal("-5")),
        ("+0.5", Decimal("0.5")),
        ("5000,5", Decimal("5000.5")),
        ("1,5", Decimal("1.5")),
    ],
)
@pytest.mark.parametrize("locale", ["es_AR", "es_MX"])
def test_parse_amount_plain_number(text: str, expected: Decimal, locale: str) -> None:
    assert parse_amount(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("4,322.32", "es_MX", Decimal("4322.32")),
        ("4,322", "es_MX", Decimal("4322")),
        ("1,234,567.89", "es_MX", Decimal("1234567.89")),
        ("4.322,32", "es_AR", Decimal("4322.32")),
        ("4.322", "es_AR", Decimal("4322")),
        ("1.234.567", "es_AR", Decimal("1234567")),
        # Both marks: the last one is the decimal mark in any locale.
        ("4.322,32", "es_MX", Decimal("4322.32")),
        ("4,322.32", "es_AR", Decimal("4322.32")),
        ("1.500", "es_CL", Decimal("1500")),
    ],
)
def test_parse_amount_thousands_per_locale(
    text: str, locale: str, expected: Decimal
) -> None:
    assert parse_amount(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "thousands", "decimal"),
    [
        ("4.322", "es_MX", "4322 (la «.» separa los miles)", "4 con 322 milésimos"),
        ("4,322", "es_AR", "4322 (la «,» separa los miles)", "4 con 322 milésimos"),
    ],
)
def test_parse_amount_rejects_ambiguous_mark(
    text: str, locale: str, thousands: str, decimal: str
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_amount(text, locale)

    message = str(caught.value)
    assert f"monto ambiguo {text!r}" in message
    assert thousands in message
    assert decimal in message


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        "1e999",
        "1E+3",
        "1_000",
        ".5",
        "5.",
        "",
        "diez",
        "1.23.456",
        "12,34.5",
        "4,322,32",
        "1,234.567.8",
        "$ 100",
    ],
)
def test_parse_amount_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="escribilo con dígitos") as caught:
        parse_amount(text, "es_MX")

    assert f"monto inválido {text!r}" in str(caught.value)


@pytest.mark.parametrize("text", ["１２３", "١٢٣", "۱۲۳", "12３.50"])
def test_parse_amount_rejects_non_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="no son los ASCII 0 a 9") as caught:
        parse_amount(text, "es_AR")

    assert f"monto inválido {text!r}" in str(caught.value)


@pytest.mark.parametrize(
    ("locale", "examples"),
    [
        ("es_CO", "como 12500,50 o 12.500,50"),
        ("es_AR", "como 12500,50 o 12.500,50"),
        ("es_MX", "como 12500.50 o 12,500.50"),
    ],
)
def test_invalid_amount_examples_follow_locale(locale: str, examples: str) -> None:
    # A Colombian owner writes 12.500,50; an example with a decimal point
    # would teach the wrong separators.
    with pytest.raises(ValueError) as caught:
        parse_amount("diez", locale)

    assert str(caught.value).endswith(examples)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("S/ 1,350.00", "es_PE", Decimal("1350.00")),
        ("S/. 1,350.00", "es_PE", Decimal("1350.00")),
        ("S/1,350", "es_PE", Decimal("1350")),
        ("U$S 1.350,50", "es_UY", Decimal("1350.50")),
        ("$ 1.350,50", "es_UY", Decimal("1350.50")),
        ("USD 1.350,50", "es_UY", Decimal("1350.50")),
        ("1,350.00 pen", "es_PE", Decimal("1350.00")),
    ],
)
def test_typed_amount_drops_currency_sign(
    text: str, locale: str, expected: Decimal
) -> None:
    assert parse_amount_input(text, locale) == expected


@pytest.mark.parametrize(
    ("locale", "currency", "examples"),
    [
        ("es_CL", "CLP", "como 12500 o 12.500"),
        ("es_CO", "COP", "como 12500 o 12.500"),
        ("es_AR", "ARS", "como 12500,50 o 12.500,50"),
        ("es_CL", "USD", "como 12500,50 o 12.500,50"),
    ],
)
def test_invalid_amount_examples_follow_currency(
    locale: str, currency: str, examples: str
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_amount("diez", locale, currency)

    message = str(caught.value)
    assert message.endswith(examples)
    if currency in ("CLP", "COP"):
        assert "separador decimal" not in message


def test_ambiguous_amount_without_decimals_offers_whole() -> None:
    with pytest.raises(ValueError) as caught:
        parse_amount("12,500", "es_CL", "CLP")

    message = str(caught.value)
    assert message.endswith("Escribilo sin separador de miles, como 12500")
    assert "dos decimales" not in message


def test_ambiguous_amount_with_decimals_offers_cents() -> None:
    with pytest.raises(ValueError) as caught:
        parse_amount("12,500", "es_AR", "ARS")

    assert str(caught.value).endswith("como 12500, o con dos decimales")


def test_non_ascii_digits_example_follows_currency() -> None:
    with pytest.raises(ValueError) as caught:
        parse_amount("١٢٣", "es_CL", "CLP")

    assert str(caught.value).endswith("Escribilo con 0 a 9, como 12500")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        # CLDR writes the sign unspaced in Chile, Colombia and Mexico ...
        ("1234567", "CLP", "es_CL", "$1.234.567"),
        ("1234567", "COP", "es_CO", "$1.234.567"),
        ("1234.5", "MXN", "es_MX", "$1,234.50"),
        ("800", "USD", "es_CO", "US$800,00"),
        # ... and spaced in Peru, Uruguay and Brazil.
        ("2500", "PEN", "es_PE", "S/ 2,500.00"),
        ("1234.5", "UYU", "es_UY", "$ 1.234,50"),
        ("1234.5", "BRL", "pt_BR", "R$ 1.234,50"),
        # Peru writes dollars as US$, where CLDR has USD.
        ("2500", "USD", "es_PE", "US$ 2,500.00"),
        # A sign of letters is spaced from the digits everywhere.
        ("800", "USD", "es_MX", "USD 800.00"),
        ("10.5", "EUR", "es_CL", "EUR 10,50"),
        # Argentina keeps its space, unlike CLDR.
        ("125000", "ARS", "es_AR", "$ 125.000,00"),
        ("-5000", "ARS", "es_AR", "-$ 5.000,00"),
        ("-5000", "CLP", "es_CL", "-$5.000"),
    ],
)
def test_format_money_per_locale(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert format_money(Decimal(amount), currency, locale) == expected
