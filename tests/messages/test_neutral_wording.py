"""Messages address the customer without assuming a gender."""

from __future__ import annotations

import re

import pytest

from cobranza.messages import ComposedMessage, compose, preview_all, sample_variables

# Words that give the customer a gender: "¡Bienvenido!" or "o senhor". The
# formal salutations "Estimado cliente" and "Prezado cliente" are kept,
# because they name the customer's role, as business letters do.
GENDERED = re.compile(r"\b(bienvenid[oa]s?|o senhor|a senhora)\b", re.IGNORECASE)


@pytest.mark.parametrize(
    "message", preview_all(), ids=lambda m: f"{m.step_kind}-{m.locale}-{m.tone}"
)
def test_no_gendered_address(message: ComposedMessage) -> None:
    assert GENDERED.findall(message.text) == []


@pytest.mark.parametrize(
    ("locale", "greeting"),
    [
        ("es_AR", "¡Qué bueno tenerte de nuevo, Juan Pérez!"),
        ("es", "¡Qué bueno tenerte de nuevo, Juan Pérez!"),
        ("pt_BR", "Que bom ter você de volta, João Silva!"),
    ],
)
def test_opt_in_welcomes_back(locale: str, greeting: str) -> None:
    message = compose(
        "optin_confirmation", locale, "friendly", sample_variables(locale)
    )

    assert message.text.startswith(greeting)
