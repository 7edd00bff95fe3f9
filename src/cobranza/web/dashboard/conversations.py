"""Conversaciones: the hand-off inbox and a person's replies to a customer."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import window_open
from cobranza.conversations.actions import promise_currency
from cobranza.conversations.inbox import (
    BALANCE_SETTLED,
    CLOSED_HOLD_REASON,
    RECEIPT_NOT_DOWNLOADED,
    InboxError,
    customers_sharing,
    resolve,
    undownloaded_receipts,
    waits_for_person,
)
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    Customer,
    Document,
    InboundMedia,
    InboundMessage,
    OutboxMessage,
    Payment,
    PromiseToPay,
    is_valid_id,
)
from cobranza.dunning.errors import HoldError
from cobranza.dunning.owner_actions import resume_customer, set_disputed
from cobranza.dunning.paid_handoffs import customers_owing
from cobranza.dunning.promises import open_balances, promise_reply_key
from cobranza.ingest.amounts import marked_currency
from cobranza.money import minor_units, parse_amount_input
from cobranza.payments.errors import PaymentError
from cobranza.payments.manual import RECEIPT_PROVIDER, accept_receipt, claim_receipt
from cobranza.payments.status import PaymentStatus
from cobranza.timeutil import local_date
from cobranza.web.dashboard.common import (
    CLOSED_AS_PAID,
    actor_of,
    business_of,
    customer_or_404,
    invoice_or_404,
    notice_of,
    redirect_with_notice,
)
from cobranza.web.dashboard.customer_queries import open_case
from cobranza.web.dashboard.customer_state import (
    customer_states,
    one_customer_state,
)
from cobranza.web.dashboard.payment_form import payment_currencies
from cobranza.web.dashboard.replies import (
    ReplyRejected,
    reply_blocked,
    reply_hours_problem,
    send_owner_reply,
)
from cobranza.web.error_pages import PageError
from cobranza.web.security import db, now, signed_in
from cobranza.web.templating import render
from cobranza.wording import INTENT_LABELS, STATE_LABELS, receipt_download_note

logger = logging.getLogger(__name__)

router = APIRouter()

INBOX_LIMIT = 200
# Customers who wrote within this many days are listed under «Recientes».
RECENT_DAYS = 7


def _back(
    request: Request,
    customer_id: int,
    ok: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    return redirect_with_notice(
        f"/conversaciones/{customer_id}", signed_in(request), ok=ok, error=error
    )


@router.get("/conversaciones", response_class=HTMLResponse)
def inbox(request: Request) -> HTMLResponse:
    """List the cases handed to a person and messages from unknown senders."""
    user = signed_in(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        last = (
            select(
                InboundMessage.customer_id,
                func.max(InboundMessage.received_at).label("last_at"),
            )
            .where(InboundMessage.business_id == business.id)
            .group_by(InboundMessage.customer_id)
            .subquery()
        )
        handed = session.execute(
            select(Case, Customer, last.c.last_at)
            .join(Customer, Customer.id == Case.customer_id)
            .outerjoin(last, last.c.customer_id == Case.customer_id)
            .where(
                Case.business_id == business.id,
                waits_for_person(),
                Case.closed_at.is_(None),
            )
            # Cases whose customer wrote come first on both databases.
            .order_by(last.c.last_at.desc().nulls_last(), Case.id)
            .limit(INBOX_LIMIT)
        ).all()
        unknown = session.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.business_id == business.id,
                InboundMessage.customer_id.is_(None),
            )
            .order_by(InboundMessage.received_at.desc())
            .limit(INBOX_LIMIT)
        ).all()
        shared = customers_sharing(
            session, business, (message.sender for message in unknown)
        )
        recent = _recent(session, business.id, now(request))
        recent_cases = {
            case.customer_id: case
            for case in session.scalars(
                select(Case).where(
                    Case.business_id == business.id,
                    Case.customer_id.in_([customer.id for customer, _ in recent]),
                    Case.closed_at.is_(None),
                )
            )
        }
        states = customer_states(
            session,
            business.id,
            [(customer.id, customer.phone_status, case) for case, customer, _ in handed]
            + [
                (customer.id, customer.phone_status, recent_cases.get(customer.id))
                for customer, _ in recent
            ],
            now(request),
            business.timezone,
            business.locale,
        )
        handed_ids = [customer.id for _, customer, _ in handed]
        not_downloaded = undownloaded_receipts(session, business.id, handed_ids)
        owing = customers_owing(session, business.id, handed_ids)
    return render(
        request,
        "conversaciones.html",
        {
            "handed": handed,
            "not_downloaded": not_downloaded,
            "receipt_not_downloaded": RECEIPT_NOT_DOWNLOADED,
            "nothing_owed": set(handed_ids) - owing,
            "balance_settled": BALANCE_SETTLED,
            "recent": recent,
            "states": states,
            "recent_days": RECENT_DAYS,
            "unknown": unknown,
            "shared": shared,
            "timezone": business.timezone,
        },
    )


def _recent(
    session: Session, business_id: int, instant: datetime
) -> list[tuple[Customer, datetime]]:
    """Return the customers who wrote in the last `RECENT_DAYS`, newest first."""
    last_at = func.max(InboundMessage.received_at).label("last_at")
    latest = (
        select(InboundMessage.customer_id, last_at)
        .where(
            InboundMessage.business_id == business_id,
            InboundMessage.customer_id.is_not(None),
            InboundMessage.received_at >= instant - timedelta(days=RECENT_DAYS),
        )
        .group_by(InboundMessage.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(Customer, latest.c.last_at)
        .join(latest, latest.c.customer_id == Customer.id)
        .order_by(latest.c.last_at.desc(), Customer.id)
        .limit(INBOX_LIMIT)
    ).all()
    return [(customer, at) for customer, at in rows]


def _thread(session, business_id: int, customer_id: int) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    sent = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.customer_id == customer_id,
            OutboxMessage.sent_at.is_not(None),
        )
    ).all()
    received = session.scalars(
        select(InboundMessage).where(
            InboundMessage.business_id == business_id,
            InboundMessage.customer_id == customer_id,
        )
    ).all()
    items: list[dict[str, object]] = [
        {
            "at": row.sent_at,
            "out": True,
            "id": row.id,
            "text": row.text or "",
            "state": row.state,
        }
        for row in sent
    ]
    items.extend(
        {
            "at": row.received_at,
            "out": False,
            "id": row.id,
            "text": row.text or f"[{row.type}]",
            "state": INTENT_LABELS.get(row.intent, row.intent) if row.intent else "",
        }
        for row in received
    )
    # The robot's reply is often sent at the same instant as the customer
    # message it replies to, so at equal instants the customer's comes first.
    items.sort(key=lambda item: (item["at"], item["out"], item["id"]))  # type: ignore[arg-type, return-value]
    return items


def _receipts(
    session: Session, business_id: int, customer_id: int, timezone: str
) -> list[dict[str, object]]:
    media = session.scalars(
        select(InboundMedia)
        .join(InboundMessage, InboundMessage.id == InboundMedia.inbound_message_id)
        .where(
            InboundMedia.business_id == business_id,
            InboundMessage.customer_id == customer_id,
        )
        .order_by(InboundMedia.id.desc())
    ).all()
    payments = dict(
        session.execute(
            select(Payment.provider_payment_id, Payment.status).where(
                Payment.business_id == business_id,
                Payment.provider == RECEIPT_PROVIDER,
                Payment.provider_payment_id.in_([f"media-{m.id}" for m in media]),
            )
        ).all()
    )
    return [
        {
            "media": m,
            "status": payments.get(f"media-{m.id}"),
            "download": receipt_download_note(m, timezone),
        }
        for m in media
    ]


def _promises(
    session: Session, business_id: int, customer_id: int
) -> list[dict[str, Any]]:
    """Return the customer's promises, newest first, each with its amount.

    A promise without a sum of its own shows the amount its confirmation
    message stated to the customer. One that no message confirmed (an owner
    recorded it without a sum) covers the whole balance and has no amount.
    """
    promises = session.scalars(
        select(PromiseToPay)
        .where(
            PromiseToPay.business_id == business_id,
            PromiseToPay.customer_id == customer_id,
        )
        .order_by(PromiseToPay.created_at.desc())
    ).all()
    steps = [f"promise_confirmation:{promise.id}" for promise in promises]
    confirmations = session.execute(
        select(OutboxMessage.step, OutboxMessage.variables).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.customer_id == customer_id,
            OutboxMessage.step.in_(steps),
        )
    ).all()
    # A promise in several currencies has one row per currency and one
    # confirmation, which states each currency's amount in `promise_amounts`.
    # Its rows may fall due on different days ("los dólares el viernes y los
    # pesos a fin de mes"), so the day is left out of the key.
    by_id = {promise.id: promise for promise in promises}
    stated: dict[tuple[Any, ...], object] = {}
    for step, variables in confirmations:
        if not variables:
            continue
        confirmed = by_id[int(step.rsplit(":", 1)[1])]
        amounts = variables.get("promise_amounts") or [
            [confirmed.currency, variables.get("promise_amount")]
        ]
        for currency, amount in amounts:
            stated[promise_reply_key(confirmed), currency] = amount
    rows = []
    for promise in promises:
        amount = promise.amount
        confirmed_amount = stated.get((promise_reply_key(promise), promise.currency))
        if amount is None and confirmed_amount is not None:
            amount = Decimal(str(confirmed_amount))
        rows.append(
            {
                "due_on": promise.due_on,
                "amount": amount,
                "currency": promise.currency,
                "status": promise.status,
            }
        )
    return rows


@router.get("/conversaciones/{customer_id}", response_class=HTMLResponse)
def conversation(request: Request, customer_id: int) -> HTMLResponse:
    """Show the thread with a customer and what a person can do about it."""
    user = signed_in(request)
    instant = now(request)
    notice = notice_of(request, user)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        case = open_case(session, business.id, customer.id)
        context = {
            "customer": customer,
            "business": business,
            "case": case,
            "state": one_customer_state(
                session, customer, case, instant, business.timezone, business.locale
            ),
            "thread": _thread(session, business.id, customer.id),
            "payment_currencies": payment_currencies(session, business, customer.id),
            "window_open": window_open(session, business.id, customer.id, instant),
            "reply_blocked": reply_blocked(session, business.id, customer),
            "reply_hours": reply_hours_problem(session, business.id, customer, instant),
            "documents": session.scalars(
                select(Document).where(
                    Document.business_id == business.id,
                    Document.customer_id == customer.id,
                    Document.open_amount > 0,
                )
            ).all(),
            "receipts": _receipts(session, business.id, customer.id, business.timezone),
            "promises": _promises(session, business.id, customer.id),
            "nothing_owed": not customers_owing(session, business.id, [customer.id]),
            # A sentence of its own in the hand-off notice.
            "balance_settled": BALANCE_SETTLED[:1].upper() + BALANCE_SETTLED[1:],
            "states": STATE_LABELS,
            "today": local_date(instant, business.timezone),
            "message": notice[0],
            "error": notice[1],
        }
    return render(request, "conversacion.html", context)


@router.post("/conversaciones/{customer_id}/responder")
def reply(
    request: Request, customer_id: int, text: str = Form(..., max_length=5000)
) -> RedirectResponse:
    """Send a person's reply through the channel, inside the 24-hour window."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        case = open_case(session, user.business_id, customer_id)
    if case is None:
        return _back(request, customer_id, error="El cliente no tiene un caso abierto.")
    try:
        send_owner_reply(
            request.app.state.engine,
            request.app.state.reply_channel,
            user.business_id,
            customer_id,
            case.id,
            text,
            now(request),
            actor_of(user.email),
        )
    except ReplyRejected as exc:
        return _back(request, customer_id, error=str(exc))
    return _back(request, customer_id, ok="Respuesta enviada.")


