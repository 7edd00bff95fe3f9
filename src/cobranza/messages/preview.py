"""Previews of every message with sample values, and the WhatsApp export."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cobranza.country_words import words_for
from cobranza.messages.catalog import LOCALES
from cobranza.messages.composer import (
    ComposedMessage,
    all_combinations,
    compose,
    normalise_locale,
    template_for,
)
from cobranza.messages.variables import LinkCovers, MessageVariables

_CURRENCIES = {
    "es_AR": "ARS",
    "es_MX": "MXN",
    "es_CO": "COP",
    "es_CL": "CLP",
    "es_PE": "PEN",
    "es_UY": "UYU",
    "es": "USD",
    "pt_BR": "BRL",
}


def sample_variables(
    locale: str = "es_AR", days_past_due: int = 15
) -> MessageVariables:
    """Return made-up values that fill every parameter, in the locale's currency.

    `days_past_due` sets the sample's today relative to its due date, so a
    step's preview can state that step's own delay (negative: before the
    due date). The Brazilian sample uses 11.222.333/0001-81, a CNPJ with
    valid check digits that is common in documentation examples. The payment
    instructions are an example of the locale's country (an alias in
    Argentina, a CLABE in Mexico, a Pix key in Brazil).
    """
    brazil = normalise_locale(locale) == "pt_BR"
    due_on = date(2026, 3, 3)
    currency = _CURRENCIES.get(normalise_locale(locale), "USD")
    return MessageVariables(
        customer_name="João Silva" if brazil else "Juan Pérez",
        business_name="Loja Exemplo" if brazil else "Ferretería El Tornillo",
        business_tax_id="11.222.333/0001-81" if brazil else None,
        business_address="Rua das Flores, 100, São Paulo - SP" if brazil else None,
        balance=Decimal("125000.00"),
        currency=currency,
        invoice_count=2,
        oldest_due_on=due_on,
        days_past_due=days_past_due,
        payment_link="https://pagar.example.com/c/8f3k2",
        payment_instructions=words_for(locale).sample_instructions,
        discount_percent=Decimal("10"),
        discount_deadline=due_on,
        installments=3,
        installment_number=2,
        plan_schedule=(
            (Decimal("45834.00"), due_on),
            (Decimal("45833.00"), due_on + timedelta(days=30)),
            (Decimal("45833.00"), due_on + timedelta(days=60)),
        ),
        plan_fee=Decimal("12500.00"),
        plan_total=Decimal("137500.00"),
        promise_amount=Decimal("50000.00"),
        promise_due_on=date(2026, 3, 20),
        # Below the promise, so that a partly kept promise has a sample too.
        paid_amount=Decimal("20000.00"),
        # Two invoices: one overdue since the due date, one due a month later.
        balance_dues=(
            (currency, Decimal("75000.00"), due_on),
            (currency, Decimal("50000.00"), due_on + timedelta(days=31)),
        ),
        today=due_on + timedelta(days=days_past_due),
    )


# Sample values that only one step kind needs, where the shared sample
# would read oddly in its preview and its WhatsApp example.
_STEP_SAMPLES: dict[str, dict[str, Any]] = {
    # The question during a plan names the plan's next installment.
    "clarify_plan": {
        "link_amount": Decimal("45834.00"),
        "link_covers": LinkCovers.INSTALLMENT.value,
    },
    "balance_reply_plan": {
        "link_amount": Decimal("45834.00"),
        "link_covers": LinkCovers.INSTALLMENT.value,
    },
}


def _step_sample(step_kind: str, locale: str) -> MessageVariables:
    """Return `sample_variables(locale)` with the step kind's own sample values."""
    return dataclasses.replace(
        sample_variables(locale), **_STEP_SAMPLES.get(step_kind, {})
    )


def _fill_gaps(variables: MessageVariables, locale: str) -> MessageVariables:
    """Fill the step-specific fields left None with sample values."""
    sample = sample_variables(locale)
    optional = (
        "discount_percent",
        "discount_deadline",
        "installments",
        "installment_number",
        "plan_schedule",
        "plan_fee",
        "plan_total",
        "promise_amount",
        "promise_due_on",
        "paid_amount",
    )
    changes = {
        name: getattr(sample, name)
        for name in optional
        if getattr(variables, name) is None
    }
    if variables.balance_dues is None:
        # One invoice of the whole balance, due on the sample's oldest date.
        changes["balance_dues"] = (
            (variables.currency, variables.balance, variables.oldest_due_on),
        )
    if variables.payment_link is None and variables.payment_instructions is None:
        changes["payment_link"] = sample.payment_link
        # Only `link_reply_instructions` shows these next to the link, and it
        # is sent only to a business that set them.
        changes["payment_instructions"] = sample.payment_instructions
    return dataclasses.replace(variables, **changes)


def preview_all(
    sample: MessageVariables | None = None,
    *,
    locales: Iterable[str] | None = None,
    tones: Iterable[str] | None = None,
    step_kinds: Iterable[str] | None = None,
) -> list[ComposedMessage]:
    """Compose every step kind × locale × tone, for `cobranza policy show`.

    With no `sample`, each locale uses `sample_variables(locale)`. A given
    sample is used for every locale. Its step-specific fields (discount,
    installments, promise, payment) are filled in when they are None, but
    the business's own values, such as its tax id, are never invented.
    """
    messages = []
    for step_kind, locale, tone in all_combinations(locales, tones, step_kinds):
        variables = (
            _step_sample(step_kind, locale)
            if sample is None
            else _fill_gaps(sample, locale)
        )
        messages.append(compose(step_kind, locale, tone, variables))
    return messages


def whatsapp_template_definitions() -> list[dict[str, Any]]:
    """Build one template-creation payload per template name and language code.

    Several locales share the neutral Spanish text and the "es" code; each
    (name, language) pair appears once, with sample values as examples.
    """
    definitions: dict[tuple[str, str], dict[str, Any]] = {}
    for step_kind, locale, tone in all_combinations():
        profile = LOCALES[locale]
        spec = template_for(step_kind, locale, tone)
        key = (spec.name, profile.whatsapp_language)
        if key in definitions:
            continue
        examples = compose(step_kind, locale, tone, _step_sample(step_kind, locale))
        definitions[key] = spec.whatsapp_definition(
            profile.whatsapp_language, examples.parameters
        )
    return list(definitions.values())
