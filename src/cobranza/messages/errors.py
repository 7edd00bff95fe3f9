"""Errors raised by the message composer.

All of them subclass `ValueError`, because each one means that a value handed
to the composer (or a shipped template) is not usable:

    MessageError
    ├── UnknownStepKindError    step kind not in the catalog
    ├── UnknownLocaleError      locale or country without templates
    ├── UnknownToneError        tone or customer kind not known
    ├── MissingVariableError    the template needs a variable that is None
    ├── InvalidVariableError    a variable has a value the message cannot use
    ├── MessageTooLongError     the rendered body exceeds WhatsApp's limit
    └── TemplateError           a shipped template breaks a WhatsApp rule
"""

from __future__ import annotations

from collections.abc import Iterable


class MessageError(ValueError):
    """Base class for every composer error."""


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


class UnknownStepKindError(MessageError):
    """The step kind has no entry in the catalog."""

    def __init__(self, step_kind: str, allowed: Iterable[str]) -> None:
        super().__init__(
            f"unknown step kind {step_kind!r}: use one of {_allowed(allowed)}"
        )
        self.step_kind = step_kind


class UnknownLocaleError(MessageError):
    """No template set exists for the locale (or the country)."""

    def __init__(self, locale: str, allowed: Iterable[str]) -> None:
        super().__init__(f"unknown locale {locale!r}: use one of {_allowed(allowed)}")
        self.locale = locale


class UnknownToneError(MessageError):
    """The tone, or the customer kind it is derived from, is not known."""

    def __init__(
        self, tone: str, allowed: Iterable[str], subject: str = "tone"
    ) -> None:
        super().__init__(f"unknown {subject} {tone!r}: use one of {_allowed(allowed)}")
        self.tone = tone


class MissingVariableError(MessageError):
    """A template parameter needs a `MessageVariables` field that is None."""

    def __init__(self, variable: str, step_kind: str, locale: str, fix: str) -> None:
        super().__init__(
            f"missing {variable} for step kind {step_kind!r} in locale {locale!r}: "
            f"{fix}"
        )
        self.variable = variable


class InvalidVariableError(MessageError):
    """A `MessageVariables` field has a value that no message can carry."""

    def __init__(self, variable: str, value: object, fix: str) -> None:
        super().__init__(f"invalid {variable} {value!r}: {fix}")
        self.variable = variable


class MessageTooLongError(MessageError):
    """The rendered body is longer than a WhatsApp template body may be."""

    def __init__(self, template_name: str, length: int, limit: int) -> None:
        super().__init__(
            f"message {template_name!r} renders to {length} characters, above the "
            f"WhatsApp limit of {limit}: shorten the payment instructions or the "
            "business name"
        )
        self.length = length


class TemplateError(MessageError):
    """A shipped template file breaks a rule of WhatsApp templates."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"invalid template {path}: {problem}")
        self.path = path
