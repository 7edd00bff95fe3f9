"""The hand-off inbox: cases waiting for a person, and how a person settles them.

A case waits while its `handoff_reason` is set, whether the automation is
stopped (`handed_off`) or only paused while a person verifies a reported
payment. `cobranza inbox` lists them. A person replies inside the 24-hour
window, then resumes the automation or closes the case. Closing puts the
invoices still owed on hold with no end, so no later cycle writes about them.

A case stays here after its customer's balance reaches zero when a payment
does not settle its reason, such as a dispute (`paid_handoffs`); the list
marks it with `BALANCE_SETTLED`. Resuming such a case closes it as paid,
because there is nothing left for the automation to collect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import matching_customers, window_open
from cobranza.conversations import handoff
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    InboundMedia,
    InboundMessage,
)
from cobranza.dunning.holds import hold_open_invoices
from cobranza.dunning.paid_handoffs import (
    POLICY_HANDOFF,
    close_owing_nothing,
    customers_owing,
)

# The hold reason of the invoices a person stops collecting by closing a case.
CLOSED_HOLD_REASON = "cerrado por una persona"
# Owner-facing labels of the hand-off reasons, shown by `cobranza inbox`.
REASON_LABELS = {
    "request_human": "pidió hablar con una persona",
    "possible_opt_out": (
        "podría estar pidiendo la baja: si es así, registrala con "
        "cobranza consent revoke"
    ),
    "opt_in_owner_revocation": (
        "pide volver a recibir mensajes, pero la baja la registró el negocio: "
        "si corresponde, registrá el alta con cobranza consent grant y reanudá "
        "el caso"
    ),
    "opt_in_with_more": (
        "volvió a pedir mensajes (ya se registró el alta) y escribió algo más: "
        "leé su mensaje"
    ),
    "opt_out_new_contact": (
        "pidió la baja de este número y dejó otro contacto: actualizá el "
        "teléfono y registrá su consentimiento"
    ),
    "complaint_threat": (
        "amenaza con un reclamo o una denuncia: revisá el caso antes de "
        "escribirle (si pidió la baja, ya no se le escribe)"
    ),
    "cannot_pay": "dice que no puede pagar",
    "wrong_person": "número equivocado: corregí el contacto",
    "dispute": "reclama una factura",
    "payment_to_verify": "dice que ya pagó: verificá el pago",
    "promise_no_date": "promete pagar sin decir cuándo",
    "promise_too_far": (
        "promete pagar en una fecha más lejana que tu plan de cuotas más largo: "
        "acordá el día con el cliente"
    ),
    "promise_to_review": "promete pagar lo que está en reclamo: revisá el monto",
    "unclear_reply": "respuesta que el robot no entendió",
    "invoices_held": (
        "escribió mientras todo lo que debe está retenido (por ejemplo, porque "
        "pasó al abogado): respondele vos"
    ),
    "invoices_disputed": (
        "escribió mientras todo lo que debe está en disputa: revisá el reclamo "
        "y respondele vos"
    ),
    "identity_repeated": (
        "volvió a preguntar quién le escribe después de la respuesta del robot"
    ),
    "installments_requested": "pidió cuotas fuera de los límites",
    "installments_refused": (
        "habla de cuotas pero parece no quererlas: leé el mensaje y respondele"
    ),
    "promise_past_installment": (
        "promete pagar después del plazo de gracia de su próxima cuota: "
        "decidí si se mueve la cuota"
    ),
    "plan_declined": "rechazó el plan de cuotas ofrecido",
    "installments_count_invalid": (
        "pidió cero cuotas o menos: leé el mensaje y preguntale cómo quiere pagar"
    ),
    "installments_amount_named": (
        "pidió cuotas de un monto fijo: acordá con el cliente cuántas cuotas y de "
        "cuánto"
    ),
    "plan_split_outside_limits": (
        "pidió pagar en partes con días o montos que el plan no permite sin "
        "cambiarlos: acordá los pagos con el cliente"
    ),
    "installments_several_currencies": (
        "pidió cuotas y debe en varias monedas, pero nombra una primera cuota "
        "sin decir la moneda o pide algo distinto para una moneda: acordá los "
        "pagos con el cliente"
    ),
    "promise_currency_not_owed": (
        "promete pagar en una moneda en la que no debe: revisá en qué moneda paga"
    ),
    "promise_currency_unclear": (
        "promete un monto sin aclarar la moneda y debe en varias: preguntale en "
        "qué moneda paga"
    ),
    POLICY_HANDOFF: "la política de cobranza llegó al paso de pasarlo a una persona",
    "payment_charged_back": "el pago tuvo un contracargo: revisá la deuda",
    "payment_in_mediation": "el pago está en mediación: revisá la deuda",
    "payment_mismatch_amount": "pagó un monto distinto al del link: revisá el pago",
    "payment_mismatch_currency": "pagó en otra moneda que la del link: revisá el pago",
}

# Shown next to the hand-off reason of a case whose customer owes nothing.
BALANCE_SETTLED = (
    "saldo cancelado: ya no debe nada y no recibe recordatorios. Al reanudarlo, "
    "el caso se cierra como pagado"
)

# Shown next to the hand-off reason while the customer's latest file (a
# receipt) failed to download for good.
RECEIPT_NOT_DOWNLOADED = (
    "el último archivo que mandó no se pudo descargar: pedile que lo mande de nuevo"
)


def waits_for_person() -> ColumnElement[bool]:
    """Return the condition of a case that waits for a person.

    A reply or a payment problem sets the hand-off reason. The policy's
    hand-off step only stops the automation, so that state counts too.
    """
    return or_(Case.handoff_reason.is_not(None), Case.state == CaseState.HANDED_OFF)


def waiting_since(case: Case) -> datetime:
    """Return when the case started to wait for a person.

    The policy's hand-off step sets no hand-off time, so its case waits
    since the planner planned that step.
    """
    return case.handed_off_at or case.planned_at or case.opened_at


class InboxError(LookupError):
    """The case is not found in the business or is not waiting for a person."""


@dataclass(frozen=True)
class Resolution:
    """A resolved case and the invoices that closing it put on hold."""

    case: Case
    # Empty when the case was resumed, or closed with nothing owed.
    held: list[Document]
    # The case was resumed while its customer owed nothing, so it was
    # closed as paid (`zero_balance`) instead.
    closed_as_paid: bool = False


@dataclass(frozen=True)
class WaitingCase:
    """One case in the inbox, with the customer's last message."""

    case_id: int
    customer_id: int
    customer_external_id: str
    customer_name: str
    reason: str
    waiting_since: datetime
    last_message: str | None
    last_message_at: datetime | None
    window_open: bool
    # The customer's latest file failed to download for good.
    receipt_not_downloaded: bool = False
    # The customer owes nothing in any currency: a payment or an import
    # settled the balance while the case waited (`BALANCE_SETTLED`).
    nothing_owed: bool = False

    def as_dict(self) -> dict[str, object]:
        """Return the case as JSON-ready values, times in ISO 8601."""
        return {
            "case_id": self.case_id,
            "customer": {
                "id": self.customer_id,
                "external_id": self.customer_external_id,
                "name": self.customer_name,
            },
            "reason": self.reason,
            "waiting_since": self.waiting_since.isoformat(),
            "last_message": self.last_message,
            "last_message_at": self.last_message_at.isoformat()
            if self.last_message_at is not None
            else None,
            "window_open": self.window_open,
            "receipt_not_downloaded": self.receipt_not_downloaded,
            "nothing_owed": self.nothing_owed,
        }