def _promised_currencies(
    session: Session,
    business: Business,
    customer_id: int,
    amount: Decimal | None,
    instant: datetime,
    named: str | None = None,
) -> list[str]:
    """Return the currencies a promise recorded by a person covers, one row each.

    Without an amount it covers every currency the customer owes, as a
    customer's "te pago todo" does. An amount goes to one currency by the
    conversation's rule (`promise_currency`), which takes `named`, the
    currency of a sign typed with the amount ("US$ 400"), when the customer
    owes in it. Returns [] when that rule cannot tell which.
    """
    customer = session.get_one(Customer, customer_id)
    today = local_date(instant, customer.timezone or business.timezone)
    balances = open_balances(session, business, customer_id, today)
    if amount is None:
        owed = [balance.currency for balance in balances if balance.balance > 0]
        return owed or [business.currency]
    currency = promise_currency(amount, named, balances, business.currency)
    return [currency] if currency is not None else []


@router.post("/conversaciones/{customer_id}/promesa")
def promise(
    request: Request,
    customer_id: int,
    due_on: date = Form(...),
    amount: str = Form("", max_length=32),
) -> RedirectResponse:
    """Record a promise to pay, which pauses reminders until its date."""
    user = signed_in(request)
    instant = now(request)
    with db(request) as session:
        business = business_of(session, user.business_id)
        customer_or_404(session, business.id, customer_id)
        if due_on < local_date(instant, business.timezone):
            return _back(
                request,
                customer_id,
                error=f"La fecha de la promesa, {due_on:%d/%m/%Y}, ya pasó. Elegí "
                "hoy o un día futuro.",
            )
        try:
            value = (
                parse_amount_input(amount, user.locale, business.currency)
                if amount
                else None
            )
        except ValueError as exc:
            return _back(request, customer_id, error=_amount_error(exc))
        if value is not None and value <= 0:
            return _back(
                request, customer_id, error="El monto prometido tiene que ser positivo."
            )
        # A dollar sign such as "US$" or "U$S" names the currency, while "$"
        # alone is the business's own, as the payment form reads it.
        named = marked_currency(amount) if value is not None else None
        currencies = _promised_currencies(
            session, business, customer_id, value, instant, named
        )
        if not currencies and named is not None:
            return _back(
                request,
                customer_id,
                error=f"El cliente no debe nada en {named}: revisá la moneda del "
                "monto o registrá la promesa sin monto.",
            )
        if not currencies:
            return _back(
                request,
                customer_id,
                error="El cliente debe en varias monedas y ese monto puede ser de "
                "cualquiera: registrá la promesa sin monto, que cubre cada moneda.",
            )
        case = open_case(session, business.id, customer_id)
        rows = [
            PromiseToPay(
                business_id=business.id,
                case_id=case.id if case else None,
                customer_id=customer_id,
                amount=value,
                currency=currency,
                due_on=due_on,
                created_at=instant,
            )
            for currency in currencies
        ]
        session.add_all(rows)
        session.flush()
        row = rows[0]
        session.add(
            AuditEvent(
                business_id=business.id,
                at=instant,
                actor=actor_of(user.email),
                kind="promise_recorded",
                subject_type="promise_to_pay",
                subject_id=row.id,
                reason="promesa registrada por una persona",
                details={
                    "customer_id": customer_id,
                    "due_on": due_on.isoformat(),
                    "amount": str(value) if value is not None else None,
                    "currencies": currencies,
                },
            )
        )
    return _back(
        request, customer_id, ok=f"Promesa registrada para el {due_on:%d/%m/%Y}."
    )


