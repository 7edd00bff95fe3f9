"""Installment plans: a case's balance split into installments, each with its link.

Limits come from `Business.settings["installments"]` (see
`InstallmentLimits` for the keys and defaults). While a plan is active the
case is paused, so the policy's reminders stop. Each installment is
collected through its own payment link, and every other payment recorded
for the customer counts toward the installments too (see
`plan_payments`). An installment still unpaid `grace_days` after its due
date breaks the plan, and the case resumes: the policy continues on the
remaining balance.

Unless the caller picks the first due date, it is `first_due_days` after
the plan is made, so the customer has time to pay and gets the preventive
reminder first. Every computed due date that falls on a day the business
may not write (its contact rules: weekdays and holidays) moves to the next
day it may, so the due-date reminder goes out on the due date itself.

The customer may name the days ("la mitad el viernes y el resto a fin de
mes"): see `plan_due_dates` for how they replace the business's schedule.

A plan has one currency, because a checkout charges one. A customer who
owes in several currencies gets one plan per currency (`currency` of
`create_plan`), and a case has at most one active plan in each. The case
stays paused while any of its plans is active, so a plan that breaks in
one currency leaves the other plan and its reminders running.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobranza.compliance import ContactRules, holiday_name, rules_for_business
from cobranza.compliance.window import MAX_SEARCH_DAYS
from cobranza.config import get_settings
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Installment,
    InstallmentPlan,
    InstallmentStatus,
    OutboxMessage,
    OutboxState,
    PaymentLink,
    PaymentLinkPurpose,
    PlanStatus,
)
from cobranza.dunning import outbox
from cobranza.dunning.plan_writer import SUPERSEDED
from cobranza.money import minor_units, quantize
from cobranza.payments import cases
from cobranza.payments.base import CheckoutItem
from cobranza.payments.errors import PlanError
from cobranza.payments.plan_payments import apply_payments_to_plan, plan_coverage
from cobranza.payments.targets import (
    LinkTarget,
    balance_target,
    open_documents,
    owed_currencies,
)
from cobranza.timeutil import end_of_day, local_date

logger = logging.getLogger(__name__)

PLAN_PAUSE_PREFIX = "installment plan"
# The audit reason of a plan cancelled because a person held one of its
# invoices, and of the installment reminders it drops.
PLAN_CANCELLED_REASON = "invoice_held"
# Days before an installment's due date that its first reminder goes out.
REMINDER_DAYS_BEFORE = 2
# The `PlanError` code of a plan for a customer who owes in several currencies.
SEVERAL_CURRENCIES_CODE = "plan_several_currencies"
# The message of each installment reminder. The step names keep the short
# kind, so the idempotency keys of reminders queued before stay the same.
INSTALLMENT_STEP_KINDS = {
    "preventive": "installment_preventive",
    "due_today": "installment_due_today",
    "overdue": "installment_overdue",
}
_TITLES = {"es": "Cuota {number} de {count}", "pt": "Parcela {number} de {count}"}


@dataclass(frozen=True)
class InstallmentLimits:
    """A business's limits on plans, from `settings["installments"]`.

    `fee_percent` is interest or a fee on the balance. It is zero unless the
    business sets it, and a plan with a fee states it in `PlanTerms`.
    """

    max_count: int = 6
    min_down_payment_percent: Decimal = Decimal(0)
    min_installment: Decimal = Decimal(0)
    fee_percent: Decimal = Decimal(0)
    interval_days: int = 30
    grace_days: int = 3
    # Days from the plan's creation to its first installment's due date.
    # More than `REMINDER_DAYS_BEFORE`, so the preventive reminder that the
    # plan message promises is queued after the plan exists.
    first_due_days: int = REMINDER_DAYS_BEFORE + 1


@dataclass(frozen=True)
class PlanTerms:
    """The amounts of a plan before it is stored: what the customer agrees to."""

    principal: Decimal
    fee: Decimal
    total: Decimal
    currency: str
    amounts: tuple[Decimal, ...]
    due_dates: tuple[date, ...]


def limits_for(business: Business) -> InstallmentLimits:
    """Read the business's installment limits, or raise `PlanError` naming the key."""
    raw: dict[str, Any] = dict((business.settings or {}).get("installments") or {})
    defaults = InstallmentLimits()
    try:
        limits = InstallmentLimits(
            max_count=int(raw.get("max_count", defaults.max_count)),
            min_down_payment_percent=Decimal(
                str(raw.get("min_down_payment_percent", 0))
            ),
            min_installment=Decimal(str(raw.get("min_installment", 0))),
            fee_percent=Decimal(str(raw.get("fee_percent", 0))),
            interval_days=int(raw.get("interval_days", defaults.interval_days)),
            grace_days=int(raw.get("grace_days", defaults.grace_days)),
            first_due_days=int(raw.get("first_due_days", defaults.first_due_days)),
        )
    except (ValueError, InvalidOperation) as exc:
        raise PlanError(
            f"invalid installments settings {raw!r} of business {business.id}: "
            'use numbers, such as {"max_count": 6, "fee_percent": 0}'
        ) from exc
    if limits.max_count < 2 or limits.interval_days < 1 or limits.grace_days < 0:
        raise PlanError(
            f"invalid installments settings {raw!r} of business {business.id}: "
            "max_count must be 2 or more, interval_days 1 or more, grace_days 0 or more"
        )
    if limits.first_due_days <= REMINDER_DAYS_BEFORE:
        raise PlanError(
            f"invalid first_due_days {limits.first_due_days} in the installments "
            f"settings of business {business.id}: use {REMINDER_DAYS_BEFORE + 1} "
            f"or more, so the reminder {REMINDER_DAYS_BEFORE} days before the "
            "first installment is sent after the plan is made"
        )
    return limits


