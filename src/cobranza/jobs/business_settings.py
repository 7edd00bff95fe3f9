"""The business's own options, stored on the `Business` row, read and changed.

Several packages read their options from the business row: how to pay
without a link (`payment_instructions`, in a reminder without a link), the
grace after a promised day, the pause after "ya pagué", the installment
limits, the card statement text, and the tax id and address that Brazilian
messages carry. This module lists them with their Spanish descriptions and
defaults, checks a typed value, and stores and audits a change, for
`cobranza settings` and the dashboard alike. It sits in `jobs` because it
reads the defaults of those packages.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import is_currency
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobranza.compliance.reasons import Reason
from cobranza.config import COUNTRY_DEFAULTS, SUPPORTED_COUNTRIES, Settings
from cobranza.conversations.actions import DEFAULT_PAID_PAUSE_DAYS
from cobranza.country_words import words_for
from cobranza.db.engine import lock_settings
from cobranza.db.models import (
    AuditEvent,
    Business,
    CustomerKind,
    Document,
    OutboxMessage,
    OutboxState,
)
from cobranza.dunning.promises import DEFAULT_CHANNEL, DEFAULT_GRACE_DAYS
from cobranza.ingest.taxids import check_tax_id, format_tax_id
from cobranza.messages.catalog import LOCALES
from cobranza.messages.parameters import BUSINESS_ADDRESS_MAX, PAYMENT_TEXT_MAX
from cobranza.money import parse_amount_input, quantize
from cobranza.payments.account_numbers import account_problems
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
    for the installment limits ("installments", "max_count"). An option
    with a `column` is stored in that column of the business row instead,
    and its `parse` also receives the business's country.
    """

    key: str
    # The fields "{holidays}" and "{payment_means}" take the words of the
    # business's country (see `describe_option`).
    description: str
    default: Any
    parse: Callable[..., Any]
    path: tuple[str, ...]
    column: str | None = None
    # An amount: `parse` also receives the business's locale, which decides
    # the thousands and decimal marks.
    amount: bool = False
    # `parse` also receives the business's locale, for the examples in its
    # errors.
    worded: bool = False


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


def _amount(text: str, locale: str, currency: str | None = None) -> str:
    """Parse an amount as `cobranza payment add` does, for the business's locale."""
    try:
        amount = parse_amount_input(text, locale, currency)
    except ValueError as exc:
        raise SettingError(str(exc)) from exc
    if amount < 0:
        raise SettingError(f"«{text}» no es un monto: escribí un número positivo")
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


