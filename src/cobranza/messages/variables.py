"""The values a message is composed from, and how they are cleaned.

WhatsApp rejects a template parameter that contains a newline, a tab or more
than four consecutive spaces, so every value is flattened to one line before
it is used. The text is not HTML: nothing is HTML-escaped, so a name such as
"<b>Ana</b>" reaches the customer as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cobranza.messages.errors import InvalidVariableError

# Zero-width joiners are kept because emoji sequences and some scripts in
# names need them. Every other format character (bidi overrides, BOM) is
# dropped, so a name cannot reorder the text around it.
_KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
_SPACES = re.compile(r"[ \u00a0\u202f]{2,}")
_ELLIPSIS = "…"


class LinkCovers(StrEnum):
    """The part of the debt that a payment link sent on request charges."""

    # Only invoices past their due date.
    OVERDUE = "overdue"
    # Invoices past due and due today, at least one of them due today.
    DUE_TODAY = "due_today"
    # The whole balance, because nothing is due yet or everything is.
    BALANCE = "balance"
    # The next installment of an active plan.
    INSTALLMENT = "installment"


@dataclass(frozen=True, kw_only=True)
class MessageVariables:
    """Everything one message to one customer may contain.

    One message covers all the customer's open invoices: `balance` is their
    total in `currency`, `oldest_due_on` the due date of the oldest one and
    `days_past_due` counts from it (negative before it). A customer who owes
    in other currencies too has those amounts in `other_balances`, and
    `invoice_count` counts their invoices as well. Fields a step kind does not use may
    stay None; a template that needs one raises `MissingVariableError`.
    """

    customer_name: str
    business_name: str
    balance: Decimal
    currency: str
    invoice_count: int
    oldest_due_on: date
    days_past_due: int
    # What is due in the customer's other currencies, (currency, amount) by
    # currency code, which `monto` states after `balance`. JSON rows store
    # each pair as a list of a code and a decimal string.
    other_balances: Sequence[Sequence[object]] | None = None
    business_tax_id: str | None = None
    # The business's ISO 3166 country code, which names its tax id ("CUIT").
    business_country: str | None = None
    # Brazil's consumer code (art. 42-A) requires the creditor's address too.
    business_address: str | None = None
    payment_link: str | None = None
    # Shown in place of the link while the business has no payment provider.
    payment_instructions: str | None = None
    # The amount a link sent on request charges, which may be less than
    # `balance`, and the part of the debt it covers, a `LinkCovers` value.
    link_amount: Decimal | None = None
    link_covers: str | None = None
    discount_percent: Decimal | None = None
    # The last day the discount applies; None means `oldest_due_on`.
    discount_deadline: date | None = None
    installments: int | None = None
    # True when the customer requested more installments than the business
    # allows, so `cuotas` states that `installments` is the maximum.
    installments_max_reached: bool = False
    # The installment a reminder is about, counted from 1 of `installments`.
    installment_number: int | None = None
    # A proposed plan: (amount, due date) of each installment in order, the
    # fee the business adds and the total with the fee.
    plan_schedule: tuple[tuple[Decimal, date], ...] | None = None
    plan_fee: Decimal | None = None
    plan_total: Decimal | None = None
    # Plans in several currencies, one per currency: (currency, schedule) of
    # each, the schedule as in `plan_schedule`, which `detalle_cuotas` states
    # in place of `plan_schedule`.
    plan_parts: Sequence[Sequence[object]] | None = None
    promise_amount: Decimal | None = None
    promise_due_on: date | None = None
    # What a confirmed promise covers, a `LinkCovers` value: "installment"
    # (the plan's next one, named with `installment_number`) or "balance"
    # (a promise of more than the balance, recorded as the balance). None
    # states the amount alone.
    promise_covers: str | None = None
    # A promise in several currencies, or in another currency than
    # `balance`: (currency, amount) of each part, which `monto_promesa` states.
    promise_amounts: Sequence[Sequence[object]] | None = None
    # A promise whose currencies fall due on different days: (currency,
    # amount, due date) of each part, earliest first. `monto_promesa` states
    # each part with its day but the last, whose day is `promise_due_on`.
    promise_schedule: Sequence[Sequence[object]] | None = None
    # A broken promise in several currencies: (promise id, currency, amount
    # promised or None for the whole balance, amount paid since) of each
    # part, which `monto_pagado` and `monto_faltante` state.
    promise_parts: Sequence[Sequence[object]] | None = None
    paid_amount: Decimal | None = None
    # A link sent on request to a customer who owes in several currencies:
    # (currency, amount, `LinkCovers` value, URL or None) of the link of
    # each currency, which `cobro` and `pago` state.
    link_charges: Sequence[Sequence[object]] | None = None
    # The open invoices of a balance stated on request: (currency, open
    # amount, due date or None) of each, which `estado_saldo` compares with
    # `today` to say what is overdue and when the next one falls due. JSON
    # rows store the amount as a decimal string and the date in ISO format.
    balance_dues: Sequence[Sequence[object]] | None = None
    # The business's local date; dates in another year are shown with it.
    today: date | None = None


def _flatten_character(character: str) -> str:
    if character in ("\u00a0", "\u202f"):
        return character
    if character.isspace():
        return " "
    category = unicodedata.category(character)
    if category == "Cc":
        return " "
    if category == "Cf" and character not in _KEPT_FORMAT_CHARACTERS:
        return ""
    return character


def clean_parameter(value: str, max_length: int | None = None) -> str:
    """Flatten `value` to one line that WhatsApp accepts as a parameter.

    Newlines, tabs and other control characters become spaces, runs of
    spaces collapse to one, and format characters that reorder text are
    removed. Text longer than `max_length` is cut and ends with "…".
    """
    flattened = "".join(_flatten_character(character) for character in value)
    cleaned = _SPACES.sub(" ", flattened).strip()

    if max_length is not None and len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 1].rstrip() + _ELLIPSIS
    return cleaned


def require_text(variable: str, value: str, max_length: int | None) -> str:
    """Clean `value` and reject it when nothing printable is left."""
    cleaned = clean_parameter(value, max_length)
    if not cleaned:
        raise InvalidVariableError(
            variable, value, "it is empty once control characters are removed"
        )
    return cleaned
