"""Which currency a promised sum is in, for a customer who owes in several."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobranza.conversations.actions import promise_currency
from cobranza.conversations.amounts import SEVERAL_CURRENCIES, find_currency
from cobranza.dunning.promises import OpenBalance


@pytest.mark.parametrize(
    ("text", "local", "expected"),
    [
        ("te pago US$ 300 el viernes", "ARS", "USD"),
        ("te pago u$s 300", "ARS", "USD"),
        ("el viernes 300 dólares", "ARS", "USD"),
        ("USD 300", "MXN", "USD"),
        ("300 verdes el lunes", "UYU", "USD"),
        ("pago R$ 300 na sexta", "BRL", "BRL"),
        ("S/ 150 el lunes", "PEN", "PEN"),
        ("300 euros", "ARS", "EUR"),
        ("te pago $ 40.000", "ARS", "ARS"),
        ("50 mil pesos el viernes", "MXN", "MXN"),
        ("20 lucas el viernes", "CLP", "CLP"),
        # "$" is no peso where the business does not charge in pesos.
        ("te pago $ 300", "BRL", None),
        ("te pago 500 mil el viernes", "ARS", None),
        ("te pago todo el viernes", "ARS", None),
        # Everyday words, not currencies.
        ("es real, te pago el viernes si sale el sol", "ARS", None),
        # "reales" names reais after a number or a determiner only.
        ("te pago 500 reales el viernes", "ARS", "BRL"),
        ("los reales el viernes", "ARS", "BRL"),
        ("te lo pago en reales", "ARS", "BRL"),
        ("los montos reales no coinciden, te pago el viernes", "ARS", None),
        ("te aviso en tiempo real cuando pague", "ARS", None),
        ("la verdad, en real no llego al viernes", "ARS", None),
        ("US$ 300 y 50 mil pesos el viernes", "ARS", SEVERAL_CURRENCIES),
    ],
)
def test_find_currency(text: str, local: str, expected: str | None) -> None:
    assert find_currency(text, local) == expected


def _owed(currency: str, balance: str) -> OpenBalance:
    return OpenBalance(Decimal(balance), currency, 1, None, [1])


DOLLARS_AND_PESOS = [_owed("USD", "1000"), _owed("ARS", "150000")]


@pytest.mark.parametrize(
    ("amount", "named", "balances", "expected"),
    [
        # A named currency the customer owes, and one it does not.
        ("300", "USD", DOLLARS_AND_PESOS, "USD"),
        ("300", "EUR", DOLLARS_AND_PESOS, None),
        ("300", SEVERAL_CURRENCIES, DOLLARS_AND_PESOS, None),
        # No currency: the only one owed, even when the sum is above it.
        ("300", None, [_owed("USD", "1000")], "USD"),
        ("5000", None, [_owed("USD", "1000")], "USD"),
        # The only balance that can hold the sum.
        ("50000", None, DOLLARS_AND_PESOS, "ARS"),
        ("800", None, [_owed("USD", "1000"), _owed("ARS", "500")], "USD"),
        # Both can hold it: the business's currency.
        ("300", None, DOLLARS_AND_PESOS, "ARS"),
        # Neither can hold it: the business's currency, as its whole balance.
        ("900000", None, DOLLARS_AND_PESOS, "ARS"),
        # Both can hold it and neither is the business's: a person decides.
        ("300", None, [_owed("USD", "1000"), _owed("EUR", "800")], None),
        # Neither can, and the business's is not owed: the leading currency.
        ("5000", None, [_owed("USD", "1000"), _owed("EUR", "800")], "USD"),
        # Nothing owed: the business's currency, which a person then reviews.
        ("300", None, [], "ARS"),
    ],
)
def test_promise_currency(
    amount: str,
    named: str | None,
    balances: list[OpenBalance],
    expected: str | None,
) -> None:
    assert promise_currency(Decimal(amount), named, balances, "ARS") == expected
