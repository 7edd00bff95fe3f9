"""The WhatsApp Cloud API settings one process works with, checked once."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from cobranza.config import Settings

UNLIMITED = None

_TIER_LIMITS: dict[str, int | None] = {
    "250": 250,
    "2000": 2_000,
    "10000": 10_000,
    "100000": 100_000,
    "unlimited": UNLIMITED,
}


class WhatsAppConfigError(ValueError):
    """A WhatsApp setting that a command or the webhook needs is missing."""


@dataclass(frozen=True)
class WhatsAppConfig:
    """What the Graph client, the channel and the webhook read from `Settings`."""

    phone_number_id: str
    business_account_id: str
    access_token: str
    base_url: str = "https://graph.facebook.com"
    api_version: str = "23.0"
    timeout_seconds: float = 10.0
    messages_per_second: float = 80.0
    pair_interval_seconds: float = 6.0
    # Unique customers per rolling 24 hours; None means unlimited.
    tier_limit: int | None = 250

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppConfig:
        """Build the config, raising `WhatsAppConfigError` for a missing setting."""
        missing = [
            f"COBRANZA_{name.upper()}"
            for name in (
                "whatsapp_phone_number_id",
                "whatsapp_business_account_id",
                "whatsapp_access_token",
            )
            if not getattr(settings, name)
        ]
        if missing:
            raise WhatsAppConfigError(
                "WhatsApp no está configurado: definí "
                + ", ".join(missing)
                + " (los identificadores están en el App Dashboard de Meta → "
                "WhatsApp → Configuración de la API)"
            )
        assert settings.whatsapp_phone_number_id is not None
        assert settings.whatsapp_business_account_id is not None
        assert settings.whatsapp_access_token is not None
        return cls(
            phone_number_id=settings.whatsapp_phone_number_id,
            business_account_id=settings.whatsapp_business_account_id,
            access_token=settings.whatsapp_access_token.get_secret_value(),
            base_url=settings.whatsapp_graph_base_url.rstrip("/"),
            api_version=settings.whatsapp_api_version.lstrip("v"),
            timeout_seconds=settings.whatsapp_timeout_seconds,
            messages_per_second=settings.whatsapp_messages_per_second,
            pair_interval_seconds=settings.whatsapp_pair_interval_seconds,
            tier_limit=_TIER_LIMITS[settings.whatsapp_messaging_tier],
        )


def require_webhook_settings(settings: Settings) -> tuple[str, str]:
    """Return the app secret and verify token the webhook needs, or raise.

    `cobranza serve` calls this before it mounts the WhatsApp webhook, so a
    server never accepts unsigned events. Raises `WhatsAppConfigError`
    naming every missing variable and where to find its value.
    """
    secret = _secret_value(settings.whatsapp_app_secret)
    token = _secret_value(settings.whatsapp_verify_token)
    problems = []
    if not secret:
        problems.append(
            "definí COBRANZA_WHATSAPP_APP_SECRET con la clave secreta de la app "
            "(App Dashboard de Meta → Configuración de la app → Básica): sin ella "
            "no se puede verificar la firma de los avisos"
        )
    if not token:
        problems.append(
            "definí COBRANZA_WHATSAPP_VERIFY_TOKEN con una frase al azar y escribí "
            "la misma frase como token de verificación en el App Dashboard de Meta "
            "→ WhatsApp → Configuración → Webhook"
        )
    if problems:
        raise WhatsAppConfigError("; ".join(problems))
    return secret, token


def _secret_value(secret: SecretStr | None) -> str:
    """Return the secret's text, or "" when it is unset or blank."""
    if secret is None or not secret.get_secret_value().strip():
        return ""
    return secret.get_secret_value()
