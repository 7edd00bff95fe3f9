"""A person's reply inside the 24-hour window, sent through the channel.

The business's contact hours, days and holidays apply to a person's reply as
they do to the robot's messages, because they limit when a debtor is
contacted about a debt, by a person or by the robot. A reply typed outside
them is not sent. The error message gives the owner the time the hours open
and whether the 24-hour window will still be open then, so the owner can send
it again.

The reply follows the dispatcher's protocol: an outbox row is written and
committed in state `sending` before the channel is called, then marked
`sent` with the provider's id (or `failed` with the error). A crash between
the two leaves a `sending` row that the dispatcher's reconciliation settles,
so a reply is never sent twice.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel, OutgoingMessage
from cobranza.channels.dispatcher import UNKNOWN_DELIVERY_STATE
from cobranza.channels.errors import (
    ChannelError,
    InvalidRecipientError,
    TransientChannelError,
)
from cobranza.channels.inbox import last_inbound_at, window_open
from cobranza.compliance.business_rules import current_rules
from cobranza.compliance.consent import current_consent_state
from cobranza.compliance.reasons import Reason
from cobranza.compliance.window import (
    contact_zones,
    first_block,
    holiday_name,
    next_allowed_in_all,
)
from cobranza.country_words import words_for_country
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
)
from cobranza.dunning import outbox
from cobranza.dunning.template_approval import SERVICE_WINDOW
from cobranza.timeutil import local_date
from cobranza.wording import MANUAL_STEP, local_time

logger = logging.getLogger(__name__)

# The robot's acknowledgement of a hand-off (messages/templates/*/handoff_ack),
# and the reason stored when a queued one is dropped after a person replied.
HANDOFF_ACK = "handoff_ack"
ANSWERED_BY_PERSON = "answered_by_person"

MAX_REPLY_LENGTH = 4096


class ReplyRejected(ValueError):
    """Raised when a reply cannot be sent; the message gives the reason in Spanish."""


def reply_blocked(session: Session, business_id: int, customer: Customer) -> str | None:
    """Return why no reply may go to this customer's number, or None.

    The 24-hour window opens whenever the phone writes, so an open window
    does not mean that this number may still be written to.
    """
    if customer.phone_status == PhoneStatus.WRONG_PERSON:
        return (
            "Este número está marcado como equivocado: quien lo usa no es el "
            "cliente, así que no se le escribe. Corregí el teléfono del cliente "
            "antes de responder."
        )
    if customer.phone_status == PhoneStatus.NOT_ON_WHATSAPP:
        problem = customer.phone_problem or "el número no está en WhatsApp"
        return (
            f"No se le escribe a este número: {problem}. Corregí el teléfono "
            "del cliente antes de responder."
        )
    consent = current_consent_state(session, business_id, customer.id)
    if consent.granted is False:
        return (
            "El cliente pidió no recibir más mensajes, así que no se le escribe. "
            "Si vuelve a aceptarlos, registrá su consentimiento (cobranza consent "
            "grant) y respondé después."
        )
    return None


def reply_hours_problem(
    session: Session, business_id: int, customer: Customer, now: datetime
) -> str | None:
    """Return why a person's reply may not go out at `now`, or None.

    The hours are read in the customer's time zone, or the business's when
    the customer has none, and in every zone of an area code that spans
    several, as the gate reads them for the robot's messages.
    """
    business = session.get_one(Business, business_id)
    rules = current_rules(business)
    zones = contact_zones(customer.timezone, customer.phone, business.timezone)
    blocked = first_block(rules, now, zones)
    if blocked is None:
        return None
    reason, zone = blocked

    day = local_date(now, zone)
    if reason == Reason.HOLIDAY:
        name = holiday_name(rules, day) or ""
        rule_text = f"es {words_for_country(rules.country).holiday} ({name})"
    elif reason == Reason.DAY_NOT_ALLOWED:
        rule_text = "ese día de la semana no se le escribe"
    else:
        window = rules.window_for(day.weekday())
        assert window is not None
        hours = f"{window.start:%H:%M} a {window.end:%H:%M}"
        rule_text = f"ese día se le escribe de {hours}"
    local = now.astimezone(ZoneInfo(zone))
    text = (
        f"En la zona horaria del cliente son las {local:%H:%M} del "
        f"{local:%d/%m/%Y} y {rule_text}: el horario de contacto vale también "
        "para lo que escribe una persona."
    )
    opens = next_allowed_in_all(rules, now, zones)
    last = last_inbound_at(session, business_id, customer.id)
    closes = None if last is None else last + SERVICE_WINDOW
    if closes is not None and opens < closes:
        return (
            f"{text} Mandala desde el {local_time(opens, zone)} (hora del "
            "cliente): la ventana de 24 horas de WhatsApp sigue abierta hasta "
            f"el {local_time(closes, zone)}."
        )
    return (
        f"{text} El horario abre el {local_time(opens, zone)} (hora del "
        "cliente), cuando la ventana de 24 horas de WhatsApp ya se cerró, así "
        "que después solo se le puede escribir con una plantilla aprobada."
    )


def send_owner_reply(
    engine: Engine,
    channel: Channel,
    business_id: int,
    customer_id: int,
    case_id: int,
    text: str,
    now: datetime,
    actor: str,
) -> OutboxMessage:
    """Send a free-text reply from a person to the customer of an open case."""
    body = text.strip()
    if not body:
        raise ReplyRejected("Escribí una respuesta antes de enviar.")
    if len(body) > MAX_REPLY_LENGTH:
        raise ReplyRejected(f"La respuesta supera los {MAX_REPLY_LENGTH} caracteres.")

    with transaction(engine) as session:
        customer = session.get_one(Customer, customer_id)
        if not window_open(session, business_id, customer_id, now):
            raise ReplyRejected(
                "Pasaron más de 24 horas desde el último mensaje del cliente: "
                "WhatsApp solo permite texto libre dentro de esa ventana."
            )
        if not customer.phone:
            raise ReplyRejected("El cliente no tiene un teléfono válido.")
        blocked = reply_blocked(session, business_id, customer)
        if blocked is not None:
            raise ReplyRejected(blocked)
        out_of_hours = reply_hours_problem(session, business_id, customer, now)
        if out_of_hours is not None:
            logger.info(
                "manual reply to customer %s rejected outside contact hours",
                customer_id,
            )
            raise ReplyRejected(out_of_hours)
        row = OutboxMessage(
            business_id=business_id,
            case_id=case_id,
            customer_id=customer_id,
            channel=channel.name,
            step=MANUAL_STEP,
            step_kind=MANUAL_STEP,
            tone="friendly",
            locale=customer.locale or session.get_one(Business, business_id).locale,
            variables={},
            document_ids=[],
            idempotency_key=hashlib.sha256(
                f"{business_id}:{case_id}:manual:{secrets.token_hex(16)}".encode()
            ).hexdigest(),
            state=OutboxState.SENDING,
            planned_for=now,
            attempts=1,
            text=body,
            claimed_at=now,
            created_at=now,
        )
        session.add(row)
        session.flush()
        message = OutgoingMessage(
            outbox_id=row.id,
            business_id=business_id,
            customer_id=customer_id,
            to_phone=customer.phone,
            text=body,
        )

    try:
        receipt = channel.send(message)
    except ChannelError as exc:
        # A timeout may hide a message that did reach the provider. Its row
        # is flagged as such, so a sent, delivered or read status for it
        # later records it as sent (`channels.inbox.apply_status`).
        timed_out = isinstance(exc.__cause__, httpx.TimeoutException)
        with transaction(engine) as session:
            failed = session.get_one(OutboxMessage, message.outbox_id)
            failed.state = OutboxState.FAILED
            failed.failed_at = now
            failed.error_code = (
                UNKNOWN_DELIVERY_STATE if timed_out else type(exc).__name__[:64]
            )
            failed.error_detail = str(exc)
        logger.warning(
            "manual reply %s failed: %s", message.outbox_id, type(exc).__name__
        )
        raise ReplyRejected(_channel_problem(exc)) from exc

    with transaction(engine) as session:
        sent = session.get_one(OutboxMessage, message.outbox_id)
        sent.state = OutboxState.SENT
        sent.sent_at = receipt.sent_at
        sent.provider_message_id = receipt.provider_message_id
        _drop_queued_acknowledgements(session, sent, now, actor)
        session.add(
            AuditEvent(
                business_id=business_id,
                at=now,
                actor=actor,
                kind="manual_reply_sent",
                subject_type="outbox_message",
                subject_id=sent.id,
                reason="respuesta de una persona",
                details={"customer_id": customer_id, "case_id": case_id},
            )
        )
    return sent


def _drop_queued_acknowledgements(
    session: Session, sent: OutboxMessage, now: datetime, actor: str
) -> None:
    """Suppress the robot's queued "a person will answer" for the customer.

    The acknowledgement may still be queued, for example when the customer
    wrote before the contact hours opened, and it would arrive after the
    person's reply.
    """
    statement = select(OutboxMessage).where(
        OutboxMessage.business_id == sent.business_id,
        OutboxMessage.customer_id == sent.customer_id,
        OutboxMessage.state == OutboxState.QUEUED,
        OutboxMessage.step_kind == HANDOFF_ACK,
    )
    if session.get_bind().dialect.name == "postgresql":
        # A row a dispatcher is claiming is already on its way.
        statement = statement.with_for_update(skip_locked=True)
    for row in session.scalars(statement.order_by(OutboxMessage.id)):
        details = {"replaced_by": MANUAL_STEP, "replaced_by_outbox_id": sent.id}
        outbox.suppress(session, row, ANSWERED_BY_PERSON, now, details, actor=actor)


def _channel_problem(error: ChannelError) -> str:
    """Word a channel's failure in Spanish for the owner.

    The provider's own text, often English, stays in the outbox row's
    `error_detail`.
    """
    if isinstance(error, InvalidRecipientError):
        return (
            "El canal no pudo entregar el mensaje a este número. Revisá el "
            "teléfono del cliente."
        )
    if isinstance(error, TransientChannelError):
        return (
            "El canal no respondió o pidió esperar. Esperá unos minutos y mirá la "
            "conversación antes de volver a escribir, porque el mensaje puede "
            "haber llegado igual."
        )
    return (
        "El canal rechazó el mensaje. Volvé a intentar y, si se repite, revisá "
        "la conexión del canal en Configuración."
    )
