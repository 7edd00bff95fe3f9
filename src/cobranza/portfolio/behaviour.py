"""Per-customer payment behaviour from the paid invoices up to the as-of date.

An invoice (or debit note) counts as paid when its open amount on the as-of
date is zero or less; it was paid on the local date of the last payment
allocated to it. Days late = max(0, paid date − effective due date), so an
invoice paid on time counts as 0 days late in the mean and the median. The
effective due date is the next business day when the due date falls on a
weekend or holiday, so an invoice due on Saturday and paid on Monday is not
late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cobranza.db.models import DocumentKind
from cobranza.portfolio.rules import Segment, SegmentRules

DEBIT_KINDS = (DocumentKind.INVOICE.value, DocumentKind.DEBIT_NOTE.value)

BEHAVIOUR_COLUMNS = [
    "paid_invoices",
    "paid_late",
    "late_share",
    "mean_days_late",
    "median_days_late",
    "month_end_share",
    "month_end_payer",
    "segment",
]


def paid_invoices(documents: pd.DataFrame, rules: SegmentRules) -> pd.DataFrame:
    """Return the paid invoices with `days_late`, `late` and month-end flags."""
    paid = documents[
        documents["kind"].isin(DEBIT_KINDS)
        & (documents["amount"] > 0)
        & (documents["open"] <= 0)
        & documents["paid_on"].notna()
        & documents["due_on"].notna()
    ].copy()
    days = (paid["paid_on"] - paid["effective_due_on"]).dt.days
    paid["days_late"] = days.clip(lower=0).astype("int64")
    paid["late"] = days > rules.late_grace_days
    paid["paid_at_month_end"] = _in_month_end(paid["paid_on"], rules.month_end_days)
    paid["due_at_month_end"] = _in_month_end(paid["due_on"], rules.month_end_days)
    return paid


def _in_month_end(days: pd.Series, month_end_days: int) -> pd.Series:
    return days.dt.day > days.dt.days_in_month - month_end_days


def customer_behaviour(documents: pd.DataFrame, rules: SegmentRules) -> pd.DataFrame:
    """Summarise each customer's paid invoices and assign a segment.

    Returns one row per customer that has at least one document, indexed by
    `customer_id`, with the columns in `BEHAVIOUR_COLUMNS`.
    """
    paid = paid_invoices(documents, rules)
    grouped = paid.groupby("customer_id")
    stats = pd.DataFrame(
        {
            "paid_invoices": grouped.size(),
            "paid_late": grouped["late"].sum(),
            "mean_days_late": grouped["days_late"].mean(),
            "median_days_late": grouped["days_late"].median(),
            "month_end_share": grouped["paid_at_month_end"].mean(),
            "due_month_end_share": grouped["due_at_month_end"].mean(),
        }
    )
    customers = pd.Index(documents["customer_id"].unique(), name="customer_id")
    stats = stats.reindex(customers.sort_values())
    stats["paid_invoices"] = stats["paid_invoices"].fillna(0).astype("int64")
    stats["paid_late"] = stats["paid_late"].fillna(0).astype("int64")
    stats["late_share"] = stats["paid_late"] / stats["paid_invoices"].replace(0, np.nan)
    stats["month_end_payer"] = (
        (stats["paid_invoices"] >= rules.min_paid_invoices)
        & (stats["month_end_share"] >= rules.month_end_share)
        & (stats["due_month_end_share"] < rules.month_end_share)
    )
    stats["segment"] = classify(stats, rules)
    return stats[BEHAVIOUR_COLUMNS]


def classify(stats: pd.DataFrame, rules: SegmentRules) -> pd.Series:
    """Apply the segment rules of `SegmentRules` in order, first match wins."""
    late_share = stats["late_share"].fillna(0)
    conditions = [
        stats["paid_invoices"] < rules.min_paid_invoices,
        stats["month_end_payer"],
        late_share > rules.chronic_late_share,
        late_share > rules.occasional_late_share,
    ]
    choices = [
        Segment.NEW.value,
        Segment.MONTH_END.value,
        Segment.CHRONIC_LATE.value,
        Segment.OCCASIONAL_LATE.value,
    ]
    segments = np.select(conditions, choices, default=Segment.PUNCTUAL.value)
    return pd.Series(segments, index=stats.index, dtype=object)


def paid_late_by_month(paid: pd.DataFrame) -> pd.DataFrame:
    """Count paid invoices and the share paid late per calendar month paid."""
    if paid.empty:
        return pd.DataFrame(columns=["month", "paid_invoices", "paid_late"])
    month = paid["paid_on"].dt.strftime("%Y-%m")
    grouped = paid.groupby(month)
    frame = pd.DataFrame(
        {"paid_invoices": grouped.size(), "paid_late": grouped["late"].sum()}
    )
    frame.index.name = "month"
    return frame.reset_index().sort_values("month")
