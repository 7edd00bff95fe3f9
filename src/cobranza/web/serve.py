"""`cobranza serve` and `cobranza worker`.

By default one process serves the web app and runs the scheduler and the
webhook event worker beside it. For high webhook volume the work splits in
two: `cobranza serve --no-process-events --no-scheduler` only verifies and
stores webhook events, and `cobranza worker` processes them and runs the
scheduler, each on its own interpreter.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

import httpx
import uvicorn
from sqlalchemy import Engine

from cobranza.channels.inbox import EventWorker
from cobranza.config import Settings
from cobranza.jobs.scheduler import Scheduler, Task
from cobranza.payments.inbox import process_pending
from cobranza.payments.providers import build_services
from cobranza.web.app import create_app
from cobranza.web.egress import EgressPolicy, webhook_client
from cobranza.web.outgoing import webhook_task

logger = logging.getLogger(__name__)


def check_serve_settings(settings: Settings) -> None:
    """Raise WhatsAppConfigError when WhatsApp is set up without webhook
    secrets, or without a setting the channel for the inbox's replies needs.

    With WhatsApp configured, the server would otherwise accept webhook
    bodies it cannot verify, or stop with a traceback when it builds that
    channel.
    """
    if settings.whatsapp_phone_number_id or settings.whatsapp_access_token:
        from cobranza.channels.whatsapp.config import (
            WhatsAppConfig,
            require_webhook_settings,
        )

        require_webhook_settings(settings)
        if settings.whatsapp_phone_number_id and settings.whatsapp_access_token:
            WhatsAppConfig.from_settings(settings)


def build_scheduler(
    engine: Engine, settings: Settings, client: httpx.Client
) -> Scheduler:
    """Return the scheduler with outgoing webhooks and payment retries wired in.

    `client` posts the webhooks: in production a `webhook_client`, which
    keeps them off loopback, private and metadata addresses.
    """
    tasks: list[tuple[str, Task]] = [
        ("outgoing_webhooks", webhook_task(engine, client))
    ]
    handlers = build_services(settings).handlers
    if handlers:

        def retry_payment_notifications(now: datetime) -> int:
            return process_pending(engine, handlers, now)

        tasks.append(("payment_notifications", retry_payment_notifications))
    return Scheduler(engine, settings, extra_tasks=tasks)


def _log_at_info() -> None:
    # A long-running process reports its runs at INFO; libraries stay at the
    # CLI's WARNING. basicConfig is a no-op when the CLI set it up.
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("cobranza").setLevel(logging.INFO)


def serve(
    settings: Settings,
    engine: Engine,
    host: str,
    port: int,
    scheduler: bool = True,
    process_events: bool = True,
) -> None:
    """Run the app with uvicorn until interrupted, with the scheduler beside it."""
    check_serve_settings(settings)
    _log_at_info()
    app = create_app(settings, engine, process_events=process_events)
    with webhook_client(EgressPolicy(settings.webhooks_allow_private)) as client:
        runner = build_scheduler(engine, settings, client) if scheduler else None
        if runner is not None:
            runner.start()
        try:
            uvicorn.run(app, host=host, port=port, log_level="info")
        finally:
            if runner is not None:
                runner.stop()


def run_worker(
    settings: Settings,
    engine: Engine,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Process stored webhook events and run the scheduler until `stop` is set.

    Events are found by polling every `poll_seconds`, since the web process
    that stored them cannot wake this one. Without `stop`, SIGINT and
    SIGTERM end the loop.
    """
    _log_at_info()
    done = stop or threading.Event()
    if stop is None:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: done.set())
    events = EventWorker(engine, settings, interval=poll_seconds)
    with webhook_client(EgressPolicy(settings.webhooks_allow_private)) as client:
        runner = build_scheduler(engine, settings, client)
        events.start()
        runner.start()
        logger.info("worker started: events every %.1f seconds", poll_seconds)
        try:
            done.wait()
        finally:
            runner.stop()
            events.stop()
            logger.info("worker stopped")
