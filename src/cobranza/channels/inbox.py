"""The webhook inbox: raw events stored first, then processed, for every provider.

A webhook route verifies the signature, calls `store_event` (insert-or-ignore
on the provider's event key, so a redelivery is a no-op) and returns 200.
`process_pending_events` then hands each unprocessed event to its provider's
processor in a transaction of its own. It runs after each stored event, at
startup and periodically, so an event stored by a process that died before
processing it is processed by the next one.

Processors record what happened through the helpers here: `apply_status`
(deduplicated on message id and status, forward-only) and `record_inbound`
(deduplicated on the provider's message id), which calls `on_inbound`.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.channels.dispatcher import UNKNOWN_DELIVERY_STATE
from cobranza.channels.media import (
    PREPARED_MEDIA,
    MediaRequest,
    PreparedMedia,
    download_media,
    download_pending_media,
)
from cobranza.channels.media_owner import register_database
from cobranza.channels.media_store import sweep_orphans
from cobranza.config import Settings, get_settings
from cobranza.db.engine import background_write, transaction, urgent_write
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    InboundMessage,
    MessageStatusEvent,
    OutboxMessage,
    OutboxState,
    WebhookEvent,
)
from cobranza.dunning import outbox
from cobranza.dunning.template_approval import SERVICE_WINDOW
from cobranza.phones import match_wa_id, wa_id_variants
from cobranza.timeutil import utcnow

logger = logging.getLogger(__name__)

# An event that failed this often stays stored with its error for a person.
MAX_EVENT_ATTEMPTS = 5
PROCESS_BATCH = 200
# Events processed in one transaction. A delivery status takes about 0.6 ms
# of CPU (bench/bench_whatsapp_webhooks.py on a 2-core machine), and on
# SQLite webhook ingest waits for the whole transaction, so a batch stays
# short: about 12 ms.
TRANSACTION_BATCH = 20
# When webhook requests are waiting as a transaction of the event worker
# ends, the worker pauses this many times as long as the transaction took,
# so during a burst it processes at most a quarter of the time.
INGEST_PAUSE_RATIO = 3.0
# Minimum seconds between two runs of `download_pending_media` by the event
# worker. It downloads the files that the pass before their transaction did
# not download, and retries failed downloads once their wait has passed.
MEDIA_RETRY_SECONDS = 60.0
# Minimum seconds between two runs of `sweep_orphans` by the event worker.
MEDIA_SWEEP_SECONDS = 3600.0

Processor = Callable[[Session, WebhookEvent, datetime, Settings], None]
# Builds, without storing anything, the inbound messages of a stored event.
Reader = Callable[[Session, WebhookEvent, datetime, Settings], list[InboundMessage]]
# Lists, without storing anything, the files that a stored event's messages carry.
MediaReader = Callable[[WebhookEvent, Settings], list[MediaRequest]]

# Delivery statuses in the order they may follow each other.
_STATUS_RANK = {
    OutboxState.QUEUED: 0,
    OutboxState.SENDING: 0,
    OutboxState.SENT: 1,
    OutboxState.DELIVERED: 2,
    OutboxState.READ: 3,
}
# Statuses that show the message reached the customer's phone. Either one
# beats a `failed` reported for the same message, in whichever order they
# arrive, because Meta sends statuses unordered.
_REACHED_PHONE = frozenset({OutboxState.DELIVERED, OutboxState.READ})
# The audit reason of a failure that a later status overrode.
FAILURE_OVERRIDDEN = "failure_overridden"


@dataclass(frozen=True)
class StatusUpdate:
    """One delivery status as a provider reported it, in our words."""

    provider_message_id: str
    status: str  # an OutboxState value, or the provider's own for others
    at: datetime
    outbox_id: int | None = None
    pricing: dict[str, Any] | None = None
    error_code: str | None = None
    error_detail: str | None = None


@functools.cache
def _insert_or_ignore_statement(dialect: str, model: Any, keys: tuple[str, ...]) -> Any:
    """Build INSERT ... ON CONFLICT (keys) DO NOTHING RETURNING id, once per model.

    The values come as execution parameters, so SQLAlchemy reuses the
    compiled statement instead of building one per row.
    """
    if dialect == "postgresql":
        insert_for: Any = postgresql.insert
    elif dialect == "sqlite":
        insert_for = sqlite.insert
    else:
        raise NotImplementedError(f"insert-or-ignore is not written for {dialect}")
    return (
        insert_for(model)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(model.id)
    )


def _insert_or_ignore(
    session: Session, model: Any, values: Mapping[str, Any], *keys: str
) -> int | None:
    """Run an INSERT ... ON CONFLICT DO NOTHING; return the new id or None."""
    dialect = session.get_bind().dialect.name
    statement = _insert_or_ignore_statement(dialect, model, keys)
    return session.execute(statement, dict(values)).scalar_one_or_none()


@dataclass(frozen=True)
class NewEvent:
    """A verified webhook body to store in `webhook_event`."""

    provider: str
    event_key: str
    raw_body: bytes
    headers: Mapping[str, str]
    received_at: datetime


def store_event(
    engine: Engine,
    provider: str,
    event_key: str,
    raw_body: bytes,
    headers: Mapping[str, str],
    received_at: datetime,
) -> int | None:
    """Store a verified webhook body; return its id, or None for a duplicate."""
    event = NewEvent(provider, event_key, raw_body, headers, received_at)
    return store_events(engine, [event])[0]


def store_events(engine: Engine, events: Sequence[NewEvent]) -> list[int | None]:
    """Store verified webhook bodies in one transaction; return their ids.

    The list has one entry per event, in order: the new row's id, or None
    when the body was stored before or earlier in `events`. Either every
    row is committed or, when the insert fails, none is. It runs on a plain
    connection, without an ORM session, because the webhook routes call it
    for every request.
    """
    if not events:
        return []
    dialect = engine.dialect.name
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert_for(WebhookEvent)
        .on_conflict_do_nothing(index_elements=["provider", "event_key"])
        .returning(WebhookEvent.id, WebhookEvent.provider, WebhookEvent.event_key)
    )
    rows = [
        {
            "provider": event.provider,
            "event_key": event.event_key,
            "raw_body": event.raw_body,
            "headers": dict(event.headers),
            "received_at": event.received_at,
            "attempts": 0,
        }
        for event in events
    ]

    with urgent_write(engine), engine.begin() as connection:
        # RETURNING lists only the inserted rows, in no promised order.
        inserted = {
            (provider, key): event_id
            for event_id, provider, key in connection.execute(statement, rows)
        }

    ids: list[int | None] = []
    for event in events:
        event_id = inserted.pop((event.provider, event.event_key), None)
        if event_id is None:
            logger.debug(
                "%s webhook event %s already stored", event.provider, event.event_key
            )
        ids.append(event_id)
    return ids


def _processors() -> dict[str, Processor]:
    # Imported here because the provider packages import this module.
    from cobranza.channels.twilio.webhook import process_event as twilio
    from cobranza.channels.whatsapp.webhook import process_event as whatsapp

    return {"whatsapp": whatsapp, "twilio": twilio}


def _readers() -> dict[str, Reader]:
    from cobranza.channels.twilio.webhook import read_messages as twilio
    from cobranza.channels.whatsapp.webhook import read_messages as whatsapp

    return {"whatsapp": whatsapp, "twilio": twilio}


def _media_readers() -> dict[str, MediaReader]:
    from cobranza.channels.twilio.webhook import read_media as twilio
    from cobranza.channels.whatsapp.webhook import read_media as whatsapp

    return {"whatsapp": whatsapp, "twilio": twilio}


@dataclass(frozen=True)
class PreparedEvents:
    """The downloads and reply preparation fetched before a batch's transaction."""

    # The result of the reply handler's `prepare`, or None.
    replies: object = None
    # The downloads of the files that the new inbound messages carry. Its
    # owner calls `media.discard_unused()` once the events are processed.
    media: PreparedMedia = field(default_factory=PreparedMedia)


