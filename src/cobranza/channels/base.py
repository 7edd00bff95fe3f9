"""The interface every outbound channel implements (sandbox, WhatsApp, Twilio)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class OutgoingMessage:
    """One composed message, ready for a channel to deliver."""

    outbox_id: int
    business_id: int
    customer_id: int
    to_phone: str  # E.164, such as +5491155551234
    text: str
    template_name: str | None = None
    language_code: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendResult:
    """The provider's receipt for one accepted message."""

    provider_message_id: str
    sent_at: datetime


@dataclass(frozen=True)
class Deferral:
    """A channel's reason to hold a composed message until a later instant."""

    until: datetime
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)


class Channel(ABC):
    """A way to deliver outbox messages to customers.

    `send` raises a `cobranza.channels.errors.ChannelError` subclass when the
    provider rejects the message or cannot be reached. `lookup` lets the
    dispatcher settle rows left in `sending` by a crash: it returns the
    receipt when the provider has a message for that outbox row.
    """

    # The outbox `channel` value this channel serves.
    name: str

    # True when `lookup` returning None proves that the message was never
    # sent, so the row may be queued again. A channel that cannot search its
    # provider by our outbox id leaves this False, and the dispatcher then
    # flags such rows for a person instead of sending them a second time.
    proves_absence: bool = False

    @abstractmethod
    def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver `message` and return the provider's receipt."""

    @abstractmethod
    def lookup(self, outbox_id: int) -> SendResult | None:
        """Return the receipt of the message sent for `outbox_id`, if any."""

    def check_ready(
        self, session: Session, message: OutgoingMessage, now: datetime
    ) -> Deferral | None:
        """Return a deferral when the channel cannot send `message` yet.

        The dispatcher calls it in the claim transaction, after the gate and
        the composer. The default channel is always ready.
        """
        return None

    def check_ready_batch(
        self, session: Session, messages: Sequence[OutgoingMessage], now: datetime
    ) -> dict[int, Deferral]:
        """Return the deferrals of `check_ready` for many messages, by outbox id.

        A channel overrides it to read what it needs in a few queries.
        """
        deferrals = {}
        for message in messages:
            deferral = self.check_ready(session, message, now)
            if deferral is not None:
                deferrals[message.outbox_id] = deferral
        return deferrals

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release the channel's connections; the default channel holds none."""
