"""A customer's current or last installment plans, as rows the owner reads.

`cobranza case show` prints these rows, and the dashboard's customer page
can use the same function. Each installment gets one state for display,
derived from its stored status, its plan's status and the day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    Business,
    Installment,
    InstallmentPlan,
    InstallmentStatus,
    PlanStatus,
)
from cobranza.payments.errors import PlanError
from cobranza.payments.plan_payments import plan_coverage
from cobranza.payments.plans import InstallmentLimits, limits_for


class InstallmentState(StrEnum):
    """The state of an installment as the owner sees it."""

    PAID = "paid"
    # Not yet due.
    UPCOMING = "upcoming"
    # Past its due date but within the grace days, so the plan still holds.
    IN_GRACE = "in_grace"
    # Unpaid past the grace days: it broke the plan.
    MISSED = "missed"
    # Unpaid in a plan that is no longer active, so nobody collects it.
    VOID = "void"


@dataclass(frozen=True)
class InstallmentRow:
    """One installment of a plan: number, amount, due date and state."""

    number: int
    amount: Decimal
    due_on: date
    state: InstallmentState
    paid_at: datetime | None
    # What the customer already paid toward an installment still pending:
    # the credit left once the installments before it are paid in full.
    paid_toward: Decimal = Decimal(0)


@dataclass(frozen=True)
class PlanRows:
    """A plan's summary and its installments in order."""

    plan_id: int
    case_id: int
    status: PlanStatus
    created_at: datetime
    closed_at: datetime | None
    currency: str
    total: Decimal
    fee: Decimal
    installments: tuple[InstallmentRow, ...]
    # The customer's plans in other currencies that were active beside this
    # one, one per currency, by currency code.
    others: tuple[PlanRows, ...] = ()


def latest_plan_rows(
    session: Session, business: Business, customer_id: int, today: date
) -> PlanRows | None:
    """Return the customer's active plan, or else the last one made, or None.

    `today` is the business's local date: a pending installment due before
    it is shown as in grace or missed. A customer with plans in several
    currencies gets the latest one, and in `others` the latest plan of each
    other currency that was active beside it (still active, or closed since
    the latest one was made).
    """
    plans = session.scalars(
        select(InstallmentPlan)
        .where(
            InstallmentPlan.business_id == business.id,
            InstallmentPlan.customer_id == customer_id,
        )
        .order_by(
            case((InstallmentPlan.status == PlanStatus.ACTIVE, 0), else_=1),
            InstallmentPlan.created_at.desc(),
            InstallmentPlan.id.desc(),
        )
    ).all()
    if not plans:
        return None

    latest = plans[0]
    others: dict[str, InstallmentPlan] = {}
    for plan in plans[1:]:
        # A plan in another currency that was active beside the latest one,
        # such as the peso plan that broke while the dollar plan goes on.
        beside = plan.status == PlanStatus.ACTIVE or (
            plan.closed_at is not None and plan.closed_at >= latest.created_at
        )
        if plan.currency != latest.currency and beside:
            others.setdefault(plan.currency, plan)
    rows = _plan_rows(session, business, latest, today)
    return replace(
        rows,
        others=tuple(
            _plan_rows(session, business, others[currency], today)
            for currency in sorted(others)
        ),
    )


def _plan_rows(
    session: Session, business: Business, plan: InstallmentPlan, today: date
) -> PlanRows:
    """Return one plan's summary and its installments' rows."""
    installments = session.scalars(
        select(Installment)
        .where(Installment.plan_id == plan.id)
        .order_by(Installment.number)
    ).all()
    try:
        grace_days = limits_for(business).grace_days
    except PlanError:
        # The owner still sees the plan; `check_plans` reports the bad settings.
        grace_days = InstallmentLimits().grace_days
    paid_toward: dict[int, Decimal] = {}
    if plan.status == PlanStatus.ACTIVE:
        coverage = plan_coverage(session, plan)
        if coverage.unpaid and coverage.credit > 0:
            paid_toward[coverage.unpaid[0].id] = coverage.credit
    rows = tuple(
        InstallmentRow(
            number=item.number,
            amount=item.amount,
            due_on=item.due_on,
            state=_state(plan.status, item, today, grace_days),
            paid_at=item.paid_at,
            paid_toward=paid_toward.get(item.id, Decimal(0)),
        )
        for item in installments
    )
    return PlanRows(
        plan_id=plan.id,
        case_id=plan.case_id,
        status=PlanStatus(plan.status),
        created_at=plan.created_at,
        closed_at=plan.closed_at,
        currency=plan.currency,
        total=plan.total,
        fee=plan.fee,
        installments=rows,
    )


def _state(
    plan_status: str, item: Installment, today: date, grace_days: int
) -> InstallmentState:
    if item.status == InstallmentStatus.PAID:
        return InstallmentState.PAID
    if item.status == InstallmentStatus.MISSED:
        return InstallmentState.MISSED
    if plan_status != PlanStatus.ACTIVE:
        return InstallmentState.VOID
    if item.due_on >= today:
        return InstallmentState.UPCOMING
    if item.due_on >= today - timedelta(days=grace_days):
        return InstallmentState.IN_GRACE
    # `check_plans` has not run since the grace ended.
    return InstallmentState.MISSED
