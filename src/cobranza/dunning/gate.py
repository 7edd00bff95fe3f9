"""The gate: re-read a customer's facts just before a message goes out.

`check_batch` runs inside the dispatcher's transaction, after
`outbox.claim_due`, and `check` does the same for one row. They read the
current facts of all the rows at once, in a few queries: consent, phone,
contact rules, sent messages, open promises, disputes and holds, pending
payments, the balance of each row's invoices and, for a WhatsApp row outside
the customer's 24-hour window, the review status of its template.
`cobranza.compliance.gate.evaluate` decides for each row, and the decision
is applied to the row. A deferral moves `planned_for` and a suppression
drops the row, and both write an audit event with the reason and the facts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, bindparam, exists, func, select
from sqlalchemy.orm import Session

from cobranza.compliance.business_days import overdue_cutoff
from cobranza.compliance.caps import RECENT_SENDS_BY_CUSTOMER, recent_sends_lookback
from cobranza.compliance.consent import WHATSAPP, current_consents
from cobranza.compliance.gate import Action, GateDecision, GateFacts, evaluate
from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import ContactRules, rules_for_business
from cobranza.compliance.window import contact_zones
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
from cobranza.dunning.holds import MAX_HOLD_DAYS, is_held, not_held_on
from cobranza.dunning.other_currencies import (
    OTHER_BALANCES_VARIABLE,
    CollectableDocument,
    other_currencies_balance,
    other_currencies_due,
)
from cobranza.dunning.promises import (
    BROKEN_PROMISE_KINDS,
    PAYMENT_TO_VERIFY,
    PROMISE_PARTS_VARIABLE,
    SETTLED_STATUSES,
    broken_promise_kind,
    other_open_promise_days,
    paid_since_promises,
)
from cobranza.dunning.reported import refresh_reported_reminder
from cobranza.dunning.template_approval import TemplateStatuses, needs_template
from cobranza.timeutil import local_date, start_of_day

logger = logging.getLogger(__name__)

PENDING_PAYMENT_STATUS = "pending"
# The step kind of the thank-you that `cobranza.payments` queues for a payment.
PAYMENT_THANKS = "payment_thanks"
# The step kind of the policy's message on the due date. Its text states
# that the balance is due "today", so it cannot go out on a later day.
DUE_TODAY = "due_today"
# The step kinds whose text states that something is due today: an
# invoice's and an installment's (`payments.plans.INSTALLMENT_STEP_KINDS`).
DUE_TODAY_KINDS = frozenset({DUE_TODAY, "installment_due_today"})
# The variable that marks a row as the reply to a customer's message, as
# `cobranza.conversations` queues it.
REPLY_TO_VARIABLE = "reply_to_inbound_id"
# The one message sent after a revocation: it confirms the opt-out itself.
OPTOUT_CONFIRMATION = "optout_confirmation"

__all__ = ["Action", "GateDecision", "check", "check_batch", "read_facts"]

# The fact queries are built once with bind parameters, because building a
# statement costs more than running it for the few rows of a re-check.
_BUSINESS_ID: BindParameter[Any] = bindparam("business_id")
_CUSTOMER_IDS: BindParameter[Any] = bindparam("customer_ids", expanding=True)

_BUSINESS_RULES = select(
    Business.country, Business.timezone, Business.settings, Business.currency
).where(Business.id == _BUSINESS_ID)
# A pending payment, and the latest open promise (the caller drops one that
# fell due before the customer's local today), as columns of each row's
# context: on PostgreSQL every query is a round trip per re-check.
_PENDING_PAYMENT = (
    exists()
    .where(
        Payment.business_id == OutboxMessage.business_id,
        Payment.customer_id == OutboxMessage.customer_id,
        Payment.status == PENDING_PAYMENT_STATUS,
    )
    .correlate(OutboxMessage)
)
_LATEST_PROMISE_DUE_ON = (
    select(func.max(PromiseToPay.due_on))
    .where(
        PromiseToPay.business_id == OutboxMessage.business_id,
        PromiseToPay.customer_id == OutboxMessage.customer_id,
        PromiseToPay.status == PromiseStatus.OPEN,
    )
    .correlate(OutboxMessage)
    .scalar_subquery()
)
# A payment recorded since the case was handed to a person: once a person
# (or a provider) records money after "ya pagué", the report was handled,
# whatever day the payment itself is dated.
_PAID_SINCE_HANDOFF = (
    exists()
    .where(
        Payment.business_id == OutboxMessage.business_id,
        Payment.customer_id == OutboxMessage.customer_id,
        Payment.status.in_(SETTLED_STATUSES),
        Payment.created_at >= Case.handed_off_at,
    )
    .correlate(OutboxMessage, Case)
)
_ROW_CONTEXTS = (
    select(
        OutboxMessage.id,
        Customer.phone,
        Customer.phone_status,
        Customer.timezone,
        Case.state,
        Case.paused_until,
        Case.handoff_reason,
        _PENDING_PAYMENT,
        _LATEST_PROMISE_DUE_ON,
        _PAID_SINCE_HANDOFF,
    )
    .join(Customer, Customer.id == OutboxMessage.customer_id)
    .join(Case, Case.id == OutboxMessage.case_id)
    .where(OutboxMessage.id.in_(bindparam("outbox_ids", expanding=True)))
)
_OPEN_INVOICES = select(
    Document.id,
    Document.open_amount,
    Document.disputed,
    Document.hold_until,
    Document.due_on,
    Document.held_at,
).where(
    Document.business_id == _BUSINESS_ID,
    Document.id.in_(bindparam("document_ids", expanding=True)),
    Document.open_amount > 0,
)
# No GROUP BY: with one, SQLite scans every document of the business instead
# of using the customer index, so the amounts are summed in Python.
_COLLECTABLE_DOCUMENTS = select(
    Document.customer_id,
    Document.currency,
    Document.open_amount,
    Document.hold_until,
    Document.held_at,
    Document.due_on,
).where(
    Document.business_id == _BUSINESS_ID,
    Document.customer_id.in_(_CUSTOMER_IDS),
    Document.missing_since.is_(None),
    Document.disputed.is_(False),
    not_held_on(bindparam("latest_today")),
)


@dataclass(frozen=True)
class InvoiceBalance:
    """The current state of the invoices an outbox row covers."""

    # The open amount of every invoice of the row that is not paid yet.
    open_total: Decimal
    collectable: Decimal
    collectable_ids: list[int]
    all_disputed: bool
    # Set only when nothing is collectable, to the earliest end of the
    # invoices' dated holds. `held_without_end` is True when every held invoice
    # is held with no end.
    held_until: date | None
    # The collectable invoices due on or before the row's cutoff date, which
    # are the ones its message may call due or overdue.
    due: Decimal = Decimal(0)
    due_ids: list[int] = field(default_factory=list)
    oldest_due_on: date | None = None
    held_without_end: bool = False


@dataclass(frozen=True)
class _OpenDocument:
    """One of a row's invoices with a positive open amount."""

    id: int
    open_amount: Decimal
    disputed: bool
    hold_until: date | None
    due_on: date | None = None
    held_at: datetime | None = None


