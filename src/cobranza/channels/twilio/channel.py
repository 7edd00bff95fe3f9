"""The Twilio WhatsApp channel: Content API templates outside the window.

Inside the customer's 24-hour window the composed text goes as `Body`.
Outside it, the template goes by its Content SID (set per template and
language in COBRANZA_TWILIO_CONTENT_SIDS) with `ContentVariables`, and only
once a sync has read WhatsApp's approval of that SID (see
`cobranza.channels.twilio.templates`). When Twilio returns error 63016
(window closed) for the text, the template is sent instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.base import Channel, Deferral, OutgoingMessage, SendResult
from cobranza.channels.errors import PermanentChannelError, TemplateNotApprovedError
from cobranza.channels.inbox import window_open
from cobranza.channels.twilio.client import TwilioClient, TwilioConfig
from cobranza.channels.twilio.errors import TwilioWindowClosedError
from cobranza.channels.twilio.sync import ContentSync
from cobranza.channels.twilio.templates import NO_CONTENT_SID, content_template
from cobranza.channels.whatsapp.limits import PairLimiter
from cobranza.compliance.reasons import Reason
from cobranza.db.engine import transaction
from cobranza.db.models import MessageStatusEvent
from cobranza.timeutil import utcnow

logger = logging.getLogger(__name__)

TWILIO = "twilio"
BODY_MAX = 1600
STATUS_PATH = "/webhooks/twilio/status"
TEMPLATE_RECHECK = timedelta(hours=6)


def content_variables(parameters: Mapping[str, str]) -> dict[str, str]:
    """Number the template's named parameters in body order: {"1": ..., "2": ...}.

    NOTE: this assumes the Content template was created with numbered
    variables in the composer's body order, as `docs/whatsapp.md` shows.
    """
    return {str(index): value for index, value in enumerate(parameters.values(), 1)}


class TwilioChannel(Channel):
    """Send outbox messages through Twilio's WhatsApp senders."""

    name = TWILIO
    proves_absence = False

    def __init__(
        self,
        engine: Engine,
        config: TwilioConfig,
        *,
        client: TwilioClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        pair_interval_seconds: float = 6.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self.config = config
        self.client = client or TwilioClient(config)
        self._clock = clock
        self.pair = PairLimiter(pair_interval_seconds, clock=monotonic)
        # Kept with the channel, so a scheduler that keeps its dispatcher
        # syncs once per interval and a new `cobranza run` syncs at once.
        self.template_sync = ContentSync(
            engine, self.client, config.content_sids or {}, monotonic=monotonic
        )

    def close(self) -> None:
        """Close the Twilio client's connections."""
        self.client.close()

    def content_sid(self, message: OutgoingMessage) -> str | None:
        key = f"{message.template_name}:{message.language_code}"
        return (self.config.content_sids or {}).get(key)

    def check_ready(
        self, session: Session, message: OutgoingMessage, now: datetime
    ) -> Deferral | None:
        if window_open(session, message.business_id, message.customer_id, now):
            return None
        status = self.template_status(session, message)
        if status is None:
            return None
        return Deferral(
            until=now + TEMPLATE_RECHECK,
            reason=Reason.TEMPLATE_NOT_APPROVED,
            details={
                "template_name": message.template_name,
                "language_code": message.language_code,
                "template_status": status,
            },
        )

    def template_status(self, session: Session, message: OutgoingMessage) -> str | None:
        """Return why the message's Content template cannot be sent, or None.

        The gate has deferred the rows whose stored status is not approved.
        This also catches a template without a Content SID, and a SID changed
        in the settings since the last sync.
        """
        content_sid = self.content_sid(message)
        if content_sid is None or not message.template_name:
            return NO_CONTENT_SID
        template = content_template(
            session,
            message.business_id,
            message.template_name,
            str(message.language_code),
            content_sid,
        )
        return None if template.approved else template.status

    def send(self, message: OutgoingMessage) -> SendResult:
        earlier = self.lookup(message.outbox_id)
        if earlier is not None:
            return earlier
        self.pair.check(message.to_phone)
        now = self._clock()
        with transaction(self._engine) as session:
            in_window = window_open(
                session, message.business_id, message.customer_id, now
            )
            template_status = self.template_status(session, message)
        callback = self._status_callback(message.outbox_id)

        response = None
        if in_window and len(message.text) <= BODY_MAX:
            try:
                response = self.client.create_message(
                    message.to_phone, body=message.text, status_callback=callback
                )
            except TwilioWindowClosedError:
                logger.info(
                    "outbox row %s: the window closed, sending the template",
                    message.outbox_id,
                )
        if response is None:
            content_sid = self.content_sid(message)
            if content_sid is None:
                raise PermanentChannelError(
                    f"no Content SID for template {message.template_name} "
                    f"({message.language_code}): add it to "
                    "COBRANZA_TWILIO_CONTENT_SIDS",
                    code=Reason.TEMPLATE_NOT_APPROVED.value,
                )
            if template_status is not None:
                # Twilio found the window closed although the stored messages
                # showed it open, so the row waits for the approval instead of
                # failing.
                raise TemplateNotApprovedError(
                    f"Content {content_sid} of template {message.template_name} "
                    f"({message.language_code}) is {template_status} for "
                    "WhatsApp: run cobranza twilio templates sync after the "
                    "approval",
                )
            response = self.client.create_message(
                message.to_phone,
                content_sid=content_sid,
                content_variables=content_variables(message.parameters),
                status_callback=callback,
            )
        self.pair.record(message.to_phone)
        return SendResult(provider_message_id=str(response["sid"]), sent_at=now)

    def lookup(self, outbox_id: int) -> SendResult | None:
        with transaction(self._engine) as session:
            status = session.scalars(
                select(MessageStatusEvent)
                .where(
                    MessageStatusEvent.provider == TWILIO,
                    MessageStatusEvent.outbox_id == outbox_id,
                )
                .order_by(MessageStatusEvent.at)
                .limit(1)
            ).first()
            if status is None:
                return None
            return SendResult(status.provider_message_id, status.at)

    def _status_callback(self, outbox_id: int) -> str | None:
        if not self.config.webhook_base_url:
            return None
        base = self.config.webhook_base_url.rstrip("/")
        return f"{base}{STATUS_PATH}?{urlencode({'outbox_id': outbox_id})}"
