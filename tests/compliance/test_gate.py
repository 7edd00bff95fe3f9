"""The gate: suppressions first, then deferrals to the next allowed instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cobranza.compliance import Action, GateFacts, Reason, evaluate, legal_rules
from cobranza.db.models import PhoneStatus

BUENOS_AIRES = "America/Argentina/Buenos_Aires"
SANTIAGO = "America/Santiago"


def local(day: date, hour: int, tz: str = BUENOS_AIRES) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(tz))


MONDAY_10 = local(date(2026, 6, 1), 10)

READY = GateFacts(
    consent=True,
    balance=Decimal("1500.00"),
    phone_status=PhoneStatus.VALID,
    tz=BUENOS_AIRES,
)


def test_ready_customer_in_window_is_sent() -> None:
    decision = evaluate(READY, legal_rules("AR"), MONDAY_10)

    assert decision.action is Action.SEND
    assert decision.reason is None
    assert decision.until is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"balance": Decimal("0")}, Reason.ZERO_BALANCE),
        ({"balance": Decimal("-10.00")}, Reason.ZERO_BALANCE),
        ({"consent": False}, Reason.OPTED_OUT),
        ({"consent": None}, Reason.NO_CONSENT),
        ({"phone_status": PhoneStatus.MISSING}, Reason.PHONE_MISSING),
        ({"phone_status": PhoneStatus.INVALID}, Reason.PHONE_INVALID),
        ({"phone_status": PhoneStatus.NOT_ON_WHATSAPP}, Reason.NOT_ON_WHATSAPP),
        ({"disputed": True}, Reason.OPEN_DISPUTE),
        ({"pending_payment": True}, Reason.PENDING_PAYMENT),
    ],
)
def test_suppressions(change: dict[str, object], reason: Reason) -> None:
    facts = replace(READY, **change)  # type: ignore[arg-type]

    decision = evaluate(facts, legal_rules("AR"), MONDAY_10)

    assert decision.action is Action.SUPPRESS
    assert decision.reason is reason
    assert not reason.defers
    assert decision.until is None


def test_unapproved_template_defers_six_hours() -> None:
    facts = replace(READY, template_approved=False)

    decision = evaluate(facts, legal_rules("AR"), MONDAY_10)

    assert decision.action is Action.DEFER
    assert decision.reason is Reason.TEMPLATE_NOT_APPROVED
    assert Reason.TEMPLATE_NOT_APPROVED.defers
    assert decision.until == MONDAY_10 + timedelta(hours=6)


def test_suppression_beats_deferral() -> None:
    # An opted-out customer outside the window is suppressed, not deferred.
    facts = replace(READY, consent=False)

    decision = evaluate(facts, legal_rules("AR"), local(date(2026, 6, 6), 10))

    assert decision.action is Action.SUPPRESS
    assert decision.reason is Reason.OPTED_OUT


def test_outside_window_deferred_to_opening() -> None:
    decision = evaluate(READY, legal_rules("AR"), local(date(2026, 6, 1), 7))

    assert decision.action is Action.DEFER
    assert decision.reason is Reason.OUTSIDE_CONTACT_WINDOW
    assert decision.reason.defers
    assert decision.until == local(date(2026, 6, 1), 9)
    assert decision.until is not None and decision.until.tzinfo is UTC


def test_weekend_deferred_to_monday() -> None:
    decision = evaluate(READY, legal_rules("AR"), local(date(2026, 6, 6), 11))

    assert decision.reason is Reason.DAY_NOT_ALLOWED
    assert decision.until == local(date(2026, 6, 8), 9)


def test_holiday_deferred_past_it() -> None:
    decision = evaluate(READY, legal_rules("AR"), local(date(2026, 3, 24), 11))

    assert decision.reason is Reason.HOLIDAY
    assert decision.until == local(date(2026, 3, 25), 9)


def test_daily_cap_deferred_to_next_window() -> None:
    tz = "America/Bogota"
    morning = local(date(2026, 6, 2), 8, tz)
    facts = replace(READY, tz=tz, previous_sends=(morning,))

    decision = evaluate(facts, legal_rules("CO"), morning + timedelta(hours=3))

    assert decision.reason is Reason.DAILY_CAP
    assert decision.until == local(date(2026, 6, 3), 7, tz)


def test_chile_gap_lands_on_sunday_then_monday() -> None:
    # Sent Friday 10:00; 48 hours later is Sunday 10:00, which is closed.
    friday = local(date(2026, 6, 5), 10, SANTIAGO)
    facts = replace(READY, tz=SANTIAGO, previous_sends=(friday,))

    decision = evaluate(facts, legal_rules("CL"), friday + timedelta(hours=2))

    assert decision.reason is Reason.MIN_GAP
    assert decision.until == local(date(2026, 6, 8), 8, SANTIAGO)


def test_hold_defers_until_its_end() -> None:
    hold_end = local(date(2026, 6, 3), 15)
    facts = replace(READY, hold_until=hold_end)

    decision = evaluate(facts, legal_rules("AR"), MONDAY_10)

    assert decision.action is Action.DEFER
    assert decision.reason is Reason.ON_HOLD
    assert decision.until == hold_end


def test_promise_ending_at_night_defers_to_next_window() -> None:
    promise_lapses = local(date(2026, 6, 3), 23)
    facts = replace(READY, promise_until=promise_lapses)

    decision = evaluate(facts, legal_rules("AR"), MONDAY_10)

    assert decision.reason is Reason.OPEN_PROMISE
    assert decision.until == local(date(2026, 6, 4), 9)


def test_expired_hold_and_promise_ignored() -> None:
    facts = replace(
        READY,
        hold_until=MONDAY_10 - timedelta(days=1),
        promise_until=MONDAY_10 - timedelta(hours=1),
    )

    assert evaluate(facts, legal_rules("AR"), MONDAY_10).action is Action.SEND


def test_customer_zone_used_for_window() -> None:
    # 10:00 in Buenos Aires is 08:00 in Mexico City, before 09:00 opening.
    facts = replace(READY, tz="America/Mexico_City")

    decision = evaluate(facts, legal_rules("AR"), MONDAY_10)

    assert decision.reason is Reason.OUTSIDE_CONTACT_WINDOW
    assert decision.until == local(date(2026, 6, 1), 9, "America/Mexico_City")


def test_deferral_instant_passes_every_rule() -> None:
    # Whatever blocks first, the instant returned is one where the gate sends.
    rules = legal_rules("CL")
    sends = (
        local(date(2026, 6, 4), 19, SANTIAGO),
        local(date(2026, 6, 6), 19, SANTIAGO),
    )
    facts = replace(READY, tz=SANTIAGO, previous_sends=sends)
    start = local(date(2026, 6, 6), 19, SANTIAGO) + timedelta(minutes=30)

    for hours in range(0, 24 * 9, 5):
        now = start + timedelta(hours=hours)
        decision = evaluate(facts, rules, now)
        if decision.action is Action.DEFER:
            assert decision.until is not None
            assert decision.until > now
            assert evaluate(facts, rules, decision.until).action is Action.SEND


def test_naive_now_rejected() -> None:
    naive = datetime(2026, 6, 1, 10, 0)  # noqa: DTZ001 - the case under test

    with pytest.raises(ValueError, match="naive datetime"):
        evaluate(READY, legal_rules("AR"), naive)


MANAUS = "America/Manaus"
EIRUNEPE = "America/Eirunepe"
AMAZONAS = replace(READY, tz=MANAUS, extra_zones=(EIRUNEPE,))


def test_shared_ddd_waits_for_western_clock() -> None:
    # 08:30 in Manaus is 07:30 in Eirunepé, before the 08:00 opening there.
    now = local(date(2026, 6, 1), 8, MANAUS) + timedelta(minutes=30)

    decision = evaluate(AMAZONAS, legal_rules("BR"), now)

    assert decision.action is Action.DEFER
    assert decision.reason is Reason.OUTSIDE_CONTACT_WINDOW
    assert decision.until == local(date(2026, 6, 1), 8, EIRUNEPE)


def test_shared_ddd_closes_with_eastern_clock() -> None:
    # 19:30 in Eirunepé is 20:30 in Manaus, after the 20:00 closing there.
    now = local(date(2026, 6, 1), 19, EIRUNEPE) + timedelta(minutes=30)

    decision = evaluate(AMAZONAS, legal_rules("BR"), now)

    assert decision.reason is Reason.OUTSIDE_CONTACT_WINDOW
    assert decision.until == local(date(2026, 6, 2), 8, EIRUNEPE)


def test_shared_ddd_sends_inside_both() -> None:
    now = local(date(2026, 6, 1), 9, EIRUNEPE)

    assert evaluate(AMAZONAS, legal_rules("BR"), now).action is Action.SEND


def test_shared_ddd_deferral_passes_both() -> None:
    rules = legal_rules("BR")
    start = local(date(2026, 6, 5), 0, MANAUS)

    for minutes in range(0, 60 * 24 * 3, 25):
        now = start + timedelta(minutes=minutes)
        decision = evaluate(AMAZONAS, rules, now)
        if decision.action is Action.DEFER:
            assert decision.until is not None
            assert evaluate(AMAZONAS, rules, decision.until).action is Action.SEND
