"""`cobranza serve`: the web app and the embedded scheduler in one process."""

from __future__ import annotations

import logging
from datetime import datetime

import httpx
import uvicorn
from sqlalchemy import Engine

from cobranza.config import Settings
from cobranza.jobs.scheduler import Scheduler, Task
from cobranza.payments.inbox import process_pending
from cobranza.payments.providers import build_services
from cobranza.web.app import create_app
from cobranza.web.outgoing import webhook_task

logger = logging.getLogger(__name__)


def check_serve_settings(settings: Settings) -> None:
    """Raise WhatsAppConfigError when WhatsApp is set up without webhook secrets.

    With WhatsApp configured, the server would otherwise accept webhook
    bodies it cannot verify.
    """
    if settings.whatsapp_phone_number_id or settings.whatsapp_access_token:
        from cobranza.channels.whatsapp.config import require_webhook_settings

        require_webhook_settings(settings)


def build_scheduler(
    engine: Engine, settings: Settings, client: httpx.Client
) -> Scheduler:
    """Return the scheduler with outgoing webhooks and payment retries wired in."""
    tasks: list[tuple[str, Task]] = [
        ("outgoing_webhooks", webhook_task(engine, client))
    ]
    handlers = build_services(settings).handlers
    if handlers:

        def retry_payment_notifications(now: datetime) -> int:
            return process_pending(engine, handlers, now)

        tasks.append(("payment_notifications", retry_payment_notifications))
    return Scheduler(engine, settings, extra_tasks=tasks)


def serve(
    settings: Settings, engine: Engine, host: str, port: int, scheduler: bool = True
) -> None:
    """Run the app with uvicorn until interrupted, with the scheduler beside it."""
    check_serve_settings(settings)
    # A long-running server reports its scheduler runs at INFO; libraries
    # stay at the CLI's WARNING. basicConfig is a no-op when the CLI set it up.
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("cobranza").setLevel(logging.INFO)
    app = create_app(settings, engine)
    with httpx.Client(timeout=10.0) as client:
        runner = build_scheduler(engine, settings, client) if scheduler else None
        if runner is not None:
            runner.start()
        try:
            uvicorn.run(app, host=host, port=port, log_level="info")
        finally:
            if runner is not None:
                runner.stop()
