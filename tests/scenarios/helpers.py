"""Helpers that walk a portfolio through simulated days of the dunning cycle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from cobranza.channels.dispatcher import DispatchReport
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    OutboxMessage,
    OutboxState,
    SandboxMessage,
)
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import load_policy, policy_path_for
from cobranza.jobs import CycleReport, run_cycle, sandbox_dispatcher


def local_instant(day: date, hour: int, tz: str, minute: int = 0) -> datetime:
    """Return `hour:minute` on `day` in zone `tz` as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def days(start: date, count: int) -> Iterator[date]:
    for offset in range(count):
        yield start + timedelta(days=offset)


def run_days(
    engine: Engine,
    business_id: int,
    start: date,
    count: int,
    tz: str,
    *,
    hour: int = 10,
    policy: Policy | None = None,
) -> list[CycleReport]:
    """Run one cycle a day at `hour` local time, as a daily schedule would."""
    return [
        run_cycle(engine, business_id, local_instant(day, hour, tz), policy=policy)
        for day in days(start, count)
    ]


def sent_rows(engine: Engine, customer_id: int) -> list[OutboxMessage]:
    """Return the customer's sent outbox rows in the order they were sent."""
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.customer_id == customer_id,
                    OutboxMessage.state == OutboxState.SENT,
                )
                .order_by(OutboxMessage.sent_at, OutboxMessage.id)
            )
        )


def outbox_rows(engine: Engine, customer_id: int) -> list[OutboxMessage]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.customer_id == customer_id)
                .order_by(OutboxMessage.id)
            )
        )


def sandbox_texts(engine: Engine, customer_id: int) -> list[str]:
    """Return the texts the sandbox delivered to the customer, oldest first."""
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(SandboxMessage.text)
                .join(OutboxMessage, OutboxMessage.id == SandboxMessage.outbox_id)
                .where(OutboxMessage.customer_id == customer_id)
                .order_by(SandboxMessage.sent_at, SandboxMessage.id)
            )
        )


def audit_kinds(engine: Engine, outbox_id: int) -> list[tuple[str, str | None]]:
    """Return (kind, reason) of the audit events about one outbox row."""
    with transaction(engine) as session:
        return [
            (event.kind, event.reason)
            for event in session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.subject_type == "outbox_message",
                    AuditEvent.subject_id == outbox_id,
                )
                .order_by(AuditEvent.id)
            )
        ]


AR_TZ = "America/Argentina/Buenos_Aires"
CL_TZ = "America/Santiago"


def plan_only(engine: Engine, business_id: int, now: datetime) -> int:
    """Run the planner alone, as the first half of a cycle; return rows queued."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        policy = load_policy(policy_path_for(business))
        return plan(session, business, now, policy).messages_queued


def dispatch_only(engine: Engine, business_id: int, now: datetime) -> DispatchReport:
    """Run the dispatcher alone, as the second half of a cycle."""
    return sandbox_dispatcher(engine, now).run(business_id, now)
