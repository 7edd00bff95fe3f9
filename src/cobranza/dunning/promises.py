"""Promises to pay: the pause they grant, and what happens when one is broken.

A promise pauses its case until the promised day plus a grace period (the
business setting `promise_grace_days`, default 1). `check_promises` runs
before each planning cycle. It settles every open promise whose pause has
ended: kept when the money arrived, broken otherwise. A broken promise
resumes the case and queues a `broken_promise` message, which goes out on
the next day the contact rules allow. The message is the stronger step
that takes the place of the policy's next message step: of the step the
planner plans in the same cycle when one is due, else of the next one that
comes due (see `cobranza.dunning.planner`). The policy continues after the
step it replaced. While the case has an active installment plan, the
promise was about its next installment and the plan's own reminders
follow it up, so no broken-promise message is queued.

The message takes in what the customer did since the promise. When part
of the money arrived it is `broken_promise_partial`, which thanks for it
and states what is left. When the customer reported a payment that a
person has not verified yet it is `broken_promise_reported`, which states
that the payment is being verified and requests the receipt instead of a
second report of the payment. The gate makes the same choice again when
the message goes out (see `broken_promise_kind`), so a payment made while
the message waited counts too.

A promise is stored as one row per currency, because a customer may owe in
several. Each row is kept or broken by the payments and the balance in its
own currency. The broken rows of one promise share one message, whose
`promise_parts` lists what was promised and paid in each currency, so the
message names what is still missing in each.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from cobranza.compliance.business_days import days_past_due
from cobranza.compliance.rules import rules_for_business
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    Customer,
    CustomerKind,
    Document,
    InstallmentPlan,
    OutboxMessage,
    OutboxState,
    Payment,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from cobranza.db.types import Amount
from cobranza.dunning import outbox
from cobranza.dunning.holds import not_held_on
from cobranza.dunning.other_currencies import OTHER_BALANCES_VARIABLE
from cobranza.dunning.policy import Policy
from cobranza.timeutil import local_date, start_of_day

logger = logging.getLogger(__name__)

ACTOR = "promises"
# The suppression reason of a queued policy reminder that a newer message
# replaces, the same as the planner's.
SUPERSEDED = "superseded"
BROKEN_PROMISE = "broken_promise"
BROKEN_PROMISE_PARTIAL = "broken_promise_partial"
BROKEN_PROMISE_REPORTED = "broken_promise_reported"
BROKEN_PROMISE_KINDS = frozenset(
    {BROKEN_PROMISE, BROKEN_PROMISE_PARTIAL, BROKEN_PROMISE_REPORTED}
)
# The hand-off reason of a case whose customer reported a payment ("ya
# pagué", a receipt) that a person has not verified yet.
PAYMENT_TO_VERIFY = "payment_to_verify"
DEFAULT_GRACE_DAYS = 1
DEFAULT_CHANNEL = "sandbox"
# The pause reason of a case that waits for a promise, followed by its id.
PROMISE_PAUSE_PREFIX = "promesa de pago"
# Payment statuses whose money counts towards a promise.
SETTLED_STATUSES = ("approved", "in_mediation")
# The variable of a broken-promise message whose promise was in several
# currencies, or in another currency than the message's balance: a list of
# [promise id, currency, amount or None for the whole balance, paid since].
PROMISE_PARTS_VARIABLE = "promise_parts"


@dataclass(frozen=True)
class OpenBalance:
    """A customer's current debt: collectable invoices, credit notes netted in."""

    balance: Decimal
    currency: str
    invoice_count: int
    oldest_due_on: date | None
    document_ids: list[int]
    # The collectable invoices by due date, to sum what is due by a day.
    dues: tuple[tuple[date | None, Decimal], ...] = ()

    def due_by(self, day: date) -> Decimal:
        """Return what falls due on or before `day`, at most the balance.

        An invoice without a due date counts as due. Credit notes are netted
        in through the cap, as the gate does for reminders.
        """
        due = sum(
            (amount for due_on, amount in self.dues if due_on is None or due_on <= day),
            Decimal(0),
        )
        return max(min(due, self.balance), Decimal(0))