def plan_terms(
    balance: Decimal,
    currency: str,
    count: int,
    first_due_on: date,
    limits: InstallmentLimits,
    *,
    rules: ContactRules | None = None,
    named_days: tuple[date, ...] = (),
    first_amount: Decimal | None = None,
) -> PlanTerms:
    """Split `balance` (plus any configured fee) into `count` installments.

    Installments are equal after rounding down to the minor unit, and the
    first (the down payment) takes the remainder, or more when the minimum
    down payment requires it. A `first_amount` the customer named ("10.000
    el viernes y el resto a fin de mes") is the first installment instead,
    the others share the rest equally and the last takes the remainder. The
    due dates come from `plan_due_dates`. Raises `PlanError` outside the
    limits.
    """
    if not 2 <= count <= limits.max_count:
        raise PlanError(
            f"a plan of {count} installments is outside this business's limit: "
            f"choose between 2 and {limits.max_count}"
        )
    fee = quantize(balance * limits.fee_percent / 100, currency)
    total = balance + fee
    step = Decimal(1).scaleb(-minor_units(currency))
    minimum_first = (total * limits.min_down_payment_percent / 100).quantize(
        step, rounding=ROUND_UP
    )
    if first_amount is not None:
        amounts = _named_first(first_amount, total, count, minimum_first, step)
        regular = min(amounts[1:])
    else:
        regular = (total / count).quantize(step, rounding=ROUND_DOWN)
        first = total - regular * (count - 1)
        if first < minimum_first:
            first = minimum_first
            regular = ((total - first) / (count - 1)).quantize(
                step, rounding=ROUND_DOWN
            )
            first = total - regular * (count - 1)
        amounts = (first, *([regular] * (count - 1)))
    if min(amounts) < limits.min_installment or regular <= 0:
        raise PlanError(
            f"installments of {regular} {currency} are below this business's "
            f"minimum of {limits.min_installment}: choose fewer installments"
        )
    dates = plan_due_dates(count, first_due_on, limits, rules, named_days)
    return PlanTerms(balance, fee, total, currency, amounts, dates)


