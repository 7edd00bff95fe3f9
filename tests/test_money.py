"""Typed amounts: ASCII digits and a decimal point, nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobranza.money import parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500.50", Decimal("12500.50")),
        (" 10 ", Decimal("10")),
        ("-5", Decimal("-5")),
        ("+0.5", Decimal("0.5")),
    ],
)
def test_parse_amount_plain_number(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


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
        "12.500,50",
        "1,5",
        ".5",
        "5.",
        "",
        "diez",
    ],
)
def test_parse_amount_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="escribilo con punto decimal") as caught:
        parse_amount(text)

    assert f"monto inválido {text!r}" in str(caught.value)


@pytest.mark.parametrize("text", ["１２３", "١٢٣", "۱۲۳", "12３.50"])
def test_parse_amount_rejects_non_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="no son los ASCII 0 a 9") as caught:
        parse_amount(text)

    assert f"monto inválido {text!r}" in str(caught.value)
