"""The codes the robot stores, worded in Spanish for the business owner.

Audit events, outbox rows and replies keep short English codes ("gate_passed",
"suppressed", "already_paid"), and exports keep them as stored. The dashboard
and `cobranza case show` print these words instead. A code without a label
shows as stored, so a new code is visible before it gets its words.

The labels are written in es-AR voseo. The dashboard and `timeline_detail`
show them in tú forms to a business outside Argentina and Uruguay
(`cobranza.voseo.owner_text`), and so do the terminal's messages and
`case show`'s tables. The labels with a noun that changes
between countries ("feriado", "salteado") take the words of the business's
country when `reason_label` and `kind_label` receive its locale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_percent

from cobranza.channels.media import MAX_ATTEMPTS
from cobranza.compliance.reasons import Reason
from cobranza.conversations.inbox import REASON_LABELS as HANDOFF_LABELS
from cobranza.country_words import ARGENTINA, CountryWords, words_for
from cobranza.db.models import InboundMedia
from cobranza.dunning.outbox import MANUAL_STEP
from cobranza.money import format_money
from cobranza.voseo import owner_text

# The robot's reading of each customer message.
INTENT_LABELS = {
    "promise_to_pay": "promete pagar",
    "already_paid": "dice que ya pagó",
    "request_installments": "pide cuotas",
    "request_payment_link": "pide el link o los datos para pagar",
    "dispute": "reclama",
    "opt_out": "pide la baja",
    "request_human": "pide hablar con una persona",
    "cannot_pay": "dice que no puede pagar",
    "acknowledge": "acusa recibo",
    "wrong_person": "dice que es un número equivocado",
    "other": "no se entendió",
}

# The robot's action on a reply (`InboundMessage.action_taken`).
ACTION_LABELS = {
    "asked_receipt": "pidió el comprobante",
    "asked_promise_date": "preguntó qué día va a pagar",
    "asked_clarify": "preguntó qué quiso decir",
    "receipt_to_verify": "comprobante para verificar",
    "promise_recorded": "anotó la promesa",
    "promise_already_recorded": "la promesa ya estaba anotada",
    "promise_to_review": "promesa sobre un monto en reclamo, para revisar",
    "promise_past_installment": (
        "promesa para después del plazo de gracia de la cuota, para revisar"
    ),
    "plan_proposed": "propuso un plan de cuotas",
    "plan_accepted": "el cliente aceptó el plan",
    "plan_created": "creó el plan de cuotas",
    "link_sent": "mandó el link de pago",
    "link_already_sent": "el link ya se había mandado",
    "dispute_recorded": "anotó el reclamo",
    "opted_out": "registró la baja",
    "already_opted_out": "la baja ya estaba registrada",
    "opted_in": "registró que vuelve a recibir mensajes",
    "opted_in_handed_off": (
        "registró que vuelve a recibir mensajes y lo pasó a una persona"
    ),
    "already_opted_in": "le dijo que ya recibe los recordatorios",
    "opt_in_ignored_owner_revocation": "no levantó una baja que registraste vos",
    "opt_in_ignored_wrong_person": "no levantó el bloqueo de número equivocado",
    "wrong_person_flagged": "marcó el número como equivocado",
    "handed_off": "lo pasó a una persona",
    "identified": "le dijo quién le escribe y por qué",
    "balance_stated": "le dijo su saldo",
    "balance_already_stated": "ya le había dicho su saldo",
    "closed_acknowledged": "caso ya cerrado: nada que hacer",
    "superseded": "llegó después de un mensaje más nuevo: no cambió nada",
    "system_notice": "aviso de WhatsApp",
    "number_changed": "el cliente cambió de número",
    "no_case": "sin caso abierto",
    "none": "nada que hacer",
    "unknown_sender": "el número no es de ningún cliente: solo lo guardó",
    "reaction_removed": "sacó una reacción: nada que hacer",
}

# Outbox states.
STATE_LABELS = {
    "queued": "en cola",
    "sending": "enviándose",
    "sent": "enviado",
    "delivered": "entregado",
    "read": "leído",
    "failed": "no se pudo enviar",
    "suppressed": "no se envió",
}

# The dashboard's form, filter and address fields by parameter name, as the
# pages label them. An error page names a field by its label.
FIELD_LABELS = {
    "action": "Acción",
    "amount": "Monto",
    "back": "Volver a",
    "csrf_token": "Código de seguridad del formulario",
    "currency": "Moneda",
    "customer": "Cliente (id)",
    "customer_id": "Cliente",
    "date_format": "Orden de las fechas",
    "decimal": "Separador decimal",
    "disputed": "En disputa",
    "document_id": "Factura",
    "due_on": "Fecha de la promesa",
    "email": "Email",
    "evidence": "Evidencia",
    "export": "Descargar",
    "file": "Archivo CSV o XLSX",
    "file_format": "Formato",
    "kind": "Tipo",
    "locale": "Idioma de la vista previa",
    "mapping": "Columnas",
    "media_id": "Comprobante",
    "method": "Medio de pago",
    "no_end": "Sin fecha de fin",
    "overdue": "Solo vencidos",
    "page": "Página",
    "paid_on": "Fecha del pago",
    "password": "Contraseña",
    "phone": "Teléfono",
    "q": "Buscar",
    "reason": "Motivo",
    "reference": "Referencia",
    "segment": "Segmento",
    "sheet": "Hoja",
    "since": "Desde",
    "source": "Origen",
    "text": "Mensaje",
    "until": "Hasta",
    "upload": "Archivo",
}

TONE_LABELS = {"formal": "tono formal", "friendly": "tono amable"}

# Audit and timeline kinds as an owner reads them; other kinds show as stored.
KIND_LABELS = {
    "case_closed": "caso cerrado",
    "case_handed_off": "pasado a una persona",
    "case_opened": "caso abierto",
    "business_settings.changed": "ajuste del negocio cambiado",
    "customer.erased": "datos personales del cliente borrados",
    "erased_sender_dropped": (
        "mensaje de un cliente borrado descartado, escrito antes del borrado"
    ),
    "channel.changed": "canal de envío cambiado",
    "credit_applied": "saldo a favor aplicado",
    "case_paused": "caso en pausa",
    "case_reopened": "caso reabierto",
    "case_resumed": "vuelve a la automatización",
    "contact_rules.changed": "reglas de contacto cambiadas",
    "consent.grant": "consentimiento otorgado",
    "consent.revoke": "consentimiento revocado",
    "dispute_cleared": "disputa quitada",
    "document_cancelled": "comprobante cancelado en una importación",
    "document_disputed": "factura en disputa",
    "import": "importación",
    "inbound_received": "mensaje recibido",
    "invoice_held": "factura retenida",
    "invoice_released": "factura liberada",
    "late_failure_ignored": "aviso de fallo tardío ignorado: el mensaje ya llegó",
    "manual_reply_sent": "respuesta de una persona",
    "message": "mensaje",
    "message_deferred": "mensaje demorado",
    "message_failed": "mensaje fallido",
    "message_requeued": "mensaje reencolado",
    "message_retry": "reintento de envío",
    "message_sent": "mensaje enviado",
    "message_suppressed": "mensaje no enviado",
    "payment_mismatch": "pago que no coincide con el link",
    "payment_partially_refunded": "pago devuelto en parte",
    "payment_status": "pago",
    "phone_changed": "teléfono editado",
    "phone_not_on_whatsapp": "teléfono sin WhatsApp",
    "plan_broken": "plan de cuotas incumplido",
    "plan_cancelled": "plan de cuotas cancelado",
    "plan_created": "plan de cuotas",
    "promise_broken": "promesa incumplida",
    "promise_kept": "promesa cumplida",
    "promise_recorded": "promesa registrada",
    "receipt_accepted": "comprobante aceptado",
    "receipt_rejected": "comprobante rechazado",
    "reply": "respuesta",
    "reply_received": "respuesta recibida",
    "reply_handled": "respuesta atendida",
    "step_planned": "paso planificado",
    # Other countries' owners read their own word (`COUNTRY_KIND_LABELS`).
    "step_skipped": f"paso {ARGENTINA.skipped()}",
    "whatsapp_marketing_limit": "límite de WhatsApp para mensajes de marketing",
    "whatsapp_template_problem": "problema con una plantilla de WhatsApp",
    "whatsapp_template_status": "estado de una plantilla de WhatsApp",
}


# Payment states and where a payment came from.
PAYMENT_LABELS = {
    "approved": "acreditado",
    "pending": "pendiente",
    "in_process": "en proceso",
    "rejected": "rechazado",
    "cancelled": "cancelado",
    "refunded": "devuelto",
    "charged_back": "contracargo",
    "in_mediation": "en mediación",
    "unknown": "desconocido",
}
PAYMENT_SOURCES = {
    "receipt": "comprobante",
    "import": "importado",
    "sandbox": "prueba",
    "mercadopago": "Mercado Pago",
    "stripe": "Stripe",
    "manual": "registrado a mano",
}

PROMISE_LABELS = {
    "open": "pendiente",
    "kept": "cumplida",
    "broken": "incumplida",
    "cancelled": "cancelada",
}


# Messages the robot sends outside the policy's steps. Their rows are keyed
# "kind:scope" ("payment_thanks:442", "installment:7:overdue"), while policy
# steps carry the business's own step names.
AUTOMATIC_LABELS = {
    "promise_confirmation": "confirmación de la promesa de pago",
    "payment_thanks": "agradecimiento por el pago",
    "broken_promise": "aviso de promesa incumplida",
    "broken_promise_partial": "aviso de promesa incumplida, con lo que ya pagó",
    "broken_promise_reported": (
        "aviso de promesa incumplida, con el pago informado a verificar"
    ),
    "ask_promise_date": "pregunta por el día del pago",
    "ask_receipt": "pedido del comprobante",
    "receipt_ack": "recibo del comprobante",
    "optout_confirmation": "confirmación de la baja",
    "optin_confirmation": "confirmación del alta",
    "optin_already_active": "aviso de que ya recibe los recordatorios",
    "handoff_ack": "aviso de que responde una persona",
    "dispute_ack": "respuesta al reclamo",
    "clarify": "pregunta qué quiso decir",
    "clarify_plan": "pregunta qué quiso decir, con la próxima cuota del plan",
    "plan_offer_reply": "plan de cuotas pedido",
    "link_reply": "link de pago pedido",
    "link_reply_instructions": "link de pago pedido, con los datos para pagar",
    "plan_proposal": "propuesta de plan de cuotas",
    "installment_preventive": "aviso previo de cuota",
    "installment_due_today": "cuota que vence hoy",
    "installment_overdue": "cuota vencida",
    "closed_ack": "respuesta con el caso cerrado",
    "identity_reply": "respuesta a quien pregunta quién le escribe",
    "balance_reply": "respuesta a quien pregunta cuánto debe",
    "balance_reply_plan": (
        "respuesta a quien pregunta cuánto debe, con la próxima cuota"
    ),
}


# Installment plans (`PlanStatus`) and their installments as the owner sees
# them (`payments.plan_rows.InstallmentState`).
PLAN_STATUS_LABELS = {
    "active": "vigente",
    "completed": "pagado",
    "broken": "incumplido",
    "cancelled": "cancelado",
}
INSTALLMENT_STATE_LABELS = {
    "paid": "pagada",
    "upcoming": "a vencer",
    "in_grace": "vencida, en días de gracia",
    "missed": "impaga después de los días de gracia",
    "void": "sin efecto: el plan ya no está vigente",
}


# Document kinds other than an invoice, as the customer page names them.
DOCUMENT_KIND_LABELS = {
    "credit_note": "nota de crédito",
    "debit_note": "nota de débito",
}


# Labels of the message kinds that policy steps send, as the terminal screens
# name a step. The step's key, the business's own name for it, follows in
# brackets, because the policy file, the JSON output and the dashboard use it.
POLICY_STEP_LABELS = {
    "preventive": "aviso preventivo",
    "due_today": "aviso de vencimiento",
    "reminder_soft": "recordatorio amable",
    "reminder_empathetic": "recordatorio con oferta de cuotas",
    "second_notice": "segundo aviso",
    "plan_offer": "oferta de plan de cuotas",
    "final_notice": "último recordatorio",
    "reminder_reported": "recordatorio con el pago informado a verificar",
    "handoff_notice": "aviso de que lo atiende una persona",
    "early_discount": "oferta de descuento por pagar a tiempo",
}


MANUAL_STEP_LABEL = "respuesta de una persona"


def step_label(step: str, step_kind: str | None = None) -> str:
    """Word an outbox step: a policy step, or an automatic message.

    A policy step is named by the kind of message it sends, then its key:
    "último recordatorio (final_notice)". Without a known `step_kind` it is
    named by its key alone.
    """
    if step == MANUAL_STEP:
        return MANUAL_STEP_LABEL
    if ":" not in step:
        label = POLICY_STEP_LABELS.get(step_kind or "")
        return f"{label} ({step})" if label else step
    kind, _, scope = step.partition(":")
    if kind == "installment":
        kind = f"installment_{scope.rpartition(':')[2]}"
    return AUTOMATIC_LABELS.get(kind, "respuesta automática")


def is_policy_step(step: str) -> bool:
    return ":" not in step and step != MANUAL_STEP


def _days_late(days: int) -> str:
    """Word days past due; a reminder before the due date has negative days."""
    if days < 0:
        return f"vence en {-days} {'día' if days == -1 else 'días'}"
    if days == 0:
        return "vence hoy"
    return f"{days} {'día' if days == 1 else 'días'} de atraso"


def field_label(name: str) -> str | None:
    """Return the label of a dashboard field, or None for an unknown name."""
    return FIELD_LABELS.get(name)


def promise_label(status: str) -> str:
    """Return a promise state in Spanish, or the code."""
    return PROMISE_LABELS.get(status, status)


def pause_label(reason: str | None) -> str:
    """Return a case's pause reason in Spanish. An owner's own reason stays as typed."""
    if not reason:
        return "—"
    for pattern, label in PAUSE_PREFIXES:
        match = pattern.fullmatch(reason)
        if match:
            return label.format(match.group(1))
    return reason


# Pause reasons the planner and the payment plans write, with their labels.
PAUSE_PREFIXES = (
    (re.compile(r"policy step (\S+)"), "paso de la política: {}"),
    (re.compile(r"installment plan (\d+)"), "plan de cuotas n.º {}"),
)


# Audit and case-closing reasons other than the gate's `Reason` and the
# hand-off reasons.
EXTRA_REASONS = {
    "gate_passed": "pasó los controles de envío",
    "customer_matched": "el mensaje se asignó al cliente",
    "superseded": "lo reemplazó un paso más nuevo",
    "reply_superseded": "el cliente escribió después algo que lo reemplaza",
    "answered_by_person": "una persona ya le respondió al cliente",
    "handed_off": "el caso pasó a una persona",
    "paid": "pagado",
    "plan_one_installment_left": (
        "los pagos dejaron una sola cuota del plan, que se recuerda aparte"
    ),
    "closed_by_person": "lo cerró una persona",
    "installment_missed": "no se pagó una cuota a tiempo",
    "invoice_held": "se retuvo una factura que el plan incluía",
    "customer_erased": "se borraron los datos personales del cliente",
    "later_step_due": "ya correspondía un paso posterior",
    "missed_catch_up_skip": (
        "su día ya pasó y la política dice no mandarlo tarde (catch_up: skip)"
    ),
    "opted_out_shared_number": "pidió la baja desde un número compartido",
    "payment_refunded": "pago devuelto",
    "payment_partially_refunded": "pago devuelto en parte",
    "payment_mismatch_amount": "el monto pagado no coincide con el del link",
    "payment_mismatch_currency": "la moneda del pago no coincide con la del link",
    "reconciled_found": "el canal confirmó que el mensaje había salido",
    "failure_overridden": (
        "el canal avisó que el mensaje llegó, aunque antes lo había dado por fallido"
    ),
    "reconciled_not_sent": "el canal confirmó que el mensaje no salió: se reintenta",
    "unknown_delivery_state": "no se sabe si el mensaje salió: revisalo",
    "compose_failed": "no se pudo armar el mensaje",
    "channel_not_configured": "no hay un canal de envío configurado",
    "contact rules tightened by the business": (
        "el negocio ajustó sus reglas de contacto"
    ),
}

# Codes of `ChannelError` and its subclasses, stored as the reason of a
# failed or retried send.
CHANNEL_ERROR_LABELS = {
    "channel_error": "error del canal de envío",
    "transient_error": "error pasajero del canal de envío",
    "rate_limited": "el canal pidió esperar antes de mandar más",
    "channel_unavailable": "el canal de envío no está disponible",
    "permanent_error": "el canal rechazó el envío",
    "invalid_recipient": "el número no puede recibir mensajes",
    "template_rejected": "el canal rechazó la plantilla",
    "duplicate_send": "el mensaje ya se había enviado",
    "template_parameter_invalid": "un dato de la plantilla no es válido",
    "whatsapp_media_too_large": "el archivo supera el tamaño que acepta WhatsApp",
    "whatsapp_pair_limit": "WhatsApp pide esperar entre mensajes al mismo número",
    "whatsapp_tier_limit": "se llegó al límite diario de clientes de WhatsApp",
    "whatsapp_timeout": "WhatsApp no respondió a tiempo",
    "whatsapp_unreachable": "no se pudo conectar con WhatsApp",
    "whatsapp_bad_response": "WhatsApp respondió algo que no se pudo leer",
    "whatsapp_redirect": "WhatsApp redirigió el pedido a otra dirección",
    "twilio_timeout": "Twilio no respondió a tiempo",
    "twilio_unreachable": "no se pudo conectar con Twilio",
    "twilio_redirect": "Twilio redirigió el pedido a otra dirección",
    "twilio_media_host": "el archivo no está en la dirección de Twilio",
    "twilio_body_too_large": "Twilio devolvió una respuesta demasiado grande",
}

# Review states of a WhatsApp template (`TemplateStatus`).
TEMPLATE_STATUS_LABELS = {
    "PENDING": "plantilla en revisión",
    "APPROVED": "plantilla aprobada",
    "REJECTED": "plantilla rechazada",
    "PAUSED": "plantilla pausada por WhatsApp",
    "DISABLED": "plantilla desactivada por WhatsApp",
    "IN_APPEAL": "plantilla en apelación",
    "FLAGGED": "plantilla marcada por baja calidad",
    "REINSTATED": "plantilla rehabilitada",
    "DELETED": "plantilla borrada",
    "PENDING_DELETION": "plantilla por borrarse",
    "ARCHIVED": "plantilla archivada",
    "LIMIT_EXCEEDED": "se llegó al límite de plantillas",
    "MISSING": "la plantilla no existe en WhatsApp",
    "NOT_REGISTERED": "plantilla sin registrar en WhatsApp",
    "UNKNOWN": "estado de plantilla desconocido",
}

# The type of a received message, the reason of "inbound_received".
INBOUND_TYPE_LABELS = {
    "text": "texto",
    "image": "imagen",
    "audio": "audio",
    "video": "video",
    "document": "documento",
    "sticker": "sticker",
    "location": "ubicación",
    "contacts": "contacto",
    "reaction": "reacción",
    "button": "botón",
    "interactive": "botón",
    "system": "aviso de WhatsApp",
    "unsupported": "tipo de mensaje que WhatsApp no muestra",
}

# Reasons built from a value, with the label that words them. The first
# group fills `{}`. A promise event's reason is its due date.
REASON_PATTERNS = (
    *PAUSE_PREFIXES,
    (re.compile(r"whatsapp_(\d+)"), "WhatsApp rechazó el envío (código {})"),
    (re.compile(r"twilio_(\d+)"), "Twilio rechazó el envío (código {})"),
    (re.compile(r"imported (.+)"), "se importó {}"),
    (re.compile(r"messages now go out through (\S+)"), "los mensajes salen por {}"),
    (re.compile(r"(\d{4}-\d{2}-\d{2})"), "para el {}"),
)

# The actor of an audit event.
ACTOR_LABELS = {
    "api": "API",
    "cli": "terminal",
    "conversations": "robot de respuestas",
    "dispatcher": "envío",
    "gate": "control de envío",
    "import": "importación",
    "owner": "vos",
    "payments": "pagos",
    "planner": "planificador",
    "promises": "control de promesas",
    "webhook": "WhatsApp",
}

_REASONS = {reason.value: reason.label for reason in Reason}


def reason_label(code: str | None, locale: str | None = None) -> str:
    """Return the Spanish words of an audit or outbox reason, or the code.

    A handled reply's reason is the action taken, and a payment's status
    change has the new status as its reason. The nouns are those of the
    country of `locale`, the business's, and None stands for es_AR.
    """
    if not code:
        return ""
    label = (
        (Reason(code).worded(words_for(locale)) if code in _REASONS else None)
        or HANDOFF_LABELS.get(code)
        or EXTRA_REASONS.get(code)
        or ACTION_LABELS.get(code)
        or PAYMENT_LABELS.get(code)
        or INTENT_LABELS.get(code)
        or CHANNEL_ERROR_LABELS.get(code)
        or TEMPLATE_STATUS_LABELS.get(code)
        or INBOUND_TYPE_LABELS.get(code)
        or _policy_step_label(code)
    )
    if label:
        return label
    for pattern, template in REASON_PATTERNS:
        match = pattern.fullmatch(code)
        if match:
            return template.format(_pattern_value(match.group(1)))
    return code


def _policy_step_label(step: str) -> str | None:
    """Word a planned step's key when it is the default policy's kind name."""
    label = POLICY_STEP_LABELS.get(step)
    return f"{label} ({step})" if label else None


def _pattern_value(value: str) -> str:
    """Show an ISO day caught by a reason pattern as dd/mm/aaaa."""
    try:
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value


def handoff_label(reason: str | None) -> str:
    """Return why a case waits for a person, in Spanish, or the code."""
    if not reason:
        return "—"
    return HANDOFF_LABELS.get(reason, reason)


def actor_label(actor: str) -> str:
    """Return who acted, in Spanish. A person's e-mail stays as it is."""
    return ACTOR_LABELS.get(actor, actor)


