"""The planner: decide each customer's next policy step and queue it.

One planning cycle reads a business's open balances with one aggregate
query (`balances.customer_balances_query`), decides in memory, and writes in
bulk: new cases, case updates, outbox rows (insert-or-ignore on the
idempotency key) and one audit event per decision. Running it twice at the
same instant changes nothing, because a case remembers the last step it
planned (`Case.planned_step`) and steps only move forward.

Steps count days from the oldest invoice's due date. Steps after it count
from its effective due date, the next business day when the due date falls
on a weekend or holiday (`cobranza.compliance.business_days`), so a
debtor who pays a Saturday's invoice on Monday is not reminded as late.

A customer who owes in several currencies still gets one message per step.
The currency of the oldest invoice drives the step, and the message states
its balance and what is overdue in each other currency (`other_balances`).

Within a case only the latest due step is planned. Earlier steps that were
missed (downtime, a paused case) are recorded as skipped, and the latest
one is skipped too when its day has passed and its `catch_up` is `skip`.

A broken-promise notice (`cobranza.dunning.promises`) takes the place of
the next message step that comes due: the planner records that step as
planned, replaced by the notice, and queues no message for it. A notice
still waiting for the gate does the same for every message step that
comes due while it waits, so the ordinary reminder never goes out beside
it or replaces it. A hand-off or pause step is planned as usual.

The case of a customer who owes nothing is closed as `zero_balance`,
unless it waits for a person over something a payment does not settle,
such as a dispute (`cobranza.dunning.paid_handoffs`). That case stays in
the inbox, and nothing is planned for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cobranza.compliance.business_days import (
    days_past_due,
    effective_due_date,
    overdue_cutoff,
)
from cobranza.compliance.rules import ContactRules, rules_for_business
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    InstallmentPlan,
    OutboxMessage,
    OutboxState,
    PlanStatus,
)
from cobranza.dunning.balances import (
    CustomerBalance,
    customer_balances_query,
    to_customer_balance,
)
from cobranza.dunning.other_currencies import other_currencies_overdue
from cobranza.dunning.paid_handoffs import (
    POLICY_HANDOFF,
    ZERO_BALANCE,
    settled_by_payment,
)
from cobranza.dunning.plan_writer import PlanWriter
from cobranza.dunning.policy import Action, CatchUp, CustomerFacts, Policy, Step
from cobranza.dunning.promises import BROKEN_PROMISE_KINDS
from cobranza.timeutil import local_date

logger = logging.getLogger(__name__)

# Customers decided per round of bulk writes; bounds the memory of a cycle.
DEFAULT_BATCH_SIZE = 5000
# How long a broken installment plan keeps the policy's plan offers away.
BROKEN_PLAN_MEMORY = timedelta(days=90)


@dataclass
class PlanResult:
    """Counts of what one planning cycle changed."""

    customers: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    cases_resumed: int = 0
    messages_queued: int = 0
    messages_superseded: int = 0
    steps_skipped: int = 0
    handoffs: int = 0
    pauses: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class OpenCase:
    """The columns of an open case that the planner reads."""

    id: int
    state: str
    planned_step: str | None
    paused_until: datetime | None
    planned_at: datetime | None = None
    # The broken-promise notice that takes the place of the next message
    # step, if any (see `_broken_promise_notices`).
    notice_id: int | None = None
    handoff_reason: str | None = None


@dataclass
class StepDecision:
    """The planner's decision for one customer."""

    step: Step | None
    skipped: list[tuple[Step, str]] = field(default_factory=list)
    days_past_due: int = 0
    # The broken-promise notice that goes out in place of `step`, which
    # then queues no message of its own.
    replaced_by: int | None = None
    # When set, the case keeps this `planned_at` instead of the cycle's
    # instant, so a notice still waiting to replace a step keeps waiting.
    planned_at: datetime | None = None


