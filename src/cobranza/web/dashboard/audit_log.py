"""Auditoría: the decision log, filtered, paged and exportable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Case,
    Customer,
    Document,
    InboundMessage,
    InstallmentPlan,
    OutboxMessage,
    Payment,
    PaymentLink,
    PromiseToPay,
    is_valid_id,
)
from cobranza.timeutil import start_of_day
from cobranza.web.dashboard.common import MAX_PAGE, PAGE_SIZE, business_of
from cobranza.web.error_pages import PageError, quoted
from cobranza.web.exports import export_response
from cobranza.web.security import db, signed_in
from cobranza.web.templating import render
from cobranza.wording import field_label

router = APIRouter()

EXPORT_LIMIT = 100_000
AUDIT_COLUMNS = ["fecha (UTC)", "actor", "tipo", "sujeto", "id", "cliente", "motivo"]

# Subjects whose row names the customer. Some events (a queued message that
# a newer step replaced) carry no `customer_id` in their details, so their
# customer is read from the subject's row.
SUBJECT_MODELS: dict[str, Any] = {
    "case": Case,
    "document": Document,
    "inbound_message": InboundMessage,
    "installment_plan": InstallmentPlan,
    "outbox_message": OutboxMessage,
    "payment_link": PaymentLink,
    "payment": Payment,
    "promise_to_pay": PromiseToPay,
}


def audit_query(
    business_id: int,
    timezone: str,
    kind: str,
    customer_id: int | None,
    since: date | None,
    until: date | None,
) -> Select:  # type: ignore[type-arg]
    """Return the business's audit events matching the filters, newest first."""
    statement = select(AuditEvent).where(AuditEvent.business_id == business_id)
    if kind:
        statement = statement.where(AuditEvent.kind == kind)
    if customer_id is not None and not is_valid_id(customer_id):
        # No event names this customer, and PostgreSQL rejects the comparison.
        statement = statement.where(false())
    elif customer_id is not None:
        statement = statement.where(_names_customer(business_id, customer_id))
    if since is not None:
        statement = statement.where(AuditEvent.at >= start_of_day(since, timezone))
    # The last day `date` has ends after every event, and the day after it
    # would overflow.
    if until is not None and until < date.max:
        end = start_of_day(until + timedelta(days=1), timezone)
        statement = statement.where(AuditEvent.at < end)
    return statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _names_customer(business_id: int, customer_id: int) -> ColumnElement[bool]:
    """Match events about `customer_id`: its own, in details, or by subject."""
    conditions: list[ColumnElement[bool]] = [
        (AuditEvent.subject_type == "customer")
        & (AuditEvent.subject_id == customer_id),
        AuditEvent.details["customer_id"].as_integer() == customer_id,
    ]
    for subject_type, model in SUBJECT_MODELS.items():
        subjects = select(model.id).where(
            model.business_id == business_id, model.customer_id == customer_id
        )
        conditions.append(
            (AuditEvent.subject_type == subject_type)
            & AuditEvent.subject_id.in_(subjects)
        )
    return or_(*conditions)


def _customer_of(event: AuditEvent) -> int | None:
    if event.subject_type == "customer":
        return event.subject_id
    value = (event.details or {}).get("customer_id")
    return value if isinstance(value, int) else None


def _customers_of(
    session: Session, business_id: int, events: Sequence[AuditEvent]
) -> dict[int, int | None]:
    """Map each event's id to its customer, read from its subject if needed."""
    customers = {event.id: _customer_of(event) for event in events}
    unresolved: dict[str, set[int]] = {}
    for event in events:
        subject_id = event.subject_id
        if customers[event.id] is not None or subject_id is None:
            continue
        if event.subject_type in SUBJECT_MODELS:
            unresolved.setdefault(event.subject_type, set()).add(subject_id)

    by_subject: dict[tuple[str, int], int] = {}
    for subject_type, subject_ids in unresolved.items():
        model = SUBJECT_MODELS[subject_type]
        rows = session.execute(
            select(model.id, model.customer_id).where(
                model.business_id == business_id, model.id.in_(subject_ids)
            )
        )
        for subject_id, customer_id in rows:
            by_subject[(subject_type, subject_id)] = customer_id

    for event in events:
        if customers[event.id] is None and event.subject_id is not None:
            key = (event.subject_type, event.subject_id)
            customers[event.id] = by_subject.get(key)
    return customers


def _customer_filter(text: str) -> int | None:
    """Return the customer id typed in the filter, or None for an empty filter."""
    typed = text.strip()
    if not typed:
        return None
    if not typed.isdigit():
        raise PageError(
            400,
            "Algunos datos no son válidos.",
            [
                f"«{field_label('customer')}»: «{quoted(typed)}» no es un número "
                "entero. Escribí el número que figura en la dirección de la página "
                "del cliente, como 12 en /clientes/12."
            ],
        )
    return int(typed)


@router.get("/auditoria", response_class=HTMLResponse, response_model=None)
def audit_page(
    request: Request,
    kind: str = Query("", max_length=64),
    customer: str = Query("", max_length=12),
    since: date | None = Query(None),
    until: date | None = Query(None),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    export: str = Query(""),
) -> Response:
    """Show the decision log; `export=csv` or `export=xlsx` downloads it."""
    user = signed_in(request)
    customer_id = _customer_filter(customer)
    with db(request) as session:
        business = business_of(session, user.business_id)
        statement = audit_query(
            business.id, business.timezone, kind, customer_id, since, until
        )
        if export in ("csv", "xlsx"):
            events = session.scalars(statement.limit(EXPORT_LIMIT)).all()
            customers = _customers_of(session, business.id, events)
            rows = [
                [
                    event.at.isoformat(),
                    event.actor,
                    event.kind,
                    event.subject_type,
                    event.subject_id,
                    customers[event.id],
                    event.reason or "",
                ]
                for event in events
            ]
            return export_response("auditoria", export, AUDIT_COLUMNS, rows)

        total = session.scalar(select(func.count()).select_from(statement.subquery()))
        events = session.scalars(
            statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
        kinds = session.scalars(
            select(AuditEvent.kind)
            .where(AuditEvent.business_id == business.id)
            .distinct()
            .order_by(AuditEvent.kind)
        ).all()
        customers = _customers_of(session, business.id, events)
        customer_ids = {cid for cid in customers.values() if cid is not None}
        names = dict(
            session.execute(
                select(Customer.id, Customer.name).where(
                    Customer.business_id == business.id,
                    Customer.id.in_(customer_ids),
                )
            ).all()
        )
    pages = max(1, -(-(total or 0) // PAGE_SIZE))
    return render(
        request,
        "auditoria.html",
        {
            "events": [(event, customers[event.id]) for event in events],
            "names": names,
            "kinds": kinds,
            "filters": {
                "kind": kind,
                "customer": customer_id or "",
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
            },
            "page": page,
            "pages": pages,
            "total": total,
            "timezone": business.timezone,
            "query": request.url.query,
        },
    )
