"""REST API v1: customers, invoices, payments, cases, messages, consents,
imports and outgoing webhook endpoints. Holds live in `web.api.holds`.

Every list takes `limit` (1 to 200) and an opaque `cursor` (the last id of
the previous page) and returns items by ascending id. Every query is scoped
by the token's business, so another business's id is a 404.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cobranza.compliance.consent import record_consent
from cobranza.compliance.erasure import erased_external_ids
from cobranza.compliance.errors import ComplianceError
from cobranza.db.models import (
    MAX_ID,
    Business,
    Case,
    CaseState,
    ConsentEvent,
    Customer,
    Document,
    ImportRun,
    OutboxMessage,
    OutboxState,
    OutgoingWebhook,
    Payment,
    is_valid_id,
)
from cobranza.dunning.holds import held_on, not_held_on, on_customer_day
from cobranza.ingest.errors import IngestError
from cobranza.ingest.hints import API
from cobranza.ingest.service import ImportOptions, import_file
from cobranza.ingest.taxids import check_tax_id
from cobranza.payments.status import PaymentStatus
from cobranza.phones import normalize_phone, phone_timezone
from cobranza.web.api.auth import api_business
from cobranza.web.api.checks import (
    checked_amount,
    checked_currency,
    checked_date,
    checked_email,
    checked_locale,
    checked_text,
    optional_text,
)
from cobranza.web.api.holds import business_timezone, present_cases, present_invoices
from cobranza.web.api.schemas import (
    CasePublic,
    ConsentCreate,
    ConsentPublic,
    CustomerCreate,
    CustomerPublic,
    ImportPublic,
    InvoiceCreate,
    InvoicePublic,
    MessagePublic,
    Page,
    PaymentPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
)
from cobranza.web.body_limit import MAX_UPLOAD_BYTES, UPLOAD_TOO_LARGE
from cobranza.web.dashboard.imports import safe_file_name
from cobranza.web.egress import (
    BlockedURL,
    EgressPolicy,
    LookupTimedOut,
    check_url_in_thread,
)
from cobranza.web.outgoing import create_webhook
from cobranza.web.security import db, now

router = APIRouter(prefix="/api/v1", tags=["api"])

MAX_LIMIT = 200
P = TypeVar("P", bound=BaseModel)
# Builds the public items of rows read in the request's session, for a
# schema with fields that are not columns of the row.
Present = Callable[[Session, Sequence[Any]], list[Any]]


def _cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    # Every cursor this API returns is a stored id.
    if not cursor.isdigit() or not is_valid_id(int(cursor)):
        raise HTTPException(status_code=400, detail=f"invalid cursor {cursor!r}")
    return int(cursor)


def _page(
    request: Request,
    statement: Select[Any],
    model: Any,
    schema: type[P],
    limit: int,
    cursor: str | None,
    present: Present | None = None,
) -> Page[P]:
    after = _cursor(cursor)
    with db(request) as session:
        rows = session.scalars(
            statement.where(model.id > after).order_by(model.id).limit(limit + 1)
        ).all()
        if present is None:
            items = [schema.model_validate(row) for row in rows[:limit]]
        else:
            items = present(session, rows[:limit])
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return Page[schema](data=items, next_cursor=next_cursor)  # type: ignore[valid-type]


def _one(
    request: Request,
    model: Any,
    business_id: int,
    item_id: int,
    schema: type[P],
    present: Present | None = None,
) -> P:
    with db(request) as session:
        row = session.get(model, item_id) if is_valid_id(item_id) else None
        if row is None or row.business_id != business_id:
            raise HTTPException(
                status_code=404, detail=f"{model.__tablename__} {item_id} not found"
            )
        if present is None:
            return schema.model_validate(row)
        item: P = present(session, [row])[0]
        return item


def _invoices_presenter(business_id: int, instant: datetime) -> Present:
    def present(session: Session, rows: Sequence[Any]) -> list[Any]:
        return present_invoices(session, business_id, rows, instant)

    return present


def _cases_presenter(business_id: int, instant: datetime) -> Present:
    def present(session: Session, rows: Sequence[Any]) -> list[Any]:
        return present_cases(session, business_id, rows, instant)

    return present


LIMIT = Query(50, ge=1, le=MAX_LIMIT, description="items per page")
CURSOR = Query(None, description="next_cursor of the previous page")


@router.get("/customers", response_model=Page[CustomerPublic])
def list_customers(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    segment: str | None = Query(None),
    external_id: str | None = Query(None),
) -> Page[CustomerPublic]:
    """List customers, filtered by segment or external id."""
    statement = select(Customer).where(Customer.business_id == business_id)
    if segment:
        statement = statement.where(Customer.segment == segment)
    if external_id:
        statement = statement.where(Customer.external_id == external_id)
    return _page(request, statement, Customer, CustomerPublic, limit, cursor)


@router.get("/customers/{customer_id}", response_model=CustomerPublic)
def get_customer(
    request: Request, customer_id: int, business_id: int = Depends(api_business)
) -> CustomerPublic:
    """Return one customer."""
    return _one(request, Customer, business_id, customer_id, CustomerPublic)


@router.post("/customers", response_model=CustomerPublic, status_code=201)
def create_customer(
    request: Request, body: CustomerCreate, business_id: int = Depends(api_business)
) -> CustomerPublic:
    """Create a customer; its phone is normalised to E.164 for the country.

    The tax id is stored compact and checked with the country's rules, as
    an import does. An invalid one is kept and reported in `tax_id_valid`.
    """
    instant = now(request)
    external_id = checked_text("external_id", body.external_id)
    name = checked_text("name", body.name)
    phone_text = optional_text("phone", body.phone)
    tax_text = optional_text("tax_id", body.tax_id)
    email = checked_email(body.email)
    locale = checked_locale(body.locale)
    try:
        with db(request) as session:
            business = session.get_one(Business, business_id)
            _reject_erased(session, business, external_id)
            phone = (
                normalize_phone(phone_text, business.country, mobile=True)
                if phone_text
                else None
            )
            tax = check_tax_id(tax_text, business.country) if tax_text else None
            customer = Customer(
                business_id=business_id,
                external_id=external_id,
                name=name,
                kind=body.kind,
                tax_id=tax.compact if tax else None,
                tax_id_valid=tax.valid if tax else None,
                email=email,
                phone_raw=phone_text,
                phone=phone.e164 if phone else None,
                phone_status=phone.status if phone else "missing",
                phone_problem=phone.problem if phone else None,
                # Contact hours follow the customer's clock, which a
                # Brazilian DDD sets, as an import stores it.
                timezone=(
                    phone_timezone(phone.e164)
                    if phone and business.country == "BR"
                    else None
                ),
                locale=locale,
                created_at=instant,
                updated_at=instant,
            )
            session.add(customer)
            session.flush()
            return CustomerPublic.model_validate(customer)
    except IntegrityError as exc:
        raise HTTPException(
            status_code=409,
            detail=f"customer with external_id {external_id!r} already exists",
        ) from exc


def _reject_erased(session: Session, business: Business, external_id: str) -> None:
    """Raise 409 when `external_id` is that of a customer erased on request."""
    erased = erased_external_ids(session, business, [external_id])
    if external_id in erased:
        raise HTTPException(
            status_code=409,
            detail=f"customer with external_id {external_id!r} asked to have "
            f"their data erased on {erased[external_id]:%Y-%m-%d}; it is not "
            "stored again. Use another external_id for a different customer",
        )


@router.get("/invoices", response_model=Page[InvoicePublic])
def list_invoices(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    customer_id: int | None = Query(None, le=MAX_ID),
    open: bool | None = Query(None, description="only documents with an open amount"),
    due_before: date | None = Query(None),
    held: bool | None = Query(
        None, description="only documents on hold today (true) or not (false)"
    ),
) -> Page[InvoicePublic]:
    """List invoices and notes, filtered by customer, open state, due date or hold."""
    instant = now(request)
    statement = select(Document).where(Document.business_id == business_id)
    if held is not None:
        with db(request) as session:
            condition = on_customer_day(
                session,
                business_id,
                instant,
                business_timezone(session, business_id),
                held_on if held else not_held_on,
            )
        statement = statement.where(condition)
    if customer_id is not None:
        statement = statement.where(Document.customer_id == customer_id)
    if open is True:
        statement = statement.where(Document.open_amount != 0)
    if open is False:
        statement = statement.where(Document.open_amount == 0)
    if due_before is not None:
        statement = statement.where(Document.due_on < due_before)
    present = _invoices_presenter(business_id, instant)
    return _page(request, statement, Document, InvoicePublic, limit, cursor, present)


@router.get("/invoices/{invoice_id}", response_model=InvoicePublic)
def get_invoice(
    request: Request, invoice_id: int, business_id: int = Depends(api_business)
) -> InvoicePublic:
    """Return one invoice or note, with the hold in force today."""
    present = _invoices_presenter(business_id, now(request))
    return _one(request, Document, business_id, invoice_id, InvoicePublic, present)


@router.post("/invoices", response_model=InvoicePublic, status_code=201)
def create_invoice(
    request: Request, body: InvoiceCreate, business_id: int = Depends(api_business)
) -> InvoicePublic:
    """Create an invoice (positive amount) or credit note (negative amount)."""
    instant = now(request)
    number = checked_text("number", body.number)
    issued_on = checked_date("issued_on", body.issued_on)
    due_on = checked_date("due_on", body.due_on)
    if (body.kind == "credit_note") != (body.amount < 0):
        raise HTTPException(
            status_code=422,
            detail=f"amount {body.amount} does not match kind {body.kind}: credit "
            "notes are negative, invoices and debit notes positive",
        )
    try:
        with db(request) as session:
            business = session.get_one(Business, business_id)
            customer = session.get(Customer, body.customer_id)
            if customer is None or customer.business_id != business_id:
                raise HTTPException(
                    status_code=404, detail=f"customer {body.customer_id} not found"
                )
            currency = (
                checked_currency(body.currency) if body.currency else business.currency
            )
            amount = checked_amount(Decimal(body.amount), currency)
            document = Document(
                business_id=business_id,
                customer_id=customer.id,
                kind=body.kind,
                number=number,
                issued_on=issued_on,
                due_on=due_on,
                amount=amount,
                currency=currency,
                open_amount=amount,
                created_at=instant,
                updated_at=instant,
            )
            session.add(document)
            session.flush()
            return InvoicePublic.model_validate(document)
    except IntegrityError as exc:
        raise HTTPException(
            status_code=409, detail=f"{body.kind} {number!r} already exists"
        ) from exc


@router.get("/payments", response_model=Page[PaymentPublic])
def list_payments(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    customer_id: int | None = Query(None, le=MAX_ID),
    status: PaymentStatus | None = Query(None),
    since: datetime | None = Query(None, description="paid at or after, ISO 8601"),
) -> Page[PaymentPublic]:
    """List payments, filtered by customer, status or date."""
    statement = select(Payment).where(Payment.business_id == business_id)
    if customer_id is not None:
        statement = statement.where(Payment.customer_id == customer_id)
    if status:
        statement = statement.where(Payment.status == status)
    if since is not None:
        if since.tzinfo is None:
            raise HTTPException(status_code=422, detail="since needs a UTC offset")
        statement = statement.where(Payment.paid_at >= since)
    return _page(request, statement, Payment, PaymentPublic, limit, cursor)


@router.get("/payments/{payment_id}", response_model=PaymentPublic)
def get_payment(
    request: Request, payment_id: int, business_id: int = Depends(api_business)
) -> PaymentPublic:
    """Return one payment."""
    return _one(request, Payment, business_id, payment_id, PaymentPublic)


@router.get("/cases", response_model=Page[CasePublic])
def list_cases(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    state: CaseState | None = Query(
        None, description="open, paused, handed_off or closed"
    ),
    customer_id: int | None = Query(None, le=MAX_ID),
) -> Page[CasePublic]:
    """List dunning cases, filtered by state or customer."""
    statement = select(Case).where(Case.business_id == business_id)
    if state == CaseState.CLOSED:
        statement = statement.where(Case.closed_at.is_not(None))
    elif state:
        statement = statement.where(Case.state == state, Case.closed_at.is_(None))
    if customer_id is not None:
        statement = statement.where(Case.customer_id == customer_id)
    present = _cases_presenter(business_id, now(request))
    return _page(request, statement, Case, CasePublic, limit, cursor, present)


@router.get("/cases/{case_id}", response_model=CasePublic)
def get_case(
    request: Request, case_id: int, business_id: int = Depends(api_business)
) -> CasePublic:
    """Return one case, with its customer's invoices on hold today."""
    present = _cases_presenter(business_id, now(request))
    return _one(request, Case, business_id, case_id, CasePublic, present)


