"""Build a dispatcher that sends through the WhatsApp Cloud API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy import Engine

from cobranza.channels.dispatcher import Dispatcher, DispatchLimits, LinkBuilder
from cobranza.channels.ratelimit import SlidingWindowLimiter
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

    No rolling second contains more than `config.messages_per_second` sends,
    counted from each send's start to Meta's response, and a slow send is
    made up by the next ones. `link_builder` puts a payment link in
    reminders, as for the sandbox.
    """
    channel = WhatsAppChannel(
        engine, config, client=GraphClient(config, transport=transport), clock=clock
    )
    limiter = SlidingWindowLimiter.per_second(config.messages_per_second)
    return Dispatcher(
        engine,
        {channel.name: channel},
        rate_limits={channel.name: limiter},
        limits=limits,
        link_builder=link_builder,
    )
