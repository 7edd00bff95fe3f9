"""A broken promise through daily cycles: its notice replaces the policy step.

A Mexican customer replies through the sandbox, the real reply handler
records the promise, and cycles run with the planner and the dispatcher on
business days. When the promised day and its day of grace pass unpaid, the
broken-promise notice goes out on the next allowed day in place of the
policy step due then, and the policy continues after that step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.db.engine import transaction
from cobranza.db.models import Business, OutboxState, PromiseStatus, PromiseToPay
from cobranza.jobs import run_cycle, sandbox_dispatcher
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_business, make_customer, make_document
from tests.scenarios.helpers import local_instant, outbox_rows, sent_rows

MX_TZ = "America/Mexico_City"
PHONE = "+5215512345678"


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def given_customer(engine: Engine, due_on: date) -> tuple[int, int]:
    """Add a Mexican business and a customer owing $ 4,467.82 due `due_on`."""
    setup = local_instant(date(2026, 11, 2), 9, MX_TZ)
    with transaction(engine) as session:
        business = make_business(session, setup, country="MX")
        customer = make_customer(
            session, business, setup, "9149-MATVB", PHONE, name="Luis Cruz"
        )
        make_document(session, customer, setup, "F-1867249429", "4467.82", due_on)
        return business.id, customer.id


def reply(engine: Engine, business_id: int, text: str, at: datetime) -> None:
    """Record the customer's reply as `cobranza sandbox reply` does, then dispatch."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        record_reply(session, business, PHONE, text, at)
    later = at + timedelta(minutes=5)
    sandbox_dispatcher(engine, later).run(business_id, later)


def business_days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def run_business_days(
    engine: Engine, business_id: int, start: date, end: date, *, hour: int = 9
) -> None:
    """Run one cycle at `hour`:30 local time on each weekday, as `--now` would."""
    for day in business_days(start, end):
        run_cycle(engine, business_id, local_instant(day, hour, MX_TZ, 30))


def sent_by_day(engine: Engine, customer_id: int) -> dict[date, list[str]]:
    """Return the step kinds sent to the customer, by local day."""
    sent: dict[date, list[str]] = {}
    for row in sent_rows(engine, customer_id):
        assert row.sent_at is not None
        day = row.sent_at.astimezone(ZoneInfo(MX_TZ)).date()
        sent.setdefault(day, []).append(row.step_kind)
    return sent


def promise_status(engine: Engine) -> str:
    with transaction(engine) as session:
        return session.scalars(select(PromiseToPay.status)).one()


def test_notice_replaces_step_due_that_day(engine: Engine) -> None:
    # given: the preventive reminder went out on Friday 11 December and the
    # customer promised Monday 14, the invoice's due day
    business_id, customer_id = given_customer(engine, date(2026, 12, 14))
    run_cycle(engine, business_id, local_instant(date(2026, 12, 11), 10, MX_TZ))
    reply(
        engine,
        business_id,
        "el lunes te deposito la lana",
        local_instant(date(2026, 12, 11), 12, MX_TZ),
    )

    # when: nothing is paid and cycles run on business days
    run_business_days(engine, business_id, date(2026, 12, 14), date(2026, 12, 23))

    # then: the grace day ends on Tuesday 15, so on Wednesday 16 the notice
    # goes out in place of reminder_soft, and the policy continues with the
    # step after it on day 7
    assert promise_status(engine) == PromiseStatus.BROKEN
    sent = sent_by_day(engine, customer_id)
    assert sent[date(2026, 12, 11)] == ["preventive", "promise_confirmation"]
    assert sent[date(2026, 12, 16)] == ["broken_promise"]
    assert sent[date(2026, 12, 21)] == ["reminder_empathetic"]
    assert sorted(sent) == [date(2026, 12, 11), date(2026, 12, 16), date(2026, 12, 21)]
    kinds = [row.step_kind for row in outbox_rows(engine, customer_id)]
    assert "reminder_soft" not in kinds


