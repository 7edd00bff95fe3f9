"""Files that customers send (payment receipts), stored under the media directory.

Each file is written once under `<media_dir>/<sha256[:2]>/<sha256>` and
described by an `inbound_media` row, so the same receipt sent twice is
stored once.

No download runs inside a write transaction. The pass before a batch's
transaction (`cobranza.channels.inbox.prepare_events`) calls
`download_media` for the new messages' files, and the session of that
transaction gets the result in its `info` under `PREPARED_MEDIA`. The
processors then describe each file with `record_media`, which only copies
that result. A file that the pass did not download, because the pass failed
or was prepared for other events, gets a row without `downloaded_at` and
without `error`, which means pending. The event worker calls
`download_pending_media` every `MEDIA_RETRY_SECONDS` (in
`cobranza.channels.inbox`), which downloads those files outside any write
transaction.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from cobranza.config import Settings
from cobranza.db.engine import background_write, transaction
from cobranza.db.models import InboundMedia, InboundMessage

logger = logging.getLogger(__name__)

# Key in `Session.info`: the downloads prepared for the files of the messages
# that the session's transaction stores, by `MediaRequest.key`.
PREPARED_MEDIA = "cobranza.media.prepared_downloads"
# Pending files that one `download_pending_media` call downloads, one after
# the other. Each download may wait for the provider client's timeout.
PENDING_MEDIA_BATCH = 5
# Characters of a download error stored on the row.
MAX_ERROR_LENGTH = 2000

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
    """The outcome of downloading one `MediaRequest`: the stored file or the error.

    A file can be stored and still carry an error, such as a sha256 that
    differs from the one the provider sent.
    """

    sha256: str | None = None
    path: str | None = None
    size: int | None = None
    error: str | None = None

    def columns(self, now: datetime) -> dict[str, Any]:
        """Return the `inbound_media` values that record this outcome at `now`."""
        if self.path is None:
            return {"error": self.error}
        return {
            "sha256": self.sha256,
            "path": self.path,
            "size": self.size,
            "downloaded_at": now,
            "error": self.error,
        }


# A provider's function that downloads its files with one client. A timeout,
# an HTTP error or a failed write goes into that file's `MediaDownload`.
Downloader = Callable[[Settings, Sequence[MediaRequest]], dict[MediaKey, MediaDownload]]


def store_file(media_dir: str | Path, content: bytes) -> tuple[str, str]:
    """Write `content` under the media directory; return (sha256, path).

    The write goes to a temporary file first and is renamed into place,
    so a crash never leaves a partial file under a valid name.
    """
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(media_dir) / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if not target.exists():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        logger.debug("stored media file %s (%s bytes)", digest, len(content))
    return digest, str(target)


def failed_download(request: MediaRequest, exc: Exception) -> MediaDownload:
    """Log a failed download and return its outcome, with the error to store."""
    logger.warning(
        "media %s of %s message %s not downloaded: %s",
        request.media_id,
        request.provider,
        request.provider_message_id,
        type(exc).__name__,
    )
    return MediaDownload(error=str(exc)[:MAX_ERROR_LENGTH])


def _downloaders() -> dict[str, Downloader]:
    # Imported here because the provider packages import this module.
    from cobranza.channels.twilio.webhook import download_receipts as twilio
    from cobranza.channels.whatsapp.webhook import download_receipts as whatsapp

    return {"whatsapp": whatsapp, "twilio": twilio}


def download_media(
    settings: Settings, requests: Sequence[MediaRequest]
) -> dict[MediaKey, MediaDownload]:
    """Download and store each requested file; return every outcome by its key.

    Call it with no transaction open, because each download waits for the
    network. A failed download, even an unexpected exception, becomes the
    error of its file instead of being raised. Files stored for a
    transaction that then does not use them stay in the media directory,
    where the same content keeps one name.
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
            downloads.update((r.key, failed_download(r, error)) for r in batch)
            continue
        try:
            downloads.update(downloader(settings, batch))
        except Exception as exc:  # noqa: BLE001 - stored as each file's error
            logger.exception("%s media download failed", provider)
            downloads.update((r.key, failed_download(r, exc)) for r in batch)
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
    )
    prepared: Mapping[MediaKey, MediaDownload] = session.info.get(PREPARED_MEDIA, {})
    download = prepared.get(request.key)
    if download is None:
        logger.warning(
            "media of inbound message %s was not downloaded before its "
            "transaction: it stays pending until the next pending-media download",
            inbound.id,
        )
    else:
        for column, value in download.columns(now).items():
            setattr(media, column, value)
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
    """Download up to `limit` pending files of this process's business.

    Returns how many rows it updated, downloaded or failed. The rows are
    read in one transaction, the files downloaded after it has ended, and
    the outcomes written in a short write transaction, so no lock is held
    during a download. A failed download stores its error on the row and is
    not tried again, as when it fails before processing. Two workers running
    this at once may both download a file, but only the first outcome is
    written.
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
                InboundMessage.provider_message_id,
                InboundMessage.details,
            )
            .join(InboundMessage, InboundMessage.id == InboundMedia.inbound_message_id)
            .where(
                InboundMedia.business_id == business.id,
                InboundMedia.downloaded_at.is_(None),
                InboundMedia.error.is_(None),
            )
            .order_by(InboundMedia.id)
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

    downloads = download_media(settings, list(requests.values()))

    written = 0
    with background_write(engine), transaction(engine) as session:
        for row_id, request in requests.items():
            result = session.execute(
                update(InboundMedia)
                .where(
                    InboundMedia.id == row_id,
                    InboundMedia.downloaded_at.is_(None),
                    InboundMedia.error.is_(None),
                )
                .values(downloads[request.key].columns(now))
            )
            written += result.rowcount  # type: ignore[attr-defined]
    logger.info(
        "stored the outcome of %s of %s pending media files", written, len(rows)
    )
    return written
