"""Send bodies and the parameter checks run before a template is sent."""

from __future__ import annotations

import pytest

from cobranza.channels.whatsapp.errors import TemplateParameterError
from cobranza.channels.whatsapp.payloads import (
    button_id,
    check_parameters,
    session_payload,
    template_payload,
)

NAMES = ("nombre", "monto")


def test_matching_parameters_pass() -> None:
    check_parameters("t", NAMES, {"nombre": "Ana", "monto": "$ 1.500,00"})


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ({"nombre": "Ana"}, "missing"),
        ({"nombre": "Ana", "monto": "1", "extra": "x"}, "unexpected"),
        ({"nombre": "Ana\nPérez", "monto": "1"}, "newline"),
        ({"nombre": "Ana\tPérez", "monto": "1"}, "tab"),
        ({"nombre": "Ana     Pérez", "monto": "1"}, "more than four spaces"),
        ({"nombre": "   ", "monto": "1"}, "empty"),
        ({"nombre": "a" * 1025, "monto": "1"}, "above 1024"),
    ],
)
def test_bad_parameters_rejected(parameters: dict[str, str], problem: str) -> None:
    with pytest.raises(TemplateParameterError, match=problem):
        check_parameters("t", NAMES, parameters)


def test_four_spaces_allowed() -> None:
    check_parameters("t", NAMES, {"nombre": "Ana    Pérez", "monto": "1"})


def test_template_payload_uses_named_parameters() -> None:
    kind, content = template_payload("cobranza_x", "es_AR", {"monto": "$ 1"})

    assert kind == "template"
    assert content["language"] == {"code": "es_AR"}
    assert content["components"][0]["parameters"] == [
        {"type": "text", "parameter_name": "monto", "text": "$ 1"}
    ]


def test_session_payload_prefers_payment_link() -> None:
    kind, content = session_payload(
        "Pagá en https://pagar.example.com/c/1.", ["Pagar", "Ya pagué"]
    )

    assert kind == "interactive"
    assert content["type"] == "cta_url"
    assert content["action"]["parameters"]["url"] == "https://pagar.example.com/c/1"


def test_session_payload_uses_reply_buttons() -> None:
    kind, content = session_payload("Transferí al alias X.", ["Pagar", "Ya pagué"])

    assert kind == "interactive"
    assert content["type"] == "button"
    ids = [b["reply"]["id"] for b in content["action"]["buttons"]]
    assert ids == ["pagar", "ya_pague"]


def test_session_payload_plain_text() -> None:
    assert session_payload("Gracias por tu pago.", [])[0] == "text"


def test_button_id_is_ascii() -> None:
    assert button_id("Já paguei") == "ja_paguei"