def _named_first(
    first: Decimal, total: Decimal, count: int, minimum_first: Decimal, step: Decimal
) -> tuple[Decimal, ...]:
    """Return installments that start with `first` and split the rest of `total`."""
    if first <= 0 or first.quantize(step) != first:
        raise PlanError(
            f"a first installment of {first} is not an amount of this currency: "
            f"use a positive amount in steps of {step}"
        )
    if first >= total:
        raise PlanError(
            f"a first installment of {first} covers the whole {total}: "
            "a promise to pay suits it, not a plan"
        )
    if first < minimum_first:
        raise PlanError(
            f"a first installment of {first} is below this business's minimum "
            f"down payment of {minimum_first}"
        )
    rest = total - first
    regular = (rest / (count - 1)).quantize(step, rounding=ROUND_DOWN)
    last = rest - regular * (count - 2)
    return (first, *([regular] * (count - 2)), last)


def plan_due_dates(
    count: int,
    first_due_on: date,
    limits: InstallmentLimits,
    rules: ContactRules | None = None,
    named_days: tuple[date, ...] = (),
) -> tuple[date, ...]:
    """Return the due dates of a plan of `count` installments.

    The business's schedule starts on `first_due_on` and follows every
    `interval_days` from it. Days the customer named (`named_days`, in
    order) replace it: installment 1 is due on the first, installment 2 on
    the second, and the ones after the last day named follow every
    `interval_days` from it. The customer's days may not make the plan
    longer than the business's schedule of the same count, so the days are
    kept only while the last installment is due no later than the
    business's last one. From the first day that breaks this, or that is
    not after the day before it, the installments follow the interval. When
    even the first day breaks it, the business's schedule is used. With
    `rules`, every due date but a caller's `first_due_on` moves to the
    next day those rules allow messages.
    """
    schedule = _following(first_due_on, count - 1, limits, rules)
    for kept in range(min(len(named_days), count), 0, -1):
        days = [_contact_day(rules, day) for day in named_days[:kept]]
        if any(later <= earlier for earlier, later in pairwise(days)):
            continue
        dates = days[:-1] + _following(days[-1], count - kept, limits, rules)
        if dates[-1] <= schedule[-1]:
            return tuple(dates)
    return tuple(schedule)


def _following(
    first: date, more: int, limits: InstallmentLimits, rules: ContactRules | None
) -> list[date]:
    """Return `first` and `more` dates every `interval_days` after it."""
    dates = [first]
    for index in range(1, more + 1):
        # Counted from the first date, so one moved date does not shift the rest.
        regular_day = first + timedelta(days=limits.interval_days * index)
        dates.append(_contact_day(rules, regular_day))
    return dates


def _contact_day(rules: ContactRules | None, day: date) -> date:
    return day if rules is None else next_contact_day(rules, day)


