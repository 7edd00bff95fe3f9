"""Queries behind the Clientes pages, every one scoped by business."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from cobranza.compliance.business_days import days_past_due, overdue_cutoff
from cobranza.compliance.rules import rules_for_business
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    ConsentEvent,
    Customer,
    Document,
    Payment,
)
from cobranza.dunning.holds import CUSTOMER_CHUNK, not_held_on, on_customer_day
from cobranza.ingest.taxids import compact_tax_id
from cobranza.phones import normalize_phone
from cobranza.timeutil import local_date


@dataclass(frozen=True)
class CaseColumns:
    """The columns of an open case that the list's state words depend on."""

    state: str
    handoff_reason: str | None
    paused_until: datetime | None
    pause_reason: str | None


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list."""

    id: int
    external_id: str
    name: str
    phone: str | None
    phone_status: str
    segment: str | None
    # In the business's currency; open balances in others are listed apart.
    balance: Decimal
    days_past_due: int
    case_state: str | None
    case: CaseColumns | None
    other_balances: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class CustomerFilters:
    """Filters of the list: segment, only overdue, free text."""

    segment: str = ""
    overdue: bool = False
    search: str = ""


# A search made of digits and the marks people type in phones: "55 2345-6789".
_PHONE_SEARCH = re.compile(r"\+?[\d\s().-]*\d[\d\s().-]*")


# A tax id as printed, with points, hyphens or slashes and a Chilean RUT's
# final K: "76.543.210-3", "96.789.012-K", "11.222.333/0001-81".
_TAX_ID_SEARCH = re.compile(r"[\d\s./-]*\d[\d\s./-]*k?", re.IGNORECASE)


def _tax_id_matches(term: str) -> list[ColumnElement[bool]]:
    """Return conditions that find `term` as a tax id however it is printed.

    Tax ids are stored compact ("765432103", "12345678909"), so
    "76.543.210-3" and "11.222.333/0001-81" match by their digits and
    letters. An import without customer codes uses the compact form as the
    code too, which a term made only of digits and separators also matches.
    """
    compact = compact_tax_id(term)
    if not any(char.isdigit() for char in compact):
        return []
    conditions = [Customer.tax_id.contains(compact, autoescape=True)]
    if _TAX_ID_SEARCH.fullmatch(term):
        conditions.append(
            func.upper(Customer.external_id).contains(compact, autoescape=True)
        )
    return conditions


def _phone_matches(term: str, country: str) -> list[ColumnElement[bool]]:
    """Return conditions that find `term` in stored phones however it is typed.

    Phones are stored in E.164, so "55 2345 6789" matches by its digits, and
    "+52 1 55 2345 6789" or "044 55 2345 6789" by the number it normalises to.
    """
    if not _PHONE_SEARCH.fullmatch(term):
        return []
    digits = re.sub(r"\D", "", term)
    conditions = [Customer.phone.contains(digits, autoescape=True)]
    normalized = normalize_phone(term, country, mobile=True).e164
    if normalized is not None:
        conditions.append(Customer.phone == normalized)
    return conditions


def _listing(business: Business, cutoff: date, filters: CustomerFilters) -> Select:  # type: ignore[type-arg]
    business_id, currency = business.id, business.currency
    totals = (
        select(
            Document.customer_id,
            func.sum(Document.open_amount)
            .filter(Document.currency == currency)
            .label("balance"),
            # `cutoff` is the latest due date that is overdue today.
            func.min(Document.due_on)
            .filter(Document.open_amount > 0, Document.due_on <= cutoff)
            .label("oldest_due"),
        )
        # Settled documents add nothing to a balance, so they are skipped.
        .where(Document.business_id == business_id, Document.open_amount != 0)
        .group_by(Document.customer_id)
        .subquery()
    )
    cases = (
        select(
            Case.customer_id,
            Case.state,
            Case.handoff_reason,
            Case.paused_until,
            Case.pause_reason,
        )
        .where(Case.business_id == business_id, Case.closed_at.is_(None))
        .subquery()
    )
    statement = (
        select(
            Customer,
            totals.c.balance,
            totals.c.oldest_due,
            cases.c.state,
            cases.c.handoff_reason,
            cases.c.paused_until,
            cases.c.pause_reason,
        )
        .outerjoin(totals, totals.c.customer_id == Customer.id)
        .outerjoin(cases, cases.c.customer_id == Customer.id)
        .where(Customer.business_id == business_id)
    )
    if filters.segment:
        statement = statement.where(Customer.segment == filters.segment)
    if filters.overdue:
        statement = statement.where(totals.c.oldest_due.is_not(None))
    if filters.search.strip():
        # autoescape makes % and _ in the search match themselves.
        term = filters.search.strip().lower()
        statement = statement.where(
            or_(
                func.lower(Customer.name).contains(term, autoescape=True),
                func.lower(Customer.external_id).contains(term, autoescape=True),
                Customer.phone.contains(term, autoescape=True),
                *_phone_matches(term, business.country),
                *_tax_id_matches(term),
            )
        )
    return statement


def list_customers_page(
    session: Session,
    business: Business,
    today: date,
    filters: CustomerFilters,
    page: int,
    page_size: int,
) -> tuple[list[CustomerRow], int]:
    """Return one page of customers, most overdue first, and the total count.

    An invoice due on a weekend or holiday is overdue only after the next
    business day, and its days past due count from that day
    (`cobranza.compliance.business_days`). The total comes from a window
    function in the page query, so the documents are aggregated once; only a
    page past the end needs a second query to count. `balance` sums the
    business's currency only, and each other currency is summed apart into
    `other_balances`.
    """
    rules = rules_for_business(business.country, business.settings)
    cutoff = overdue_cutoff(rules, today)
    statement = _listing(business, cutoff, filters)
    rows = session.execute(
        statement.add_columns(func.count().over().label("total"))
        .order_by(
            statement.selected_columns.oldest_due.is_(None),
            statement.selected_columns.oldest_due,
            Customer.name,
            Customer.id,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    if rows:
        total = int(rows[0].total)
    else:
        counted = select(func.count()).select_from(statement.subquery())
        total = session.scalar(counted) or 0
    others = _other_balances(session, business, [row.Customer.id for row in rows])
    return [
        CustomerRow(
            id=row.Customer.id,
            external_id=row.Customer.external_id,
            name=row.Customer.name,
            phone=row.Customer.phone,
            phone_status=row.Customer.phone_status,
            segment=row.Customer.segment,
            balance=Decimal(row.balance or 0),
            days_past_due=(
                days_past_due(rules, row.oldest_due, today) if row.oldest_due else 0
            ),
            case_state=row.state,
            case=None
            if row.state is None
            else CaseColumns(
                row.state, row.handoff_reason, row.paused_until, row.pause_reason
            ),
            other_balances=others.get(row.Customer.id, ()),
        )
        for row in rows
    ], total


def _other_balances(
    session: Session, business: Business, customer_ids: list[int]
) -> dict[int, tuple[tuple[str, Decimal], ...]]:
    """Sum each customer's open documents in currencies other than the business's."""
    found: dict[int, list[tuple[str, Decimal]]] = {}
    for start in range(0, len(customer_ids), 500):
        rows = session.execute(
            select(
                Document.customer_id, Document.currency, func.sum(Document.open_amount)
            )
            .where(
                Document.business_id == business.id,
                Document.customer_id.in_(customer_ids[start : start + 500]),
                Document.currency != business.currency,
                Document.open_amount != 0,
            )
            .group_by(Document.customer_id, Document.currency)
            .order_by(Document.customer_id, Document.currency)
        ).all()
        for customer_id, code, amount in rows:
            if amount:
                found.setdefault(customer_id, []).append((code, Decimal(amount)))
    return {customer_id: tuple(amounts) for customer_id, amounts in found.items()}


def segments_in_use(session: Session, business_id: int) -> list[str]:
    """Return the segments that some customer of the business has."""
    return sorted(
        s
        for s in session.scalars(
            select(Customer.segment)
            .where(Customer.business_id == business_id)
            .distinct()
        )
        if s
    )


def customer_documents(
    session: Session, business_id: int, customer_id: int
) -> list[Document]:
    """Return the customer's documents, newest due date first."""
    # Sorted here: an ORDER BY due_on leads SQLite to the (business, due_on)
    # index and a scan of the whole business instead of the customer index.
    documents = session.scalars(
        select(Document).where(
            Document.business_id == business_id, Document.customer_id == customer_id
        )
    ).all()
    return sorted(
        documents,
        key=lambda document: (document.due_on or date.min, document.id),
        reverse=True,
    )