@router.get("/messages", response_model=Page[MessagePublic])
def list_messages(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    state: OutboxState | None = Query(None),
    customer_id: int | None = Query(None, le=MAX_ID),
) -> Page[MessagePublic]:
    """List outbox messages, filtered by state or customer."""
    statement = select(OutboxMessage).where(OutboxMessage.business_id == business_id)
    if state:
        statement = statement.where(OutboxMessage.state == state)
    if customer_id is not None:
        statement = statement.where(OutboxMessage.customer_id == customer_id)
    return _page(request, statement, OutboxMessage, MessagePublic, limit, cursor)


@router.get("/messages/{message_id}", response_model=MessagePublic)
def get_message(
    request: Request, message_id: int, business_id: int = Depends(api_business)
) -> MessagePublic:
    """Return one outbox message."""
    return _one(request, OutboxMessage, business_id, message_id, MessagePublic)


@router.get("/consents", response_model=Page[ConsentPublic])
def list_consents(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    customer_id: int | None = Query(None, le=MAX_ID),
) -> Page[ConsentPublic]:
    """List consent ledger entries, filtered by customer."""
    statement = select(ConsentEvent).where(ConsentEvent.business_id == business_id)
    if customer_id is not None:
        statement = statement.where(ConsentEvent.customer_id == customer_id)
    return _page(request, statement, ConsentEvent, ConsentPublic, limit, cursor)


