"""A customer's state in words, the same on Clientes, Conversaciones and each page.

The words follow the facts the planner and the gate read: an open case, a
hand-off reason, a pause, the consent ledger, the phone's status and the
invoices on hold. A case that the automation runs on is not "en gestión
automática" when the gate stops every message to the customer, or when
every invoice the customer owes is on hold, so the reason takes its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from cobranza.compliance.consent import current_consent, current_consents
from cobranza.db.models import CaseState, Customer, PhoneStatus
from cobranza.dunning.holds import CustomerHolds, customer_holds
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
# The state of an open case whose every invoice owed is on hold: the planner
# finds no balance to collect, so no reminder goes out.
ALL_HELD = "recordatorios en pausa por facturas retenidas"
# Leads the list of held invoices when some invoices are still collected.
SOME_HELD = "facturas retenidas"


class HoldFacts(Protocol):
    """The columns of a held invoice that the state words show."""

    number: str
    hold_until: date | None
    hold_reason: str | None


class CaseFacts(Protocol):
    """The columns of a case that its state words depend on."""

    state: str
    handoff_reason: str | None
    paused_until: datetime | None
    pause_reason: str | None


@dataclass(frozen=True)
class CustomerState:
    """A state label, its detail, why nothing is sent, and the invoices on hold."""

    label: str
    detail: str | None
    blocked: str | None
    # The invoices on hold with their end and reason, when the label does
    # not already say it.
    held: str | None = None

    @property
    def text(self) -> str:
        """Return the whole state as one line, such as the list shows it."""
        if self.label == NOT_WRITTEN:
            text = f"{NOT_WRITTEN}: {self.blocked}"
        else:
            text = f"{self.label} ({self.detail})" if self.detail else self.label
        if self.held is not None:
            text += f" · {SOME_HELD}: {self.held}"
        if self.blocked is not None and self.label != NOT_WRITTEN:
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


def hold_words(held: Iterable[HoldFacts]) -> str:
    """Word held invoices by end and reason: «A-1 y A-2 sin fecha de fin, motivo: x»."""
    groups: dict[tuple[date | None, str], list[str]] = {}
    for invoice in held:
        key = (invoice.hold_until, invoice.hold_reason or "sin motivo")
        groups.setdefault(key, []).append(invoice.number)
    parts = []
    for (until, reason), numbers in groups.items():
        when = "sin fecha de fin" if until is None else f"hasta el {until:%d/%m/%Y}"
        if len(numbers) == 1:
            listed = numbers[0]
        else:
            listed = ", ".join(numbers[:-1]) + " y " + numbers[-1]
        parts.append(f"{listed} {when}, motivo: {reason}")
    return "; ".join(parts)


def customer_state(
    case: CaseFacts | None,
    consent: bool | None,
    phone_status: str | None,
    now: datetime,
    timezone: str,
    holds: CustomerHolds | None = None,
) -> CustomerState:
    """Word the state of a customer, of their open case and of their holds."""
    blocked = contact_block(consent, phone_status)
    held = hold_words(holds.held) if holds is not None else None
    all_held = holds is not None and holds.all_held
    if case is None:
        return CustomerState("sin caso abierto", None, blocked, held)

    # The gate skips a case with a future `paused_until` whatever its state.
    paused = case.paused_until is not None and case.paused_until > now
    if case.handoff_reason is not None or case.state == CaseState.HANDED_OFF:
        detail = handoff_label(case.handoff_reason or "policy_handoff")
        reminders_go = not paused and blocked is None and not all_held
        if case.state != CaseState.HANDED_OFF and reminders_go:
            # A reported payment only pauses reminders. When the pause ends
            # before a person checks it, the automation writes again.
            detail += ", y mientras tanto los recordatorios siguen saliendo"
        return CustomerState("espera a una persona", detail, blocked, held)

    if paused:
        assert case.paused_until is not None
        until = local_time(case.paused_until, timezone)
        label = f"en pausa hasta el {until}"
        return CustomerState(label, pause_label(case.pause_reason), blocked, held)

    if case.state == CaseState.PAUSED and case.paused_until is None:
        label = "en pausa sin fecha de fin"
        return CustomerState(label, pause_label(case.pause_reason), blocked, held)

    if blocked is not None:
        return CustomerState(NOT_WRITTEN, None, blocked, held)
    if all_held:
        return CustomerState(ALL_HELD, held, None)
    return CustomerState("en gestión automática", None, None, held)


def one_customer_state(
    session: Session,
    customer: Customer,
    case: CaseFacts | None,
    now: datetime,
    timezone: str,
) -> CustomerState:
    """Read a customer's consent and holds, and word their state."""
    business_id = customer.business_id
    holds = customer_holds(session, business_id, [customer.id], now, timezone)
    return customer_state(
        case,
        current_consent(session, business_id, customer.id),
        customer.phone_status,
        now,
        timezone,
        holds.get(customer.id),
    )


def customer_states(
    session: Session,
    business_id: int,
    customers: Iterable[tuple[int, str | None, CaseFacts | None]],
    now: datetime,
    timezone: str,
) -> dict[int, CustomerState]:
    """Word the state of many (customer id, phone status, open case) at once.

    The consent of every customer is read in one statement, and their
    invoices on hold in two per 500 customers.
    """
    rows = list(customers)
    ids = {row[0] for row in rows}
    consents = current_consents(session, business_id, ids)
    holds = customer_holds(session, business_id, ids, now, timezone)
    return {
        customer_id: customer_state(
            case,
            consents.get(customer_id),
            phone_status,
            now,
            timezone,
            holds.get(customer_id),
        )
        for customer_id, phone_status, case in rows
    }