@dataclass
class PromiseCheck:
    """The promises one check settled, by id."""

    kept: list[int] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)


def grace_days(business: Business) -> int:
    """Return the business's days of grace after a promised day (default 1)."""
    value = (business.settings or {}).get("promise_grace_days", DEFAULT_GRACE_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"invalid promise_grace_days {value!r} of business {business.id}: "
            "set a whole number of days, such as 1"
        ) from exc
    if days < 0:
        raise ValueError(
            f"invalid promise_grace_days {days} of business {business.id}: "
            "set 0 or more days"
        )
    return days


def pause_end(business: Business, tz: str, due_on: date) -> datetime:
    """Return the instant a promise for `due_on` stops pausing reminders."""
    return start_of_day(due_on + timedelta(days=grace_days(business) + 1), tz)


def open_balances(
    session: Session, business: Business, customer_id: int, today: date
) -> list[OpenBalance]:
    """Return the customer's collectable balance in each currency it owes.

    Disputed documents, documents on hold through `today` and documents a
    full import no longer lists are left out, as the planner does. A credit
    note nets only against its own currency. The currencies with a positive
    balance come first, in the planner's order: the currency of the oldest
    due invoice leads, and a tie goes to the code that sorts first. The
    currencies whose credit notes cancel their invoices follow, by code.
    """
    rows = session.execute(
        select(
            Document.id,
            Document.open_amount,
            Document.due_on,
            Document.currency,
        )
        .where(
            Document.business_id == business.id,
            Document.customer_id == customer_id,
            Document.open_amount != 0,
            Document.missing_since.is_(None),
            Document.disputed.is_(False),
            not_held_on(today),
        )
        .order_by(Document.id)
    ).all()
    by_currency: dict[str, list[Any]] = {}
    for row in rows:
        by_currency.setdefault(row.currency, []).append(row)
    balances = [
        _currency_balance(code, owned) for code, owned in sorted(by_currency.items())
    ]
    return sorted(balances, key=_leading_order)


def open_balance(
    session: Session,
    business: Business,
    customer_id: int,
    today: date,
    currency: str | None = None,
) -> OpenBalance:
    """Return the customer's collectable balance in `currency`.

    Without `currency` it is the balance in the currency that reminders lead
    with (see `open_balances`), or an empty balance in the business's
    currency when nothing is owed.
    """
    balances = open_balances(session, business, customer_id, today)
    return pick_balance(balances, currency or leading_currency(balances, business))


def leading_currency(balances: list[OpenBalance], business: Business) -> str:
    """Return the currency reminders lead with, else the business's own."""
    owed = [balance for balance in balances if balance.balance > 0]
    return owed[0].currency if owed else business.currency


def pick_balance(balances: list[OpenBalance], currency: str) -> OpenBalance:
    """Return the balance in `currency`, or an empty one when none is owed."""
    for balance in balances:
        if balance.currency == currency:
            return balance
    return OpenBalance(Decimal(0), currency, 0, None, [])


def _currency_balance(currency: str, rows: list[Any]) -> OpenBalance:
    invoices = [row for row in rows if row.open_amount > 0]
    due_dates = [row.due_on for row in invoices if row.due_on is not None]
    return OpenBalance(
        balance=sum((row.open_amount for row in rows), Decimal(0)),
        currency=currency,
        invoice_count=len(invoices),
        oldest_due_on=min(due_dates) if due_dates else None,
        document_ids=sorted(row.id for row in invoices),
        dues=tuple((row.due_on, row.open_amount) for row in invoices),
    )


def _leading_order(balance: OpenBalance) -> tuple[bool, bool, date, str]:
    if balance.balance <= 0:
        return (True, False, date.min, balance.currency)
    return (
        False,
        balance.oldest_due_on is None,
        balance.oldest_due_on or date.min,
        balance.currency,
    )


