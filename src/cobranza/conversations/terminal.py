"""Output of `cobranza nlu` and `cobranza sandbox reply` for a business owner.

`cobranza nlu --json` prints `Understanding.to_dict()` with its English keys
for programs. These lines word the same reading, and what the robot did
about a stored reply, in Spanish for a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from cobranza.compliance.rules import DAY_NAMES_ES
from cobranza.conversations.amounts import SEVERAL_CURRENCIES
from cobranza.conversations.understand import Understanding
from cobranza.money import format_money
from cobranza.terminal_text import visible
from cobranza.wording import ACTION_LABELS, INTENT_LABELS

# The stage that decided the intent, as worded after "según".
SOURCE_LABELS = {
    "rules": "las reglas fijas",
    "model": "el modelo",
    "llm": "el modelo de lenguaje",
}
NOT_STATED = "no lo dice"
# Actions that consist of a message to the customer, worded as the message
# still to send while it waits in the outbox.
QUEUED_ACTION_LABELS = {
    "asked_receipt": "pedir el comprobante",
    "asked_promise_date": "preguntar qué día va a pagar",
    "asked_clarify": "preguntar qué quiso decir",
    "identified": "decirle quién le escribe y por qué",
    "balance_stated": "decirle su saldo",
    "already_opted_in": "decirle que ya recibe los recordatorios",
    "plan_proposed": "proponer un plan de cuotas",
    "link_sent": "mandar el link de pago",
}


def understanding_lines(
    reply: str, result: Understanding, locale: str, currency: str | None = None
) -> list[str]:
    """Word what cobranza read in `reply`, one fact per line.

    `locale` is the business's, and sets how numbers are written. `currency`
    is what `find_currency` returned for the reply.
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
        f"  Moneda: {_currency(currency)}",
        f"  Cuotas: {result.installments or NOT_STATED}",
    ]
    if result.possible_opt_out:
        lines.append(
            "  Posible pedido de baja: lo revisa una persona, porque ninguna "
            "regla confirmó la baja"
        )
    return lines


def reply_outcome_lines(
    intent: str | None,
    entities: Mapping[str, Any] | None,
    action: str | None,
    currency: str,
    locale: str,
    queued: bool = False,
) -> list[str]:
    """Word what the robot read in a stored reply and what it did, one per line.

    The words are the dashboard's (`INTENT_LABELS`, `ACTION_LABELS`). The
    date, amount and installments appear only when the reply states them.
    `queued` is true when handling the reply queued a message in the outbox,
    which only the next `cobranza run` sends, so an action that is that
    message is worded as queued, not as done.
    """
    facts = entities or {}
    lines = []
    if intent:
        lines.append(f"  Entendió: {INTENT_LABELS.get(intent, intent)}")
    promised = facts.get("promised_date")
    if promised:
        day = date.fromisoformat(str(promised))
        lines.append(f"  Fecha prometida: {_day(day)}")
    if facts.get("amount"):
        amount = format_money(Decimal(str(facts["amount"])), currency, locale)
        lines.append(f"  Monto: {amount}")
    if facts.get("installments"):
        lines.append(f"  Cuotas: {facts['installments']}")
    if action and queued and action in QUEUED_ACTION_LABELS:
        lines.append(f"  Dejó en cola: {QUEUED_ACTION_LABELS[action]}")
    elif action:
        lines.append(f"  Hizo: {ACTION_LABELS.get(action, action)}")
    if queued:
        lines.append(
            "  El mensaje al cliente sale con el próximo `cobranza run`."
            if action in QUEUED_ACTION_LABELS
            else "  Dejó en cola un mensaje al cliente, que sale con el próximo "
            "`cobranza run`."
        )
    return lines


def _currency(currency: str | None) -> str:
    if currency is None:
        return NOT_STATED
    if currency == SEVERAL_CURRENCIES:
        return "nombra más de una"
    return currency


def _promised_date(result: Understanding) -> str:
    day = result.promised_date
    if day is None:
        return NOT_STATED
    return _day(day)


def _day(day: date) -> str:
    return f"{DAY_NAMES_ES[day.weekday()]} {day:%d/%m/%Y}"


def _amount(result: Understanding, locale: str) -> str:
    amount = result.amount
    if amount is None:
        return NOT_STATED
    # Cents as written ("1.500,50"), and no ",00" on whole amounts.
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return format_decimal(amount, format=pattern, locale=locale)
