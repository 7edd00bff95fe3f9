"""`monto` names every currency a customer owes, and the link names what it charges."""

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
from cobranza.messages.composer import all_combinations

LINK = "https://pagar.example.com/pagar/8f3k2"


def _owing(
    locale: str, currency: str, balance: str, **changes: object
) -> MessageVariables:
    values: dict[str, object] = {
        "balance": Decimal(balance),
        "currency": currency,
        "invoice_count": 3,
        "payment_link": None,
        **changes,
    }
    return dataclasses.replace(sample_variables(locale), **values)


@pytest.mark.parametrize(
    ("locale", "tone", "currency", "others", "amount", "link_note"),
    [
        (
            "es_AR",
            "friendly",
            "ARS",
            (("USD", Decimal("800")),),
            "Tu saldo de $ 150.000,00 y US$ 800,00 por 3 facturas",
            "podés pagar acá: "
            + LINK
            + " (solo los $ 150.000,00; el resto se paga por separado)",
        ),
        (
            "es_AR",
            "formal",
            "ARS",
            (("USD", Decimal("800")),),
            "El saldo de $ 150.000,00 y US$ 800,00 por 3 facturas",
            "Pueden abonarlo acá: " + LINK + " (solo los $ 150.000,00;",
        ),
        (
            "es_CO",
            "friendly",
            "COP",
            (("USD", Decimal("800")),),
            "Tu saldo de $150.000 y US$800,00 por 3 facturas",
            "puedes pagar aquí: " + LINK + " (solo los $150.000;",
        ),
        (
            "es_MX",
            "friendly",
            "MXN",
            (("EUR", Decimal("10.5")), ("USD", Decimal("800"))),
            "Tu saldo de $150,000.00, EUR 10.50 y USD 800.00 por 3 facturas",
            "puedes pagar aquí: " + LINK + " (solo los $150,000.00;",
        ),
        (
            "pt_BR",
            "friendly",
            "BRL",
            (("USD", Decimal("800")),),
            "Seu saldo de R$ 150.000,00 e US$ 800,00 referente a 3 faturas",
            "você pode pagar aqui: "
            + LINK
            + " (somente os R$ 150.000,00; o restante é pago separadamente)",
        ),
    ],
)
def test_reminder_names_each_currency(
    locale: str,
    tone: str,
    currency: str,
    others: tuple[tuple[str, Decimal], ...],
    amount: str,
    link_note: str,
) -> None:
    variables = _owing(
        locale, currency, "150000", other_balances=others, payment_link=LINK
    )

    message = compose("reminder_soft", locale, tone, variables)

    assert amount in message.text
    assert link_note in message.text


def test_instructions_get_no_link_note() -> None:
    variables = _owing("es_AR", "ARS", "150000", other_balances=(("USD", "800"),))

    message = compose("second_notice", "es_AR", "friendly", variables)

    assert "$ 150.000,00 y US$ 800,00" in message.text
    assert message.parameters["pago"] == "Transferencia al alias tornillo.mp"


def test_one_currency_unchanged() -> None:
    single = _owing("es_AR", "ARS", "150000", payment_link=LINK)
    empty = dataclasses.replace(single, other_balances=())

    message = compose("reminder_soft", "es_AR", "friendly", single)

    assert compose("reminder_soft", "es_AR", "friendly", empty) == message
    assert message.parameters["pago"] == LINK
    assert message.parameters["monto"] == "$ 150.000,00"


def test_stored_pairs_are_read() -> None:
    stored = {
        "customer_name": "Ana",
        "business_name": "Ferretería",
        "balance": "150000.0000",
        "currency": "ARS",
        "invoice_count": 2,
        "oldest_due_on": "2026-02-22",
        "days_past_due": 16,
        "payment_instructions": "Alias demo.mp",
        "other_balances": [["USD", "800.0000"]],
    }

    variables = message_variables(stored, 7)
    message = compose("final_notice", "es_AR", "friendly", variables)

    assert message.parameters["monto"] == "$ 150.000,00 y US$ 800,00"


@pytest.mark.parametrize(
    ("item", "fix"),
    [
        (("ARS", "10"), "other than the message's ARS"),
        (("USD", "cero"), "(code, amount)"),
        (("USD",), "(code, amount)"),
        (("USD", "0"), "positive amount"),
        (("USD", "-5"), "positive amount"),
        ((840, "5"), "other than the message's ARS"),
    ],
)
def test_invalid_pair_rejected(item: tuple[object, ...], fix: str) -> None:
    variables = _owing("es_AR", "ARS", "100", other_balances=(item,))

    with pytest.raises(InvalidVariableError) as raised:
        compose("reminder_soft", "es_AR", "friendly", variables)

    assert raised.value.variable == "other_balances"
    assert fix in str(raised.value)


# The step kinds of policy reminders, which the planner gives other currencies.
POLICY_REMINDERS = (
    "preventive",
    "due_today",
    "reminder_soft",
    "reminder_empathetic",
    "reminder_reported",
    "second_notice",
    "plan_offer",
    "final_notice",
    "handoff_notice",
)


@pytest.mark.parametrize(
    ("payment_link", "payment_instructions"),
    [
        # A link as cobranza makes it (an address, "/pagar/" and a token of 22
        # characters), with room for a longer address and token.
        ("https://cobranza.example.com.ar/pagar/" + "t" * 43, None),
        (None, "I" * 200),
    ],
)
def test_longest_values_fit_with_another_currency(
    payment_link: str | None, payment_instructions: str | None
) -> None:
    for step_kind, locale, tone in all_combinations(step_kinds=POLICY_REMINDERS):
        longest = dataclasses.replace(
            sample_variables(locale),
            customer_name="N" * 300,
            business_name="B" * 200,
            payment_link=payment_link,
            payment_instructions=payment_instructions,
            business_address="A" * 100,
            balance=Decimal("999999999999.99"),
            other_balances=(("CHF", Decimal("999999999999.99")),),
            invoice_count=9999,
            days_past_due=99999,
            oldest_due_on=date(2025, 9, 30),
        )

        message = compose(step_kind, locale, tone, longest)

        assert len(message.text) <= 1024, (step_kind, locale, tone, len(message.text))