def case_message(
    session: Session,
    case: Case,
    step: str,
    step_kind: str,
    variables: dict[str, Any],
    now: datetime,
    *,
    channel: str | None = None,
) -> dict[str, Any]:
    """Build the outbox row (column values) of one message of `case`.

    The business, customer and balance variables every template may use
    are filled in; `variables` adds to them or overrides them. The balance
    is in the currency reminders lead with, and what the customer owes in
    each other currency goes in `other_balances`, so `monto` names every
    currency. The row's idempotency key covers (business, case, step,
    invoices), so a step name that names its cause queues one message per
    cause.
    """
    business = session.get_one(Business, case.business_id)
    customer = session.get_one(Customer, case.customer_id)
    settings = business.settings or {}
    today = local_date(now, customer.timezone or business.timezone)
    balances = open_balances(session, business, customer.id, today)
    owed = pick_balance(balances, leading_currency(balances, business))
    others = [
        balance
        for balance in balances
        if balance.balance > 0 and balance.currency != owed.currency
    ]
    oldest = owed.oldest_due_on or today
    if others:
        variables = {
            OTHER_BALANCES_VARIABLE: [
                [other.currency, str(other.balance)] for other in others
            ],
            **variables,
        }
    values = {
        "customer_name": customer.name,
        **outbox.business_variables(business),
        "today": today.isoformat(),
        "balance": str(max(owed.balance, Decimal(0))),
        "currency": owed.currency,
        "invoice_count": owed.invoice_count
        + sum(other.invoice_count for other in others),
        "oldest_due_on": oldest.isoformat(),
        "days_past_due": days_past_due(
            rules_for_business(business.country, business.settings), oldest, today
        ),
        **variables,
    }
    return {
        "business_id": business.id,
        "case_id": case.id,
        "customer_id": customer.id,
        "channel": channel or settings.get("channel") or DEFAULT_CHANNEL,
        "step": step,
        "step_kind": step_kind,
        "tone": "formal" if customer.kind == CustomerKind.COMPANY else "friendly",
        "locale": customer.locale or business.locale,
        "variables": values,
        "document_ids": owed.document_ids,
        "idempotency_key": outbox.idempotency_key(
            business.id, case.id, step, owed.document_ids
        ),
        "planned_for": now,
        "created_at": now,
    }


def check_promises(
    session: Session, business: Business, now: datetime, policy: Policy
) -> PromiseCheck:
    """Settle the open promises whose pause has ended: kept or broken.

    The caller owns the transaction. A broken promise resumes its case
    (unless a person handles it) and queues the `broken_promise` message,
    which the planner then puts in the place of the next message step.
    """
    result = PromiseCheck()
    promises = session.scalars(
        select(PromiseToPay)
        .where(
            PromiseToPay.business_id == business.id,
            PromiseToPay.status == PromiseStatus.OPEN,
        )
        .order_by(PromiseToPay.id)
    ).all()
    broken: dict[tuple[Any, ...], list[PromiseToPay]] = {}
    for promise in promises:
        customer = session.get_one(Customer, promise.customer_id)
        tz = customer.timezone or business.timezone
        if now < pause_end(business, tz, promise.due_on):
            continue
        if _kept(session, business, promise, local_date(now, tz)):
            promise.status = PromiseStatus.KEPT
            _audit(session, promise, now, "promise_kept", {})
            result.kept.append(promise.id)
            continue
        promise.status = PromiseStatus.BROKEN
        broken.setdefault(promise_group_key(promise), []).append(promise)
    # A promise in several currencies is one row per currency, and its
    # broken parts share one follow-up that names what is missing in each.
    for parts in broken.values():
        queued = _follow_up(session, parts, now, policy)
        for promise in parts:
            _audit(session, promise, now, "promise_broken", {"follow_up": queued})
            result.broken.append(promise.id)
    if result.kept or result.broken:
        logger.info(
            "business %s: %s promises kept, %s broken",
            business.id,
            len(result.kept),
            len(result.broken),
        )
    return result


