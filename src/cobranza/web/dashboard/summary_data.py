"""Figures of the Resumen page, read in one transaction.

Portfolio figures (open balance, aging, delinquency, DSO) come from the
portfolio audit. Collection figures (recovered this month, reply rate,
promises, funnel) are counted here over the last `FUNNEL_DAYS` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    Business,
    InboundMessage,
    OutboxMessage,
    Payment,
    PromiseToPay,
)
from cobranza.portfolio.audit import AuditReport, audit_portfolio
from cobranza.portfolio.metrics import AgingBucket
from cobranza.portfolio.rules import SegmentRules
from cobranza.timeutil import local_date, start_of_day

FUNNEL_DAYS = 30
COLLECTION_MONTHS = 6
# Payment states that mean money arrived (a refund or chargeback undoes it).
RECEIVED = ("approved", "in_mediation")

AGING_LABELS = {
    "current": "Al día",
    "1_30": "1–30 días",
    "31_60": "31–60 días",
    "61_90": "61–90 días",
    "over_90": "Más de 90",
}


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
    overdue: Decimal
    delinquency_rate: Decimal | None
    dso_days: Decimal | None
    recovered_this_month: Decimal
    reply_rate: Decimal | None
    promises_kept: int
    promises_broken: int
    aging: list[AgingBucket]
    collections: list[tuple[str, Decimal]]
    funnel: list[FunnelStage]

    @property
    def promise_kept_rate(self) -> Decimal | None:
        """Share of settled promises that were kept."""
        settled = self.promises_kept + self.promises_broken
        if settled == 0:
            return None
        return Decimal(self.promises_kept) / settled


def load_summary(
    session: Session, business: Business, now: datetime, rules: SegmentRules
) -> Summary:
    """Compute the Resumen figures of a business at the instant `now`."""
    today = local_date(now, business.timezone)
    report = audit_portfolio(session, business, today, today=today, rules=rules)
    since = now - timedelta(days=FUNNEL_DAYS)
    funnel = _funnel(session, business.id, since)
    kept, broken = _promises(session, business.id, since)

    return Summary(
        currency=business.currency,
        locale=business.locale,
        open_balance=report.open_balance,
        overdue=_overdue(report),
        delinquency_rate=report.delinquency["by_amount"],
        dso_days=report.period.dso,
        recovered_this_month=_received_since(
            session, business, start_of_day(today.replace(day=1), business.timezone)
        ),
        reply_rate=_rate(funnel[3].customers, funnel[0].customers),
        promises_kept=kept,
        promises_broken=broken,
        aging=report.aging,
        collections=_collections(session, business, today),
        funnel=funnel,
    )


def _overdue(report: AuditReport) -> Decimal:
    return sum(
        (bucket.amount for bucket in report.aging if bucket.key != "current"),
        Decimal(0),
    )


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return Decimal(numerator) / denominator


def _received_since(session: Session, business: Business, start: datetime) -> Decimal:
    total = session.scalar(
        select(func.sum(Payment.amount)).where(
            Payment.business_id == business.id,
            Payment.currency == business.currency,
            Payment.status.in_(RECEIVED),
            Payment.paid_at >= start,
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

    bounds = [start_of_day(month, business.timezone) for month in months]
    bounds.append(datetime.max.replace(tzinfo=bounds[0].tzinfo))
    rows = session.execute(
        select(Payment.paid_at, Payment.amount).where(
            Payment.business_id == business.id,
            Payment.currency == business.currency,
            Payment.status.in_(RECEIVED),
            Payment.paid_at >= bounds[0],
        )
    ).all()
    totals = [Decimal(0)] * len(months)
    for paid_at, amount in rows:
        for index in range(len(months)):
            if bounds[index] <= paid_at < bounds[index + 1]:
                totals[index] += amount
                break
    return [
        (month.strftime("%m/%Y"), total)
        for month, total in zip(months, totals, strict=True)
    ]


def _customers_at_outbox_stage(
    session: Session, business_id: int, since: datetime, stamp: Any
) -> int:
    """Count customers with a message sent since `since` whose `stamp` is set."""
    count = session.scalar(
        select(func.count(func.distinct(OutboxMessage.customer_id))).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.sent_at >= since,
            stamp.is_not(None),
        )
    )
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
    )
    delivered = _customers_at_outbox_stage(
        session, business_id, since, OutboxMessage.delivered_at
    )
    read = _customers_at_outbox_stage(
        session, business_id, since, OutboxMessage.read_at
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