@dataclass(frozen=True)
class _RowContext:
    """The customer's phone, zone, payments and promises and the case's pause."""

    phone: str | None
    phone_status: str
    timezone: str | None
    case_state: str
    paused_until: datetime | None
    handoff_reason: str | None
    pending_payment: bool
    latest_promise_due_on: date | None
    paid_since_handoff: bool

    @property
    def payment_reported(self) -> bool:
        """Tell whether a payment the customer reported still waits for a person."""
        return self.handoff_reason == PAYMENT_TO_VERIFY and not self.paid_since_handoff


@dataclass(frozen=True)
class BrokenPromiseFacts:
    """The payments made or reported since a broken promise, which pick its wording."""

    # Settled payments since the promise was made.
    paid: Decimal
    # The customer reported a payment that a person has not verified yet.
    payment_reported: bool
    # The promise's amount was paid, though after its day had passed.
    promise_paid: bool
    # A promise in several currencies: `PROMISE_PARTS_VARIABLE` with what
    # was paid in each. `paid_any` adds up payments in different currencies,
    # so it is read only as "something was paid", never as an amount.
    parts: list[list[Any]] | None = None
    paid_any: Decimal | None = None


@dataclass(frozen=True)
class RowFacts:
    """The facts `evaluate` needs for one row, and the audit details behind them."""

    facts: GateFacts
    details: dict[str, Any]
    # The case is paused with no end date, so no deferral can wait for it.
    paused_without_end: bool
    # Set only for a broken-promise message.
    broken_promise: BrokenPromiseFacts | None = None
    # The customer reported a payment that a person has not verified yet.
    payment_reported: bool = False
    # Set only for a WhatsApp row that can go out only as a template, because
    # the customer has not written in the last 24 hours.
    templates: TemplateStatuses | None = None


