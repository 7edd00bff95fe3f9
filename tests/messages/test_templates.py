"""Template files: the WhatsApp shape and the checks that guard it."""

from __future__ import annotations

import re

import pytest

from cobranza.messages import TemplateError, Tone, template_for
from cobranza.messages.composer import all_combinations
from cobranza.messages.templates import parse_template

OPT_OUT_ES_AR = "Respondé BAJA si no querés recibir más recordatorios."
GOOD_REMINDER = (
    "Hola {{ nombre }}, te escribimos de {{ negocio }}. Tu saldo de {{ monto }} "
    "vence el {{ vencimiento }}. Podés pagar acá: {{ pago }}\n\n" + OPT_OUT_ES_AR
)


def _parse(source: str, step_kind: str = "preventive", template_set: str = "es_AR"):
    return parse_template("test.j2", source, step_kind, template_set, Tone.FRIENDLY)


@pytest.mark.parametrize(("step_kind", "locale", "tone"), all_combinations())
def test_whatsapp_body_uses_named_parameters(
    step_kind: str, locale: str, tone: str
) -> None:
    spec = template_for(step_kind, locale, tone)

    body = spec.whatsapp_body()

    placeholders = re.findall(r"\{\{(.*?)\}\}", body)
    assert placeholders
    assert all(re.fullmatch(r"[a-z_]+", name) for name in placeholders)
    assert set(placeholders) == set(spec.parameter_names)
    assert "{%" not in body
    assert len(body) <= 1024


def test_good_template_parses() -> None:
    spec = _parse(GOOD_REMINDER)

    assert spec.parameter_names == ("nombre", "negocio", "monto", "vencimiento", "pago")
    assert spec.whatsapp_body().startswith(
        "Hola {{nombre}}, te escribimos de {{negocio}}"
    )


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (GOOD_REMINDER.replace("{{ nombre }}", "{% if x %}x{% endif %}"), "no tags"),
        (GOOD_REMINDER.replace("{{ nombre }}", "{{ nombre|upper }}"), "plain"),
        (GOOD_REMINDER.replace("{{ nombre }}", "{{ nombre.x }}"), "plain"),
        (GOOD_REMINDER.replace("{{ nombre }}", "{{ Nombre }}"), "lowercase"),
        (GOOD_REMINDER.replace("{{ nombre }}", "{{ apodo }}"), "unknown parameter"),
        (GOOD_REMINDER.replace("{{ monto }}", "algo"), "missing parameters monto"),
        (GOOD_REMINDER.replace("Hola {{ nombre }}, t", "{{ nombre }} t"), "starts"),
        (GOOD_REMINDER.replace("{{ monto }}", "{{ monto }}{{ facturas }}"), "adjacent"),
        (
            GOOD_REMINDER.replace("{{ monto }}", "{{ monto }} ({{ facturas }})"),
            "adjacent",
        ),
        (GOOD_REMINDER.replace(OPT_OUT_ES_AR, "Gracias."), "must end with"),
        (GOOD_REMINDER.replace(" Podés", "\tPodés"), "tab"),
        (GOOD_REMINDER.replace("Hola", "Hola" + " hola" * 200), "characters"),
        (GOOD_REMINDER.replace("{{ nombre }}", "{{ nombre"), "syntax error"),
        ("", "empty"),
        (
            "Hola {{ nombre }} de {{ negocio }}: {{ monto }} por {{ facturas }} "
            "con {{ atraso }} el {{ vencimiento }} en {{ pago }}\n\n" + OPT_OUT_ES_AR,
            "14 words for 7 parameters",
        ),
    ],
)
def test_bad_template_is_rejected(source: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=problem):
        _parse(source)


def test_brazil_template_needs_creditor() -> None:
    source = GOOD_REMINDER.replace(
        OPT_OUT_ES_AR, "Responda SAIR se não quiser mais receber lembretes."
    )

    with pytest.raises(TemplateError, match="dados_credor"):
        _parse(source, template_set="pt_BR")


def test_whatsapp_definition_shape() -> None:
    spec = template_for("early_discount", "pt_BR", "friendly")
    examples = {name: f"ex_{name}" for name in spec.parameter_names}

    definition = spec.whatsapp_definition("pt_BR", examples)

    assert definition["name"] == "cobranza_early_discount_friendly"
    assert definition["language"] == "pt_BR"
    assert definition["category"] == "MARKETING"
    assert definition["parameter_format"] == "NAMED"
    body, buttons = definition["components"]
    assert body["type"] == "BODY"
    assert body["text"] == spec.whatsapp_body()
    named = body["example"]["body_text_named_params"]
    assert [item["param_name"] for item in named] == list(spec.parameter_names)
    assert named[0]["example"] == "ex_nombre"
    assert buttons == {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Pagar"},
            {"type": "QUICK_REPLY", "text": "Já paguei"},
        ],
    }


def test_definition_without_buttons() -> None:
    spec = template_for("payment_thanks", "es_AR", "formal")
    examples = {name: "x" for name in spec.parameter_names}

    definition = spec.whatsapp_definition("es_AR", examples)

    assert [c["type"] for c in definition["components"]] == ["BODY"]
