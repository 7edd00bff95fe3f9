"""Figures of the Resumen page, read in one transaction with SQL aggregates.

Portfolio figures (open balance, aging, delinquency, DSO) follow the
definitions of `cobranza.portfolio.metrics` for today. Collection figures
(reply rate, promises, funnel) are counted over the last `FUNNEL_DAYS`
days, and the amount recovered over the current month.

"Recovered" counts only payments recorded after an import: from a payment
provider, `cobranza payment add` or `payment import`, a receipt or the
dashboard. A payment that came inside an invoice file (provider
`IMPORT_PROVIDER`) is history the business brought along, not money that
cobranza helped collect, so the page shows it apart. The monthly chart
counts every payment received, imported ones included, except a payment
without a known date (`Payment.paid_at_unknown`): its `paid_at` is only the
import's instant, so the page gives its total apart instead of placing it in
the import's month. The funnel leaves it out too.

Like `cobranza audit`, they count only documents issued by today (or with no
issue date): a document dated later is not owed yet. Per customer, credit
notes lower what is overdue as the audit nets them, so the overdue figure is
the sum of the audit's per-customer overdue balances.

NOTE: these figures read the live `Document.open_amount`, while the audit
rebuilds open amounts from the allocations of payments dated by the end of
today. The two differ for a payment dated after today that was stored
before such dates were rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Subquery, and_, case, func, or_, select, type_coerce, union
from sqlalchemy.orm import Session

from cobranza.compliance.business_days import business_day_on_or_before
from cobranza.compliance.rules import ContactRules, rules_for_business
from cobranza.db.models import (
    Business,
    Document,
    InboundMessage,
    OutboxMessage,
    Payment,
    PromiseToPay,
)
from cobranza.db.types import Amount
from cobranza.ingest.plan import IMPORT_PROVIDER, cancelled_document_ids
from cobranza.portfolio.audit import DEFAULT_PERIOD_DAYS as DSO_PERIOD_DAYS
from cobranza.portfolio.metrics import (
    BUCKET_BOUNDS,
    DELINQUENT_AFTER_DAYS,
    AgingBucket,
)
from cobranza.timeutil import local_date, start_of_day

FUNNEL_DAYS = 30
COLLECTION_MONTHS = 6
# Payment states that mean money arrived (a refund or chargeback undoes it).
RECEIVED = ("approved", "in_mediation")
# WhatsApp's own notices, such as a customer's change of number, are stored
# as inbound messages of type "system", but the customer wrote none of them.
WRITTEN_BY_CUSTOMER = InboundMessage.type != "system"
DATE_KNOWN = Payment.paid_at_unknown.is_(False)

AGING_LABELS = {
    # The audit's words (`portfolio.labels`), so both read the same.
    "current": "No vencido",
    "1_30": "1–30 días",
    "31_60": "31–60 días",
    "61_90": "61–90 días",
    "over_90": "Más de 90",
}
CREDIT_NOTES_LABEL = "Notas de crédito"


@dataclass(frozen=True)
class FunnelStage:
    """Distinct customers that reached one stage of the funnel."""

    key: str
    label: str
    customers: int


@dataclass(frozen=True)
class Summary:
    """Everything the Resumen page shows."""

    currency: str
    locale: str
    open_balance: Decimal
    # Past-due invoices less the credit notes left over per customer, as
    # `cobranza audit` and the reminders compute it.
    overdue: Decimal
    # Credit notes not yet applied (negative). The aging buckets plus this
    # amount make the open balance.
    unapplied_credit: Decimal
    # Unrounded, as `cobranza audit` keeps them until it formats them.
    delinquency_rate: Decimal | None
    dso_days: Decimal | None
    # Payments received this month and recorded after an import.
    recovered_this_month: Decimal
    # Payments dated this month that came inside an imported invoice file.
    imported_this_month: Decimal
    reply_rate: Decimal | None
    promises_kept: int
    promises_broken: int
    aging: list[AgingBucket]
    collections: list[tuple[str, Decimal]]
    funnel: list[FunnelStage]
    # Imported payments without a known date, which `collections` leaves out.
    collections_without_date: Decimal = Decimal(0)
    # Open balances in other currencies, which no figure above includes.
    other_open: tuple[tuple[str, Decimal], ...] = ()

    @property
    def promise_kept_rate(self) -> Decimal | None:
        """Share of settled promises that were kept."""
        settled = self.promises_kept + self.promises_broken
        if settled == 0:
            return None
        return Decimal(self.promises_kept) / settled


def load_summary(session: Session, business: Business, now: datetime) -> Summary:
    """Compute the Resumen figures of a business at the instant `now`."""
    today = local_date(now, business.timezone)
    documents = _document_figures(session, business, today)
    aging = documents.aging
    open_positive = sum((bucket.amount for bucket in aging), Decimal(0))
    late = sum(
        (
            b.amount
            for b in aging
            if b.min_days is not None and b.min_days > DELINQUENT_AFTER_DAYS
        ),
        Decimal(0),
    )
    since = now - timedelta(days=FUNNEL_DAYS)
    funnel = _funnel(session, business.id, since)
    kept, broken = _promises(session, business.id, since)
    month_start = start_of_day(today.replace(day=1), business.timezone)

    return Summary(
        currency=business.currency,
        locale=business.locale,
        open_balance=documents.open_balance,
        overdue=documents.overdue,
        unapplied_credit=documents.unapplied_credit,
        delinquency_rate=_ratio(late, open_positive),
        dso_days=documents.dso_days,
        recovered_this_month=_received_since(
            session, business, month_start, Payment.provider != IMPORT_PROVIDER
        ),
        imported_this_month=_received_since(
            session,
            business,
            month_start,
            Payment.provider == IMPORT_PROVIDER,
            DATE_KNOWN,
        ),
        reply_rate=_rate(funnel[3].customers, funnel[0].customers),
        promises_kept=kept,
        promises_broken=broken,
        aging=aging,
        collections=_collections(session, business, today),
        funnel=funnel,
        collections_without_date=_received_without_date(session, business),
        other_open=_other_open(session, business, today),
    )


def _issued_by(today: date) -> Any:
    # A document without an issue date always counts, as in the audit.
    return or_(Document.issued_on <= today, Document.issued_on.is_(None))


def _other_open(
    session: Session, business: Business, today: date
) -> tuple[tuple[str, Decimal], ...]:
    """Sum the open documents in each currency other than the business's."""
    rows = session.execute(
        select(Document.currency, func.sum(Document.open_amount))
        .where(
            Document.business_id == business.id,
            Document.currency != business.currency,
            Document.open_amount != 0,
            _issued_by(today),
        )
        .group_by(Document.currency)
        .order_by(Document.currency)
    ).all()
    return tuple((code, Decimal(amount)) for code, amount in rows if amount)