def check(session: Session, row: OutboxMessage, now: datetime) -> GateDecision:
    """Decide send, defer or suppress for `row` at `now`, and apply it to the row.

    A deferral puts the row back in the queue for `decision.until`, and a
    suppression moves it to `suppressed`; both are audited. On send the row
    is left as it is (claimed), with its amount variables refreshed when a
    payment or credit note changed them since planning, and its step kind
    when a payment the customer reported waits for verification (see
    `cobranza.dunning.reported`).
    """
    return check_batch(session, [row], now)[row.id]


def check_batch(
    session: Session,
    rows: Sequence[OutboxMessage],
    now: datetime,
    *,
    lock: bool = True,
) -> dict[int, GateDecision]:
    """Run `check` on many claimed rows, reading their facts in a few queries.

    Returns the decision by outbox id. With `lock` the cases and then the
    rows are locked on PostgreSQL, in the order `outbox.claim_due` uses. A
    caller passes False only to re-check rows that it already claimed and
    whose claim it committed: the `sending` state keeps other dispatchers
    and the planner off them.
    """
    if lock:
        _lock(session, rows)

    decisions: dict[int, GateDecision] = {}
    for business_id in sorted({row.business_id for row in rows}):
        group = [row for row in rows if row.business_id == business_id]
        country, timezone, settings, currency = session.execute(
            _BUSINESS_RULES, {"business_id": business_id}
        ).one()
        rules = rules_for_business(country, settings)
        facts = read_facts(session, business_id, timezone, group, rules, now, currency)
        for row in group:
            decisions[row.id] = _decide_and_apply(
                session, row, facts[row.id], rules, now
            )
    return decisions


