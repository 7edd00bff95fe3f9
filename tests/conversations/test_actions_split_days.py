"""Replies that split a payment into parts on different days, the first one today.

"la mitad ahora y la mitad el mes que viene" is a plan of two installments
whose first falls due today, and so is every reply that pays a part now
("altiro", "hoy", "agora") and puts off the rest to a later day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import PromiseToPay
from tests.conversations.test_actions_plan_dates import (  # noqa: F401 - fixture
    HALF,
    _open_case,
    _reply,
    _schedule,
    _sent_texts,
    reply_handler,
)

# The tests of `test_actions_plan_dates` run on Wednesday 9 December 2026.
TODAY = date(2026, 12, 9)
FRIDAY = date(2026, 12, 11)


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        # Chile: "altiro" in a wish, with the rest in the next clause.
        (
            "quiero pagarte altiro la mitad, y el resto el viernes",
            [(HALF, TODAY), (HALF, FRIDAY)],
        ),
        (
            "la mitad hoy, la otra mitad el viernes",
            [(HALF, TODAY), (HALF, FRIDAY)],
        ),
        (
            # 1 January is a holiday, so the business's limits move the
            # second installment to Monday the 4th.
            "la mitad ahora y la mitad el mes que viene",
            [(HALF, TODAY), (HALF, date(2027, 1, 4))],
        ),
        # Argentina: a sum today and the rest on the 15th.
        (
            "hoy te paso 10 lucas y el resto el 15",
            [(Decimal("10000.00"), TODAY), (Decimal("138075.26"), date(2026, 12, 15))],
        ),
        (
            "ahorita te deposito 20 mil y lo que falta el viernes",
            [(Decimal("20000.00"), TODAY), (Decimal("128075.26"), FRIDAY)],
        ),
    ],
)
def test_part_today_rest_later_is_plan(
    engine: Engine, text: str, schedule: list[tuple[Decimal, date]]
) -> None:
    # given: 148,075.26 owed
    business_id = _open_case(engine)

    # when
    action = _reply(engine, business_id, text)
    texts = _sent_texts(engine, business_id)

    # then: the first installment falls due today
    assert action == "plan_created"
    assert _schedule(engine) == schedule
    assert "9 de diciembre" in texts[-1]
    with transaction(engine) as session:
        assert session.scalars(select(PromiseToPay)).all() == []


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        (
            "R$ 500 agora e o resto semana que vem",
            [(Decimal("500.00"), TODAY), (Decimal("1500.00"), date(2026, 12, 14))],
        ),
        (
            "metade agora e metade no dia 10",
            [(Decimal("1000.00"), TODAY), (Decimal("1000.00"), date(2026, 12, 10))],
        ),
        (
            "hoje eu pago a metade e o restante na sexta",
            [(Decimal("1000.00"), TODAY), (Decimal("1000.00"), FRIDAY)],
        ),
    ],
)
def test_brazilian_part_now_is_plan(
    engine: Engine, text: str, schedule: list[tuple[Decimal, date]]
) -> None:
    # given: R$ 2.000 owed
    business_id = _open_case(
        engine, country="BR", invoices=(("2000.00", date(2026, 11, 30)),)
    )

    # when
    action = _reply(engine, business_id, text)
    texts = _sent_texts(engine, business_id)

    # then
    assert action == "plan_created"
    assert _schedule(engine) == schedule
    assert "9 de dezembro" in texts[-1]
