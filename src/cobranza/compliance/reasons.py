"""Why the gate did not send a message: one shared vocabulary.

Every suppression or deferral that the planner, the gate or the dispatcher
records uses a `Reason`. A reason either DEFERS the message (it is retried
at a later instant) or SUPPRESSES it (it is dropped and the case is re-planned).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cobranza.country_words import ARGENTINA, CountryWords


class Reason(StrEnum):
    NO_CONSENT = "no_consent"
    OPTED_OUT = "opted_out"
    OUTSIDE_CONTACT_WINDOW = "outside_contact_window"
    HOLIDAY = "holiday"
    DAY_NOT_ALLOWED = "day_not_allowed"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"
    MIN_GAP = "min_gap"
    OPEN_PROMISE = "open_promise"
    OPEN_DISPUTE = "open_dispute"
    ON_HOLD = "on_hold"
    PENDING_PAYMENT = "pending_payment"
    ZERO_BALANCE = "zero_balance"
    PHONE_MISSING = "phone_missing"
    PHONE_INVALID = "phone_invalid"
    NOT_ON_WHATSAPP = "not_on_whatsapp"
    TEMPLATE_NOT_APPROVED = "template_not_approved"
    PROMISE_PAID = "promise_paid"
    BUSINESS_DETAILS_MISSING = "business_details_missing"
    DUE_DATE_PASSED = "due_date_passed"

    @property
    def label(self) -> str:
        """Spanish (es-AR) text that the business owner reads."""
        return self.worded(ARGENTINA)

    def worded(self, words: CountryWords) -> str:
        """Return the label with the nouns of an owner's country, such as "festivo"."""
        return _INFO[self].label.format(holiday=words.holiday)

    @property
    def defers(self) -> bool:
        """True when the message waits for a later instant, False when dropped."""
        return _INFO[self].defers


@dataclass(frozen=True)
class _ReasonInfo:
    # A "{holiday}" field is the country's word for a public holiday.
    label: str
    defers: bool


_INFO: dict[Reason, _ReasonInfo] = {
    Reason.NO_CONSENT: _ReasonInfo(
        "El cliente no dio su consentimiento para recibir mensajes", False
    ),
    Reason.OPTED_OUT: _ReasonInfo("El cliente pidió la baja de los mensajes", False),
    Reason.OUTSIDE_CONTACT_WINDOW: _ReasonInfo(
        "Fuera del horario de contacto permitido", True
    ),
    Reason.HOLIDAY: _ReasonInfo("Es {holiday} en el país del cliente", True),
    Reason.DAY_NOT_ALLOWED: _ReasonInfo(
        "Ese día de la semana no se envían mensajes", True
    ),
    Reason.DAILY_CAP: _ReasonInfo("Ya se envió el máximo de mensajes del día", True),
    Reason.WEEKLY_CAP: _ReasonInfo(
        "Ya se envió el máximo de mensajes de la semana", True
    ),
    Reason.MIN_GAP: _ReasonInfo(
        "No pasó el tiempo mínimo desde el último mensaje", True
    ),
    Reason.OPEN_PROMISE: _ReasonInfo(
        "El cliente tiene una promesa de pago vigente", True
    ),
    Reason.OPEN_DISPUTE: _ReasonInfo("El cliente tiene un reclamo abierto", False),
    Reason.ON_HOLD: _ReasonInfo("La cobranza de este cliente está en pausa", True),
    Reason.PENDING_PAYMENT: _ReasonInfo(
        "Hay un pago del cliente pendiente de acreditación", False
    ),
    Reason.ZERO_BALANCE: _ReasonInfo("El cliente no tiene saldo pendiente", False),
    Reason.PHONE_MISSING: _ReasonInfo("El cliente no tiene teléfono cargado", False),
    Reason.PHONE_INVALID: _ReasonInfo("El teléfono del cliente no es válido", False),
    Reason.NOT_ON_WHATSAPP: _ReasonInfo(
        "El teléfono del cliente no usa WhatsApp", False
    ),
    Reason.TEMPLATE_NOT_APPROVED: _ReasonInfo(
        "La plantilla del mensaje en el idioma del cliente no está aprobada por "
        "WhatsApp",
        True,
    ),
    Reason.PROMISE_PAID: _ReasonInfo(
        "El cliente ya pagó lo que había prometido, aunque después del día prometido",
        False,
    ),
    Reason.BUSINESS_DETAILS_MISSING: _ReasonInfo(
        "Faltan datos de tu negocio que el mensaje necesita", True
    ),
    Reason.DUE_DATE_PASSED: _ReasonInfo(
        "El aviso de vencimiento no pudo salir el día del vencimiento", False
    ),
}