def _decide_and_apply(
    session: Session,
    row: OutboxMessage,
    row_facts: RowFacts,
    rules: ContactRules,
    now: datetime,
) -> GateDecision:
    facts, details = row_facts.facts, row_facts.details
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
            held_without_end=False,
        )

    if row.variables.get(REPLY_TO_VARIABLE) is not None:
        facts = _reply_facts(facts, row)

    decision = evaluate(facts, rules, now)
    if decision.action is not Action.SUPPRESS and _due_day_passed(row, now, facts.tz):
        # A due date on a day closed for contact (a Saturday in Argentina)
        # defers the message past it, and the planner plans no overdue
        # reminder to replace it before the next business day has passed.
        decision = GateDecision.suppress(Reason.DUE_DATE_PASSED)
    if (
        decision.action is Action.SEND
        and row_facts.paused_without_end
        and not _passes_pause(row)
    ):
        # A pause with no end date has no instant to defer to.
        decision = GateDecision.suppress(Reason.ON_HOLD)
    broken = row_facts.broken_promise
    if broken is not None and broken.promise_paid:
        if decision.action is not Action.SUPPRESS:
            decision = GateDecision.suppress(Reason.PROMISE_PAID)

    if decision.action is Action.SUPPRESS:
        assert decision.reason is not None
        outbox.suppress(session, row, decision.reason, now, details)
        return decision
    if row.variables.get("installment_id") is None:
        # An installment reminder states the installment, not the balance. A
        # deferred row is brought up to date too, so that what it shows while
        # it waits (a dry run's list, the outbox) is what it would state now.
        _refresh_amounts(row, details)
    if broken is not None:
        _refresh_broken_promise(row, broken)
    else:
        refresh_reported_reminder(row, row_facts.payment_reported)
    if row_facts.templates is not None:
        # The template is read after the refreshes, which may change the
        # step kind and so the template the message needs.
        template = row_facts.templates.unapproved(row)
        if template is not None:
            decision = evaluate(replace(facts, template_approved=False), rules, now)
            details = {**details, **template.details()}
            row.template_name = template.name
            row.language_code = template.language
    if decision.action is Action.DEFER:
        assert decision.until is not None and decision.reason is not None
        if row.variables.get("installment_id") is None:
            # The deferral records the amount the message would state, credit
            # notes netted in, as the planned step and the send record it.
            details = {**details, "balance": row.variables.get("balance")}
        outbox.defer(session, row, decision.until, decision.reason, now, details)
    return decision


