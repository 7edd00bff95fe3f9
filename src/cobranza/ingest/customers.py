"""Customer listing with balances, for `cobranza customers`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.db.models import Business, Customer, Document
from cobranza.money import quantize


@dataclass(frozen=True)
class CustomerSummary:
    """One customer as listed: ids, contact state and balance."""

    id: int
    external_id: str
    name: str
    kind: str
    phone: str | None
    phone_status: str
    phone_problem: str | None
    tax_id: str | None
    tax_id_valid: bool | None
    balance: Decimal
    documents: int
    segment: str | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["balance"] = str(self.balance)
        return data


def list_customers(session: Session, business_id: int) -> list[CustomerSummary]:
    """Return the business's customers with their balance, by external id.

    Balances are rounded to the business currency's minor units.
    """
    currency = session.get_one(Business, business_id).currency
    totals = (
        select(
            Document.customer_id,
            func.sum(Document.open_amount).label("balance"),
            func.count(Document.id).label("documents"),
        )
        .where(Document.business_id == business_id)
        .group_by(Document.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(Customer, totals.c.balance, totals.c.documents)
        .outerjoin(totals, totals.c.customer_id == Customer.id)
        .where(Customer.business_id == business_id)
        .order_by(Customer.external_id)
    )
    return [
        CustomerSummary(
            id=customer.id,
            external_id=customer.external_id,
            name=customer.name,
            kind=customer.kind,
            phone=customer.phone,
            phone_status=customer.phone_status,
            phone_problem=customer.phone_problem,
            tax_id=customer.tax_id,
            tax_id_valid=customer.tax_id_valid,
            balance=quantize(_amount(balance), currency),
            documents=documents or 0,
            segment=customer.segment,
        )
        for customer, balance, documents in rows
    ]


def _amount(value: Decimal | None) -> Decimal:
    # A customer without documents has no row in the totals subquery.
    return Decimal(0) if value is None else value
