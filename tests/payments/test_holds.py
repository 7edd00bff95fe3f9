"""Held invoices stay out of payment links and installment plans."""

from __future__ import annotations

from cobranza.db.models import Customer
from cobranza.dunning.holds import hold_invoices
from cobranza.payments import create_plan, open_link
from cobranza.payments.links import LinkContext, LinkState
from cobranza.payments.sandbox import SandboxProvider
from tests.payments.conftest import NOW, World
from tests.payments.helpers import make_link

ACTOR = "owner:duenia@ejemplo.com"


def _hold(world: World, numbers: list[str]) -> None:
    """Hold the customer's invoices `numbers` (all when empty) with no end."""
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        hold_invoices(
            session, customer, numbers, None, "pasó al abogado", NOW.date(), NOW, ACTOR
        )


def test_link_amount_leaves_out_held(world: World) -> None:
    _hold(world, ["A-0001"])

    link = make_link(world)

    assert link.amount == 500
    assert link.document_ids == [world.new_invoice_id]


def test_link_under_review_when_all_held(world: World) -> None:
    # given: a link sent before a person held every invoice
    link = make_link(world)
    _hold(world, [])
    context = LinkContext(
        public_base_url="http://testserver",
        default_provider="sandbox",
        providers={"sandbox": SandboxProvider("http://testserver")},
    )

    # when
    with world.session() as session, session.begin():
        outcome = open_link(session, link.token, NOW, context)

    # then
    assert outcome.state is LinkState.UNDER_REVIEW


def test_plan_covers_only_collected(world: World) -> None:
    _hold(world, ["A-0001"])

    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 2, NOW)
        principal = plan.principal

    assert principal == 500
