"""Payments split over two days, end to end through the signed webhook.

A customer who owes dollars and pesos pays each on its own day. Replies
come in through the signed webhook and answers go out to the fake
Graph API, as in `test_e2e_currencies`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    CaseState,
    PromiseStatus,
)
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    NOW,
    _close_channels,
    graph,
)
from tests.conversations.test_e2e_currencies import (  # noqa: F401 - fixtures
    _parameters,
    _pay,
    _promises,
    business_id,
    chat,
    mercadopago,
    settings,
)
from tests.conversations.test_e2e_whatsapp import client  # noqa: F401 - fixture
from tests.conversations.test_e2e_whatsapp_flows import Conversation

# NOW is Tuesday 10 March 2026, 10:00 in Buenos Aires.
FRIDAY = date(2026, 3, 13)
MONTH_END = date(2026, 3, 31)


def test_each_currency_on_its_own_day(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given: US$ 1.000 and $ 150.000 owed
    start = chat.sent

    # when
    action = chat.reply(
        "los dólares el viernes y los pesos a fin de mes", NOW + timedelta(hours=1)
    )

    # then: one row per currency, each due on its own day
    assert action == "promise_recorded"
    promises = _promises(engine)
    assert [(p.currency, p.amount, p.due_on) for p in promises] == [
        ("USD", None, FRIDAY),
        ("ARS", None, MONTH_END),
    ]
    [answer] = chat.sent_since(start)
    assert (
        "Anotamos tu promesa de pago de US$ 1.000,00 el viernes 13 de marzo y "
        "$ 150.000,00 para el martes 31 de marzo."
    ) in answer
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.state == CaseState.PAUSED
        assert case.paused_until is not None
        assert case.paused_until.date() > MONTH_END


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        (
            "los dólares el viernes y el resto a fin de mes",
            [("USD", FRIDAY), ("ARS", MONTH_END)],
        ),
        (
            "el viernes te paso los pesos y lo demás a fin de mes",
            [("ARS", FRIDAY), ("USD", MONTH_END)],
        ),
    ],
)
def test_rest_is_other_currency(
    chat: Conversation,  # noqa: F811
    engine: Engine,
    text: str,
    schedule: list[tuple[str, date]],
) -> None:
    # given: US$ 1.000 and $ 150.000 owed, and nothing else
    start = chat.sent

    # when: one currency is named, and the rest goes to another day
    action = chat.reply(text, NOW + timedelta(hours=1))

    # then: the rest is the other currency, due on its own day
    assert action == "promise_recorded"
    promises = _promises(engine)
    assert [(p.currency, p.amount, p.due_on) for p in promises] == [
        (currency, None, due_on) for currency, due_on in schedule
    ]
    [answer] = chat.sent_since(start)
    assert "31 de marzo" in answer
    assert "13 de marzo" in answer
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.paused_until is not None
        assert case.paused_until.date() > MONTH_END


def test_dollars_kept_pesos_still_promised(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given: the promise, and the dollars paid on Friday
    chat.reply(
        "los dólares el viernes y los pesos a fin de mes", NOW + timedelta(hours=1)
    )
    _pay(engine, "1000.00", "USD", NOW + timedelta(days=3))
    start = chat.sent

    # when: the dollars' day and its grace pass
    monday = NOW + timedelta(days=6)
    chat.cycle(monday)

    # then: the dollar part is kept, the peso part still open, no reminder
    statuses = {p.currency: p.status for p in _promises(engine)}
    assert statuses == {"USD": PromiseStatus.KEPT, "ARS": PromiseStatus.OPEN}
    assert chat.sent_since(start) == []
    with transaction(engine) as session:
        assert session.scalars(select(Case)).one().state == CaseState.PAUSED


def test_dollars_broken_resumes_case(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given: the promise, and nothing paid by Friday
    chat.reply(
        "los dólares el viernes y los pesos a fin de mes", NOW + timedelta(hours=1)
    )
    start = chat.sent

    # when: the dollars' day and its grace pass
    chat.cycle(NOW + timedelta(days=6))

    # then: the dollar part is broken and followed up; the pesos' day stands
    statuses = {p.currency: p.status for p in _promises(engine)}
    assert statuses == {"USD": PromiseStatus.BROKEN, "ARS": PromiseStatus.OPEN}
    [follow_up] = chat.graph.state.messages[start:]
    assert follow_up["template"]["name"] == "cobranza_broken_promise_friendly"
    stated = _parameters(follow_up)
    assert "viernes 13 de marzo" in stated
    assert "(solo los US$ 1.000,00; el resto se paga por separado)" in stated


def test_each_currency_sum_on_its_day(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # given
    start = chat.sent

    # when
    action = chat.reply(
        "$ 100.000 a fin de mes y US$ 300 el viernes", NOW + timedelta(hours=1)
    )

    # then
    assert action == "promise_recorded"
    promises = _promises(engine)
    assert [(p.currency, p.amount, p.due_on) for p in promises] == [
        ("USD", Decimal("300"), FRIDAY),
        ("ARS", Decimal("100000"), MONTH_END),
    ]
    [answer] = chat.sent_since(start)
    assert (
        "promesa de pago de US$ 300,00 el viernes 13 de marzo y $ 100.000,00 para "
        "el martes 31 de marzo."
    ) in answer


def test_currency_not_owed_goes_to_person(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # when: euros are not owed
    action = chat.reply(
        "los euros el viernes y los pesos a fin de mes", NOW + timedelta(hours=1)
    )

    # then
    assert action == "handed_off"
    assert _promises(engine) == []
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.state == CaseState.HANDED_OFF
        assert case.handoff_reason == "promise_currency_not_owed"


def test_reales_not_owed_goes_to_person(
    chat: Conversation,  # noqa: F811
    engine: Engine,
) -> None:
    # when: "reales" is Spanish for reais, which this customer does not owe
    action = chat.reply(
        "los reales el viernes y los pesos a fin de mes", NOW + timedelta(hours=1)
    )

    # then: no peso promise for Friday; a person checks the currency
    assert action == "handed_off"
    assert _promises(engine) == []
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.handoff_reason == "promise_currency_not_owed"