# Kinds whose label has a noun of the owner's country (`cobranza.country_words`).
# `KIND_LABELS` contains their Argentine words.
COUNTRY_KIND_LABELS: dict[str, Callable[[CountryWords], str]] = {
    "step_skipped": lambda words: f"paso {words.skipped()}",
}


def kind_label(kind: str, locale: str | None = None) -> str:
    """Return an audit or timeline kind in Spanish, or the code.

    The nouns are those of the country of `locale`, the business's, and
    None stands for es_AR.
    """
    country_label = COUNTRY_KIND_LABELS.get(kind)
    if country_label is not None:
        return country_label(words_for(locale))
    return KIND_LABELS.get(kind, kind)


def percent_label(share: Decimal | float, locale: str) -> str:
    """Format a share of 1 as a percentage with one decimal in `locale`.

    The pattern is the locale's own CLDR percent pattern with one decimal
    added, so the sign and its spacing follow the locale: "52,9%" in es_AR,
    "52.9%" in es_MX and "52,9\u00a0%" in es (Spain).
    """
    pattern = Locale.parse(locale).percent_formats[None].pattern
    one_decimal = pattern.replace("0%", "0.0%").replace("0\u00a0%", "0.0\u00a0%")
    return format_percent(Decimal(str(share)), one_decimal, locale=locale)


