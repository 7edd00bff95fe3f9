"""Importar: upload, preview (a dry run of `import_file`) and confirm.

Between the preview and the confirmation, the upload is kept in a random
folder under a per-business folder of the system's temporary directory. The
confirmation runs the same `import_file` without `dry_run`.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from cobranza.ingest.errors import IngestError
from cobranza.ingest.service import ImportOptions, import_file
from cobranza.web.dashboard.common import business_of
from cobranza.web.error_pages import PageError
from cobranza.web.security import db, now, signed_in
from cobranza.web.templating import render

logger = logging.getLogger(__name__)

router = APIRouter()

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An upload never confirmed is deleted after a day.
STALE_UPLOAD_SECONDS = 24 * 3600
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_UNSAFE_CHARACTERS = re.compile(r"[^\w.-]")


def upload_dir(business_id: int) -> Path:
    """Return the folder that keeps a business's pending uploads."""
    folder = Path(tempfile.gettempdir()) / "cobranza-imports" / str(business_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_stale_uploads(business_id: int, now: float) -> int:
    """Delete pending uploads older than `STALE_UPLOAD_SECONDS`; return the count.

    `now` is a Unix time, compared with each folder's modification time.
    """
    removed = 0
    for folder in upload_dir(business_id).iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > STALE_UPLOAD_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _safe_name(filename: str, suffix: str) -> str:
    stem = _UNSAFE_CHARACTERS.sub("_", Path(filename).stem)[:80] or "archivo"
    return stem + suffix


def _stored_upload(business_id: int, upload_id: str) -> Path:
    """Return the pending upload `upload_id` of the business, or raise 404."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise PageError(404, "Archivo no encontrado.")
    folder = upload_dir(business_id) / upload_id
    files = sorted(folder.glob("*")) if folder.is_dir() else []
    if len(files) != 1:
        raise PageError(404, "El archivo ya no está: subilo de nuevo.")
    return files[0]


def _options(
    mapping_text: str, decimal: str, date_format: str, dry_run: bool
) -> ImportOptions:
    mapping: dict[str, str] = {}
    for line in mapping_text.splitlines():
        if "=" in line:
            column, _, field = line.partition("=")
            if column.strip() and field.strip():
                mapping[column.strip()] = field.strip()
    return ImportOptions(
        mapping=mapping,
        decimal=decimal or None,
        date_format=date_format or None,
        dry_run=dry_run,
    )


@router.get("/importar", response_class=HTMLResponse)
def import_form(request: Request) -> HTMLResponse:
    """Show the upload form."""
    signed_in(request)
    return render(request, "importar.html", {"report": None})


@router.post("/importar", response_class=HTMLResponse)
async def import_preview(
    request: Request,
    file: UploadFile,
    mapping: str = Form("", max_length=4000),
    decimal: str = Form(""),
    date_format: str = Form("", max_length=40),
) -> HTMLResponse:
    """Store the upload and show the dry-run report: mapping and row problems."""
    user = signed_in(request)
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return render(
            request,
            "importar.html",
            {"report": None, "error": "Subí un archivo CSV o XLSX."},
            status_code=400,
        )
    # NOTE: Starlette spools the whole upload to a temporary file before this
    # check runs, so the size limit protects the importer, not the disk.
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return render(
            request,
            "importar.html",
            {"report": None, "error": "El archivo pesa más de 20 MB."},
            status_code=413,
        )
    remove_stale_uploads(user.business_id, now(request).timestamp())
    upload_id = secrets.token_urlsafe(24)
    folder = upload_dir(user.business_id) / upload_id
    folder.mkdir()
    path = folder / _safe_name(file.filename or "archivo", suffix)
    path.write_bytes(content)
    return _run(request, upload_id, path, mapping, decimal, date_format, dry_run=True)


@router.post("/importar/confirmar", response_class=HTMLResponse)
def import_confirm(
    request: Request,
    upload: str = Form(...),
    mapping: str = Form("", max_length=4000),
    decimal: str = Form(""),
    date_format: str = Form("", max_length=40),
) -> HTMLResponse:
    """Import the previewed file for real."""
    user = signed_in(request)
    path = _stored_upload(user.business_id, upload)
    response = _run(request, upload, path, mapping, decimal, date_format, dry_run=False)
    if response.status_code == 200:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    return response


def _run(
    request: Request,
    upload_id: str,
    path: Path,
    mapping: str,
    decimal: str,
    date_format: str,
    dry_run: bool,
) -> HTMLResponse:
    user = signed_in(request)
    options = _options(mapping, decimal, date_format, dry_run)
    form = {
        "upload": upload_id,
        "file_name": path.name,
        "mapping": mapping,
        "decimal": decimal,
        "date_format": date_format,
        "dry_run": dry_run,
    }
    try:
        with db(request) as session:
            business = business_of(session, user.business_id)
            report = import_file(session, business, path, options, now(request))
            currency, locale = business.currency, business.locale
    except IngestError as exc:
        return render(
            request,
            "importar.html",
            {"report": None, "error": str(exc), **form},
            status_code=422,
        )
    return render(
        request,
        "importar.html",
        {"report": report, "currency": currency, "locale": locale, **form},
    )