@router.post("/conversaciones/{customer_id}/comprobante/{media_id}")
def accept(
    request: Request,
    customer_id: int,
    media_id: int,
    amount: str = Form(...),
) -> RedirectResponse:
    """Accept a receipt the customer sent as a payment of `amount`.

    The payment is in the currency of a code or sign typed with the amount
    ("U$S 1.250", "USD 1250"), else in the business's.
    """
    user = signed_in(request)
    instant = now(request)
    chosen = marked_currency(amount)
    with db(request) as session:
        business = business_of(session, user.business_id)
        currency = chosen or business.currency
        try:
            value = parse_amount_input(amount, user.locale, currency)
        except ValueError as exc:
            return _back(request, customer_id, error=_amount_error(exc))
        if value <= 0:
            # A whole example for a currency without decimals, such as CLP.
            whole = minor_units(currency) == 0
            example = format_decimal(
                Decimal(15000) if whole else Decimal("15000.50"),
                format="0" if whole else "0.00",
                locale=user.locale,
            )
            return _back(
                request,
                customer_id,
                error="El monto recibido tiene que ser mayor que 0: escribí el "
                f"importe del comprobante, por ejemplo {example}.",
            )
        customer_or_404(session, user.business_id, customer_id)
        if _sender_of_media(session, user.business_id, media_id) != customer_id:
            raise PageError(404, "Comprobante no encontrado.")
        allowed = payment_currencies(session, business, customer_id)
        if chosen is not None and chosen not in allowed:
            return _back(
                request,
                customer_id,
                error=f"El cliente no tiene facturas en {chosen}: escribí el monto "
                f"en una de estas monedas: {', '.join(allowed)}.",
            )
        try:
            status = session.scalar(
                select(Payment.status).where(
                    Payment.business_id == user.business_id,
                    Payment.provider == RECEIPT_PROVIDER,
                    Payment.provider_payment_id == f"media-{media_id}",
                )
            )
            if status is not None and status != PaymentStatus.PENDING:
                return _back(
                    request,
                    customer_id,
                    error="Este comprobante ya se aceptó o se rechazó, así que no "
                    "cambió nada. Mirá su estado en la conversación.",
                )
            if status is None:
                claim_receipt(session, user.business_id, media_id, instant)
            accept_receipt(
                session,
                user.business_id,
                media_id,
                value,
                instant,
                actor_of(user.email),
                currency=chosen,
            )
        except PaymentError as exc:
            # The checks above cover the known causes, so this is a race with
            # another decision. The payments package's text may be English, so
            # it goes to the log only.
            session.rollback()
            logger.warning("receipt %s not accepted: %s", media_id, exc)
            return _back(
                request,
                customer_id,
                error="No se pudo aceptar el comprobante. Recargá la página, mirá "
                "su estado y volvé a intentar.",
            )
    return _back(request, customer_id, ok="Comprobante aceptado como pago.")


