"""The payment link a customer requests in a reply, and what it charges.

A reminder's link charges the invoices the reminder names. A customer who
requests the link (or the alias) gets what is due now: the invoices past
due and those due today, which is the customer's local today as `due_by`.
The whole balance is charged only when nothing is due yet (or everything
is), and an active installment plan's next installment before either, as
`current_target` decides for every link. A customer with plans in several
currencies gets the link of each plan's next installment.

A checkout charges one currency (a Mercado Pago preference's items share
one `currency_id`, and a Stripe Checkout Session has one `currency`). So a
customer who owes in several currencies gets one link per currency, the
one reminders lead with first, each charging what is due in it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cobranza.compliance.business_days import overdue_cutoff
from cobranza.compliance.rules import rules_for_business
from cobranza.config import get_settings
from cobranza.db.models import Business, Case, Customer, Installment, InstallmentPlan
from cobranza.messages import LinkCovers
from cobranza.payments.links import (
    current_target,
    ensure_link,
    link_url,
    provider_for,
)
from cobranza.payments.targets import (
    LinkTarget,
    balance_target,
    open_documents,
    owed_currencies,
)
from cobranza.timeutil import local_date


@dataclass(frozen=True)
class RequestedCharge:
    """The amount a requested link charges, what it covers, and its URL if offered."""

    amount: Decimal
    currency: str
    covers: LinkCovers
    url: str | None = None
    installment_number: int | None = None
    installment_count: int | None = None
    # The charges in the customer's other currencies, by currency code.
    others: tuple[RequestedCharge, ...] = ()


def requested_charge(
    session: Session,
    business: Business,
    case: Case,
    now: datetime,
    *,
    with_link: bool,
    public_base_url: str | None = None,
) -> RequestedCharge | None:
    """Return what a link asked for in a reply charges, or None when nothing is owed.

    With `with_link`, the case's link for that amount is created (or reused)
    and its URL returned. Without it, the amount is still what a link would
    charge, so a reply with the business's payment instructions alone
    requests the same sum.
    """
    customer = session.get_one(Customer, case.customer_id)
    today = local_date(now, customer.timezone or business.timezone)
    target = current_target(session, business, case, now, due_by=today)
    if target is None:
        return None
    targets = [target]
    documents = open_documents(session, business.id, customer.id, today)
    others = [code for code in owed_currencies(documents) if code != target.currency]
    for currency in others:
        other = current_target(
            session, business, case, now, due_by=today, currency=currency
        )
        # During a plan, only the plans in other currencies add their links,
        # because a balance beside the plan waits until the plan ends.
        during_plan = target.installment_id is not None
        if other is not None and (not during_plan or other.installment_id):
            targets.append(other)

    charges = [_describe(session, business, customer, each, today) for each in targets]
    if with_link:
        settings = get_settings()
        provider = provider_for(business, settings.payment_provider)
        base = public_base_url or settings.public_base_url
        charges = [
            replace(
                charge,
                url=link_url(
                    base,
                    ensure_link(session, business, case, each, provider, now).token,
                ),
            )
            for charge, each in zip(charges, targets, strict=True)
        ]
    return replace(charges[0], others=tuple(charges[1:]))


def _describe(
    session: Session,
    business: Business,
    customer: Customer,
    target: LinkTarget,
    today: date,
) -> RequestedCharge:
    """Return the charge of `target` without a URL: its amount and what it covers."""
    if target.installment_id is not None:
        installment = session.get_one(Installment, target.installment_id)
        plan = session.get_one(InstallmentPlan, installment.plan_id)
        return RequestedCharge(
            amount=target.amount,
            currency=target.currency,
            covers=LinkCovers.INSTALLMENT,
            installment_number=installment.number,
            installment_count=plan.installment_count,
        )

    documents = open_documents(session, business.id, customer.id, today)
    language = (customer.locale or business.locale)[:2]
    whole = balance_target(documents, language, customer.name, target.currency)
    covers = LinkCovers.BALANCE
    if whole is not None and target.amount < whole.amount:
        # An invoice due on a weekend or holiday is not overdue until after
        # the next business day, so until then it is still due "hasta hoy".
        cutoff = overdue_cutoff(
            rules_for_business(business.country, business.settings), today
        )
        charged = set(target.document_ids)
        due_today = any(
            document.due_on > cutoff
            for document in documents
            if document.id in charged and document.due_on is not None
        )
        covers = LinkCovers.DUE_TODAY if due_today else LinkCovers.OVERDUE
    return RequestedCharge(
        amount=target.amount, currency=target.currency, covers=covers
    )
