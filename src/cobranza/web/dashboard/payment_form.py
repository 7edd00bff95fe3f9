"""Registrar pago: a payment received outside the providers, typed by the owner.

The form calls the same service as `cobranza payment add`, and the
confirmation states which invoices the payment settled, what is still owed and
what happened to the customer's case, because a payment never resolves a
hand-off by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    Allocation,
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    Payment,
)
from cobranza.dunning.paid_handoffs import customers_owing
from cobranza.ingest.amounts import marked_currency
from cobranza.money import (
    MAX_AMOUNT,
    format_amount,
    format_money,
    minor_units,
    parse_amount_input,
    quantize,
)
from cobranza.payments.errors import PaymentError
from cobranza.payments.manual import RECEIPT_PROVIDER, record_payment
from cobranza.payments.reconcile import ApplyResult
from cobranza.payments.status import PaymentStatus
from cobranza.timeutil import local_date, parse_instant
from cobranza.web.dashboard.common import (
    business_of,
    customer_or_404,
    redirect_with_notice,
)
from cobranza.web.dashboard.customer_queries import open_case
from cobranza.web.security import db, now, signed_in
from cobranza.wording import handoff_label, pause_label

logger = logging.getLogger(__name__)

router = APIRouter()

# Pages the form returns to: the customer's page or the conversation with them.
RETURN_PATHS = {"cliente": "/clientes/{}", "conversacion": "/conversaciones/{}"}


@router.post("/clientes/{customer_id}/pago")
def add_payment(
    request: Request,
    customer_id: int,
    amount: str = Form(..., max_length=32),
    paid_on: date = Form(...),
    method: str = Form("", max_length=32),
    reference: str = Form("", max_length=200),
    back: str = Form("cliente", max_length=16),
    currency: str = Form("", max_length=3),
) -> RedirectResponse:
    """Record a payment received outside the providers and allocate it."""
    user = signed_in(request)
    instant = now(request)
    path = RETURN_PATHS.get(back, RETURN_PATHS["cliente"]).format(customer_id)

    with db(request) as session:
        business = business_of(session, user.business_id)
        customer = customer_or_404(session, business.id, customer_id)
        today = local_date(instant, business.timezone)
        currencies = payment_currencies(session, business, customer.id)
        code = currency.strip().upper() or business.currency
        if code not in currencies:
            return redirect_with_notice(
                path,
                user,
                error=f"Moneda inválida: «{currency.strip()}». Elegí una de estas: "
                + ", ".join(currencies)
                + ".",
            )
        problem = _amount_problem(amount, code, business.locale)
        marked = marked_currency(amount)
        if problem is None and marked is not None and marked != code:
            # The sign is dropped before parsing, so "US$ 500" with the
            # currency left at pesos would be recorded as 500 pesos.
            problem = (
                f"El monto {amount.strip()} está en {marked} y la moneda elegida es "
                f"{code}: elegí {marked} en «Moneda» o escribí el monto sin signo."
                if marked in currencies
                else f"El monto {amount.strip()} está en {marked}, y el cliente no "
                f"tiene facturas en {marked}: escribí el monto en {code}."
            )
        if problem is None and paid_on > today:
            problem = (
                f"La fecha del pago, {paid_on:%d/%m/%Y}, es futura. Elegí hoy o "
                "el día en que recibiste el pago."
            )
        if problem is not None:
            return redirect_with_notice(path, user, error=problem)

        case_before = open_case(session, business.id, customer.id)
        waited_for = _waiting_reason(case_before)
        # A payment dated today is stamped now. An earlier day starts at 00:00
        # in the business's zone, as `cobranza payment add --date` does.
        paid_at = (
            instant
            if paid_on == today
            else parse_instant(paid_on.isoformat(), business.timezone)
        )
        reference_text = reference.strip() or None
        try:
            result = record_payment(
                session,
                business,
                customer,
                parse_amount_input(amount, business.locale, code),
                paid_at,
                instant,
                currency=code,
                method=method.strip() or None,
                reference=reference_text,
            )
        except PaymentError as exc:
            session.rollback()
            logger.warning("payment for customer %s not recorded: %s", customer_id, exc)
            return redirect_with_notice(
                path, user, error=f"No se registró el pago: {exc}."
            )
        if not result.changed:
            return redirect_with_notice(
                path,
                user,
                error=f"Ya hay un pago registrado con la referencia "
                f"«{reference_text}», así que no se registró otro. Si es un pago "
                "distinto, escribí su propia referencia.",
            )
        confirmation = _confirmation(
            session, business, customer, result, case_before, waited_for
        )
    logger.info(
        "owner recorded payment %s for customer %s", result.payment_id, customer_id
    )
    return redirect_with_notice(path, user, ok=confirmation)


def payment_currencies(
    session: Session, business: Business, customer_id: int
) -> list[str]:
    """Return the currencies a payment may be in: the business's, then others.

    The others are those of the customer's documents, so that a customer who
    owes dollars can be recorded as paying dollars.
    """
    others = session.scalars(
        select(Document.currency)
        .where(
            Document.business_id == business.id,
            Document.customer_id == customer_id,
            Document.currency != business.currency,
        )
        .distinct()
        .order_by(Document.currency)
    ).all()
    return [business.currency, *others]


def _amount_problem(text: str, currency: str, locale: str) -> str | None:
    """Return why `text` is not a payment amount in `currency`, or None."""
    try:
        value = parse_amount_input(text, locale, currency)
    except ValueError as exc:
        return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    if value <= 0:
        sample = Decimal(15000) if minor_units(currency) == 0 else Decimal("15000.50")
        example = format_amount(sample, currency, locale)
        return (
            "El monto del pago tiene que ser mayor que 0: escribí lo que "
            f"recibiste, por ejemplo {example}."
        )
    if value >= MAX_AMOUNT:
        return (
            f"El monto {text.strip()} es demasiado grande: un pago tiene que ser "
            "menor que 100.000.000.000.000. Revisá el monto."
        )
    if quantize(value, currency) != value:
        digits = minor_units(currency)
        if digits == 0:
            fix = "escribilo sin decimales"
        else:
            fix = f"redondealo a {digits} decimales"
        return (
            f"El monto {text.strip()} tiene más decimales de los que admite "
            f"{currency}: {fix}."
        )
    return None


def _waiting_reason(case: Case | None) -> str | None:
    """Return the hand-off reason of a case that waits for a person, or None."""
    if case is None:
        return None
    if case.handoff_reason is not None:
        return case.handoff_reason
    if case.state == CaseState.HANDED_OFF:
        return "policy_handoff"
    return None


def _confirmation(
    session: Session,
    business: Business,
    customer: Customer,
    result: ApplyResult,
    case_before: Case | None,
    waited_for: str | None,
) -> str:
    """Word what the payment settled, what is still owed and the case's new state."""
    payment = session.get_one(Payment, result.payment_id)
    session.refresh(payment)

    def money(amount: Decimal) -> str:
        return format_money(amount, payment.currency, business.locale)

    parts = [f"Pago de {money(payment.amount)} registrado."]
    parts.append(_settled(session, payment, money))
    if payment.unallocated > 0:
        parts.append(
            f"Quedan {money(payment.unallocated)} como saldo a favor del cliente."
        )
    owed = _owed_words(session, business, customer.id, payment.currency)
    parts.append(_case_outcome(session, result, case_before, waited_for, owed, money))
    pending = _pending_receipts(session, business.id, customer.id)
    if pending:
        parts.append(
            f"El cliente tiene {pending} comprobante(s) sin revisar en la "
            "conversación: si muestran este mismo pago, no los aceptes, porque "
            "se contaría dos veces."
        )
    return " ".join(parts)


