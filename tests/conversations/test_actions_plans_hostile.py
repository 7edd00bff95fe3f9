"""Replies to a fee plan proposal that must not accept it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from cobranza.compliance.consent import current_consent
from cobranza.db.engine import transaction
from cobranza.db.models import Case
from tests.conversations.test_actions_plans import (
    FEE_SETTINGS,
    _plans,
    _reply,
    _set_fee,
    sandbox_replies,  # noqa: F401 - fixture
)
from tests.conversations.test_e2e_whatsapp import case_id  # noqa: F401 - fixture


@pytest.mark.usefixtures("sandbox_replies")
@pytest.mark.parametrize(
    "answer",
    ["no lo acepto, es muy caro", "nunca acepto recargos", "no, así no acepto"],
)
def test_negated_acceptance_creates_no_plan(
    engine: Engine,
    case_id: int,  # noqa: F811
    answer: str,
) -> None:
    _set_fee(engine, FEE_SETTINGS)
    _reply(engine, "¿puedo pagar en 3 cuotas?", 1)

    action = _reply(engine, answer, 2)

    assert action != "plan_accepted"
    assert _plans(engine) == []


@pytest.mark.usefixtures("sandbox_replies")
def test_opt_out_wins_over_acceptance(
    engine: Engine,
    case_id: int,  # noqa: F811
) -> None:
    # given
    _set_fee(engine, FEE_SETTINGS)
    _reply(engine, "¿puedo pagar en 3 cuotas?", 1)

    # when
    action = _reply(engine, "acepto el plan pero BAJA, no me escriban más", 2)

    # then
    assert action == "opted_out"
    assert _plans(engine) == []
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        customer_id = session.scalar(select(Case.customer_id).where(Case.id == case_id))
        assert customer_id is not None
        consent = current_consent(session, case.business_id, customer_id)
    assert consent is False


@pytest.mark.usefixtures("sandbox_replies")
def test_refused_installments_make_no_plan(
    engine: Engine,
    case_id: int,  # noqa: F811
) -> None:
    action = _reply(engine, "en cuotas no, pago todo", 1)

    assert action == "handed_off"
    assert _plans(engine) == []
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert case.handoff_reason == "installments_refused"
