"""WhatsApp settings: required webhook secrets, placeholders and tiers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cobranza.channels.whatsapp import (
    WhatsAppConfig,
    WhatsAppConfigError,
    require_webhook_settings,
)
from cobranza.config import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_webhook_requires_app_secret() -> None:
    settings = _settings(whatsapp_verify_token="a-verify-token")

    with pytest.raises(WhatsAppConfigError, match="COBRANZA_WHATSAPP_APP_SECRET"):
        require_webhook_settings(settings)


def test_webhook_requires_verify_token() -> None:
    settings = _settings(whatsapp_app_secret="a-real-secret")

    with pytest.raises(WhatsAppConfigError, match="COBRANZA_WHATSAPP_VERIFY_TOKEN"):
        require_webhook_settings(settings)


def test_webhook_names_both_missing_secrets() -> None:
    settings = _settings()

    with pytest.raises(WhatsAppConfigError) as caught:
        require_webhook_settings(settings)

    assert "COBRANZA_WHATSAPP_APP_SECRET" in str(caught.value)
    assert "COBRANZA_WHATSAPP_VERIFY_TOKEN" in str(caught.value)


def test_webhook_settings_returned_when_set() -> None:
    settings = _settings(
        whatsapp_app_secret="a-real-secret", whatsapp_verify_token="a-verify-token"
    )

    assert require_webhook_settings(settings) == ("a-real-secret", "a-verify-token")


@pytest.mark.parametrize("value", ["changeme", "xxx", "XXXX", "", "  ", "secret"])
def test_placeholder_secret_rejected_in_production(value: str) -> None:
    with pytest.raises(ValidationError, match="valor de ejemplo"):
        _settings(environment="production", whatsapp_app_secret=value)


def test_placeholder_secret_allowed_in_development() -> None:
    settings = _settings(environment="development", whatsapp_app_secret="changeme")

    assert settings.whatsapp_app_secret is not None


@pytest.mark.parametrize(
    ("tier", "limit"),
    [("250", 250), ("2,000", 2000), ("100000", 100_000), ("unlimited", None)],
)
def test_tier_sets_daily_limit(tier: str, limit: int | None) -> None:
    settings = _settings(
        whatsapp_messaging_tier=tier,
        whatsapp_phone_number_id="1",
        whatsapp_business_account_id="2",
        whatsapp_access_token="a-token-value",
    )

    assert WhatsAppConfig.from_settings(settings).tier_limit == limit


def test_unknown_tier_rejected() -> None:
    with pytest.raises(ValidationError, match="COBRANZA_WHATSAPP_MESSAGING_TIER"):
        _settings(whatsapp_messaging_tier="500")


def test_config_names_missing_settings() -> None:
    with pytest.raises(WhatsAppConfigError) as raised:
        WhatsAppConfig.from_settings(_settings(whatsapp_phone_number_id="1"))

    assert "COBRANZA_WHATSAPP_BUSINESS_ACCOUNT_ID" in str(raised.value)
    assert "COBRANZA_WHATSAPP_ACCESS_TOKEN" in str(raised.value)
    assert "COBRANZA_WHATSAPP_PHONE_NUMBER_ID" not in str(raised.value)