def prepare_events(
    engine: Engine, event_ids: Sequence[int], now: datetime, settings: Settings
) -> PreparedEvents:
    """Download the media and prepare for the replies of pending events' new messages.

    Call it before the transaction that processes the events. The events are
    read in a transaction that ends before any download or `prepare_replies`
    runs, so the network calls hold no lock and keep no transaction open.
    An event that cannot be read is skipped here, because processing it
    stores the error. When reading fails, the events are processed without
    this pass and their files are left pending for `download_pending_media`.
    Two workers that list the same pending events both prepare, and so both
    download and ask the LLM; only the one that locks the events uses the
    result.
    """
    try:
        replies, media = _read_ahead(engine, event_ids, now, settings)
    except Exception as exc:  # noqa: BLE001 - the events are still processed
        logger.warning(
            "reading %s webhook events ahead failed with %s, so they are "
            "processed without downloads or prepared replies",
            len(event_ids),
            type(exc).__name__,
        )
        return PreparedEvents()
    if media:
        register_database(engine, settings.media_dir)
    downloads = PreparedMedia(download_media(settings, media))
    return PreparedEvents(replies=prepare_replies(engine, replies), media=downloads)


def _read_ahead(
    engine: Engine, event_ids: Sequence[int], now: datetime, settings: Settings
) -> tuple[list[InboundMessage], list[MediaRequest]]:
    """Return the inbound messages and files of pending events not stored before.

    The messages are read only when the reply handler prepares for them.
    """
    handler = _reply_handler
    prepares = handler is not None and handler.prepare is not None
    readers = _readers() if prepares else {}
    media_readers = _media_readers()
    replies: list[InboundMessage] = []
    media: list[MediaRequest] = []
    with transaction(engine) as session:
        events = session.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.id.in_(event_ids), WebhookEvent.processed_at.is_(None))
            .order_by(WebhookEvent.received_at, WebhookEvent.id)
        )
        for event in events:
            media_reader = media_readers.get(event.provider)
            reader = readers.get(event.provider)
            try:
                if media_reader is not None:
                    media.extend(media_reader(event, settings))
                if reader is not None:
                    replies.extend(reader(session, event, now, settings))
            except Exception as exc:  # noqa: BLE001 - processing stores the error
                logger.debug(
                    "webhook event %s not read ahead: %s", event.id, type(exc).__name__
                )
        stored = _stored_keys(
            session,
            [(reply.provider, reply.provider_message_id) for reply in replies]
            + [(file.provider, file.provider_message_id) for file in media],
        )
    new_replies = [
        reply
        for reply in replies
        if (reply.provider, reply.provider_message_id) not in stored
    ]
    new_media = [
        file
        for file in media
        if (file.provider, file.provider_message_id) not in stored
    ]
    return new_replies, new_media


