"""The sandbox channel: "delivers" messages into the local `sandbox_message` table.

It replaces a WhatsApp provider so that the demo and the tests run the
real dispatcher path without a network. Because the store is ours, a lookup
that finds nothing proves the message was never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from cobranza.channels.base import Channel, OutgoingMessage, SendResult
from cobranza.channels.errors import DuplicateSendError, InvalidRecipientError
from cobranza.db.engine import transaction
from cobranza.db.models import SandboxMessage

logger = logging.getLogger(__name__)

SANDBOX = "sandbox"


def sandbox_message_id(outbox_id: int) -> str:
    """Return the provider message id the sandbox gives an outbox row."""
    return f"sandbox-{outbox_id}"


class SandboxChannel(Channel):
    """Store each sent message in `sandbox_message`, one per outbox row."""

    name = SANDBOX
    proves_absence = True

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        # `clock` gives the send instant, so simulated days stamp their own time.
        self._engine = engine
        self._clock = clock

    def send(self, message: OutgoingMessage) -> SendResult:
        if not message.to_phone.startswith("+"):
            raise InvalidRecipientError(
                f"recipient of outbox row {message.outbox_id} is not an E.164 "
                "number: fix the customer's phone and import it again"
            )
        sent_at = self._clock()
        provider_message_id = sandbox_message_id(message.outbox_id)

        try:
            with transaction(self._engine) as session:
                session.add(
                    SandboxMessage(
                        business_id=message.business_id,
                        outbox_id=message.outbox_id,
                        to_phone=message.to_phone,
                        text=message.text,
                        buttons=list(message.buttons),
                        provider_message_id=provider_message_id,
                        sent_at=sent_at,
                    )
                )
        except IntegrityError as exc:
            # Any other integrity failure (an unknown outbox row) is a bug.
            if self.lookup(message.outbox_id) is None:
                raise
            raise DuplicateSendError(
                f"the sandbox already stored a message for outbox row "
                f"{message.outbox_id}: the row was sent before, so it is not "
                "sent again"
            ) from exc

        logger.debug("sandbox stored outbox row %s", message.outbox_id)
        return SendResult(provider_message_id=provider_message_id, sent_at=sent_at)

    def lookup(self, outbox_id: int) -> SendResult | None:
        with transaction(self._engine) as session:
            stored = session.scalars(
                select(SandboxMessage).where(SandboxMessage.outbox_id == outbox_id)
            ).first()
        if stored is None:
            return None
        return SendResult(
            provider_message_id=stored.provider_message_id, sent_at=stored.sent_at
        )
