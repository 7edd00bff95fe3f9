"""Each currency a reply names, with its own day and sum."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobranza.conversations.currency_days import CurrencyDay, currency_days

# Monday 7 December 2026.
TODAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 11)
MONTH_END = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "locale", "local", "expected"),
    [
        (
            "los dólares el viernes y los pesos a fin de mes",
            "es_AR",
            "ARS",
            [CurrencyDay("USD", FRIDAY, None), CurrencyDay("ARS", MONTH_END, None)],
        ),
        # Named latest first, returned earliest first, with their sums.
        (
            "$ 100.000 a fin de mes y US$ 300 el viernes",
            "es_AR",
            "ARS",
            [
                CurrencyDay("USD", FRIDAY, Decimal("300")),
                CurrencyDay("ARS", MONTH_END, Decimal("100000")),
            ],
        ),
        (
            "el viernes te paso los verdes, y a fin de mes los pesos",
            "es_UY",
            "UYU",
            [CurrencyDay("USD", FRIDAY, None), CurrencyDay("UYU", MONTH_END, None)],
        ),
        (
            "os dólares na sexta e os reais no fim do mês",
            "pt_BR",
            "BRL",
            [CurrencyDay("USD", FRIDAY, None), CurrencyDay("BRL", MONTH_END, None)],
        ),
        # "y" inside a number does not split it.
        (
            "treinta y cinco dólares el viernes y cuarenta mil pesos a fin de mes",
            "es_AR",
            "ARS",
            [
                CurrencyDay("USD", FRIDAY, Decimal("35")),
                CurrencyDay("ARS", MONTH_END, Decimal("40000")),
            ],
        ),
        # "reales" is Spanish for reais.
        (
            "los reales el viernes y los pesos a fin de mes",
            "es_AR",
            "ARS",
            [CurrencyDay("BRL", FRIDAY, None), CurrencyDay("ARS", MONTH_END, None)],
        ),
        (
            "dale, los dólares hoy y los pesos el viernes",
            "es_AR",
            "ARS",
            [CurrencyDay("USD", TODAY, None), CurrencyDay("ARS", FRIDAY, None)],
        ),
    ],
)
def test_currency_days(
    text: str, locale: str, local: str, expected: list[CurrencyDay]
) -> None:
    assert currency_days(text, TODAY, locale, local) == expected


BOTH = frozenset({"USD", "ARS"})


@pytest.mark.parametrize(
    ("text", "locale", "local", "owed", "expected"),
    [
        (
            "los dólares el viernes y el resto a fin de mes",
            "es_AR",
            "ARS",
            BOTH,
            [CurrencyDay("USD", FRIDAY, None), CurrencyDay("ARS", MONTH_END, None)],
        ),
        (
            "el viernes te paso los pesos y lo demás a fin de mes",
            "es_AR",
            "ARS",
            BOTH,
            [CurrencyDay("ARS", FRIDAY, None), CurrencyDay("USD", MONTH_END, None)],
        ),
        # The rest named first.
        (
            "el resto a fin de mes y los dólares el viernes",
            "es_AR",
            "ARS",
            BOTH,
            [CurrencyDay("USD", FRIDAY, None), CurrencyDay("ARS", MONTH_END, None)],
        ),
        (
            "os dólares na sexta e o resto no fim do mês",
            "pt_BR",
            "BRL",
            frozenset({"USD", "BRL"}),
            [CurrencyDay("USD", FRIDAY, None), CurrencyDay("BRL", MONTH_END, None)],
        ),
    ],
)
def test_rest_is_other_currency(
    text: str,
    locale: str,
    local: str,
    owed: frozenset[str],
    expected: list[CurrencyDay],
) -> None:
    assert currency_days(text, TODAY, locale, local, owed) == expected


@pytest.mark.parametrize(
    ("text", "owed"),
    [
        # One currency owed: the rest is what is left of it, a plan.
        ("los pesos el viernes y el resto a fin de mes", frozenset({"ARS"})),
        ("los dólares el viernes y el resto a fin de mes", frozenset({"ARS"})),
        # Three currencies owed: the rest may be either of two.
        (
            "los dólares el viernes y el resto a fin de mes",
            frozenset({"USD", "ARS", "EUR"}),
        ),
        # A sum in dollars may leave a rest in dollars.
        ("US$ 300 el viernes y el resto a fin de mes", BOTH),
        # The rest on the same day, and two rests.
        ("los dólares el viernes y el resto el viernes", BOTH),
        ("los dólares el viernes, el resto el lunes y lo demás a fin de mes", BOTH),
        # No currency named at all.
        ("la mitad el viernes y el resto a fin de mes", BOTH),
    ],
)
def test_rest_currency_unknown(text: str, owed: frozenset[str]) -> None:
    assert currency_days(text, TODAY, "es_AR", "ARS", owed) is None


@pytest.mark.parametrize(
    "text",
    [
        # One day for both: a plain promise.
        "pago los dólares y los pesos el viernes",
        "los dólares el viernes y los pesos el viernes",
        # The rest names no currency, and the currencies owed are not given.
        "los dólares el viernes y el resto a fin de mes",
        # One currency only.
        "la mitad de los pesos el viernes y el resto a fin de mes",
        # Two days in one segment.
        "los dólares el viernes o el lunes y los pesos a fin de mes",
        # One currency twice.
        "pesos el viernes y más pesos a fin de mes",
        "te pago el viernes",
    ],
)
def test_no_currency_days(text: str) -> None:
    assert currency_days(text, TODAY, "es_AR", "ARS") is None
