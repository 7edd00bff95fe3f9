"""Installment plans with a fee: proposed first, created only once accepted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.channels.whatsapp import WhatsAppConfig
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    Document,
    InboundMessage,
    InstallmentPlan,
    OutboxMessage,
)
from cobranza.jobs.replies import install_reply_handler
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    NOW,
    PHONE,
    _close_channels,
    graph,
    settings,
)
from tests.conversations.test_e2e_whatsapp import (
    case_id,  # noqa: F401 - fixture
    client,  # noqa: F401 - fixture
    inbound_body,
    post,
    process_and_dispatch,
    sent_bodies,
    text_message,
)
from tests.fakes.graph_api import FakeGraphAPI

FEE_SETTINGS = {"installments": {"fee_percent": 10, "max_count": 6}}


@pytest.fixture
def sandbox_replies() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _set_fee(engine: Engine, business_settings: dict[str, object]) -> None:
    with transaction(engine) as session:
        session.execute(update(Business).values(settings=business_settings))


def _reply(engine: Engine, text: str, minutes: int) -> str | None:
    """Store a sandbox reply `minutes` after NOW; return the action taken."""
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        record_reply(session, business, PHONE, text, NOW + timedelta(minutes=minutes))
        inbound = session.scalars(
            select(InboundMessage).order_by(InboundMessage.id.desc())
        ).first()
        assert inbound is not None
        return inbound.action_taken


def _outbox(engine: Engine, step_kind: str) -> list[OutboxMessage]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.step_kind == step_kind)
                .order_by(OutboxMessage.id)
            )
        )


def _plans(engine: Engine) -> list[InstallmentPlan]:
    with transaction(engine) as session:
        return list(session.scalars(select(InstallmentPlan)))


def test_fee_plan_proposed_then_accepted_by_button(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    case_id: int,  # noqa: F811
) -> None:
    # given
    _set_fee(engine, FEE_SETTINGS)
    config = WhatsAppConfig.from_settings(settings)

    # when
    post(client, text_message("wamid.plan1", "¿puedo pagar en 3 cuotas?"))
    process_and_dispatch(engine, settings, config, NOW + timedelta(minutes=1))
    plans_before_accepting = _plans(engine)
    proposal = sent_bodies(graph)[-1]
    button = inbound_body(
        "wamid.plan2",
        NOW + timedelta(minutes=2),
        type="button",
        button={"text": "Acepto el plan", "payload": "Acepto el plan"},
    )
    post(client, button)
    process_and_dispatch(engine, settings, config, NOW + timedelta(minutes=3))

    # then
    assert plans_before_accepting == []
    assert "3 cuotas" in proposal
    # 10 March + 3 days; 30 days later is Sunday 12 April, moved to Monday.
    assert "$ 550,00 el 13 de marzo" in proposal
    assert "$ 550,00 el 13 de abril" in proposal
    assert "$ 550,00 el 12 de mayo" in proposal
    assert "recargo de $ 150,00" in proposal
    assert "$ 1.650,00" in proposal
    assert "Acepto el plan" in str(graph.state.messages[-2])
    plans = _plans(engine)
    assert len(plans) == 1
    assert plans[0].fee == Decimal("150")
    assert plans[0].total == Decimal("1650")
    assert plans[0].installment_count == 3
    assert len(_outbox(engine, "plan_offer_reply")) == 1
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        actions = list(
            session.scalars(
                select(InboundMessage.action_taken).order_by(InboundMessage.id)
            )
        )
    assert case.pending_question is None
    assert case.state == "paused"
    assert actions == ["plan_proposed", "plan_accepted"]


@pytest.mark.usefixtures("sandbox_replies")
@pytest.mark.parametrize("answer", ["acepto", "sí, acepto el plan", "dale", "ok 👍"])
def test_fee_plan_accepted_by_text(
    engine: Engine,
    case_id: int,  # noqa: F811
    answer: str,
) -> None:
    _set_fee(engine, FEE_SETTINGS)

    proposed = _reply(engine, "¿puedo pagar en 3 cuotas?", 1)
    accepted = _reply(engine, answer, 2)

    assert proposed == "plan_proposed"
    assert accepted == "plan_accepted"
    plans = _plans(engine)
    assert len(plans) == 1
    assert plans[0].fee == Decimal("150")


@pytest.mark.usefixtures("sandbox_replies")
@pytest.mark.parametrize(
    "text", ["no acepto ese recargo", "gracias", "muchas gracias!"]
)
def test_fee_plan_not_accepted(
    engine: Engine,
    case_id: int,  # noqa: F811
    text: str,
) -> None:
    _set_fee(engine, FEE_SETTINGS)

    _reply(engine, "¿puedo pagar en 3 cuotas?", 1)
    answer = _reply(engine, text, 2)

    assert answer != "plan_accepted"
    assert _plans(engine) == []


@pytest.mark.usefixtures("sandbox_replies")
def test_accept_with_other_count_proposes_it(
    engine: Engine,
    case_id: int,  # noqa: F811
) -> None:
    _set_fee(engine, FEE_SETTINGS)

    _reply(engine, "¿puedo pagar en 3 cuotas?", 1)
    answer = _reply(engine, "acepto, pero en 4 cuotas", 2)

    assert answer == "plan_proposed"
    assert _plans(engine) == []
    proposals = _outbox(engine, "plan_proposal")
    assert proposals[-1].variables["installments"] == 4


@pytest.mark.usefixtures("sandbox_replies")
def test_changed_terms_proposed_again(engine: Engine, case_id: int) -> None:  # noqa: F811
    _set_fee(engine, FEE_SETTINGS)
    _reply(engine, "¿puedo pagar en 3 cuotas?", 1)
    with transaction(engine) as session:
        session.execute(update(Document).values(open_amount=Decimal("1200.00")))

    answer = _reply(engine, "acepto", 2)

    assert answer == "plan_proposed"
    assert _plans(engine) == []
    proposals = _outbox(engine, "plan_proposal")
    assert len(proposals) == 2
    assert proposals[-1].variables["plan_total"] == "1320.00"


@pytest.mark.usefixtures("sandbox_replies")
def test_plan_without_fee_created_at_once(
    engine: Engine,
    case_id: int,  # noqa: F811
) -> None:
    answer = _reply(engine, "¿puedo pagar en 3 cuotas?", 1)

    assert answer == "plan_created"
    assert _outbox(engine, "plan_proposal") == []
    plans = _plans(engine)
    assert len(plans) == 1
    assert plans[0].fee == Decimal("0")


@pytest.mark.usefixtures("sandbox_replies")
def test_accept_without_proposal_is_ok(
    engine: Engine,
    case_id: int,  # noqa: F811
) -> None:
    _set_fee(engine, FEE_SETTINGS)

    answer = _reply(engine, "acepto", 1)

    assert answer != "plan_accepted"
    assert _plans(engine) == []


@pytest.mark.usefixtures("sandbox_replies")
def test_plan_from_reply_not_overdue_next_day(
    engine: Engine,
    case_id: int,  # noqa: F811
) -> None:
    from cobranza.db.models import Installment
    from cobranza.jobs.cycle import run_cycle

    # given: the customer asks for 3 installments at 11:06 on Tuesday 10 March
    action = _reply(engine, "¿Puedo pagarlo en 3 cuotas?", 66)
    with transaction(engine) as session:
        business_id = session.scalars(select(Business.id)).one()
        first_due = session.scalars(
            select(Installment.due_on).where(Installment.number == 1)
        ).one()

    # when: the cycle runs on the next two mornings
    run_cycle(engine, business_id, NOW + timedelta(days=1))
    run_cycle(engine, business_id, NOW + timedelta(days=2))

    # then: installment 1 is due 3 days later and only its early reminder is queued
    assert action == "plan_created"
    assert first_due == date(2026, 3, 13)
    offer = _outbox(engine, "plan_offer_reply")
    assert len(offer) == 1
    assert offer[0].variables["plan_schedule"][0][1] == "2026-03-13"
    assert _outbox(engine, "installment_overdue") == []
    assert _outbox(engine, "installment_due_today") == []
    preventive = _outbox(engine, "installment_preventive")
    assert len(preventive) == 1
    assert preventive[0].variables["oldest_due_on"] == "2026-03-13"
