"""Replies that split a payment into parts: each part keeps its own day and sum.

The parts count in the order of their days, whatever the order of the
words. A day that is past or does not exist gets the question for a clear
day, a sum of zero is no part, and a plan that cannot keep every day and
sum goes to a person instead of moving a day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from cobranza.conversations.actions import PLAN_SPLIT_OUTSIDE_LIMITS
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    InboundMessage,
    InstallmentPlan,
    OutboxMessage,
    PromiseToPay,
)
from tests.conversations.test_actions_plan_dates import (  # noqa: F401 - fixture
    _open_case,
    _reply,
    _schedule,
    reply_handler,
)

# The tests of `test_actions_plan_dates` run on Wednesday 9 December 2026,
# and the customer owes 148,075.26 unless a test says otherwise.
TODAY = date(2026, 12, 9)
FRIDAY = date(2026, 12, 11)
MONDAY = date(2026, 12, 14)
WHOLE = Decimal("148075.26")


def _plans(engine: Engine) -> list[InstallmentPlan]:
    with transaction(engine) as session:
        return list(session.scalars(select(InstallmentPlan)).all())


def _promises(engine: Engine) -> list[tuple[Decimal, date]]:
    with transaction(engine) as session:
        return [
            (promise.amount, promise.due_on)
            for promise in session.scalars(select(PromiseToPay)).all()
        ]


def _queued_kinds(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(OutboxMessage.step_kind)).all())


def _case(engine: Engine) -> Case:
    with transaction(engine) as session:
        return session.scalars(select(Case)).one()


def _last_entities(engine: Engine) -> dict[str, object]:
    with transaction(engine) as session:
        entities = session.scalars(
            select(InboundMessage.entities).order_by(InboundMessage.id.desc())
        ).first()
    assert entities is not None
    return dict(entities)


def test_rest_named_first_in_words_is_due_last(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when: the rest comes first in the words, today's sum second
    action = _reply(engine, business_id, "el resto el viernes y hoy te paso 10 lucas")

    # then: 10,000 today and the rest on Friday
    assert action == "plan_created"
    assert _schedule(engine) == [
        (Decimal("10000.00"), TODAY),
        (WHOLE - 10000, FRIDAY),
    ]


def test_two_sums_on_two_days_are_a_plan(engine: Engine) -> None:
    # given: 100,000 owed
    business_id = _open_case(engine, invoices=(("100000.00", date(2026, 11, 30)),))

    # when
    action = _reply(engine, business_id, "el viernes 50 mil y el lunes 50 mil")

    # then: both sums, each on its day
    assert action == "plan_created"
    assert _schedule(engine) == [
        (Decimal("50000.00"), FRIDAY),
        (Decimal("50000.00"), MONDAY),
    ]
    assert _promises(engine) == []


def test_two_sums_short_of_balance_handed_off(engine: Engine) -> None:
    # given: 148,075.26 owed, so 50,000 twice leaves 48,075.26 unsaid
    business_id = _open_case(engine)

    # when
    action = _reply(engine, business_id, "el viernes 50 mil y el lunes 50 mil")

    # then: no plan changes the Monday sum, and a person agrees on the rest
    assert action == "handed_off"
    assert _plans(engine) == []
    assert _case(engine).handoff_reason == PLAN_SPLIT_OUTSIDE_LIMITS
    assert _last_entities(engine)["split_parts"] == [
        ["2026-12-11", "50000"],
        ["2026-12-14", "50000"],
    ]


def test_three_sums_keep_their_days(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when: "el viernes 20" is 20 lucas on Friday, not Friday 20 August
    action = _reply(engine, business_id, "hoy 10 lucas, el viernes 20 y el resto el 15")

    # then: plans split the rest evenly, so a person agrees on 20,000 Friday
    # and no 14 January is made up
    assert action == "handed_off"
    assert _plans(engine) == []
    assert _last_entities(engine)["split_parts"] == [
        ["2026-12-09", "10000"],
        ["2026-12-11", "20000"],
        ["2026-12-15", None],
    ]


def test_halves_on_one_day_are_one_promise(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when
    action = _reply(
        engine, business_id, "la mitad el viernes y la otra mitad el viernes"
    )

    # then: the whole balance (no sum) on Friday, and no second day made up
    assert action == "promise_recorded"
    assert _plans(engine) == []
    assert _promises(engine) == [(None, FRIDAY)]


def test_zero_first_part_is_no_part(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when
    action = _reply(engine, business_id, "hoy te paso 0 y el resto el viernes")

    # then: the whole balance (no sum) on Friday, nothing today
    assert action == "promise_recorded"
    assert _promises(engine) == [(None, FRIDAY)]


@pytest.mark.parametrize(
    "text",
    [
        "hoy te paso 10 lucas y el resto el 31 de noviembre",
        "hoy te paso 10 lucas y el resto ayer",
        # Only the rest is a payment, and it has no day.
        "hoy te paso 0 y el resto te lo pago más adelante",
    ],
)
def test_impossible_or_past_day_asked_once(engine: Engine, text: str) -> None:
    # given
    business_id = _open_case(engine)

    # when: the reply, then one that still names no clear day
    first = _reply(engine, business_id, text)
    asked = _queued_kinds(engine)
    second = _reply(engine, business_id, text, minutes=15)

    # then: one question for the day, then a person; nothing recorded
    assert first == "asked_promise_date"
    assert asked.count("ask_promise_date") == 1
    assert second == "handed_off"
    assert _plans(engine) == []
    assert _promises(engine) == []


def test_day_beyond_plan_limit_not_moved(engine: Engine) -> None:
    # given: the business's plans end long before 2030
    business_id = _open_case(engine)

    # when
    action = _reply(
        engine, business_id, "hoy 10 lucas y el resto el 5 de marzo de 2030"
    )

    # then: no plan moves the rest to January; a person agrees instead
    assert action == "handed_off"
    assert _plans(engine) == []
    assert _promises(engine) == []
    assert _case(engine).handoff_reason == PLAN_SPLIT_OUTSIDE_LIMITS


@pytest.mark.parametrize(
    ("text", "count"),
    [("en 3 cuotas", 3), ("lo puedo hacer en tres pagos?", 3)],
)
def test_count_without_days_keeps_schedule(
    engine: Engine, text: str, count: int
) -> None:
    # given
    business_id = _open_case(engine)

    # when
    action = _reply(engine, business_id, text)

    # then
    assert action == "plan_created"
    assert len(_schedule(engine)) == count
