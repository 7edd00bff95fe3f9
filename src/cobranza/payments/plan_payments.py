"""Payments applied to installment plans, whatever path recorded them.

Most customers pay an installment by transfer, Pix or cash, and the
business records it by hand (`cobranza payment add`, the dashboard's form,
`cobranza payment import`), so the payment carries no installment link.
Every settled payment therefore counts toward the customer's active plan:

- The money a plan has received is the sum of the customer's settled
  payments (approved or in mediation) in the plan's currency, net of what
  was refunded. Only payments recorded at or after the plan was made
  count, and those recorded before as pending and approved after it.
  Payments settled before were already subtracted from the balance that
  the plan split.
- That money pays the installments in order, oldest first. An installment
  is marked paid when the money left after the installments before it
  covers its whole amount, so a payment larger than one installment pays
  the next ones too. Its paid date is the `paid_at` of the payment that
  completed it, taking the payments in the order they were made, not the
  instant the payment was recorded.
- What is left after the paid installments is a credit toward the next
  one, which stays pending. Its reminders and its payment link ask for the
  rest of it (`plan_coverage(...).next_due`).
- An installment paid through its own link is counted once: its payment is
  part of the money received, and its amount is taken out before the
  pending installments are walked.

Invoice allocation does not change: a payment still settles the customer's
invoices oldest first (see `allocation.allocate`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    Installment,
    InstallmentPlan,
    InstallmentStatus,
    OutboxMessage,
    OutboxState,
    Payment,
    PlanStatus,
)
from cobranza.dunning import outbox
from cobranza.payments.status import SETTLING, PaymentStatus

logger = logging.getLogger(__name__)

# The outbox reason of an installment reminder dropped because the
# installment was paid while the reminder waited.
PAID_REASON = "paid"
# The variable of a plan message for plans in several currencies: one
# [currency, [[amount, due date], ...], fee, total] per plan.
PLAN_PARTS_VARIABLE = "plan_parts"
# The messages that state a plan's schedule, refreshed when part of it is paid.
SCHEDULE_STEP_KINDS = ("plan_offer_reply",)
# The outbox reason of a plan message dropped because the payments made
# while it waited left a single installment, which its own reminders name.
ONE_LEFT_REASON = "plan_one_installment_left"


@dataclass(frozen=True)
class PlanCoverage:
    """The part of a plan that the payments received since it was made cover."""

    received: Decimal
    # Pending installments that the money received pays in full, in order.
    covered_ids: tuple[int, ...]
    # The `paid_at` of the payment that completed each of `covered_ids`.
    covered_paid_at: tuple[datetime, ...]
    # The part of the first installment left pending that is already paid.
    credit: Decimal
    # The installments still unpaid once `covered_ids` are paid, in order.
    unpaid: tuple[Installment, ...]

    @property
    def next_due(self) -> Decimal | None:
        """Return what is still owed of the next unpaid installment, if any."""
        if not self.unpaid:
            return None
        return self.unpaid[0].amount - self.credit


def plan_coverage(
    session: Session, plan: InstallmentPlan, settling_id: int | None = None
) -> PlanCoverage:
    """Compute which installments of `plan` the payments since it began cover.

    `settling_id` is a payment being approved in this transaction, counted
    even when it was stored as pending before the plan.
    """
    counted = _payments_since(session, plan, settling_id)
    received = sum((net for _, net in counted), Decimal(0))
    installments = session.scalars(
        select(Installment)
        .where(Installment.plan_id == plan.id)
        .order_by(Installment.number)
    ).all()
    already_paid = sum(
        (item.amount for item in installments if item.status == InstallmentStatus.PAID),
        Decimal(0),
    )
    pending = [
        item for item in installments if item.status == InstallmentStatus.PENDING
    ]

    # Installments paid through their links are part of `received`, so their
    # amounts come out first. Below zero means they were paid by a payment
    # that was refunded later, which leaves nothing for the others.
    available = max(received - already_paid, Decimal(0))
    covered: list[int] = []
    for item in pending:
        if available < item.amount:
            break
        covered.append(item.id)
        available -= item.amount
    unpaid = tuple(pending[len(covered) :])
    credit = available if unpaid else Decimal(0)
    covered_paid_at = _completion_dates(
        counted, already_paid, [item.amount for item in pending[: len(covered)]]
    )
    return PlanCoverage(received, tuple(covered), covered_paid_at, credit, unpaid)


def apply_payments_to_plans(
    session: Session,
    business_id: int,
    customer_id: int,
    now: datetime,
    settling_id: int | None = None,
) -> list[int]:
    """Mark paid the installments of the customer's active plans that payments cover.

    Returns the ids of the installments marked paid now. Their reminders
    still queued are dropped, and a queued plan message that lists the
    schedule is brought down to the installments still unpaid.
    """
    plans = session.scalars(
        select(InstallmentPlan)
        .where(
            InstallmentPlan.business_id == business_id,
            InstallmentPlan.customer_id == customer_id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
        )
        .order_by(InstallmentPlan.id)
    ).all()
    paid: list[int] = []
    for plan in plans:
        paid.extend(apply_payments_to_plan(session, plan, now, settling_id))
    return paid


def apply_payments_to_plan(
    session: Session,
    plan: InstallmentPlan,
    now: datetime,
    settling_id: int | None = None,
) -> list[int]:
    """Mark paid the installments of one active plan that payments cover.

    Returns the ids of the installments marked paid now.
    """
    # Imported here: `plans` imports this module for `plan_coverage`.
    from cobranza.payments.plans import mark_installment_paid

    plan_id, business_id, case_id = plan.id, plan.business_id, plan.case_id
    currency = plan.currency
    coverage = plan_coverage(session, plan, settling_id)
    for installment_id, paid_at in zip(
        coverage.covered_ids, coverage.covered_paid_at, strict=True
    ):
        mark_installment_paid(session, installment_id, now, paid_at=paid_at)
    if coverage.covered_ids:
        _drop_paid_reminders(session, business_id, coverage.covered_ids, now)
        logger.info(
            "installment plan %s: installments %s paid by payments recorded "
            "outside their links",
            plan_id,
            list(coverage.covered_ids),
        )
    if coverage.covered_ids or coverage.credit > 0:
        _refresh_schedule_messages(
            session, business_id, case_id, currency, coverage, now
        )
    return list(coverage.covered_ids)


def remaining_schedule(coverage: PlanCoverage) -> list[tuple[Decimal, date]]:
    """Return (amount still owed, due date) of each unpaid installment, in order."""
    schedule = [(item.amount, item.due_on) for item in coverage.unpaid]
    if schedule:
        first_amount, first_due_on = schedule[0]
        schedule[0] = (first_amount - coverage.credit, first_due_on)
    return schedule


def _payments_since(
    session: Session, plan: InstallmentPlan, settling_id: int | None
) -> list[tuple[datetime, Decimal]]:
    """Return (paid_at, amount net of refunds) of the payments the plan receives.

    Those are the settled payments that the balance the plan split did not
    net: the payments recorded since the plan was made, and the ones
    recorded before as pending and approved since (a receipt the customer
    sent, a boleto), because a pending payment settles no invoice.
    `settling_id` is the payment being approved now, whose audit event is
    written after its effects. The list is in the order the payments were
    made (`paid_at`, then id).
    """
    rows = session.execute(
        select(
            Payment.id,
            Payment.amount,
            Payment.amount_refunded,
            Payment.created_at,
            Payment.paid_at,
        ).where(
            Payment.business_id == plan.business_id,
            Payment.customer_id == plan.customer_id,
            Payment.currency == plan.currency,
            Payment.status.in_([str(status) for status in SETTLING]),
        )
    ).all()
    earlier = [row.id for row in rows if row.created_at < plan.created_at]
    approved = _first_approvals(session, plan.business_id, earlier)
    if settling_id is not None and settling_id in earlier:
        # A payment is approved once (only from pending), and this one is
        # being approved now: its audit event is not written yet.
        approved[settling_id] = plan.created_at

    counted: list[tuple[datetime, int, Decimal]] = []
    for row in rows:
        approved_at = approved.get(row.id)
        since_plan = row.created_at >= plan.created_at or (
            approved_at is not None and approved_at >= plan.created_at
        )
        if since_plan:
            counted.append((row.paid_at, row.id, row.amount - row.amount_refunded))
    counted.sort()
    return [(paid_at, net) for paid_at, _, net in counted]


def _completion_dates(
    counted: list[tuple[datetime, Decimal]],
    already_paid: Decimal,
    amounts: list[Decimal],
) -> tuple[datetime, ...]:
    """Return the `paid_at` of the payment that completes each of `amounts`.

    The installments paid through their links take the first
    `already_paid` of the money, as in `plan_coverage`. Each amount in
    `amounts` is then completed by the first payment whose running total
    reaches it, so the caller passes only amounts that `counted` covers.
    """
    dates: list[datetime] = []
    target = already_paid
    running = Decimal(0)
    payments = iter(counted)
    for amount in amounts:
        target += amount
        while running < target:
            paid_at, net = next(payments)
            running += net
        dates.append(paid_at)
    return tuple(dates)


def _first_approvals(
    session: Session, business_id: int, payment_ids: list[int]
) -> dict[int, datetime]:
    """Return {payment id: when it was first approved} for `payment_ids`."""
    if not payment_ids:
        return {}
    approvals = session.execute(
        select(AuditEvent.subject_id, AuditEvent.at).where(
            AuditEvent.business_id == business_id,
            AuditEvent.kind == "payment_status",
            AuditEvent.subject_type == "payment",
            AuditEvent.subject_id.in_(payment_ids),
            AuditEvent.reason == str(PaymentStatus.APPROVED),
        )
    ).all()
    first: dict[int, datetime] = {}
    for payment_id, at in approvals:
        if payment_id is not None:
            first[payment_id] = min(at, first.get(payment_id, at))
    return first


def _drop_paid_reminders(
    session: Session, business_id: int, installment_ids: tuple[int, ...], now: datetime
) -> None:
    """Suppress the queued reminders of installments that are now paid."""
    steps = [
        f"installment:{installment_id}:{kind}"
        for installment_id in installment_ids
        for kind in ("preventive", "due_today", "overdue")
    ]
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.step.in_(steps),
        )
    )
    for row in rows:
        outbox.suppress(
            session,
            row,
            PAID_REASON,
            now,
            {"installment_id": row.variables.get("installment_id")},
        )


def _refresh_schedule_messages(
    session: Session,
    business_id: int,
    case_id: int,
    currency: str,
    coverage: PlanCoverage,
    now: datetime,
) -> None:
    """State only what is left in a plan message that still waits in the queue.

    The plan's own message ("un plan de 3 cuotas para tu saldo de …") may wait
    for the contact window while the customer already pays. The gate states
    the balance owed when it sends, so the schedule must shrink with it:
    the unpaid installments, the first one less its credit, and their sum.
    Its link then collects the next unpaid installment. A message of plans
    in several currencies changes only the schedule of the plan in
    `currency`.
    """
    schedule = remaining_schedule(coverage)
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.case_id == case_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.step_kind.in_(SCHEDULE_STEP_KINDS),
        )
    ).all()
    for row in rows:
        if row.variables.get(PLAN_PARTS_VARIABLE):
            _refresh_plan_part(session, row, currency, schedule, now)
            continue
        if not schedule:
            # The plan is paid; the gate drops the message for a zero balance.
            continue
        if len(schedule) == 1:
            # The composer rejects a plan of fewer than 2 installments, so
            # the last installment's own reminders tell the customer instead.
            amount, due_on = schedule[0]
            outbox.suppress(
                session,
                row,
                ONE_LEFT_REASON,
                now,
                {"amount": str(amount), "due_on": due_on.isoformat()},
                actor="payments",
            )
            continue
        total = sum((amount for amount, _ in schedule), Decimal(0))
        variables = {
            **row.variables,
            "installments": len(schedule),
            "plan_total": str(total),
            "plan_schedule": [
                [str(amount), due_on.isoformat()] for amount, due_on in schedule
            ],
        }
        link = row.variables.get("payment_link")
        if isinstance(link, str):
            variables["payment_link"] = _next_link_url(
                session, business_id, case_id, link, now
            )
        row.variables = variables


def _refresh_plan_part(
    session: Session,
    row: OutboxMessage,
    currency: str,
    schedule: list[tuple[Decimal, date]],
    now: datetime,
) -> None:
    """Bring the `currency` plan of a several-currency plan message up to date.

    A plan paid in full leaves the message, and the message is dropped like
    a single plan's once no plan in it has two installments left.
    """
    parts = []
    for part in row.variables[PLAN_PARTS_VARIABLE]:
        if part[0] != currency:
            parts.append(part)
        elif schedule:
            stated = [[str(amount), due_on.isoformat()] for amount, due_on in schedule]
            # The plan's fee and total are left out: the message states them
            # only when proposing a plan, and this one is already made.
            parts.append([currency, stated])
    longest = max((len(part[1]) for part in parts), default=0)
    if longest < 2:
        outbox.suppress(
            session,
            row,
            ONE_LEFT_REASON,
            now,
            {"currency": currency, "plans": len(parts)},
            actor="payments",
        )
        return
    row.variables = {
        **row.variables,
        "installments": longest,
        PLAN_PARTS_VARIABLE: parts,
    }


def _next_link_url(
    session: Session, business_id: int, case_id: int, url: str, now: datetime
) -> str:
    """Return the link URL of the case's next unpaid installment, on `url`'s host.

    Returns `url` unchanged when it is no payment link of this server.
    """
    from cobranza.payments.links import payment_link_for_case

    base, separator, _ = url.rpartition("/pagar/")
    if not separator:
        return url
    business = session.get_one(Business, business_id)
    case = session.get_one(Case, case_id)
    return payment_link_for_case(session, business, case, now, public_base_url=base)
