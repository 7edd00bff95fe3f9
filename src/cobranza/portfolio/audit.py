"""The portfolio audit: every metric of one business as of one date."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from cobranza.db.models import Business
from cobranza.money import quantize
from cobranza.portfolio.behaviour import (
    customer_behaviour,
    paid_invoices,
    paid_late_by_month,
)
from cobranza.portfolio.errors import InvalidAuditRequest
from cobranza.portfolio.metrics import (
    DAYS_STEP,
    DELINQUENT_AFTER_DAYS,
    RATE_STEP,
    AgingBucket,
    Pareto,
    PeriodFigures,
    aging,
    delinquency_rate,
    open_invoices,
    overdue_by_customer,
    overdue_net_of_credit_notes,
    pareto,
    period_figures,
    ratio,
    to_decimal,
)
from cobranza.portfolio.rules import Segment, SegmentRules
from cobranza.portfolio.segments import store_segments
from cobranza.portfolio.snapshot import EffectiveDueDate, Snapshot, load_snapshot

logger = logging.getLogger(__name__)

DEFAULT_PERIOD_DAYS = 90
DEFAULT_TOP_DEBTORS = 10
# Ten years, against the usual DSO and CEI periods of 30 to 365 days. The
# cap keeps the period start inside what `date` and pandas timestamps hold.
MAX_PERIOD_DAYS = 3660
EARLIEST_PERIOD_START = date(1900, 1, 1)
DSO_FORMULA = "ending receivables / credit sales in the period × days in the period"
CEI_FORMULA = (
    "(beginning receivables + credit sales − ending receivables) / "
    "(beginning receivables + credit sales − ending current receivables) × 100"
)


@dataclass
class AuditReport:
    """The audit of one business on `as_of`, which `to_dict` turns into JSON."""

    business_name: str
    currency: str
    locale: str
    as_of: date
    period_start: date
    open_invoices: int
    open_balance: Decimal
    # Past-due invoices less the credit notes left over per customer (see
    # `metrics.overdue_by_customer`), the sum of the customers' balances.
    overdue: Decimal
    unapplied_credit_count: int
    unapplied_credit: Decimal
    # Customers whose credit notes exceed what they owe, and the sum of those
    # balances as a positive amount. The open balance already nets it, but
    # the overdue balance is floored at zero per customer and does not, so
    # `overdue` can exceed `open_balance` by at most this amount.
    credit_customer_count: int
    customer_credit: Decimal
    disputed_count: int
    disputed_amount: Decimal
    aging: list[AgingBucket]
    delinquency: dict[str, Decimal | None]
    period: PeriodFigures
    pareto: Pareto
    rules: SegmentRules
    segments_stored: bool
    customers: pd.DataFrame
    paid_late_by_month: pd.DataFrame
    top_debtor_count: int = DEFAULT_TOP_DEBTORS
    # Documents left out because they are in another currency, per currency.
    other_currencies: dict[str, int] = field(default_factory=dict)
    segment_counts: Counter[str] = field(default_factory=Counter)

    @property
    def period_first_day(self) -> date:
        """The first day of the DSO and CEI period (the day after `period_start`)."""
        return self.period_start + timedelta(days=1)

    def money(self, amount: Decimal) -> str:
        """Render an amount as a decimal string in the currency's minor units."""
        return str(quantize(amount, self.currency))

    def top_debtors(self) -> pd.DataFrame:
        """Return the customers with the largest overdue balance."""
        debtors = self.customers[self.customers["overdue_balance"] > 0]
        return debtors.head(self.top_debtor_count)

    def to_dict(self) -> dict[str, Any]:
        """Return the report with the stable keys documented in docs/auditoria.md."""
        return {
            "as_of": self.as_of.isoformat(),
            "business": self.business_name,
            "currency": self.currency,
            "other_currencies": self.other_currencies,
            "period_days": self.period.period_days,
            "open_invoices": self.open_invoices,
            "open_balance": self.money(self.open_balance),
            "overdue": self.money(self.overdue),
            "unapplied_credits": {
                "count": self.unapplied_credit_count,
                "amount": self.money(self.unapplied_credit),
            },
            "customer_credit": {
                "count": self.credit_customer_count,
                "amount": self.money(self.customer_credit),
            },
            "disputed": {
                "count": self.disputed_count,
                "amount": self.money(self.disputed_amount),
            },
            "aging": [self._bucket_dict(bucket) for bucket in self.aging],
            "delinquency_rate": {
                "days_past_due_over": DELINQUENT_AFTER_DAYS,
                "by_count": _rate(self.delinquency["by_count"]),
                "by_amount": _rate(self.delinquency["by_amount"]),
            },
            "dso": self._dso_dict(),
            "cei": self._cei_dict(),
            "pareto": self._pareto_dict(),
            "top_debtors": self._customer_dicts(self.top_debtors()),
            "segment_rules": self.rules.to_dict(),
            "segments": {s.value: self.segment_counts.get(s.value, 0) for s in Segment},
            "segments_stored": self.segments_stored,
            "paid_late_by_month": self._monthly_dicts(),
            "customers": self._customer_dicts(self.customers),
        }

    def _bucket_dict(self, bucket: AgingBucket) -> dict[str, Any]:
        return {
            "bucket": bucket.key,
            "min_days": bucket.min_days,
            "max_days": bucket.max_days,
            "count": bucket.count,
            "amount": self.money(bucket.amount),
        }

    def _dso_dict(self) -> dict[str, Any]:
        figures = self.period
        return {
            "days": _text(figures.dso),
            "formula": DSO_FORMULA,
            "period_days": figures.period_days,
            "period_start": self.period_start.isoformat(),
            "ending_receivables": self.money(figures.ending_receivables),
            "credit_sales": self.money(figures.credit_sales),
        }

    def _cei_dict(self) -> dict[str, Any]:
        figures = self.period
        return {
            "percent": _text(figures.cei),
            "formula": CEI_FORMULA,
            "period_days": figures.period_days,
            "period_start": self.period_start.isoformat(),
            "beginning_receivables": self.money(figures.beginning_receivables),
            "credit_sales": self.money(figures.credit_sales),
            "ending_receivables": self.money(figures.ending_receivables),
            "ending_current_receivables": self.money(
                figures.ending_current_receivables
            ),
        }

    def _pareto_dict(self) -> dict[str, Any]:
        result = self.pareto
        return {
            "customers_with_overdue": result.customers_with_overdue,
            "top_customers": result.top_customers,
            "top_share": _rate(result.top_share),
            "customers_for_80_percent": result.customers_for_80_percent,
            "curve": [[str(x), str(y)] for x, y in result.curve],
        }

    def _customer_dicts(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "external_id": row.external_id,
                "name": row.name,
                "open_balance": self.money(to_decimal(row.open_balance)),
                "overdue_balance": self.money(to_decimal(row.overdue_balance)),
                "max_days_past_due": int(row.max_days_past_due),
                "paid_invoices": int(row.paid_invoices),
                "paid_late": int(row.paid_late),
                "late_share": _number(row.late_share, Decimal("0.0001")),
                "mean_days_late": _number(row.mean_days_late, DAYS_STEP),
                "median_days_late": _number(row.median_days_late, DAYS_STEP),
                "month_end_share": _number(row.month_end_share, Decimal("0.0001")),
                "month_end_payer": bool(row.month_end_payer),
                "segment": row.segment,
            }
            for row in frame.itertuples(index=False)
        ]

    def _monthly_dicts(self) -> list[dict[str, Any]]:
        return [
            {
                "month": row.month,
                "paid_invoices": int(row.paid_invoices),
                "paid_late": int(row.paid_late),
                "late_share": _text(ratio(int(row.paid_late), int(row.paid_invoices))),
            }
            for row in self.paid_late_by_month.itertuples(index=False)
        ]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(RATE_STEP))


