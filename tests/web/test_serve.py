"""The scheduler that `cobranza serve` runs beside the app."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine, select

from cobranza.channels.inbox import MAX_EVENT_ATTEMPTS
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import WebhookEvent
from cobranza.payments.inbox import store_event
from cobranza.payments.sandbox.provider import EVENT_PROVIDER
from cobranza.web.serve import build_scheduler

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def test_scheduler_retries_payment_notifications_a_few_times(engine: Engine) -> None:
    # Given a stored sandbox payment notification that cannot be processed
    settings = Settings(_env_file=None, environment="test")  # type: ignore[call-arg]
    with transaction(engine) as session:
        store_event(session, EVENT_PROVIDER, "broken-1", b"not json", {}, NOW)

    # When the scheduler runs more times than the retry limit
    with httpx.Client() as client:
        scheduler = build_scheduler(engine, settings, client)
        names = [name for name, _ in scheduler.extra_tasks]
        for _ in range(MAX_EVENT_ATTEMPTS + 2):
            scheduler.run_once(NOW)

    # Then the notification was tried, with its error kept, up to the limit
    assert "payment_notifications" in names
    with transaction(engine) as session:
        event = session.scalars(select(WebhookEvent)).one()
    assert event.processed_at is None
    assert event.attempts == MAX_EVENT_ATTEMPTS
    assert event.error
