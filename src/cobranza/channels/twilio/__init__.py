"""Twilio as a second WhatsApp provider: Content API templates and webhooks."""

from cobranza.channels.twilio.channel import TWILIO, TwilioChannel
from cobranza.channels.twilio.client import (
    TwilioClient,
    TwilioConfig,
    TwilioConfigError,
)
from cobranza.channels.twilio.signature import compute_signature, verify_signature

__all__ = [
    "TWILIO",
    "TwilioChannel",
    "TwilioClient",
    "TwilioConfig",
    "TwilioConfigError",
    "compute_signature",
    "verify_signature",
]
