"""Holding and releasing a customer's invoices from the customer page.

Both forms call `cobranza.dunning.holds`, as `cobranza case hold` and
`cobranza case release` do, and return to the customer page with a notice.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from cobranza.dunning.errors import HoldError
from cobranza.dunning.holds import hold_day, hold_invoices, release_invoices
from cobranza.payments.plans import cancelled_plans
from cobranza.web.dashboard.common import (
    actor_of,
    business_of,
    customer_or_404,
    invoice_or_404,
)
from cobranza.web.dashboard.customers import back_to_customer
from cobranza.web.error_pages import quoted
from cobranza.web.security import db, now, signed_in

router = APIRouter()


@router.post("/clientes/{customer_id}/retener")
def hold(
    request: Request,
    customer_id: int,
    document_id: list[int] = Form([]),
    until: str = Form("", max_length=32),
    no_end: bool = Form(False),
    reason: str = Form("", max_length=500),
) -> RedirectResponse:
    """Stop collecting the invoices ticked, through a day or with no end."""
    user = signed_in(request)
    instant = now(request)
    if not document_id:
        return back_to_customer(
            request,
            customer_id,
            error="Marcá al menos una factura para dejar de cobrarla.",
        )
    end = None
    if not no_end and not until.strip():
        return back_to_customer(
            request,
            customer_id,
            error="Elegí hasta qué día dejás de cobrarlas, o marcá «Sin fecha de fin».",
        )
    if not no_end:
        try:
            end = date.fromisoformat(until.strip())
        except ValueError:
            return back_to_customer(
                request,
                customer_id,
                error=f"La fecha «{quoted(until)}» no es válida. Elegí en el "
                "calendario hasta qué día dejás de cobrarlas, o marcá «Sin fecha "
                "de fin».",
            )

    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        numbers = [
            invoice_or_404(session, business.id, customer_id, document).number
            for document in document_id
        ]
        try:
            held = hold_invoices(
                session,
                customer,
                numbers,
                end,
                reason,
                hold_day(instant, customer.timezone, business.timezone),
                instant,
                actor_of(user.email),
            )
        except HoldError as exc:
            session.rollback()
            return back_to_customer(
                request, customer_id, error=f"No se retuvo ninguna factura: {exc}."
            )
        held_numbers = ", ".join(document.number for document in held)
        plan_ids = [plan.id for plan in cancelled_plans(session, customer.id, instant)]

    when = "sin fecha de fin" if end is None else f"hasta el {end:%d/%m/%Y}"
    cancelled = "".join(
        f" Se canceló el plan de cuotas n.º {plan_id}, que las incluía."
        for plan_id in plan_ids
    )
    return back_to_customer(
        request,
        customer_id,
        ok=f"Retenidas {when}: {held_numbers}. El robot no las cobra mientras "
        f"estén retenidas.{cancelled}",
    )


@router.post("/clientes/{customer_id}/facturas/{document_id}/liberar")
def release(request: Request, customer_id: int, document_id: int) -> RedirectResponse:
    """Collect a held invoice again from the next planning cycle on."""
    user = signed_in(request)
    instant = now(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        number = invoice_or_404(session, business.id, customer_id, document_id).number
        try:
            release_invoices(
                session,
                customer,
                [number],
                hold_day(instant, customer.timezone, business.timezone),
                instant,
                actor_of(user.email),
            )
        except HoldError as exc:
            session.rollback()
            return back_to_customer(request, customer_id, error=f"No se liberó: {exc}.")
    return back_to_customer(
        request,
        customer_id,
        ok=f"Factura {number} liberada: el próximo ciclo vuelve a incluirla en "
        "los recordatorios.",
    )
