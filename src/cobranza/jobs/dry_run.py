"""The messages a dry run evaluated, and what would happen to each one.

`run_cycle(..., dry_run=True)` reads them from the claimed outbox rows
before it rolls the transaction back. They describe the state the
dispatcher left in that transaction, and none of that state is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.compliance import holidays_skipped, rules_for_business
from cobranza.compliance.reasons import Reason
from cobranza.db.models import Business, Customer, OutboxMessage, OutboxState
from cobranza.dunning.other_currencies import OTHER_BALANCES_VARIABLE
from cobranza.messages import MessageError, template_for
from cobranza.money import quantize


class Outcome(StrEnum):
    """The action a real run at the same instant would take on a message."""

    SEND = "send"
    DEFER = "defer"
    SUPPRESS = "suppress"
    FAIL = "fail"


# The state `Dispatcher.evaluate` leaves a claimed row in, by outcome.
_OUTCOMES = {
    OutboxState.SENDING: Outcome.SEND,
    OutboxState.QUEUED: Outcome.DEFER,
    OutboxState.SUPPRESSED: Outcome.SUPPRESS,
    OutboxState.FAILED: Outcome.FAIL,
}

# Deferrals to the next instant the contact window allows, which a holiday
# may push further.
_WINDOW_REASONS = frozenset(
    {Reason.HOLIDAY, Reason.DAY_NOT_ALLOWED, Reason.OUTSIDE_CONTACT_WINDOW}
)

# Template parameters that state an amount, with the row variable behind
# each one. The first one a template uses is the amount its message states.
_AMOUNT_PARAMETERS = (
    ("monto_pagado", "paid_amount"),
    ("monto_promesa", "promise_amount"),
    ("monto", "balance"),
)


@dataclass(frozen=True)
class DryRunMessage:
    """One due outbox message of a dry run and its outcome."""

    customer_external_id: str
    customer_name: str
    step: str
    step_kind: str
    channel: str
    # None for a message whose template states no amount.
    amount: Decimal | None
    currency: str
    outcome: Outcome
    # The gate's reason for a deferral or suppression, or the error code of a
    # failure. None for a message that would be sent.
    reason: str | None
    # The instant a deferred message waits for.
    until: datetime | None
    # The holidays, (day, name), that keep a message deferred for the contact
    # window until `until`, in the customer's country.
    holidays: tuple[tuple[date, str], ...] = ()
    # What the message states in other currencies after `amount`, as
    # (amount, currency) by currency code.
    other_amounts: tuple[tuple[Decimal, str], ...] = ()
    # The WhatsApp template and language code that a message deferred for
    # its template's approval waits for.
    template: tuple[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the message as JSON-ready values.

        The amount is a decimal string rounded to the currency's minor
        units, as the message states it.
        """
        amount = None
        if self.amount is not None:
            amount = str(quantize(self.amount, self.currency))
        return {
            "customer": {
                "external_id": self.customer_external_id,
                "name": self.customer_name,
            },
            "step": self.step,
            "step_kind": self.step_kind,
            "channel": self.channel,
            "amount": amount,
            "currency": self.currency,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "until": self.until.isoformat() if self.until is not None else None,
            "holidays": [
                {"date": day.isoformat(), "name": name} for day, name in self.holidays
            ],
            "other_amounts": [
                {"amount": str(quantize(other, currency)), "currency": currency}
                for other, currency in self.other_amounts
            ],
            "template": (
                {"name": self.template[0], "language": self.template[1]}
                if self.template is not None
                else None
            ),
        }


def dry_run_messages(
    session: Session,
    rows: Sequence[OutboxMessage],
    business: Business,
    now: datetime,
) -> list[DryRunMessage]:
    """Describe the rows that `Dispatcher.evaluate` claimed, in claim order.

    Call it before the rollback, because the rows' states and the refreshed
    amounts exist only in the dry run's transaction. A suppressed row states
    the amount it was planned with, because the gate refreshes the amounts
    only of a row that is sent or deferred. A row deferred for the contact
    window names the holidays between `now` and the instant it waits for.
    """
    rules = rules_for_business(business.country, business.settings)
    language = "pt_BR" if business.country.upper() == "BR" else "es"
    customer_ids = sorted({row.customer_id for row in rows})
    customers = {
        customer.id: customer
        for customer in session.scalars(
            select(Customer).where(Customer.id.in_(customer_ids))
        )
    }
    messages = []
    for row in rows:
        # The gate raised LookupError before this point for a missing customer.
        customer = customers[row.customer_id]
        outcome = _OUTCOMES[OutboxState(row.state)]
        reason = _reason(row, outcome)
        holidays: tuple[tuple[date, str], ...] = ()
        if outcome is Outcome.DEFER and reason in _WINDOW_REASONS:
            tz = customer.timezone or business.timezone
            skipped = holidays_skipped(rules, now, row.planned_for, tz, language)
            holidays = tuple(skipped)
        messages.append(
            DryRunMessage(
                customer_external_id=customer.external_id,
                customer_name=customer.name,
                step=row.step,
                step_kind=row.step_kind,
                channel=row.channel,
                amount=stated_amount(row),
                other_amounts=stated_other_amounts(row),
                currency=str(row.variables.get("currency") or business.currency),
                outcome=outcome,
                reason=reason,
                until=row.planned_for if outcome is Outcome.DEFER else None,
                holidays=holidays,
                template=_waited_template(row, reason),
            )
        )
    return messages


def stated_amount(row: OutboxMessage) -> Decimal | None:
    """Return the amount the row's message states, from its stored variables.

    Returns None when the template names no amount, or when the step kind,
    locale, tone or stored amount is invalid, which the composer reports as
    the row's failure.
    """
    try:
        parameters = template_for(row.step_kind, row.locale, row.tone).parameter_names
    except MessageError:
        return None
    for parameter, variable in _AMOUNT_PARAMETERS:
        if parameter not in parameters:
            continue
        value = row.variables.get(variable)
        if value is None:
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    return None


def stated_other_amounts(row: OutboxMessage) -> tuple[tuple[Decimal, str], ...]:
    """Return what the row's message states in other currencies, by currency code.

    They follow the balance in the `monto` parameter, so a row whose
    template names no balance, or whose stored pairs are invalid, states
    none here (the composer reports invalid pairs as the row's failure).
    """
    try:
        parameters = template_for(row.step_kind, row.locale, row.tone).parameter_names
    except MessageError:
        return ()
    stored = row.variables.get(OTHER_BALANCES_VARIABLE)
    if "monto" not in parameters or not isinstance(stored, list):
        return ()
    amounts = []
    for item in stored:
        try:
            currency, value = item
            amount = Decimal(str(value))
        except (TypeError, ValueError, InvalidOperation):
            return ()
        if not amount.is_finite():
            return ()
        amounts.append((amount, str(currency)))
    return tuple(amounts)


def _waited_template(row: OutboxMessage, reason: str | None) -> tuple[str, str] | None:
    if reason != Reason.TEMPLATE_NOT_APPROVED:
        return None
    if not row.template_name or not row.language_code:
        return None
    return row.template_name, row.language_code


def _reason(row: OutboxMessage, outcome: Outcome) -> str | None:
    if outcome is Outcome.DEFER:
        return row.deferred_reason
    if outcome is Outcome.SUPPRESS:
        return row.suppressed_reason
    if outcome is Outcome.FAIL:
        return row.error_code
    return None
