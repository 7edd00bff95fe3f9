"""Rich tables for the `policy show` and `case show` commands (Spanish UI)."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.table import Table

from cobranza.dunning.explain import describe_step
from cobranza.dunning.policy import Policy
from cobranza.dunning.timeline import CaseTimeline

CASE_STATE_LABELS = {
    "open": "abierto",
    "paused": "en pausa",
    "handed_off": "en manos de una persona",
    "closed": "cerrado",
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


def case_tables(timeline: CaseTimeline) -> Group:
    """Return the customer's cases and the merged timeline as two tables."""
    customer = timeline.customer
    # Ids, names and reply texts come from files and customers: never markup.
    cases = Table(title=f"Casos de {escape(customer.external_id)}")
    for header in ("Caso", "Estado", "Último paso enviado", "Abierto", "Cerrado"):
        cases.add_column(header)
    for case in timeline.cases:
        closed = ""
        if case.closed_at is not None:
            closed = f"{case.closed_at:%Y-%m-%d} ({case.close_reason})"
        cases.add_row(
            str(case.id),
            CASE_STATE_LABELS.get(case.state, case.state),
            case.step or "—",
            f"{case.opened_at:%Y-%m-%d}",
            closed,
        )

    history = Table(title="Historial (UTC)")
    for header in ("Cuándo", "Origen", "Qué", "Detalle"):
        history.add_column(header, overflow="fold")
    for entry in timeline.entries:
        history.add_row(
            f"{entry.at:%Y-%m-%d %H:%M}",
            escape(entry.source),
            escape(entry.kind),
            escape(entry.detail),
        )
    return Group(cases, history)
