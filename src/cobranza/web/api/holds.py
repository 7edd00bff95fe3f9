"""REST API v1: invoice holds, shown on invoices and cases, set and released.

Holding and releasing call `cobranza.dunning.holds`, as `cobranza case hold`,
`cobranza case release` and the dashboard do. So the checks, the Spanish
error texts, the audit events (actor "api") and the effect on reminders,
payment links and installment plans are the same. A hold is "in force" on
the customer's local day (`hold_day`), as the gate reads it when it decides
what is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from cobranza.db.models import Business, Case, Customer, Document, is_valid_id
from cobranza.dunning.errors import HoldError
from cobranza.dunning.holds import (
    customer_holds,
    hold_day,
    hold_days,
    hold_document,
    hold_invoices,
    is_held,
    release_document,
    release_invoices,
)
from cobranza.web.api.auth import api_business
from cobranza.web.api.schemas import (
    CasePublic,
    CustomerHoldCreate,
    CustomerRelease,
    HeldInvoicePublic,
    HoldCreate,
    HoldPublic,
    HoldResult,
    InvoicePublic,
)
from cobranza.web.security import db, now

router = APIRouter(prefix="/api/v1", tags=["api"])

# The audit actor of holds and releases made through the API.
ACTOR = "api"
# The only form `until` takes. `date.fromisoformat` also reads other ISO
# 8601 forms, such as 20260430 and 2026-W18-4, that the docs do not offer.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HELD = "No se retuvo ninguna factura"
RELEASED = "No se liberó ninguna factura"


def business_timezone(session: Session, business_id: int) -> str:
    """Return the business's time zone, which customers without one read."""
    return session.get_one(Business, business_id).timezone


def present_invoices(
    session: Session, business_id: int, documents: Sequence[Document], now: datetime
) -> list[InvoicePublic]:
    """Return the public form of `documents`, each with the hold in force now."""
    days = hold_days(
        session,
        business_id,
        [document.customer_id for document in documents],
        now,
        business_timezone(session, business_id),
    )
    return [
        InvoicePublic.model_validate(document).model_copy(
            update={"hold": _hold_of(document, days[document.customer_id])}
        )
        for document in documents
    ]


def present_cases(
    session: Session, business_id: int, cases: Sequence[Case], now: datetime
) -> list[CasePublic]:
    """Return the public form of `cases`, each with its customer's held invoices."""
    holds = customer_holds(
        session,
        business_id,
        [case.customer_id for case in cases],
        now,
        business_timezone(session, business_id),
    )
    items = []
    for case in cases:
        found = holds.get(case.customer_id)
        held = [] if found is None else list(found.held)
        items.append(
            CasePublic.model_validate(case).model_copy(
                update={
                    "held_invoices": [_held_invoice(document) for document in held],
                    "all_invoices_held": found is not None and found.all_held,
                }
            )
        )
    return items


@router.post("/customers/{customer_id}/hold", response_model=HoldResult)
def hold_customer_invoices(
    request: Request,
    customer_id: int,
    body: CustomerHoldCreate,
    business_id: int = Depends(api_business),
) -> HoldResult:
    """Stop collecting the named invoices of a customer, or all with a balance."""
    return _hold(request, business_id, customer_id, body.numbers, body)


@router.post("/customers/{customer_id}/release", response_model=HoldResult)
def release_customer_invoices(
    request: Request,
    customer_id: int,
    body: CustomerRelease | None = None,
    business_id: int = Depends(api_business),
) -> HoldResult:
    """Collect the named held invoices of a customer again, or every held one."""
    numbers = [] if body is None else body.numbers
    return _release(request, business_id, customer_id, numbers)


@router.post("/invoices/{invoice_id}/hold", response_model=HoldResult)
def hold_invoice(
    request: Request,
    invoice_id: int,
    body: HoldCreate,
    business_id: int = Depends(api_business),
) -> HoldResult:
    """Stop collecting one invoice, through a day or with no end."""
    end = _hold_end(body)

    def change(session: Session, document: Document, today: date) -> Document:
        return hold_document(
            session, document, end, body.reason, today, now(request), ACTOR
        )

    return _change_invoice(request, business_id, invoice_id, change, HELD)