def _stored_keys(
    session: Session, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Return the (provider, provider message id) pairs of `keys` stored before."""
    requested = set(keys)
    if not requested:
        return set()
    rows = session.execute(
        select(InboundMessage.provider, InboundMessage.provider_message_id).where(
            InboundMessage.provider_message_id.in_(
                {message_id for _, message_id in requested}
            )
        )
    )
    return {(provider, message_id) for provider, message_id in rows} & requested


def process_pending_events(
    engine: Engine,
    now: datetime,
    *,
    settings: Settings | None = None,
    limit: int = PROCESS_BATCH,
    batch_size: int = TRANSACTION_BATCH,
) -> int:
    """Process stored events not yet processed, oldest first; return the count.

    Events are processed `batch_size` to a transaction. When one of them
    fails, that transaction is rolled back and its events are processed
    again one transaction each, so a failure rolls back only its own
    event's work, stores the error and counts the attempt. A failed event is
    tried again on the next call until `MAX_EVENT_ATTEMPTS`. Each batch's
    media are downloaded and its replies prepared for (`prepare_events`)
    before its transaction, and the downloads that no committed row took
    are deleted after it.
    """
    settings = settings or get_settings()
    processors = _processors()
    with transaction(engine) as session:
        pending = list(
            session.scalars(
                select(WebhookEvent.id)
                .where(
                    # Payment providers store their notifications in this table
                    # too and process them with their own worker.
                    WebhookEvent.provider.in_(processors),
                    WebhookEvent.processed_at.is_(None),
                    WebhookEvent.attempts < MAX_EVENT_ATTEMPTS,
                )
                .order_by(WebhookEvent.received_at, WebhookEvent.id)
                .limit(limit)
            )
        )
    processed = 0
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        prepared = prepare_events(engine, batch, now, settings)
        try:
            done = _process_batch(engine, batch, now, settings, processors, prepared)
            if done is None:
                done = sum(
                    process_event_id(
                        engine, event_id, now, settings, processors, prepared=prepared
                    )
                    for event_id in batch
                )
        finally:
            prepared.media.discard_unused()
        processed += done
    return processed


def _process_batch(
    engine: Engine,
    event_ids: Sequence[int],
    now: datetime,
    settings: Settings,
    processors: Mapping[str, Processor],
    prepared: PreparedEvents,
) -> int | None:
    """Process events in one transaction; None when one failed and all rolled back."""
    try:
        with background_write(engine), transaction(engine) as session:
            _use_prepared(session, prepared)
            events = _lock_pending_batch(session, event_ids)
            for event in events:
                _process_locked(session, event, now, settings, processors)
        return len(events)
    except Exception as exc:  # noqa: BLE001 - retried one event at a time
        logger.info(
            "batch of %s webhook events rolled back after %s; retrying one by one",
            len(event_ids),
            type(exc).__name__,
        )
        return None


def _use_prepared(session: Session, prepared: PreparedEvents) -> None:
    """Give the processors in `session` what `prepare_events` fetched."""
    session.info[_PREPARED] = prepared.replies
    session.info[PREPARED_MEDIA] = prepared.media


def _process_locked(
    session: Session,
    event: WebhookEvent,
    now: datetime,
    settings: Settings,
    processors: Mapping[str, Processor],
) -> None:
    processor = processors.get(event.provider)
    if processor is None:
        raise LookupError(f"no processor for webhook provider {event.provider!r}")
    processor(session, event, now, settings)
    event.processed_at = now
    event.attempts += 1
    event.error = None


def process_event_id(
    engine: Engine,
    event_id: int,
    now: datetime,
    settings: Settings,
    processors: Mapping[str, Processor] | None = None,
    *,
    prepared: PreparedEvents | None = None,
) -> bool:
    """Process one stored event unless another worker did; True when done here.

    `prepared` is what `prepare_events` returned for a batch that contains
    the event, and the caller deletes its unused downloads. Without it, the
    event is prepared for here. A file that `prepared` does not cover is
    left pending (see `record_media`).
    """
    processors = processors or _processors()
    if prepared is not None:
        return _process_event_id(engine, event_id, now, settings, processors, prepared)
    own = prepare_events(engine, [event_id], now, settings)
    try:
        return _process_event_id(engine, event_id, now, settings, processors, own)
    finally:
        own.media.discard_unused()


def _process_event_id(
    engine: Engine,
    event_id: int,
    now: datetime,
    settings: Settings,
    processors: Mapping[str, Processor],
    prepared: PreparedEvents,
) -> bool:
    try:
        with background_write(engine), transaction(engine) as session:
            _use_prepared(session, prepared)
            event = _lock_pending(session, event_id)
            if event is None:
                return False
            _process_locked(session, event, now, settings, processors)
        return True
    except Exception as exc:  # noqa: BLE001 - any failure is stored, not lost
        logger.warning(
            "webhook event %s failed to process: %s", event_id, type(exc).__name__
        )
        logger.debug("webhook event %s error detail", event_id, exc_info=True)
        with background_write(engine), transaction(engine) as session:
            event = session.get(WebhookEvent, event_id)
            if event is not None:
                event.attempts += 1
                event.error = f"{type(exc).__name__}: {exc}"[:2000]
        return False


def _lock_pending_batch(
    session: Session, event_ids: Sequence[int]
) -> list[WebhookEvent]:
    """Load the events of `event_ids` that are still pending, oldest first.

    On PostgreSQL the rows stay locked until the transaction ends, and rows
    another worker has locked are skipped.
    """
    statement = (
        select(WebhookEvent)
        .where(WebhookEvent.id.in_(event_ids), WebhookEvent.processed_at.is_(None))
        .order_by(WebhookEvent.received_at, WebhookEvent.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def _lock_pending(session: Session, event_id: int) -> WebhookEvent | None:
    statement = select(WebhookEvent).where(
        WebhookEvent.id == event_id, WebhookEvent.processed_at.is_(None)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.scalars(statement).first()


class EventWorker:
    """A thread that processes stored events when woken and every `interval`.

    The web app starts one at startup (which also processes what a previous
    process left behind) and wakes it after each stored event. When
    `ingest_busy` returns True after a transaction (webhook requests are
    waiting for their commit), the worker pauses `INGEST_PAUSE_RATIO` times
    as long as the transaction took, so ingest gets most of the process's
    CPU. Processing then lags behind a burst and catches up once it ends.
    Between runs, at most every `MEDIA_RETRY_SECONDS`, it downloads the media
    that processing left pending or that are due for a retry
    (`download_pending_media`), and at most every `MEDIA_SWEEP_SECONDS` it
    cleans up the downloads that a crash left behind (`sweep_orphans`).
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        interval: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
        ingest_busy: Callable[[], bool] | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._interval = interval
        self._clock = clock
        self._ingest_busy = ingest_busy or (lambda: False)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Monotonic times when `download_pending_media` and `sweep_orphans`
        # are next due, so 0 runs them on start.
        self._media_due = 0.0
        self._sweep_due = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="webhook-events", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        logger.info("webhook event worker started")
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._process_until_done()
            except Exception:  # noqa: BLE001 - the worker must keep running
                logger.exception("webhook event worker failed; retrying later")
            self._download_pending_media()
            self._sweep_media()
            self._wake.wait(self._interval)
        logger.info("webhook event worker stopped")

    def _download_pending_media(self) -> None:
        started = time.monotonic()
        if started < self._media_due or self._stop.is_set():
            return
        self._media_due = started + MEDIA_RETRY_SECONDS
        try:
            download_pending_media(self._engine, self._clock(), self._settings)
        except Exception:  # noqa: BLE001 - the worker must keep running
            logger.exception("pending media download failed; retrying later")

    def _sweep_media(self) -> None:
        started = time.monotonic()
        if started < self._sweep_due or self._stop.is_set():
            return
        self._sweep_due = started + MEDIA_SWEEP_SECONDS
        try:
            sweep_orphans(self._engine, self._settings.media_dir)
        except Exception:  # noqa: BLE001 - the worker must keep running
            logger.exception("media sweep failed; retrying later")

    def _process_until_done(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            processed = process_pending_events(
                self._engine,
                self._clock(),
                settings=self._settings,
                limit=TRANSACTION_BATCH,
            )
            if not processed:
                return
            if self._ingest_busy():
                self._stop.wait(INGEST_PAUSE_RATIO * (time.monotonic() - started))


_BUSINESS_CACHE = "cobranza.inbox.business"


def resolve_business(session: Session, settings: Settings) -> Business:
    """Return the business this process serves: by name, else the only one.

    NOTE: one WhatsApp number per process; a deployment serving several
    businesses needs a map from phone_number_id to business.
    """
    # Events processed in one transaction share the lookup.
    cached = session.info.get(_BUSINESS_CACHE)
    if cached is not None and cached[0] == settings.business_name:
        return cached[1]  # type: ignore[no-any-return]

    business = session.scalars(
        select(Business).where(Business.name == settings.business_name)
    ).first()
    if business is None:
        businesses = list(session.scalars(select(Business).limit(2)))
        if len(businesses) == 1:
            business = businesses[0]
    if business is not None:
        session.info[_BUSINESS_CACHE] = (settings.business_name, business)
        return business
    raise LookupError(
        f"no business named {settings.business_name!r}: set COBRANZA_BUSINESS_NAME "
        "to the business that owns this WhatsApp number"
    )


def apply_status(
    session: Session,
    business_id: int,
    provider: str,
    update: StatusUpdate,
    now: datetime,
) -> bool:
    """Store a delivery status once and move its outbox row forward only.

    Returns False for a duplicate (same message id and status). The row is
    found by the outbox id the provider echoes, so a status that arrives
    before the send call returned still finds it, or else by message id.
    Read beats delivered beats sent, and a status never moves a row back.
    A failure counts only while no delivered or read status is known: a
    late one leaves a delivered or read row as it is, and a delivered or
    read status settles a failed row as sent. Either way the failure's
    error stays in the stored status event and in an audit event.
    """
    row = status_row(session, business_id, update)
    values = {
        "business_id": business_id,
        "provider": provider,
        "provider_message_id": update.provider_message_id,
        "status": update.status,
        "outbox_id": row.id if row is not None else None,
        "at": update.at,
        "pricing": update.pricing,
        "error_code": update.error_code,
        "error_detail": update.error_detail,
        "received_at": now,
    }
    inserted = _insert_or_ignore(
        session,
        MessageStatusEvent,
        values,
        "provider",
        "provider_message_id",
        "status",
    )
    if inserted is None:
        logger.debug("duplicate %s status %s", provider, update.status)
        return False
    if row is None:
        logger.info("%s status for an unknown message, stored only", provider)
        return True
    _advance(session, row, update, now)
    return True


def status_row(
    session: Session, business_id: int, update: StatusUpdate
) -> OutboxMessage | None:
    """Return the outbox row a status is about, or None for an unknown message."""
    if update.outbox_id is not None:
        row = session.get(OutboxMessage, update.outbox_id)
        if (
            row is not None
            and row.business_id == business_id
            and row.provider_message_id in (None, update.provider_message_id)
        ):
            return row
    return session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.provider_message_id == update.provider_message_id,
        )
    ).first()


