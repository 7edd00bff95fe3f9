"""The `estado_saldo` parameter of the answer to "¿cuánto debo?".

It compares each open invoice's due date with the message's `today` and
says what is overdue since when, and when the next invoice falls due.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cobranza.messages import MessageVariables, compose, sample_variables
from cobranza.messages.errors import InvalidVariableError, MissingVariableError

TODAY = date(2026, 3, 18)


def balance_variables(
    locale: str, dues: list[tuple[str, str, str | None]], **changes: Any
) -> MessageVariables:
    """Variables of a customer who owes `dues`, one ARS balance by default."""
    values: dict[str, Any] = {
        "balance": Decimal("125000.00"),
        "currency": "ARS",
        "today": TODAY,
        "balance_dues": dues,
        **changes,
    }
    return dataclasses.replace(sample_variables(locale), **values)


@pytest.mark.parametrize(
    ("dues", "expected"),
    [
        (
            [("ARS", "125000.00", "2026-03-03")],
            "Tu saldo es de $ 125.000,00, y está todo vencido desde el 3 de marzo.",
        ),
        (
            [("ARS", "75000.00", "2026-03-03"), ("ARS", "50000.00", "2026-04-03")],
            "Tu saldo es de $ 125.000,00, y de eso, $ 75.000,00 está vencido "
            "desde el 3 de marzo y el próximo vencimiento es el 3 de abril.",
        ),
        (
            [("ARS", "75000.00", "2026-04-03"), ("ARS", "50000.00", "2026-03-25")],
            "Tu saldo es de $ 125.000,00, y el próximo vencimiento es el 25 de marzo.",
        ),
        (
            [("ARS", "125000.00", "2026-03-18")],
            "Tu saldo es de $ 125.000,00, y el próximo vencimiento es hoy.",
        ),
        (
            [("ARS", "125000.00", None)],
            "Tu saldo es de $ 125.000,00, y ya está todo para pagar.",
        ),
        (
            [("ARS", "125000.00", "2027-01-10")],
            "Tu saldo es de $ 125.000,00, y el próximo vencimiento es el 10 de "
            "enero de 2027.",
        ),
    ],
)
def test_status_in_voseo(
    dues: list[tuple[str, str, str | None]], expected: str
) -> None:
    message = compose(
        "balance_reply", "es_AR", "friendly", balance_variables("es_AR", dues)
    )

    assert expected in message.text
    assert "¿Querés pagar ahora, pedir cuotas o ya pagaste?" in message.text
    assert message.button_ids == ["pay", "installments", "paid"]


def test_status_two_currencies_overdue() -> None:
    # given: pesos partly overdue, dollars all overdue
    variables = balance_variables(
        "es_MX",
        [
            ("MXN", "75000.00", "2026-03-03"),
            ("MXN", "50000.00", "2026-04-03"),
            ("USD", "300.00", "2026-02-20"),
        ],
        currency="MXN",
        other_balances=[["USD", "300.00"]],
    )

    # when
    message = compose("balance_reply", "es_MX", "friendly", variables)

    # then: each currency's balance and each overdue part, since the oldest
    assert "Tu saldo es de $125,000.00 y USD 300.00" in message.text
    assert (
        "de eso, $75,000.00 y USD 300.00 está vencido desde el 20 de febrero "
        "y el próximo vencimiento es el 3 de abril." in message.text
    )
    assert "¿Quieres pagar ahora" in message.text


def test_credit_note_caps_overdue() -> None:
    # given: 100.000 overdue and 50.000 ahead, with a credit note of 60.000
    variables = balance_variables(
        "es_AR",
        [("ARS", "100000.00", "2026-03-03"), ("ARS", "50000.00", "2026-04-03")],
        balance=Decimal("90000.00"),
    )

    message = compose("balance_reply", "es_AR", "formal", variables)

    # then: no more is overdue than is owed
    assert (
        "El saldo de la cuenta es de $ 90.000,00, y está todo vencido desde el "
        "3 de marzo." in message.text
    )


@pytest.mark.parametrize(
    ("tone", "expected"),
    [
        (
            "friendly",
            "Seu saldo é de R$ 125.000,00, e desse total, R$ 75.000,00 está "
            "vencido desde 3 de março e o próximo vencimento é em 3 de abril.",
        ),
        (
            "formal",
            "Seu saldo é de R$ 125.000,00, e desse total, R$ 75.000,00 está "
            "vencido desde 3 de março e o próximo vencimento é em 3 de abril.",
        ),
    ],
)
def test_status_in_portuguese(tone: str, expected: str) -> None:
    variables = balance_variables(
        "pt_BR",
        [("BRL", "75000.00", "2026-03-03"), ("BRL", "50000.00", "2026-04-03")],
        currency="BRL",
    )

    message = compose("balance_reply", "pt_BR", tone, variables)

    assert expected in message.text
    assert "Dados do credor:" in message.text


def test_status_as_stored_in_json() -> None:
    # given: the row's JSON form, amounts as strings and dates in ISO
    variables = balance_variables(
        "es", [["USD", "125000.00", "2026-04-01"]], currency="USD"
    )

    message = compose("balance_reply", "es", "formal", variables)

    assert "Su saldo es de" in message.text
    assert "el próximo vencimiento es el 1 de abril." in message.text


def test_status_without_dues_raises() -> None:
    variables = balance_variables("es_AR", [])

    with pytest.raises(MissingVariableError) as raised:
        compose("balance_reply", "es_AR", "friendly", variables)

    assert "balance_dues" in str(raised.value)


@pytest.mark.parametrize(
    "item",
    [
        ("ARS", "mucho", "2026-03-03"),
        ("ARS", "-5.00", "2026-03-03"),
        ("ARS", "100.00", "03/03/2026"),
        ("ARS", "100.00"),
    ],
)
def test_status_bad_due_raises(item: tuple[str, ...]) -> None:
    variables = balance_variables("es_AR", [item])  # type: ignore[list-item]

    with pytest.raises(InvalidVariableError) as raised:
        compose("balance_reply", "es_AR", "friendly", variables)

    assert "balance_dues" in str(raised.value)
