"""Portfolio metrics over a `Snapshot`: aging, delinquency, DSO, CEI, Pareto.

Definitions (the owner's guide in docs/auditoria.md gives the same ones in
Spanish):

- Only documents issued on or before the as-of date count (one without an
  issue date always does). A document dated later is not owed yet, so it
  is in no figure, and a credit note dated later lowers none. The reminders
  differ here, because they count every stored document whatever its date.
- An *open invoice* is an invoice or debit note whose open amount on the
  as-of date is above zero. Credit notes carry negative amounts; the part
  not yet applied is reported as unapplied credit, so the open balance is
  the aging total plus the (negative) unapplied credit.
- *Days past due* = as-of date − due date; current means not yet past due
  (days past due ≤ 0).
- *Overdue*: the open invoices past due, less the credit notes of the same
  customer that exceed what the customer owes not yet due. A customer's
  credit notes cover the invoices not yet due first, as the reminders
  compute the amount they ask for, and only the rest lowers what is
  overdue, never below zero.
- *Delinquency rate*: the share of open invoices, by count and by amount,
  more than 60 days past due.
- *Receivables* at a date = the signed sum of open amounts of every
  document, credit notes included. *Current receivables* = the part held by
  documents not yet past due on that date. *Credit sales* = the signed sum
  of the amounts of documents issued inside the period.
- DSO = ending receivables / credit sales × days in the period.
- CEI = (beginning receivables + credit sales − ending receivables) /
  (beginning receivables + credit sales − ending current receivables) × 100.
- Pareto, over the customers with an overdue balance (their overdue as
  above, credit notes netted in): the share held by the top 20% of them
  (rounded up to a whole customer) and the fewest customers holding 80%.
  The top debtors are ranked by the same balance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from cobranza.db.types import AMOUNT_SCALE
from cobranza.portfolio.snapshot import Snapshot

DELINQUENT_AFTER_DAYS = 60
PARETO_TOP_SHARE = Decimal("0.2")
PARETO_BALANCE_PERCENT = 80
PARETO_CURVE_POINTS = 100
RATE_STEP = Decimal("0.0001")
DAYS_STEP = Decimal("0.01")


@dataclass(frozen=True)
class AgingBucket:
    """One aging bucket: days past due from `min_days` to `max_days`."""

    key: str
    min_days: int | None
    max_days: int | None
    count: int
    amount: Decimal


BUCKET_BOUNDS: list[tuple[str, int | None, int | None]] = [
    ("current", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
]


def to_decimal(units: int) -> Decimal:
    """Convert stored integer units (ten-thousandths) to a `Decimal` amount."""
    return Decimal(int(units)).scaleb(-AMOUNT_SCALE)


def share(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """Return numerator / denominator unrounded, or None when undefined.

    Shares shown as a percentage are rounded once, when formatted, because
    rounding to `RATE_STEP` first would turn 0.025451 into 2,6 %.
    """
    if denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """Return numerator / denominator to four places, or None when undefined."""
    exact = share(numerator, denominator)
    return None if exact is None else exact.quantize(RATE_STEP)


def open_invoices(snapshot: Snapshot) -> pd.DataFrame:
    """Return the documents with a positive open amount on the as-of date."""
    documents = snapshot.documents
    return documents[documents["open"] > 0]


def aging(snapshot: Snapshot) -> list[AgingBucket]:
    """Count and sum the open invoices in each days-past-due bucket."""
    invoices = open_invoices(snapshot)
    days = invoices["days_past_due"]
    buckets = []
    for key, low, high in BUCKET_BOUNDS:
        mask = pd.Series(True, index=invoices.index)
        if low is not None:
            mask &= days >= low
        if high is not None:
            mask &= days <= high
        selected = invoices.loc[mask, "open"]
        buckets.append(
            AgingBucket(key, low, high, int(mask.sum()), to_decimal(selected.sum()))
        )
    return buckets


def overdue_net_of_credit_notes(snapshot: Snapshot) -> Decimal:
    """Sum what is overdue per customer once their credit notes are netted in."""
    return to_decimal(int(overdue_by_customer(snapshot).sum()))


def delinquency_rate(snapshot: Snapshot) -> dict[str, Decimal | None]:
    """Share of open invoices more than 60 days past due, by count and amount.

    The shares are unrounded; the JSON report rounds them to `RATE_STEP`.
    """
    invoices = open_invoices(snapshot)
    late = invoices[invoices["days_past_due"] > DELINQUENT_AFTER_DAYS]
    return {
        "by_count": share(len(late), len(invoices)),
        "by_amount": share(int(late["open"].sum()), int(invoices["open"].sum())),
    }


@dataclass(frozen=True)
class PeriodFigures:
    """The receivables and sales that DSO and CEI are computed from."""

    period_days: int
    beginning_receivables: Decimal
    credit_sales: Decimal
    ending_receivables: Decimal
    ending_current_receivables: Decimal

    @property
    def dso(self) -> Decimal | None:
        """Days sales outstanding to `DAYS_STEP`; None without credit sales."""
        exact = self.exact_dso
        return None if exact is None else exact.quantize(DAYS_STEP)

    @property
    def exact_dso(self) -> Decimal | None:
        """Days sales outstanding unrounded, for a display that rounds once."""
        if self.credit_sales <= 0:
            return None
        return self.ending_receivables / self.credit_sales * self.period_days

    @property
    def cei(self) -> Decimal | None:
        """Collection effectiveness index in percent to `DAYS_STEP`, or None."""
        exact = self.exact_cei
        return None if exact is None else abs_zero(exact.quantize(DAYS_STEP))

    @property
    def exact_cei(self) -> Decimal | None:
        """Collection effectiveness index in percent unrounded; None when undefined.

        The index is undefined unless something was collectible: with only
        credit notes the denominator is zero or negative, and a ratio of two
        negative sums would read as a high collection rate.
        """
        collectible = self.beginning_receivables + self.credit_sales
        denominator = collectible - self.ending_current_receivables
        if denominator <= 0:
            return None
        index = (collectible - self.ending_receivables) / denominator * 100
        return abs_zero(index)


def abs_zero(value: Decimal) -> Decimal:
    """Drop the minus sign of a zero, which would print as -0,0 %."""
    return abs(value) if value.is_zero() else value


def period_figures(snapshot: Snapshot, period_days: int) -> PeriodFigures:
    """Sum the receivables at both ends of the period and the sales inside it."""
    documents = snapshot.documents
    start = pd.Timestamp(snapshot.period_start)
    in_period = documents["issued_on"] > start
    current = documents["days_past_due"] <= 0
    return PeriodFigures(
        period_days=period_days,
        beginning_receivables=to_decimal(documents["open_at_start"].sum()),
        credit_sales=to_decimal(documents.loc[in_period, "amount"].sum()),
        ending_receivables=to_decimal(documents["open"].sum()),
        ending_current_receivables=to_decimal(documents.loc[current, "open"].sum()),
    )


def overdue_by_customer(snapshot: Snapshot) -> pd.Series:
    """Return each customer's overdue balance in stored units, largest first.

    A customer's credit notes cover what is not yet due first, and only the
    rest lowers the overdue invoices, never below zero. Customers left with
    nothing overdue are not listed.
    """
    documents = snapshot.documents
    open_amounts = documents["open"]
    invoice = open_amounts > 0
    past_due = documents["days_past_due"] > 0
    per_customer = (
        pd.DataFrame(
            {
                "customer_id": documents["customer_id"],
                "overdue": open_amounts.where(invoice & past_due, 0),
                "not_due": open_amounts.where(invoice & ~past_due, 0),
                "credit": (-open_amounts).where(open_amounts < 0, 0),
            }
        )
        .groupby("customer_id")
        .sum()
    )
    left_over_credit = (per_customer["credit"] - per_customer["not_due"]).clip(lower=0)
    overdue = (per_customer["overdue"] - left_over_credit).clip(lower=0)
    overdue = overdue[overdue > 0].astype("int64")

    # Ties are broken by customer id so that the order is stable.
    frame = overdue.rename("overdue").reset_index()
    frame = frame.sort_values(["overdue", "customer_id"], ascending=[False, True])
    return frame.set_index("customer_id")["overdue"]


@dataclass(frozen=True)
class Pareto:
    """How concentrated the overdue balance is among customers."""

    customers_with_overdue: int
    top_customers: int
    # Unrounded; the JSON report rounds it to `RATE_STEP`.
    top_share: Decimal | None
    customers_for_80_percent: int
    # Up to 100 points (share of customers, share of overdue balance),
    # largest debtors first; the HTML report draws them as the Pareto curve.
    curve: list[tuple[Decimal, Decimal]]


def pareto(snapshot: Snapshot) -> Pareto:
    """Measure the share of overdue balance held by the largest debtors."""
    overdue = overdue_by_customer(snapshot)
    # Python integers, because cumulative × 100 can overflow int64.
    cumulative = [int(value) for value in overdue.cumsum()]
    count = len(cumulative)
    total = cumulative[-1] if cumulative else 0
    if total == 0:
        return Pareto(count, 0, None, 0, [])

    top = math.ceil(count * PARETO_TOP_SHARE)
    top_share = share(cumulative[top - 1], total)
    needed = next(
        rank
        for rank, value in enumerate(cumulative, start=1)
        if value * 100 >= total * PARETO_BALANCE_PERCENT
    )
    return Pareto(count, top, top_share, needed, _curve(cumulative, total))


def _curve(cumulative: list[int], total: int) -> list[tuple[Decimal, Decimal]]:
    count = len(cumulative)
    points = min(count, PARETO_CURVE_POINTS)
    ranks = sorted({math.ceil(step * count / points) for step in range(1, points + 1)})
    return [
        (
            ratio(rank, count) or Decimal(0),
            ratio(cumulative[rank - 1], total) or Decimal(0),
        )
        for rank in ranks
    ]
