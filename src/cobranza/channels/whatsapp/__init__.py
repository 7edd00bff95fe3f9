"""The WhatsApp Cloud API channel: templates, sending limits and webhooks."""

from cobranza.channels.whatsapp.channel import WHATSAPP, WhatsAppChannel
from cobranza.channels.whatsapp.config import (
    WhatsAppConfig,
    WhatsAppConfigError,
    require_webhook_settings,
)
from cobranza.channels.whatsapp.graph import GraphClient

__all__ = [
    "WHATSAPP",
    "GraphClient",
    "WhatsAppChannel",
    "WhatsAppConfig",
    "WhatsAppConfigError",
    "require_webhook_settings",
]
