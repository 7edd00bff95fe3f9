"""Calendar rules through daily cycles: holidays, caps, time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import OutboxState
from cobranza.dunning.policy_loader import parse_policy
from cobranza.jobs import run_cycle
from tests.channels.factories import make_business, make_customer, make_document
from tests.scenarios.helpers import (
    AR_TZ,
    CL_TZ,
    local_instant,
    outbox_rows,
    run_days,
    sent_rows,
)

BOGOTA_TZ = "America/Bogota"


def _given(
    engine: Engine,
    due_on: date,
    *,
    country: str = "AR",
    segment: str = "punctual",
    timezone: str | None = None,
    amount: str = "1000.00",
    currency: str = "ARS",
    count: int = 1,
) -> tuple[int, list[int]]:
    """Add a business and `count` customers with one invoice due `due_on`."""
    setup = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    with transaction(engine) as session:
        business = make_business(session, setup, country=country)
        customer_ids = []
        for index in range(count):
            customer = make_customer(
                session,
                business,
                setup,
                f"C{index}",
                f"+54911555501{index:02d}"
                if country == "AR"
                else f"+5699123450{index}",
                segment=segment,
                timezone=timezone if index == 0 else None,
            )
            make_document(
                session,
                customer,
                setup,
                f"A-{index}",
                amount,
                due_on,
                currency=currency,
            )
            customer_ids.append(customer.id)
        return business.id, customer_ids


def test_holiday_defers_to_next_day(engine: Engine) -> None:
    # Due Friday 27 March: the preventive notice, three days before, falls
    # on Tuesday 24 March, Argentina's Day of Remembrance.
    business_id, [customer_id] = _given(
        engine, date(2026, 3, 27), segment="occasional_late"
    )

    reports = run_days(engine, business_id, date(2026, 3, 20), 7, AR_TZ)

    by_day = {report.now.date(): report for report in reports}
    assert by_day[date(2026, 3, 24)].planned == 1
    assert by_day[date(2026, 3, 24)].dispatch.deferred == {"holiday": 1}
    assert by_day[date(2026, 3, 24)].dispatch.sent == 0
    assert by_day[date(2026, 3, 25)].dispatch.sent == 1
    [row] = sent_rows(engine, customer_id)
    assert row.step == "preventive"
    assert row.sent_at == local_instant(date(2026, 3, 25), 10, AR_TZ)
    assert len(outbox_rows(engine, customer_id)) == 1


def test_due_today_is_not_overdue(engine: Engine) -> None:
    business_id, [customer_id] = _given(
        engine, date(2026, 3, 10), segment="chronic_late"
    )

    report = run_cycle(engine, business_id, local_instant(date(2026, 3, 10), 10, AR_TZ))

    assert report.dispatch.sent == 1
    [row] = sent_rows(engine, customer_id)
    assert row.step == "due_today"
    assert row.variables["days_past_due"] == 0
    assert row.text is not None and "vence" in row.text


def test_chile_two_a_week_two_days_apart(engine: Engine) -> None:
    # A policy with a step every day, so only the Chilean caps space them:
    # at most two messages in any 7 days, at least 48 hours apart.
    steps = "".join(
        f"\n  - key: day{day}\n    offset_days: {day}\n    action: send\n"
        "    step_kind: reminder_soft\n"
        for day in range(1, 16)
    )
    policy = parse_policy(f"version: 1\nname: diaria\nsteps:{steps}")
    business_id, [customer_id] = _given(
        engine, date(2026, 5, 3), country="CL", amount="150000", currency="CLP"
    )

    reports = run_days(engine, business_id, date(2026, 5, 4), 14, CL_TZ, policy=policy)

    sends = [row.sent_at for row in sent_rows(engine, customer_id)]
    assert sends is not None and len(sends) >= 3
    for earlier, later in zip(sends, sends[1:], strict=False):
        assert later - earlier >= timedelta(hours=48)
    for start in sends:
        assert sum(start <= sent < start + timedelta(days=7) for sent in sends) <= 2
    reasons = set()
    for report in reports:
        reasons.update(report.dispatch.deferred)
    assert "min_gap" in reasons
    assert "weekly_cap" in reasons


def test_customer_zone_sets_window(engine: Engine) -> None:
    # 10:00 in Buenos Aires is 08:00 in Bogotá, before the 09:00 opening.
    business_id, [far, near] = _given(
        engine, date(2026, 3, 9), timezone=BOGOTA_TZ, count=2
    )
    morning = local_instant(date(2026, 3, 10), 10, AR_TZ)

    report = run_cycle(engine, business_id, morning)

    assert report.dispatch.sent == 1
    assert report.dispatch.deferred == {"outside_contact_window": 1}
    assert [row.step for row in sent_rows(engine, near)] == ["reminder_soft"]
    [waiting] = outbox_rows(engine, far)
    assert waiting.state == OutboxState.QUEUED
    assert waiting.planned_for == local_instant(date(2026, 3, 10), 9, BOGOTA_TZ)

    later = run_cycle(engine, business_id, local_instant(date(2026, 3, 10), 12, AR_TZ))

    assert later.dispatch.sent == 1
    assert sent_rows(engine, far)[0].sent_at.astimezone(ZoneInfo(BOGOTA_TZ)).hour == 10


def test_chile_dst_change_keeps_local_hour(engine: Engine) -> None:
    # Thursday 2 April 2026, 20:30 in Santiago (UTC-3) is after the window.
    # Friday and Saturday are Easter holidays and Sunday is not a contact
    # day. Summer time ends that Sunday, so Monday 08:00 is UTC-4.
    business_id, [customer_id] = _given(
        engine, date(2026, 4, 1), country="CL", amount="90000", currency="CLP"
    )
    evening = local_instant(date(2026, 4, 2), 20, CL_TZ, minute=30)

    first = run_cycle(engine, business_id, evening)

    assert first.dispatch.deferred == {"outside_contact_window": 1}
    [row] = outbox_rows(engine, customer_id)
    assert row.planned_for == datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
    assert row.planned_for == local_instant(date(2026, 4, 6), 8, CL_TZ)

    reports = run_days(engine, business_id, date(2026, 4, 3), 4, CL_TZ, hour=8)

    assert [report.dispatch.sent for report in reports] == [0, 0, 0, 1]
    [sent] = sent_rows(engine, customer_id)
    assert sent.sent_at == datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
