"""Load the portfolio as it stood on one date, with set-based queries.

Amounts stay in the stored unit (integer ten-thousandths, see
`cobranza.db.types.AMOUNT_SCALE`) inside the frames, so every sum is exact
integer arithmetic. They become `Decimal` only in the report.

A document counts when it was issued on or before the as-of date (a document
without an issue date always counts) and no import recorded it as cancelled:
a cancelled invoice was neither owed nor paid, so it is no receivable, no
sale and no collection. A payment counts when it was paid on or
before the end of the as-of date in the business's time zone, and the open
amount of a document is its amount minus the allocations of the payments that
count. The same query also gives the open amounts at the start of the
measuring period, for DSO and CEI.

A payment without a known date (`Payment.paid_at_unknown`, from an invoice
file that showed a settled amount but no payment date) counts from the
document's issue: it was made at some unknown time before it was stored, so
it leaves its document open in no receivable, neither at the end nor at the
start of the period, and it gives the document no payment date. No payment
is allocated to a credit note, so the part of a note that an import showed
as applied counts from the note's issue in the same way. Treating
the import's instant as its date would put every old collection inside the
period and make each settled invoice look paid late. Documents and payment sums are two
queries merged in pandas, which on SQLite ran faster than one outer join.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Select,
    String,
    case,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from cobranza.db.models import Allocation, Business, Customer, Document, Payment
from cobranza.ingest.plan import cancelled_document_ids
from cobranza.timeutil import end_of_day

DOCUMENT_COLUMNS = [
    "document_id",
    "customer_id",
    "kind",
    "currency",
    "issued_on",
    "due_on",
    "amount",
    "disputed",
    "stored_open",
]
PAID_COLUMNS = ["document_id", "paid", "paid_at_start", "last_paid_at"]

# A function from a due date to its effective due date, which is the next
# business day when the due date falls on a weekend or holiday. The callers
# pass `cobranza.compliance.business_days.effective_due_dates(business)`.
EffectiveDueDate = Callable[[date], date]


@dataclass(frozen=True)
class Snapshot:
    """The documents and customers of one business as of `as_of`.

    `documents` has one row per counted document. These columns are in
    stored units: `amount`, `open` (open amount on `as_of`) and
    `open_at_start` (open amount at the end of `period_start`, or 0 when
    issued later). These are datetime64: `issued_on`, `due_on` (the issue
    date when the due date is missing) and `paid_on` (local date of the last
    counted payment with a known date, NaT when none), and
    `effective_due_on`, the day `due_on` moves to when it is not a business
    day. `days_past_due` counts from `due_on` to `as_of` up to the due date
    (zero or negative), stays zero until the effective due date, and then
    counts from the effective due date.

    `all_documents` has the same columns for every currency. Amount metrics
    read `documents`, which keeps only `currency`, while payment behaviour
    reads `all_documents`, because lateness does not depend on the currency.
    """

    as_of: date
    period_start: date
    timezone: str
    currency: str
    documents: pd.DataFrame
    all_documents: pd.DataFrame
    customers: pd.DataFrame

    def other_currencies(self) -> dict[str, int]:
        """Count the documents in currencies other than `currency`."""
        frame = self.all_documents
        counts = frame.loc[frame["currency"] != self.currency, "currency"]
        return {str(key): int(value) for key, value in counts.value_counts().items()}


def load_snapshot(
    session: Session,
    business: Business,
    as_of: date,
    period_days: int,
    currency: str | None = None,
    *,
    effective_due: EffectiveDueDate | None = None,
) -> Snapshot:
    """Read the documents open or paid as of `as_of` into data frames.

    `currency` selects the documents of the amount metrics and defaults to
    the business's currency. Without `effective_due`, no due date moves.
    """
    period_start = as_of - timedelta(days=period_days)
    documents = _frame(session, _documents_query(business, as_of), DOCUMENT_COLUMNS)
    paid = _frame(session, _paid_query(business, as_of, period_start), PAID_COLUMNS)
    # An empty result has object columns, which pandas will not merge on.
    documents["document_id"] = documents["document_id"].astype("int64")
    paid["document_id"] = paid["document_id"].astype("int64")
    documents = documents.merge(paid, on="document_id", how="left")
    documents = _derive_columns(documents, business.timezone, as_of, period_start)
    documents = _count_days_past_due(documents, as_of, effective_due)

    customer_rows = session.execute(
        select(Customer.id, Customer.external_id, Customer.name, Customer.segment)
        .where(Customer.business_id == business.id)
        .order_by(Customer.id)
    ).all()
    customers = pd.DataFrame.from_records(
        customer_rows, columns=["customer_id", "external_id", "name", "segment"]
    )

    chosen = (currency or business.currency).upper()
    return Snapshot(
        as_of=as_of,
        period_start=period_start,
        timezone=business.timezone,
        currency=chosen,
        documents=documents[documents["currency"] == chosen],
        all_documents=documents,
        customers=customers,
    )


def _frame(
    session: Session, statement: Select[*tuple[Any, ...]], columns: list[str]
) -> pd.DataFrame:
    result = session.execute(statement)
    # Plain tuples, because pandas probes each Row for attributes otherwise.
    rows = [tuple(row) for row in result]
    return pd.DataFrame.from_records(rows, columns=columns)


def _documents_query(business: Business, as_of: date) -> Select[*tuple[Any, ...]]:
    return select(
        Document.id,
        Document.customer_id,
        Document.kind,
        Document.currency,
        _unprocessed(Document.issued_on),
        _unprocessed(Document.due_on),
        type_coerce(Document.amount, BigInteger),
        Document.disputed,
        type_coerce(Document.open_amount, BigInteger),
    ).where(
        Document.business_id == business.id,
        or_(Document.issued_on <= as_of, Document.issued_on.is_(None)),
        Document.id.not_in(cancelled_document_ids(business.id)),
    )


# NOTE: the open amount is the amount minus these allocations. It equals
# Document.open_amount only while every balance change is an allocation, so
# an amount that a later import edits without one makes the two differ.
def _paid_query(
    business: Business, as_of: date, period_start: date
) -> Select[*tuple[Any, ...]]:
    """Sum each document's allocations by the as-of date and by period start."""
    cutoff = end_of_day(as_of, business.timezone)
    start_cutoff = end_of_day(period_start, business.timezone)
    allocated = type_coerce(Allocation.amount, BigInteger)
    unknown = Payment.paid_at_unknown.is_(True)
    by_start = case((or_(unknown, Payment.paid_at <= start_cutoff), allocated), else_=0)
    known_paid_at = case((unknown, None), else_=Payment.paid_at)
    return (
        select(
            Allocation.document_id,
            func.sum(allocated),
            func.sum(by_start),
            _unprocessed(func.max(known_paid_at)),
        )
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(
            Allocation.business_id == business.id,
            Payment.business_id == business.id,
            or_(unknown, Payment.paid_at <= cutoff),
        )
        .group_by(Allocation.document_id)
    )


