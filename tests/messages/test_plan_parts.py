"""The message of installment plans in several currencies (`plan_parts`)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from cobranza.channels.compose import message_variables
from cobranza.messages import (
    InvalidVariableError,
    MessageVariables,
    compose,
    sample_variables,
)

DOLLARS = "https://pagar.example.com/pagar/usd1"
PESOS = "https://pagar.example.com/pagar/ars1"
# As `plan_offer_reply` rows store them: JSON lists of strings.
PARTS = [
    ["USD", [["500.00", "2026-03-13"], ["500.00", "2026-04-13"]]],
    ["ARS", [["75000.00", "2026-03-13"], ["75000.00", "2026-04-13"]]],
]
CHARGES = [
    ["USD", "500.00", "installment", DOLLARS],
    ["ARS", "75000.00", "installment", PESOS],
]


def _variables(locale: str) -> MessageVariables:
    stored = {
        **dataclasses.asdict(sample_variables(locale)),
        "balance": "1000",
        "currency": "USD",
        "other_balances": [["ARS", "150000"]],
        "installments": 2,
        "installment_number": None,
        "plan_schedule": None,
        "plan_parts": PARTS,
        "payment_link": DOLLARS,
        "link_charges": CHARGES,
    }
    for name, value in list(stored.items()):
        if not isinstance(value, (str, int, list, type(None))):
            stored[name] = str(value)
    return message_variables(stored, outbox_id=1)


@pytest.mark.parametrize(
    ("locale", "schedule", "pay"),
    [
        (
            "es_AR",
            "US$ 500,00 el 13 de marzo y US$ 500,00 el 13 de abril; $ 75.000,00 "
            "el 13 de marzo y $ 75.000,00 el 13 de abril",
            f"Podés pagar la primera cuota acá: {DOLLARS} (US$ 500,00) y {PESOS}",
        ),
        (
            "es_MX",
            "USD 500.00 el 13 de marzo y USD 500.00 el 13 de abril; ARS 75,000.00 "
            "el 13 de marzo y ARS 75,000.00 el 13 de abril",
            f"Puedes pagar la primera cuota aquí: {DOLLARS} (USD 500.00) y {PESOS}",
        ),
    ],
)
def test_plan_message_lists_each_plan(locale: str, schedule: str, pay: str) -> None:
    message = compose("plan_offer_reply", locale, "friendly", _variables(locale))

    assert f"con estos vencimientos: {schedule}." in message.text
    assert pay in message.text


def test_plan_part_without_schedule_rejected() -> None:
    variables = dataclasses.replace(
        _variables("es_AR"), plan_parts=[["USD", []], *PARTS[1:]]
    )

    with pytest.raises(InvalidVariableError, match="plan_parts"):
        compose("plan_offer_reply", "es_AR", "friendly", variables)


def test_plan_part_as_text_rejected() -> None:
    variables = dataclasses.replace(_variables("es_AR"), plan_parts=[["USD", "500"]])

    with pytest.raises(InvalidVariableError, match="plan_parts"):
        compose("plan_offer_reply", "es_AR", "friendly", variables)


def test_decimal_schedule_kept() -> None:
    variables = dataclasses.replace(
        _variables("es_AR"),
        plan_parts=[["USD", [[Decimal("1.50"), "2026-03-13"]]]],
        link_charges=None,
    )

    message = compose("plan_offer_reply", "es_AR", "friendly", variables)

    assert "US$ 1,50 el 13 de marzo." in message.text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_AR", "los US$ 500,00 y $ 75.000,00 de las próximas cuotas"),
        ("pt_BR", "os US$ 500,00 e ARS 75.000,00 das próximas parcelas"),
    ],
)
def test_requested_links_name_next_installments(locale: str, expected: str) -> None:
    variables = dataclasses.replace(
        _variables(locale),
        plan_parts=None,
        link_amount=Decimal("500.00"),
        link_covers="installment",
        installment_number=1,
    )

    message = compose("link_reply", locale, "friendly", variables)

    assert expected in message.text
    assert "de la  " not in message.text


def test_proposal_states_each_fee_and_total() -> None:
    parts = [
        ["USD", [["550.00", "2026-03-13"], ["550.00", "2026-04-13"]], "100", "1100"],
        ["ARS", [["82500", "2026-03-13"], ["82500", "2026-04-13"]], "15000", "165000"],
    ]
    variables = dataclasses.replace(
        _variables("es_AR"), plan_parts=parts, link_charges=None
    )

    message = compose("plan_proposal", "es_AR", "friendly", variables)

    assert "recargo de US$ 100,00 y $ 15.000,00" in message.text
    assert "en total pagarías US$ 1.100,00 y $ 165.000,00" in message.text


def test_proposal_without_fee_rejected() -> None:
    variables = dataclasses.replace(_variables("es_AR"), link_charges=None)

    with pytest.raises(InvalidVariableError, match="plan_parts"):
        compose("plan_proposal", "es_AR", "friendly", variables)
