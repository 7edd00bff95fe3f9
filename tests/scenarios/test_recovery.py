"""Crashes, repeated runs and dry runs never send a message twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from cobranza.channels.base import OutgoingMessage, SendResult
from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.sandbox import SandboxChannel
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Case, OutboxMessage, OutboxState
from cobranza.jobs import run_cycle
from tests.channels.factories import make_business, make_customer, make_document
from tests.scenarios.helpers import AR_TZ, local_instant, outbox_rows, sandbox_texts

SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)
TUESDAY = local_instant(date(2026, 3, 3), 10, AR_TZ)
WEDNESDAY = local_instant(date(2026, 3, 4), 10, AR_TZ)


class PowerCut(Exception):
    """The process died: raised where a real crash would stop the dispatcher."""


class CrashBeforeSend(SandboxChannel):
    def send(self, message: OutgoingMessage) -> SendResult:
        raise PowerCut("killed after the claim committed, before the provider call")


class CrashAfterSend(SandboxChannel):
    def send(self, message: OutgoingMessage) -> SendResult:
        super().send(message)
        raise PowerCut("killed after the provider call, before recording it")


def _given(engine: Engine, customers: int = 1) -> tuple[int, list[int]]:
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        ids = []
        for index in range(customers):
            customer = make_customer(
                session,
                business,
                SETUP,
                f"C{index}",
                f"+54911555501{index:02d}",
                segment="punctual",
            )
            make_document(
                session, customer, SETUP, f"A-{index}", "1000.00", date(2026, 3, 2)
            )
            ids.append(customer.id)
        return business.id, ids


def _table_counts(engine: Engine) -> tuple[int, ...]:
    with transaction(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (OutboxMessage, AuditEvent, Case)
        )


@pytest.mark.parametrize("crash", [CrashBeforeSend, CrashAfterSend])
def test_crash_reconciled_without_resend(
    engine: Engine, crash: type[SandboxChannel]
) -> None:
    business_id, [customer_id] = _given(engine)
    crashing = crash(engine, clock=lambda: TUESDAY)
    with pytest.raises(PowerCut):
        run_cycle(
            engine,
            business_id,
            TUESDAY,
            dispatcher=Dispatcher(engine, {"sandbox": crashing}),
        )
    [stuck] = outbox_rows(engine, customer_id)
    assert stuck.state == OutboxState.SENDING

    report = run_cycle(engine, business_id, WEDNESDAY)

    expected = "requeued" if crash is CrashBeforeSend else "sent"
    assert report.dispatch.reconciled == {expected: 1}
    [row] = outbox_rows(engine, customer_id)
    assert row.state == OutboxState.SENT
    assert len(sandbox_texts(engine, customer_id)) == 1
    assert report.dispatch.sent == (1 if crash is CrashBeforeSend else 0)


def test_same_instant_twice_sends_nothing_new(engine: Engine) -> None:
    business_id, customer_ids = _given(engine, customers=3)
    first = run_cycle(engine, business_id, TUESDAY)
    counts = _table_counts(engine)

    second = run_cycle(engine, business_id, TUESDAY)

    assert first.planned == 3
    assert first.dispatch.sent == 3
    assert second.planned == 0
    assert second.dispatch.sent == 0
    assert _table_counts(engine) == counts
    for customer_id in customer_ids:
        assert len(sandbox_texts(engine, customer_id)) == 1


def test_dry_run_writes_nothing(engine: Engine) -> None:
    business_id, [customer_id] = _given(engine)
    before = _table_counts(engine)

    report = run_cycle(engine, business_id, TUESDAY, dry_run=True)

    assert report.dry_run
    assert report.planned == 1
    assert report.dispatch.sent == 1
    assert _table_counts(engine) == before
    assert sandbox_texts(engine, customer_id) == []

    real = run_cycle(engine, business_id, TUESDAY)

    assert real.planned == 1
    assert real.dispatch.sent == 1


def test_dry_run_reports_gate_reasons(sqlite_engine: Engine) -> None:
    business_id, _ = _given(sqlite_engine)
    evening = local_instant(date(2026, 3, 3), 21, AR_TZ)

    report = run_cycle(sqlite_engine, business_id, evening, dry_run=True)

    assert report.dispatch.deferred == {"outside_contact_window": 1}
    assert report.dispatch.sent == 0
