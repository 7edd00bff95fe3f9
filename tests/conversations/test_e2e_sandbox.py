"""A promise over several dunning cycles: paused, confirmed, broken, followed up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Case, CaseState
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+5491155550101"
# Monday 16 March 2026, 10:00 in Buenos Aires.
MONDAY = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def cycle(engine: Engine, business_id: int, at: datetime) -> list[str]:
    """Run one dunning cycle at `at`; return the step kinds sent in it."""
    run_cycle(engine, business_id, at)
    with transaction(engine) as session:
        return [
            m.step_kind for m in sent_messages(session, business_id) if m.sent_at == at
        ]


def test_promise_over_cycles(engine: Engine) -> None:
    # given
    with transaction(engine) as session:
        business = make_business(session, MONDAY)
        customer = make_customer(session, business, MONDAY, "C1", PHONE)
        make_document(session, customer, MONDAY, "A-1", "1500.00", date(2026, 3, 5))
        business_id = business.id
    first = cycle(engine, business_id, MONDAY)

    # when
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        record_reply(
            session,
            business,
            PHONE,
            "sí, te pago el viernes",
            MONDAY + timedelta(hours=1),
        )
    confirmation = cycle(engine, business_id, MONDAY + timedelta(hours=2))
    while_paused = [
        cycle(engine, business_id, MONDAY + timedelta(days=days))
        for days in (1, 2, 3, 4)
    ]
    # Monday 23 and Tuesday 24 March are holidays in Argentina.
    after_holidays = cycle(engine, business_id, MONDAY + timedelta(days=9))

    # then
    assert len(first) == 1
    assert confirmation == ["promise_confirmation"]
    assert while_paused == [[], [], [], []]
    assert after_holidays == ["broken_promise"]
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.state == CaseState.OPEN
        assert case.paused_until is None
