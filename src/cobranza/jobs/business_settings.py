"""The business's own options, stored in `Business.settings`, read and changed.

Several packages read their options from the business row: how to pay
without a link (`payment_instructions`, in a reminder without a link), the
grace after a promised day, the pause after "ya pagué", the installment
limits and the card statement text. This module lists them with their
Spanish descriptions and defaults, checks a typed value, and stores and
audits a change, for `cobranza settings` and the dashboard alike. It sits in
`jobs` because it reads the defaults of those packages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from cobranza.config import Settings
from cobranza.conversations.actions import DEFAULT_PAID_PAUSE_DAYS
from cobranza.db.engine import lock_settings
from cobranza.db.models import AuditEvent, Business
from cobranza.dunning.promises import DEFAULT_CHANNEL, DEFAULT_GRACE_DAYS
from cobranza.messages.parameters import PAYMENT_TEXT_MAX
from cobranza.payments.links import (
    STATEMENT_DESCRIPTOR_MAX,
    links_offered,
    provider_for,
)
from cobranza.payments.plans import REMINDER_DAYS_BEFORE, InstallmentLimits

# WhatsApp rejects a template parameter with a newline, a tab or more than
# four spaces in a row, and the instructions go into every reminder.
_PARAMETER_BREAKS = re.compile(r"[\n\r\t]| {5,}")
# The composer rejects longer instructions, so every message fits WhatsApp's
# 1,024 characters.
INSTRUCTIONS_MAX = PAYMENT_TEXT_MAX
# Longer numbers are out of every range, and the bound also keeps `int()` clear
# of Python's limit on digits converted from text.
_DIGITS = re.compile(r"-?[0-9]{1,9}")
_DECIMAL = re.compile(r"[0-9]+([.,][0-9]+)?")
_DESCRIPTOR_FORBIDDEN = re.compile(r"[<>\\'\"*]")


class SettingError(ValueError):
    """A business option or value that cannot be stored; the text is Spanish."""


@dataclass(frozen=True)
class BusinessOption:
    """One option of `Business.settings`: its key, words, default and parser.

    `path` is the key inside the settings mapping, with one level of nesting
    for the installment limits ("installments", "max_count").
    """

    key: str
    description: str
    default: Any
    parse: Callable[[str], Any]
    path: tuple[str, ...]


def _whole(low: int, high: int, example: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = text.strip()
        if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
            raise SettingError(
                f"«{text}» no es un número entero entre {low} y {high}: escribí, "
                f"por ejemplo, {example}"
            )
        return int(value)

    return parse


def _percent(text: str) -> str:
    value = text.strip().replace(",", ".")
    if not _DECIMAL.fullmatch(text.strip()) or not 0 <= Decimal(value) <= 100:
        raise SettingError(
            f"«{text}» no es un porcentaje entre 0 y 100: escribí, por ejemplo, 10 "
            "o 2,5"
        )
    return str(Decimal(value))


def _amount(text: str) -> str:
    value = text.strip().replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not _DECIMAL.fullmatch(text.strip()) or not math.isfinite(amount):
        raise SettingError(
            f"«{text}» no es un monto: escribí solo números, con coma o punto para "
            "los decimales y sin separador de miles, como 5000 o 5000,50"
        )
    return str(amount)


def _has_control(text: str) -> bool:
    """Return whether `text` has a control, line-separator or bidi character."""
    return any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp")
        or unicodedata.bidirectional(char) in _BIDI_CONTROLS
        for char in text
    )


# Embeddings, overrides and isolates reorder the text the customer reads.
_BIDI_CONTROLS = ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")


def _instructions(text: str) -> str:
    value = text.strip()
    if not value:
        raise SettingError(
            "las instrucciones de pago están vacías: escribí cómo pagarte, por "
            "ejemplo «transferencia al alias MI.NEGOCIO (CBU 0000003100000000000000)»"
        )
    if _PARAMETER_BREAKS.search(value) or _has_control(value):
        raise SettingError(
            "las instrucciones de pago tienen un salto de línea, un tabulador, "
            "más de cuatro espacios seguidos u otro carácter de control, y "
            "WhatsApp rechaza esos mensajes: escribilas en una sola línea, solo "
            "con letras, números y signos"
        )
    if len(value) > INSTRUCTIONS_MAX:
        raise SettingError(
            f"las instrucciones de pago tienen {len(value)} caracteres y el máximo "
            f"es {INSTRUCTIONS_MAX}: acortalas"
        )
    return value


def _descriptor(text: str) -> str:
    # Stripe's rules for a statement descriptor: 5 to 22 characters, at
    # least one letter, none of < > \ ' " *.
    value = text.strip()
    if not 5 <= len(value) <= STATEMENT_DESCRIPTOR_MAX:
        raise SettingError(
            f"«{text}» tiene {len(value)} caracteres y el texto del resumen de la "
            f"tarjeta lleva de 5 a {STATEMENT_DESCRIPTOR_MAX}: por ejemplo, "
            "MI NEGOCIO"
        )
    if (
        _DESCRIPTOR_FORBIDDEN.search(value)
        or _has_control(value)
        or not any(c.isalpha() for c in value)
    ):
        raise SettingError(
            f"«{text}» no sirve como texto del resumen de la tarjeta: usá letras, "
            "números y espacios, sin < > \\ ' \" *"
        )
    return value


_LIMITS = InstallmentLimits()

OPTIONS: tuple[BusinessOption, ...] = (
    BusinessOption(
        "payment_instructions",
        "cómo pagarte sin link de pago (alias, CBU, CLABE…); va en los "
        "recordatorios en lugar del link cuando tu proveedor de pagos no puede "
        "crear links para tus clientes, y debajo del link cuando un cliente "
        "pide los datos para pagar",
        None,
        _instructions,
        ("payment_instructions",),
    ),
    BusinessOption(
        "promise_grace_days",
        "días de espera después del día prometido antes de avisar que no llegó el pago",
        DEFAULT_GRACE_DAYS,
        _whole(0, 30, DEFAULT_GRACE_DAYS),
        ("promise_grace_days",),
    ),
    BusinessOption(
        "paid_pause_days",
        "días sin recordatorios después de que el cliente dice «ya pagué»",
        DEFAULT_PAID_PAUSE_DAYS,
        _whole(0, 30, DEFAULT_PAID_PAUSE_DAYS),
        ("paid_pause_days",),
    ),
    BusinessOption(
        "installments.max_count",
        "máximo de cuotas de un plan",
        _LIMITS.max_count,
        _whole(2, 48, _LIMITS.max_count),
        ("installments", "max_count"),
    ),
    BusinessOption(
        "installments.interval_days",
        "días entre una cuota y la siguiente",
        _LIMITS.interval_days,
        _whole(1, 90, _LIMITS.interval_days),
        ("installments", "interval_days"),
    ),
    BusinessOption(
        "installments.first_due_days",
        "días desde que se arma un plan hasta que vence la primera cuota; más "
        f"de {REMINDER_DAYS_BEFORE}, para que el aviso previo llegue antes",
        _LIMITS.first_due_days,
        _whole(REMINDER_DAYS_BEFORE + 1, 60, _LIMITS.first_due_days),
        ("installments", "first_due_days"),
    ),
    BusinessOption(
        "installments.grace_days",
        "días de gracia de una cuota impaga antes de dar el plan por incumplido",
        _LIMITS.grace_days,
        _whole(0, 30, _LIMITS.grace_days),
        ("installments", "grace_days"),
    ),
    BusinessOption(
        "installments.fee_percent",
        "recargo del plan sobre el saldo, en %; con recargo, el cliente tiene que "
        "aceptarlo antes",
        str(_LIMITS.fee_percent),
        _percent,
        ("installments", "fee_percent"),
    ),
    BusinessOption(
        "installments.min_installment",
        "monto mínimo de una cuota",
        str(_LIMITS.min_installment),
        _amount,
        ("installments", "min_installment"),
    ),
    BusinessOption(
        "installments.min_down_payment_percent",
        "anticipo mínimo de un plan, en % del saldo",
        str(_LIMITS.min_down_payment_percent),
        _percent,
        ("installments", "min_down_payment_percent"),
    ),
    BusinessOption(
        "statement_descriptor",
        "texto en el resumen de la tarjeta del cliente (Stripe); sin definir, el "
        "nombre del negocio",
        None,
        _descriptor,
        ("statement_descriptor",),
    ),
)
_BY_KEY = {option.key: option for option in OPTIONS}


def option_for(key: str) -> BusinessOption:
    """Return the option named `key`, or raise `SettingError` listing the keys."""
    option = _BY_KEY.get(key.strip())
    if option is None:
        raise SettingError(
            f"no existe el ajuste «{key}»: usá uno de estos: "
            + ", ".join(option.key for option in OPTIONS)
        )
    return option


PROVIDER_NAMES = {"mercadopago": "Mercado Pago", "stripe": "Stripe"}


def option_note(business: Business, option: BusinessOption, settings: Settings) -> str:
    """Return how `option` applies now, or "" for options that need no note.

    The payment instructions go in a reminder only when the reminder carries
    no payment link (see `payments.links.links_offered`), which depends on
    the environment, the provider's credentials and the business's channel.
    """
    if option.key != "payment_instructions":
        return ""
    channel = str((business.settings or {}).get("channel") or DEFAULT_CHANNEL)
    if not links_offered(business, settings, channel):
        return "Ahora los recordatorios llevan estos datos en lugar de un link."
    provider = provider_for(business, settings.payment_provider)
    if provider == "sandbox":
        return (
            "Ahora los recordatorios llevan un link de prueba del sandbox, no "
            f"estos datos, porque COBRANZA_ENVIRONMENT es {settings.environment}. "
            "Con production y sin proveedor, llevan estos datos."
        )
    name = PROVIDER_NAMES.get(provider, provider)
    return f"Ahora los recordatorios llevan un link de {name}, no estos datos."


def current_value(business: Business, option: BusinessOption) -> Any:
    """Return the stored value of `option`, or None when the default applies."""
    value: Any = business.settings or {}
    for part in option.path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def set_option(
    session: Session,
    business: Business,
    key: str,
    text: str | None,
    now: datetime,
    actor: str,
) -> Any:
    """Store `text` as option `key` (None goes back to the default), audited.

    Returns the stored value. Raises `SettingError` naming the value and the
    fix; nothing is stored then.
    """
    option = option_for(key)
    value = None if text is None else option.parse(text)
    lock_settings(session, business)
    previous = current_value(business, option)
    settings = dict(business.settings or {})
    if len(option.path) == 1:
        if value is None:
            settings.pop(option.path[0], None)
        else:
            settings[option.path[0]] = value
    else:
        group, name = option.path
        nested = dict(settings.get(group) or {})
        if value is None:
            nested.pop(name, None)
        else:
            nested[name] = value
        settings[group] = nested
    business.settings = settings
    session.add(
        AuditEvent(
            business_id=business.id,
            at=now,
            actor=actor,
            kind="business_settings.changed",
            subject_type="business",
            subject_id=business.id,
            reason=option.key,
            details={"key": option.key, "from": previous, "to": value},
        )
    )
    return value