@router.post("/invoices/{invoice_id}/release", response_model=HoldResult)
def release_invoice(
    request: Request, invoice_id: int, business_id: int = Depends(api_business)
) -> HoldResult:
    """Collect a held invoice again from the next planning cycle on."""

    def change(session: Session, document: Document, today: date) -> Document:
        return release_document(session, document, today, now(request), ACTOR)

    return _change_invoice(request, business_id, invoice_id, change, RELEASED)


def _change_invoice(
    request: Request,
    business_id: int,
    invoice_id: int,
    change: Callable[[Session, Document, date], Document],
    failure: str,
) -> HoldResult:
    """Hold or release the document with this id itself, not by its number.

    An invoice and a credit or debit note may share a number, so resolving
    the id to a number could change another document.
    """
    instant = now(request)
    with db(request) as session:
        document = (
            session.get(Document, invoice_id) if is_valid_id(invoice_id) else None
        )
        if document is None or document.business_id != business_id:
            raise HTTPException(
                status_code=404, detail=f"document {invoice_id} not found"
            )
        customer = session.get_one(Customer, document.customer_id)
        timezone = business_timezone(session, business_id)
        today = hold_day(instant, customer.timezone, timezone)
        try:
            changed = change(session, document, today)
        except HoldError as exc:
            raise HTTPException(status_code=422, detail=f"{failure}: {exc}.") from exc
        return HoldResult(
            invoices=present_invoices(session, business_id, [changed], instant)
        )


def _hold(
    request: Request,
    business_id: int,
    customer_id: int,
    numbers: list[str],
    body: HoldCreate,
) -> HoldResult:
    end = _hold_end(body)
    instant = now(request)

    with db(request) as session:
        customer = _customer_or_404(session, business_id, customer_id)
        timezone = business_timezone(session, business_id)
        today = hold_day(instant, customer.timezone, timezone)
        try:
            held = hold_invoices(
                session, customer, numbers, end, body.reason, today, instant, ACTOR
            )
        except HoldError as exc:
            raise HTTPException(status_code=422, detail=f"{HELD}: {exc}.") from exc
        return HoldResult(
            invoices=present_invoices(session, business_id, held, instant)
        )


def _release(
    request: Request, business_id: int, customer_id: int, numbers: list[str]
) -> HoldResult:
    instant = now(request)
    with db(request) as session:
        customer = _customer_or_404(session, business_id, customer_id)
        timezone = business_timezone(session, business_id)
        today = hold_day(instant, customer.timezone, timezone)
        try:
            released = release_invoices(
                session, customer, numbers, today, instant, ACTOR
            )
        except HoldError as exc:
            raise HTTPException(status_code=422, detail=f"{RELEASED}: {exc}.") from exc
        return HoldResult(
            invoices=present_invoices(session, business_id, released, instant)
        )


def _hold_end(body: HoldCreate) -> date | None:
    """Return the last day of the hold in `body`, None for no end, or raise 422."""
    text = (body.until or "").strip()
    if text and body.no_end:
        raise HTTPException(
            status_code=422,
            detail="Mandá until o no_end, no los dos: until retiene las facturas "
            "hasta ese día inclusive y no_end las retiene sin fecha de fin.",
        )
    if not text and not body.no_end:
        raise HTTPException(
            status_code=422,
            detail="Falta hasta cuándo: mandá until con el último día, como "
            '"2026-04-30", o "no_end": true para retenerlas sin fecha de fin.',
        )
    if body.no_end:
        return None
    if ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # a day that does not exist, such as 2026-02-30
    raise HTTPException(
        status_code=422,
        detail=f"La fecha until {text!r} no es válida. Mandala como "
        'AAAA-MM-DD, por ejemplo "2026-04-30".',
    )


def _customer_or_404(session: Session, business_id: int, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id) if is_valid_id(customer_id) else None
    if customer is None or customer.business_id != business_id:
        raise HTTPException(status_code=404, detail=f"customer {customer_id} not found")
    return customer


def _hold_of(document: Document, today: date) -> HoldPublic | None:
    if not is_held(document.hold_until, document.held_at, today):
        return None
    return HoldPublic(
        until=document.hold_until,
        held_at=document.held_at,
        reason=document.hold_reason,
    )


def _held_invoice(document: Document) -> HeldInvoicePublic:
    return HeldInvoicePublic(
        invoice_id=document.id,
        number=document.number,
        until=document.hold_until,
        held_at=document.held_at,
        reason=document.hold_reason,
    )