def _advance(
    session: Session, row: OutboxMessage, update: StatusUpdate, now: datetime
) -> None:
    if row.state == OutboxState.FAILED and _proves_sent(row, update):
        _undo_failure(session, row, update, now)
    if row.state in (OutboxState.FAILED, OutboxState.SUPPRESSED):
        return
    if row.provider_message_id is None:
        row.provider_message_id = update.provider_message_id

    if update.status == OutboxState.FAILED:
        if row.state in _REACHED_PHONE:
            _audit_status(session, row, now, "late_failure_ignored", update)
            logger.info(
                "outbox row %s is %s: failed status %s ignored",
                row.id,
                row.state,
                update.error_code,
            )
            return
        row.state = OutboxState.FAILED
        row.failed_at = update.at
        row.error_code = update.error_code
        row.error_detail = update.error_detail
        _audit_status(session, row, now, "message_failed", update)
        return

    rank = _STATUS_RANK.get(OutboxState(update.status)) if _known(update) else None
    if rank is None:
        return
    if row.state in (OutboxState.QUEUED, OutboxState.SENDING) and rank > 0:
        # The provider has the message: a send that timed out reached it, or
        # the send call has not returned yet. Either way it is sent, once.
        outbox.mark_sent(session, row, update.provider_message_id, update.at)
    if update.status in (OutboxState.SENT, OutboxState.DELIVERED, OutboxState.READ):
        row.sent_at = row.sent_at or update.at
    if update.status in (OutboxState.DELIVERED, OutboxState.READ):
        row.delivered_at = row.delivered_at or update.at
    if update.status == OutboxState.READ:
        row.read_at = row.read_at or update.at
    if rank > _STATUS_RANK.get(OutboxState(row.state), 0):
        row.state = update.status


