"""Rich tables for the `policy show` and `case show` commands (Spanish UI)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.console import Group
from rich.table import Table

from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    OutboxMessage,
)
from cobranza.dunning.explain import describe_step
from cobranza.dunning.holds import is_held
from cobranza.dunning.policy import Policy
from cobranza.dunning.timeline import CaseTimeline, TimelineEntry
from cobranza.money import format_money
from cobranza.terminal_text import markup_safe
from cobranza.timeutil import local_date
from cobranza.wording import (
    actor_label,
    kind_label,
    label_in_voice,
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

NO_CASES_CAPTION = (
    "Todavía no tiene casos: el primero se abre cuando cobranza planifica "
    "su primer recordatorio (cobranza run)."
)

# The subject of an audit event, as the history's "Origen" column names it.
SUBJECT_LABELS = {
    "customer": "cliente",
    "case": "caso",
    "document": "factura",
    "outbox_message": "mensaje",
    "installment_plan": "plan de cuotas",
}


def policy_table(policy: Policy) -> Table:
    """Return a table with one row per step, described in plain Spanish."""
    title = markup_safe(f"Política {policy.name!r} ({policy.source})")
    caption = markup_safe(policy.description) or None
    table = Table(title=title, caption=caption, show_lines=True)
    # A step's label folds in two lines, so that the columns describing
    # the step keep their width.
    table.add_column("Paso", overflow="fold", max_width=24)
    for header in (
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
            markup_safe(step_label(step.key, step.step_kind)),
            described.when,
            described.audience,
            described.action,
            described.tone,
            described.catch_up,
        )
    return table


def case_tables(timeline: CaseTimeline, business: Business) -> Group:
    """Return the customer's cases and the merged timeline as two tables.

    Codes are worded in Spanish, in the voice of the business's locale, and
    instants shown in the business's zone, as on the dashboard's customer
    page.
    """
    customer = timeline.customer
    timezone = business.timezone
    # Ids, names and replies come from files and customers, so they are text.
    cases = Table(
        title=markup_safe(f"Casos de {customer.name} ({customer.external_id})")
    )
    for header in ("Caso", "Estado", "Último paso enviado", "Abierto", "Cerrado"):
        cases.add_column(header)
    last_sent = _last_sent_steps(timeline.outbox)
    for case in timeline.cases:
        closed = ""
        if case.closed_at is not None:
            closed = f"{local_date(case.closed_at, timezone):%d/%m/%Y}"
            if case.close_reason:
                reason = label_in_voice(
                    reason_label(case.close_reason, business.locale),
                    case.close_reason,
                    business.locale,
                )
                closed += f" ({_lower_first(reason)})"
        cases.add_row(
            str(case.id),
            markup_safe(_case_state(case)),
            markup_safe(_last_step(case, last_sent)),
            f"{local_date(case.opened_at, timezone):%d/%m/%Y}",
            markup_safe(closed),
        )
    if not timeline.cases:
        # An empty table reads as a display fault, so the caption gives the reason.
        cases.caption = NO_CASES_CAPTION

    history = Table(title=f"Historial (hora de {timezone})")
    for header in ("Cuándo", "Origen", "Qué", "Detalle"):
        history.add_column(header, overflow="fold")
    for entry in timeline.entries:
        detail = timeline_detail(
            entry.kind, entry.facts, business.currency, business.locale, timezone
        )
        kind = label_in_voice(
            kind_label(entry.kind, business.locale), entry.kind, business.locale
        )
        history.add_row(
            local_time(entry.at, timezone),
            markup_safe(_source(entry, customer, business.locale)),
            markup_safe(kind),
            markup_safe(detail or entry.detail, keep_newlines=True),
        )
    return Group(cases, history)


def invoices_table(
    documents: Sequence[Document],
    business: Business,
    today: date,
    release_command: str,
) -> Table | str:
    """Return the customer's invoices with a balance and which ones are collected.

    A held invoice shows since when and until when it is held, and why. The
    caption names `release_command` when any invoice is held.
    """
    if not documents:
        return "El cliente no tiene facturas con saldo."
    table = Table(title="Facturas con saldo")
    for header in (
        "Factura",
        "Vencimiento",
        "Saldo",
        "Estado",
        "Motivo de la retención",
    ):
        table.add_column(
            header, justify="right" if header == "Saldo" else "left", overflow="fold"
        )
    held_any = False
    for document in documents:
        held = is_held(document.hold_until, document.held_at, today)
        held_any = held_any or held
        states = []
        if document.disputed:
            states.append("en disputa")
        if held:
            states.append(hold_label(document, business.timezone))
        table.add_row(
            markup_safe(document.number),
            f"{document.due_on:%d/%m/%Y}" if document.due_on else "—",
            format_money(document.open_amount, document.currency, business.locale),
            "; ".join(states) or "se cobra",
            markup_safe(document.hold_reason or "") if held else "",
        )
    if held_any:
        table.caption = (
            f"Para volver a cobrar las retenidas: {markup_safe(release_command)}"
        )
    return table


def hold_label(document: Document, timezone: str) -> str:
    """Word a document's hold: since when, and until when or with no end."""
    label = "retenida"
    if document.held_at is not None:
        label += f" desde el {local_date(document.held_at, timezone):%d/%m/%Y}"
    if document.hold_until is None:
        return label + ", sin fecha de fin"
    return label + f" hasta el {document.hold_until:%d/%m/%Y}"


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


def _source(entry: TimelineEntry, customer: Customer, locale: str) -> str:
    facts = entry.facts
    if entry.kind == "reply":
        return f"cliente ({facts.get('channel')})"
    if entry.kind == "message":
        return f"envío (mensaje {facts.get('outbox_id')})"
    subject_type = str(facts.get("subject_type", ""))
    subject = SUBJECT_LABELS.get(subject_type, subject_type)
    stored_actor = str(facts.get("actor", ""))
    # The owner is "vos" in es-AR and "tú" elsewhere, and an e-mail stays as stored.
    actor = label_in_voice(actor_label(stored_actor), stored_actor, locale)
    subject_id = facts.get("subject_id")
    if subject_type == "customer" and subject_id == customer.id:
        # The owner knows the customer by the code of its file, not by the row id.
        subject_id = customer.external_id
    return f"{actor} ({subject} {subject_id})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
