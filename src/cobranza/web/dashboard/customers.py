"""Clientes: the list, a customer's page and the owner's actions on it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.compliance.consent import record_consent
from cobranza.compliance.errors import ComplianceError
from cobranza.db.models import (
    AuditEvent,
    Business,
    ConsentAction,
    Customer,
    Document,
    PhoneStatus,
)
from cobranza.dunning.holds import held_invoices, hold_day, open_invoices
from cobranza.dunning.owner_actions import (
    pause_customer,
    resume_customer,
    set_disputed,
)
from cobranza.dunning.timeline import case_timeline
from cobranza.money import quantize
from cobranza.payments.plan_rows import PlanRows, latest_plan_rows
from cobranza.phones import (
    PHONE_EXAMPLES,
    area_code_word,
    current_brazilian_mobile,
    normalize_phone,
    phone_timezone,
)
from cobranza.portfolio.labels import SPANISH as SEGMENT_LABELS
from cobranza.timeutil import local_date
from cobranza.web.dashboard.common import (
    CLOSED_AS_PAID,
    MAX_PAGE,
    PAGE_SIZE,
    actor_of,
    business_of,
    customer_or_404,
    invoice_or_404,
    notice_of,
    redirect_with_notice,
)
from cobranza.web.dashboard.customer_queries import (
    CustomerFilters,
    CustomerRow,
    customer_consents,
    customer_documents,
    customer_payments,
    list_customers_page,
    open_case,
    segments_in_use,
)
from cobranza.web.dashboard.customer_state import (
    CustomerState,
    customer_states,
    one_customer_state,
)
from cobranza.web.dashboard.payment_form import payment_currencies
from cobranza.web.error_pages import quoted
from cobranza.web.exports import export_response
from cobranza.web.security import db, now, signed_in
from cobranza.web.templating import render
from cobranza.wording import (
    DOCUMENT_KIND_LABELS,
    actor_label,
    label_in_voice,
    timeline_detail,
)

router = APIRouter()


@router.get("/clientes", response_class=HTMLResponse)
def customer_list(
    request: Request,
    segment: str = Query(""),
    overdue: bool = Query(False),
    q: str = Query("", max_length=200),
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> HTMLResponse:
    """List the customers with filters and pages."""
    user = signed_in(request)
    filters = CustomerFilters(segment=segment, overdue=overdue, search=q)
    with db(request) as session:
        business = business_of(session, user.business_id)
        today = local_date(now(request), business.timezone)
        rows, total = list_customers_page(
            session, business, today, filters, page, PAGE_SIZE
        )
        states = _list_states(session, business, rows, now(request))
        segments = segments_in_use(session, business.id)
    pages = max(1, -(-total // PAGE_SIZE))
    context = {
        "rows": rows,
        "states": states,
        "total": total,
        "page": page,
        "pages": pages,
        "filters": filters,
        "segments": segments,
        "currency": business.currency,
        "locale": business.locale,
    }
    if request.headers.get("hx-request") or request.query_params.get("partial"):
        return render(request, "_customer_rows.html", context)
    return render(request, "clientes.html", context)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a customer's history: when, what, why, and who."""

    at: datetime
    kind: str
    detail: str
    source: str


def _list_states(
    session: Session, business: Business, rows: list[CustomerRow], instant: datetime
) -> dict[int, CustomerState]:
    """Return the state the customer list shows for each row, by customer id."""
    return customer_states(
        session,
        business.id,
        [(row.id, row.phone_status, row.case) for row in rows],
        instant,
        business.timezone,
        business.locale,
    )