def _number(value: Any, step: Decimal) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(Decimal(repr(float(value))).quantize(step))


def audit_portfolio(
    session: Session,
    business: Business,
    as_of: date,
    *,
    today: date,
    rules: SegmentRules,
    period_days: int = DEFAULT_PERIOD_DAYS,
    top_debtors: int = DEFAULT_TOP_DEBTORS,
    currency: str | None = None,
    effective_due: EffectiveDueDate | None = None,
) -> AuditReport:
    """Compute the audit of `business` as of `as_of`.

    Days past due and days late count from `effective_due` of each due date
    (see `load_snapshot`); without it no due date moves.

    Amounts cover the documents in `currency` (default: the business's),
    and payment behaviour covers every currency. When `as_of` is `today`,
    the computed segments are also stored on `Customer.segment`, where the
    dunning planner reads them. An audit of a past date only reports. The
    caller owns the transaction.
    """
    if as_of > today:
        raise InvalidAuditRequest(
            f"la fecha auditada {as_of.isoformat()} es posterior a hoy "
            f"({today.isoformat()}): usá hoy o una fecha anterior"
        )
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise InvalidAuditRequest(
            f"período inválido de {period_days} días: usá de 1 a {MAX_PERIOD_DAYS} días"
        )
    if (as_of - EARLIEST_PERIOD_START).days < period_days:
        raise InvalidAuditRequest(
            f"el período de {period_days} días antes del {as_of.isoformat()} "
            f"empieza antes del {EARLIEST_PERIOD_START.isoformat()}: auditá una "
            "fecha posterior o un período más corto"
        )
    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        raise InvalidAuditRequest(
            f"moneda inválida {currency!r}: usá un código ISO 4217, como ARS"
        )

    snapshot = load_snapshot(
        session,
        business,
        as_of,
        period_days,
        currency,
        effective_due=effective_due,
    )
    customers = _customer_table(snapshot, rules)
    segments_stored = as_of == today
    if segments_stored:
        store_segments(session, business, snapshot, rules)
    report = _build_report(snapshot, business, customers, rules, period_days)
    report.segments_stored = segments_stored
    report.top_debtor_count = top_debtors

    logger.info(
        "audit of business %s as of %s: %d documents, %d open invoices",
        business.id,
        as_of.isoformat(),
        len(snapshot.documents),
        report.open_invoices,
    )
    return report