def create_plan(
    session: Session,
    case: Case,
    n: int,
    now: datetime,
    *,
    first_due_on: date | None = None,
    named_days: tuple[date, ...] = (),
    first_amount: Decimal | None = None,
    fee_accepted: bool = False,
    currency: str | None = None,
) -> InstallmentPlan:
    """Split the case's balance into `n` installments and pause the case.

    The first installment is due on `first_due_on` when given, or else on
    `first_due_date`. `named_days` are the days the customer named, which
    `plan_due_dates` follows within the business's limits, and
    `first_amount` the first installment the customer named. The plan
    covers the balance in `currency`; without it the customer must owe in
    one currency only. Raises `PlanError` when `n` or the amounts break the
    business's limits, the customer owes nothing (in `currency`), owes in
    several currencies and no `currency` is given, the case already has an
    active plan in that currency (a unique index decides between concurrent
    calls), or the business charges a fee
    and `fee_accepted` is False. A fee is never added silently: the caller
    shows the terms of `propose_plan` to the customer first (the
    conversation sends the `plan_proposal` message) and passes
    `fee_accepted=True` once they agree.
    """
    business = session.get_one(Business, case.business_id)
    target, limits = _plan_basis(session, business, case, now, currency)
    terms = _terms(
        business, target, n, now, first_due_on, named_days, first_amount, limits
    )
    if terms.fee > 0 and not fee_accepted:
        raise PlanError(
            f"a plan for case {case.id} adds a fee of {terms.fee} {terms.currency}: "
            "show it to the customer and pass fee_accepted=True once they agree"
        )

    plan = InstallmentPlan(
        business_id=business.id,
        case_id=case.id,
        customer_id=case.customer_id,
        currency=terms.currency,
        principal=terms.principal,
        fee=terms.fee,
        total=terms.total,
        installment_count=n,
        document_ids=list(target.document_ids),
        status=PlanStatus.ACTIVE,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(plan)
            session.flush()
    except IntegrityError as exc:
        raise PlanError(
            f"case {case.id} already has an active installment plan in "
            f"{terms.currency}: cancel it before creating another"
        ) from exc
    for number, (amount, due_on) in enumerate(
        zip(terms.amounts, terms.due_dates, strict=True), start=1
    ):
        session.add(
            Installment(
                business_id=business.id,
                plan_id=plan.id,
                number=number,
                amount=amount,
                due_on=due_on,
                status=InstallmentStatus.PENDING,
            )
        )
    _pause_case(session, case, plan, terms.due_dates[-1], limits, business, now)
    cases.audit(
        session,
        business.id,
        now,
        "plan_created",
        "installment_plan",
        plan.id,
        None,
        {
            "case_id": case.id,
            "customer_id": case.customer_id,
            "principal": str(terms.principal),
            "fee": str(terms.fee),
            "total": str(terms.total),
            "amounts": [str(amount) for amount in terms.amounts],
            "due_dates": [day.isoformat() for day in terms.due_dates],
        },
    )
    session.flush()
    logger.info("installment plan %s created for case %s (%s)", plan.id, case.id, n)
    return plan


def propose_plan(
    session: Session,
    case: Case,
    n: int,
    now: datetime,
    *,
    first_due_on: date | None = None,
    named_days: tuple[date, ...] = (),
    first_amount: Decimal | None = None,
    currency: str | None = None,
) -> PlanTerms:
    """Return the terms `create_plan` would store now, without storing anything.

    Raises `PlanError` like `create_plan`, except for an unaccepted fee.
    """
    business = session.get_one(Business, case.business_id)
    target, limits = _plan_basis(session, business, case, now, currency)
    return _terms(
        business, target, n, now, first_due_on, named_days, first_amount, limits
    )


def first_due_date(
    business: Business, limits: InstallmentLimits, now: datetime
) -> date:
    """Return the default due date of the first installment of a plan made `now`.

    It is `first_due_days` after today in the business's time zone, or the
    next day after that on which the business may write to customers.
    """
    today = local_date(now, business.timezone)
    earliest = today + timedelta(days=limits.first_due_days)
    return next_contact_day(_contact_rules(business), earliest)


def next_contact_day(rules: ContactRules, day: date) -> date:
    """Return `day` or the first later day on which `rules` allow messages.

    Raises `PlanError` when no such day comes within `MAX_SEARCH_DAYS`.
    """
    for offset in range(MAX_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if rules.window_for(candidate.weekday()) is None:
            continue
        if rules.block_holidays and holiday_name(rules, candidate) is not None:
            continue
        return candidate
    raise PlanError(
        f"no day within {MAX_SEARCH_DAYS} days from {day.isoformat()} allows "
        "messages: check the business's contact days and holidays"
    )


def _contact_rules(business: Business) -> ContactRules:
    return rules_for_business(business.country, business.settings)


def _terms(
    business: Business,
    target: LinkTarget,
    n: int,
    now: datetime,
    first_due_on: date | None,
    named_days: tuple[date, ...],
    first_amount: Decimal | None,
    limits: InstallmentLimits,
) -> PlanTerms:
    first = first_due_on or first_due_date(business, limits, now)
    if named_days and min(named_days) < local_date(now, business.timezone):
        # A day already gone cannot be a due date, so the business's
        # schedule applies.
        named_days = ()
    return plan_terms(
        target.amount,
        target.currency,
        n,
        first,
        limits,
        rules=_contact_rules(business),
        named_days=named_days,
        first_amount=first_amount,
    )


def _plan_basis(
    session: Session,
    business: Business,
    case: Case,
    now: datetime,
    currency: str | None = None,
) -> tuple[LinkTarget, InstallmentLimits]:
    """Return what a plan of the case covers now, and the business's limits.

    With `currency`, the plan covers the balance in that currency alone.
    """
    customer = session.get_one(Customer, case.customer_id)
    today = local_date(now, business.timezone)
    documents = open_documents(session, business.id, case.customer_id, today)
    target = balance_target(documents, business.locale[:2], customer.name, currency)
    if target is None:
        owed_in = f" in {currency}" if currency is not None else ""
        raise PlanError(f"case {case.id} owes nothing{owed_in}, so it needs no plan")
    owed = owed_currencies(documents)
    if currency is None and len(owed) > 1:
        # A plan has one currency. One that covered only the leading
        # currency would leave the rest of the debt without a plan.
        raise PlanError(
            f"case {case.id} owes in {', '.join(owed)}, and a plan covers one "
            "currency: pass the currency of each plan, or agree on the payments "
            "with the customer in person",
            code=SEVERAL_CURRENCIES_CODE,
        )
    return target, limits_for(business)


def check_plans(session: Session, business: Business, now: datetime) -> list[int]:
    """Break the active plans with an installment past its grace; return their ids.

    A broken plan resumes its case, so the policy continues on the
    remaining balance. No message about the broken plan is sent, because
    the policy's next step writes to the customer about that balance.
    """
    limits = limits_for(business)
    today = local_date(now, business.timezone)
    overdue = today - timedelta(days=limits.grace_days)
    _apply_payments_due_by(session, business, overdue, now)
    late = session.execute(
        select(
            InstallmentPlan.id,
            InstallmentPlan.case_id,
            InstallmentPlan.customer_id,
            Installment.id,
        )
        .join(Installment, Installment.plan_id == InstallmentPlan.id)
        .where(
            InstallmentPlan.business_id == business.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
            Installment.due_on < overdue,
        )
        .order_by(InstallmentPlan.id, Installment.number)
    ).all()

    broken: list[int] = []
    for plan_id, case_id, customer_id, installment_id in late:
        if plan_id in broken:
            continue
        session.execute(
            update(Installment)
            .where(Installment.id == installment_id)
            .values(status=InstallmentStatus.MISSED)
        )
        changed = session.execute(
            update(InstallmentPlan)
            .where(
                InstallmentPlan.id == plan_id,
                InstallmentPlan.status == PlanStatus.ACTIVE,
            )
            .values(status=PlanStatus.BROKEN, closed_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if changed != 1:
            continue
        _resume_case(session, case_id, plan_id)
        cases.audit(
            session,
            business.id,
            now,
            "plan_broken",
            "installment_plan",
            plan_id,
            "installment_missed",
            {
                "case_id": case_id,
                "customer_id": customer_id,
                "installment_id": installment_id,
            },
        )
        broken.append(plan_id)
    if broken:
        logger.info(
            "business %s: %s installment plans broken", business.id, len(broken)
        )
    return broken


def cancel_plans_covering(
    session: Session,
    customer_id: int,
    document_ids: Sequence[int],
    now: datetime,
    actor: str,
) -> list[InstallmentPlan]:
    """Cancel the customer's active plans that cover any of `document_ids`.

    A person holds an invoice to take it out of collection, and a plan's
    installments were computed on it, so the plan cannot go on as agreed.
    Each cancelled plan's case resumes on its other invoices, and its
    installment reminders still in the queue are dropped. Returns the
    cancelled plans.
    """
    held = set(document_ids)
    plans = session.scalars(
        select(InstallmentPlan)
        .where(
            InstallmentPlan.customer_id == customer_id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
        )
        .order_by(InstallmentPlan.id)
    ).all()
    cancelled = []
    for plan in plans:
        covered = sorted(held.intersection(plan.document_ids))
        if not covered:
            continue
        changed = session.execute(
            update(InstallmentPlan)
            .where(
                InstallmentPlan.id == plan.id,
                InstallmentPlan.status == PlanStatus.ACTIVE,
            )
            .values(status=PlanStatus.CANCELLED, closed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if changed != 1:
            continue
        session.expire(plan)
        _resume_case(session, plan.case_id, plan.id)
        _drop_queued_reminders(session, plan, now)
        cases.audit(
            session,
            plan.business_id,
            now,
            "plan_cancelled",
            "installment_plan",
            plan.id,
            PLAN_CANCELLED_REASON,
            {
                "case_id": plan.case_id,
                "customer_id": customer_id,
                "document_ids": covered,
            },
            actor=actor,
        )
        cancelled.append(plan)
    return cancelled


def cancelled_plans(
    session: Session, customer_id: int, at: datetime
) -> list[InstallmentPlan]:
    """Return the customer's plans cancelled at `at`, for the hold made then."""
    return list(
        session.scalars(
            select(InstallmentPlan)
            .where(
                InstallmentPlan.customer_id == customer_id,
                InstallmentPlan.status == PlanStatus.CANCELLED,
                InstallmentPlan.closed_at == at,
            )
            .order_by(InstallmentPlan.id)
        )
    )


def _drop_queued_reminders(
    session: Session, plan: InstallmentPlan, now: datetime
) -> None:
    installment_ids = session.scalars(
        select(Installment.id).where(Installment.plan_id == plan.id)
    ).all()
    steps = [
        f"installment:{installment_id}:{kind}"
        for installment_id in installment_ids
        for kind in _REMINDER_ORDER
    ]
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == plan.business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.step.in_(steps),
        )
    )
    for row in rows:
        outbox.suppress(session, row, PLAN_CANCELLED_REASON, now, {"plan_id": plan.id})


# The installment reminders in the order they fall due.
_REMINDER_ORDER = ("preventive", "due_today", "overdue")


def _supersede_earlier_reminders(
    session: Session, installment: Installment, kind: str, now: datetime
) -> None:
    """Drop the installment's earlier reminders that still wait in the queue.

    A preventive reminder deferred past holidays would otherwise go out in
    the same cycle as the due-today one ("vence el 9 de diciembre" beside
    "hoy, 9 de diciembre, vence"), and a due-today one beside the overdue one.
    """
    earlier = _REMINDER_ORDER[: _REMINDER_ORDER.index(kind)]
    if not earlier:
        return
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == installment.business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.step.in_(
                [f"installment:{installment.id}:{name}" for name in earlier]
            ),
        )
    )
    for row in rows:
        outbox.suppress(session, row, SUPERSEDED, now, {"replaced_by": kind})


def queue_installment_reminders(
    session: Session,
    business: Business,
    now: datetime,
    *,
    public_base_url: str | None = None,
) -> int:
    """Queue the reminders of unpaid installments due soon; return how many are new.

    Each pending installment of an active plan gets an
    `installment_preventive` message `REMINDER_DAYS_BEFORE` days before its
    due date, an `installment_due_today` message on it and, when the
    business allows grace days, an `installment_overdue` message the day
    after if it is still unpaid. Each names the
    installment ("cuota 2 de 3") and carries its own link. A plan made
    today gets no early reminder, because its own message named every due
    date. The outbox's idempotency key makes a second call on the same day
    queue nothing.
    """
    from cobranza.payments.links import ensure_link, link_url, provider_for

    settings = get_settings()
    today = local_date(now, business.timezone)
    kinds = {
        today + timedelta(days=REMINDER_DAYS_BEFORE): "preventive",
        today: "due_today",
    }
    if limits_for(business).grace_days >= 1:
        # Still within the grace, so the plan holds if it is paid now.
        kinds[today - timedelta(days=1)] = "overdue"
    _apply_payments_due_by(session, business, max(kinds), now)
    due = session.execute(
        select(Installment, InstallmentPlan)
        .join(InstallmentPlan, InstallmentPlan.id == Installment.plan_id)
        .where(
            InstallmentPlan.business_id == business.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
            Installment.due_on.in_(list(kinds)),
        )
        .order_by(Installment.id)
    ).all()

    queued = 0
    for installment, plan in due:
        kind = kinds[installment.due_on]
        made_today = local_date(plan.created_at, business.timezone) == today
        if kind == "preventive" and made_today:
            # Only a day the customer named comes this close, and the plan's
            # own message, sent today, already states it.
            continue
        case = session.get_one(Case, plan.case_id)
        target = installment_target(session, case, plan.currency)
        if target is None or target.installment_id != installment.id:
            # An earlier installment is still unpaid; its link comes first.
            continue
        _supersede_earlier_reminders(session, installment, kind, now)
        provider = provider_for(business, settings.payment_provider)
        link = ensure_link(session, business, case, target, provider, now)
        url = link_url(public_base_url or settings.public_base_url, link.token)
        queued += cases.queue_message(
            session,
            case,
            f"installment:{installment.id}:{kind}",
            INSTALLMENT_STEP_KINDS[kind],
            {
                "balance": str(target.amount),
                "currency": plan.currency,
                "invoice_count": len(plan.document_ids),
                "oldest_due_on": installment.due_on.isoformat(),
                "days_past_due": (today - installment.due_on).days,
                "payment_link": url,
                "installment_id": installment.id,
                "installment_number": installment.number,
                "installments": plan.installment_count,
            },
            list(plan.document_ids),
            now,
        )
    return queued


def _apply_payments_due_by(
    session: Session, business: Business, last_day: date, now: datetime
) -> None:
    """Apply payments to the active plans with a pending installment due by `last_day`.

    Every settled payment is applied when it is recorded. This catches up
    on payments stored before that rule, so that no reminder requests an
    installment already paid and no check breaks a plan over one.
    """
    plans = session.scalars(
        select(InstallmentPlan)
        .where(
            InstallmentPlan.business_id == business.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
            InstallmentPlan.id.in_(
                select(Installment.plan_id).where(
                    Installment.status == InstallmentStatus.PENDING,
                    Installment.due_on <= last_day,
                )
            ),
        )
        .order_by(InstallmentPlan.id)
    ).all()
    for plan in plans:
        apply_payments_to_plan(session, plan, now)


def mark_installment_paid(
    session: Session, installment_id: int, now: datetime, paid_at: datetime
) -> None:
    """Mark an installment paid, and its plan completed when it was the last one.

    `paid_at` is when the payment that completed the installment was made,
    and `now`, when the plan is closed.
    """
    installment = session.get_one(Installment, installment_id)
    session.execute(
        update(Installment)
        .where(
            Installment.id == installment_id,
            Installment.status == InstallmentStatus.PENDING,
        )
        .values(status=InstallmentStatus.PAID, paid_at=paid_at)
        .execution_options(synchronize_session=False)
    )
    remaining = session.scalar(
        select(Installment.id).where(
            Installment.plan_id == installment.plan_id,
            Installment.status == InstallmentStatus.PENDING,
        )
    )
    if remaining is None:
        session.execute(
            update(InstallmentPlan)
            .where(
                InstallmentPlan.id == installment.plan_id,
                InstallmentPlan.status == PlanStatus.ACTIVE,
            )
            .values(status=PlanStatus.COMPLETED, closed_at=now)
        )
    session.expire_all()


def installment_target(
    session: Session, case: Case, currency: str | None = None
) -> LinkTarget | None:
    """Return the link target of the case's next unpaid installment, if any.

    With `currency`, the installment is that of the case's plan in that
    currency. Without it, it is the unpaid installment due first among the
    case's plans (the currency code breaks a tie). The target charges what
    is still owed of it: its amount less what the payments since the plan
    began already paid toward it (see `plan_payments`).
    """
    query = (
        select(Installment, InstallmentPlan)
        .join(InstallmentPlan, InstallmentPlan.id == Installment.plan_id)
        .where(
            InstallmentPlan.case_id == case.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
        )
        .order_by(Installment.due_on, InstallmentPlan.currency, Installment.number)
        .limit(1)
    )
    if currency is not None:
        query = query.where(InstallmentPlan.currency == currency)
    found = session.execute(query).first()
    if found is None:
        return None
    installment, plan = found
    coverage = plan_coverage(session, plan)
    amount = installment.amount
    if coverage.unpaid and coverage.unpaid[0].id == installment.id:
        amount -= coverage.credit
    return LinkTarget(
        purpose=PaymentLinkPurpose.INSTALLMENT,
        amount=amount,
        currency=plan.currency,
        document_ids=tuple(sorted(plan.document_ids)),
        installment_id=installment.id,
    )


def installment_items(
    session: Session, link: PaymentLink, language: str
) -> tuple[CheckoutItem, ...]:
    """Return the checkout item of an installment link: "Cuota 2 de 3"."""
    assert link.installment_id is not None
    installment = session.get_one(Installment, link.installment_id)
    plan = session.get_one(InstallmentPlan, installment.plan_id)
    title = _TITLES.get(language, _TITLES["es"]).format(
        number=installment.number, count=plan.installment_count
    )
    return (CheckoutItem(title, link.amount),)


def _pause_case(
    session: Session,
    case: Case,
    plan: InstallmentPlan,
    last_due_on: date,
    limits: InstallmentLimits,
    business: Business,
    now: datetime,
) -> None:
    until = end_of_day(
        last_due_on + timedelta(days=limits.grace_days), business.timezone
    )
    named = case.pause_reason or ""
    if case.state == CaseState.PAUSED and named.startswith(PLAN_PAUSE_PREFIX):
        # The case's plan in another currency is still active, so the pause
        # lasts until the later of the two plans ends, and names that plan.
        if case.paused_until is not None and case.paused_until > until:
            return
    session.execute(
        update(Case)
        .where(Case.id == case.id, Case.closed_at.is_(None))
        .values(
            state=CaseState.PAUSED,
            paused_until=until,
            pause_reason=f"{PLAN_PAUSE_PREFIX} {plan.id}",
        )
        .execution_options(synchronize_session=False)
    )
    session.expire(case)


def _resume_case(session: Session, case_id: int, plan_id: int) -> None:
    """Resume the case that `plan_id` paused, unless another plan of it is active.

    While the case's plan in another currency is active, the pause names
    that plan instead and lasts until it ends, so its installments are
    still the only reminders.
    """
    values: dict[str, Any] = {
        "state": CaseState.OPEN,
        "paused_until": None,
        "pause_reason": None,
    }
    remaining = _other_active_plan_end(session, case_id, plan_id)
    if remaining is not None:
        # NOTE: the balance of the ended plan's currency gets no policy
        # reminder until the other plan ends too, because the pause is per case.
        other_id, until = remaining
        values = {
            "paused_until": until,
            "pause_reason": f"{PLAN_PAUSE_PREFIX} {other_id}",
        }
    session.execute(
        update(Case)
        .where(
            Case.id == case_id,
            Case.closed_at.is_(None),
            Case.pause_reason == f"{PLAN_PAUSE_PREFIX} {plan_id}",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _other_active_plan_end(
    session: Session, case_id: int, plan_id: int
) -> tuple[int, datetime] | None:
    """Return the case's other active plan that ends last, with its pause's end.

    Returns None when `plan_id` is the case's only active plan.
    """
    found = session.execute(
        select(InstallmentPlan.id, InstallmentPlan.business_id, Installment.due_on)
        .join(Installment, Installment.plan_id == InstallmentPlan.id)
        .where(
            InstallmentPlan.case_id == case_id,
            InstallmentPlan.id != plan_id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
        )
        .order_by(Installment.due_on.desc(), InstallmentPlan.id)
        .limit(1)
    ).first()
    if found is None:
        return None
    other_id, business_id, last_due_on = found
    business = session.get_one(Business, business_id)
    try:
        grace_days = limits_for(business).grace_days
    except PlanError:
        # `check_plans` reports the invalid settings; the default still ends
        # the pause after the other plan's last installment.
        grace_days = InstallmentLimits().grace_days
    until = end_of_day(last_due_on + timedelta(days=grace_days), business.timezone)
    return other_id, until
