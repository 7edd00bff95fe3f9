"""Installment plans in several currencies: one per currency, each on its own."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cobranza.compliance.subject_export import customer_export
from cobranza.db.models import Case, Customer, Installment, InstallmentPlan
from cobranza.dunning.holds import hold_invoices
from cobranza.payments import check_plans, create_plan
from cobranza.payments.errors import PlanError
from cobranza.payments.plan_rows import latest_plan_rows
from cobranza.payments.plans import installment_target
from tests.channels.factories import make_document
from tests.payments.conftest import NOW, World


@pytest.fixture
def dollar_invoice_id(world: World) -> int:
    """A US$ 300 invoice beside the customer's $ 1.500 in two invoices."""
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        document = make_document(
            session, customer, NOW, "U-0001", "300.00", date(2026, 2, 15),
            currency="USD",
        )  # fmt: skip
        return document.id


def _create(world: World, currency: str, count: int = 3) -> int:
    with world.session() as session, session.begin():
        case = session.get_one(Case, world.case_id)
        return create_plan(session, case, count, NOW, currency=currency).id


def _plans(world: World) -> dict[str, str]:
    with world.session() as session:
        rows = session.execute(select(InstallmentPlan.currency, InstallmentPlan.status))
        return {currency: status for currency, status in rows}


def test_plan_per_currency_covers_its_balance(
    world: World, dollar_invoice_id: int
) -> None:
    pesos = _create(world, "ARS")
    dollars = _create(world, "USD", count=2)

    with world.session() as session:
        plans = {
            plan.currency: plan for plan in session.scalars(select(InstallmentPlan))
        }
        case = session.get_one(Case, world.case_id)
        dollar_target = installment_target(session, case, "USD")
        peso_target = installment_target(session, case, "ARS")
    assert plans["ARS"].total == Decimal("1500.00")
    assert plans["USD"].total == Decimal("300.00")
    assert plans["USD"].document_ids == [dollar_invoice_id]
    assert dollar_target is not None
    assert (dollar_target.currency, dollar_target.amount) == ("USD", Decimal("150.00"))
    assert peso_target is not None
    assert (peso_target.currency, peso_target.amount) == ("ARS", Decimal("500.00"))
    # The pause lasts until the later plan ends: the pesos' third installment.
    case = world.case_row()
    assert case.state == "paused"
    assert case.pause_reason == f"installment plan {pesos}"
    assert pesos != dollars


def test_second_plan_same_currency_rejected(
    world: World, dollar_invoice_id: int
) -> None:
    _create(world, "USD")

    with pytest.raises(PlanError, match="active installment plan in USD"):
        _create(world, "USD")


def test_currency_not_owed_rejected(world: World) -> None:
    with pytest.raises(PlanError, match="owes nothing in USD"):
        _create(world, "USD")


def test_broken_plan_leaves_other_active(world: World, dollar_invoice_id: int) -> None:
    # Given plans in both currencies and the first peso installment paid
    pesos = _create(world, "ARS")
    dollars = _create(world, "USD")
    with world.session() as session, session.begin():
        first = session.scalars(
            select(Installment).where(
                Installment.plan_id == pesos, Installment.number == 1
            )
        ).one()
        first.status = "paid"

    # When the first dollar installment is past its grace
    with world.session() as session, session.begin():
        broken = check_plans(session, world.business(session), NOW + timedelta(days=7))

    # Then only the dollar plan breaks, and the case stays paused on the pesos
    assert broken == [dollars]
    assert _plans(world) == {"ARS": "active", "USD": "broken"}
    case = world.case_row()
    assert case.state == "paused"
    assert case.pause_reason == f"installment plan {pesos}"
    # And the owner sees the active plan with the broken one beside it
    with world.session() as session:
        shown = latest_plan_rows(
            session, world.business(session), world.customer_id, NOW.date()
        )
    assert shown is not None
    assert (shown.currency, shown.status) == ("ARS", "active")
    assert [(plan.currency, plan.status) for plan in shown.others] == [
        ("USD", "broken")
    ]


def test_case_resumes_once_no_plan_left(world: World, dollar_invoice_id: int) -> None:
    # Given plans in both currencies, the pause naming the peso plan
    pesos = _create(world, "ARS")
    _create(world, "USD", count=2)

    # When a person holds the peso invoices, which cancels the peso plan
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        hold_invoices(
            session, customer, ["A-0001"], None, "revisión", NOW.date(), NOW, "owner"
        )

    # Then the case stays paused on the dollar plan until it ends
    assert _plans(world) == {"ARS": "cancelled", "USD": "active"}
    case = world.case_row()
    assert case.state == "paused"
    assert case.pause_reason != f"installment plan {pesos}"
    assert case.paused_until is not None

    # And once the dollar invoice is held too, the case resumes
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        hold_invoices(
            session, customer, ["U-0001"], None, "revisión", NOW.date(), NOW, "owner"
        )
    assert _plans(world) == {"ARS": "cancelled", "USD": "cancelled"}
    assert world.case_row().state == "open"


def test_subject_export_lists_both_plans(world: World, dollar_invoice_id: int) -> None:
    _create(world, "ARS")
    _create(world, "USD", count=2)

    with world.session() as session:
        customer = session.get_one(Customer, world.customer_id)
        exported = customer_export(session, world.business(session), customer, NOW)

    plans = {plan["currency"]: plan for plan in exported["installment_plans"]}
    assert sorted(plans) == ["ARS", "USD"]
    assert len(plans["ARS"]["installments"]) == 3
    assert len(plans["USD"]["installments"]) == 2