def customer_payments(
    session: Session, business_id: int, customer_id: int
) -> list[Payment]:
    """Return the customer's payments, newest first."""
    return list(
        session.scalars(
            select(Payment)
            .where(
                Payment.business_id == business_id, Payment.customer_id == customer_id
            )
            .order_by(Payment.paid_at.desc(), Payment.id.desc())
        )
    )


def customer_consents(
    session: Session, business_id: int, customer_id: int
) -> list[ConsentEvent]:
    """Return the customer's consent ledger, newest first."""
    return list(
        session.scalars(
            select(ConsentEvent)
            .where(
                ConsentEvent.business_id == business_id,
                ConsentEvent.customer_id == customer_id,
            )
            .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        )
    )


def open_case(session: Session, business_id: int, customer_id: int) -> Case | None:
    """Return the customer's open case, if any."""
    return session.scalars(
        select(Case).where(
            Case.business_id == business_id,
            Case.customer_id == customer_id,
            Case.closed_at.is_(None),
        )
    ).first()


@dataclass(frozen=True)
class DisputedInvoice:
    """An invoice with a balance in dispute, and the day its dispute opened."""

    number: str
    # None when no audit event records the dispute (a row set by hand).
    since: date | None


@dataclass(frozen=True)
class CustomerDisputes:
    """A customer's disputed invoices, and whether anything is left to collect."""

    disputed: tuple[DisputedInvoice, ...]
    # Every invoice owed is disputed or on hold on the customer's day, so
    # the planner and the gate send no reminder.
    nothing_collectable: bool


