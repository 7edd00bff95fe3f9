"""Rich tables for the `policy show` and `case show` commands (Spanish UI)."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.table import Table

from cobranza.db.models import Business, Case, CaseState, OutboxMessage
from cobranza.dunning.explain import describe_step
from cobranza.dunning.policy import Policy
from cobranza.dunning.timeline import CaseTimeline, TimelineEntry
from cobranza.timeutil import local_date
from cobranza.wording import (
    actor_label,
    kind_label,
    local_time,
    pause_label,
    reason_label,
    step_label,
    timeline_detail,
)

CASE_STATE_LABELS = {
    "open": "abierto",
    "paused": "en pausa",
    "handed_off": "en manos de una persona",
    "closed": "cerrado",
}

# The subject of an audit event, as the history's "Origen" column names it.
SUBJECT_LABELS = {
    "case": "caso",
    "outbox_message": "mensaje",
    "installment_plan": "plan de cuotas",
}


def policy_table(policy: Policy) -> Table:
    """Return a table with one row per step, described in plain Spanish."""
    title = f"Política {policy.name!r} ({policy.source})"
    table = Table(title=title, caption=policy.description or None, show_lines=True)
    for header in (
        "Paso",
        "Cuándo",
        "A quién",
        "Qué hace",
        "Tono",
        "Si se pasó el día",
    ):
        table.add_column(header, overflow="fold")
    for step in policy.steps:
        described = describe_step(step)
        table.add_row(
            described.key,
            described.when,
            described.audience,
            described.action,
            described.tone,
            described.catch_up,
        )
    return table


def case_tables(timeline: CaseTimeline, business: Business) -> Group:
    """Return the customer's cases and the merged timeline as two tables.

    Codes are worded in Spanish and instants shown in the business's zone,
    as on the dashboard's customer page.
    """
    customer = timeline.customer
    timezone = business.timezone
    # Ids, names and reply texts come from files and customers: never markup.
    cases = Table(title=f"Casos de {escape(customer.external_id)}")
    for header in ("Caso", "Estado", "Último paso enviado", "Abierto", "Cerrado"):
        cases.add_column(header)
    last_sent = _last_sent_steps(timeline.outbox)
    for case in timeline.cases:
        closed = ""
        if case.closed_at is not None:
            closed = f"{local_date(case.closed_at, timezone):%d/%m/%Y}"
            if case.close_reason:
                closed += f" ({_lower_first(reason_label(case.close_reason))})"
        cases.add_row(
            str(case.id),
            escape(_case_state(case)),
            escape(_last_step(case, last_sent)),
            f"{local_date(case.opened_at, timezone):%d/%m/%Y}",
            escape(closed),
        )

    history = Table(title=f"Historial (hora de {timezone})")
    for header in ("Cuándo", "Origen", "Qué", "Detalle"):
        history.add_column(header, overflow="fold")
    for entry in timeline.entries:
        detail = timeline_detail(
            entry.kind, entry.facts, business.currency, business.locale, timezone
        )
        history.add_row(
            local_time(entry.at, timezone),
            escape(_source(entry)),
            escape(kind_label(entry.kind)),
            escape(detail or entry.detail),
        )
    return Group(cases, history)


def _last_sent_steps(rows: list[OutboxMessage]) -> dict[int, str]:
    """Return the step of each case's last sent message, by case id."""
    sent = sorted(
        (row for row in rows if row.sent_at is not None),
        key=lambda row: (row.sent_at, row.id),
    )
    return {row.case_id: row.step for row in sent}


def _last_step(case: Case, last_sent: dict[int, str]) -> str:
    # A case closed as paid resets its step for the planner, so the messages
    # it sent are the record of what went out.
    step = last_sent.get(case.id) or case.step
    return step_label(step) if step else "—"


def _case_state(case: Case) -> str:
    state = CASE_STATE_LABELS.get(case.state, case.state)
    if case.state == CaseState.PAUSED and case.pause_reason:
        state += f" ({pause_label(case.pause_reason)})"
    return state


def _source(entry: TimelineEntry) -> str:
    facts = entry.facts
    if entry.kind == "reply":
        return f"cliente ({facts.get('channel')})"
    if entry.kind == "message":
        return f"envío (mensaje {facts.get('outbox_id')})"
    subject_type = str(facts.get("subject_type", ""))
    subject = SUBJECT_LABELS.get(subject_type, subject_type)
    actor = actor_label(str(facts.get("actor", "")))
    return f"{actor} ({subject} {facts.get('subject_id')})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
