"""Migration 0015: one active installment plan per case and currency."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError

from cobranza.db.engine import is_current, transaction, upgrade
from cobranza.db.models import Case, InstallmentPlan, PlanStatus
from tests.channels.factories import make_business, make_customer
from tests.db.test_migrations import _downgrade

NOW = datetime(2026, 3, 10, 15, tzinfo=UTC)


def _case(engine: Engine) -> tuple[int, int, int]:
    with transaction(engine) as session:
        business = make_business(session, NOW)
        customer = make_customer(session, business, NOW, "C1", "+5491155550001")
        case = Case(
            business_id=business.id,
            customer_id=customer.id,
            state="open",
            step="reminder_soft",
            planned_step="reminder_soft",
            opened_at=NOW,
        )
        session.add(case)
        session.flush()
        return business.id, customer.id, case.id


def _add_plan(engine: Engine, ids: tuple[int, int, int], currency: str) -> int:
    business_id, customer_id, case_id = ids
    with transaction(engine) as session:
        plan = InstallmentPlan(
            business_id=business_id,
            case_id=case_id,
            customer_id=customer_id,
            currency=currency,
            principal=Decimal("100.00"),
            fee=Decimal(0),
            total=Decimal("100.00"),
            installment_count=2,
            document_ids=[],
            status=PlanStatus.ACTIVE,
            created_at=NOW,
        )
        session.add(plan)
        session.flush()
        return plan.id


def test_head_allows_one_active_plan_per_currency(engine: Engine) -> None:
    # Given a case with an active plan in pesos
    ids = _case(engine)
    _add_plan(engine, ids, "ARS")

    # When a plan in dollars is added, then it is stored
    _add_plan(engine, ids, "USD")

    # But a second active plan in pesos is rejected
    with pytest.raises(IntegrityError):
        _add_plan(engine, ids, "ARS")


def test_downgrade_stops_on_plans_in_two_currencies(engine: Engine) -> None:
    # Given a case with active plans in two currencies
    ids = _case(engine)
    _add_plan(engine, ids, "ARS")
    dollars = _add_plan(engine, ids, "USD")

    # When the migration is downgraded, then it stops and names the case
    with pytest.raises(RuntimeError, match=f"cases {ids[2]} have active"):
        _downgrade(engine, "0014_erased_sender")
    assert is_current(engine)

    # And once one plan is cancelled, the downgrade and upgrade both run
    with transaction(engine) as session:
        session.execute(
            update(InstallmentPlan)
            .where(InstallmentPlan.id == dollars)
            .values(status=PlanStatus.CANCELLED)
        )
    _downgrade(engine, "0014_erased_sender")
    assert not is_current(engine)
    with pytest.raises(IntegrityError):
        _add_plan(engine, ids, "USD")
    upgrade(engine)
    assert is_current(engine)
    _add_plan(engine, ids, "USD")