def promise_group_key(promise: PromiseToPay) -> tuple[Any, ...]:
    """Return what the rows of one promise share: one row per currency.

    A reply that promises every currency the customer owes stores a row for
    each, all with the same case, message, day and instant.
    """
    return (
        promise.case_id,
        promise.source_inbound_id,
        promise.due_on,
        promise.created_at,
    )


def _kept(
    session: Session, business: Business, promise: PromiseToPay, today: date
) -> bool:
    """Return whether the money promised in the promise's currency arrived."""
    owed = open_balance(
        session, business, promise.customer_id, today, currency=promise.currency
    )
    if owed.balance <= 0:
        return True
    if promise.amount is None:
        return False
    return paid_since_promises(session, [promise.id])[promise.id] >= promise.amount


def paid_since_promises(
    session: Session, promise_ids: Collection[int]
) -> dict[int, Decimal]:
    """Sum what each promise's customer paid since the promise, by promise id.

    Only settled payments in the promise's currency count, as for keeping
    a promise, net of what was refunded. A promise with no such payment
    maps to zero.
    """
    if not promise_ids:
        return {}
    # The difference of two scaled amounts is a scaled amount, read as one.
    paid = type_coerce(
        func.coalesce(func.sum(Payment.amount - Payment.amount_refunded), 0), Amount
    )
    found = session.execute(
        select(PromiseToPay.id, paid)
        .outerjoin(
            Payment,
            (Payment.business_id == PromiseToPay.business_id)
            & (Payment.customer_id == PromiseToPay.customer_id)
            & (Payment.currency == PromiseToPay.currency)
            & Payment.status.in_(SETTLED_STATUSES)
            & (Payment.paid_at >= PromiseToPay.created_at),
        )
        .where(PromiseToPay.id.in_(sorted(promise_ids)))
        .group_by(PromiseToPay.id)
    ).all()
    return {promise_id: Decimal(str(amount)) for promise_id, amount in found}


def other_open_promise_days(
    session: Session, promise_ids: Collection[int]
) -> dict[int, date | None]:
    """Return, by promise id, the last day of the customer's other open promises.

    A promise's own rows do not count. "los dólares el viernes y los pesos a
    fin de mes" stores a row per currency, each due on its own day, so the
    pesos' row is still open when the dollars' row breaks, and the follow-up
    of the dollars must not wait for it. A promise made since does count.
    Maps to None when the customer has no other open promise.
    """
    if not promise_ids:
        return {}
    promises = session.scalars(
        select(PromiseToPay).where(PromiseToPay.id.in_(sorted(promise_ids)))
    ).all()
    customer_ids = sorted({promise.customer_id for promise in promises})
    open_rows = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.customer_id.in_(customer_ids),
            PromiseToPay.status == PromiseStatus.OPEN,
        )
    ).all()
    result: dict[int, date | None] = {}
    for promise in promises:
        result[promise.id] = max(
            (
                other.due_on
                for other in open_rows
                if other.customer_id == promise.customer_id
                and promise_reply_key(other) != promise_reply_key(promise)
            ),
            default=None,
        )
    return result


def promise_reply_key(promise: PromiseToPay) -> tuple[Any, ...]:
    """Return what every row of one promise shares, whatever day each falls due.

    `promise_group_key` adds the day, which the rows of a promise whose
    currencies fall due on different days do not share.
    """
    return (promise.case_id, promise.source_inbound_id, promise.created_at)


def broken_promise_kind(paid: Decimal, payment_reported: bool) -> str:
    """Choose the broken-promise message for what happened since the promise.

    Money received since the promise comes first, because it is on record.
    Without it, a payment the customer reported and a person has not
    verified yet is acknowledged, so the message does not ask for it again.
    """
    if paid > 0:
        return BROKEN_PROMISE_PARTIAL
    if payment_reported:
        return BROKEN_PROMISE_REPORTED
    return BROKEN_PROMISE


