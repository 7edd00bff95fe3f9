"""The demo's dunning stage: a week of daily cycles on the demo portfolio.

It joins the stages of `cobranza.simulate.demo` here, in `jobs`, because
`simulate` may not import `jobs` (which wires the packages together on top)
and so cannot call `run_cycle` itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.db.engine import default_business, transaction
from cobranza.db.models import Business, Customer, InboundMessage
from cobranza.dunning.promises import open_balance
from cobranza.jobs.cycle import CycleReport, run_cycle, sandbox_dispatcher
from cobranza.jobs.terminal import (
    render_days,
    render_reasons,
    render_sandbox_outbox,
)
from cobranza.jobs.wiring import install_hooks
from cobranza.payments import link_for_outbox_row
from cobranza.payments.manual import record_payment
from cobranza.simulate.countries import DemoReply
from cobranza.simulate.demo import (
    CYCLE_HOUR,
    DEMO_STAGES,
    SIMULATED_DAYS,
    DemoContext,
    DemoStage,
)
from cobranza.terminal_text import markup_safe
from cobranza.timeutil import local_date
from cobranza.wording import ACTION_LABELS, INTENT_LABELS

CYCLE_DAYS = SIMULATED_DAYS
SAMPLE_MESSAGES = 3
REPLIES_PER_DAY = 5
FIRST_REPLY_DELAY = timedelta(minutes=40)
REPLY_SPACING = timedelta(minutes=13)
PAYMENT_HOUR = 15


@dataclass
class _Script:
    """The scripted replies not yet sent and the payments not yet recorded."""

    replies: list[DemoReply]
    payment_method: str = "transferencia"
    answered: set[str] = field(default_factory=set)
    payments: list[tuple[date, int]] = field(default_factory=list)


def dunning_stage(context: DemoContext) -> list[CycleReport]:
    """Run the week of daily cycles after the portfolio was loaded, and print it.

    After each day's cycle that sent messages, some of the customers written
    to reply with the country's scripted replies (`DemoCountry.replies`),
    and the replies go through the conversation engine as a real
    customer's would. A customer who promised and paid has the payment
    recorded on its day.
    """
    engine = context.require_engine()
    install_hooks(context.settings)
    with transaction(engine) as session:
        business = default_business(session, context.settings)
        if not business.settings.get("payment_instructions"):
            business.settings = {
                **business.settings,
                "payment_instructions": context.country.payment_instructions,
            }
        business_id, timezone, locale = (
            business.id,
            business.timezone,
            business.locale,
        )

    zone = ZoneInfo(timezone)
    script = _Script(
        replies=list(context.country.replies),
        payment_method=context.country.payment_method,
    )
    reports = []
    first_day = context.loaded_on
    for offset in range(CYCLE_DAYS):
        day = first_day + timedelta(days=offset)
        instant = datetime.combine(day, time(CYCLE_HOUR), tzinfo=zone)
        # Reminders carry the sandbox pay link, as a real run's do, so the
        # served demo lets the owner open a reminder's link and pay it.
        dispatcher = sandbox_dispatcher(
            engine, instant, link_builder=link_for_outbox_row
        )
        try:
            report = run_cycle(engine, business_id, instant, dispatcher=dispatcher)
        finally:
            dispatcher.close()
        reports.append(report)
        # Customers reply on days the business may write, so that the
        # automatic messages go out at once instead of waiting for Monday.
        if report.dispatch.sent:
            _reply(engine, business_id, instant, script)
        _pay(engine, business_id, day, zone, script)

    with transaction(engine) as session:
        messages = sent_messages(session, business_id)
    last_day = first_day + timedelta(days=CYCLE_DAYS - 1)
    context.console.print()
    context.console.print(
        f"La demo simula los {CYCLE_DAYS} días desde que se cargó la cartera, "
        f"del {first_day:%d/%m} al {last_day:%d/%m}, con el canal de prueba: "
        "ningún mensaje sale de esta máquina. Algunos clientes responden y uno "
        "paga, para que el panel muestre conversaciones y lo cobrado."
    )
    context.console.print(
        Group(render_days(reports, timezone), render_reasons(reports, locale))
    )
    sample = messages[:SAMPLE_MESSAGES]
    title = (
        f"Primeros {len(sample)} de {len(messages)} mensajes enviados por el sandbox"
    )
    context.console.print(render_sandbox_outbox(sample, timezone, title))
    context.console.print(
        "Para verlos todos, usá el comando de «sandbox outbox» que aparece más abajo."
    )
    with transaction(engine) as session:
        context.console.print(_replies_table(session, business_id, zone))
    return reports


def _replies_table(session: Session, business_id: int, zone: ZoneInfo) -> Table:
    """Build a table of the week's replies: who wrote, what, and what was done."""
    table = Table(title="Respuestas de los clientes y qué hizo cobranza")
    for header in ("Cuándo", "Cliente", "Mensaje", "Entendió", "Hizo"):
        table.add_column(header, overflow="fold")
    rows = session.execute(
        select(InboundMessage, Customer.external_id)
        .join(Customer, Customer.id == InboundMessage.customer_id)
        .where(InboundMessage.business_id == business_id)
        .order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()
    for inbound, external_id in rows:
        table.add_row(
            f"{inbound.received_at.astimezone(zone):%d/%m %H:%M}",
            markup_safe(external_id),
            markup_safe(inbound.text or "", keep_newlines=True),
            INTENT_LABELS.get(inbound.intent or "", inbound.intent or "—"),
            ACTION_LABELS.get(inbound.action_taken or "", inbound.action_taken or "—"),
        )
    return table


def _reply(
    engine: Engine,
    business_id: int,
    cycle_at: datetime,
    script: _Script,
) -> None:
    """Record replies from up to `REPLIES_PER_DAY` customers already written to.

    Customers written to today reply first, then ones written to on earlier
    days, so that a day with few new customers still uses the script. Each
    customer replies once in the week, and the day's replies stop when the
    script runs out.
    """
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        today: dict[str, str] = {}
        earlier: dict[str, str] = {}
        for message in sent_messages(session, business_id):
            if message.phone is None or message.customer_external_id in script.answered:
                continue
            written = today if message.sent_at >= cycle_at else earlier
            written.setdefault(message.customer_external_id, message.phone)
        phones = today | {
            external_id: phone
            for external_id, phone in earlier.items()
            if external_id not in today
        }
        writers = list(phones.items())[: min(REPLIES_PER_DAY, len(script.replies))]
        answers: list[datetime] = []
        for index, (external_id, phone) in enumerate(writers):
            reply = script.replies.pop(0)
            script.answered.add(external_id)
            at = cycle_at + FIRST_REPLY_DELAY + index * REPLY_SPACING
            recorded = record_reply(session, business, phone, reply.text, at)
            answers.append(at)
            if reply.pays_in_days is not None and recorded.customer_id is not None:
                paid_on = local_date(at, business.timezone) + timedelta(
                    days=reply.pays_in_days
                )
                script.payments.append((paid_on, recorded.customer_id))
    # The server's worker sends the automatic messages as soon as a reply
    # commits, so the demo dispatches at each reply's instant.
    for at in answers:
        sandbox_dispatcher(engine, at).run(business_id, at)


def _pay(
    engine: Engine,
    business_id: int,
    day: date,
    zone: ZoneInfo,
    script: _Script,
) -> None:
    """Record the scripted payments that fall on `day`."""
    due = [customer_id for paid_on, customer_id in script.payments if paid_on == day]
    if not due:
        return
    paid_at = datetime.combine(day, time(PAYMENT_HOUR), tzinfo=zone)
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        for customer_id in due:
            customer = session.get_one(Customer, customer_id)
            owed = open_balance(session, business, customer_id, day)
            if owed.balance > 0:
                record_payment(
                    session, business, customer, owed.balance, paid_at, paid_at,
                    currency=owed.currency, method=script.payment_method,
                    reference=f"demo-{customer.external_id}",
                )  # fmt: skip
    sandbox_dispatcher(engine, paid_at).run(business_id, paid_at)


def _dunning_stage(context: DemoContext) -> None:
    dunning_stage(context)


DEMO_STAGES_WITH_CYCLE: list[DemoStage] = [
    *DEMO_STAGES,
    ("dunning", _dunning_stage),
]