def local_time(instant: datetime, timezone: str) -> str:
    """Format an aware instant as day and time in zone `timezone`."""
    return instant.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def receipt_download_note(media: InboundMedia, timezone: str) -> str:
    """Describe, for the owner, the download state of a file a customer sent."""
    if media.downloaded_at is not None and media.error is not None:
        return (
            "Archivo guardado, pero no coincide con la huella sha256 que informó "
            "WhatsApp: revisalo con el cliente antes de aceptarlo."
        )
    if media.downloaded_at is not None:
        return f"Archivo guardado el {local_time(media.downloaded_at, timezone)}."
    if media.error is not None:
        return (
            "No se pudo descargar el archivo: pedile al cliente que lo mande de nuevo."
        )
    if media.attempts == 0 or media.next_attempt_at is None:
        return "El archivo todavía no se descargó: se intenta en uno o dos minutos."
    return (
        f"Todavía no se pudo descargar el archivo (intento {media.attempts} de "
        f"{MAX_ATTEMPTS}): se vuelve a intentar el "
        f"{local_time(media.next_attempt_at, timezone)}."
    )


def timeline_detail(
    kind: str,
    facts: Mapping[str, Any],
    currency: str,
    locale: str,
    timezone: str | None = None,
) -> str:
    """Word one timeline entry's facts in Spanish, or return "" without facts.

    The labels follow the voice of `locale`, the business's. A customer's
    reply text and the business's own step names stay as stored. With
    `timezone`, a deferral's "until" instant is shown in that zone.
    Without it, the instant is left out.
    """
    if kind == "reply":
        return _reply(facts, locale)
    if kind == "message":
        return _message(facts, locale)
    if not facts:
        return ""
    parts = [_reason_in_voice(facts.get("reason"), locale)]
    if facts.get("number"):
        parts.insert(0, f"factura {facts['number']}")
    step = str(facts.get("step") or "")
    if step and step != facts.get("reason"):
        parts.append(
            f"paso «{step}»"
            if is_policy_step(step)
            else owner_text(step_label(step), locale)
        )
    days = facts.get("days_past_due")
    if days is not None:
        parts.append(_days_late(days))
    if facts.get("balance") is not None:
        parts.append("saldo " + _balances(facts, currency, locale))
    if timezone and facts.get("until"):
        parts.append(f"hasta el {_instant(facts['until'], timezone)}")
    if facts.get("template_status"):
        parts.append(_template_words(facts))
    if kind == "invoice_held" and not facts.get("until"):
        parts.append("sin fecha de fin")
    if kind == "case_closed" and facts.get("handoff_reason"):
        waited = handoff_label(facts["handoff_reason"])
        parts.append(owner_text(f"esperaba a una persona: {waited}", locale))
    return ", ".join(part for part in parts if part)