def waiting_cases(
    session: Session, business_id: int, now: datetime
) -> list[WaitingCase]:
    """Return the business's cases waiting for a person, longest waiting first."""
    rows = session.execute(
        select(Case, Customer)
        .join(Customer, Customer.id == Case.customer_id)
        .where(
            Case.business_id == business_id,
            Case.closed_at.is_(None),
            waits_for_person(),
        )
        # The same instant as `waiting_since`, so that a policy hand-off,
        # which has no hand-off time, is not first on SQLite and last on
        # PostgreSQL, which sort NULL apart.
        .order_by(
            func.coalesce(Case.handed_off_at, Case.planned_at, Case.opened_at),
            Case.id,
        )
    ).all()
    customer_ids = [customer.id for _, customer in rows]
    not_downloaded = undownloaded_receipts(session, business_id, customer_ids)
    owing = customers_owing(session, business_id, customer_ids)
    waiting = []
    for case, customer in rows:
        last = session.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.business_id == business_id,
                InboundMessage.customer_id == customer.id,
            )
            .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
            .limit(1)
        ).first()
        waiting.append(
            WaitingCase(
                case_id=case.id,
                customer_id=customer.id,
                customer_external_id=customer.external_id,
                customer_name=customer.name,
                reason=case.handoff_reason or POLICY_HANDOFF,
                waiting_since=waiting_since(case),
                last_message=_message_text(last),
                last_message_at=last.received_at if last is not None else None,
                window_open=window_open(session, business_id, customer.id, now),
                receipt_not_downloaded=customer.id in not_downloaded,
                nothing_owed=customer.id not in owing,
            )
        )
    return waiting


def undownloaded_receipts(
    session: Session, business_id: int, customer_ids: Iterable[int]
) -> set[int]:
    """Return the customers of `customer_ids` whose latest file failed for good.

    A file sent later that downloads, such as the receipt sent again, clears it.
    """
    ids = set(customer_ids)
    if not ids:
        return set()
    latest = (
        select(func.max(InboundMedia.id))
        .join(InboundMessage, InboundMessage.id == InboundMedia.inbound_message_id)
        .where(
            InboundMedia.business_id == business_id,
            InboundMessage.customer_id.in_(ids),
        )
        .group_by(InboundMessage.customer_id)
    )
    failed = session.scalars(
        select(InboundMessage.customer_id)
        .join(InboundMedia, InboundMedia.inbound_message_id == InboundMessage.id)
        .where(
            InboundMedia.id.in_(latest),
            InboundMedia.downloaded_at.is_(None),
            InboundMedia.error.is_not(None),
        )
    )
    return {customer_id for customer_id in failed if customer_id is not None}


