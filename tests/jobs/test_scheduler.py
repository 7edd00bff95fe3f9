from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import Case, Customer
from cobranza.jobs.scheduler import Scheduler
from tests.web.factories import make_business, make_customer, make_invoice

# Wednesday 12:00 and Sunday 12:00 in Buenos Aires.
WEEKDAY_NOON = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
SUNDAY_NOON = datetime(2026, 3, 22, 15, 0, tzinfo=UTC)


def _portfolio(engine: Engine) -> int:
    with transaction(engine) as session:
        business = make_business(session, WEEKDAY_NOON, "Programada SA")
        customer = make_customer(session, business, WEEKDAY_NOON, "S-1", "Ana")
        make_invoice(
            session,
            customer,
            WEEKDAY_NOON,
            "F-1",
            "1000.00",
            date(2026, 3, 1),
        )
        return business.id


def _cases(engine: Engine) -> int:
    with transaction(engine) as session:
        return len(session.scalars(select(Case)).all())


def test_cycles_inside_contact_window(engine: Engine) -> None:
    business_id = _portfolio(engine)
    scheduler = Scheduler(engine, Settings(_env_file=None))  # type: ignore[call-arg]

    report = scheduler.run_once(WEEKDAY_NOON)

    assert report.businesses_cycled == [business_id]
    assert report.failures == []
    assert _cases(engine) == 1


def test_skips_business_outside_window(engine: Engine) -> None:
    business_id = _portfolio(engine)
    scheduler = Scheduler(engine, Settings(_env_file=None))  # type: ignore[call-arg]

    report = scheduler.run_once(SUNDAY_NOON)

    assert report.businesses_outside_window == [business_id]
    assert report.businesses_cycled == []
    assert _cases(engine) == 0


def test_failing_task_does_not_stop_others(engine: Engine) -> None:
    _portfolio(engine)
    calls: list[datetime] = []

    def broken(now: datetime) -> None:
        raise RuntimeError("boom")

    scheduler = Scheduler(
        engine,
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra_tasks=[("broken", broken), ("counted", calls.append)],
    )

    report = scheduler.run_once(WEEKDAY_NOON)

    assert report.failures == ["broken"]
    assert calls == [WEEKDAY_NOON]


def test_start_and_stop_thread(engine: Engine) -> None:
    calls: list[datetime] = []
    scheduler = Scheduler(
        engine,
        Settings(_env_file=None),  # type: ignore[call-arg]
        interval_seconds=3600,
        clock=lambda: SUNDAY_NOON,
        extra_tasks=[("counted", calls.append)],
    )

    scheduler.start()
    scheduler.stop(timeout=30)

    assert calls == [SUNDAY_NOON]


def test_refreshes_segments_once_a_day(engine: Engine) -> None:
    _portfolio(engine)
    scheduler = Scheduler(engine, Settings(_env_file=None))  # type: ignore[call-arg]

    first = scheduler.run_once(WEEKDAY_NOON)
    again = scheduler.run_once(WEEKDAY_NOON + timedelta(hours=1))
    next_day = scheduler.run_once(WEEKDAY_NOON + timedelta(days=1))

    with transaction(engine) as session:
        segments = session.scalars(select(Customer.segment)).all()
    assert len(first.segments_refreshed) == 1
    assert again.segments_refreshed == []
    assert next_day.segments_refreshed == first.segments_refreshed
    assert segments == ["new"]