def _sender_of_media(session: Session, business_id: int, media_id: int) -> int | None:
    """Return the customer who sent the business's media `media_id`, or None."""
    if not is_valid_id(media_id):
        return None
    return session.scalar(
        select(InboundMessage.customer_id)
        .join(InboundMedia, InboundMedia.inbound_message_id == InboundMessage.id)
        .where(InboundMedia.id == media_id, InboundMedia.business_id == business_id)
    )


@router.post("/conversaciones/{customer_id}/disputa")
def dispute(
    request: Request,
    customer_id: int,
    document_id: int = Form(...),
    reason: str = Form("", max_length=500),
) -> RedirectResponse:
    """Open a dispute on one of the customer's invoices."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        invoice_or_404(session, user.business_id, customer_id, document_id)
        set_disputed(
            session,
            user.business_id,
            document_id,
            True,
            reason.strip(),
            now(request),
            actor_of(user.email),
        )
    return _back(
        request,
        customer_id,
        ok="Disputa abierta: no se envían recordatorios de esa factura.",
    )


@router.post("/conversaciones/{customer_id}/automatizar")
def back_to_automation(request: Request, customer_id: int) -> RedirectResponse:
    """Return the case to automation."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        case = resume_customer(
            session, user.business_id, customer_id, now(request), actor_of(user.email)
        )
    if case is None:
        return _back(request, customer_id, error="El cliente no tiene un caso abierto.")
    if case.closed_at is not None:
        return _back(request, customer_id, ok=CLOSED_AS_PAID)
    return _back(request, customer_id, ok="El caso volvió a la automatización.")