def read_facts(
    session: Session,
    business_id: int,
    business_timezone: str,
    rows: Sequence[OutboxMessage],
    rules: ContactRules,
    now: datetime,
    business_currency: str,
) -> dict[int, RowFacts]:
    """Read the facts of the business's `rows`, by outbox id, set-based.

    A row's balance is in its own currency (`variables["currency"]`, else
    `business_currency`).

    Six queries read all the rows, whatever their number: the rows' phones,
    pauses, pending payments and promises, then consent, invoices, balances
    and sends. Three more read the payments since each broken promise and
    the customer's other open promises, only when some row is a
    broken-promise message. Two more read the customers'
    last messages and the template statuses, only when some row is for
    WhatsApp (see `cobranza.dunning.template_approval`).
    """
    customer_ids = sorted({row.customer_id for row in rows})
    contexts = _row_contexts(session, rows)
    zones = {
        row.customer_id: contexts[row.id].timezone or business_timezone for row in rows
    }
    todays = {customer_id: local_date(now, tz) for customer_id, tz in zones.items()}

    documents = _row_documents(session, business_id, rows)
    collectable = _collectable_documents(session, business_id, todays)
    balances = _currency_balances(collectable)
    consents = current_consents(session, business_id, customer_ids, WHATSAPP)
    sends = _previous_sends(session, business_id, customer_ids, rules, now)
    broken_ids = [promise_id for row in rows for promise_id in _broken_promises(row)]
    promise_payments = paid_since_promises(session, broken_ids)
    other_promise_days = other_open_promise_days(session, broken_ids)
    template_rows, templates = needs_template(session, business_id, rows, now)

    result = {}
    for row in rows:
        context = contexts[row.id]
        customer_id = row.customer_id
        tz, today = zones[customer_id], todays[customer_id]
        cutoff = due_cutoff(row, today, rules)
        invoices = invoice_balance(documents, row, today, cutoff)
        currency = str(row.variables.get("currency") or business_currency)
        customer_balance = balances[customer_id, currency]

        balance = min(invoices.collectable, customer_balance)
        if cutoff is not None:
            # A reminder states only what is due by its cutoff, so that is
            # what must still be owed for it to go out.
            balance = min(invoices.due, customer_balance)
        hold_until = _case_hold(context)
        if row.variables.get("installment_id") is not None:
            # An installment plan pauses its case, and the installment's own
            # reminders are what that pause waits for, so it does not hold them.
            hold_until = None
        if invoices.held_until is not None:
            document_hold = start_of_day(invoices.held_until + timedelta(days=1), tz)
            hold_until = max(hold_until or document_hold, document_hold)
        held = invoices.held_until is not None or invoices.held_without_end
        if invoices.all_disputed or held:
            # The invoices still carry a debt, so the dispute or the hold is the
            # reason to report, not a zero balance.
            balance = invoices.open_total
        promise_due = context.latest_promise_due_on
        broken_id = _broken_promise(row)
        if broken_id is not None:
            # The follow-up of a broken promise waits for other promises
            # only, not for its own parts due later.
            promise_due = other_promise_days.get(broken_id, promise_due)
        if promise_due is not None and promise_due < today:
            promise_due = None

        window_zones = contact_zones(context.timezone, context.phone, tz)
        facts = GateFacts(
            consent=consents.get(customer_id),
            balance=balance,
            phone_status=_phone_status(context),
            tz=tz,
            extra_zones=window_zones[1:],
            previous_sends=sends.get(customer_id, []),
            disputed=invoices.all_disputed,
            pending_payment=bool(context.pending_payment),
            promise_until=(
                start_of_day(promise_due + timedelta(days=1), tz)
                if promise_due is not None
                else None
            ),
            hold_until=hold_until,
            held_without_end=invoices.held_without_end,
        )
        details: dict[str, Any] = {
            "balance": str(invoices.collectable),
            "currency": currency,
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
        if facts.held_without_end:
            details["held_without_end"] = True
        if cutoff is not None:
            details["due_by"] = cutoff.isoformat()
            details["due_amount"] = str(max(balance, Decimal(0)))
            details["due_document_ids"] = invoices.due_ids
            details["due_oldest_on"] = _iso_date(invoices.oldest_due_on)
            if OTHER_BALANCES_VARIABLE in row.variables:
                others = other_currencies_due(
                    collectable.get(customer_id, []), currency, cutoff
                )
                details[OTHER_BALANCES_VARIABLE] = [due.as_variable() for due in others]
                details["other_invoice_count"] = sum(
                    due.invoice_count for due in others
                )
        elif OTHER_BALANCES_VARIABLE in row.variables:
            # NOTE: the row keeps the currency it was queued with. A
            # broken-promise message whose currency is paid off while it waits
            # is suppressed as zero balance although other currencies are
            # still owed, and a reply then states that currency as 0.
            others = other_currencies_balance(
                collectable.get(customer_id, []), currency
            )
            details[OTHER_BALANCES_VARIABLE] = [due.as_variable() for due in others]
            details["other_invoice_count"] = sum(due.invoice_count for due in others)
        paused_without_end = (
            context.case_state == CaseState.PAUSED and context.paused_until is None
        )
        broken = None
        promise_id = _broken_promise(row)
        if promise_id is not None:
            balance_of = {
                code: amount
                for (owner, code), amount in balances.items()
                if owner == customer_id
            }
            broken = _broken_promise_facts(row, promise_payments, balance_of, context)
            details["paid_since_promise"] = str(broken.paid)
            if broken.parts is not None:
                details[PROMISE_PARTS_VARIABLE] = broken.parts
        result[row.id] = RowFacts(
            facts,
            details,
            paused_without_end,
            broken,
            context.payment_reported,
            templates if row.id in template_rows else None,
        )
    return result


def due_cutoff(row: OutboxMessage, today: date, rules: ContactRules) -> date | None:
    """Return the last due date that the row's reminder may call due, or None.

    A reminder sent after its due date states the overdue invoices, those
    due on or before the last business day before `today` (see
    `cobranza.compliance.business_days`). One sent on or before the due
    date states the invoices due by the date it names, `oldest_due_on`, so
    invoices due later are left out of both. Thank-yous, replies and
    installment reminders state another amount, so they have no cutoff.
    """
    variables = row.variables or {}
    # NOTE: an early-discount row keeps the whole balance, because its
    # discount link charges the whole balance less the discount.
    if (
        variables.get("discount_percent") is not None
        or row.step_kind == PAYMENT_THANKS
        or variables.get(REPLY_TO_VARIABLE) is not None
        or variables.get("installment_id") is not None
    ):
        return None
    stated = variables.get("oldest_due_on")
    if not isinstance(stated, str):
        return None
    try:
        stated_due_on = date.fromisoformat(stated)
    except ValueError:
        # The composer reports the invalid date with the row's id.
        return None
    return max(stated_due_on, overdue_cutoff(rules, today))


def invoice_balance(
    documents: Mapping[int, _OpenDocument],
    row: OutboxMessage,
    today: date,
    cutoff: date | None = None,
) -> InvoiceBalance:
    """Return the current balance of the row's invoices on `today`.

    `documents` holds the open invoices (positive open amount) by id, so
    invoices paid since planning drop out. Disputed invoices and invoices
    on hold on `today` are not collectable. With a `cutoff`, the
    collectable invoices due on or before it are also summed apart.
    """
    own = [documents[i] for i in sorted(set(row.document_ids)) if i in documents]

    collectable = Decimal(0)
    collectable_ids = []
    held_until: date | None = None
    held_without_end = False
    due = Decimal(0)
    due_ids: list[int] = []
    oldest_due_on: date | None = None
    for document in own:
        if document.disputed:
            continue
        hold = document.hold_until
        if is_held(hold, document.held_at, today):
            # An end further away than a hold may now be set was stored by
            # an earlier version; near `date.max` the day after it overflows.
            if hold is None or hold > today + timedelta(days=MAX_HOLD_DAYS):
                held_without_end = True
            else:
                held_until = hold if held_until is None else min(held_until, hold)
            continue
        collectable += document.open_amount
        collectable_ids.append(document.id)
        if cutoff is not None and document.due_on is not None:
            if document.due_on <= cutoff:
                due += document.open_amount
                due_ids.append(document.id)
                if oldest_due_on is None or document.due_on < oldest_due_on:
                    oldest_due_on = document.due_on

    has_debt = bool(own)
    nothing_collectable = has_debt and not collectable_ids
    return InvoiceBalance(
        open_total=sum((document.open_amount for document in own), Decimal(0)),
        collectable=collectable,
        collectable_ids=sorted(collectable_ids),
        all_disputed=has_debt and all(document.disputed for document in own),
        held_until=held_until if nothing_collectable else None,
        due=due,
        due_ids=sorted(due_ids),
        oldest_due_on=oldest_due_on,
        # A dated hold ends, so the row waits for it even beside a hold
        # with no end.
        held_without_end=(
            nothing_collectable and held_without_end and held_until is None
        ),
    )


def _row_documents(
    session: Session, business_id: int, rows: Sequence[OutboxMessage]
) -> dict[int, _OpenDocument]:
    """Return the rows' invoices that still have a positive open amount, by id."""
    document_ids = sorted({i for row in rows for i in row.document_ids})
    if not document_ids:
        return {}
    found = session.execute(
        _OPEN_INVOICES, {"business_id": business_id, "document_ids": document_ids}
    ).all()
    return {values[0]: _OpenDocument(*values) for values in found}


def _collectable_documents(
    session: Session, business_id: int, todays: Mapping[int, date]
) -> dict[int, list[CollectableDocument]]:
    """Return each customer's collectable documents, credit notes included.

    Disputed documents and documents on hold on the customer's local
    `today` are left out, as the planner does.
    """
    documents: dict[int, list[CollectableDocument]] = defaultdict(list)
    if not todays:
        return documents
    found = session.execute(
        _COLLECTABLE_DOCUMENTS,
        {
            "business_id": business_id,
            "customer_ids": sorted(todays),
            "latest_today": max(todays.values()),
        },
    ).all()
    for customer_id, currency, open_amount, hold_until, held_at, due_on in found:
        if not is_held(hold_until, held_at, todays[customer_id]):
            documents[customer_id].append(
                CollectableDocument(currency, due_on, open_amount)
            )
    return documents


def _currency_balances(
    documents: Mapping[int, list[CollectableDocument]],
) -> dict[tuple[int, str], Decimal]:
    """Return each customer's collectable balance per currency.

    A credit note nets only against invoices in its own currency.
    """
    balances: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for customer_id, owned in documents.items():
        for document in owned:
            balances[customer_id, document.currency] += document.open_amount
    return balances


def _lock(session: Session, rows: Sequence[OutboxMessage]) -> None:
    """Lock the cases, then the rows, on PostgreSQL, each in id order.

    This is the order `outbox.claim_due` and `outbox.claim` use, so after a
    claim the statements return at once. SQLite serialises writers and
    needs none.
    """
    if session.get_bind().dialect.name != "postgresql" or not rows:
        return
    case_ids = sorted({row.case_id for row in rows})
    session.execute(
        select(Case.id).where(Case.id.in_(case_ids)).order_by(Case.id).with_for_update()
    )
    session.execute(
        select(OutboxMessage.id)
        .where(OutboxMessage.id.in_(sorted(row.id for row in rows)))
        .order_by(OutboxMessage.id)
        .with_for_update()
    )


def _case_hold(context: _RowContext) -> datetime | None:
    if context.case_state == CaseState.PAUSED or context.paused_until is not None:
        return context.paused_until
    return None


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
    question after the case closed), so the balance, the pause, the hold,
    the promise, the dispute and the caps on unsolicited reminders do not
    hold it back.
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
        held_without_end=False,
    )


