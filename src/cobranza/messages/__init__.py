"""Message composer: WhatsApp-shaped templates per locale, tone and step kind.

The dunning planner calls `compose(step_kind, locale, tone, variables)` with a
`MessageVariables` and gets a `ComposedMessage` (template name, language
code, category, named parameters, rendered text and quick-reply buttons).
"""

from cobranza.messages.catalog import STEP_KINDS, Category, StepKind, Tone
from cobranza.messages.composer import (
    ComposedMessage,
    available_step_kinds,
    compose,
    locale_for,
    supported_locales,
    template_for,
    tone_for,
    whatsapp_template,
)
from cobranza.messages.errors import (
    InvalidVariableError,
    MessageError,
    MessageTooLongError,
    MissingVariableError,
    TemplateError,
    UnknownLocaleError,
    UnknownStepKindError,
    UnknownToneError,
)
from cobranza.messages.preview import (
    preview_all,
    sample_variables,
    whatsapp_template_definitions,
)
from cobranza.messages.templates import TemplateSpec
from cobranza.messages.variables import LinkCovers, MessageVariables, clean_parameter

__all__ = [
    "STEP_KINDS",
    "Category",
    "ComposedMessage",
    "InvalidVariableError",
    "LinkCovers",
    "MessageError",
    "MessageTooLongError",
    "MessageVariables",
    "MissingVariableError",
    "StepKind",
    "TemplateError",
    "TemplateSpec",
    "Tone",
    "UnknownLocaleError",
    "UnknownStepKindError",
    "UnknownToneError",
    "available_step_kinds",
    "clean_parameter",
    "compose",
    "locale_for",
    "preview_all",
    "sample_variables",
    "supported_locales",
    "template_for",
    "tone_for",
    "whatsapp_template",
    "whatsapp_template_definitions",
]