def _proves_sent(row: OutboxMessage, update: StatusUpdate) -> bool:
    """Return whether a status settles a failed row as sent.

    A delivered or read status shows the message reached the phone, so it
    settles any failed row: a `failed` status that arrived first, or a
    send error after an attempt that had reached Meta. A sent status only
    settles a row flagged `unknown_delivery_state`, which reconciliation
    failed because the channel could not tell whether it went out after a
    crash. A sent status cannot undo a reported failure, because Meta may
    fail a message after it reported it sent.
    """
    if update.status in _REACHED_PHONE:
        return True
    return (
        row.error_code == UNKNOWN_DELIVERY_STATE and update.status == OutboxState.SENT
    )


def _undo_failure(
    session: Session, row: OutboxMessage, update: StatusUpdate, now: datetime
) -> None:
    """Record as sent a failed row whose message a status shows went out.

    The case's step advances as the dispatcher's send of the row would
    have advanced it, unless the case has recorded a later message since.
    A person's reply from the dashboard leaves the step alone, as it does
    when it goes out at once. The audit event keeps the error the row
    failed with.
    """
    undone_code, undone_detail = row.error_code, row.error_detail
    row.state = OutboxState.SENT
    row.provider_message_id = row.provider_message_id or update.provider_message_id
    row.sent_at = row.sent_at or update.at
    if row.step != outbox.MANUAL_STEP:
        outbox.advance_case(session, row, row.sent_at)
    row.failed_at = None
    row.error_code = None
    row.error_detail = None
    session.add(
        AuditEvent(
            business_id=row.business_id,
            at=now,
            actor="webhook",
            kind="message_sent",
            subject_type="outbox_message",
            subject_id=row.id,
            reason=(
                "reconciled_found"
                if undone_code == UNKNOWN_DELIVERY_STATE
                else FAILURE_OVERRIDDEN
            ),
            details={
                "customer_id": row.customer_id,
                "provider_message_id": update.provider_message_id,
                "status": str(update.status),
                "error_code": undone_code,
                "error_detail": undone_detail,
            },
        )
    )
    logger.info(
        "outbox row %s failed, but a %s status shows it went out", row.id, update.status
    )


