"""Preview of a policy step's message with the inputs a real send would use."""

from __future__ import annotations

import dataclasses
from typing import Any

from cobranza.dunning.policy import Step, Tone
from cobranza.messages import ComposedMessage, MessageVariables, compose
from cobranza.messages import sample_variables as message_sample_variables


def step_sample_variables(step: Step, locale: str) -> MessageVariables:
    """Return sample values carrying the step's own delay, discount and installments.

    The planner sends a step on its day, so the customer is `offset_days`
    late, and it copies the step's `discount_percent` and `max_installments`
    into the outbox row (`PlanWriter._variables`). The preview takes the
    same three values from the step, and made-up ones for the rest.
    """
    sample = message_sample_variables(locale, step.offset_days)

    changes: dict[str, Any] = {}
    if step.discount_percent is not None:
        changes["discount_percent"] = step.discount_percent
    if step.max_installments is not None:
        changes["installments"] = step.max_installments
    return dataclasses.replace(sample, **changes)


def compose_step_preview(step: Step, locale: str, tone: Tone) -> ComposedMessage:
    """Compose the message `step` sends in `tone`, with sample customer values.

    Raises `MessageError` when the step's message cannot be composed with
    its own inputs, as a real send of the step would.
    """
    if step.step_kind is None:
        raise ValueError(f"step {step.key!r} sends no message")
    return compose(step.step_kind, locale, tone, step_sample_variables(step, locale))