@router.post("/conversaciones/{customer_id}/cerrar")
def close_case(
    request: Request, customer_id: int, reason: str = Form("", max_length=500)
) -> RedirectResponse:
    """Close the waiting case and hold, with no end, the invoices still owed."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        case = open_case(session, user.business_id, customer_id)
        if case is None:
            return _back(
                request, customer_id, error="El cliente no tiene un caso abierto."
            )
        try:
            resolution = resolve(
                session,
                user.business_id,
                case.id,
                now(request),
                resume=False,
                actor=actor_of(user.email),
                reason=reason.strip() or CLOSED_HOLD_REASON,
            )
        except (InboxError, HoldError) as exc:
            session.rollback()
            return _back(request, customer_id, error=f"No se cerró el caso: {exc}.")
        held = [document.number for document in resolution.held]
    if not held:
        return _back(
            request,
            customer_id,
            ok="Caso cerrado. El cliente no debía ninguna factura, así que no se "
            "retuvo nada.",
        )
    return _back(
        request,
        customer_id,
        ok=f"Caso cerrado. Quedaron retenidas sin fecha de fin: {', '.join(held)}. "
        "El robot no vuelve a escribirle por ellas. Las liberás desde la ficha "
        "del cliente.",
    )


def _amount_error(error: ValueError) -> str:
    """Word an amount that could not be read as a notice sentence."""
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."
