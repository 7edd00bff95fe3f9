"""Previews for `cobranza policy show` and the export for Meta."""

from __future__ import annotations

import dataclasses
import json

import pytest

from cobranza.messages import (
    STEP_KINDS,
    MessageVariables,
    MissingVariableError,
    preview_all,
    supported_locales,
    whatsapp_template_definitions,
)
from cobranza.messages.__main__ import main


def test_preview_all_covers_everything() -> None:
    messages = preview_all()

    keys = {(m.step_kind, m.locale, m.tone) for m in messages}
    assert len(keys) == len(STEP_KINDS) * len(supported_locales()) * 2
    assert len(messages) == len(keys)


def test_preview_fills_step_fields(variables: MessageVariables) -> None:
    bare = dataclasses.replace(
        variables,
        discount_percent=None,
        installments=None,
        promise_amount=None,
        promise_due_on=None,
        paid_amount=None,
        payment_link=None,
    )

    messages = preview_all(bare, locales=["es_AR"])

    assert len(messages) == len(STEP_KINDS) * 2
    assert all("Juan Pérez" in m.text for m in messages)


def test_preview_never_invents_tax_id(variables: MessageVariables) -> None:
    with pytest.raises(MissingVariableError, match="business_tax_id"):
        preview_all(variables, locales=["pt_BR"])


def test_preview_keeps_given_instructions(variables: MessageVariables) -> None:
    manual = dataclasses.replace(
        variables, payment_link=None, payment_instructions="Alias TORNILLO.MP"
    )

    messages = preview_all(manual, locales=["es_AR"], step_kinds=["preventive"])

    assert all(m.parameters["pago"] == "Alias TORNILLO.MP" for m in messages)


def test_definitions_unique_per_language() -> None:
    definitions = whatsapp_template_definitions()

    keys = [(d["name"], d["language"]) for d in definitions]
    assert len(keys) == len(set(keys))
    languages = {d["language"] for d in definitions}
    assert languages == {"es_AR", "es_MX", "es", "pt_BR"}
    assert len(definitions) == len(STEP_KINDS) * 2 * len(languages)


def test_module_prints_previews(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--locale", "pt_BR", "--tone", "formal", "--step", "plan_offer"])

    output = capsys.readouterr().out
    assert status == 0
    assert "cobranza_plan_offer_formal · pt_BR" in output
    assert "em até 3 parcelas" in output
    assert "[Parcelar | Pagar | Já paguei]" in output


def test_module_exports_json(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--whatsapp"])

    definitions = json.loads(capsys.readouterr().out)
    assert status == 0
    assert definitions == whatsapp_template_definitions()
