"""Turn an outbox row's stored composer inputs into a composed message."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cobranza.compliance.business_days import days_past_due
from cobranza.compliance.rules import ContactRules
from cobranza.db.models import OutboxMessage
from cobranza.messages import ComposedMessage, MessageVariables, compose


def compose_row(
    row: OutboxMessage, today: date, rules: ContactRules
) -> ComposedMessage:
    """Compose the text of `row` as of `today`, the business's local date.

    A row deferred since planning would otherwise state the days past due
    of the day it was planned, so `today` and `days_past_due` are brought up
    to date on the row before composing. `rules` give the holidays that the
    days past due skip. Raises ValueError (a
    `cobranza.messages` error, or one naming the stored variable) when the
    row cannot be composed.
    """
    row.variables = refresh_dates(row.variables, today, rules)
    variables = message_variables(row.variables, row.id)
    return compose(row.step_kind, row.locale, row.tone, variables)


def refresh_dates(
    stored: dict[str, Any], today: date, rules: ContactRules
) -> dict[str, Any]:
    """Return `stored` with `today` and the days past due counted to it.

    The days count from the effective due date, the next business day when
    `oldest_due_on` is not one (see `cobranza.compliance.business_days`).
    """
    refreshed = {**stored, "today": today.isoformat()}
    oldest = stored.get("oldest_due_on")
    if isinstance(oldest, str):
        try:
            due_on = date.fromisoformat(oldest)
        except ValueError:
            # `message_variables` reports the invalid date with its row id.
            return refreshed
        refreshed["days_past_due"] = days_past_due(rules, due_on, today)
    return refreshed


def message_variables(stored: dict[str, Any], outbox_id: int) -> MessageVariables:
    """Rebuild `MessageVariables` from JSON: decimal strings and ISO dates.

    Keys that `MessageVariables` does not have are ignored, so the planner
    may store more context than the composer reads.
    """
    hints = typing.get_type_hints(MessageVariables)
    values: dict[str, Any] = {}
    for variable in dataclasses.fields(MessageVariables):
        if variable.name not in stored:
            continue
        values[variable.name] = _parse(
            stored[variable.name], hints[variable.name], variable.name, outbox_id
        )
    try:
        return MessageVariables(**values)
    except TypeError as exc:
        raise ValueError(
            f"outbox row {outbox_id} is missing composer variables ({exc}): plan the "
            "row again"
        ) from exc


def _parse(value: Any, hint: Any, name: str, outbox_id: int) -> Any:
    if value is None:
        return None
    kinds = set(typing.get_args(hint)) or {hint}
    try:
        if Decimal in kinds:
            return Decimal(str(value))
        if date in kinds:
            return date.fromisoformat(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(
            f"invalid {name} {value!r} stored on outbox row {outbox_id}: expected "
            "a decimal string or an ISO date, so plan the row again"
        ) from exc
    return value
