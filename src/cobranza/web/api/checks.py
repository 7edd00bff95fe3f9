"""Checks of the texts and amounts that the API's POST bodies carry.

An import rejects an id or an invoice number with a bidirectional control
in it, because "F-\u202e1000" shows as "F-0001", and replaces the control
characters of a name. An API client can send the value again, so the API
rejects both with a 422 whose Spanish `detail` names the field, shows the
value with the character escaped and gives the fix. Currencies, amounts,
invoice dates, email addresses and locales are checked against what the
rest of cobranza stores and composes, with the same kind of 422.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date
from decimal import Decimal

from babel.numbers import is_currency
from fastapi import HTTPException

from cobranza.emails import EMAIL_EXAMPLE, check_email
from cobranza.ingest.dates import YMD, DateDecision, parse_date
from cobranza.ingest.issue_texts import spanish_number
from cobranza.messages.catalog import LOCALES
from cobranza.money import MAX_AMOUNT, quantize
from cobranza.terminal_text import BIDI_CONTROLS, visible
from cobranza.web.error_pages import NUL_CHARACTER

logger = logging.getLogger(__name__)

# A JSON date is ISO, so the order only fills the decision `parse_date` takes.
_ISO_DATES = DateDecision(order=YMD, source="option", note="ISO 8601")


def _rejected(detail: str) -> HTTPException:
    logger.info("API request body rejected: %s", detail)
    return HTTPException(status_code=422, detail=detail)


def checked_text(field: str, value: str) -> str:
    """Return `value` without surrounding spaces, or raise a 422.

    Rejects a value that is only spaces and one with a control character
    (a line break, an escape code), a line or paragraph separator, or a
    bidirectional control.
    """
    text = value.strip()
    if not text:
        raise _rejected(
            f"el campo {field} está vacío o tiene solo espacios. Mandá el texto "
            "que corresponde"
        )
    if "\x00" in text:
        # The same words as a NUL anywhere else in a request.
        raise _rejected(NUL_CHARACTER)
    for position, character in enumerate(text, start=1):
        code = f"U+{ord(character):04X}"
        if BIDI_CONTROLS.match(character):
            raise _rejected(
                f"el campo {field} ({visible(text)}) tiene un carácter invisible "
                f"de dirección del texto ({code}) en la posición {position}, que "
                "lo haría verse como otro. Borralo y mandalo como texto común"
            )
        if unicodedata.category(character) in ("Cc", "Zl", "Zp"):
            raise _rejected(
                f"el campo {field} ({visible(text)}) tiene un carácter de "
                f"control ({code}) en la posición {position}. Borralo y mandalo "
                "en una sola línea, como texto común"
            )
    return text


def optional_text(field: str, value: str | None) -> str | None:
    """Return `value` checked as `checked_text` does; None or blank is None."""
    if value is None or not value.strip():
        return None
    return checked_text(field, value)


def checked_email(value: str | None) -> str | None:
    """Return an email address without surrounding spaces, None, or raise a 422."""
    text = optional_text("email", value)
    if text is None:
        return None
    result = check_email(text)
    if result.problem is not None:
        raise _rejected(
            f"el campo email ({visible(text)!r}) no es una dirección de correo "
            f"válida: {result.problem}. Mandá una dirección como "
            f"{EMAIL_EXAMPLE}, o no mandes email"
        )
    return result.address


def checked_locale(value: str | None) -> str | None:
    """Return a message locale ("es_MX"; "es-MX" too), None, or raise a 422.

    The reminders are composed in the customer's locale, so one that the
    catalog lacks would make every message to the customer fail.
    """
    text = optional_text("locale", value)
    if text is None:
        return None
    locale = text.replace("-", "_")
    if locale not in LOCALES:
        raise _rejected(
            f"el idioma {visible(text)!r} no es uno de los mensajes. Usá uno de "
            f"estos: {', '.join(LOCALES)}, o no mandes locale para usar el del "
            "negocio"
        )
    return locale


def checked_date(field: str, value: date | None) -> date | None:
    """Return `value`, or raise a 422 for a date outside the range an import
    accepts, which is more likely a typing error."""
    if value is None:
        return None
    try:
        return parse_date(value, _ISO_DATES)
    except ValueError as exc:
        raise _rejected(f"la fecha {field} {value.isoformat()} {exc}") from exc


def checked_currency(value: str) -> str:
    """Return an ISO 4217 code in upper case, or raise a 422."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not is_currency(code):
        raise _rejected(
            f"la moneda {visible(value)!r} no es un código ISO 4217. Mandá uno "
            "de tres letras, como ARS, USD o MXN, o no mandes currency para "
            "usar la moneda del negocio"
        )
    return code


def checked_amount(amount: Decimal, currency: str) -> Decimal:
    """Return `amount` with the decimals of `currency`, or raise a 422 for
    one too large to store or with more decimals than `currency` has."""
    if abs(amount) >= MAX_AMOUNT:
        raise _rejected(
            f"el monto {amount} es demasiado grande: tiene que ser menor que "
            f"{spanish_number(MAX_AMOUNT)}. Revisá que no tenga ceros de más"
        )
    rounded = quantize(amount, currency)
    if rounded != amount:
        raise _rejected(
            f"el monto {amount} tiene más decimales de los que admite "
            f"{currency}. Mandalo redondeado, como {rounded}"
        )
    return rounded
