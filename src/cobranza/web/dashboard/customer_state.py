"""A customer's state in words, the same on Clientes, Conversaciones and each page.

The words follow the facts the planner and the gate read: an open case, a
hand-off reason, a pause, the consent ledger, the phone's status and the
invoices on hold or in dispute. A case that the automation runs on is not
"en gestión automática" when the gate stops every message to the customer,
or when every invoice the customer owes is on hold or disputed, so the
reason takes its place. Holds and disputes are read on the customer's day,
as the gate reads them.
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
from cobranza.voseo import owner_text
from cobranza.web.dashboard.customer_queries import (
    CustomerDisputes,
    DisputedInvoice,
    customer_disputes,
)
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
# The same two for disputed invoices, and for owed invoices that are all
# disputed or held, some of each.
ALL_DISPUTED = "recordatorios en pausa por facturas en disputa"
SOME_DISPUTED = "facturas en disputa"
ALL_HELD_OR_DISPUTED = "recordatorios en pausa por facturas retenidas y en disputa"


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
    """A state label, its detail, why nothing is sent, and the paused invoices."""

    label: str
    detail: str | None
    blocked: str | None
    # The invoices on hold with their end and reason, and the disputed ones
    # with their start, when the label does not already say it.
    held: str | None = None
    disputed: str | None = None

    @property
    def text(self) -> str:
        """Return the whole state as one line, such as the list shows it."""
        if self.label == NOT_WRITTEN:
            text = f"{NOT_WRITTEN}: {self.blocked}"
        else:
            text = f"{self.label} ({self.detail})" if self.detail else self.label
        if self.held is not None:
            text += f" · {SOME_HELD}: {self.held}"
        if self.disputed is not None:
            text += f" · {SOME_DISPUTED}: {self.disputed}"
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


def dispute_words(disputed: Iterable[DisputedInvoice]) -> str:
    """Word disputed invoices by start: «A-1 y A-2 desde el 10/03/2026; A-3»."""
    groups: dict[date | None, list[str]] = {}
    for invoice in disputed:
        groups.setdefault(invoice.since, []).append(invoice.number)
    parts = []
    for since, numbers in groups.items():
        listed = _listed(numbers)
        parts.append(listed if since is None else f"{listed} desde el {since:%d/%m/%Y}")
    return "; ".join(parts)


def _listed(numbers: list[str]) -> str:
    if len(numbers) == 1:
        return numbers[0]
    return ", ".join(numbers[:-1]) + " y " + numbers[-1]


def customer_state(
    case: CaseFacts | None,
    consent: bool | None,
    phone_status: str | None,
    now: datetime,
    timezone: str,
    holds: CustomerHolds | None = None,
    disputes: CustomerDisputes | None = None,
    locale: str | None = None,
) -> CustomerState:
    """Word the state of a customer, of their open case, holds and disputes.

    A hand-off reason is worded in the voice of `locale`, the business's.
    """
    blocked = contact_block(consent, phone_status)
    held = hold_words(holds.held) if holds is not None else None
    disputed = dispute_words(disputes.disputed) if disputes is not None else None
    # Nothing owed is left for reminders: all held, all disputed, or some of each.
    all_paused = (holds is not None and holds.all_held) or (
        disputes is not None and disputes.nothing_collectable
    )
    if case is None:
        return CustomerState("sin caso abierto", None, blocked, held, disputed)

    # The gate skips a case with a future `paused_until` whatever its state.
    paused = case.paused_until is not None and case.paused_until > now
    if case.handoff_reason is not None or case.state == CaseState.HANDED_OFF:
        detail = owner_text(
            handoff_label(case.handoff_reason or "policy_handoff"), locale
        )
        reminders_go = not paused and blocked is None and not all_paused
        if case.state != CaseState.HANDED_OFF and reminders_go:
            # A reported payment only pauses reminders. When the pause ends
            # before a person checks it, the automation writes again.
            detail += ", y mientras tanto los recordatorios siguen saliendo"
        return CustomerState("espera a una persona", detail, blocked, held, disputed)

    if paused:
        assert case.paused_until is not None
        until = local_time(case.paused_until, timezone)
        label = f"en pausa hasta el {until}"
    elif case.state == CaseState.PAUSED and case.paused_until is None:
        label = "en pausa sin fecha de fin"
    else:
        label = None
    if label is not None:
        detail = pause_label(case.pause_reason)
        return CustomerState(label, detail, blocked, held, disputed)

    if blocked is not None:
        return CustomerState(NOT_WRITTEN, None, blocked, held, disputed)
    if all_paused:
        return _paused_by_invoices(held, disputed)
    return CustomerState("en gestión automática", None, None, held, disputed)


def _paused_by_invoices(held: str | None, disputed: str | None) -> CustomerState:
    """Word a case whose every invoice owed is held or disputed."""
    if disputed is None:
        return CustomerState(ALL_HELD, held, None)
    if held is None:
        return CustomerState(ALL_DISPUTED, disputed, None)
    return CustomerState(ALL_HELD_OR_DISPUTED, None, None, held, disputed)


def one_customer_state(
    session: Session,
    customer: Customer,
    case: CaseFacts | None,
    now: datetime,
    timezone: str,
    locale: str | None = None,
) -> CustomerState:
    """Read a customer's consent, holds and disputes, and word their state."""
    business_id = customer.business_id
    holds = customer_holds(session, business_id, [customer.id], now, timezone)
    disputes = customer_disputes(session, business_id, [customer.id], now, timezone)
    return customer_state(
        case,
        current_consent(session, business_id, customer.id),
        customer.phone_status,
        now,
        timezone,
        holds.get(customer.id),
        disputes.get(customer.id),
        locale,
    )


def customer_states(
    session: Session,
    business_id: int,
    customers: Iterable[tuple[int, str | None, CaseFacts | None]],
    now: datetime,
    timezone: str,
    locale: str | None = None,
) -> dict[int, CustomerState]:
    """Word the state of many (customer id, phone status, open case) at once.

    The consent of every customer is read in one statement, and their
    invoices on hold in two per 500 customers, and their disputed invoices in
    two more.
    """
    rows = list(customers)
    ids = {row[0] for row in rows}
    consents = current_consents(session, business_id, ids)
    holds = customer_holds(session, business_id, ids, now, timezone)
    disputes = customer_disputes(session, business_id, ids, now, timezone)
    return {
        customer_id: customer_state(
            case,
            consents.get(customer_id),
            phone_status,
            now,
            timezone,
            holds.get(customer_id),
            disputes.get(customer_id),
            locale,
        )
        for customer_id, phone_status, case in rows
    }
