"""Names that end in a period, before a body that puts one after them."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cobranza.messages import (
    MessageVariables,
    compose,
    sample_variables,
    template_for,
)
from cobranza.messages.composer import all_combinations


def _whatsapp_rendering(step_kind: str, locale: str, tone: str, values: dict) -> str:
    """Fill the registered WhatsApp body with the values, as Meta does."""
    body = template_for(step_kind, locale, tone).whatsapp_body()
    return re.sub(r"\{\{([a-z_]+)\}\}", lambda match: values[match[1]], body)


def test_company_name_gets_one_period(variables: MessageVariables) -> None:
    # given
    company = dataclasses.replace(variables, customer_name="Distribuidora Norte S.A.")

    # when
    message = compose("second_notice", "es_AR", "formal", company)

    # then
    assert "por la cuenta de Distribuidora Norte S.A. El saldo" in message.text
    assert "S.A.." not in message.text
    assert message.parameters["nombre"] == "Distribuidora Norte S.A"


def test_template_parameters_match_text(variables: MessageVariables) -> None:
    # given
    company = dataclasses.replace(
        variables,
        customer_name="Distribuidora Norte S.A.",
        business_name="Ferretería El Tornillo S.R.L.",
    )

    # when
    message = compose("broken_promise", "es_AR", "formal", company)
    sent = _whatsapp_rendering("broken_promise", "es_AR", "formal", message.parameters)

    # then
    assert sent == message.text
    assert message.parameters["nombre"] == "Distribuidora Norte S.A"
    assert "de Ferretería El Tornillo S.R.L. por la cuenta de" in message.text
    assert "Distribuidora Norte S.A. El pago anunciado" in message.text


def test_period_kept_before_other_text(variables: MessageVariables) -> None:
    # given: the neutral formal greeting puts a colon after the name
    company = dataclasses.replace(variables, customer_name="Acme S.A.")

    # when
    message = compose("second_notice", "es", "formal", company)

    # then
    assert message.text.startswith("Estimado cliente Acme S.A.:")
    assert message.parameters["nombre"] == "Acme S.A."


def test_only_periods_left_alone(variables: MessageVariables) -> None:
    dots = dataclasses.replace(variables, customer_name="...")

    message = compose("second_notice", "es_AR", "formal", dots)

    assert message.parameters["nombre"] == "..."


@pytest.mark.parametrize(("step_kind", "locale", "tone"), all_combinations())
def test_no_doubled_period_anywhere(step_kind: str, locale: str, tone: str) -> None:
    # given
    names = dataclasses.replace(
        sample_variables(locale),
        customer_name="Distribuidora Norte S.A.",
        business_name="Ferretería El Tornillo S.R.L.",
    )

    # when
    message = compose(step_kind, locale, tone, names)
    sent = _whatsapp_rendering(step_kind, locale, tone, message.parameters)

    # then
    assert ".." not in message.text
    assert sent == message.text
