"""The scheduler dispatches the response to a reply at once, not at its next run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import Business
from cobranza.jobs.replies import add_reply_listener, install_reply_handler
from cobranza.jobs.scheduler import Scheduler
from tests.channels.factories import make_business, make_customer, make_document
from tests.polling import wait_for

PHONE = "+5491155550101"
# Monday 16 March 2026, 11:00 in Buenos Aires, inside the contact window.
MONDAY = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)
# Sunday 22 March 2026, 11:00 in Buenos Aires: no collection contact.
SUNDAY = datetime(2026, 3, 22, 14, 0, tzinfo=UTC)
# Long enough that only a wake-up can send anything during a test.
HOUR = 3600


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def _portfolio(engine: Engine) -> int:
    with transaction(engine) as session:
        business = make_business(session, MONDAY)
        customer = make_customer(session, business, MONDAY, "C1", PHONE)
        make_document(session, customer, MONDAY, "A-1", "1500.00", date(2026, 3, 5))
        return business.id


def _sent(engine: Engine, business_id: int) -> list[str]:
    with transaction(engine) as session:
        return [m.step_kind for m in sent_messages(session, business_id)]


def _reply(engine: Engine, business_id: int, text: str, at: datetime) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        record_reply(session, business, PHONE, text, at)


def test_reply_response_sent_before_next_run(engine: Engine) -> None:
    # given
    business_id = _portfolio(engine)
    scheduler = Scheduler(
        engine, _settings(), interval_seconds=HOUR, clock=lambda: MONDAY
    )
    scheduler.start()
    try:
        assert wait_for(lambda: len(_sent(engine, business_id)) == 1)

        # when
        _reply(engine, business_id, "sí, te pago el viernes", MONDAY)
        answered = wait_for(
            lambda: "promise_confirmation" in _sent(engine, business_id)
        )
    finally:
        scheduler.stop(timeout=30)

    # then
    assert answered
    assert len(_sent(engine, business_id)) == 2


def test_listener_called_after_commit(engine: Engine) -> None:
    business_id = _portfolio(engine)
    notified: list[int] = []
    remove = add_reply_listener(notified.append)
    try:
        with transaction(engine) as session:
            business = session.get_one(Business, business_id)
            record_reply(session, business, PHONE, "te pago el viernes", MONDAY)
            before_commit = list(notified)
        after_commit = list(notified)

        with pytest.raises(RuntimeError), transaction(engine) as session:
            business = session.get_one(Business, business_id)
            record_reply(session, business, PHONE, "ya pagué", MONDAY)
            raise RuntimeError("rolled back")
        after_rollback = list(notified)
    finally:
        remove()

    assert before_commit == []
    assert after_commit == [business_id]
    assert after_rollback == [business_id]


def test_unknown_sender_wakes_nobody(engine: Engine) -> None:
    business_id = _portfolio(engine)
    notified: list[int] = []
    remove = add_reply_listener(notified.append)
    try:
        with transaction(engine) as session:
            business = session.get_one(Business, business_id)
            record_reply(session, business, "+5491155559999", "hola", MONDAY)
    finally:
        remove()

    assert notified == []


def test_reply_outside_window_waits(engine: Engine) -> None:
    business_id = _portfolio(engine)
    scheduler = Scheduler(engine, _settings(), interval_seconds=HOUR)
    scheduler.run_once(MONDAY)
    _reply(engine, business_id, "te pago el viernes", SUNDAY)
    scheduler.notify_reply(business_id)

    on_sunday = scheduler.run_replies(SUNDAY)
    # Monday 23 and Tuesday 24 March are holidays in Argentina.
    on_wednesday = scheduler.run_once(SUNDAY + timedelta(days=3))

    assert on_sunday.businesses_outside_window == [business_id]
    assert on_sunday.messages_sent == 0
    assert on_wednesday.messages_sent == 1
    assert _sent(engine, business_id)[-1] == "promise_confirmation"


def test_stopped_scheduler_ignores_replies(engine: Engine) -> None:
    business_id = _portfolio(engine)
    scheduler = Scheduler(
        engine, _settings(), interval_seconds=HOUR, clock=lambda: SUNDAY
    )
    scheduler.start()
    scheduler.stop(timeout=30)

    _reply(engine, business_id, "te pago el viernes", MONDAY)

    assert scheduler.run_replies(MONDAY).businesses_dispatched == []
    assert _sent(engine, business_id) == []


def test_savepoint_rollback_keeps_reply_noted(engine: Engine) -> None:
    # given: a batch transaction where a later step rolls back a savepoint,
    # as `create_plan` does when the unique index rejects a second plan
    business_id = _portfolio(engine)
    notified: list[int] = []
    remove = add_reply_listener(notified.append)

    # when
    try:
        with transaction(engine) as session:
            business = session.get_one(Business, business_id)
            record_reply(session, business, PHONE, "BAJA", MONDAY)
            savepoint = session.begin_nested()
            savepoint.rollback()
    finally:
        remove()

    # then
    assert notified == [business_id]