def _follow_up(
    session: Session, parts: list[PromiseToPay], now: datetime, policy: Policy
) -> bool:
    """Resume the promise's case and queue the stronger step; True if queued.

    `parts` are the broken rows of one promise, one per currency, by id.
    """
    promise = parts[0]
    case = session.get(Case, promise.case_id) if promise.case_id else None
    if case is None or case.closed_at is not None:
        return False
    if case.state == CaseState.HANDED_OFF:
        return False
    if _has_active_plan(session, case):
        # A promise made during a plan was about an installment, and the
        # plan's reminders and its grace already follow that installment up.
        # A promised day after the installment's grace, when the plan would
        # break first, is handed to a person as the promise is made.
        return False
    if case.state == CaseState.PAUSED and (case.pause_reason or "").startswith(
        PROMISE_PAUSE_PREFIX
    ):
        case.state = CaseState.OPEN
        case.paused_until = None
        case.pause_reason = None

    paid = paid_since_promises(session, [part.id for part in parts])
    reported = case.handoff_reason == PAYMENT_TO_VERIFY
    variables = {
        "promise_due_on": promise.due_on.isoformat(),
        "promise_amount": str(promise.amount) if promise.amount is not None else None,
        "promise_id": promise.id,
        "paid_amount": str(paid[promise.id]),
        "payment_reported": reported,
    }
    values = case_message(
        session,
        case,
        f"{BROKEN_PROMISE}:{promise.id}",
        broken_promise_kind(sum(paid.values(), Decimal(0)), reported),
        variables,
        now,
    )
    if not values["document_ids"]:
        return False
    if len(parts) > 1 or promise.currency != values["variables"]["currency"]:
        values["variables"][PROMISE_PARTS_VARIABLE] = [
            promise_part(part, paid[part.id]) for part in parts
        ]
    queued = outbox.enqueue(session, values)
    if queued is None:
        return False
    if _supersede_policy_rows(session, case, policy, queued, now):
        # The message took the place of the step already queued, so once it
        # is sent the planner plans the steps after that one as usual.
        case.planned_at = now
    return True


def promise_part(promise: PromiseToPay, paid: Decimal) -> list[Any]:
    """Return one part of `PROMISE_PARTS_VARIABLE`: id, currency, amount, paid."""
    amount = str(promise.amount) if promise.amount is not None else None
    return [promise.id, promise.currency, amount, str(paid)]


def _supersede_policy_rows(
    session: Session, case: Case, policy: Policy, replaced_by: int, now: datetime
) -> int:
    """Suppress the case's policy reminders still queued, as the message replaces them.

    A plan that broke before the promise was settled resumed the case, so
    the planner may have queued the policy's next step already, and both
    would go out together. Returns how many rows were suppressed.
    """
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == case.business_id,
            OutboxMessage.case_id == case.id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.step.in_([step.key for step in policy.steps]),
        )
    ).all()
    for row in rows:
        outbox.suppress(
            session,
            row,
            SUPERSEDED,
            now,
            {"replaced_by": replaced_by},
            actor=ACTOR,
        )
    return len(rows)


def _has_active_plan(session: Session, case: Case) -> bool:
    found = session.scalar(
        select(InstallmentPlan.id)
        .where(
            InstallmentPlan.case_id == case.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
        )
        .limit(1)
    )
    return found is not None


def _audit(
    session: Session,
    promise: PromiseToPay,
    now: datetime,
    kind: str,
    details: dict[str, Any],
) -> None:
    session.add(
        AuditEvent(
            business_id=promise.business_id,
            at=now,
            actor=ACTOR,
            kind=kind,
            subject_type="promise_to_pay",
            subject_id=promise.id,
            reason=promise.due_on.isoformat(),
            details={
                "case_id": promise.case_id,
                "customer_id": promise.customer_id,
                **details,
            },
        )
    )
