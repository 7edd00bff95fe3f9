"""Settings read from the environment and `.env` (prefix `COBRANZA_`)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_COUNTRIES = ("AR", "BR", "CL", "CO", "MX", "PE", "UY")

# The time zone, currency and locale of a business in each country, used for
# whichever of COBRANZA_TIMEZONE, _CURRENCY and _LOCALE is not set. The zone
# is the capital's, so a business elsewhere in a country with several zones
# (Mexico, Brazil, Chile) sets its own.
COUNTRY_DEFAULTS: dict[str, tuple[str, str, str]] = {
    "AR": ("America/Argentina/Buenos_Aires", "ARS", "es_AR"),
    "BR": ("America/Sao_Paulo", "BRL", "pt_BR"),
    "CL": ("America/Santiago", "CLP", "es_CL"),
    "CO": ("America/Bogota", "COP", "es_CO"),
    "MX": ("America/Mexico_City", "MXN", "es_MX"),
    "PE": ("America/Lima", "PEN", "es_PE"),
    "UY": ("America/Montevideo", "UYU", "es_UY"),
}

# WhatsApp messaging tiers: unique customers a number may start conversations
# with in a rolling 24 hours. "unlimited" has no cap.
WHATSAPP_TIERS = ("250", "2000", "10000", "100000", "unlimited")

PAYMENT_PROVIDERS = ("sandbox", "mercadopago", "stripe")

# Values that look like a secret left at its example; rejected outside
# development, where a real provider would receive them.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "token", "placeholder", "todo"}
)

# Secret settings and where the business finds the real value.
SECRET_SOURCES = {
    "whatsapp_access_token": "un token de usuario del sistema de Meta Business Suite",
    "whatsapp_app_secret": "la clave secreta de la app, en el App Dashboard de "
    "Meta → Configuración de la app → Básica",
    "whatsapp_verify_token": "una frase al azar, la misma que escribís en la "
    "configuración del webhook en Meta",
    "twilio_auth_token": "el auth token de Twilio Console → Account info",
    "mercadopago_access_token": "el Access Token de producción de Mercado Pago → "
    "Tus integraciones → Credenciales",
    "mercadopago_webhook_secret": "la clave secreta que muestra Mercado Pago → "
    "Tus integraciones → Webhooks",
    "stripe_secret_key": "una clave secreta o restringida (sk_... o rk_...) del "
    "panel de Stripe → Developers → API keys",
    "stripe_webhook_secret": "el signing secret del endpoint (whsec_...) del "
    "panel de Stripe → Developers → Webhooks",
    "sandbox_payment_secret": "una frase al azar que inventes vos",
}


def _country_default(info: ValidationInfo, index: int) -> str:
    """Return the country's default time zone (0), currency (1) or locale (2).

    `country` is declared before these fields, so it is validated first; an
    invalid country falls back to Argentina's values.
    """
    country = info.data.get("country", "AR")
    return COUNTRY_DEFAULTS.get(country, COUNTRY_DEFAULTS["AR"])[index]


class Settings(BaseSettings):
    """One typed settings object for the whole process."""

    # allow_inf_nan=False rejects nan, inf and values such as 1e999 that
    # overflow to inf, in every float setting.
    model_config = SettingsConfigDict(
        env_prefix="COBRANZA_", env_file=".env", extra="ignore", allow_inf_nan=False
    )

    database_url: str = "sqlite:///cobranza.db"
    environment: str = Field(
        default="development", description="development, test or production"
    )

    # The business that the CLI works on when none is named. The time zone,
    # currency and locale default to those of `country` (COUNTRY_DEFAULTS).
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
        default=0.2,
        ge=0,
        le=1,
        description="share paid late above which a customer is late",
    )
    segment_chronic_late_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share paid late above which lateness is chronic",
    )
    segment_month_end_days: int = Field(
        default=5, description="last days of a month that count as month end"
    )
    segment_month_end_share: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="share of payments at month end for the flag",
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

    # WhatsApp Cloud API. Ids and secrets come from Meta's App Dashboard.
    whatsapp_phone_number_id: str | None = Field(
        default=None, description="id of the sending phone number"
    )
    whatsapp_business_account_id: str | None = Field(
        default=None, description="WhatsApp Business account (WABA) id"
    )
    whatsapp_access_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = Field(
        default=None, description="signs the webhook bodies (X-Hub-Signature-256)"
    )
    whatsapp_verify_token: SecretStr | None = Field(
        default=None, description="echoed by Meta in the webhook verification"
    )
    whatsapp_messaging_tier: str = Field(
        default="250",
        description="unique customers per rolling 24 h: " + ", ".join(WHATSAPP_TIERS),
    )
    whatsapp_messages_per_second: float = Field(
        default=80.0, gt=0, description="throughput of the sending number"
    )
    whatsapp_pair_interval_seconds: float = Field(
        default=6.0,
        ge=0,
        description="minimum seconds between two messages to one user",
    )
    whatsapp_graph_base_url: str = Field(
        default="https://graph.facebook.com", description="Graph API base URL"
    )
    whatsapp_api_version: str = Field(default="23.0", description="such as 23.0")
    whatsapp_timeout_seconds: float = Field(
        default=10.0, gt=0, description="seconds to wait for one Graph API call"
    )
    media_dir: str = Field(
        default="media", description="directory for files that customers send"
    )

    # Twilio, the second WhatsApp provider.
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = Field(
        default=None, description="sending number in E.164, such as +5491155550000"
    )
    twilio_base_url: str = Field(
        default="https://api.twilio.com", description="Twilio REST API base URL"
    )
    twilio_content_base_url: str = Field(
        default="https://content.twilio.com",
        description="Twilio Content API base URL, read for template approvals",
    )
    twilio_content_sids: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map "template_name:language" to Content SID (HX...)',
    )
    twilio_webhook_base_url: str | None = Field(
        default=None,
        description="public URL of this server as Twilio calls it, such as "
        "https://cobranza.example.com; signatures are checked against it",
    )
    twilio_messages_per_second: float = Field(
        default=80.0,
        gt=0,
        description="messages per second sent through the Twilio sender",
    )

    # Payments. Messages carry {public_base_url}/pagar/{token}.
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="public URL of this server, such as https://cobranza.example.com",
    )
    payment_provider: str = Field(
        default="sandbox",
        description="provider of new payment links: sandbox, mercadopago or stripe",
    )
    payment_link_days: int = Field(
        default=7, ge=1, description="days a Mercado Pago preference stays valid"
    )
    mercadopago_api_base_url: str = Field(
        default="https://api.mercadopago.com", description="Mercado Pago API base URL"
    )
    mercadopago_access_token: SecretStr | None = None
    mercadopago_webhook_secret: SecretStr | None = Field(
        default=None, description="signs the webhook requests (x-signature)"
    )
    mercadopago_timeout_seconds: float = Field(
        default=10.0, gt=0, description="seconds to wait for one Mercado Pago call"
    )
    stripe_api_base_url: str = Field(
        default="https://api.stripe.com", description="Stripe API base URL"
    )
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = Field(
        default=None, description="signs the webhook requests (Stripe-Signature)"
    )
    stripe_timeout_seconds: float = Field(
        default=10.0, gt=0, description="seconds to wait for one Stripe call"
    )
    webhook_tolerance_seconds: int = Field(
        default=300,
        ge=1,
        description="maximum age of a signed payment notification, in seconds",
    )
    sandbox_payment_secret: SecretStr = Field(
        default=SecretStr("sandbox-development-secret"),
        description="signs the sandbox pay page's notifications",
    )

    # Web dashboard and embedded scheduler (`cobranza serve`).
    cookie_secure: bool = Field(
        default=True,
        description="send the session cookie only over HTTPS; set false to sign "
        "in over plain http on a host other than localhost",
    )
    webhooks_allow_private: bool = Field(
        default=False,
        description="let outgoing webhooks reach loopback and private addresses, "
        "such as an n8n on this machine or LAN; link-local (169.254.0.0/16, "
        "fe80::/10) and cloud metadata addresses stay refused",
    )
    scheduler_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="seconds between two runs of the embedded scheduler",
    )

    @field_validator("whatsapp_messaging_tier")
    @classmethod
    def _known_tier(cls, value: str) -> str:
        tier = value.strip().lower().replace(",", "").replace("_", "")
        if tier not in WHATSAPP_TIERS:
            raise ValueError(
                f"nivel de mensajería de WhatsApp desconocido {value!r}: definí "
                "COBRANZA_WHATSAPP_MESSAGING_TIER con uno de estos valores: "
                + ", ".join(WHATSAPP_TIERS)
            )
        return tier

    @field_validator("payment_provider")
    @classmethod
    def _known_payment_provider(cls, value: str) -> str:
        provider = value.strip().lower()
        if provider not in PAYMENT_PROVIDERS:
            raise ValueError(
                f"proveedor de pagos desconocido {value!r}: definí "
                "COBRANZA_PAYMENT_PROVIDER con uno de estos valores: "
                + ", ".join(PAYMENT_PROVIDERS)
            )
        return provider

    # A field validator, not a model validator, so that every placeholder
    # is reported in one run together with the other invalid settings.
    # `environment` is declared before the secrets, so it is in `info.data`.
    @field_validator(*SECRET_SOURCES)
    @classmethod
    def _no_placeholder_secret(
        cls, secret: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        environment = info.data.get("environment", "development")
        if secret is None or environment == "development":
            return secret
        value = secret.get_secret_value().strip().lower()
        if value in PLACEHOLDER_SECRETS or set(value) == {"x"}:
            name = str(info.field_name)
            raise ValueError(
                f"COBRANZA_{name.upper()} tiene un valor de ejemplo en el "
                f"entorno {environment}: definilo con {SECRET_SOURCES[name]}"
            )
        return secret

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in SUPPORTED_COUNTRIES:
            raise ValueError(
                f"país no soportado {value!r}: definí COBRANZA_COUNTRY con uno de "
                "estos códigos: " + ", ".join(SUPPORTED_COUNTRIES)
            )
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str, info: ValidationInfo) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            example = _country_default(info, 0)
            raise ValueError(
                f"zona horaria desconocida {value!r}: definí COBRANZA_TIMEZONE con "
                f"un nombre IANA, como {example}"
            ) from exc
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str, info: ValidationInfo) -> str:
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha() or not is_currency(code):
            example = _country_default(info, 1)
            raise ValueError(
                f"moneda inválida {value!r}: definí COBRANZA_CURRENCY con un código "
                f"ISO 4217, como {example}"
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
                f"idioma desconocido {value!r}: definí COBRANZA_LOCALE con un código "
                "como es_AR o pt_BR"
            ) from exc
        return normalised

    @model_validator(mode="after")
    def _country_defaults(self) -> Settings:
        # Validators run on values that were given, so a default taken from
        # the country is already valid and skips them.
        timezone, currency, locale = COUNTRY_DEFAULTS[self.country]
        explicit = set(self.model_fields_set)
        if "timezone" not in explicit:
            self.timezone = timezone
        if "currency" not in explicit:
            self.currency = currency
        if "locale" not in explicit:
            self.locale = locale
        # Keep `model_fields_set` to the values the environment gave, which
        # `db.engine.default_business` compares with the stored business.
        self.__pydantic_fields_set__ = explicit
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