@dataclass(frozen=True)
class DocumentFigures:
    """Today's aging, open balance and DSO, from one pass over the documents."""

    aging: list[AgingBucket]
    open_balance: Decimal
    unapplied_credit: Decimal
    overdue: Decimal
    dso_days: Decimal | None


def _document_figures(
    session: Session, business: Business, today: date
) -> DocumentFigures:
    """Aggregate the business's documents in its currency in one query.

    Aging counts invoices with a positive open amount by days past due (a
    document without a due date is due when issued, and one with neither
    date is not due). Days past due count from the effective due date, the
    next business day when the due date is not one, so each bucket bound is
    a cutoff date computed here (see `cobranza.compliance.business_days`).
    The open balance sums every open amount, credit notes
    included, so it is the aging total plus the unapplied credit. DSO
    divides that balance by the amounts issued in the last
    `DSO_PERIOD_DAYS` days, times the days, as `cobranza audit` computes it.
    A document that an import recorded as cancelled is no sale, so it is
    left out, as the audit leaves it out.
    """
    rules = rules_for_business(business.country, business.settings)
    due = func.coalesce(Document.due_on, Document.issued_on)
    is_open = Document.open_amount > 0
    columns: list[Any] = []
    for _key, low, high in BUCKET_BOUNDS:
        parts = [is_open]
        if low is not None:
            # At least `low` days past due: due on or before this cutoff.
            parts.append(due <= _due_cutoff(rules, today, low))
        if high is not None:
            # At most `high` days past due: not `high + 1` days or more.
            parts.append(or_(due.is_(None), due > _due_cutoff(rules, today, high + 1)))
        columns.append(func.count().filter(and_(*parts)))
        columns.append(func.sum(Document.open_amount).filter(and_(*parts)))
    period_start = today - timedelta(days=DSO_PERIOD_DAYS)
    columns.append(func.sum(Document.open_amount).filter(Document.open_amount < 0))
    columns.append(func.sum(Document.open_amount))
    columns.append(
        func.sum(Document.amount).filter(
            Document.issued_on > period_start, Document.issued_on <= today
        )
    )
    row = session.execute(
        select(*columns).where(
            Document.business_id == business.id,
            Document.currency == business.currency,
            _issued_by(today),
            Document.id.not_in(cancelled_document_ids(business.id)),
        )
    ).one()

    aging = [
        AgingBucket(key, low, high, int(row[2 * i] or 0), Decimal(row[2 * i + 1] or 0))
        for i, (key, low, high) in enumerate(BUCKET_BOUNDS)
    ]
    unapplied_credit = Decimal(row[-3] or 0)
    open_balance = Decimal(row[-2] or 0)
    sales = Decimal(row[-1] or 0)
    dso = None
    if sales > 0:
        dso = open_balance / sales * DSO_PERIOD_DAYS
    overdue = _overdue_net_of_credit_notes(
        session, business, today, due, _due_cutoff(rules, today, 1)
    )
    return DocumentFigures(aging, open_balance, unapplied_credit, overdue, dso)


