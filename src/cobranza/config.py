"""Settings read from the environment and `.env` (prefix `COBRANZA_`)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_COUNTRIES = ("AR", "BR", "CL", "CO", "MX", "PE", "UY")


class Settings(BaseSettings):
    """One typed settings object for the whole process."""

    model_config = SettingsConfigDict(
        env_prefix="COBRANZA_", env_file=".env", extra="ignore"
    )

    database_url: str = "sqlite:///cobranza.db"
    environment: str = Field(
        default="development", description="development, test or production"
    )

    # The business that the CLI works on when none is named.
    business_name: str = "Mi negocio"
    country: str = "AR"
    timezone: str = "America/Argentina/Buenos_Aires"
    currency: str = "ARS"
    locale: str = "es_AR"

    # Segment thresholds used by the portfolio audit.
    segment_min_paid_invoices: int = Field(
        default=3, description="paid invoices needed before a customer leaves 'new'"
    )
    segment_late_grace_days: int = Field(
        default=0, description="days after the due date still counted as on time"
    )
    segment_occasional_late_share: float = Field(
        default=0.2, description="share paid late above which a customer is late"
    )
    segment_chronic_late_share: float = Field(
        default=0.5, description="share paid late above which lateness is chronic"
    )
    segment_month_end_days: int = Field(
        default=5, description="last days of a month that count as month end"
    )
    segment_month_end_share: float = Field(
        default=0.7, description="share of payments at month end for the flag"
    )

    # Optional OpenAI-compatible endpoint consulted for replies that the
    # intent model scores below `llm_min_confidence`. Unset means offline.
    llm_base_url: str | None = Field(
        default=None,
        description="base URL ending in /v1, such as http://127.0.0.1:11434/v1",
    )
    llm_model: str | None = Field(default=None, description="model name sent to it")
    llm_api_key: SecretStr | None = Field(default=None, description="bearer token")
    llm_timeout_seconds: float = Field(
        default=5.0, gt=0, description="seconds to wait for one LLM answer"
    )
    llm_min_confidence: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="model confidence below which the LLM is consulted",
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in SUPPORTED_COUNTRIES:
            raise ValueError(
                f"unsupported country {value!r}: set COBRANZA_COUNTRY to one of "
                + ", ".join(SUPPORTED_COUNTRIES)
            )
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}: set COBRANZA_TIMEZONE to an IANA "
                "name such as America/Argentina/Buenos_Aires"
            ) from exc
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(
                f"invalid currency {value!r}: set COBRANZA_CURRENCY to an ISO 4217 "
                "code such as ARS"
            )
        return code

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        normalised = value.replace("-", "_")
        try:
            Locale.parse(normalised)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(
                f"unknown locale {value!r}: set COBRANZA_LOCALE to a code such as "
                "es_AR or pt_BR"
            ) from exc
        return normalised


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
