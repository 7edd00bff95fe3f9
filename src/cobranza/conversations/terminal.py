"""Output of `cobranza nlu` for a business owner: Spanish words, not JSON keys.

`cobranza nlu --json` prints `Understanding.to_dict()` with its English keys
for programs. These lines word the same reading for a person.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from cobranza.compliance.rules import DAY_NAMES_ES
from cobranza.conversations.understand import Understanding
from cobranza.terminal_text import visible
from cobranza.wording import INTENT_LABELS

# The stage that decided the intent, as worded after "según".
SOURCE_LABELS = {
    "rules": "las reglas fijas",
    "model": "el modelo",
    "llm": "el modelo de lenguaje",
}
NOT_STATED = "no lo dice"


def understanding_lines(reply: str, result: Understanding, locale: str) -> list[str]:
    """Word what cobranza read in `reply`, one fact per line.

    `locale` is the business's, and sets how numbers are written.
    """
    intent = INTENT_LABELS.get(result.intent, result.intent)
    source = SOURCE_LABELS.get(result.source, result.source)
    confidence = format_decimal(result.confidence, format="0.00", locale=locale)
    lines = [
        f"Respuesta: {visible(reply)}",
        f"  Intención: {intent}",
        f"  Confianza: {confidence} (según {source})",
        f"  Fecha prometida: {_promised_date(result)}",
        f"  Monto: {_amount(result, locale)}",
        f"  Cuotas: {result.installments or NOT_STATED}",
    ]
    if result.possible_opt_out:
        lines.append(
            "  Posible pedido de baja: lo revisa una persona, porque ninguna "
            "regla confirmó la baja"
        )
    return lines


def _promised_date(result: Understanding) -> str:
    day = result.promised_date
    if day is None:
        return NOT_STATED
    return f"{DAY_NAMES_ES[day.weekday()]} {day:%d/%m/%Y}"


def _amount(result: Understanding, locale: str) -> str:
    amount = result.amount
    if amount is None:
        return NOT_STATED
    # Cents as written ("1.500,50"), and no ",00" on whole amounts.
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return format_decimal(amount, format=pattern, locale=locale)
