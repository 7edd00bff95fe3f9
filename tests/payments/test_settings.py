"""Payment settings: provider names and secrets outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cobranza.config import Settings


def test_unknown_provider_rejected() -> None:
    with pytest.raises(ValidationError, match="COBRANZA_PAYMENT_PROVIDER"):
        Settings(_env_file=None, payment_provider="paypal")  # type: ignore[call-arg]


def test_provider_name_normalised() -> None:
    settings = Settings(_env_file=None, payment_provider=" Stripe ")  # type: ignore[call-arg]

    assert settings.payment_provider == "stripe"


@pytest.mark.parametrize(
    "name",
    [
        "mercadopago_access_token",
        "mercadopago_webhook_secret",
        "stripe_secret_key",
        "stripe_webhook_secret",
    ],
)
def test_placeholder_secret_rejected_in_production(name: str) -> None:
    with pytest.raises(ValidationError, match=f"COBRANZA_{name.upper()}"):
        Settings(_env_file=None, environment="production", **{name: "changeme"})  # type: ignore[call-arg]


def test_placeholder_secret_allowed_in_development() -> None:
    settings = Settings(_env_file=None, stripe_webhook_secret="changeme")  # type: ignore[call-arg]

    assert settings.stripe_webhook_secret is not None
