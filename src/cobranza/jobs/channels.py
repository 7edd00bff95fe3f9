"""The channel a business sends through, and the dispatcher for it.

The business's channel lives in `Business.settings["channel"]` (default
`sandbox`). The planner stamps it on every outbox row it writes, and the
dispatcher built here sends through that same channel, so a business on
WhatsApp never has its reminders routed to the sandbox or the other way
round.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from cobranza.channels.dispatcher import Dispatcher, LinkBuilder
from cobranza.channels.ratelimit import TokenBucket
from cobranza.compliance.reasons import Reason
from cobranza.config import Settings
from cobranza.db.engine import lock_settings
from cobranza.db.models import AuditEvent, Business, OutboxMessage, OutboxState
from cobranza.jobs.cycle import sandbox_dispatcher
from cobranza.timeutil import utcnow

SANDBOX = "sandbox"
WHATSAPP = "whatsapp"
TWILIO = "twilio"
CHANNELS = (SANDBOX, WHATSAPP, TWILIO)


class ChannelSetupError(ValueError):
    """A channel was chosen that is unknown or whose settings are missing."""


def business_channel(business_settings: dict[str, Any] | None) -> str:
    """Return the channel a business sends through (`sandbox` by default)."""
    return str((business_settings or {}).get("channel") or SANDBOX)


def check_channel_ready(settings: Settings, channel: str) -> None:
    """Raise `ChannelSetupError` unless `channel` can send with these settings."""
    if channel not in CHANNELS:
        raise ChannelSetupError(
            f"canal desconocido {channel!r}: elegí uno de estos: {', '.join(CHANNELS)}"
        )
    if channel == WHATSAPP:
        from cobranza.channels.whatsapp.config import (
            WhatsAppConfig,
            WhatsAppConfigError,
        )

        try:
            WhatsAppConfig.from_settings(settings)
        except WhatsAppConfigError as exc:
            raise ChannelSetupError(str(exc)) from exc
    if channel == TWILIO:
        from cobranza.channels.twilio.client import TwilioConfig, TwilioConfigError

        try:
            TwilioConfig.from_settings(settings)
        except TwilioConfigError as exc:
            raise ChannelSetupError(str(exc)) from exc


def use_channel(
    session: Session,
    business: Business,
    channel: str,
    settings: Settings,
    now: datetime,
) -> int:
    """Switch the business to `channel`; return how many queued rows moved.

    Messages still queued for the old channel move to the new one, so none
    is left behind for a channel that no process dispatches any more. The
    messages deferred for their template are due at once, because the new
    channel checks templates by its own rules.
    """
    check_channel_ready(settings, channel)
    lock_settings(session, business)
    previous = business_channel(business.settings)
    business.settings = {**(business.settings or {}), "channel": channel}

    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.business_id == business.id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.channel != channel,
        )
        .values(channel=channel)
    )
    moved = int(getattr(result, "rowcount", 0) or 0)
    released = 0
    if previous != channel:
        released = _release_template_waits(session, business.id, now)
    session.add(
        AuditEvent(
            business_id=business.id,
            at=now,
            actor="owner",
            kind="channel.changed",
            subject_type="business",
            subject_id=business.id,
            reason=f"messages now go out through {channel}",
            details={
                "from": previous,
                "to": channel,
                "queued_moved": moved,
                "template_waits_released": released,
            },
        )
    )
    return moved


def _release_template_waits(session: Session, business_id: int, now: datetime) -> int:
    """Make the business's messages deferred for their template due at `now`."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.deferred_reason == Reason.TEMPLATE_NOT_APPROVED,
            OutboxMessage.planned_for > now,
        )
        .values(planned_for=now, deferred_reason=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def build_dispatcher(
    engine: Any,
    settings: Settings,
    channel: str,
    now: datetime,
    *,
    link_builder: LinkBuilder | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Dispatcher:
    """Build the dispatcher that sends through `channel`.

    The sandbox stamps every message with `now`, so simulated days read as
    such; the real channels take the time from `clock`.
    """
    check_channel_ready(settings, channel)
    if channel == WHATSAPP:
        from cobranza.channels.whatsapp.config import WhatsAppConfig
        from cobranza.channels.whatsapp.dispatch import whatsapp_dispatcher

        return whatsapp_dispatcher(
            engine,
            WhatsAppConfig.from_settings(settings),
            clock=clock,
            link_builder=link_builder,
        )
    if channel == TWILIO:
        from cobranza.channels.twilio.channel import TwilioChannel
        from cobranza.channels.twilio.client import TwilioConfig

        twilio = TwilioChannel(
            engine, TwilioConfig.from_settings(settings), clock=clock
        )
        return Dispatcher(
            engine,
            {twilio.name: twilio},
            rate_limits={twilio.name: TokenBucket(settings.twilio_messages_per_second)},
            link_builder=link_builder,
        )
    return sandbox_dispatcher(engine, now, link_builder=link_builder)
