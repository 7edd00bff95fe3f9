"""Link targets: the amount a payment link collects (balance, installment, offer).

A link's amount and invoice set are fixed when it is created. `balance_target`
reads what the customer owes today, so a link whose amount no longer matches
is replaced instead of charging a stale amount.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import Document, PaymentLinkPurpose
from cobranza.dunning.holds import not_held_on
from cobranza.money import quantize
from cobranza.payments.base import CheckoutItem

_ITEM_TITLES = {"es": "Factura {number}", "pt": "Fatura {number}"}
_BALANCE_TITLES = {"es": "Saldo de {name}", "pt": "Saldo de {name}"}


@dataclass(frozen=True)
class LinkTarget:
    """The amount a link collects, for which invoices, and until when."""

    purpose: PaymentLinkPurpose
    amount: Decimal
    currency: str
    document_ids: tuple[int, ...]
    items: tuple[CheckoutItem, ...] = field(default=(), compare=False)
    expires_at: datetime | None = None
    installment_id: int | None = None
    # Set when only the invoices due by this day are collected (`due_target`).
    due_by: date | None = field(default=None, compare=False)


@dataclass(frozen=True)
class OpenDocument:
    id: int
    kind: str
    number: str
    due_on: date | None
    open_amount: Decimal
    currency: str


def open_documents(
    session: Session, business_id: int, customer_id: int, today: date
) -> list[OpenDocument]:
    """Return the customer's collectable documents, oldest due date first.

    Disputed documents, documents on hold through `today` and documents a
    full-snapshot import no longer lists are left out, as the planner does.
    Credit notes (negative open amounts) are included so they net in.
    """
    rows = session.execute(
        select(
            Document.id,
            Document.kind,
            Document.number,
            Document.due_on,
            Document.open_amount,
            Document.currency,
        )
        .where(
            Document.business_id == business_id,
            Document.customer_id == customer_id,
            Document.open_amount != 0,
            Document.missing_since.is_(None),
            Document.disputed.is_(False),
            not_held_on(today),
        )
        .order_by(Document.due_on.is_(None), Document.due_on, Document.id)
    )
    return [OpenDocument(*row) for row in rows]


def owed_currencies(documents: list[OpenDocument]) -> list[str]:
    """Return the currencies whose collectable balance is positive, by code."""
    totals: dict[str, Decimal] = {}
    for document in documents:
        totals[document.currency] = (
            totals.get(document.currency, Decimal(0)) + document.open_amount
        )
    return sorted(code for code, total in totals.items() if total > 0)


def balance_target(
    documents: list[OpenDocument],
    language: str,
    customer_name: str,
    currency: str | None = None,
) -> LinkTarget | None:
    """Return the balance link target, or None when nothing is owed.

    A checkout charges one currency. Without `currency`, a customer who owes
    in several is asked for the currency of the oldest due invoice first,
    as the planner reminds them. Only a currency whose balance is positive
    after its credit notes counts, and a tie on the due date goes to the
    currency code that sorts first. With `currency`, the balance in that
    currency is the target.
    """
    if currency is not None:
        documents = [
            document for document in documents if document.currency == currency
        ]
    totals: dict[str, Decimal] = {}
    for document in documents:
        totals[document.currency] = (
            totals.get(document.currency, Decimal(0)) + document.open_amount
        )
    owed = [
        document
        for document in documents
        if document.open_amount > 0 and totals[document.currency] > 0
    ]
    if not owed:
        return None
    oldest = min(
        owed,
        key=lambda document: (
            document.due_on is None,
            document.due_on or date.min,
            document.currency,
        ),
    )
    chosen = oldest.currency
    in_currency = [document for document in documents if document.currency == chosen]
    amount = quantize(
        sum((document.open_amount for document in in_currency), Decimal(0)), chosen
    )
    if amount <= 0:
        return None

    return LinkTarget(
        purpose=PaymentLinkPurpose.BALANCE,
        amount=amount,
        currency=chosen,
        document_ids=tuple(sorted(document.id for document in in_currency)),
        items=_items(in_currency, amount, language, customer_name),
    )


def due_target(
    documents: list[OpenDocument],
    due_by: date,
    language: str,
    customer_name: str,
    named_ids: Collection[int] | None = None,
    currency: str | None = None,
) -> LinkTarget | None:
    """Return the target for the invoices due by `due_by`, or None when nothing is owed.

    The currency is chosen as `balance_target` chooses it.

    A reminder names only the invoices due by its cutoff, and its link must
    ask for the same sum. When credit notes bring the whole balance below
    that sum, the reminder names the whole balance, and so does the link, as
    it does when none of the invoices due by then is still open. With
    `named_ids`, only those invoices count as due, because the reminder's
    text sums its own invoices and not ones imported after it was planned.
    The target keeps `due_by` in every case, so an invoice imported after
    the reminder and due later is not added to its link.
    """
    whole = balance_target(documents, language, customer_name, currency)
    if whole is None:
        return None
    due = [
        document
        for document in documents
        if document.currency == whole.currency
        and document.open_amount > 0
        and document.due_on is not None
        and document.due_on <= due_by
        and (named_ids is None or document.id in named_ids)
    ]
    amount = quantize(
        sum((document.open_amount for document in due), Decimal(0)), whole.currency
    )
    if not due or amount >= whole.amount:
        return replace(whole, due_by=due_by)
    return LinkTarget(
        purpose=PaymentLinkPurpose.BALANCE,
        amount=amount,
        currency=whole.currency,
        document_ids=tuple(sorted(document.id for document in due)),
        items=_items(due, amount, language, customer_name),
        due_by=due_by,
    )


def _items(
    documents: list[OpenDocument],
    amount: Decimal,
    language: str,
    customer_name: str,
) -> tuple[CheckoutItem, ...]:
    """Return one item per invoice, or one item for the total.

    Checkout items cannot be negative, so a credit note (or a rounding
    difference) folds everything into one item for the balance.
    """
    currency = documents[0].currency
    items = tuple(
        CheckoutItem(
            _ITEM_TITLES.get(language, _ITEM_TITLES["es"]).format(
                number=document.number
            ),
            quantize(document.open_amount, currency),
        )
        for document in documents
    )
    has_credit = any(document.open_amount < 0 for document in documents)
    if has_credit or sum(item.amount for item in items) != amount:
        title = _BALANCE_TITLES.get(language, _BALANCE_TITLES["es"])
        return (CheckoutItem(title.format(name=customer_name), amount),)
    return items
