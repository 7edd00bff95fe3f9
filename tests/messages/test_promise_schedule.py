"""Confirmations of a promise whose currencies fall due on different days."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from cobranza.channels.compose import message_variables
from cobranza.messages import (
    InvalidVariableError,
    MessageVariables,
    compose,
    sample_variables,
)
from cobranza.messages.catalog import Tone
from cobranza.messages.templates import load_template

FRIDAY = date(2026, 3, 13)
MONTH_END = date(2026, 3, 31)
SCHEDULE = [["USD", "1000", FRIDAY.isoformat()], ["ARS", "150000", "2026-03-31"]]


def _variables(locale: str, **changes: object) -> MessageVariables:
    values: dict[str, object] = {
        "balance": Decimal("1000"),
        "currency": "USD",
        "other_balances": (("ARS", Decimal("150000")),),
        "payment_link": None,
        "promise_amount": Decimal("1000"),
        "promise_due_on": FRIDAY,
        "promise_amounts": [["USD", "1000"], ["ARS", "150000"]],
        "promise_schedule": SCHEDULE,
        **changes,
    }
    return dataclasses.replace(sample_variables(locale), **values)


@pytest.mark.parametrize(
    ("locale", "tone", "expected"),
    [
        (
            "es_AR",
            "friendly",
            "Anotamos tu promesa de pago de US$ 1.000,00 el viernes 13 de marzo y "
            "$ 150.000,00 para el martes 31 de marzo. ¡Gracias por avisarnos! "
            "Cuando quieras, podés pagar",
        ),
        (
            "es_AR",
            "formal",
            "Registramos su promesa de pago de US$ 1.000,00 el viernes 13 de marzo "
            "y $ 150.000,00 para el martes 31 de marzo.",
        ),
        (
            "es_MX",
            "friendly",
            "Anotamos tu promesa de pago de USD 1,000.00 el viernes 13 de marzo y "
            "ARS 150,000.00 para el martes 31 de marzo. ¡Gracias por avisarnos! "
            "Cuando quieras, puedes pagar",
        ),
        (
            "pt_BR",
            "friendly",
            "Anotamos que, na sexta-feira, 13 de março, você vai pagar US$ 1.000,00 "
            "e, na terça-feira, 31 de março, ARS 150.000,00.",
        ),
        (
            "pt_BR",
            "formal",
            "Registramos que, na sexta-feira, 13 de março, será feito o pagamento de "
            "US$ 1.000,00 e, na terça-feira, 31 de março, ARS 150.000,00.",
        ),
    ],
)
def test_confirmation_states_each_day(locale: str, tone: str, expected: str) -> None:
    message = compose("promise_confirmation", locale, tone, _variables(locale))

    assert expected in message.text


def test_three_parts_in_order() -> None:
    schedule = [
        ["ARS", "150000", "2026-03-31"],
        ["USD", "1000", "2026-03-13"],
        ["BRL", "300", "2026-03-16"],
    ]
    variables = _variables("pt_BR", promise_schedule=schedule)

    text = compose("promise_confirmation", "pt_BR", "friendly", variables).text

    assert (
        "na sexta-feira, 13 de março, você vai pagar US$ 1.000,00, na "
        "segunda-feira, 16 de março, R$ 300,00 e, na terça-feira, 31 de março, "
        "ARS 150.000,00."
    ) in text


def test_schedule_read_back_from_json() -> None:
    stored = {
        "customer_name": "Ana",
        "business_name": "Ejemplo SRL",
        "balance": "1000",
        "currency": "USD",
        "promise_amount": "1000",
        "promise_due_on": FRIDAY.isoformat(),
        "promise_schedule": SCHEDULE,
        "payment_link": "https://pagar.example.com/p/1",
        "invoice_count": 2,
        "oldest_due_on": "2026-03-01",
        "days_past_due": 9,
    }

    variables = message_variables(stored, 1)
    text = compose("promise_confirmation", "es_AR", "friendly", variables).text

    assert "US$ 1.000,00 el viernes 13 de marzo y $ 150.000,00 para el martes" in text


@pytest.mark.parametrize(
    ("schedule", "fix"),
    [
        ([["USD", "mil", "2026-03-13"], ["ARS", "1", "2026-03-31"]], "ISO date"),
        ([["USD", "1000", "viernes"], ["ARS", "1", "2026-03-31"]], "ISO date"),
        ([["USD", "1000"], ["ARS", "1", "2026-03-31"]], "ISO date"),
        ([["USD", "-5", "2026-03-13"], ["ARS", "1", "2026-03-31"]], "0 or more"),
        ([["USD", "1000", "2026-03-13"]], "two or more parts"),
    ],
)
def test_invalid_schedule_names_fix(schedule: list[list[str]], fix: str) -> None:
    variables = _variables("es_AR", promise_schedule=schedule)

    with pytest.raises(InvalidVariableError) as raised:
        compose("promise_confirmation", "es_AR", "friendly", variables)

    assert fix in str(raised.value)


@pytest.mark.parametrize("template_set", ["es_AR", "es", "pt_BR"])
@pytest.mark.parametrize("tone", ["friendly", "formal"])
def test_day_where_schedule_expects_it(template_set: str, tone: str) -> None:
    # Spanish bodies state the last day after the amounts, Portuguese bodies
    # the first day before them (see `_promise_schedule`).
    spec = load_template("promise_confirmation", template_set, Tone(tone))
    names = [name for _, name in spec.segments if name is not None]

    amount_first = names.index("monto_promesa") < names.index("fecha_promesa")

    assert amount_first == (not template_set.startswith("pt"))
