"""Customer listing with balances, for `cobranza customers`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
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
    # In the business's currency; documents in others are in `other_balances`.
    balance: Decimal
    documents: int
    segment: str | None
    other_balances: tuple[tuple[str, Decimal], ...] = ()
    # The part of `balance` from documents issued after today, which
    # `cobranza audit` and the Resumen leave out until their issue date.
    issued_after_today: Decimal = Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["balance"] = str(self.balance)
        data["issued_after_today"] = str(self.issued_after_today)
        data["other_balances"] = {
            currency: str(amount) for currency, amount in self.other_balances
        }
        return data


def list_customers(
    session: Session, business_id: int, today: date | None = None
) -> list[CustomerSummary]:
    """Return the business's customers with their balances, by external id.

    Each currency is summed apart and rounded to its minor units: the
    business's own is `balance`, and the others with an open amount are
    `other_balances`. A balance counts every stored document, whatever its
    issue date. Given `today`, the part of `balance` from documents issued
    later is `issued_after_today`.
    """
    currency = session.get_one(Business, business_id).currency
    issued_later = _issued_after(session, business_id, currency, today)
    totals = session.execute(
        select(
            Document.customer_id,
            Document.currency,
            func.sum(Document.open_amount),
            func.count(Document.id),
        )
        .where(Document.business_id == business_id)
        .group_by(Document.customer_id, Document.currency)
    ).all()
    balances: dict[int, dict[str, Decimal]] = defaultdict(dict)
    documents: dict[int, int] = defaultdict(int)
    for customer_id, code, amount, count in totals:
        balances[customer_id][code] = quantize(amount or Decimal(0), code)
        documents[customer_id] += count
    customers = session.scalars(
        select(Customer)
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
            balance=balances[customer.id].get(currency, quantize(Decimal(0), currency)),
            issued_after_today=issued_later.get(
                customer.id, quantize(Decimal(0), currency)
            ),
            documents=documents[customer.id],
            segment=customer.segment,
            other_balances=tuple(
                (code, amount)
                for code, amount in sorted(balances[customer.id].items())
                if code != currency and amount != 0
            ),
        )
        for customer in customers
    ]


def _issued_after(
    session: Session, business_id: int, currency: str, today: date | None
) -> dict[int, Decimal]:
    """Sum per customer the open amounts in `currency` issued after `today`."""
    if today is None:
        return {}
    rows = session.execute(
        select(Document.customer_id, func.sum(Document.open_amount))
        .where(
            Document.business_id == business_id,
            Document.currency == currency,
            Document.issued_on > today,
            Document.open_amount != 0,
        )
        .group_by(Document.customer_id)
    ).all()
    return {
        customer_id: quantize(amount, currency)
        for customer_id, amount in rows
        if amount
    }
