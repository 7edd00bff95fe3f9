"""The gate: re-read a customer's facts just before a message goes out.

`check` runs inside the dispatcher's transaction, after `outbox.claim`. It
reads the current facts: consent, phone, contact rules, sent messages, open
promise, disputes and holds, pending payments and the balance of the row's
invoices. `cobranza.compliance.gate.evaluate` decides, and `check` applies
the decision to the row. A deferral moves `planned_for` and a suppression
drops the row, and both write an audit event with the reason and the facts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.compliance.caps import recent_sends_query
from cobranza.compliance.consent import WHATSAPP, current_consent
from cobranza.compliance.gate import Action, GateDecision, GateFacts, evaluate
from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import ContactRules, rules_for_business
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    OutboxMessage,
    Payment,
    PhoneStatus,
    PromiseStatus,
    PromiseToPay,
)
from cobranza.dunning import outbox
from cobranza.timeutil import local_date, start_of_day

logger = logging.getLogger(__name__)

PENDING_PAYMENT_STATUS = "pending"
# The step kind of the thank-you that `cobranza.payments` queues for a payment.
PAYMENT_THANKS = "payment_thanks"
# The variable that marks a row as the reply to a customer's message, as
# `cobranza.conversations` queues it.
REPLY_TO_VARIABLE = "reply_to_inbound_id"
# The one message sent after a revocation: it confirms the opt-out itself.
OPTOUT_CONFIRMATION = "optout_confirmation"

__all__ = ["Action", "GateDecision", "check", "read_facts"]


@dataclass(frozen=True)
class InvoiceBalance:
    """The current state of the invoices an outbox row covers."""

    # The open amount of every invoice of the row that is not paid yet.
    open_total: Decimal
    collectable: Decimal
    collectable_ids: list[int]
    all_disputed: bool
    held_until: date | None


def check(session: Session, row: OutboxMessage, now: datetime) -> GateDecision:
    """Decide send, defer or suppress for `row` at `now`, and apply it to the row.

    A deferral puts the row back in the queue for `decision.until`, and a
    suppression moves it to `suppressed`; both are audited. On send the row
    is left as it is (claimed), with its amount variables refreshed when a
    payment or credit note changed them since planning.
    """
    _lock(session, row)

    business = session.get_one(Business, row.business_id)
    customer = session.get_one(Customer, row.customer_id)
    case = session.get_one(Case, row.case_id)
    rules = rules_for_business(business.country, business.settings)
    facts, details = read_facts(session, row, business, customer, case, rules, now)
    if row.step_kind == PAYMENT_THANKS:
        # A thank-you follows a payment, so the zero balance, the pending
        # payment and the case's pause that stop reminders must not stop it.
        # The amount paid replaces the balance in the check. Consent, the
        # phone, the contact window and the caps still apply.
        paid = Decimal(str(row.variables.get("paid_amount") or 0))
        facts = replace(
            facts,
            balance=paid,
            pending_payment=False,
            disputed=False,
            promise_until=None,
            hold_until=None,
        )

    if row.variables.get(REPLY_TO_VARIABLE) is not None:
        facts = _reply_facts(facts, row)

    decision = evaluate(facts, rules, now)
    if (
        decision.action is Action.SEND
        and _paused_without_end(case)
        and not _passes_pause(row)
    ):
        # A pause with no end date has no instant to defer to.
        decision = GateDecision.suppress(Reason.ON_HOLD)

    if decision.action is Action.DEFER:
        assert decision.until is not None and decision.reason is not None
        outbox.defer(session, row, decision.until, decision.reason, now, details)
    elif decision.action is Action.SUPPRESS:
        assert decision.reason is not None
        outbox.suppress(session, row, decision.reason, now, details)
    elif row.variables.get("installment_id") is None:
        # An installment reminder states the installment, not the balance.
        _refresh_amounts(row, details)
    return decision


def read_facts(
    session: Session,
    row: OutboxMessage,
    business: Business,
    customer: Customer,
    case: Case,
    rules: ContactRules,
    now: datetime,
) -> tuple[GateFacts, dict[str, Any]]:
    """Read the facts `evaluate` needs, and the audit details that explain them."""
    tz = customer.timezone or business.timezone
    today = local_date(now, tz)
    invoices = invoice_balance(session, row, today)
    customer_balance = collectable_balance(session, row, today)

    balance = min(invoices.collectable, customer_balance)
    hold_until = _case_hold(case)
    if row.variables.get("installment_id") is not None:
        # An installment plan pauses its case, and the installment's own
        # reminders are what that pause waits for, so it does not hold them.
        hold_until = None
    if invoices.held_until is not None:
        document_hold = start_of_day(invoices.held_until + timedelta(days=1), tz)
        hold_until = max(hold_until or document_hold, document_hold)
    if invoices.all_disputed or invoices.held_until is not None:
        # The invoices still carry a debt, so the dispute or the hold is the
        # reason to report, not a zero balance.
        balance = invoices.open_total

    facts = GateFacts(
        consent=current_consent(session, row.business_id, row.customer_id, WHATSAPP),
        balance=balance,
        phone_status=_phone_status(customer),
        tz=tz,
        previous_sends=_previous_sends(session, row, rules, now),
        disputed=invoices.all_disputed,
        pending_payment=_has_pending_payment(session, row),
        promise_until=_promise_until(session, row, today, tz),
        hold_until=hold_until,
        # NOTE: template approval at Meta is not read here yet, so every
        # template counts as approved until the WhatsApp channel records it.
        template_approved=True,
    )
    details: dict[str, Any] = {
        "balance": str(invoices.collectable),
        "customer_balance": str(customer_balance),
        "collectable_document_ids": invoices.collectable_ids,
        "consent": facts.consent,
        "phone_status": facts.phone_status,
        "tz": tz,
        "sent_recently": len(facts.previous_sends),
        "pending_payment": facts.pending_payment,
        "promise_until": _iso(facts.promise_until),
        "hold_until": _iso(facts.hold_until),
    }
    return facts, details


def invoice_balance(
    session: Session, row: OutboxMessage, today: date
) -> InvoiceBalance:
    """Return the current balance of the row's invoices on `today`.

    Invoices paid since planning drop out. Disputed invoices and invoices on
    hold through `today` are not collectable.
    """
    documents = session.execute(
        select(
            Document.id,
            Document.open_amount,
            Document.disputed,
            Document.hold_until,
        ).where(
            Document.business_id == row.business_id,
            Document.id.in_(row.document_ids),
            Document.open_amount > 0,
        )
    ).all()

    collectable = Decimal(0)
    collectable_ids = []
    held_until: date | None = None
    for document_id, open_amount, disputed, hold in documents:
        if disputed:
            continue
        if hold is not None and hold >= today:
            held_until = hold if held_until is None else min(held_until, hold)
            continue
        collectable += open_amount
        collectable_ids.append(document_id)

    has_debt = bool(documents)
    return InvoiceBalance(
        open_total=sum((amount for _, amount, _, _ in documents), Decimal(0)),
        collectable=collectable,
        collectable_ids=sorted(collectable_ids),
        all_disputed=has_debt and all(disputed for _, _, disputed, _ in documents),
        held_until=held_until if has_debt and not collectable_ids else None,
    )


def collectable_balance(session: Session, row: OutboxMessage, today: date) -> Decimal:
    """Return the customer's collectable balance: credit notes netted in.

    Disputed documents and documents on hold through `today` are left out,
    as the planner does.
    """
    total = session.scalar(
        select(func.sum(Document.open_amount)).where(
            Document.business_id == row.business_id,
            Document.customer_id == row.customer_id,
            Document.missing_since.is_(None),
            Document.disputed.is_(False),
            (Document.hold_until.is_(None)) | (Document.hold_until < today),
        )
    )
    return total if total is not None else Decimal(0)


def _lock(session: Session, row: OutboxMessage) -> None:
    """Lock the case, then the row, on PostgreSQL, in the order `claim` uses.

    After `claim` this transaction already holds both locks, so the
    statements return at once. SQLite serialises writers and needs none.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(select(Case.id).where(Case.id == row.case_id).with_for_update())
    session.execute(
        select(OutboxMessage.id).where(OutboxMessage.id == row.id).with_for_update()
    )


