"""The demo's dunning stage: a week of daily cycles on the demo portfolio.

It joins the stages of `cobranza.simulate.demo` here, in `jobs`, because
`simulate` may not import `jobs` (which wires the packages together on top)
and so cannot call `run_cycle` itself.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rich.console import Group

from cobranza.channels.sandbox import sent_messages
from cobranza.db.engine import default_business, transaction
from cobranza.jobs.cycle import CycleReport, run_cycle
from cobranza.jobs.terminal import (
    render_days,
    render_reasons,
    render_sandbox_outbox,
)
from cobranza.simulate.demo import DEMO_STAGES, DemoContext, DemoStage

CYCLE_DAYS = 7
CYCLE_HOUR = 10
SAMPLE_MESSAGES = 3
# The fictitious business has no payment provider, so its reminders carry
# these instructions, as a real owner's settings would.
DEMO_PAYMENT_INSTRUCTIONS = (
    "transferencia a Distribuidora Ejemplo (ficticia), alias EJEMPLO.COBRANZA"
)


def dunning_stage(context: DemoContext) -> list[CycleReport]:
    """Run one cycle a day for a week from the demo's today, and print them."""
    engine = context.require_engine()
    with transaction(engine) as session:
        business = default_business(session, context.settings)
        if not business.settings.get("payment_instructions"):
            business.settings = {
                **business.settings,
                "payment_instructions": DEMO_PAYMENT_INSTRUCTIONS,
            }
        business_id, timezone = business.id, business.timezone

    zone = ZoneInfo(timezone)
    reports = []
    for offset in range(CYCLE_DAYS):
        day = context.today + timedelta(days=offset)
        instant = datetime.combine(day, time(CYCLE_HOUR), tzinfo=zone)
        reports.append(run_cycle(engine, business_id, instant))

    with transaction(engine) as session:
        messages = sent_messages(session, business_id)
    last_day = context.today + timedelta(days=CYCLE_DAYS - 1)
    context.console.print()
    context.console.print(
        f"La demo simula {CYCLE_DAYS} ciclos diarios, del {context.today:%d/%m} "
        f"al {last_day:%d/%m}, con el canal de prueba: ningún mensaje sale de esta "
        "máquina."
    )
    context.console.print(
        Group(render_days(reports, timezone), render_reasons(reports))
    )
    sample = messages[:SAMPLE_MESSAGES]
    title = (
        f"Primeros {len(sample)} de {len(messages)} mensajes enviados por el sandbox"
    )
    context.console.print(render_sandbox_outbox(sample, timezone, title))
    context.console.print(
        "Para verlos todos, usá la última línea que se muestra al terminar."
    )
    return reports


def _dunning_stage(context: DemoContext) -> None:
    dunning_stage(context)


DEMO_STAGES_WITH_CYCLE: list[DemoStage] = [
    *DEMO_STAGES,
    ("dunning", _dunning_stage),
]