@dataclass(frozen=True)
class UnknownSenderMessage:
    """A message from a number that matches no customer, or several."""

    inbound_id: int
    sender: str
    text: str
    received_at: datetime
    # The names of the customers that share the number, when several do.
    shared_by: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """Return the message as JSON-ready values, the time in ISO 8601."""
        return {
            "id": self.inbound_id,
            "sender": self.sender,
            "text": self.text,
            "received_at": self.received_at.isoformat(),
            "shared_by": list(self.shared_by),
        }


def customers_sharing(
    session: Session, business: Business, senders: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Return the names of the customers behind each sender that several share.

    A reply from such a number is stored without a customer, as from an
    unknown number, so the owner needs to know whose number it is.
    """
    shared: dict[str, tuple[str, ...]] = {}
    for sender in set(senders):
        customers = matching_customers(session, business, wa_id=sender)
        if len(customers) > 1:
            shared[sender] = tuple(customer.name for customer in customers)
    return shared


def unknown_sender_messages(
    session: Session, business_id: int, limit: int
) -> list[UnknownSenderMessage]:
    """Return up to `limit` messages from unknown numbers, newest first.

    The dashboard lists the same messages under «Remitentes desconocidos».
    """
    rows = session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.business_id == business_id,
            InboundMessage.customer_id.is_(None),
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    ).all()
    business = session.get_one(Business, business_id)
    shared = customers_sharing(session, business, (row.sender for row in rows))
    return [
        UnknownSenderMessage(
            message.id,
            message.sender,
            _message_text(message) or "",
            message.received_at,
            shared.get(message.sender, ()),
        )
        for message in rows
    ]


def count_unknown_sender_messages(session: Session, business_id: int) -> int:
    """Count every message from a number that matches no customer."""
    count = session.scalar(
        select(func.count()).where(
            InboundMessage.business_id == business_id,
            InboundMessage.customer_id.is_(None),
        )
    )
    return int(count or 0)


def waiting_case(session: Session, business_id: int, case_id: int) -> Case:
    """Return the business's open case `case_id`, or raise `InboxError`."""
    case = session.get(Case, case_id)
    if case is None or case.business_id != business_id:
        raise InboxError(
            f"no se encontró el caso {case_id}: `cobranza inbox` lista los casos "
            "en espera con su número"
        )
    if case.closed_at is not None:
        raise InboxError(f"el caso {case_id} está cerrado: no hay nada que resolver")
    return case


def reply_channel(session: Session, business_id: int, customer_id: int) -> str:
    """Return the channel the customer last wrote on, where a person replies."""
    channel = session.scalar(
        select(InboundMessage.channel)
        .where(
            InboundMessage.business_id == business_id,
            InboundMessage.customer_id == customer_id,
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(1)
    )
    if channel is None:
        customer = session.get_one(Customer, customer_id)
        raise InboxError(
            f"el cliente {customer.external_id} nunca le escribió al negocio, así "
            "que no hay ventana de 24 h para responderle: llamalo, o reanudá el "
            "caso para que la política le escriba con una plantilla aprobada"
        )
    return channel


def resolve(
    session: Session,
    business_id: int,
    case_id: int,
    now: datetime,
    *,
    resume: bool,
    actor: str,
    reason: str = CLOSED_HOLD_REASON,
) -> Resolution:
    """Return a waiting case to automation (`resume`) or close it, audited.

    Resuming a case whose customer owes nothing closes it as paid
    (`zero_balance`), because nothing is left to collect. Closing also
    holds, with no end and under `reason`, every invoice the customer still
    owes, so the next planning cycle opens no new case about them. Invoices
    imported later are not held. Raises `InboxError` for a
    case that does not wait for a person, and `HoldError` for an empty or
    too long `reason`, with nothing changed.
    """
    case = waiting_case(session, business_id, case_id)
    if case.handoff_reason is None and case.state != CaseState.HANDED_OFF:
        raise InboxError(
            f"el caso {case_id} no está esperando a una persona: no hay nada que "
            "resolver"
        )
    if resume:
        if not customers_owing(session, business_id, [case.customer_id]):
            close_owing_nothing(session, case, now, actor)
            return Resolution(case, [], closed_as_paid=True)
        handoff.resume(session, case, now, actor)
        return Resolution(case, [])

    # The hold checks the reason first, so a bad one leaves the case open.
    customer = session.get_one(Customer, case.customer_id)
    held = hold_open_invoices(session, customer, reason, now, actor)
    handoff.close(session, case, now, actor)
    return Resolution(case, held)


def _message_text(message: InboundMessage | None) -> str | None:
    if message is None:
        return None
    if message.text:
        return message.text
    return f"[{message.type}]"