def _known(update: StatusUpdate) -> bool:
    return update.status in _STATUS_RANK


def _audit_status(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    kind: str,
    update: StatusUpdate,
) -> None:
    session.add(
        AuditEvent(
            business_id=row.business_id,
            at=now,
            actor="webhook",
            kind=kind,
            subject_type="outbox_message",
            subject_id=row.id,
            reason=update.error_code,
            details={
                "customer_id": row.customer_id,
                "provider_message_id": update.provider_message_id,
                "error_detail": update.error_detail,
            },
        )
    )


def match_customer(
    session: Session,
    business: Business,
    *,
    wa_id: str | None = None,
    user_id: str | None = None,
) -> Customer | None:
    """Find the one customer a sender is; None when unknown or ambiguous.

    The business-scoped user id wins. Otherwise the `wa_id` (or an E.164
    number) is matched with its country variants (Argentina 549/54, Mexico
    521/52, Brazil with or without the ninth digit) to the stored phones
    and `wa_id`s. Two customers sharing the number match none, so a reply
    is never attached to the wrong one.
    """
    candidates = matching_customers(session, business, wa_id=wa_id, user_id=user_id)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        logger.warning(
            "inbound sender matches %s customers of business %s: kept unassigned",
            len(candidates),
            business.id,
        )
    return None


