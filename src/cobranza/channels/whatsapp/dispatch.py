"""Build a dispatcher that sends through the WhatsApp Cloud API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy import Engine

from cobranza.channels.dispatcher import Dispatcher, DispatchLimits, LinkBuilder
from cobranza.channels.ratelimit import TokenBucket
from cobranza.channels.whatsapp.channel import WhatsAppChannel
from cobranza.channels.whatsapp.config import WhatsAppConfig
from cobranza.channels.whatsapp.graph import GraphClient
from cobranza.timeutil import utcnow


def whatsapp_dispatcher(
    engine: Engine,
    config: WhatsAppConfig,
    *,
    clock: Callable[[], datetime] = utcnow,
    limits: DispatchLimits | None = None,
    transport: httpx.BaseTransport | None = None,
    link_builder: LinkBuilder | None = None,
) -> Dispatcher:
    """Return a dispatcher paced at the number's throughput.

    The token bucket has a burst of one, so sends are spaced evenly and no
    rolling second contains more than `config.messages_per_second` of them.
    `link_builder` puts a payment link in reminders, as for the sandbox.
    """
    channel = WhatsAppChannel(
        engine, config, client=GraphClient(config, transport=transport), clock=clock
    )
    bucket = TokenBucket(config.messages_per_second, burst=1)
    return Dispatcher(
        engine,
        {channel.name: channel},
        rate_limits={channel.name: bucket},
        limits=limits,
        link_builder=link_builder,
    )