def _template_words(facts: Mapping[str, Any]) -> str:
    """Word a held message's template: «plantilla en revisión: x (es_AR)»."""
    status = str(facts["template_status"])
    label = TEMPLATE_STATUS_LABELS.get(status, status)
    return f"{label}: {facts.get('template_name')} ({facts.get('language_code')})"


# A reply without text is stored as "[type]" ("[image]"). The types are
# those of a received message, and an empty text is named as such.
MEDIA_LABELS = {
    **{
        kind: label
        for kind, label in INBOUND_TYPE_LABELS.items()
        if kind != "unsupported"
    },
    "text": "mensaje vacío",
}


def _reply(facts: Mapping[str, Any], locale: str) -> str:
    """Word a reply: the customer's text as written, then the robot's labels."""
    text = str(facts.get("text") or "")
    kind = text[1:-1] if text.startswith("[") and text.endswith("]") else None
    parts = [f"[{MEDIA_LABELS[kind]}]" if kind in MEDIA_LABELS else text]
    if facts.get("intent"):
        intent = facts["intent"]
        label = INTENT_LABELS.get(intent, intent)
        parts.append(owner_text(f"entendido: {label}", locale))
    if facts.get("action"):
        action = facts["action"]
        parts.append(owner_text(ACTION_LABELS.get(action, action), locale))
    return " · ".join(parts)


