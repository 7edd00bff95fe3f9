from __future__ import annotations

from cobranza.dunning.explain import describe_step
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import parse_policy

CUSTOM = """\
version: 1
name: propia
steps:
  - key: discount
    offset_days: -5
    action: offer_discount
    step_kind: early_discount
    discount_percent: 5
    conditions:
      customer_kind: company
      balance_min: 10000
  - key: wait
    offset_days: 10
    action: pause
    pause_days: 7
    conditions:
      days_past_due_max: 20
      risk_score_min: 0.2
      risk_score_max: 0.8
"""


def test_default_steps_in_words(default_policy: Policy) -> None:
    described = {step.key: describe_step(step) for step in default_policy.steps}

    preventive = described["preventive"]
    assert preventive.when == "3 días antes del vencimiento"
    assert preventive.audience == (
        "clientes con atrasos frecuentes, con atrasos ocasionales y que pagan a "
        "fin de mes"
    )
    assert preventive.catch_up == "se omite"
    assert described["due_today"].when == "el día del vencimiento"
    assert described["due_today"].audience == "salvo clientes puntuales"
    assert described["reminder_soft"].when == "1 día después del vencimiento"
    assert described["reminder_soft"].audience == "todos los clientes"
    assert described["plan_offer"].action == (
        "ofrece pagar en hasta 6 cuotas (plan_offer)"
    )
    assert described["final_notice"].tone == (
        "automático (formal con empresas, cercano con personas)"
    )
    assert described["handoff"].action == (
        "pasa el caso a una persona del equipo, con aviso al cliente (handoff_notice)"
    )


def test_custom_steps_in_words() -> None:
    discount, wait = (describe_step(step) for step in parse_policy(CUSTOM).steps)

    assert discount.action == "ofrece 5% de descuento (early_discount)"
    assert discount.audience == "solo empresas; saldo desde 10000"
    assert wait.action == "pausa el caso 7 días"
    assert wait.tone == "—"
    assert wait.audience == "días de atraso hasta 20; puntaje de riesgo entre 0.2 y 0.8"
