"""The planner's one aggregate query: each customer's open balance and stage.

The query groups a business's open documents by customer and currency in
the database, so planning a portfolio of a million invoices reads one row
per customer instead of one ORM object per invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    select,
    type_coerce,
)

from cobranza.db.models import Customer, Document
from cobranza.db.types import Amount
from cobranza.dunning.holds import not_held_on


@dataclass(frozen=True)
class CustomerBalance:
    """One customer's open documents in one currency, summed on a given day."""

    customer_id: int
    currency: str
    # Every open document, disputed and held ones included.
    total_balance: Decimal
    # Collectable documents only, credit notes netted in.
    balance: Decimal
    overdue_amount: Decimal
    # The collectable invoices that `overdue_amount` sums.
    overdue_count: int
    oldest_due_on: date | None
    # The collectable invoices (positive open amount), sorted.
    document_ids: tuple[int, ...]
    name: str
    kind: str
    segment: str | None
    risk_score: float | None
    locale: str | None


def customer_balances_query(
    business_id: int, today: date, overdue_cutoff: date, dialect: str
) -> Select[Any]:
    """Select one row per (customer, currency) with open documents, by customer.

    A document is collectable when it is neither disputed nor on hold through
    `today`. A collectable invoice is overdue when it fell due on or before
    `overdue_cutoff`, the last business day before `today`
    (`cobranza.compliance.business_days.overdue_cutoff`). Documents that a
    full-snapshot import no longer lists (`missing_since` set) are left out
    entirely.
    """
    # NOTE: the planner passes the business's day, while the gate reads holds
    # on the customer's own day, so near midnight a row planned here may be
    # deferred by the gate.
    collectable = and_(Document.disputed.is_(False), not_held_on(today))
    collectable_invoice = and_(collectable, Document.open_amount > 0)
    overdue_invoice = and_(collectable_invoice, Document.due_on <= overdue_cutoff)

    totals = (
        select(
            Document.customer_id,
            Document.currency,
            _amount_sum(Document.open_amount).label("total_balance"),
            _amount_sum(case((collectable, Document.open_amount), else_=0)).label(
                "balance"
            ),
            _amount_sum(case((overdue_invoice, Document.open_amount), else_=0)).label(
                "overdue_amount"
            ),
            func.count(case((overdue_invoice, Document.id))).label("overdue_count"),
            func.min(case((collectable_invoice, Document.due_on))).label(
                "oldest_due_on"
            ),
            _id_list(case((collectable_invoice, Document.id)), dialect).label(
                "document_ids"
            ),
        )
        .where(
            Document.business_id == business_id,
            Document.open_amount != 0,
            Document.missing_since.is_(None),
        )
        .group_by(Document.customer_id, Document.currency)
        .subquery("totals")
    )
    return (
        select(
            totals,
            Customer.name,
            Customer.kind,
            Customer.segment,
            Customer.risk_score,
            Customer.locale,
        )
        .join(Customer, Customer.id == totals.c.customer_id)
        # A customer whose personal data was erased is never written to, so
        # the planner opens no case for it.
        .where(Customer.erased_at.is_(None))
        .order_by(totals.c.customer_id, totals.c.currency)
    )


def to_customer_balance(row: object) -> CustomerBalance:
    """Convert one result row of `customer_balances_query`."""
    mapping = row._mapping  # type: ignore[attr-defined]
    ids_text = mapping["document_ids"]
    document_ids = (
        tuple(sorted(int(part) for part in ids_text.split(","))) if ids_text else ()
    )
    return CustomerBalance(
        customer_id=mapping["customer_id"],
        currency=mapping["currency"],
        total_balance=_amount(mapping["total_balance"]),
        balance=_amount(mapping["balance"]),
        overdue_amount=_amount(mapping["overdue_amount"]),
        overdue_count=int(mapping["overdue_count"]),
        oldest_due_on=_as_date(mapping["oldest_due_on"]),
        document_ids=document_ids,
        name=mapping["name"],
        kind=mapping["kind"],
        segment=mapping["segment"],
        risk_score=mapping["risk_score"],
        locale=mapping["locale"],
    )


def _amount(value: Decimal | None) -> Decimal:
    # SUM over no rows is NULL. `or` would also replace a Decimal zero.
    return Decimal(0) if value is None else value


def _amount_sum(expression: ColumnElement[Decimal] | object) -> ColumnElement[Decimal]:
    # SUM of the scaled integers is exact, and Amount turns it into a Decimal.
    return type_coerce(func.sum(expression), Amount)


def _id_list(expression: ColumnElement[int], dialect: str) -> ColumnElement[str]:
    """Aggregate ids into one comma-separated text; NULLs are left out."""
    if dialect == "postgresql":
        return func.string_agg(cast(expression, String), ",")
    return func.group_concat(expression)


def _as_date(value: date | str | None) -> date | None:
    # SQLite returns MIN() over a CASE as the stored ISO text, not a date.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