def payment_label(code: str | None) -> str:
    """Return a payment state or source in Spanish, or the code."""
    if not code:
        return "—"
    return PAYMENT_LABELS.get(code) or PAYMENT_SOURCES.get(code) or code


def _message(facts: Mapping[str, Any], locale: str) -> str:
    """Word an outbox message; a policy step's key is quoted and keeps its words."""
    state = facts.get("state", "")
    step = str(facts.get("step", ""))
    detail = f"paso «{step}»" if is_policy_step(step) else step_label(step)
    tone = TONE_LABELS.get(facts.get("tone") or "")
    if tone:
        detail += f" ({tone})"
    detail += f": {STATE_LABELS.get(state, state)}"
    detail = owner_text(detail, locale)
    reason = _reason_in_voice(facts.get("reason"), locale)
    if reason:
        detail += f", {reason[:1].lower()}{reason[1:]}"
    return detail


def _reason_in_voice(code: str | None, locale: str) -> str:
    return label_in_voice(reason_label(code, locale), code, locale)


def label_in_voice(label: str, stored: str | None, locale: str | None) -> str:
    """Return the `label` of a `stored` value in the voice of `locale`.

    A value without a label is shown as stored, and may be someone's own
    words (why the owner closed a case, a person's e-mail), so it stays.
    """
    return label if label == stored else owner_text(label, locale)


def _balances(facts: Mapping[str, Any], currency: str, locale: str) -> str:
    """Word a decision's balance in its own currency, then the other currencies'.

    `currency` is the business's, for facts recorded without one.
    """
    amounts = [_money(facts["balance"], facts.get("currency") or currency, locale)]
    for other in facts.get("other_balances") or ():
        try:
            code, amount = other
        except (TypeError, ValueError):
            continue
        amounts.append(_money(amount, str(code), locale))
    if len(amounts) == 1:
        return amounts[0]
    return ", ".join(amounts[:-1]) + " y " + amounts[-1]


def _money(value: Any, currency: str, locale: str) -> str:
    try:
        return format_money(Decimal(str(value)), currency, locale)
    except (InvalidOperation, ValueError):
        return str(value)


def _instant(value: Any, timezone: str) -> str:
    """Word an ISO instant in `timezone`, or an ISO day (a hold's end) as a day."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        pass
    else:
        return f"{day:%d/%m/%Y}"
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if instant.tzinfo is None:
        return str(value)
    return local_time(instant, timezone)
