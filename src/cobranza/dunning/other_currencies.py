"""Amounts a customer owes in currencies besides the one a reminder is about.

A reminder is about the currency of the customer's oldest collectable
invoice: its balance, its due date and its payment link. Its message also
states, in `other_balances`, what is due in each other currency. The planner
fills it in from its aggregate query (`other_currencies_overdue`), and the
gate brings it up to date before the message goes out (`other_currencies_due`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cobranza.dunning.balances import CustomerBalance

# The outbox variable: a list of [currency, decimal amount], by currency code.
OTHER_BALANCES_VARIABLE = "other_balances"


@dataclass(frozen=True)
class CurrencyDue:
    """The amount due in one currency, capped at that currency's balance.

    The cap nets the currency's credit notes in, as the reminder's own
    amount does.
    """

    currency: str
    amount: Decimal
    invoice_count: int

    def as_variable(self) -> list[str]:
        """Return the JSON form stored in `other_balances`: [currency, amount]."""
        return [self.currency, str(self.amount)]


@dataclass(frozen=True)
class CollectableDocument:
    """One collectable document of a customer: an invoice or a credit note."""

    currency: str
    due_on: date | None
    open_amount: Decimal


def other_currencies_overdue(
    parts: Iterable[CustomerBalance], currency: str
) -> list[CurrencyDue]:
    """Return what is overdue in each currency other than `currency`, by code."""
    owed = []
    for part in sorted(parts, key=lambda part: part.currency):
        amount = min(part.overdue_amount, part.balance)
        if part.currency != currency and amount > 0:
            owed.append(CurrencyDue(part.currency, amount, part.overdue_count))
    return owed


def other_currencies_due(
    documents: Iterable[CollectableDocument], currency: str, cutoff: date
) -> list[CurrencyDue]:
    """Return what is due by `cutoff` in each currency other than `currency`.

    Only invoices (positive open amounts) due on or before `cutoff` are
    summed, and each sum is capped at the currency's collectable balance.
    Currencies with nothing due are left out. The result is sorted by code.
    """
    balances: dict[str, Decimal] = {}
    due: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for document in documents:
        if document.currency == currency:
            continue
        code = document.currency
        balances[code] = balances.get(code, Decimal(0)) + document.open_amount
        if (
            document.open_amount > 0
            and document.due_on is not None
            and document.due_on <= cutoff
        ):
            due[code] = due.get(code, Decimal(0)) + document.open_amount
            counts[code] = counts.get(code, 0) + 1
    owed = []
    for code in sorted(due):
        amount = min(due[code], balances[code])
        if amount > 0:
            owed.append(CurrencyDue(code, amount, counts[code]))
    return owed


def other_currencies_balance(
    documents: Iterable[CollectableDocument], currency: str
) -> list[CurrencyDue]:
    """Return the collectable balance in each currency other than `currency`.

    Unlike `other_currencies_due`, invoices not due yet count too, as they
    do in a reply's balance. Currencies whose credit notes cancel their
    invoices are left out. The result is sorted by code.
    """
    balances: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for document in documents:
        if document.currency == currency:
            continue
        code = document.currency
        balances[code] = balances.get(code, Decimal(0)) + document.open_amount
        if document.open_amount > 0:
            counts[code] = counts.get(code, 0) + 1
    return [
        CurrencyDue(code, balances[code], counts.get(code, 0))
        for code in sorted(balances)
        if balances[code] > 0
    ]
