"""The files that customers send (payment receipts), opened from a conversation.

A file is sent by its `inbound_media` row id, scoped by the signed-in
business and the customer. It is read from the media directory under the
name its sha256 gives it (`channels.media_store.stored_file`), so no path
that a request or a row carries is ever opened. The type is read from the
file's first bytes, not from the type the customer's phone declared. JPEG,
PNG, GIF, WebP and PDF are shown in the browser, and anything else is sent
as a download of `application/octet-stream`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.channels.media_store import stored_file
from cobranza.config import Settings
from cobranza.db.models import InboundMedia, InboundMessage, is_valid_id
from cobranza.web.dashboard.common import customer_or_404
from cobranza.web.error_pages import PageError
from cobranza.web.security import db, signed_in

logger = logging.getLogger(__name__)

router = APIRouter()

# Leading bytes of the types a browser may show, with type and extension.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
DOWNLOAD_TYPE = "application/octet-stream"
# Extensions of a customer's file name that a download keeps, so the owner's
# computer opens the file with the right program. Others (.html, .svg, .exe)
# are dropped, because opening them could run what the customer wrote.
KEPT_EXTENSIONS = frozenset(
    {".csv", ".doc", ".docx", ".heic", ".heif", ".ods", ".odt", ".rtf", ".txt"}
    | {".xls", ".xlsx"}
)

NOT_FOUND = "Comprobante no encontrado."
FAILED = (
    "No se pudo descargar el archivo de este comprobante, así que no hay nada "
    "para abrir. Pedile al cliente que lo mande de nuevo."
)
PENDING = (
    "El archivo de este comprobante todavía no se descargó. Probá de nuevo en "
    "unos minutos."
)
MISSING = (
    "El archivo de este comprobante no está en la carpeta de archivos del "
    "servidor. Revisá que COBRANZA_MEDIA_DIR sea la misma carpeta que usa el "
    "proceso que recibe los mensajes, o pedile al cliente que lo mande de nuevo."
)


@dataclass(frozen=True)
class FileType:
    """The Content-Type, disposition and file extension a stored file is sent with."""

    media_type: str
    disposition: str
    extension: str


@router.get("/conversaciones/{customer_id}/comprobante/{media_id}/archivo")
def receipt_file(request: Request, customer_id: int, media_id: int) -> FileResponse:
    """Send a file the customer sent: shown when an image or PDF, else downloaded."""
    user = signed_in(request)
    with db(request) as session:
        customer_or_404(session, user.business_id, customer_id)
        media = _media_or_404(session, user.business_id, customer_id, media_id)
        downloaded, failed = media.downloaded_at is not None, media.error
        digest, file_name = media.sha256, media.file_name

    if not downloaded:
        raise PageError(404, FAILED if failed is not None else PENDING)
    settings: Settings = request.app.state.settings
    path = stored_file(settings.media_dir, digest)
    if path is None:
        logger.warning("receipt %s has no stored file in the media directory", media_id)
        raise PageError(404, MISSING)

    kind = file_type(path, file_name)
    name = f"comprobante-{media_id}{kind.extension}"
    headers = {
        "Content-Disposition": f'{kind.disposition}; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        # The file contains a customer's personal data, so no cache keeps it.
        "Cache-Control": "private, no-store",
    }
    return FileResponse(path, media_type=kind.media_type, headers=headers)


def file_type(path: Path, file_name: str | None) -> FileType:
    """Return how to send the file at `path`, from its first bytes.

    An unknown type is downloaded, with the extension of the customer's file
    name when it is in `KEPT_EXTENSIONS`.
    """
    with path.open("rb") as file:
        head = file.read(16)
    for signature, media_type, extension in SIGNATURES:
        if head.startswith(signature):
            return FileType(media_type, "inline", extension)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType("image/webp", "inline", ".webp")
    suffix = Path(file_name or "").suffix.lower()
    extension = suffix if suffix in KEPT_EXTENSIONS else ""
    return FileType(DOWNLOAD_TYPE, "attachment", extension)


def _media_or_404(
    session: Session, business_id: int, customer_id: int, media_id: int
) -> InboundMedia:
    media = None
    if is_valid_id(media_id):
        media = session.scalars(
            select(InboundMedia)
            .join(InboundMessage, InboundMessage.id == InboundMedia.inbound_message_id)
            .where(
                InboundMedia.id == media_id,
                InboundMedia.business_id == business_id,
                InboundMessage.customer_id == customer_id,
            )
        ).first()
    if media is None:
        raise PageError(404, NOT_FOUND)
    return media
