"""Outbound channels (sandbox now, WhatsApp and Twilio later) and the dispatcher."""

from cobranza.channels.base import Channel, OutgoingMessage, SendResult

__all__ = ["Channel", "OutgoingMessage", "SendResult"]