def test_notice_replaces_later_step(engine: Engine) -> None:
    # given: the invoice fell due on Friday 4 December, reminder_soft went
    # out on Monday 7, and on Friday 11 the customer promised Friday 18
    business_id, customer_id = given_customer(engine, date(2026, 12, 4))
    run_cycle(engine, business_id, local_instant(date(2026, 12, 7), 10, MX_TZ))
    reply(
        engine,
        business_id,
        "el viernes te deposito, sale",
        local_instant(date(2026, 12, 11), 12, MX_TZ),
    )

    # when
    run_business_days(engine, business_id, date(2026, 12, 14), date(2027, 1, 8))

    # then: on Monday 21, the first cycle after day 15, the notice takes
    # second_notice's place, and plan_offer follows at the first cycle after
    # day 30 (Monday 4 January)
    sent = sent_by_day(engine, customer_id)
    assert sent[date(2026, 12, 21)] == ["broken_promise"]
    assert sent[date(2027, 1, 4)] == ["plan_offer"]
    assert sorted(sent) == [
        date(2026, 12, 7),
        date(2026, 12, 11),
        date(2026, 12, 21),
        date(2027, 1, 4),
    ]
    kinds = [row.step_kind for row in outbox_rows(engine, customer_id)]
    assert "second_notice" not in kinds
    assert "reminder_empathetic" not in kinds


def test_deferred_notice_replaces_next_step(engine: Engine) -> None:
    # given: reminder_soft went out on Tuesday 8 December and the customer
    # promised Friday 11; the grace day ends on Saturday 12
    business_id, customer_id = given_customer(engine, date(2026, 12, 7))
    run_cycle(engine, business_id, local_instant(date(2026, 12, 8), 10, MX_TZ))
    reply(
        engine,
        business_id,
        "te pago el viernes",
        local_instant(date(2026, 12, 8), 12, MX_TZ),
    )

    # when: Sunday 13's cycle runs at 22:30, after the contact window, so
    # the notice waits; Monday 14 is day 7, when reminder_empathetic is due
    run_cycle(engine, business_id, local_instant(date(2026, 12, 13), 22, MX_TZ, 30))
    waiting = [
        row
        for row in outbox_rows(engine, customer_id)
        if row.step_kind == "broken_promise"
    ]
    run_business_days(engine, business_id, date(2026, 12, 14), date(2026, 12, 18))

    # then: the waiting notice goes out on Monday in reminder_empathetic's
    # place, and nothing else
    assert [row.state for row in waiting] == [OutboxState.QUEUED]
    sent = sent_by_day(engine, customer_id)
    assert sent[date(2026, 12, 14)] == ["broken_promise"]
    assert sorted(sent) == [date(2026, 12, 8), date(2026, 12, 14)]
    kinds = [row.step_kind for row in outbox_rows(engine, customer_id)]
    assert "reminder_empathetic" not in kinds


def test_waiting_notice_outlives_next_step(engine: Engine) -> None:
    # given: the preventive reminder went out on Friday 11 December for an
    # invoice due Monday 14, and the customer promised Saturday 12
    business_id, customer_id = given_customer(engine, date(2026, 12, 14))
    run_cycle(engine, business_id, local_instant(date(2026, 12, 11), 10, MX_TZ))
    reply(
        engine,
        business_id,
        "te pago el sábado",
        local_instant(date(2026, 12, 11), 12, MX_TZ),
    )

    # when: Monday 14's cycle runs at 22:30, after the contact window, so
    # the notice queued in due_today's place waits for Tuesday 15, when
    # reminder_soft falls due
    run_cycle(engine, business_id, local_instant(date(2026, 12, 14), 22, MX_TZ, 30))
    run_business_days(engine, business_id, date(2026, 12, 15), date(2026, 12, 23))

    # then: the waiting notice goes out on Tuesday instead of reminder_soft,
    # and the policy continues with reminder_empathetic on day 7
    assert promise_status(engine) == PromiseStatus.BROKEN
    sent = sent_by_day(engine, customer_id)
    assert sent[date(2026, 12, 15)] == ["broken_promise"]
    assert sent[date(2026, 12, 21)] == ["reminder_empathetic"]
    assert sorted(sent) == [date(2026, 12, 11), date(2026, 12, 15), date(2026, 12, 21)]
    kinds = [row.step_kind for row in outbox_rows(engine, customer_id)]
    assert "reminder_soft" not in kinds
    assert "due_today" not in kinds
