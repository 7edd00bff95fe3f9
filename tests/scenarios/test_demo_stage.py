from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import Engine, func, select

from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import (
    ImportRun,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    Payment,
    SandboxMessage,
)
from cobranza.dunning.gate import REPLY_TO_VARIABLE
from cobranza.jobs.demo import CYCLE_DAYS, DEMO_STAGES_WITH_CYCLE
from cobranza.simulate.countries import ARGENTINA
from cobranza.simulate.demo import DEMO_TIMEZONE, DemoContext, run_demo

ZONE = ZoneInfo(DEMO_TIMEZONE)
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZONE)


def test_demo_runs_a_week_of_cycles(tmp_path: Path) -> None:
    console = Console(record=True, width=100)
    context = DemoContext(database=tmp_path / "demo.db", now=NOW, console=console)

    run_demo(context, DEMO_STAGES_WITH_CYCLE)

    output = console.export_text()
    assert "Ciclos diarios de cobranza" in output
    # The week simulated is the one before "now", so its messages, replies
    # and payment are in the past when the dashboard opens.
    days = [f"{day}/03/2026 10:00" for day in range(13, 13 + CYCLE_DAYS)]
    assert all(day in output for day in days), output
    assert "20/03/2026 10:00" not in output
    assert "Por qué no salió un mensaje" in output
    assert "usá el comando de «sandbox outbox» que aparece más abajo" in output
    assert "Respuestas de los clientes y qué hizo cobranza" in output
    assert "promete pagar" in output
    assert "registró la baja" in output
    assert "del 13/03 al 19/03" in output
    engine = make_engine(f"sqlite:///{context.database}")
    with transaction(engine) as session:
        sent = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state == OutboxState.SENT
            )
        )
        delivered = session.scalar(select(func.count(SandboxMessage.id)))
        failed = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state == OutboxState.FAILED
            )
        )
        intents = Counter(session.scalars(select(InboundMessage.intent)))
        answered = session.scalar(
            select(func.count(InboundMessage.id)).where(
                InboundMessage.action_taken.is_not(None)
            )
        )
        payments = session.scalars(
            select(Payment).where(Payment.provider_payment_id.like("demo-%"))
        ).all()
        last_sent = session.scalar(select(func.max(SandboxMessage.sent_at)))
    engine.dispose()
    # Every scripted reply reached a customer and the conversation engine.
    assert sum(intents.values()) == len(ARGENTINA.replies)
    assert answered == len(ARGENTINA.replies)
    for intent in (
        "promise_to_pay",
        "already_paid",
        "request_installments",
        "request_payment_link",
        "opt_out",
        "dispute",
        "cannot_pay",
        "acknowledge",
    ):
        assert intents[intent] >= 1, intents
    assert len(payments) == 1
    assert last_sent is not None and last_sent < NOW
    assert sent and sent > 0
    assert delivered == sent
    assert failed == 0
    assert f"de {sent} mensajes enviados por el sandbox" in output


def _run_demo(tmp_path: Path, now: datetime) -> Engine:
    context = DemoContext(
        database=tmp_path / "demo.db", now=now, console=Console(file=io.StringIO())
    )
    run_demo(context, DEMO_STAGES_WITH_CYCLE)
    return make_engine(f"sqlite:///{context.database}")


def test_demo_sends_nothing_before_the_import(tmp_path: Path) -> None:
    # Given a "now" later in the day than the daily cycle
    now = datetime(2026, 3, 20, 15, 30, tzinfo=ZONE)
    engine = _run_demo(tmp_path, now)

    with transaction(engine) as session:
        imported_at = session.scalar(select(ImportRun.at))
        first_sent = session.scalar(select(func.min(SandboxMessage.sent_at)))
        last_sent = session.scalar(select(func.max(SandboxMessage.sent_at)))
    engine.dispose()

    # Then the week's first cycle comes after the portfolio was loaded
    assert imported_at is not None
    assert first_sent is not None
    assert last_sent is not None
    assert first_sent > imported_at
    assert last_sent < now


def test_demo_sends_responses_at_reply_instant(tmp_path: Path) -> None:
    # Given a week whose last replies run out while more customers were
    # written to that day (on Tuesday 2026-05-26)
    engine = _run_demo(tmp_path, datetime(2026, 5, 27, 9, 0, tzinfo=ZONE))

    with transaction(engine) as session:
        received = {
            inbound.id: inbound.received_at
            for inbound in session.scalars(select(InboundMessage))
        }
        responses = [
            row
            for row in session.scalars(select(OutboxMessage))
            if REPLY_TO_VARIABLE in row.variables
        ]
    engine.dispose()

    # Then each automatic response went out at the instant of its reply
    assert len(received) == len(ARGENTINA.replies)
    assert responses
    for row in responses:
        assert row.state == OutboxState.SENT, row.step
        assert row.sent_at == received[row.variables[REPLY_TO_VARIABLE]], row.step
