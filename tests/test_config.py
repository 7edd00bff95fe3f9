"""Settings from the environment: finite numbers in range, and real secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cobranza.config import Settings

FLOAT_SETTINGS = [
    name for name, field in Settings.model_fields.items() if field.annotation is float
]


def test_float_settings_found() -> None:
    assert "segment_chronic_late_share" in FLOAT_SETTINGS
    assert "llm_timeout_seconds" in FLOAT_SETTINGS
    assert "scheduler_interval_seconds" in FLOAT_SETTINGS


@pytest.mark.parametrize("name", FLOAT_SETTINGS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "Infinity"])
def test_float_setting_rejects_non_finite(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"COBRANZA_{name.upper()}", value)

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    errors = caught.value.errors()
    assert [error["loc"] for error in errors] == [(name,)]
    assert errors[0]["type"] == "finite_number"


@pytest.mark.parametrize(
    "name",
    [
        "segment_occasional_late_share",
        "segment_chronic_late_share",
        "segment_month_end_share",
    ],
)
@pytest.mark.parametrize("value", ["-0.1", "1.5"])
def test_share_setting_out_of_range(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"COBRANZA_{name.upper()}", value)

    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_finite_float_setting_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_SEGMENT_CHRONIC_LATE_SHARE", "0.6")
    monkeypatch.setenv("COBRANZA_LLM_TIMEOUT_SECONDS", "1e3")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.segment_chronic_late_share == 0.6
    assert settings.llm_timeout_seconds == 1000.0


def test_every_placeholder_secret_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_ENVIRONMENT", "production")
    monkeypatch.setenv("COBRANZA_WHATSAPP_APP_SECRET", "changeme")
    monkeypatch.setenv("COBRANZA_TWILIO_AUTH_TOKEN", "xxx")
    monkeypatch.setenv("COBRANZA_STRIPE_WEBHOOK_SECRET", "secret")

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    locations = {error["loc"] for error in caught.value.errors()}
    assert locations == {
        ("whatsapp_app_secret",),
        ("twilio_auth_token",),
        ("stripe_webhook_secret",),
    }


def test_placeholder_reported_with_other_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COBRANZA_ENVIRONMENT", "production")
    monkeypatch.setenv("COBRANZA_COUNTRY", "ZZ")
    monkeypatch.setenv("COBRANZA_MERCADOPAGO_ACCESS_TOKEN", "changeme")

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    locations = {error["loc"] for error in caught.value.errors()}
    assert locations == {("country",), ("mercadopago_access_token",)}


def test_placeholder_message_names_variable_and_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COBRANZA_ENVIRONMENT", "staging")
    monkeypatch.setenv("COBRANZA_TWILIO_AUTH_TOKEN", "XXXX")

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    message = str(caught.value.errors()[0]["ctx"]["error"])
    assert message.startswith("COBRANZA_TWILIO_AUTH_TOKEN tiene un valor de ejemplo")
    assert "entorno staging" in message
    assert "Twilio Console" in message


@pytest.mark.parametrize(
    ("country", "timezone", "currency", "locale"),
    [
        ("AR", "America/Argentina/Buenos_Aires", "ARS", "es_AR"),
        ("MX", "America/Mexico_City", "MXN", "es_MX"),
        ("BR", "America/Sao_Paulo", "BRL", "pt_BR"),
        ("co", "America/Bogota", "COP", "es_CO"),
    ],
)
def test_country_sets_defaults(
    monkeypatch: pytest.MonkeyPatch,
    country: str,
    timezone: str,
    currency: str,
    locale: str,
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", country)

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.timezone == timezone
    assert settings.currency == currency
    assert settings.locale == locale
    assert settings.model_fields_set == {"country"}


def test_given_values_beat_country(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "MX")
    monkeypatch.setenv("COBRANZA_TIMEZONE", "America/Tijuana")
    monkeypatch.setenv("COBRANZA_CURRENCY", "usd")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.timezone == "America/Tijuana"
    assert settings.currency == "USD"
    assert settings.locale == "es_MX"


@pytest.mark.parametrize("currency", ["COL", "CPO", "XYZ"])
def test_unknown_currency_code_rejected(
    monkeypatch: pytest.MonkeyPatch, currency: str
) -> None:
    # Three letters are not enough: "COL" would create a Colombian business
    # whose amounts read "COL 1.400.000,00".
    monkeypatch.setenv("COBRANZA_COUNTRY", "CO")
    monkeypatch.setenv("COBRANZA_CURRENCY", currency)

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    message = str(caught.value.errors()[0]["ctx"]["error"])
    assert message == (
        f"moneda inválida {currency!r}: definí COBRANZA_CURRENCY con un código "
        "ISO 4217, como COP"
    )


def test_unknown_timezone_names_country_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COBRANZA_COUNTRY", "CO")
    monkeypatch.setenv("COBRANZA_TIMEZONE", "Bogota")

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]

    message = str(caught.value.errors()[0]["ctx"]["error"])
    assert message == (
        "zona horaria desconocida 'Bogota': definí COBRANZA_TIMEZONE con un "
        "nombre IANA, como America/Bogota"
    )
