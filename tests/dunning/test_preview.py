from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cobranza.channels.compose import compose_row
from cobranza.compliance.business_days import is_business_day
from cobranza.compliance.rules import legal_rules
from cobranza.db.models import OutboxMessage
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import parse_policy
from cobranza.dunning.preview import compose_step_preview, step_sample_variables

from .conftest import NOW, TODAY, Portfolio

DISCOUNT_POLICY = """\
version: 1
name: descuento
steps:
  - key: discount
    offset_days: -5
    action: offer_discount
    step_kind: early_discount
    discount_percent: 12
"""

# The parameters that come from the step rather than from the customer.
STEP_PARAMETERS = ("atraso", "cuotas", "descuento")


def _sent_parameters(
    portfolio: Portfolio, policy: Policy, days_past_due: int
) -> dict[str, str]:
    """Plan one customer `days_past_due` days late and compose the queued row.

    The days past due of a due date on a weekend or holiday count from the
    next business day, so the due date and today both move back to a
    business day, keeping the days between them.
    """
    portfolio.business.settings = {"payment_instructions": "Transferencia al alias"}
    customer = portfolio.customer("C1")
    rules = legal_rules("AR")
    late = timedelta(days=days_past_due)
    moved_back = timedelta(days=0)
    while not is_business_day(rules, TODAY - moved_back - late):
        moved_back += timedelta(days=1)
    today = TODAY - moved_back
    portfolio.invoice(customer, "1000", today - timedelta(days=days_past_due))

    plan(portfolio.session, portfolio.business, NOW - moved_back, policy)

    row = portfolio.session.scalars(select(OutboxMessage)).one()
    parameters = compose_row(row, today, rules).parameters
    return {name: parameters[name] for name in STEP_PARAMETERS if name in parameters}


@pytest.mark.parametrize("step_key", ["second_notice", "plan_offer", "final_notice"])
def test_preview_matches_real_send(
    portfolio: Portfolio, default_policy: Policy, step_key: str
) -> None:
    step = next(step for step in default_policy.steps if step.key == step_key)
    tone = step.concrete_tones()[0]

    sent = _sent_parameters(portfolio, default_policy, step.offset_days)
    previewed = compose_step_preview(step, "es_AR", tone).parameters

    assert sent
    for name, value in sent.items():
        assert previewed[name] == value, name


def test_preview_uses_step_discount(portfolio: Portfolio) -> None:
    policy = parse_policy(DISCOUNT_POLICY)
    step = policy.steps[0]

    sent = _sent_parameters(portfolio, policy, step.offset_days)
    previewed = compose_step_preview(step, "es_AR", step.concrete_tones()[0])

    assert sent["descuento"] == previewed.parameters["descuento"]
    assert "12" in previewed.parameters["descuento"]


def test_step_variables_carry_step_inputs(default_policy: Policy) -> None:
    plan_offer = next(s for s in default_policy.steps if s.key == "plan_offer")
    final_notice = next(s for s in default_policy.steps if s.key == "final_notice")

    offer = step_sample_variables(plan_offer, "es_AR")
    final = step_sample_variables(final_notice, "es_AR")

    assert offer.installments == 6
    assert offer.days_past_due == 30
    assert final.days_past_due == 45
    assert final.today == final.oldest_due_on + timedelta(days=45)
