"""The sandbox channel: a local stand-in for WhatsApp used by the demo and tests."""

from cobranza.channels.sandbox.channel import SANDBOX, SandboxChannel
from cobranza.channels.sandbox.store import (
    RecordedReply,
    SentMessage,
    prepare_reply,
    record_reply,
    sent_messages,
)

__all__ = [
    "SANDBOX",
    "RecordedReply",
    "SandboxChannel",
    "SentMessage",
    "prepare_reply",
    "record_reply",
    "sent_messages",
]