def _phone_status(context: _RowContext) -> str:
    if context.phone:
        return context.phone_status
    # The importer keeps no E.164 number for an invalid phone, but records
    # that it was invalid; say so rather than "missing".
    if context.phone_status == PhoneStatus.INVALID:
        return PhoneStatus.INVALID
    return PhoneStatus.MISSING


def _previous_sends(
    session: Session,
    business_id: int,
    customer_ids: Sequence[int],
    rules: ContactRules,
    now: datetime,
) -> dict[int, list[datetime]]:
    parameters = {
        "business_id": business_id,
        "customer_ids": customer_ids,
        "since": now - recent_sends_lookback(rules),
        "until": now,
    }
    sends: dict[int, list[datetime]] = {}
    for customer_id, sent in session.execute(RECENT_SENDS_BY_CUSTOMER, parameters):
        if sent is not None:
            sends.setdefault(customer_id, []).append(sent)
    return sends


def _row_contexts(
    session: Session, rows: Sequence[OutboxMessage]
) -> dict[int, _RowContext]:
    outbox_ids = sorted(row.id for row in rows)
    found = session.execute(_ROW_CONTEXTS, {"outbox_ids": outbox_ids}).all()
    contexts = {values[0]: _RowContext(*values[1:]) for values in found}
    missing = sorted(row.id for row in rows if row.id not in contexts)
    if missing:
        raise LookupError(
            f"outbox rows {missing} point at a customer or case that does not "
            "exist: check the rows' customer_id and case_id"
        )
    return contexts