def _instructions(text: str, locale: str | None = None) -> str:
    value = text.strip()
    if not value:
        raise SettingError(
            "las instrucciones de pago están vacías: escribí cómo pagarte, por "
            f"ejemplo «{words_for(locale).payment_example}»"
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


def _address(text: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise SettingError(
            "la dirección está vacía: escribí calle, número y ciudad, por ejemplo "
            "«Rua das Flores, 100, São Paulo - SP»"
        )
    if _has_control(text.strip()):
        raise SettingError(
            "la dirección tiene un salto de línea u otro carácter de control, y "
            "WhatsApp rechaza esos mensajes: escribila en una sola línea"
        )
    if len(value) > BUSINESS_ADDRESS_MAX:
        raise SettingError(
            f"la dirección tiene {len(value)} caracteres y el máximo es "
            f"{BUSINESS_ADDRESS_MAX}: acortala, por ejemplo sin el barrio o el "
            "código postal"
        )
    return value


# The tax authority's document that shows a business its own tax id: AFIP's
# constancia de inscripción, DIAN's RUT, SAT's constancia de situación fiscal,
# the SII's e-RUT, SUNAT's ficha RUC, the Receita Federal's cartão CNPJ (its
# comprovante de inscrição) or CPF card.
_TAX_ID_DOCUMENTS = {
    "BR": "tu cartão CNPJ (o tu CPF)",
    "CL": "tu e-RUT",
    "CO": "tu RUT",
    "MX": "tu constancia de situación fiscal",
    "PE": "tu ficha RUC",
}
_DEFAULT_TAX_ID_DOCUMENT = "tu constancia de inscripción"


def _tax_id(text: str, country: str) -> str:
    document = _TAX_ID_DOCUMENTS.get(country.upper(), _DEFAULT_TAX_ID_DOCUMENT)
    value = text.strip()
    if not value:
        raise SettingError(
            "la identificación fiscal está vacía: escribí la de tu negocio, como "
            f"figura en {document}"
        )
    check = check_tax_id(value, country)
    if check.valid is False and check.problem is not None:
        problem = check.problem[:1].lower() + check.problem[1:]
        raise SettingError(
            f"{problem}: copiá el número de {document}, con o sin puntos y guiones"
        )
    if check.generic:
        raise SettingError(
            f"«{value}» es el RFC genérico, que se pone en las facturas al público "
            f"en general y no identifica a tu negocio: copiá el RFC de {document}"
        )
    if country.upper() == "AR" and check.valid is None:
        # Too short for a CUIT, so `check_tax_id` read it as a DNI, which no
        # invoice or collection notice of a business carries.
        raise SettingError(
            f"«{value}» no es un CUIT: escribí los 11 dígitos del CUIT de tu "
            "negocio, como 30-71234567-1"
        )
    if country.upper() == "UY" and check.kind is CustomerKind.PERSON:
        # Up to eight digits, so `check_tax_id` read it as a person's CI, and
        # a business invoices under its RUT.
        raise SettingError(
            f"«{value}» no es un RUT: escribí los 12 dígitos del RUT de tu "
            "negocio, como 21 555666 0014"
        )
    if country.upper() == "PE" and check.valid is None:
        # Eight digits, so `check_tax_id` read it as a person's DNI, and a
        # business invoices under its RUC.
        raise SettingError(
            f"«{value}» no es un RUC: escribí los 11 dígitos del RUC de tu "
            "negocio, como 20131312955"
        )
    if len(check.compact) > _TAX_ID_MAX:
        raise SettingError(
            f"«{value}» tiene {len(check.compact)} caracteres y una identificación "
            f"fiscal tiene a lo sumo {_TAX_ID_MAX}: revisala"
        )
    return check.compact


# The length of `Business.tax_id`.
_TAX_ID_MAX = 32


def _country(text: str, country: str) -> str:
    code = text.strip().upper()
    if code not in SUPPORTED_COUNTRIES:
        raise SettingError(
            f"«{text}» no es un país que cobranza conozca: usá uno de estos códigos: "
            + ", ".join(SUPPORTED_COUNTRIES)
        )
    return code


def _timezone(text: str, country: str) -> str:
    value = text.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        example = COUNTRY_DEFAULTS.get(country, COUNTRY_DEFAULTS["AR"])[0]
        raise SettingError(
            f"«{text}» no es una zona horaria: escribí un nombre IANA, como {example}"
        ) from None
    return value


def _currency(text: str, country: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha() or not is_currency(code):
        example = COUNTRY_DEFAULTS.get(country, COUNTRY_DEFAULTS["AR"])[1]
        raise SettingError(
            f"«{text}» no es un código de moneda ISO 4217: escribí, por ejemplo, "
            f"{example}"
        )
    return code


def _locale(text: str, country: str) -> str:
    value = text.strip().replace("-", "_")
    if value not in LOCALES:
        raise SettingError(
            f"«{text}» no es un idioma de los mensajes: usá uno de estos: "
            + ", ".join(LOCALES)
        )
    return value


_LIMITS = InstallmentLimits()

OPTIONS: tuple[BusinessOption, ...] = (
    BusinessOption(
        "country",
        "país de tu negocio: fija el horario de contacto, los {holidays} y los "
        "topes que exige la ley",
        None,
        _country,
        (),
        column="country",
    ),
    BusinessOption(
        "timezone",
        "zona horaria de tu negocio, en la que corre cada ciclo; la de un cliente "
        "con zona propia manda en sus horarios",
        None,
        _timezone,
        (),
        column="timezone",
    ),
    BusinessOption(
        "currency",
        "moneda de tu negocio: la de las facturas importadas sin columna de moneda "
        "y la de las cifras del panel",
        None,
        _currency,
        (),
        column="currency",
    ),
    BusinessOption(
        "locale",
        "idioma de los mensajes a tus clientes (es_AR con voseo, es_MX, es_CO, "
        "es_CL, es_PE y es_UY con tú, pt_BR), salvo el de un cliente con idioma "
        "propio",
        None,
        _locale,
        (),
        column="locale",
    ),
    BusinessOption(
        "tax_id",
        "identificación fiscal de tu negocio (CUIT, RFC, NIT, RUT, RUC, CNPJ o "
        "CPF), sin la cual no sale ningún mensaje en portugués: en Brasil el "
        "Código de Defesa do Consumidor (art. 42-A) la pide en cada aviso de "
        "cobranza",
        None,
        _tax_id,
        (),
        column="tax_id",
    ),
    BusinessOption(
        "address",
        "dirección de tu negocio; en Brasil va en cada aviso de cobranza junto al "
        "CNPJ o CPF, como pide el art. 42-A del Código de Defesa do Consumidor",
        None,
        _address,
        ("address",),
    ),
    BusinessOption(
        "payment_instructions",
        "cómo pagarte sin link de pago ({payment_means}); va en los "
        "recordatorios en lugar del link cuando tu proveedor de pagos no puede "
        "crear links para tus clientes, y debajo del link cuando un cliente "
        "pide los datos para pagar",
        None,
        _instructions,
        ("payment_instructions",),
        worded=True,
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
        amount=True,
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
    Their note ends with `stored_accounts_warning` when it has one.
    """
    if option.key != "payment_instructions":
        return ""
    note = _instructions_use(business, settings)
    warning = stored_accounts_warning(business)
    return note if warning is None else f"{note} {warning}"


def _instructions_use(business: Business, settings: Settings) -> str:
    """Say whether reminders carry the payment instructions or a link now."""
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


def describe_option(option: BusinessOption, locale: str | None) -> str:
    """Return what `option` means, with the words of the country of `locale`."""
    words = words_for(locale)
    return option.description.format(
        holidays=words.holidays, payment_means=words.payment_means
    )


def display_value(business: Business, option: BusinessOption) -> Any:
    """Return the stored value of `option` as the owner writes it, or None."""
    value = current_value(business, option)
    if option.key == "tax_id" and value is not None:
        return format_tax_id(str(value), business.country)
    return value


def current_value(business: Business, option: BusinessOption) -> Any:
    """Return the stored value of `option`, or None when the default applies."""
    if option.column is not None:
        return getattr(business, option.column)
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
    fix, and nothing is stored then. Messages that waited for a missing detail
    of the business go back to the queue for the next cycle.
    """
    option = option_for(key)
    if text is None:
        value = _unset_value(business, option)
    elif option.column is not None:
        value = option.parse(text, business.country)
    elif option.amount:
        value = option.parse(text, business.locale, business.currency)
        _check_minor_units(value, business.currency)
    elif option.worded:
        value = option.parse(text, business.locale)
    else:
        value = option.parse(text)
    if option.key == "payment_instructions" and value is not None:
        _check_accounts(value, business.country)
    if option.key == "country" and business.tax_id:
        _check_tax_id_in(business, value)
    if option.key == "country":
        _check_stored_accounts_in(business, value)
    if option.key == "currency" and value != business.currency:
        _check_invoiced_in(session, business, value)
    lock_settings(session, business)
    previous = current_value(business, option)
    settings = dict(business.settings or {})
    if option.column is not None:
        setattr(business, option.column, value)
    elif len(option.path) == 1:
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
    if value is not None:
        release_waiting_messages(session, business, now)
    return value


def _check_accounts(instructions: str, country: str) -> None:
    """Raise `SettingError` for an account number of `instructions` that is wrong.

    Customers transfer to the account the reminders name, so a mistyped
    CBU, CLABE or Pix key would send their money nowhere. See
    `payments.account_numbers` for the numbers that are checked.
    """
    problems = account_problems(instructions, country)
    if not problems:
        return
    found = problems[0]
    kind = found.kind
    message = (
        f"{kind.article} {kind.name} «{found.written}» de las instrucciones de "
        f"pago {found.problem}, y tus clientes transferirían a una cuenta "
        f"equivocada: copiá el número de {kind.source} y cargá de nuevo las "
        "instrucciones"
    )
    if found.unnamed:
        other = "una" if kind.article == "la" else "un"
        message += (
            f"; si ese número no es {other} {kind.name}, escribí antes qué es, "
            "por ejemplo «referencia»"
        )
    raise SettingError(message)


def _check_stored_accounts_in(business: Business, country: str) -> None:
    """Raise `SettingError` for a wrong account of the stored instructions in `country`.

    An unnamed run of digits is read as an account by the country's length
    (see `payments.account_numbers`), so a number stored for another country
    can become a wrong CBU or CLABE.
    """
    problem = _stored_account_problem(business, country)
    if problem is not None:
        raise SettingError(
            f"{problem}: corregilas con cobranza settings set "
            "payment_instructions y después cambiá el país"
        )


def stored_accounts_warning(business: Business) -> str | None:
    """Return a Spanish warning when the stored instructions name a wrong account.

    Instructions are checked when they are set, but ones stored before a
    kind of account was checked (a Peruvian CCI, say) never were. So this
    checks them again wherever they are shown or used: `cobranza settings
    show`, the settings page, `cobranza run`, `cobranza db upgrade`, and the
    start of `cobranza serve` and `cobranza worker`. It only warns, and the
    stored text stays as the owner wrote it.
    """
    problem = _stored_account_problem(business, business.country)
    if problem is None:
        return None
    return (
        f"Aviso: {problem}, y tus clientes transferirían a una cuenta "
        "equivocada. Los recordatorios sin link las siguen mandando así hasta "
        'que las corrijas con: cobranza settings set payment_instructions "…"'
    )


def _stored_account_problem(business: Business, country: str) -> str | None:
    """Describe the first wrong account of the stored instructions, or None."""
    stored = (business.settings or {}).get("payment_instructions")
    if not stored:
        return None
    problems = account_problems(str(stored), country)
    if not problems:
        return None
    found = problems[0]
    kind = found.kind
    return (
        f"las instrucciones de pago guardadas tienen {kind.article} {kind.name} "
        f"«{found.written}», que {found.problem}"
    )


def _check_minor_units(value: str, currency: str) -> None:
    """Raise `SettingError` for an amount with more decimals than `currency` has."""
    amount = Decimal(value)
    if quantize(amount, currency) != amount:
        raise SettingError(
            f"el monto {value} tiene más decimales de los que admite {currency}: "
            "redondealo"
        )


def _unset_value(business: Business, option: BusinessOption) -> Any:
    """Return the value an option goes back to: its country's, or None."""
    if option.key == "country":
        raise SettingError(
            "el país no se puede borrar, porque fija las reglas de contacto: "
            "elegí otro con uno de estos códigos: " + ", ".join(SUPPORTED_COUNTRIES)
        )
    defaults = COUNTRY_DEFAULTS.get(business.country, COUNTRY_DEFAULTS["AR"])
    return dict(zip(("timezone", "currency", "locale"), defaults, strict=True)).get(
        option.key
    )


def _check_tax_id_in(business: Business, country: str) -> None:
    """Raise `SettingError` when the stored tax id is invalid in `country`.

    Otherwise every message that carries it, such as a Brazilian notice,
    would fail to compose once the country changes.
    """
    assert business.tax_id is not None
    try:
        _tax_id(business.tax_id, country)
    except SettingError:
        written = format_tax_id(business.tax_id, business.country)
        raise SettingError(
            f"la identificación fiscal guardada, {written}, no es válida en "
            f"{country}: borrala con cobranza settings unset tax_id, cambiá el "
            "país y cargá después la de tu negocio en ese país"
        ) from None


def _check_invoiced_in(session: Session, business: Business, currency: str) -> None:
    """Raise `SettingError` when the open invoices are in the current currency only.

    Payments recorded without a currency and sums a customer writes without
    one ("te pago 300") are taken in the business's currency, so after the
    change they would go to a currency the customer does not owe.
    """
    rows = session.execute(
        select(Document.currency, func.count())
        .where(
            Document.business_id == business.id,
            Document.currency.in_([business.currency, currency]),
            Document.open_amount > 0,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
    ).all()
    counts = {code: count for code, count in rows}
    open_count = counts.get(business.currency, 0)
    if open_count and not counts.get(currency):
        invoices = "1 factura" if open_count == 1 else f"{open_count} facturas"
        raise SettingError(
            f"tenés {invoices} con saldo en {business.currency} y ninguna en "
            f"{currency}, y los pagos que registrás sin moneda y los montos que "
            "tus clientes escriben sin moneda se toman en la moneda del negocio: "
            f"si esas facturas son en {currency}, importalas de nuevo con una "
            "columna de moneda"
        )


def release_waiting_messages(
    session: Session, business: Business, now: datetime
) -> int:
    """Queue again, for `now`, the messages deferred for a missing business detail.

    The dispatcher defers a message whose text needs a detail that only the
    business can give (a Brazilian message's CNPJ or CPF, a way to pay), so
    it goes out in the first cycle after the detail is set. Returns how
    many messages were queued again.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.business_id == business.id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.deferred_reason == Reason.BUSINESS_DETAILS_MISSING,
            OutboxMessage.planned_for > now,
        )
        .values(planned_for=now, deferred_reason=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


# The fix the owner reads for each business detail that a deferred message
# lacks. "{payment_example}" is an example of the business's country.
_DETAIL_FIXES = {
    "business_tax_id": (
        "la identificación fiscal de tu negocio, que en Brasil va en cada aviso "
        "(CNPJ o CPF). Cargala con: cobranza settings set tax_id "
        "11.222.333/0001-81"
    ),
    "payment_link": (
        "una forma de pagarte, porque no hay link de pago. Configurá Mercado Pago "
        "o Stripe, o cargá tus datos con: cobranza settings set "
        'payment_instructions "{payment_example}"'
    ),
    "payment_instructions": (
        "tus datos para pagarte. Cargalos con: cobranza settings set "
        'payment_instructions "{payment_example}"'
    ),
}


def missing_detail_lines(missing: Counter[str], locale: str | None = None) -> list[str]:
    """Return one Spanish line per missing business detail, with how to set it.

    The examples are those of the country of `locale`, the business's.
    """
    example = words_for(locale).payment_example_short
    lines = []
    for variable, count in sorted(missing.items()):
        fix = variable
        if variable in _DETAIL_FIXES:
            fix = _DETAIL_FIXES[variable].format(payment_example=example)
        subject = "1 mensaje espera" if count == 1 else f"{count} mensajes esperan"
        lines.append(f"{subject} {fix}")
    return lines


def waiting_details(session: Session, business_id: int) -> Counter[str]:
    """Count the queued messages waiting for a business detail, by the detail.

    The detail is the message variable named by the row's last deferral.
    """
    waiting = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.deferred_reason == Reason.BUSINESS_DETAILS_MISSING,
        )
        .scalar_subquery()
    )
    events = session.execute(
        select(AuditEvent.subject_id, AuditEvent.details)
        .where(
            AuditEvent.business_id == business_id,
            AuditEvent.kind == "message_deferred",
            AuditEvent.reason == Reason.BUSINESS_DETAILS_MISSING,
            AuditEvent.subject_type == "outbox_message",
            AuditEvent.subject_id.in_(waiting),
        )
        .order_by(AuditEvent.id)
    )
    latest = {row_id: (details or {}).get("variable") for row_id, details in events}
    return Counter(str(variable) for variable in latest.values() if variable)


# The line for a Brazilian business without a tax id, before any message
# has waited for it.
MISSING_TAX_ID_LINE = (
    "Tus mensajes en portugués no van a salir hasta que cargues la "
    "identificación fiscal de tu negocio (CNPJ o CPF), que la ley de Brasil "
    "pide en cada aviso de cobranza. Cargala con: cobranza settings set tax_id "
    "11.222.333/0001-81"
)


def missing_legal_details(
    business: Business, waiting: Collection[str] = ()
) -> list[str]:
    """Return a Spanish line per detail the law requires in a business's messages.

    Brazilian law (CDC art. 42-A) requires in every collection notice the
    creditor's address as well as its CNPJ or CPF. A missing tax id holds
    the messages back, and `waiting` names the details that messages
    already wait for (`waiting_details`), whose own lines say so. The tax id
    is listed here only while no message waits for it, as on a Sunday, when
    nothing reaches the check. A missing address lets messages go without it.
    """
    if business.country != "BR" and business.locale != "pt_BR":
        return []
    lines = []
    if not business.tax_id and "business_tax_id" not in waiting:
        lines.append(MISSING_TAX_ID_LINE)
    if not (business.settings or {}).get("address"):
        lines.append(
            "Tus mensajes en portugués salen sin la dirección de tu negocio, que "
            "la ley de Brasil también pide en cada aviso de cobranza. Cargala "
            'con: cobranza settings set address "Rua das Flores, 100, São Paulo - SP"'
        )
    return lines