def matching_customers(
    session: Session,
    business: Business,
    *,
    wa_id: str | None = None,
    user_id: str | None = None,
) -> list[Customer]:
    """Return every customer a sender may be, as `match_customer` matches them."""
    if user_id:
        by_user = list(
            session.scalars(
                select(Customer).where(
                    Customer.business_id == business.id,
                    Customer.wa_user_id == user_id,
                )
            )
        )
        if len(by_user) == 1:
            return by_user
    if not wa_id:
        return []

    e164 = match_wa_id(wa_id, business.country)
    digits = {wa_id.lstrip("+")}
    if e164 is not None:
        digits |= wa_id_variants(e164)
    phones = {"+" + value for value in digits}
    return list(
        session.scalars(
            select(Customer)
            .where(
                Customer.business_id == business.id,
                Customer.phone.in_(phones) | Customer.wa_id.in_(digits),
            )
            .order_by(Customer.id)
        )
    )


def _storable(value: Any) -> Any:
    """Return `value` with each NUL character replaced by U+FFFD.

    A sender can put "\\u0000" in a message, and no database here stores a
    NUL in text (`db.engine.NulCharacterError`), so the reply would fail on
    every retry and never reach the conversation.
    """
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def record_inbound(
    session: Session, message: InboundMessage, now: datetime
) -> InboundMessage | None:
    """Insert an inbound message once per provider id and call `on_inbound`.

    Returns the stored row, or None when the message was stored before.
    """
    values = {
        column.key: _storable(getattr(message, column.key))
        for column in InboundMessage.__table__.columns
        if column.key != "id" and getattr(message, column.key) is not None
    }
    values.setdefault("entities", {})
    inbound_id = _insert_or_ignore(
        session, InboundMessage, values, "provider", "provider_message_id"
    )
    if inbound_id is None:
        logger.debug("duplicate inbound message on %s", message.provider)
        return None
    stored = session.get_one(InboundMessage, inbound_id)
    on_inbound(session, stored, now)
    return stored


