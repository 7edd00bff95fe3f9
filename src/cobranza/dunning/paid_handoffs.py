"""Which hand-offs end when the customer owes nothing, and closing those cases.

A case waits for a person while its `handoff_reason` is set, or after the
policy's hand-off step stopped it (no reason). When the customer's balance
reaches zero, by a payment or by an import, a wait that was only about
getting paid is over, so the case closes as usual. Any other reason keeps
the case in the inbox until a person resolves it: a dispute, a request for
a person, "no puedo pagar", a wrong number, a possible opt-out, a complaint
or a payment problem. A double charge, for one, may need a refund even
when nothing is owed. Such a case gets no reminders, because
the planner plans nothing for a customer who owes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cobranza.compliance.reasons import Reason
from cobranza.db.models import AuditEvent, Case, CaseState, Document
from cobranza.dunning.promises import PAYMENT_TO_VERIFY

# Hand-off reasons that only wait for the customer to pay, so a balance of
# zero ends them. They cover a reported payment to verify, and a promise
# with no date, too far ahead, past an installment's grace or in an unclear
# currency. They also cover installments that no plan within the limits
# could give, that the customer seemed to turn down or split over days and
# sums no plan could keep, and a plan the customer declined.
SETTLED_BY_PAYMENT = frozenset(
    {
        PAYMENT_TO_VERIFY,
        "promise_no_date",
        "promise_too_far",
        "promise_past_installment",
        "installments_requested",
        "installments_refused",
        "installments_count_invalid",
        "installments_amount_named",
        "plan_split_outside_limits",
        "installments_several_currencies",
        "plan_declined",
        "promise_currency_not_owed",
        "promise_currency_unclear",
    }
)
# The close reason of a case whose customer owes nothing, as the planner
# writes it.
ZERO_BALANCE = Reason.ZERO_BALANCE.value
# The hand-off reason recorded for a case that the policy's hand-off step
# stopped, which has no `handoff_reason` (the inbox shows it by this name).
POLICY_HANDOFF = "policy_handoff"


def settled_by_payment(handoff_reason: str | None) -> bool:
    """Tell whether a case with `handoff_reason` closes once nothing is owed.

    A case without a reason, which includes one the policy's hand-off step
    stopped, closes too. A reason not in `SETTLED_BY_PAYMENT`, including one
    added later, keeps the case waiting for a person.
    """
    return handoff_reason is None or handoff_reason in SETTLED_BY_PAYMENT


def closes_when_paid() -> ColumnElement[bool]:
    """Return the SQL condition of `settled_by_payment` on a case's reason."""
    return or_(
        Case.handoff_reason.is_(None),
        Case.handoff_reason.in_(sorted(SETTLED_BY_PAYMENT)),
    )


def customers_owing(
    session: Session, business_id: int, customer_ids: Iterable[int]
) -> set[int]:
    """Return the customers of `customer_ids` who owe in some currency.

    The sum of every open document counts, disputed and held ones too, as
    the planner and the payments count it: a customer who owes nothing
    has no currency with a positive sum. Documents that a full-snapshot
    import no longer lists are left out.
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return set()
    owing = session.execute(
        select(Document.customer_id)
        .where(
            Document.business_id == business_id,
            Document.customer_id.in_(ids),
            Document.missing_since.is_(None),
            Document.open_amount != 0,
        )
        .group_by(Document.customer_id, Document.currency)
        .having(func.sum(Document.open_amount) > 0)
    ).scalars()
    return set(owing)


def close_owing_nothing(
    session: Session, case: Case, now: datetime, actor: str
) -> None:
    """Close `case` as paid (`zero_balance`) by a person's decision, audited.

    A person who returns to automation a case whose customer owes nothing
    closes it, because nothing is left to collect and the planner keeps a
    case open only while it waits for a person. The audit event records
    the hand-off reason the person settled.
    """
    handoff_reason = case.handoff_reason
    waited = handoff_reason is not None or case.state == CaseState.HANDED_OFF
    if handoff_reason is None and waited:
        handoff_reason = POLICY_HANDOFF
    case.state = CaseState.CLOSED
    case.closed_at = now
    case.close_reason = ZERO_BALANCE
    case.handoff_reason = None
    case.paused_until = None
    case.pause_reason = None
    case.pending_question = None
    case.question_asked_at = None
    session.flush()
    session.add(
        AuditEvent(
            business_id=case.business_id,
            at=now,
            actor=actor,
            kind="case_closed",
            subject_type="case",
            subject_id=case.id,
            reason=ZERO_BALANCE,
            details={
                "customer_id": case.customer_id,
                "handoff_reason": handoff_reason,
                "waited_for_person": waited,
                "closed_on_resume": True,
            },
        )
    )