def _settled(
    session: Session, payment: Payment, money: Callable[[Decimal], str]
) -> str:
    rows = session.execute(
        select(Document.number, Document.open_amount, Allocation.amount)
        .join(Allocation, Allocation.document_id == Document.id)
        .where(Allocation.payment_id == payment.id)
        .order_by(Document.due_on, Document.id)
    ).all()
    if not rows:
        return "No había facturas abiertas en esa moneda para saldar."
    applied = []
    for number, open_amount, allocated in rows:
        state = "saldada" if open_amount <= 0 else f"quedan {money(open_amount)}"
        applied.append(f"{number} {money(allocated)} ({state})")
    return "Se aplicó a: " + ", ".join(applied) + "."


def _case_outcome(
    session: Session,
    result: ApplyResult,
    case_before: Case | None,
    waited_for: str | None,
    owed: str | None,
    money: Callable[[Decimal], str],
) -> str:
    if result.case_closed:
        closed = "El caso se cerró como pagado y el agradecimiento quedó en cola"
        if waited_for is not None:
            closed += " y ya no espera a una persona"
        return closed + "."
    if case_before is None:
        if owed is not None:
            return f"El cliente no tenía un caso abierto. Saldo pendiente: {owed}."
        return "El cliente no tenía un caso abierto."

    owed = owed or money(Decimal(0))
    case = session.get_one(Case, case_before.id)
    session.refresh(case)
    if waited_for is not None and not customers_owing(
        session, case.business_id, [case.customer_id]
    ):
        return (
            "El cliente ya no debe nada, pero el caso sigue esperando a una "
            f"persona ({handoff_label(waited_for)}), porque el pago no responde "
            "ese motivo. Respondele y, cuando lo hayas resuelto, tocá «Volver a "
            "la automatización» para cerrarlo como pagado."
        )
    if waited_for is not None:
        return (
            f"El caso sigue esperando a una persona ({handoff_label(waited_for)}) "
            f"con un saldo pendiente de {owed}. Cuando lo hayas revisado, "
            "tocá «Volver a la automatización» para que los recordatorios sigan "
            "por ese saldo."
        )
    if case.state == CaseState.PAUSED:
        return (
            f"El caso sigue en pausa ({pause_label(case.pause_reason)}) con un "
            f"saldo pendiente de {owed}."
        )
    return (
        f"El caso sigue abierto: los recordatorios siguen por el saldo pendiente "
        f"de {owed}."
    )


def _owed_words(
    session: Session, business: Business, customer_id: int, payment_currency: str
) -> str | None:
    """Word what the customer still owes in each currency, the payment's first.

    Returns None when the customer owes nothing in any currency.
    A payment in dollars from a customer who also owes pesos leaves the
    pesos pending, so the notice names them, as in «$ 11.345,60».
    """
    rows = session.execute(
        select(Document.currency, func.sum(Document.open_amount))
        .where(
            Document.business_id == business.id,
            Document.customer_id == customer_id,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
    ).all()
    owed = {currency: Decimal(total or 0) for currency, total in rows}
    order = sorted(owed, key=lambda code: (code != payment_currency, code))
    amounts = [
        format_money(owed[code], code, business.locale)
        for code in order
        if owed[code] > 0
    ]
    if not amounts:
        return None
    return " y ".join(amounts)


def _pending_receipts(session: Session, business_id: int, customer_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Payment.business_id == business_id,
                Payment.customer_id == customer_id,
                Payment.provider == RECEIPT_PROVIDER,
                Payment.status == PaymentStatus.PENDING,
            )
        )
        or 0
    )
