"""Plain-Spanish descriptions of a policy's steps, for `cobranza policy show`.

The business owner reads these, so they are in Spanish (es-AR voseo).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cobranza.dunning.policy import Action, CatchUp, Conditions, Step, Tone

SEGMENT_LABELS = {
    "punctual": "puntuales",
    "new": "nuevos",
    "occasional_late": "con atrasos ocasionales",
    "chronic_late": "con atrasos frecuentes",
    "month_end": "que pagan a fin de mes",
}
KIND_LABELS = {"person": "personas", "company": "empresas"}
TONE_LABELS = {
    Tone.FORMAL: "formal",
    Tone.FRIENDLY: "cercano",
    Tone.AUTO: "automático (formal con empresas, cercano con personas)",
}


@dataclass(frozen=True)
class StepDescription:
    """A step described in Spanish: when, for whom, what it does, tone, catch-up."""

    key: str
    when: str
    audience: str
    action: str
    tone: str
    catch_up: str


def describe_step(step: Step) -> StepDescription:
    """Describe `step` in Spanish for the business owner."""
    return StepDescription(
        key=step.key,
        when=describe_offset(step.offset_days),
        audience=describe_conditions(step.conditions),
        action=describe_action(step),
        tone=TONE_LABELS[step.tone] if step.sends_message else "—",
        catch_up=describe_catch_up(step.catch_up),
    )


def describe_offset(offset_days: int) -> str:
    if offset_days == 0:
        return "el día del vencimiento"
    days = abs(offset_days)
    unit = "día" if days == 1 else "días"
    if offset_days < 0:
        return f"{days} {unit} antes del vencimiento"
    return f"{days} {unit} después del vencimiento"


def describe_conditions(conditions: Conditions) -> str:
    """Describe whom the step applies to: "todos los clientes" without limits."""
    parts = []
    if conditions.segments is not None:
        parts.append(
            "clientes " + _join(SEGMENT_LABELS[s] for s in conditions.segments)
        )
    if conditions.excluded_segments:
        labels = _join(SEGMENT_LABELS[s] for s in conditions.excluded_segments)
        parts.append(f"salvo clientes {labels}")
    if conditions.customer_kinds is not None:
        parts.append("solo " + _join(KIND_LABELS[k] for k in conditions.customer_kinds))
    parts.extend(
        _range(
            "saldo",
            conditions.balance_min,
            conditions.balance_max,
        )
    )
    parts.extend(
        _range(
            "días de atraso",
            conditions.days_past_due_min,
            conditions.days_past_due_max,
        )
    )
    parts.extend(
        _range(
            "puntaje de riesgo",
            conditions.risk_score_min,
            conditions.risk_score_max,
        )
    )
    return "; ".join(parts) if parts else "todos los clientes"


def describe_action(step: Step) -> str:
    kind = f" ({step.step_kind})" if step.step_kind else ""
    if step.action is Action.SEND:
        return f"envía un mensaje{kind}"
    if step.action is Action.OFFER_DISCOUNT:
        return f"ofrece {step.discount_percent}% de descuento{kind}"
    if step.action is Action.OFFER_INSTALLMENTS:
        return f"ofrece pagar en hasta {step.max_installments} cuotas{kind}"
    if step.action is Action.HANDOFF:
        notice = f", con aviso al cliente{kind}" if step.step_kind else ""
        return f"pasa el caso a una persona del equipo{notice}"
    return f"pausa el caso {step.pause_days} días"


def describe_catch_up(catch_up: CatchUp) -> str:
    if catch_up is CatchUp.SKIP:
        return "se omite"
    return "se envía en el próximo horario permitido"


def _range(label: str, low: object | None, high: object | None) -> list[str]:
    if low is not None and high is not None:
        return [f"{label} entre {low} y {high}"]
    if low is not None:
        return [f"{label} desde {low}"]
    if high is not None:
        return [f"{label} hasta {high}"]
    return []


def _join(words: Iterable[str]) -> str:
    items = sorted(words)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " y " + items[-1]