def _customer_history(
    session: Session, business: Business, customer: Customer
) -> list[HistoryEntry]:
    """Return the customer's timeline, as `cobranza case show` has it, newest first."""
    timeline = case_timeline(session, business.id, customer.external_id)
    entries = [
        HistoryEntry(
            entry.at,
            entry.kind,
            timeline_detail(
                entry.kind,
                entry.facts,
                business.currency,
                business.locale,
                business.timezone,
            )
            or entry.detail,
            _source(entry.kind, entry.facts, business.locale),
        )
        for entry in timeline.entries
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _source(kind: str, facts: dict[str, object], locale: str) -> str:
    if kind == "reply":
        return "cliente"
    if kind == "message":
        return "envío"
    actor = str(facts.get("actor", ""))
    return label_in_voice(actor_label(actor), actor, locale)


@router.get("/clientes/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, customer_id: int) -> HTMLResponse:
    """Show a customer's invoices, payments, consents and timeline."""
    user = signed_in(request)
    notice = notice_of(request, user)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        case = open_case(session, business.id, customer.id)
        today = local_date(now(request), business.timezone)
        held = held_invoices(
            session,
            business.id,
            customer.id,
            hold_day(now(request), customer.timezone, business.timezone),
        )
        context = {
            "customer": customer,
            "business": business,
            "documents": customer_documents(session, business.id, customer.id),
            "held_ids": {document.id for document in held},
            "open_invoices": open_invoices(session, customer),
            "payments": customer_payments(session, business.id, customer.id),
            "consents": customer_consents(session, business.id, customer.id),
            "case": case,
            "state": one_customer_state(
                session,
                customer,
                case,
                now(request),
                business.timezone,
                business.locale,
            ),
            "timeline": _customer_history(session, business, customer),
            "payment_currencies": payment_currencies(session, business, customer.id),
            "today": today,
            "plans": _plans(latest_plan_rows(session, business, customer.id, today)),
            "message": notice[0],
            "error": notice[1],
        }
    return render(request, "cliente.html", context)


def _plans(plan: PlanRows | None) -> list[PlanRows]:
    """Return the plans the customer page lists: one per active currency."""
    if plan is None:
        return []
    return [replace(plan, others=()), *plan.others]


def back_to_customer(
    request: Request,
    customer_id: int,
    ok: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    """Redirect to the customer's page with a notice of what was done or failed."""
    return redirect_with_notice(
        f"/clientes/{customer_id}", signed_in(request), ok=ok, error=error
    )


@router.post("/clientes/{customer_id}/pausa")
def pause(
    request: Request,
    customer_id: int,
    until: date = Form(...),
    reason: str = Form("", max_length=200),
) -> RedirectResponse:
    """Pause the customer's reminders until the end of a local day."""
    user = signed_in(request)
    instant = now(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer_or_404(session, business.id, customer_id)
        end = datetime.combine(until, time(23, 59, 59), ZoneInfo(business.timezone))
        if end <= instant:
            return back_to_customer(
                request, customer_id, error="La fecha de la pausa tiene que ser futura."
            )
        pause_customer(
            session,
            business.id,
            customer_id,
            end,
            reason.strip() or "pausado por el dueño",
            instant,
            actor_of(user.email),
        )
    return back_to_customer(
        request, customer_id, ok=f"Recordatorios pausados hasta el {until:%d/%m/%Y}."
    )


@router.post("/clientes/{customer_id}/reanudar")
def resume(request: Request, customer_id: int) -> RedirectResponse:
    """Return the customer's case to automation."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        case = resume_customer(
            session, user.business_id, customer_id, now(request), actor_of(user.email)
        )
    if case is None:
        return back_to_customer(
            request, customer_id, error="El cliente no tiene un caso abierto."
        )
    if case.closed_at is not None:
        return back_to_customer(request, customer_id, ok=CLOSED_AS_PAID)
    return back_to_customer(
        request, customer_id, ok="El caso volvió a la automatización."
    )


# The consent form offers these as «Otorga consentimiento» and «Revoca (baja)».
CONSENT_ACTIONS = frozenset(action.value for action in ConsentAction)


@router.post("/clientes/{customer_id}/consentimiento")
def consent(
    request: Request,
    customer_id: int,
    action: str = Form(...),
    source: str = Form("", max_length=200),
    evidence: str = Form("", max_length=2000),
) -> RedirectResponse:
    """Append a consent grant or revocation to the ledger."""
    user = signed_in(request)
    if action not in CONSENT_ACTIONS:
        return back_to_customer(
            request,
            customer_id,
            error=f"La acción «{quoted(action)}» no existe. Elegí «Otorga "
            "consentimiento» o «Revoca (baja)».",
        )
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        try:
            record_consent(
                session,
                user.business_id,
                customer_id,
                action,
                source,
                evidence.strip() or None,
                now(request),
                actor=actor_of(user.email),
            )
        except ComplianceError as exc:
            session.rollback()
            return back_to_customer(
                request, customer_id, error=f"No se registró el consentimiento: {exc}"
            )
    word = "otorgado" if action == "grant" else "revocado"
    return back_to_customer(
        request, customer_id, ok=f"Consentimiento {word} y registrado."
    )


@router.post("/clientes/{customer_id}/telefono")
def edit_phone(
    request: Request, customer_id: int, phone: str = Form(..., max_length=64)
) -> RedirectResponse:
    """Validate a new phone with the business's country rules and store it."""
    user = signed_in(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        result = normalize_phone(phone, business.country, mobile=True)
        if result.e164 is None or result.status == PhoneStatus.INVALID:
            problem = result.problem or "número inválido"
            area_code = area_code_word(business.country).split(" ", 1)[1]
            example = PHONE_EXAMPLES.get(business.country, PHONE_EXAMPLES["AR"])
            error = (
                f"Teléfono inválido ({problem}). Escribilo con su {area_code}, "
                f"por ejemplo {example}."
            )
            current = current_brazilian_mobile(phone)
            if business.country == "BR" and current is not None:
                error += (
                    " Si es un celular escrito sin el 9 (el formato anterior a "
                    f"2016), ahora es {current}."
                )
            return back_to_customer(request, customer_id, error=error)
        previous = customer.phone
        customer.phone_raw = phone.strip()
        customer.phone = result.e164
        customer.phone_status = result.status
        customer.phone_problem = result.problem
        if business.country == "BR":
            customer.timezone = phone_timezone(result.e164)
        customer.updated_at = now(request)
        session.add(
            AuditEvent(
                business_id=business.id,
                at=now(request),
                actor=actor_of(user.email),
                kind="phone_changed",
                subject_type="customer",
                subject_id=customer.id,
                reason="teléfono editado por el dueño",
                details={"had_phone": previous is not None},
            )
        )
    return back_to_customer(request, customer_id, ok="Teléfono actualizado.")


@router.post("/clientes/{customer_id}/facturas/{document_id}/disputa")
def dispute(
    request: Request,
    customer_id: int,
    document_id: int,
    disputed: bool = Form(True),
    reason: str = Form("", max_length=500),
) -> RedirectResponse:
    """Mark an invoice disputed, or clear the dispute."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        document = invoice_or_404(session, user.business_id, customer_id, document_id)
        set_disputed(
            session,
            user.business_id,
            document_id,
            disputed,
            reason.strip(),
            now(request),
            actor_of(user.email),
        )
    word = "en disputa" if disputed else "sin disputa"
    return back_to_customer(
        request, customer_id, ok=f"Factura {document.number} marcada {word}."
    )


EXPORT_LIMIT = 100_000
CUSTOMER_COLUMNS = [
    "código",
    "nombre",
    "teléfono",
    "segmento",
    "saldo",
    "saldo en otras monedas",
    "días de atraso",
    "estado",
]
INVOICE_COLUMNS = [
    "cliente",
    "nombre",
    "tipo",
    "número",
    "emitida",
    "vence",
    "importe",
    "pendiente",
    "moneda",
    "en disputa",
]


# The downloads are for the owner's spreadsheet, so codes are in Spanish.
EXPORT_KIND_LABELS = {"invoice": "factura", **DOCUMENT_KIND_LABELS}


def _segment_text(segment: str | None) -> str:
    if not segment:
        return SEGMENT_LABELS["segment_not_computed"]
    return SEGMENT_LABELS.get(segment, segment)


@router.get("/clientes/exportar/{file_format}", response_model=None)
def export_customers(
    request: Request,
    file_format: str,
    segment: str = Query(""),
    overdue: bool = Query(False),
    q: str = Query("", max_length=200),
) -> Response:
    """Download the filtered customer list as CSV or XLSX."""
    user = signed_in(request)
    filters = CustomerFilters(segment=segment, overdue=overdue, search=q)
    with db(request) as session:
        business = business_of(session, user.business_id)
        today = local_date(now(request), business.timezone)
        rows, _ = list_customers_page(
            session, business, today, filters, 1, EXPORT_LIMIT
        )
        # The state in the same words as the list, so an opted-out
        # customer's open case does not read as merely "abierto".
        states = _list_states(session, business, rows, now(request))
        currency = business.currency
    # Amounts carry the currency's decimals, not the stored scale's four.
    return export_response(
        "clientes",
        file_format,
        CUSTOMER_COLUMNS,
        [
            [
                row.external_id,
                row.name,
                row.phone,
                _segment_text(row.segment),
                quantize(row.balance, currency),
                "; ".join(f"{code} {amount}" for code, amount in row.other_balances),
                row.days_past_due,
                states[row.id].text,
            ]
            for row in rows
        ],
    )


@router.get("/facturas/exportar/{file_format}", response_model=None)
def export_invoices(request: Request, file_format: str) -> Response:
    """Download every invoice and note of the business as CSV or XLSX."""
    user = signed_in(request)
    with db(request) as session:
        rows = session.execute(
            select(Customer.external_id, Customer.name, Document)
            .join(Customer, Customer.id == Document.customer_id)
            .where(Document.business_id == user.business_id)
            .order_by(Customer.external_id, Document.due_on, Document.id)
            .limit(EXPORT_LIMIT)
        ).all()
    return export_response(
        "facturas",
        file_format,
        INVOICE_COLUMNS,
        [
            [
                external_id,
                name,
                EXPORT_KIND_LABELS.get(document.kind, document.kind),
                document.number,
                document.issued_on,
                document.due_on,
                quantize(document.amount, document.currency),
                quantize(document.open_amount, document.currency),
                document.currency,
                "sí" if document.disputed else "no",
            ]
            for external_id, name, document in rows
        ],
    )
