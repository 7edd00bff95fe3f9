"""The composer: step kind + locale + tone + variables → one message.

`compose` is what the dunning planner calls. It picks the template file,
builds the named parameters and renders the text; it never sends anything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from cobranza.messages.catalog import (
    COUNTRY_LOCALES,
    LOCALES,
    STEP_KINDS,
    LocaleProfile,
    StepKind,
    Tone,
)
from cobranza.messages.errors import (
    MessageTooLongError,
    UnknownLocaleError,
    UnknownStepKindError,
    UnknownToneError,
)
from cobranza.messages.parameters import build_parameters
from cobranza.messages.templates import BODY_MAX, TemplateSpec, load_template
from cobranza.messages.variables import MessageVariables

logger = logging.getLogger(__name__)

CUSTOMER_KIND_TONES = {"company": Tone.FORMAL, "person": Tone.FRIENDLY}


@dataclass(frozen=True)
class ComposedMessage:
    """A rendered message and the WhatsApp template it corresponds to.

    `parameters` contains the template's named parameters in body order;
    `text` is the body rendered with them, opt-out line included.
    `button_ids` are the catalog keys of `buttons` ("pay", "paid", ...).
    """

    step_kind: str
    locale: str
    tone: str
    template_name: str
    language_code: str
    category: str
    parameters: dict[str, str]
    text: str
    buttons: list[str]
    button_ids: list[str]

    @property
    def whatsapp_parameters(self) -> list[dict[str, str]]:
        """Return the body parameters as the Cloud API send call takes them."""
        return [
            {"type": "text", "parameter_name": name, "text": value}
            for name, value in self.parameters.items()
        ]


def normalise_locale(locale: str) -> str:
    """Turn "es-ar" or "es_AR" into the catalog's spelling, "es_AR"."""
    language, _, territory = locale.strip().replace("-", "_").partition("_")
    if not territory:
        return language.lower()
    return f"{language.lower()}_{territory.upper()}"


def _step_kind(step_kind: str) -> StepKind:
    try:
        return STEP_KINDS[step_kind]
    except KeyError:
        raise UnknownStepKindError(step_kind, STEP_KINDS) from None


def _profile(locale: str) -> LocaleProfile:
    try:
        return LOCALES[normalise_locale(locale)]
    except KeyError:
        raise UnknownLocaleError(locale, LOCALES) from None


def _tone(tone: str) -> Tone:
    try:
        return Tone(tone)
    except ValueError:
        raise UnknownToneError(tone, [t.value for t in Tone]) from None


def available_step_kinds() -> list[str]:
    """Return the step kinds the catalog has templates for, in policy order."""
    return list(STEP_KINDS)


def template_for(step_kind: str, locale: str, tone: str) -> TemplateSpec:
    """Return the checked template for a step kind, locale and tone."""
    profile = _profile(locale)
    return load_template(_step_kind(step_kind).name, profile.template_set, _tone(tone))


def whatsapp_template(step_kind: str, locale: str, tone: str) -> tuple[str, str]:
    """Return the WhatsApp template name and language code `compose` would use.

    Raises a `MessageError` subclass for an unknown step kind, locale or tone.
    """
    kind = _step_kind(step_kind)
    return kind.template_name(_tone(tone)), _profile(locale).whatsapp_language


def tone_for(customer_kind: str) -> str:
    """Return the default tone for a customer kind: companies get formal."""
    try:
        return CUSTOMER_KIND_TONES[customer_kind].value
    except KeyError:
        raise UnknownToneError(
            customer_kind, CUSTOMER_KIND_TONES, subject="customer kind"
        ) from None


def locale_for(country: str | None, customer_locale: str | None) -> str:
    """Choose the message locale for a customer.

    The customer's own locale wins when the catalog has it. A bare language
    ("es", "pt") or an unsupported variant ("es_ES") falls back to the
    country's locale when that is the same language, else to the neutral
    one. Without a usable customer locale, the country decides.
    """
    country_locale = COUNTRY_LOCALES.get((country or "").strip().upper())

    if customer_locale:
        requested = normalise_locale(customer_locale)
        if requested in LOCALES:
            if "_" in requested or country_locale is None:
                return requested
        language = requested.partition("_")[0]
        if country_locale and country_locale.startswith(language + "_"):
            return country_locale
        if language == "pt":
            return "pt_BR"
        if language == "es":
            return "es"

    if country_locale is None:
        raise UnknownLocaleError(f"country {country!r}", COUNTRY_LOCALES)
    return country_locale


def compose(
    step_kind: str, locale: str, tone: str, variables: MessageVariables
) -> ComposedMessage:
    """Render the message for one step kind, locale and tone.

    Raises a `MessageError` subclass that names the bad value: an unknown
    step kind, locale or tone, a variable the template needs but is None,
    or a body above WhatsApp's 1,024 characters.
    """
    kind = _step_kind(step_kind)
    profile = _profile(locale)
    spec = load_template(kind.name, profile.template_set, _tone(tone))

    parameters = build_parameters(
        spec.parameter_names, variables, kind, profile, spec.tone
    )
    parameters = _without_doubled_periods(parameters, spec.parameters_before_period)
    text = spec.render(parameters)
    if len(text) > BODY_MAX:
        raise MessageTooLongError(spec.name, len(text), BODY_MAX)

    logger.debug("composed template %s in %s", spec.name, profile.whatsapp_language)
    return ComposedMessage(
        step_kind=kind.name,
        locale=profile.locale,
        tone=spec.tone.value,
        template_name=spec.name,
        language_code=profile.whatsapp_language,
        category=kind.category.value,
        parameters=parameters,
        text=text,
        buttons=list(spec.button_titles),
        button_ids=list(kind.buttons),
    )


def _without_doubled_periods(
    parameters: dict[str, str], before_period: frozenset[str]
) -> dict[str, str]:
    """Drop a value's final period where the body puts one right after it.

    "Distribuidora Norte S.A." before the body's "." would read "S.A..". An
    approved WhatsApp template's text is fixed and only the values are sent,
    so the value itself loses its period, in the text and in the parameters
    alike. A value that is nothing but periods is left as it is.
    """
    trimmed = dict(parameters)
    for name in before_period:
        value = trimmed[name]
        if value.endswith(".") and value.rstrip("."):
            trimmed[name] = value[:-1]
    return trimmed


def supported_locales() -> list[str]:
    """Return every locale the composer accepts."""
    return list(LOCALES)


def all_combinations(
    locales: Iterable[str] | None = None,
    tones: Iterable[str] | None = None,
    step_kinds: Iterable[str] | None = None,
) -> list[tuple[str, str, str]]:
    """List (step kind, locale, tone) triples, every one by default."""
    return [
        (step_kind, locale, tone)
        for locale in (locales or LOCALES)
        for tone in (tones or [t.value for t in Tone])
        for step_kind in (step_kinds or STEP_KINDS)
    ]