def _due_cutoff(rules: ContactRules, today: date, days: int) -> date:
    """Return the latest due date that is `days` (1 or more) past due on `today`."""
    return business_day_on_or_before(rules, today - timedelta(days=days))


def _overdue_net_of_credit_notes(
    session: Session, business: Business, today: date, due: Any, cutoff: date
) -> Decimal:
    """Sum what is overdue per customer once their credit notes are netted in.

    The rule of `cobranza.portfolio.metrics.overdue_net_of_credit_notes`: a
    customer's credit notes cover what is not yet due first, and only the
    rest lowers the overdue invoices, never below zero. An invoice is
    overdue when it fell due on or before `cutoff`.
    """
    invoice = Document.open_amount > 0
    past_due = and_(invoice, due <= cutoff)
    not_due = and_(invoice, or_(due.is_(None), due > cutoff))
    per_customer = (
        select(
            _amount_sum(case((past_due, Document.open_amount), else_=0)).label(
                "overdue"
            ),
            _amount_sum(case((not_due, Document.open_amount), else_=0)).label(
                "not_due"
            ),
            _amount_sum(
                case((Document.open_amount < 0, Document.open_amount), else_=0)
            ).label("credit"),
        )
        .where(
            Document.business_id == business.id,
            Document.currency == business.currency,
            Document.open_amount != 0,
            _issued_by(today),
        )
        .group_by(Document.customer_id)
        .subquery()
    )
    # `credit` is negative: when it outweighs what is not due, the sum of
    # the three is what stays overdue.
    left_after_credit = (
        per_customer.c.overdue + per_customer.c.not_due + per_customer.c.credit
    )
    netted = case(
        (
            per_customer.c.not_due + per_customer.c.credit < 0,
            case((left_after_credit > 0, left_after_credit), else_=0),
        ),
        else_=per_customer.c.overdue,
    )
    total = session.scalar(select(_amount_sum(netted)))
    return Decimal(total or 0)


def _amount_sum(expression: Any) -> Any:
    # The sum of scaled integers is exact, and Amount turns it into a Decimal.
    return type_coerce(func.sum(expression), Amount)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    # Unrounded: the page rounds once, to one decimal of a percent.
    if denominator == 0:
        return None
    return numerator / denominator


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return Decimal(numerator) / denominator


def _received_since(
    session: Session, business: Business, start: datetime, *conditions: Any
) -> Decimal:
    total = session.scalar(
        select(func.sum(Payment.amount)).where(
            Payment.business_id == business.id,
            Payment.currency == business.currency,
            Payment.status.in_(RECEIVED),
            Payment.paid_at >= start,
            *conditions,
        )
    )
    return Decimal(total or 0)


def _received_without_date(session: Session, business: Business) -> Decimal:
    total = session.scalar(
        select(func.sum(Payment.amount)).where(
            Payment.business_id == business.id,
            Payment.currency == business.currency,
            Payment.status.in_(RECEIVED),
            Payment.paid_at_unknown.is_(True),
        )
    )
    return Decimal(total or 0)


