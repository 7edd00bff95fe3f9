"""Preview of a policy step's message with the inputs a real send would use."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from cobranza.compliance.tone import lint_text
from cobranza.dunning.errors import PolicyIssue
from cobranza.dunning.policy import Policy, Step, Tone
from cobranza.dunning.policy_loader import check_step_kinds, check_templates
from cobranza.messages import (
    ComposedMessage,
    MessageError,
    MessageVariables,
    MissingVariableError,
    available_step_kinds,
    compose,
)
from cobranza.messages import sample_variables as message_sample_variables


def step_sample_variables(step: Step, locale: str) -> MessageVariables:
    """Return sample values carrying the step's own delay, discount and installments.

    The planner sends a step on its day, so the customer is `offset_days`
    late, and it copies the step's `discount_percent` and `max_installments`
    into the outbox row (`PlanWriter._variables`). The preview takes the
    same three values from the step, and made-up ones for the rest.
    """
    sample = message_sample_variables(locale, step.offset_days)

    # A step without a discount or an installment limit sends none, so a
    # message that needs one fails here as it would on a real send.
    changes: dict[str, Any] = {
        "discount_percent": step.discount_percent,
        "installments": step.max_installments,
    }
    return dataclasses.replace(sample, **changes)


def compose_step_preview(step: Step, locale: str, tone: Tone) -> ComposedMessage:
    """Compose the message `step` sends in `tone`, with sample customer values.

    Raises `MessageError` when the step's message cannot be composed with
    its own inputs, as a real send of the step would.
    """
    if step.step_kind is None:
        raise ValueError(f"step {step.key!r} sends no message")
    return compose(step.step_kind, locale, tone, step_sample_variables(step, locale))


# The step field that gives each message variable a step may lack.
_MISSING_FIELD = {
    "installments": "max_installments",
    "discount_percent": "discount_percent",
}


def check_previews(policy: Policy, locales: Iterable[str]) -> list[PolicyIssue]:
    """Return one issue per sending step whose message cannot be composed.

    Each step is composed with its own inputs, in each of its tones and in
    each of `locales`, as `compose_step_preview` does. A step that fails
    here would fail on every real send.
    """
    issues = []
    for step in policy.steps:
        if not step.sends_message:
            continue
        problem = _first_problem(step, locales)
        if problem is not None:
            issues.append(PolicyIssue(step.line, problem))
    return issues


def _first_problem(step: Step, locales: Iterable[str]) -> str | None:
    for tone in step.concrete_tones():
        for locale in locales:
            try:
                compose_step_preview(step, locale, tone)
            except MissingVariableError as exc:
                field = _MISSING_FIELD.get(exc.variable, exc.variable)
                return (
                    f"paso {step.key!r}: el mensaje {step.step_kind!r} necesita "
                    f"{field}, y el paso no lo tiene, así que cada envío "
                    f"fallaría. Agregá {field} al paso o cambiá el step_kind"
                )
            except MessageError:
                return (
                    f"paso {step.key!r}: el mensaje {step.step_kind!r} no se "
                    f"puede armar con offset_days {step.offset_days}, así que "
                    "cada envío fallaría. Cambiá el step_kind o el offset_days"
                )
    return None


def validate_policy(policy: Policy, locales: Sequence[str]) -> list[PolicyIssue]:
    """Check the step kinds, then compose and lint each step's message.

    Every sending step is composed with its own inputs in each tone and
    each of `locales`, as a real send would be. A step that cannot be
    composed is one issue, and each tone-check problem of a composed text
    is another. These are the checks of `cobranza policy validate` and of
    the dashboard's policy page.
    """

    def render(step: Step, tone: Tone) -> list[tuple[str, str]]:
        texts = []
        for locale in locales:
            try:
                texts.append((locale, compose_step_preview(step, locale, tone).text))
            except MessageError:
                continue
        return texts

    def lint(text: str, locale: str) -> list[str]:
        return [problem.why for problem in lint_text(text, locale)]

    issues = check_step_kinds(policy, available_step_kinds())
    if not issues:
        issues = check_previews(policy, locales)
        issues += check_templates(policy, render, lint)
    return issues
