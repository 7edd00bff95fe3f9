"""A customer's state in words, the same on Clientes, Conversaciones and each page.

The words follow the facts the planner and the gate read: an open case, a
hand-off reason, a pause, the consent ledger and the phone's status. A case
that the automation runs on is not "en gestión automática" when the gate
stops every message to the customer, so the reason takes its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from cobranza.compliance.consent import current_consents
from cobranza.db.models import CaseState, PhoneStatus
from cobranza.wording import handoff_label, local_time, pause_label

NOT_WRITTEN = "el robot no le escribe"
# Reasons the gate sends nothing to a customer, strongest first.
OPTED_OUT = "dio de baja"
NO_CONSENT = "sin consentimiento"
PHONE_BLOCKS = {
    PhoneStatus.WRONG_PERSON: "número equivocado",
    PhoneStatus.NOT_ON_WHATSAPP: "el número no está en WhatsApp",
    PhoneStatus.MISSING: "sin teléfono cargado",
    PhoneStatus.INVALID: "teléfono inválido",
}


class CaseFacts(Protocol):
    """The columns of a case that its state words depend on."""

    state: str
    handoff_reason: str | None
    paused_until: datetime | None
    pause_reason: str | None


@dataclass(frozen=True)
class CustomerState:
    """A state label, its detail, and why nothing is sent to the customer, if so."""

    label: str
    detail: str | None
    blocked: str | None

    @property
    def text(self) -> str:
        """Return the whole state as one line, such as the list shows it."""
        if self.label == NOT_WRITTEN:
            return f"{NOT_WRITTEN}: {self.blocked}"
        text = f"{self.label} ({self.detail})" if self.detail else self.label
        if self.blocked is not None:
            text += f" · {NOT_WRITTEN}: {self.blocked}"
        return text


def contact_block(consent: bool | None, phone_status: str | None) -> str | None:
    """Return why no message may go to the customer, or None."""
    if consent is False:
        return OPTED_OUT
    if phone_status in PHONE_BLOCKS:
        return PHONE_BLOCKS[PhoneStatus(phone_status)]
    if consent is None:
        return NO_CONSENT
    return None


def customer_state(
    case: CaseFacts | None,
    consent: bool | None,
    phone_status: str | None,
    now: datetime,
    timezone: str,
) -> CustomerState:
    """Word the state of a customer and of their open case, if any."""
    blocked = contact_block(consent, phone_status)
    if case is None:
        return CustomerState("sin caso abierto", None, blocked)

    # The gate skips a case with a future `paused_until` whatever its state.
    paused = case.paused_until is not None and case.paused_until > now
    if case.handoff_reason is not None or case.state == CaseState.HANDED_OFF:
        detail = handoff_label(case.handoff_reason or "policy_handoff")
        if case.state != CaseState.HANDED_OFF and not paused and blocked is None:
            # A reported payment only pauses reminders. When the pause ends
            # before a person checks it, the automation writes again.
            detail += ", y mientras tanto los recordatorios siguen saliendo"
        return CustomerState("espera a una persona", detail, blocked)

    if paused:
        assert case.paused_until is not None
        until = local_time(case.paused_until, timezone)
        label = f"en pausa hasta el {until}"
        return CustomerState(label, pause_label(case.pause_reason), blocked)

    if case.state == CaseState.PAUSED and case.paused_until is None:
        label = "en pausa sin fecha de fin"
        return CustomerState(label, pause_label(case.pause_reason), blocked)

    if blocked is not None:
        return CustomerState(NOT_WRITTEN, None, blocked)
    # NOTE: held invoices are not read here, so a case whose invoices are
    # all held still reads «en gestión automática» while no reminder goes out.
    return CustomerState("en gestión automática", None, None)


def customer_states(
    session: Session,
    business_id: int,
    customers: Iterable[tuple[int, str | None, CaseFacts | None]],
    now: datetime,
    timezone: str,
) -> dict[int, CustomerState]:
    """Word the state of many (customer id, phone status, open case) at once.

    The consent of every customer is read in one statement.
    """
    rows = list(customers)
    consents = current_consents(session, business_id, {row[0] for row in rows})
    return {
        customer_id: customer_state(
            case, consents.get(customer_id), phone_status, now, timezone
        )
        for customer_id, phone_status, case in rows
    }
