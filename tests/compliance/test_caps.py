"""Frequency caps: Colombia one a day; Chile two a week, two days apart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from cobranza.compliance import (
    Reason,
    apply_overrides,
    capped_customers_query,
    check_caps,
    legal_rules,
    recent_sends_query,
)
from cobranza.db.engine import transaction
from cobranza.db.models import OutboxState
from tests.compliance.factories import add_business, add_customer, add_outbox

BOGOTA = "America/Bogota"
SANTIAGO = "America/Santiago"


def at_local(day: date, hour: int, tz: str, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def test_no_previous_sends_allowed() -> None:
    decision = check_caps(
        legal_rules("CO"), [], at_local(date(2026, 6, 2), 10, BOGOTA), BOGOTA
    )

    assert decision.allowed
    assert decision.reason is None
    assert decision.retry_at is None


def test_colombia_one_message_a_day() -> None:
    rules = legal_rules("CO")
    morning = at_local(date(2026, 6, 2), 8, BOGOTA)
    afternoon = at_local(date(2026, 6, 2), 17, BOGOTA)

    decision = check_caps(rules, [morning], afternoon, BOGOTA)

    assert not decision.allowed
    assert decision.reason is Reason.DAILY_CAP
    assert decision.retry_at == at_local(date(2026, 6, 3), 0, BOGOTA)


def test_colombia_next_day_allowed() -> None:
    rules = legal_rules("CO")
    late_yesterday = at_local(date(2026, 6, 2), 18, BOGOTA, 55)
    early_today = at_local(date(2026, 6, 3), 7, BOGOTA)

    assert check_caps(rules, [late_yesterday], early_today, BOGOTA).allowed


def test_daily_cap_uses_customer_day() -> None:
    # 04:00 UTC is 23:00 on 2 June in Bogotá and 06:00 UTC is 01:00 on 3
    # June there, while both fall on 3 June in UTC.
    rules = legal_rules("CO")
    sent = datetime(2026, 6, 3, 4, 0, tzinfo=UTC)
    later = datetime(2026, 6, 3, 6, 0, tzinfo=UTC)

    assert check_caps(rules, [sent], later, BOGOTA).allowed
    assert not check_caps(rules, [sent], later, "UTC").allowed


def test_chile_second_message_needs_two_days() -> None:
    rules = legal_rules("CL")
    monday = at_local(date(2026, 6, 1), 10, SANTIAGO)
    tuesday = at_local(date(2026, 6, 2), 10, SANTIAGO)

    decision = check_caps(rules, [monday], tuesday, SANTIAGO)

    assert not decision.allowed
    assert decision.reason is Reason.MIN_GAP
    assert decision.retry_at == monday + timedelta(hours=48)


def test_chile_min_gap_boundary() -> None:
    rules = legal_rules("CL")
    monday = at_local(date(2026, 6, 1), 10, SANTIAGO)

    assert not check_caps(
        rules, [monday], monday + timedelta(hours=47, minutes=59), SANTIAGO
    ).allowed
    assert check_caps(rules, [monday], monday + timedelta(hours=48), SANTIAGO).allowed


def test_chile_third_message_in_week_waits() -> None:
    rules = legal_rules("CL")
    monday = at_local(date(2026, 6, 1), 10, SANTIAGO)
    wednesday = at_local(date(2026, 6, 3), 10, SANTIAGO)
    friday = at_local(date(2026, 6, 5), 10, SANTIAGO)

    decision = check_caps(rules, [wednesday, monday], friday, SANTIAGO)

    assert not decision.allowed
    assert decision.reason is Reason.WEEKLY_CAP
    assert decision.retry_at == monday + timedelta(days=7)


def test_chile_rolling_week_not_calendar_week() -> None:
    # Thursday and Saturday of one week, then Monday: a calendar week would
    # allow it, but three messages in five days break "two a week".
    rules = legal_rules("CL")
    thursday = at_local(date(2026, 6, 4), 10, SANTIAGO)
    saturday = at_local(date(2026, 6, 6), 10, SANTIAGO)
    monday = at_local(date(2026, 6, 8), 10, SANTIAGO)

    decision = check_caps(rules, [thursday, saturday], monday, SANTIAGO)

    assert decision.reason is Reason.WEEKLY_CAP
    assert decision.retry_at == thursday + timedelta(days=7)
    assert check_caps(
        rules, [thursday, saturday], thursday + timedelta(days=7), SANTIAGO
    ).allowed


def test_sends_after_at_ignored() -> None:
    rules = legal_rules("CO")
    at = at_local(date(2026, 6, 2), 9, BOGOTA)

    assert check_caps(rules, [at + timedelta(hours=2)], at, BOGOTA).allowed


def test_business_tightened_cap() -> None:
    rules = apply_overrides(legal_rules("AR"), {"max_per_week": 1})
    tz = "America/Argentina/Buenos_Aires"
    first = at_local(date(2026, 6, 1), 10, tz)

    decision = check_caps(rules, [first], first + timedelta(days=3), tz)

    assert decision.reason is Reason.WEEKLY_CAP
    assert decision.retry_at == first + timedelta(days=7)


@pytest.fixture
def capped_portfolio(engine: Engine) -> dict[str, int]:
    """Four Chilean customers with sends that hit different caps at `NOW`."""
    with transaction(engine) as session:
        business = add_business(session, country="CL", timezone=SANTIAGO)
        ids = {}
        for name in ("gap", "week", "free", "failed"):
            ids[name] = add_customer(session, business, external_id=name).id
        now = NOW
        add_outbox(session, business, ids["gap"], sent_at=now - timedelta(hours=30))
        add_outbox(session, business, ids["week"], sent_at=now - timedelta(days=6))
        add_outbox(session, business, ids["week"], sent_at=now - timedelta(days=3))
        add_outbox(session, business, ids["free"], sent_at=now - timedelta(days=8))
        add_outbox(
            session,
            business,
            ids["failed"],
            sent_at=now - timedelta(hours=1),
            state=OutboxState.FAILED,
        )
        ids["business"] = business.id
    return ids


NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def test_capped_customers_query_matches_check_caps(
    engine: Engine, capped_portfolio: dict[str, int]
) -> None:
    rules = legal_rules("CL")
    business_id = capped_portfolio["business"]

    with transaction(engine) as session:
        capped = set(
            session.scalars(capped_customers_query(business_id, rules, NOW, SANTIAGO))
        )
        per_customer = {}
        for name in ("gap", "week", "free", "failed"):
            customer_id = capped_portfolio[name]
            sends = list(
                session.scalars(
                    recent_sends_query(business_id, customer_id, rules, NOW)
                )
            )
            per_customer[name] = check_caps(rules, sends, NOW, SANTIAGO)

    assert capped == {capped_portfolio["gap"], capped_portfolio["week"]}
    assert per_customer["gap"].reason is Reason.MIN_GAP
    assert per_customer["week"].reason is Reason.WEEKLY_CAP
    assert per_customer["free"].allowed
    assert per_customer["failed"].allowed


def test_capped_customers_daily_cap(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session, country="CO", timezone=BOGOTA)
        today = add_customer(session, business, external_id="today").id
        yesterday = add_customer(session, business, external_id="yesterday").id
        morning = at_local(date(2026, 6, 2), 8, BOGOTA)
        add_outbox(session, business, today, sent_at=morning)
        add_outbox(session, business, yesterday, sent_at=morning - timedelta(hours=12))
        business_id = business.id

    with transaction(engine) as session:
        query = capped_customers_query(
            business_id, legal_rules("CO"), morning + timedelta(hours=6), BOGOTA
        )
        capped = set(session.scalars(query))

    assert capped == {today}


def test_capped_customers_without_caps_is_empty(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session, country="AR")
        customer = add_customer(session, business, external_id="a")
        add_outbox(session, business, customer.id, sent_at=NOW - timedelta(minutes=5))
        business_id = business.id

    with transaction(engine) as session:
        query = capped_customers_query(business_id, legal_rules("AR"), NOW, "UTC")
        assert list(session.scalars(query)) == []