def _refresh_amounts(row: OutboxMessage, details: dict[str, Any]) -> None:
    """Update the row's amount variables to what is owed now.

    A row with a cutoff states the amount, count and oldest due date of its
    invoices due by then (see `due_cutoff`), and, when it names other
    currencies, what is due by then in each of them. Any other row states
    the customer's whole collectable balance.
    """
    variables = dict(row.variables)
    if "due_amount" in details:
        invoice_count = len(details["due_document_ids"])
        refreshed = {
            "balance": details["due_amount"],
            "invoice_count": invoice_count + details.get("other_invoice_count", 0),
            "oldest_due_on": details["due_oldest_on"] or variables["oldest_due_on"],
        }
        if OTHER_BALANCES_VARIABLE in details:
            refreshed[OTHER_BALANCES_VARIABLE] = details[OTHER_BALANCES_VARIABLE]
    else:
        refreshed = {
            "balance": details["customer_balance"],
            "invoice_count": len(details["collectable_document_ids"])
            + details.get("other_invoice_count", 0),
        }
        if OTHER_BALANCES_VARIABLE in details:
            refreshed[OTHER_BALANCES_VARIABLE] = details[OTHER_BALANCES_VARIABLE]
    if all(variables.get(name) == value for name, value in refreshed.items()):
        return
    row.variables = {**variables, **refreshed}