@dataclass(frozen=True)
class ReplyHandler:
    """Hook that prepares for replies before their transaction, then acts on each.

    `cobranza.conversations` sits above channels in the layer order, so the
    wiring (`cobranza.jobs.replies`) installs a handler here instead of
    channels importing it.
    """

    # The function that acts on a stored reply in the transaction that
    # stored it. Its last argument is what `prepare` returned, or None.
    handle: Callable[[Session, InboundMessage, datetime, object], object]
    # The function that receives the replies about to be stored, built but
    # not stored yet, before their write transaction opens. Slow work (the
    # LLM) goes here, so that it holds no lock. None when there is nothing
    # to prepare.
    prepare: Callable[[Engine, Sequence[InboundMessage]], object] | None = None


_reply_handler: ReplyHandler | None = None
# Key in `Session.info`: what the handler prepared for the replies that the
# session's transaction stores.
_PREPARED = "cobranza.inbox.prepared_replies"


def set_reply_handler(handler: ReplyHandler | None) -> ReplyHandler | None:
    """Install the handler that acts on each reply; return the previous one."""
    global _reply_handler
    previous, _reply_handler = _reply_handler, handler
    return previous


def prepare_replies(engine: Engine, replies: Sequence[InboundMessage]) -> object:
    """Let the installed handler prepare for `replies`, which are not stored yet.

    Call it before the write transaction that stores them and pass the
    result to `handle_stored_reply`. Returns None when the handler has
    nothing to prepare or preparing failed, and the replies are then handled
    without what it would have prepared.
    """
    handler = _reply_handler
    if handler is None or handler.prepare is None or not replies:
        return None
    try:
        return handler.prepare(engine, replies)
    except Exception as exc:  # noqa: BLE001 - the replies are still handled
        logger.warning(
            "preparing %s replies failed with %s, so they are handled without it",
            len(replies),
            type(exc).__name__,
        )
        return None


def on_inbound(session: Session, inbound: InboundMessage, now: datetime) -> None:
    """Audit a newly stored reply, then hand it to the installed reply handler.

    Without a handler the reply is only stored and audited.
    """
    session.add(
        AuditEvent(
            business_id=inbound.business_id,
            at=now,
            actor="webhook",
            kind="inbound_received",
            subject_type="inbound_message",
            subject_id=inbound.id,
            reason=inbound.type,
            details={
                "customer_id": inbound.customer_id,
                "channel": inbound.channel,
                "provider_message_id": inbound.provider_message_id,
            },
        )
    )
    session.flush()
    handle_stored_reply(session, inbound, now, session.info.get(_PREPARED))


def handle_stored_reply(
    session: Session, inbound: InboundMessage, now: datetime, prepared: object = None
) -> None:
    """Call the installed reply handler on `inbound`, if one is installed.

    `prepared` is what `prepare_replies` returned for a list that held
    `inbound` before it was stored.
    """
    if _reply_handler is None:
        logger.debug("no reply handler installed: reply %s stored only", inbound.id)
        return
    _reply_handler.handle(session, inbound, now, prepared)


def last_inbound_at(
    session: Session, business_id: int, customer_id: int
) -> datetime | None:
    """Return when the customer last wrote to the business, on any channel."""
    return session.scalar(
        select(InboundMessage.received_at)
        .where(
            InboundMessage.business_id == business_id,
            InboundMessage.customer_id == customer_id,
        )
        .order_by(InboundMessage.received_at.desc())
        .limit(1)
    )


def window_open(
    session: Session, business_id: int, customer_id: int, now: datetime
) -> bool:
    """True while the 24-hour window of the customer's last message is open."""
    last = last_inbound_at(session, business_id, customer_id)
    return last is not None and now - last < SERVICE_WINDOW
