"""The Twilio template sync around a cycle's dispatch.

A failed sync never stops the dispatch: the other rows of the cycle, and
every other business and channel, go out as they would without it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.twilio import TWILIO, TwilioChannel
from cobranza.channels.twilio.sync import ContentSyncReport
from cobranza.channels.twilio.templates import HeldTemplate

logger = logging.getLogger(__name__)


def sync_before_dispatch(
    dispatcher: Dispatcher, business_id: int, now: datetime
) -> ContentSyncReport | None:
    """Read the Twilio approvals that the business's reminders need, when due.

    Returns None when the dispatcher has no Twilio channel or no sync ran.
    """
    channel = dispatcher.channels.get(TWILIO)
    if not isinstance(channel, TwilioChannel):
        return None
    try:
        return channel.template_sync.run_if_due(business_id, now)
    except Exception as exc:  # noqa: BLE001 - logged; the dispatch goes on
        logger.exception(
            "Twilio template sync of business %s failed: %s; the dispatch goes "
            "on with the stored statuses",
            business_id,
            type(exc).__name__,
        )
        return ContentSyncReport(requested=0, aborted=True)


def held_after_dispatch(dispatcher: Dispatcher, business_id: int) -> list[HeldTemplate]:
    """List the templates that the business's held Twilio reminders wait for."""
    channel = dispatcher.channels.get(TWILIO)
    if not isinstance(channel, TwilioChannel):
        return []
    try:
        return channel.template_sync.held_templates(business_id)
    except Exception as exc:  # noqa: BLE001 - logged; the cycle's report stays
        logger.exception(
            "held Twilio templates of business %s could not be read: %s",
            business_id,
            type(exc).__name__,
        )
        return []