@router.post("/consents", response_model=ConsentPublic, status_code=201)
def create_consent(
    request: Request, body: ConsentCreate, business_id: int = Depends(api_business)
) -> ConsentPublic:
    """Append a consent grant or revocation to the ledger."""
    source = checked_text("source", body.source)
    with db(request) as session:
        customer = session.get(Customer, body.customer_id)
        if customer is None or customer.business_id != business_id:
            raise HTTPException(
                status_code=404, detail=f"customer {body.customer_id} not found"
            )
        try:
            event = record_consent(
                session,
                business_id,
                body.customer_id,
                body.action,
                source,
                body.evidence,
                now(request),
                actor="api",
            )
        except ComplianceError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return ConsentPublic.model_validate(event)


@router.get("/imports", response_model=Page[ImportPublic])
def list_imports(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
) -> Page[ImportPublic]:
    """List import runs with their stored reports."""
    statement = select(ImportRun).where(ImportRun.business_id == business_id)
    return _page(request, statement, ImportRun, ImportPublic, limit, cursor)


@router.post("/imports", status_code=200)
async def create_import(
    request: Request,
    file: UploadFile,
    dry_run: bool = Query(False, description="report only, write nothing"),
    column_map: list[str] = Query(
        [],
        alias="map",
        description="COLUMN=FIELD, as `cobranza import --map`; may repeat",
    ),
    decimal: str | None = Query(None, description="comma or point"),
    date_format: str | None = Query(
        None, description="dmy, mdy, ymd or a strptime pattern such as %d/%m/%Y"
    ),
    sheet: str | None = Query(None, description="the workbook sheet to read"),
    full_snapshot: bool = Query(
        False, description="the file lists every open document; the rest are paid"
    ),
    business_id: int = Depends(api_business),
) -> dict[str, Any]:
    """Import a CSV or XLSX file, as `cobranza import` does; returns the report."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise HTTPException(
            status_code=422, detail="upload a .csv or .xlsx file in the field 'file'"
        )
    options = ImportOptions(
        mapping=_column_map(column_map),
        decimal=decimal or None,
        date_format=date_format or None,
        sheet=sheet if sheet and sheet.strip() else None,
        dry_run=dry_run,
        full_snapshot=full_snapshot,
        hints=API,
    )
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail=UPLOAD_TOO_LARGE)
    name = safe_file_name(file.filename or "import", suffix)
    # The import may take a minute, so it runs off the event loop, which
    # serves every other request meanwhile.
    return await run_in_threadpool(
        _import_upload, request, business_id, name, content, options
    )


def _import_upload(
    request: Request,
    business_id: int,
    name: str,
    content: bytes,
    options: ImportOptions,
) -> dict[str, Any]:
    """Write the upload to a temporary file and import it; return the report."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            with db(request) as session:
                business = session.get_one(Business, business_id)
                report = import_file(session, business, path, options, now(request))
        except IngestError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
    return report.to_dict()