def customer_disputes(
    session: Session,
    business_id: int,
    customer_ids: Iterable[int],
    now: datetime,
    timezone: str,
) -> dict[int, CustomerDisputes]:
    """Return the disputes of the customers with a disputed invoice owed.

    Invoices count as in `open_invoices`, oldest due date first. A dispute
    opens on the day, in `timezone`, of its latest "document_disputed" audit
    event. Customers with no disputed invoice are left out of the result.
    """
    ids = sorted(set(customer_ids))
    collectable_now = and_(
        Document.disputed.is_(False),
        on_customer_day(session, business_id, now, timezone, not_held_on),
    )
    opened_at = (
        select(func.max(AuditEvent.at))
        .where(
            AuditEvent.business_id == business_id,
            AuditEvent.kind == "document_disputed",
            AuditEvent.subject_type == "document",
            AuditEvent.subject_id == Document.id,
        )
        .correlate(Document)
        .scalar_subquery()
    )
    disputed: dict[int, list[DisputedInvoice]] = {}
    collectable: set[int] = set()
    for start in range(0, len(ids), CUSTOMER_CHUNK):
        owed = and_(
            Document.business_id == business_id,
            Document.customer_id.in_(ids[start : start + CUSTOMER_CHUNK]),
            Document.open_amount > 0,
            Document.missing_since.is_(None),
        )
        for customer_id, number, at in session.execute(
            select(Document.customer_id, Document.number, opened_at)
            .where(owed, Document.disputed.is_(True))
            .order_by(Document.due_on.is_(None), Document.due_on, Document.id)
        ):
            since = None if at is None else local_date(at, timezone)
            disputed.setdefault(customer_id, []).append(DisputedInvoice(number, since))
        collectable.update(
            session.scalars(
                select(Document.customer_id).where(owed, collectable_now).distinct()
            )
        )
    return {
        customer_id: CustomerDisputes(tuple(invoices), customer_id not in collectable)
        for customer_id, invoices in disputed.items()
    }