def _collections(
    session: Session, business: Business, today: date
) -> list[tuple[str, Decimal]]:
    """Return (month "MM/YYYY", amount received) for the last months, oldest first."""
    months: list[date] = []
    first = today.replace(day=1)
    for _ in range(COLLECTION_MONTHS):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    months.reverse()

    starts = [start_of_day(month, business.timezone) for month in months]
    month_of = case(
        *[
            (Payment.paid_at >= start, index)
            for index, start in reversed(list(enumerate(starts)))
        ],
        else_=-1,
    )
    totals: dict[int, Decimal | None] = dict(
        session.execute(
            select(month_of, func.sum(Payment.amount))
            .where(
                Payment.business_id == business.id,
                Payment.currency == business.currency,
                Payment.status.in_(RECEIVED),
                Payment.paid_at >= starts[0],
                DATE_KNOWN,
            )
            .group_by(month_of)
        ).all()
    )
    return [
        (month.strftime("%m/%Y"), Decimal(totals.get(index) or 0))
        for index, month in enumerate(months)
    ]


def _customers_at_outbox_stage(
    session: Session,
    business_id: int,
    since: datetime,
    first_sent: Subquery,
    *stamps: Any,
) -> int:
    """Count messaged customers with one of `stamps` set, or who replied.

    A reply proves that the message arrived and was read, even when the
    channel never reported it (the sandbox, or a status webhook that was
    lost).
    """
    stamped = select(OutboxMessage.customer_id).where(
        OutboxMessage.business_id == business_id,
        OutboxMessage.sent_at >= since,
        or_(*(stamp.is_not(None) for stamp in stamps)),
    )
    replied = (
        select(InboundMessage.customer_id)
        .join(first_sent, first_sent.c.customer_id == InboundMessage.customer_id)
        .where(
            InboundMessage.business_id == business_id,
            InboundMessage.received_at >= first_sent.c.at,
            WRITTEN_BY_CUSTOMER,
        )
    )
    reached = union(stamped, replied).subquery()
    count = session.scalar(select(func.count()).select_from(reached))
    return int(count or 0)


def _customers_acting_after(
    session: Session, first_sent: Subquery, model: Any, *conditions: Any
) -> int:
    """Count messaged customers with a `model` row matching `conditions`."""
    count = session.scalar(
        select(func.count(func.distinct(model.customer_id)))
        .join(first_sent, first_sent.c.customer_id == model.customer_id)
        .where(*conditions)
    )
    return int(count or 0)


def _funnel(session: Session, business_id: int, since: datetime) -> list[FunnelStage]:
    """Count customers at each stage, among those messaged since `since`.

    A reply, promise or payment counts when it comes after the customer's
    first message of the period.
    """
    first_sent = (
        select(
            OutboxMessage.customer_id,
            func.min(OutboxMessage.sent_at).label("at"),
        )
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.sent_at >= since,
        )
        .group_by(OutboxMessage.customer_id)
        .subquery()
    )
    sent = session.scalar(select(func.count()).select_from(first_sent)) or 0
    replied = _customers_acting_after(
        session,
        first_sent,
        InboundMessage,
        InboundMessage.business_id == business_id,
        InboundMessage.received_at >= first_sent.c.at,
        WRITTEN_BY_CUSTOMER,
    )
    promised = _customers_acting_after(
        session,
        first_sent,
        PromiseToPay,
        PromiseToPay.business_id == business_id,
        PromiseToPay.created_at >= first_sent.c.at,
    )
    paid = _customers_acting_after(
        session,
        first_sent,
        Payment,
        Payment.business_id == business_id,
        Payment.paid_at >= first_sent.c.at,
        Payment.status.in_(RECEIVED),
        DATE_KNOWN,
    )
    delivered = _customers_at_outbox_stage(
        session,
        business_id,
        since,
        first_sent,
        OutboxMessage.delivered_at,
        OutboxMessage.read_at,
    )
    read = _customers_at_outbox_stage(
        session, business_id, since, first_sent, OutboxMessage.read_at
    )
    return [
        FunnelStage("sent", "Enviados", sent),
        FunnelStage("delivered", "Entregados", delivered),
        FunnelStage("read", "Leídos", read),
        FunnelStage("replied", "Respondieron", replied),
        FunnelStage("promised", "Prometieron", promised),
        FunnelStage("paid", "Pagaron", paid),
    ]


def _promises(session: Session, business_id: int, since: datetime) -> tuple[int, int]:
    rows = dict(
        session.execute(
            select(PromiseToPay.status, func.count())
            .where(
                PromiseToPay.business_id == business_id,
                PromiseToPay.created_at >= since,
            )
            .group_by(PromiseToPay.status)
        ).all()
    )
    return int(rows.get("kept", 0)), int(rows.get("broken", 0))
