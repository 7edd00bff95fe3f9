"""A part paid right away and the rest later, end to end through the webhook.

"la mitad ahora y la mitad el mes que viene" is a plan of two installments
whose first falls due today, and so are these replies. They come in through
the signed webhook and the plan's message goes out to the fake Graph API,
as in `test_e2e_whatsapp_flows`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from cobranza.conversations.actions import PLAN_SPLIT_OUTSIDE_LIMITS, PROMISE_TOO_FAR
from cobranza.db.engine import transaction
from cobranza.db.models import Case, Installment, InstallmentPlan, PromiseToPay
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    NOW,
    _close_channels,
    graph,
    settings,
)
from tests.conversations.test_e2e_currencies import _parameters
from tests.conversations.test_e2e_whatsapp import client  # noqa: F401 - fixture
from tests.conversations.test_e2e_whatsapp_flows import (  # noqa: F401 - fixtures
    Conversation,
    business_id,
    chat,
)

# NOW is Tuesday 10 March 2026, 10:00 in Buenos Aires; $ 1.500 is owed.
TODAY = date(2026, 3, 10)
FRIDAY = date(2026, 3, 13)


@pytest.mark.parametrize(
    ("text", "schedule", "stated"),
    [
        (
            "quiero pagarte altiro la mitad, y el resto el viernes",
            [(Decimal("750.00"), TODAY), (Decimal("750.00"), FRIDAY)],
            "$ 750,00 el 10 de marzo y $ 750,00 el 13 de marzo",
        ),
        (
            "hoy te paso 500 y el resto el 15",
            [(Decimal("500.00"), TODAY), (Decimal("1000.00"), date(2026, 3, 16))],
            "$ 500,00 el 10 de marzo y $ 1.000,00 el 16 de marzo",
        ),
    ],
)
def test_part_today_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
    text: str,
    schedule: list[tuple[Decimal, date]],
    stated: str,
) -> None:
    # given
    start = len(chat.graph.state.messages)

    # when
    action = chat.reply(text, NOW + timedelta(hours=1))

    # then: two installments, the first due today, and no promise
    assert action == "plan_created"
    with transaction(engine) as session:
        plan = session.scalars(select(InstallmentPlan)).one()
        installments = session.scalars(
            select(Installment)
            .where(Installment.plan_id == plan.id)
            .order_by(Installment.number)
        ).all()
        assert [(item.amount, item.due_on) for item in installments] == schedule
        assert session.scalars(select(PromiseToPay)).all() == []
    [answer] = chat.graph.state.messages[start:]
    assert stated in _parameters(answer)


def test_rest_named_first_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given
    start = len(chat.graph.state.messages)

    # when: the rest comes first in the words
    action = chat.reply(
        "el resto el viernes y hoy te paso 500", NOW + timedelta(hours=1)
    )

    # then: today's 500 is the first installment, the rest is due Friday
    assert action == "plan_created"
    with transaction(engine) as session:
        plan = session.scalars(select(InstallmentPlan)).one()
        assert [
            (item.amount, item.due_on)
            for item in session.scalars(
                select(Installment)
                .where(Installment.plan_id == plan.id)
                .order_by(Installment.number)
            )
        ] == [(Decimal("500.00"), TODAY), (Decimal("1000.00"), FRIDAY)]
    [answer] = chat.graph.state.messages[start:]
    assert "$ 500,00 el 10 de marzo y $ 1.000,00 el 13 de marzo" in _parameters(answer)


def test_zero_today_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # when
    action = chat.reply("hoy te paso 0 y el resto el viernes", NOW + timedelta(hours=1))

    # then: a promise of the whole balance for Friday, nothing for today
    assert action == "promise_recorded"
    with transaction(engine) as session:
        [promise] = session.scalars(select(PromiseToPay)).all()
        assert promise.due_on == FRIDAY
        assert session.scalars(select(InstallmentPlan)).all() == []


def test_impossible_day_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given
    start = len(chat.graph.state.messages)

    # when: 31 February does not exist
    action = chat.reply(
        "hoy te paso 500 y el resto el 31 de febrero", NOW + timedelta(hours=1)
    )

    # then: one question for a clear day, and nothing recorded
    assert action == "asked_promise_date"
    assert len(chat.graph.state.messages[start:]) == 1
    with transaction(engine) as session:
        assert session.scalars(select(PromiseToPay)).all() == []
        assert session.scalars(select(InstallmentPlan)).all() == []


def test_day_past_plan_limit_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # when: the business's plans end long before 2030
    action = chat.reply(
        "hoy te paso 500 y el resto el 5 de marzo de 2030", NOW + timedelta(hours=1)
    )

    # then: no day moved; a person agrees on the payments
    assert action == "handed_off"
    with transaction(engine) as session:
        assert session.scalars(select(InstallmentPlan)).all() == []
        case = session.scalars(select(Case)).one()
        assert case.handoff_reason == PLAN_SPLIT_OUTSIDE_LIMITS


def test_rest_in_one_currency_is_plan(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given: $ 1.500 owed, in one currency only
    start = len(chat.graph.state.messages)

    # when: pesos named, and the rest put off
    action = chat.reply(
        "te paso $ 500 el viernes y el resto a fin de mes", NOW + timedelta(hours=1)
    )

    # then: the rest is what is left of the pesos, so a plan of two payments
    assert action == "plan_created"
    with transaction(engine) as session:
        plan = session.scalars(select(InstallmentPlan)).one()
        installments = session.scalars(
            select(Installment)
            .where(Installment.plan_id == plan.id)
            .order_by(Installment.number)
        ).all()
        assert [(item.amount, item.due_on) for item in installments] == [
            (Decimal("500.00"), FRIDAY),
            (Decimal("1000.00"), date(2026, 3, 31)),
        ]
        assert session.scalars(select(PromiseToPay)).all() == []
    assert len(chat.graph.state.messages[start:]) == 1


@pytest.mark.parametrize(
    "text", ["te pago el lunes 12", "te pago el 10 de diciembre de 2026"]
)
def test_promise_past_longest_plan_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
    text: str,
) -> None:
    # given: on Tuesday 10 March 2026 the next Monday the 12th is in October,
    # past the default longest plan (6 installments 30 days apart)
    start = len(chat.graph.state.messages)

    # when
    action = chat.reply(text, NOW + timedelta(hours=1))

    # then: no promise pauses the reminders for months; a person agrees on a day
    assert action == "handed_off"
    with transaction(engine) as session:
        assert session.scalars(select(PromiseToPay)).all() == []
        case = session.scalars(select(Case)).one()
        assert case.handoff_reason == PROMISE_TOO_FAR
    [answer] = chat.graph.state.messages[start:]
    assert "Una persona del equipo va a leer tu mensaje" in _parameters(answer)


def test_promise_within_longest_plan_through_webhook(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # when: 1 September 2026 is 175 days ahead, inside the 180 of the plans
    action = chat.reply("te pago el 1 de septiembre", NOW + timedelta(hours=1))

    # then
    assert action == "promise_recorded"
    with transaction(engine) as session:
        [promise] = session.scalars(select(PromiseToPay)).all()
        assert promise.due_on == date(2026, 9, 1)
