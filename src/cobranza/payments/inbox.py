"""The payment notification inbox: store verified bodies first, process them after.

Notifications share the `webhook_event` table with the WhatsApp channel,
under provider names of their own. `store_event` inserts with ON CONFLICT
DO NOTHING on (provider, event_key), so a notification delivered twice is
stored once. `process_event` runs the provider's handler and sets
`processed_at` in the same transaction. A handler error is recorded on the
row (`attempts`, `error`) and the row stays pending, so
`process_pending` tries it again later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobranza.channels.inbox import MAX_EVENT_ATTEMPTS
from cobranza.db.engine import transaction
from cobranza.db.models import WebhookEvent
from cobranza.payments.errors import PaymentError

logger = logging.getLogger(__name__)

_EVENTS: Table = WebhookEvent.__table__  # type: ignore[assignment]

# Headers kept with a stored body: enough to explain it, never a credential.
KEPT_HEADERS = ("content-type", "user-agent", "x-request-id", "x-signature")


class NotificationHandler(Protocol):
    """Processes one stored notification of one provider."""

    provider: str

    def process(self, session: Session, event: WebhookEvent, now: datetime) -> str:
        """Apply the stored notification; return a short outcome for the log."""
        ...


def store_event(
    session: Session,
    provider: str,
    event_key: str,
    raw_body: bytes,
    headers: Mapping[str, str],
    now: datetime,
) -> int | None:
    """Store a verified notification; return its id, or None for a duplicate."""
    stored_headers = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_EVENTS)
        .values(
            provider=provider,
            event_key=event_key,
            raw_body=raw_body,
            headers=stored_headers,
            received_at=now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_key"])
        .returning(_EVENTS.c.id)
    )
    return session.execute(statement).scalar()


def pending_event_id(session: Session, provider: str, event_key: str) -> int | None:
    """Return the id of the stored event with this key if it is still pending."""
    return session.scalar(
        select(WebhookEvent.id).where(
            WebhookEvent.provider == provider,
            WebhookEvent.event_key == event_key,
            WebhookEvent.processed_at.is_(None),
        )
    )


def process_event(
    engine: Engine, handler: NotificationHandler, event_id: int, now: datetime
) -> str | None:
    """Process one stored notification unless it is done or being processed.

    Returns the handler's outcome, or None when there was nothing to do or
    the handler failed (the failure is recorded on the row).
    """
    try:
        with transaction(engine) as session:
            event = _claim(session, event_id)
            if event is None:
                return None
            outcome = handler.process(session, event, now)
            event.processed_at = now
            event.attempts += 1
            event.error = None
    except PaymentError as exc:
        _record_failure(engine, event_id, f"{exc.code}: {exc}")
        logger.warning(
            "%s notification %s failed (%s); it stays pending for a retry",
            handler.provider,
            event_id,
            exc.code,
        )
        return None
    except SQLAlchemyError as exc:
        # A lost race on a unique index (a case opened meanwhile) or a
        # dropped connection: the next attempt reads the new state.
        _record_failure(engine, event_id, f"database: {type(exc).__name__}")
        logger.warning(
            "%s notification %s failed on the database (%s); it stays pending",
            handler.provider,
            event_id,
            type(exc).__name__,
        )
        return None
    logger.info("%s notification %s: %s", handler.provider, event_id, outcome)
    return outcome


def process_pending(
    engine: Engine,
    handlers: Mapping[str, NotificationHandler],
    now: datetime,
    limit: int = 100,
) -> int:
    """Process up to `limit` stored notifications that are still pending.

    Returns how many were processed. Meant for a periodic job that catches
    notifications whose first processing failed or never ran.
    """
    with transaction(engine) as session:
        pending = session.execute(
            select(WebhookEvent.id, WebhookEvent.provider)
            .where(
                WebhookEvent.processed_at.is_(None),
                WebhookEvent.provider.in_(list(handlers)),
                # A notification that keeps failing stops being retried here;
                # the provider's own redelivery still reaches it.
                WebhookEvent.attempts < MAX_EVENT_ATTEMPTS,
            )
            .order_by(WebhookEvent.received_at, WebhookEvent.id)
            .limit(limit)
        ).all()
    processed = 0
    for event_id, provider in pending:
        if process_event(engine, handlers[provider], event_id, now) is not None:
            processed += 1
    return processed


def _claim(session: Session, event_id: int) -> WebhookEvent | None:
    statement = select(WebhookEvent).where(
        WebhookEvent.id == event_id, WebhookEvent.processed_at.is_(None)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A second worker waits for the first, then finds the row processed.
        # Waiting, not skipping, matters because the channels' event worker
        # also locks pending rows of every provider for a moment, and a
        # skipped notification would wait for `process_pending`.
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def _record_failure(engine: Engine, event_id: int, error: str) -> None:
    with transaction(engine) as session:
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .values(attempts=WebhookEvent.attempts + 1, error=error[:2000])
        )
