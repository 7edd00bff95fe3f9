"""`cobranza nlu` without --json: what was read, in an owner's words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cobranza.conversations.terminal import understanding_lines
from cobranza.conversations.understand import Understanding


def _reading(**changes: object) -> Understanding:
    values: dict[str, object] = {
        "intent": "request_installments",
        "confidence": 0.734,
        "promised_date": None,
        "amount": None,
        "installments": None,
        "opt_out": False,
        "source": "llm",
    }
    values.update(changes)
    return Understanding(**values)  # type: ignore[arg-type]


def test_lines_name_every_fact() -> None:
    reading = _reading(
        promised_date=date(2026, 3, 23), amount=Decimal("1500.50"), installments=3
    )

    lines = understanding_lines("3 cuotas desde el lunes", reading, "es_AR", "USD")

    assert lines == [
        "Respuesta: 3 cuotas desde el lunes",
        "  Intención: pide cuotas",
        "  Confianza: 0,73 (según el modelo de lenguaje)",
        "  Fecha prometida: lunes 23/03/2026",
        "  Monto: 1.500,50",
        "  Moneda: USD",
        "  Cuotas: 3",
    ]


def test_lines_missing_facts_not_stated() -> None:
    lines = understanding_lines("hola", _reading(intent="other"), "es_AR")

    assert lines[1] == "  Intención: no se entendió"
    assert lines[3:] == [
        "  Fecha prometida: no lo dice",
        "  Monto: no lo dice",
        "  Moneda: no lo dice",
        "  Cuotas: no lo dice",
    ]


def test_lines_numbers_follow_locale() -> None:
    reading = _reading(confidence=0.5, amount=Decimal("15000"))

    lines = understanding_lines("pago 15000", reading, "es_MX")

    assert lines[2] == "  Confianza: 0.50 (según el modelo de lenguaje)"
    assert lines[4] == "  Monto: 15,000"


def test_lines_unknown_codes_shown_as_stored() -> None:
    reading = _reading(intent="new_intent", source="other_source")

    lines = understanding_lines("x", reading, "es_AR")

    assert lines[1] == "  Intención: new_intent"
    assert lines[2] == "  Confianza: 0,73 (según other_source)"


def test_lines_possible_opt_out_last() -> None:
    reading = _reading(intent="request_human", possible_opt_out=True)

    lines = understanding_lines("no me manden más", reading, "es_AR")

    assert lines[-1] == (
        "  Posible pedido de baja: lo revisa una persona, porque ninguna regla "
        "confirmó la baja"
    )