def _due_day_passed(row: OutboxMessage, now: datetime, tz: str) -> bool:
    """Return whether `row` is a due-today message and its due date is past."""
    if row.step_kind not in DUE_TODAY_KINDS:
        return False
    stated = (row.variables or {}).get("oldest_due_on")
    if not isinstance(stated, str):
        return False
    try:
        due_on = date.fromisoformat(stated)
    except ValueError:
        # The composer reports the invalid date with the row's id.
        return False
    return due_on < local_date(now, tz)


def _broken_promise(row: OutboxMessage) -> int | None:
    """Return the promise id of a broken-promise message, or None for others."""
    if row.step_kind not in BROKEN_PROMISE_KINDS:
        return None
    promise_id = (row.variables or {}).get("promise_id")
    return promise_id if isinstance(promise_id, int) else None


def _broken_promises(row: OutboxMessage) -> list[int]:
    """Return the ids of every currency's part of a broken-promise message."""
    promise_id = _broken_promise(row)
    if promise_id is None:
        return []
    parts = row.variables.get(PROMISE_PARTS_VARIABLE)
    if not parts:
        return [promise_id]
    return [int(part[0]) for part in parts]


def _broken_promise_facts(
    row: OutboxMessage,
    payments: Mapping[int, Decimal],
    balances: Mapping[str, Decimal],
    context: _RowContext,
) -> BrokenPromiseFacts:
    """Return what was paid since a broken promise, in each of its currencies.

    A part in several currencies is settled once its amount arrived or its
    currency's balance is paid off, and the message is left out only when
    every part is settled.
    """
    promise_id = _broken_promise(row)
    assert promise_id is not None
    paid = payments.get(promise_id, Decimal(0))
    stored = row.variables.get(PROMISE_PARTS_VARIABLE)
    if not stored:
        promised = row.variables.get("promise_amount")
        return BrokenPromiseFacts(
            paid=paid,
            payment_reported=context.payment_reported,
            promise_paid=promised is not None and paid >= Decimal(str(promised)),
        )

    parts = []
    settled = []
    for part_id, currency, amount, _ in stored:
        part_paid = payments.get(int(part_id), Decimal(0))
        parts.append([part_id, currency, amount, str(part_paid)])
        paid_off = amount is not None and part_paid >= Decimal(str(amount))
        settled.append(paid_off or balances.get(currency, Decimal(0)) <= 0)
    return BrokenPromiseFacts(
        paid=paid,
        payment_reported=context.payment_reported,
        promise_paid=all(settled),
        parts=parts,
        paid_any=sum((Decimal(part[3]) for part in parts), Decimal(0)),
    )


def _refresh_broken_promise(row: OutboxMessage, broken: BrokenPromiseFacts) -> None:
    """Bring a broken-promise message up to what the customer did since the promise.

    A payment or a reported payment that came while the message waited
    changes its wording (see `broken_promise_kind`). The flag is stored with
    the paid amount, so that a changed wording also changes the variables
    that the dispatcher compares before it sends.
    """
    refreshed: dict[str, Any] = {
        "paid_amount": str(broken.paid),
        "payment_reported": broken.payment_reported,
    }
    if broken.parts is not None:
        refreshed[PROMISE_PARTS_VARIABLE] = broken.parts
    if any(row.variables.get(name) != value for name, value in refreshed.items()):
        row.variables = {**row.variables, **refreshed}
    paid = broken.paid if broken.paid_any is None else broken.paid_any
    kind = broken_promise_kind(paid, broken.payment_reported)
    if row.step_kind != kind:
        row.step_kind = kind


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
