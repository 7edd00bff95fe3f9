"""What a promise confirmation says the promised amount covers, per locale and tone."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from cobranza.messages import MessageVariables, compose, sample_variables
from cobranza.messages.errors import InvalidVariableError


def promise_variables(locale: str, covers: str | None) -> MessageVariables:
    return dataclasses.replace(
        sample_variables(locale),
        promise_amount=Decimal("500.00"),
        promise_covers=covers,
        installment_number=2,
        installments=3,
    )


@pytest.mark.parametrize(
    ("locale", "tone", "covers", "expected"),
    [
        ("es_AR", "friendly", "installment", "$ 500,00 de la cuota 2 de 3 para el"),
        ("es_AR", "friendly", "balance", "$ 500,00 (el total de tu saldo) para el"),
        ("es_AR", "formal", "balance", "$ 500,00 (el total de su saldo) para el"),
        ("es", "friendly", "balance", "(el total de tu saldo) para el"),
        (
            "pt_BR",
            "friendly",
            "installment",
            "você vai pagar R$ 500,00 da parcela 2 de 3.",
        ),
        (
            "pt_BR",
            "friendly",
            "balance",
            "você vai pagar R$ 500,00 (o total do seu saldo).",
        ),
        (
            "pt_BR",
            "formal",
            "balance",
            "será feito o pagamento de R$ 500,00 (o total do saldo).",
        ),
    ],
)
def test_confirmation_states_coverage(
    locale: str, tone: str, covers: str, expected: str
) -> None:
    message = compose(
        "promise_confirmation", locale, tone, promise_variables(locale, covers)
    )

    assert expected in message.text


def test_confirmation_without_coverage_states_amount() -> None:
    message = compose(
        "promise_confirmation", "es_AR", "friendly", promise_variables("es_AR", None)
    )

    assert "promesa de pago de $ 500,00 para el" in message.text


def test_unknown_coverage_rejected() -> None:
    with pytest.raises(InvalidVariableError, match="promise_covers"):
        compose(
            "promise_confirmation",
            "es_AR",
            "friendly",
            promise_variables("es_AR", "overdue"),
        )