def _case_hold(case: Case) -> datetime | None:
    if case.state == CaseState.PAUSED or case.paused_until is not None:
        return case.paused_until
    return None


def _paused_without_end(case: Case) -> bool:
    return case.state == CaseState.PAUSED and case.paused_until is None


def _passes_pause(row: OutboxMessage) -> bool:
    """Return whether a case's pause lets the row through, as `read_facts` does.

    A payment thank-you and an installment plan's own reminders are what a
    paused case still sends.
    """
    return (
        row.step_kind == PAYMENT_THANKS
        or row.variables.get("installment_id") is not None
        or row.variables.get(REPLY_TO_VARIABLE) is not None
    )


def _reply_facts(facts: GateFacts, row: OutboxMessage) -> GateFacts:
    """Return the facts that decide a reply to the customer's own message.

    A reply answers what the customer just wrote (a promise, a dispute, a
    question after the case closed), so the balance, the pause, the promise,
    the dispute and the caps on unsolicited reminders do not hold it back.
    A positive placeholder balance passes the zero-balance check. Consent,
    the phone and the contact window still apply, except that the opt-out
    confirmation goes out after the revocation it confirms.
    """
    consent = True if row.step_kind == OPTOUT_CONFIRMATION else facts.consent
    return replace(
        facts,
        consent=consent,
        balance=max(facts.balance, Decimal(1)),
        previous_sends=(),
        disputed=False,
        pending_payment=False,
        promise_until=None,
        hold_until=None,
    )


