"""Promises, broken promises and requested links in several currencies."""

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

DOLLARS = "https://pagar.example.com/pagar/usd1"
PESOS = "https://pagar.example.com/pagar/ars1"


def _variables(locale: str, **changes: object) -> MessageVariables:
    values: dict[str, object] = {
        "balance": Decimal("1000"),
        "currency": "USD",
        "other_balances": (("ARS", Decimal("150000")),),
        "payment_link": None,
        **changes,
    }
    return dataclasses.replace(sample_variables(locale), **values)


@pytest.mark.parametrize(
    ("locale", "tone", "expected"),
    [
        ("es_AR", "friendly", "tu promesa de pago de US$ 1.000,00 y $ 150.000,00"),
        ("es_AR", "formal", "su promesa de pago de US$ 1.000,00 y $ 150.000,00"),
        ("es_MX", "friendly", "tu promesa de pago de USD 1,000.00 y ARS 150,000.00"),
        ("pt_BR", "friendly", "você vai pagar US$ 1.000,00 e ARS 150.000,00"),
    ],
)
def test_promise_confirmation_names_each_currency(
    locale: str, tone: str, expected: str
) -> None:
    variables = _variables(
        locale,
        promise_amount=Decimal("1000"),
        promise_due_on=date(2026, 3, 13),
        promise_amounts=[["USD", "1000"], ["ARS", "150000"]],
    )

    message = compose("promise_confirmation", locale, tone, variables)

    assert expected in message.text


def test_promise_in_other_currency_than_balance() -> None:
    # The balance leads with dollars, and the promise is of pesos alone.
    variables = _variables(
        "es_AR",
        promise_amount=Decimal("40000"),
        promise_due_on=date(2026, 3, 13),
        promise_amounts=[["ARS", "40000"]],
    )

    message = compose("promise_confirmation", "es_AR", "friendly", variables)

    assert "tu promesa de pago de $ 40.000,00 para" in message.text


def test_partial_names_paid_and_missing_per_currency() -> None:
    stored = {
        **_stored("es_AR"),
        "paid_amount": "400",
        "promise_due_on": "2026-03-13",
        "balance": "600",
        "promise_parts": [[7, "USD", None, "400.00"], [8, "ARS", "50000", "0"]],
    }

    message = compose(
        "broken_promise_partial", "es_AR", "friendly", message_variables(stored, 1)
    )

    assert "Recibimos US$ 400,00, ¡gracias!" in message.text
    assert "faltan US$ 600,00 y $ 50.000,00." in message.text


def test_part_paid_in_full_left_out_of_missing() -> None:
    stored = {
        **_stored("es_AR"),
        "paid_amount": "300",
        "promise_due_on": "2026-03-13",
        "promise_parts": [[7, "USD", "300", "300"], [8, "ARS", None, "0"]],
    }

    message = compose(
        "broken_promise_partial", "es_AR", "friendly", message_variables(stored, 1)
    )

    assert "faltan $ 150.000,00." in message.text


def test_nothing_missing_in_any_currency_rejected() -> None:
    stored = {
        **_stored("es_AR"),
        "paid_amount": "1000",
        "promise_due_on": "2026-03-13",
        "promise_parts": [[7, "USD", "1000", "1000"], [8, "ARS", "100", "100"]],
    }

    with pytest.raises(InvalidVariableError, match="nothing of the promise"):
        compose(
            "broken_promise_partial",
            "es_AR",
            "friendly",
            message_variables(stored, 1),
        )


@pytest.mark.parametrize(
    ("covers", "expected"),
    [
        (
            ("balance", "balance"),
            f"Podés pagar tu saldo de US$ 1.000,00 y $ 150.000,00 acá: "
            f"{DOLLARS} (US$ 1.000,00) y {PESOS} ($ 150.000,00)",
        ),
        (
            ("overdue", "overdue"),
            f"Podés pagar los US$ 1.000,00 y $ 150.000,00 vencidos acá: {DOLLARS}",
        ),
        (
            ("overdue", "balance"),
            "Podés pagar los US$ 1.000,00 vencidos y los $ 150.000,00 de tu saldo "
            f"acá: {DOLLARS} (US$ 1.000,00) y {PESOS}",
        ),
    ],
)
def test_requested_links_one_per_currency(
    covers: tuple[str, str], expected: str
) -> None:
    variables = _variables(
        "es_AR",
        payment_link=DOLLARS,
        link_amount=Decimal("1000"),
        link_covers=covers[0],
        link_charges=[
            ["USD", "1000", covers[0], DOLLARS],
            ["ARS", "150000", covers[1], PESOS],
        ],
    )

    message = compose("link_reply", "es_AR", "friendly", variables)

    assert expected in message.text
    assert "el resto se paga por separado" not in message.text


def test_requested_charges_without_links_use_instructions() -> None:
    variables = _variables(
        "es_AR",
        payment_instructions="Transferí al alias EJEMPLO.SRL",
        link_amount=Decimal("1000"),
        link_covers="overdue",
        link_charges=[
            ["USD", "1000", "overdue", None],
            ["ARS", "150000", "overdue", None],
        ],
    )

    message = compose("link_reply", "es_AR", "friendly", variables)

    assert (
        "Podés pagar los US$ 1.000,00 y $ 150.000,00 vencidos acá: "
        "Transferí al alias EJEMPLO.SRL"
    ) in message.text


def _stored(locale: str) -> dict[str, object]:
    """Return the JSON variables of a dollar balance beside pesos."""
    sample = sample_variables(locale)
    return {
        "customer_name": sample.customer_name,
        "business_name": sample.business_name,
        "balance": "1000",
        "currency": "USD",
        "other_balances": [["ARS", "150000"]],
        "invoice_count": 2,
        "oldest_due_on": "2026-03-01",
        "days_past_due": 9,
        "payment_link": DOLLARS,
        "today": "2026-03-16",
    }