def _build_report(
    snapshot: Snapshot,
    business: Business,
    customers: pd.DataFrame,
    rules: SegmentRules,
    period_days: int,
) -> AuditReport:
    documents = snapshot.documents
    invoices = open_invoices(snapshot)
    credits = documents[documents["open"] < 0]
    disputed = invoices[invoices["disputed"]]
    balances = documents.groupby("customer_id")["open"].sum()
    in_favour = balances[balances < 0]
    return AuditReport(
        business_name=business.name,
        currency=snapshot.currency,
        locale=business.locale,
        as_of=snapshot.as_of,
        period_start=snapshot.period_start,
        open_invoices=len(invoices),
        open_balance=to_decimal(documents["open"].sum()),
        overdue=overdue_net_of_credit_notes(snapshot),
        unapplied_credit_count=len(credits),
        unapplied_credit=to_decimal(credits["open"].sum()),
        credit_customer_count=len(in_favour),
        customer_credit=to_decimal(-int(in_favour.sum())),
        disputed_count=len(disputed),
        disputed_amount=to_decimal(disputed["open"].sum()),
        aging=aging(snapshot),
        delinquency=delinquency_rate(snapshot),
        period=period_figures(snapshot, period_days),
        pareto=pareto(snapshot),
        rules=rules,
        segments_stored=False,
        customers=customers,
        paid_late_by_month=paid_late_by_month(
            paid_invoices(snapshot.all_documents, rules)
        ),
        other_currencies=snapshot.other_currencies(),
        segment_counts=Counter(customers["segment"].tolist()),
    )


def _customer_table(snapshot: Snapshot, rules: SegmentRules) -> pd.DataFrame:
    """Join balances and behaviour per customer, largest overdue balance first."""
    documents = snapshot.documents
    behaviour = customer_behaviour(snapshot.all_documents, rules)
    invoices = open_invoices(snapshot)
    # The overdue balance nets credit notes, so the customers' balances add
    # up to the report's `overdue`. A customer whose credit notes cover all
    # that is overdue has no days past due either.
    overdue_balance = overdue_by_customer(snapshot)
    past_due = invoices[
        (invoices["days_past_due"] > 0)
        & invoices["customer_id"].isin(overdue_balance.index)
    ]
    balances = pd.DataFrame(
        {
            "open_balance": documents.groupby("customer_id")["open"].sum(),
            "overdue_balance": overdue_balance,
            "max_days_past_due": past_due.groupby("customer_id")["days_past_due"].max(),
        }
    ).reindex(behaviour.index)
    balances = balances.fillna(0).astype("int64")

    names = snapshot.customers.set_index("customer_id")[["external_id", "name"]]
    table = names.join(balances.join(behaviour), how="inner")
    table = table.sort_values(
        ["overdue_balance", "open_balance", "external_id"],
        ascending=[False, False, True],
    )
    return table.reset_index(drop=True)