def _phone_status(customer: Customer) -> str:
    if customer.phone:
        return customer.phone_status
    # The importer keeps no E.164 number for an invalid phone, but records
    # that it was invalid; say so rather than "missing".
    if customer.phone_status == PhoneStatus.INVALID:
        return PhoneStatus.INVALID
    return PhoneStatus.MISSING


def _previous_sends(
    session: Session, row: OutboxMessage, rules: ContactRules, now: datetime
) -> list[datetime]:
    query = recent_sends_query(row.business_id, row.customer_id, rules, now)
    return [sent for sent in session.scalars(query) if sent is not None]


def _has_pending_payment(session: Session, row: OutboxMessage) -> bool:
    found = session.scalar(
        select(Payment.id)
        .where(
            Payment.business_id == row.business_id,
            Payment.customer_id == row.customer_id,
            Payment.status == PENDING_PAYMENT_STATUS,
        )
        .limit(1)
    )
    return found is not None


def _promise_until(
    session: Session, row: OutboxMessage, today: date, tz: str
) -> datetime | None:
    """Return when the customer's latest open promise lapses, if it has not."""
    due_on = session.scalar(
        select(func.max(PromiseToPay.due_on)).where(
            PromiseToPay.business_id == row.business_id,
            PromiseToPay.customer_id == row.customer_id,
            PromiseToPay.status == PromiseStatus.OPEN,
            PromiseToPay.due_on >= today,
        )
    )
    if due_on is None:
        return None
    return start_of_day(due_on + timedelta(days=1), tz)


def _refresh_amounts(row: OutboxMessage, details: dict[str, Any]) -> None:
    """Update the row's amount variables to what is owed now."""
    variables = dict(row.variables)
    if variables.get("balance") == details["customer_balance"]:
        return
    variables["balance"] = details["customer_balance"]
    variables["invoice_count"] = len(details["collectable_document_ids"])
    row.variables = variables


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