def plan(
    session: Session,
    business: Business,
    now: datetime,
    policy: Policy,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> PlanResult:
    """Run one planning cycle for `business` at instant `now`, in `session`.

    The caller owns the transaction. Returns the counts of what changed.
    """
    today = local_date(now, business.timezone)
    rules = rules_for_business(business.country, business.settings)
    dialect = session.get_bind().dialect.name
    open_cases = _load_open_cases(session, business.id)
    broke_plan = _customers_with_broken_plan(session, business.id, now)
    writer = PlanWriter(session, business, now, dialect)
    result = PlanResult()
    seen: set[int] = set()

    rows = session.execute(
        customer_balances_query(
            business.id, today, overdue_cutoff(rules, today), dialect
        ),
        execution_options={"yield_per": batch_size},
    )
    for customer_id, group in groupby(rows, key=lambda row: row.customer_id):
        balances = [to_customer_balance(row) for row in group]
        seen.add(customer_id)
        result.customers += 1
        _plan_customer(
            writer,
            policy,
            balances,
            open_cases.get(customer_id),
            rules,
            today,
            now,
            broke_plan=customer_id in broke_plan,
        )
        if writer.pending >= batch_size:
            writer.flush(result)

    # Customers with no open document at all owe nothing.
    for customer_id, case in open_cases.items():
        if customer_id not in seen:
            _close_owing_nothing(writer, case, customer_id)
    writer.flush(result)
    # The writes above bypass the ORM, so loaded cases and outbox rows are stale.
    session.expire_all()

    logger.info(
        "planned business %s: %s customers, %s messages queued, %s cases "
        "opened, %s closed",
        business.id,
        result.customers,
        result.messages_queued,
        result.cases_opened,
        result.cases_closed,
    )
    return result


def decide(
    policy: Policy,
    facts: CustomerFacts,
    oldest_due_on: date,
    today: date,
    planned_step: str | None,
    *,
    effective_due_on: date | None = None,
) -> StepDecision:
    """Pick the latest due step after `planned_step`; earlier ones are skipped.

    The latest step is skipped as well when its day is before `today` and
    its `catch_up` is `skip`. A step with an offset of zero or less counts
    its day from `oldest_due_on`. A step with a positive offset counts from
    `effective_due_on`, the next business day when the due date is not one,
    and from `oldest_due_on` when that is None. Returns a decision with
    `step` None when there is nothing to send or do.
    """
    done = policy.index_of(planned_step)
    candidates = [
        step
        for index, step in enumerate(policy.steps)
        if index > done and step.applies_to(facts)
    ]
    decision = StepDecision(step=None, days_past_due=facts.days_past_due)
    if not candidates:
        return decision

    latest = candidates[-1]
    decision.skipped = [(step, "later_step_due") for step in candidates[:-1]]
    counted_from = oldest_due_on
    if latest.offset_days > 0 and effective_due_on is not None:
        counted_from = effective_due_on
    step_day = counted_from + timedelta(days=latest.offset_days)
    if step_day < today and latest.catch_up is CatchUp.SKIP:
        decision.skipped.append((latest, "missed_catch_up_skip"))
        return decision
    decision.step = latest
    return decision


def _plan_customer(
    writer: PlanWriter,
    policy: Policy,
    balances: list[CustomerBalance],
    case: OpenCase | None,
    rules: ContactRules,
    today: date,
    now: datetime,
    *,
    broke_plan: bool = False,
) -> None:
    if all(part.total_balance <= 0 for part in balances):
        if case is not None:
            _close_owing_nothing(writer, case, balances[0].customer_id)
        return

    drivers = [
        part
        for part in balances
        if part.balance > 0 and part.oldest_due_on is not None and part.document_ids
    ]
    if not drivers:
        # Everything owed is disputed or on hold: wait without planning.
        return
    # The currency with the oldest due date drives the step, the days past
    # due and the payment link. A reminder also states what is overdue in
    # the others.
    driver = min(drivers, key=lambda part: (part.oldest_due_on, part.currency))
    assert driver.oldest_due_on is not None

    if case is not None and case.state == CaseState.HANDED_OFF:
        return
    if case is not None and case.state == CaseState.PAUSED:
        if case.paused_until is not None and case.paused_until > now:
            return
        writer.resume_case(case.id, driver.customer_id)

    facts = CustomerFacts(
        segment=driver.segment,
        customer_kind=driver.kind,
        balance=driver.balance,
        days_past_due=days_past_due(rules, driver.oldest_due_on, today),
        risk_score=driver.risk_score,
        broke_plan_recently=broke_plan,
    )
    planned_step = case.planned_step if case is not None else None
    decision = decide(
        policy,
        facts,
        driver.oldest_due_on,
        today,
        planned_step,
        effective_due_on=effective_due_date(rules, driver.oldest_due_on),
    )
    if decision.step is None and not decision.skipped:
        return
    if case is not None and case.notice_id is not None:
        _replace_with_notice(decision, case)
    others = other_currencies_overdue(balances, driver.currency)
    writer.add(case.id if case is not None else None, driver, facts, decision, others)


def _close_owing_nothing(writer: PlanWriter, case: OpenCase, customer_id: int) -> None:
    """Close the case of a customer who owes nothing, unless a person must resolve it.

    A case waiting for a person over something a payment does not settle
    (`paid_handoffs.settled_by_payment`) stays open in the inbox. Nothing
    is planned for it while nothing is owed.
    """
    if not settled_by_payment(case.handoff_reason):
        return
    details: dict[str, object] = {}
    if case.handoff_reason is not None or case.state == CaseState.HANDED_OFF:
        details = {
            "handoff_reason": case.handoff_reason or POLICY_HANDOFF,
            "waited_for_person": True,
        }
    writer.close_case(case.id, customer_id, ZERO_BALANCE, details)


def _replace_with_notice(decision: StepDecision, case: OpenCase) -> None:
    """Let the case's broken-promise notice take the place of the decided step.

    Only a message step is replaced, because a hand-off or a pause changes
    what happens to the case, not only the message it gets. A decision that
    only skips steps keeps the case's `planned_at`, so the notice still
    replaces the next message step.
    """
    step = decision.step
    if step is None:
        decision.planned_at = case.planned_at
        return
    if step.sends_message and step.action not in (Action.HANDOFF, Action.PAUSE):
        decision.replaced_by = case.notice_id


def _customers_with_broken_plan(
    session: Session, business_id: int, now: datetime
) -> set[int]:
    """Return the customers whose installment plan broke within `BROKEN_PLAN_MEMORY`."""
    return set(
        session.scalars(
            select(InstallmentPlan.customer_id).where(
                InstallmentPlan.business_id == business_id,
                InstallmentPlan.status == PlanStatus.BROKEN,
                InstallmentPlan.closed_at >= now - BROKEN_PLAN_MEMORY,
            )
        )
    )


def _load_open_cases(session: Session, business_id: int) -> dict[int, OpenCase]:
    notices = _broken_promise_notices(session, business_id)
    rows = session.execute(
        select(
            Case.customer_id,
            Case.id,
            Case.state,
            Case.planned_step,
            Case.paused_until,
            Case.planned_at,
            Case.handoff_reason,
        ).where(Case.business_id == business_id, Case.closed_at.is_(None))
    )
    return {
        row.customer_id: OpenCase(
            row.id,
            row.state,
            row.planned_step,
            row.paused_until,
            row.planned_at,
            notices.get(row.id),
            row.handoff_reason,
        )
        for row in rows
    }


def _broken_promise_notices(session: Session, business_id: int) -> dict[int, int]:
    """Return, by open case, the broken-promise notice that replaces its next step.

    A notice replaces a step while it waits to go out (queued or being
    sent). Once sent it still replaces the first message step planned after
    it was queued, which is after the case's `planned_at`. A suppressed or
    failed notice replaces nothing. The newest notice of a case is returned.
    """
    waiting = OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENDING])
    gone_out = OutboxMessage.state.in_(
        [OutboxState.SENT, OutboxState.DELIVERED, OutboxState.READ]
    )
    queued_after_last_plan = Case.planned_at.is_(None) | (
        OutboxMessage.created_at > Case.planned_at
    )
    rows = session.execute(
        select(OutboxMessage.case_id, OutboxMessage.id)
        .join(Case, Case.id == OutboxMessage.case_id)
        .where(
            OutboxMessage.business_id == business_id,
            Case.closed_at.is_(None),
            OutboxMessage.step_kind.in_(sorted(BROKEN_PROMISE_KINDS)),
            or_(waiting, gone_out & queued_after_last_plan),
        )
        .order_by(OutboxMessage.id)
    )
    return {case_id: outbox_id for case_id, outbox_id in rows}


__all__ = ["Action", "PlanResult", "StepDecision", "decide", "plan"]