def _unprocessed(column: Any) -> Any:
    """Skip SQLAlchemy's per-row conversion of a date or time column.

    SQLite then returns ISO text and PostgreSQL its driver's date or naive
    UTC datetime, and pandas converts the whole column at once.
    """
    return type_coerce(column, String())


def _derive_columns(
    frame: pd.DataFrame, timezone: str, as_of: date, period_start: date
) -> pd.DataFrame:
    frame = frame.copy()
    frame["amount"] = frame["amount"].astype("int64")
    # Documents without a counted payment have no row in the payment sums.
    for column in ("paid", "paid_at_start"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["disputed"] = frame["disputed"].fillna(False).astype(bool)
    # Payments are allocated to invoices only, so the applied part of a
    # credit note is what an imported balance settled. It has no date, so it
    # counts from the note's issue, as a payment without a date does.
    credit_note = frame["kind"] == "credit_note"
    applied = frame["amount"] - frame["stored_open"].astype("int64")
    frame.loc[credit_note, "paid"] = applied[credit_note]
    frame.loc[credit_note, "paid_at_start"] = applied[credit_note]
    frame = frame.drop(columns=["stored_open"])
    frame["issued_on"] = pd.to_datetime(frame["issued_on"], format="ISO8601")
    # A document without a due date is due when it is issued.
    due_on = pd.to_datetime(frame["due_on"], format="ISO8601")
    frame["due_on"] = due_on.fillna(frame["issued_on"])

    # Stored times are naive UTC on both databases (see UTCDateTime).
    last_paid = pd.to_datetime(frame["last_paid_at"], format="ISO8601", utc=True)
    frame["paid_on"] = last_paid.dt.tz_convert(timezone).dt.tz_localize(None)
    frame["paid_on"] = frame["paid_on"].dt.normalize()
    frame = frame.drop(columns=["last_paid_at"])

    frame["open"] = frame["amount"] - frame["paid"]
    issued_by_start = frame["issued_on"].isna() | (
        frame["issued_on"] <= pd.Timestamp(period_start)
    )
    frame["open_at_start"] = (frame["amount"] - frame["paid_at_start"]).where(
        issued_by_start, 0
    )
    return frame


def _count_days_past_due(
    frame: pd.DataFrame, as_of: date, effective_due: EffectiveDueDate | None
) -> pd.DataFrame:
    """Add `effective_due_on` and `days_past_due` (see `Snapshot`)."""
    frame = frame.copy()
    frame["effective_due_on"] = frame["due_on"]
    if effective_due is not None:
        # A portfolio has few distinct due dates, so each is looked up once.
        moved = {
            day: pd.Timestamp(effective_due(day.date()))
            for day in frame["due_on"].dropna().unique()
        }
        # `map` of an empty column returns objects, so the dtype is set again.
        frame["effective_due_on"] = pd.to_datetime(frame["due_on"].map(moved))

    up_to_due = (pd.Timestamp(as_of) - frame["due_on"]).dt.days
    after_due = (pd.Timestamp(as_of) - frame["effective_due_on"]).dt.days.clip(lower=0)
    days = up_to_due.where(up_to_due <= 0, after_due)
    # A document with neither date is counted as not yet due.
    frame["days_past_due"] = days.fillna(0).astype("int64")
    return frame
