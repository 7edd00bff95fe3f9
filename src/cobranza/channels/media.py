"""Files that customers send (payment receipts): downloads, retries and rows.

Each file is described by an `inbound_media` row and stored by
`cobranza.channels.media_store`, which names it by its sha256, so the same
receipt sent twice is stored once.

No download runs inside a write transaction. The pass before a batch's
transaction (`cobranza.channels.inbox.prepare_events`) calls
`download_media` for the new messages' files and writes each one to a
temporary file. The session of that transaction gets the result in its
`info` under `PREPARED_MEDIA`. The processors then describe each file with
`record_media`, which only copies that result, and the file moves to its
final name once the transaction commits. A download that no committed row
uses is deleted, so a batch that another worker processed leaves no file.

A file that the pass did not download (the pass failed, was prepared for
other events, or stopped after a transient failure) gets a pending row: no
`downloaded_at` and no `error`. A download that fails with a transient error
(timeout, connection error, provider 5xx or rate limit) also leaves the row
pending, with `attempts`, `last_error` and `next_attempt_at` after the waits
in `RETRY_DELAYS`. A permanent error (the provider does not know the media
id, or it expired) or the last of `MAX_ATTEMPTS` failures stores `error`,
and the file is not tried again: a person has to ask the customer for it.
The event worker calls `download_pending_media` every `MEDIA_RETRY_SECONDS`
(in `cobranza.channels.inbox`), which downloads the pending files that are
due outside any write transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, event, or_, select, update
from sqlalchemy.orm import Session

from cobranza.channels import media_store
from cobranza.channels.media_owner import register_database
from cobranza.channels.media_store import StoredFile
from cobranza.config import Settings
from cobranza.db.engine import background_write, transaction
from cobranza.db.models import InboundMedia, InboundMessage

logger = logging.getLogger(__name__)

# Key in `Session.info`: the `PreparedMedia` of the messages that the
# session's transaction stores.
PREPARED_MEDIA = "cobranza.media.prepared_downloads"
# Key in `Session.info`: the downloads to move into place after the commit.
_PUBLISH_ON_COMMIT = "cobranza.media.publish_on_commit"
# Pending files that one `download_pending_media` call downloads, one after
# the other. Each download may wait for the provider client's timeout, but
# the call stops at the first transient failure.
PENDING_MEDIA_BATCH = 5
# Characters of a download error stored on the row.
MAX_ERROR_LENGTH = 2000
# Waits before each retry of a download that failed with a transient error.
# A file is tried at most 7 times, the last one about 10 h 20 min after the
# first: long enough to ride out a provider's outage, and short enough that
# a person can ask the customer for the file again the same day. WhatsApp
# keeps the media id of a webhook for 7 days (Meta's Cloud API media
# reference), so each retry can still fetch it.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# (provider, media id), the identity of a file in `inbound_media`.
MediaKey = tuple[str, str]


@dataclass(frozen=True)
class MediaRequest:
    """A file that an inbound message carries, described before it is downloaded."""

    provider: str
    provider_message_id: str
    media_id: str
    mime_type: str | None = None
    file_name: str | None = None
    # The sha256 that the provider sent in the webhook, when it sends one.
    sha256: str | None = None
    # The download URL from the webhook, for providers that send one.
    url: str | None = None

    @property
    def key(self) -> MediaKey:
        return (self.provider, self.media_id)


@dataclass(frozen=True)
class MediaDownload:
    """The outcome of one attempt to download a `MediaRequest`.

    A downloaded file has a `path` and waits in `temporary` until a row that
    names it is committed. It can still carry an error, such as a sha256
    that differs from the one the provider sent. A failed download has no
    `path`, and `retry` tells whether a later attempt can succeed.
    """

    sha256: str | None = None
    path: str | None = None
    size: int | None = None
    temporary: str | None = None
    error: str | None = None
    retry: bool = False

    @classmethod
    def stored(cls, file: StoredFile, error: str | None = None) -> MediaDownload:
        return cls(
            sha256=file.sha256,
            path=file.path,
            size=file.size,
            temporary=file.temporary,
            error=error,
        )

    @property
    def failed(self) -> bool:
        return self.path is None


def outcome_values(
    download: MediaDownload, attempts_before: int, now: datetime
) -> dict[str, Any]:
    """Return the `inbound_media` values that record one attempt made at `now`."""
    attempt = attempts_before + 1
    if not download.failed:
        return {
            "sha256": download.sha256,
            "path": download.path,
            "size": download.size,
            "downloaded_at": now,
            "error": download.error,
            "attempts": attempt,
            "last_error": None,
            "next_attempt_at": None,
        }
    values: dict[str, Any] = {"attempts": attempt, "last_error": download.error}
    if download.retry and attempt < MAX_ATTEMPTS:
        values["next_attempt_at"] = now + RETRY_DELAYS[attempt - 1]
        return values
    values["next_attempt_at"] = None
    values["error"] = download.error
    if download.retry:
        values["error"] = (
            f"download failed {attempt} times, the last time with: {download.error}"
        )[:MAX_ERROR_LENGTH]
    return values


def is_pending() -> ColumnElement[bool]:
    """Return the condition of a row whose file is neither stored nor given up."""
    return and_(InboundMedia.downloaded_at.is_(None), InboundMedia.error.is_(None))


def is_due(now: datetime) -> ColumnElement[bool]:
    """Return the condition of a pending row whose next attempt is due at `now`."""
    return and_(
        is_pending(),
        or_(
            InboundMedia.next_attempt_at.is_(None),
            InboundMedia.next_attempt_at <= now,
        ),
    )


class PreparedMedia:
    """Downloads fetched before a transaction, each in its temporary file.

    `record_media` takes a download for the row it adds and has it moved
    into place once that row's transaction commits. The owner calls
    `discard_unused` when the transactions that may use the downloads have
    ended, which deletes the files that no committed row took.
    """

    def __init__(self, downloads: Mapping[MediaKey, MediaDownload] | None = None):
        self.downloads = dict(downloads or {})
        self._committed: set[MediaKey] = set()

    def get(self, key: MediaKey) -> MediaDownload | None:
        return self.downloads.get(key)

    def publish_on_commit(self, session: Session, key: MediaKey) -> None:
        """Move the file of `key` into place when `session` commits."""
        if self.downloads[key].temporary is None:
            return
        queued = session.info.setdefault(_PUBLISH_ON_COMMIT, [])
        queued.append((self, key))
        if not event.contains(session, "after_commit", _publish_queued):
            event.listen(session, "after_commit", _publish_queued)

    def discard_unused(self) -> None:
        """Delete the downloaded files that no committed row took."""
        for key, download in self.downloads.items():
            if download.temporary is not None and key not in self._committed:
                media_store.discard(download.temporary)

    def _publish(self, key: MediaKey) -> None:
        # Marked first: after a failed move the file stays for the sweep,
        # which moves it into place, instead of being discarded.
        self._committed.add(key)
        download = self.downloads[key]
        assert download.temporary is not None and download.path is not None
        try:
            media_store.publish(download.temporary, download.path)
        except OSError as exc:
            logger.error(
                "media %s of %s stored but its file not moved into place (%s), "
                "so the media sweep moves it within %s",
                key[1],
                key[0],
                exc,
                media_store.ORPHAN_AGE,
            )


def _publish_queued(session: Session) -> None:
    """Move the files of the rows that `session` just committed into place."""
    queued = session.info.pop(_PUBLISH_ON_COMMIT, [])
    for prepared, key in queued:
        prepared._publish(key)


# A provider's function that downloads its files with one client. A timeout,
# an HTTP error or a failed write goes into that file's `MediaDownload`. The
# files after a transient failure are left out (see `download_each`).
Downloader = Callable[[Settings, Sequence[MediaRequest]], dict[MediaKey, MediaDownload]]


def download_each(
    requests: Sequence[MediaRequest],
    download_one: Callable[[MediaRequest], MediaDownload],
) -> dict[MediaKey, MediaDownload]:
    """Download `requests` one after the other until a transient failure.

    The files after it are not tried, so a provider that is down costs one
    timeout instead of one per file. Their rows stay pending, with no
    attempt counted, for `download_pending_media`.
    """
    downloads: dict[MediaKey, MediaDownload] = {}
    for index, request in enumerate(requests):
        download = download_one(request)
        downloads[request.key] = download
        left = len(requests) - index - 1
        if download.failed and download.retry and left:
            logger.info(
                "%s media downloads stopped after a transient failure, leaving "
                "%s files for the pending-media download",
                request.provider,
                left,
            )
            break
    return downloads


def store_download(
    request: MediaRequest, content: bytes, media_dir: str, error: str | None = None
) -> MediaDownload:
    """Write downloaded content to a temporary file, or return a failure to retry."""
    try:
        file = media_store.store_temporary(media_dir, content)
    except OSError as exc:
        return failed_download(request, exc, retry=True)
    return MediaDownload.stored(file, error)


def failed_download(
    request: MediaRequest, exc: Exception, *, retry: bool
) -> MediaDownload:
    """Log a failed download and return its outcome, with the error to store."""
    logger.warning(
        "media %s of %s message %s not downloaded (%s): %s",
        request.media_id,
        request.provider,
        request.provider_message_id,
        "retried later" if retry else "final",
        type(exc).__name__,
    )
    return MediaDownload(error=str(exc)[:MAX_ERROR_LENGTH], retry=retry)


def _downloaders() -> dict[str, Downloader]:
    # Imported here because the provider packages import this module.
    from cobranza.channels.twilio.webhook import download_receipts as twilio
    from cobranza.channels.whatsapp.webhook import download_receipts as whatsapp

    return {"whatsapp": whatsapp, "twilio": twilio}


def download_media(
    settings: Settings, requests: Sequence[MediaRequest]
) -> dict[MediaKey, MediaDownload]:
    """Download each requested file to a temporary file; return the outcomes by key.

    Call it with no transaction open, because each download waits for the
    network. A failed download, even an unexpected exception, becomes the
    error of its file instead of being raised. A file missing from the
    result was not tried. The caller owns the temporary files: it puts them
    in a `PreparedMedia`, which moves or deletes them.
    """
    downloaders = _downloaders()
    by_provider: dict[str, list[MediaRequest]] = {}
    for request in requests:
        by_provider.setdefault(request.provider, []).append(request)

    downloads: dict[MediaKey, MediaDownload] = {}
    for provider, batch in by_provider.items():
        downloader = downloaders.get(provider)
        if downloader is None:
            error = LookupError(f"no media downloader for provider {provider!r}")
            downloads.update(
                (r.key, failed_download(r, error, retry=False)) for r in batch
            )
            continue
        try:
            downloads.update(downloader(settings, batch))
        except Exception as exc:  # noqa: BLE001 - stored as each file's error
            logger.exception("%s media download failed", provider)
            downloads.update(
                (r.key, failed_download(r, exc, retry=True)) for r in batch
            )
    return downloads


def record_media(
    session: Session, inbound: InboundMessage, request: MediaRequest, now: datetime
) -> InboundMedia:
    """Describe the file of a newly stored message, from its prepared download.

    It sends no request. Without a prepared download, the row is left
    pending (no `downloaded_at`, no `error`) for `download_pending_media`.
    """
    media = InboundMedia(
        business_id=inbound.business_id,
        inbound_message_id=inbound.id,
        provider=request.provider,
        media_id=request.media_id,
        mime_type=request.mime_type,
        file_name=request.file_name,
        attempts=0,
    )
    prepared: PreparedMedia | None = session.info.get(PREPARED_MEDIA)
    download = prepared.get(request.key) if prepared is not None else None
    if download is None:
        logger.warning(
            "media of inbound message %s was not downloaded before its "
            "transaction: it stays pending until the next pending-media download",
            inbound.id,
        )
    else:
        assert prepared is not None
        for column, value in outcome_values(download, 0, now).items():
            setattr(media, column, value)
        prepared.publish_on_commit(session, request.key)
    session.add(media)
    session.flush()
    return media


def download_pending_media(
    engine: Engine,
    now: datetime,
    settings: Settings,
    *,
    limit: int = PENDING_MEDIA_BATCH,
) -> int:
    """Download up to `limit` pending files of this process's business that are due.

    Returns how many rows it updated, downloaded or failed. The rows are
    read in one transaction, the files downloaded after it has ended, and
    the outcomes written in a short write transaction, so no lock is held
    during a download. Two workers running this at once may both download
    a file. A stored file is written by the first of them, and a failure
    only when no other outcome was written since the rows were read.
    """
    # Imported here because inbox imports this module.
    from cobranza.channels.inbox import resolve_business

    with transaction(engine) as session:
        try:
            business = resolve_business(session, settings)
        except LookupError:
            # Event processing raises the same error, with the setting to fix.
            return 0
        rows = session.execute(
            select(
                InboundMedia.id,
                InboundMedia.provider,
                InboundMedia.media_id,
                InboundMedia.mime_type,
                InboundMedia.file_name,
                InboundMedia.attempts,
                InboundMessage.provider_message_id,
                InboundMessage.details,
            )
            .join(InboundMessage, InboundMessage.id == InboundMedia.inbound_message_id)
            .where(InboundMedia.business_id == business.id, is_due(now))
            # Files never tried first, then the longest overdue.
            .order_by(
                InboundMedia.next_attempt_at.is_not(None),
                InboundMedia.next_attempt_at,
                InboundMedia.id,
            )
            .limit(limit)
        ).all()
    if not rows:
        return 0
    requests = {
        row.id: MediaRequest(
            provider=row.provider,
            provider_message_id=row.provider_message_id,
            media_id=row.media_id,
            mime_type=row.mime_type,
            file_name=row.file_name,
            # WhatsApp keeps the sha256 of its webhook in the message details.
            sha256=(row.details or {}).get("sha256"),
        )
        for row in rows
    }

    register_database(engine, settings.media_dir)
    prepared = PreparedMedia(download_media(settings, list(requests.values())))
    try:
        written = _write_outcomes(engine, rows, requests, prepared, now)
    finally:
        prepared.discard_unused()
    logger.info(
        "stored the outcome of %s of %s pending media files", written, len(rows)
    )
    return written


def _write_outcomes(
    engine: Engine,
    rows: Sequence[Any],
    requests: Mapping[int, MediaRequest],
    prepared: PreparedMedia,
    now: datetime,
) -> int:
    """Store each download's outcome on its row, if no other worker did."""
    written = 0
    with background_write(engine), transaction(engine) as session:
        for row in rows:
            key = requests[row.id].key
            download = prepared.get(key)
            if download is None:
                continue  # not tried after a transient failure: no attempt
            values = outcome_values(download, row.attempts, now)
            condition = and_(InboundMedia.id == row.id, is_pending())
            if download.failed:
                condition = and_(condition, InboundMedia.attempts == row.attempts)
            else:
                values["attempts"] = InboundMedia.attempts + 1
            result = session.execute(
                update(InboundMedia).where(condition).values(values)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                written += 1
                prepared.publish_on_commit(session, key)
    return written