def _column_map(values: Sequence[str]) -> dict[str, str]:
    """Turn repeated `map=COLUMN=FIELD` parameters into {column: field}."""
    mapping: dict[str, str] = {}
    for value in values:
        column, separator, field = value.rpartition("=")
        if not separator or not column.strip() or not field.strip():
            raise HTTPException(
                status_code=422,
                detail=(
                    f'El parámetro map "{value}" no tiene la forma COLUMNA=CAMPO, '
                    'como "map=Nro. Cbte=number".'
                ),
            )
        mapping[column.strip()] = field.strip()
    return mapping


@router.get("/webhooks", response_model=Page[WebhookPublic])
def list_webhooks(
    request: Request,
    business_id: int = Depends(api_business),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
) -> Page[WebhookPublic]:
    """List the outgoing webhook endpoints."""
    statement = select(OutgoingWebhook).where(
        OutgoingWebhook.business_id == business_id
    )
    return _page(request, statement, OutgoingWebhook, WebhookPublic, limit, cursor)


@router.post("/webhooks", response_model=WebhookCreated, status_code=201)
async def add_webhook(
    request: Request, body: WebhookCreate, business_id: int = Depends(api_business)
) -> WebhookCreated:
    """Register an endpoint for signed event posts; the secret is shown once."""
    policy = EgressPolicy(
        allow_private=request.app.state.settings.webhooks_allow_private,
        resolve=request.app.state.resolver,
    )
    try:
        addresses = await check_url_in_thread(
            policy, body.url, request.app.state.resolve_timeout
        )
    except LookupTimedOut as exc:
        raise HTTPException(
            status_code=503, detail=str(exc), headers={"Retry-After": "60"}
        ) from exc
    except BlockedURL as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc

    return await run_in_threadpool(
        _store_webhook, request, business_id, body, policy.pinned(addresses)
    )


def _store_webhook(
    request: Request, business_id: int, body: WebhookCreate, policy: EgressPolicy
) -> WebhookCreated:
    with db(request) as session:
        try:
            webhook = create_webhook(
                session, business_id, body.url, body.event_types, now(request), policy
            )
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return WebhookCreated.model_validate(webhook)


@router.delete("/webhooks/{webhook_id}", status_code=204)
def remove_webhook(
    request: Request, webhook_id: int, business_id: int = Depends(api_business)
) -> None:
    """Stop sending to an endpoint; its delivery log is kept."""
    with db(request) as session:
        webhook = session.get(OutgoingWebhook, webhook_id)
        if webhook is None or webhook.business_id != business_id:
            raise HTTPException(
                status_code=404, detail=f"webhook {webhook_id} not found"
            )
        webhook.active = False
