from __future__ import annotations

from decimal import Decimal

import pytest

from cobranza.ingest.amounts import (
    COMMA,
    POINT,
    decide_convention,
    evidence,
    parse_body,
    split_amount,
)
from cobranza.ingest.errors import DecimalConventionError


def _read(text: str, convention: str) -> Decimal | None:
    split = split_amount(text)
    assert split is not None
    value = parse_body(split.body, convention)
    assert value is not None
    return -value if split.negative else value


@pytest.mark.parametrize(
    ("text", "convention", "expected"),
    [
        ("1.234,56", COMMA, "1234.56"),
        ("$ 1.234,56", COMMA, "1234.56"),
        ("$1,234.56", POINT, "1234.56"),
        ("1234.56", POINT, "1234.56"),
        ("-5.000,00", COMMA, "-5000"),
        ("(1.234,56)", COMMA, "-1234.56"),
        ("1.234.567,8", COMMA, "1234567.8"),
        ("US$ 10", POINT, "10"),
        ("R$ 1.500,00", COMMA, "1500"),
        ("1 234,56", COMMA, "1234.56"),
        ("500-", COMMA, "-500"),
        ("$1,234.50 M.N.", POINT, "1234.5"),
        ("$ 2,000.00 MN", POINT, "2000"),
        ("1,500.00 pesos", POINT, "1500"),
    ],
)
def test_amount_formats(text: str, convention: str, expected: str) -> None:
    assert _read(text, convention) == Decimal(expected)


def test_wrong_grouping_does_not_parse() -> None:
    assert parse_body("1234.56", COMMA) is None
    assert parse_body("12.34.567", COMMA) is None


@pytest.mark.parametrize("text", ["abc", "", "12a", "--", "MN", "M.N. 12a"])
def test_not_an_amount(text: str) -> None:
    assert split_amount(text) is None


def test_evidence_classes() -> None:
    assert evidence("1.234,56") == COMMA
    assert evidence("1,234.56") == POINT
    assert evidence("1234,5") == COMMA
    assert evidence("1.234.567") == COMMA
    assert evidence("1.234") == "ambiguous"
    assert evidence("1234") is None


def test_file_evidence_decides_for_every_value() -> None:
    decision = decide_convention(["1.234", "99,50"], "MX", "MXN", None)

    assert decision.convention == COMMA
    assert decision.source == "file"


def test_mixed_conventions_ask_for_option() -> None:
    with pytest.raises(DecimalConventionError) as caught:
        decide_convention(["1.234,56", "1,234.56"], "AR", "ARS", None)

    assert "--decimal" in str(caught.value)


def test_ambiguous_values_use_country_when_it_settles() -> None:
    decision = decide_convention(["1.234", "5.000"], "AR", "ARS", None)

    assert decision.convention == COMMA
    assert decision.source == "country"
    assert "ambiguos" in decision.note


def test_ambiguous_values_that_country_cannot_settle_ask() -> None:
    # In Mexico 1.234 would be 1.234 pesos: more decimals than MXN has.
    with pytest.raises(DecimalConventionError) as caught:
        decide_convention(["1.234", "2.500"], "MX", "MXN", None)

    assert "--decimal comma|point" in str(caught.value)
    assert caught.value.details["examples"] == ["1.234", "2.500"]


def test_option_wins() -> None:
    decision = decide_convention(["1.234"], "MX", "MXN", POINT)

    assert decision.convention == POINT
    assert decision.source == "option"


def test_whole_numbers_need_no_decision() -> None:
    assert decide_convention(["1234", "5"], "AR", "ARS", None).source == "not needed"


def test_three_written_decimals_never_settle() -> None:
    # With a decimal comma, 1,230 would be 1.230 pesos: three decimals for a
    # currency that has two, so the country cannot settle it.
    with pytest.raises(DecimalConventionError):
        decide_convention(["1,230"], "AR", "ARS", None)
