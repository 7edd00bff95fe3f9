"""Importar: upload, preview (a dry run of `import_file`) and confirm.

Between the preview and the confirmation, the upload is kept in a random
folder under a per-business folder of the system's temporary directory. The
owner may preview the kept upload again with other options, and the
confirmation runs the same `import_file` without `dry_run`.

The importer's messages name this page's controls and the fields' Spanish
labels (`PAGE_HINTS`), never the command line's flags or field names.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from cobranza.ingest.amounts import COMMA, POINT
from cobranza.ingest.dates import ORDER_NAMES
from cobranza.ingest.errors import IngestError, MappingError
from cobranza.ingest.hints import FormHints
from cobranza.ingest.mapping import DUE_ON, FIELDS, IGNORE
from cobranza.ingest.mapping import FIELD_LABELS as IMPORT_FIELD_LABELS
from cobranza.ingest.service import ImportOptions, import_file
from cobranza.web.body_limit import MAX_UPLOAD_BYTES, UPLOAD_TOO_LARGE
from cobranza.web.dashboard.common import business_of
from cobranza.web.error_pages import SECTIONS, PageError
from cobranza.web.security import db, now, signed_in
from cobranza.web.templating import render
from cobranza.wording import FIELD_LABELS

logger = logging.getLogger(__name__)

router = APIRouter()

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
# An upload never confirmed is deleted after a day.
STALE_UPLOAD_SECONDS = 24 * 3600
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_UNSAFE_CHARACTERS = re.compile(r"[^\w.-]")
MAX_STEM_BYTES = 200

# The labels of the form's choices, which the template and the messages share.
OPTIONS_LABEL = "Opciones"
DETECT_LABEL = "Detectar"
DECIMAL_CHOICES = {COMMA: "coma (1.234,56)", POINT: "punto (1,234.56)"}
SHEET_LABEL = FIELD_LABELS["sheet"]
# Excel limits a sheet name to 31 characters, and the margin allows pasted spaces.
MAX_SHEET_LENGTH = 100
# A header the importer does not recognize, for the «Columnas» examples.
EXAMPLE_COLUMN = "Fecha prevista"

PAGE_HINTS = FormHints(
    field_labels=IMPORT_FIELD_LABELS,
    mapping=FIELD_LABELS["mapping"],
    decimal=FIELD_LABELS["decimal"],
    decimal_choices=tuple(DECIMAL_CHOICES.values()),
    detect=DETECT_LABEL,
    date_format=FIELD_LABELS["date_format"],
    date_orders=tuple(ORDER_NAMES.values()),
    customers=SECTIONS["clientes"],
    sheet=SHEET_LABEL,
)

# Labels and choices of the import form, passed to every render of the page.
_FORM_LABELS = {
    "labels": FIELD_LABELS,
    "options_label": OPTIONS_LABEL,
    "detect_label": DETECT_LABEL,
    "sheet_label": SHEET_LABEL,
    "max_sheet_length": MAX_SHEET_LENGTH,
    "decimal_choices": DECIMAL_CHOICES,
    "date_orders": tuple(ORDER_NAMES.values()),
    "field_labels": IMPORT_FIELD_LABELS,
    "field_choices": PAGE_HINTS.field_choices(FIELDS),
    "ignore_label": IMPORT_FIELD_LABELS[IGNORE],
    "example_line": f"{EXAMPLE_COLUMN}={IMPORT_FIELD_LABELS[DUE_ON]}",
}


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


def safe_file_name(filename: str, suffix: str) -> str:
    """Return the upload's name for the server's disk: letters, digits, _ . -

    The stem keeps at most 80 characters and 200 UTF-8 bytes, because a
    Linux file name has at most 255 bytes.
    """
    stem = _UNSAFE_CHARACTERS.sub("_", Path(filename).stem)[:80]
    while len(stem.encode()) > MAX_STEM_BYTES:
        stem = stem[:-1]
    return (stem or "archivo") + suffix


def _stored_upload(business_id: int, upload_id: str) -> Path:
    """Return the pending upload `upload_id` of the business, or raise 404."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise PageError(404, "Archivo no encontrado.")
    folder = upload_dir(business_id) / upload_id
    files = sorted(folder.glob("*")) if folder.is_dir() else []
    if len(files) != 1:
        raise PageError(404, "El archivo ya no está: subilo de nuevo.")
    return files[0]


def _discard_upload(business_id: int, upload_id: str) -> None:
    """Delete a pending upload that a new file replaces. A malformed id is ignored."""
    if _UPLOAD_ID.fullmatch(upload_id):
        shutil.rmtree(upload_dir(business_id) / upload_id, ignore_errors=True)


def _mapping_lines(text: str) -> dict[str, str]:
    """Read the «Columnas» box: one "COLUMN=field" line per column.

    The field may be its Spanish label or its name. The last "=" splits a
    line, as in `--map`, so a header may contain "=". Blank lines are
    skipped, and any other line without a column and a field raises
    `MappingError`.
    """
    mapping: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        column, separator, field = line.rpartition("=")
        if not separator or not column.strip() or not field.strip():
            raise MappingError(
                f'La línea "{line.strip()}" de «{FIELD_LABELS["mapping"]}» no tiene '
                "la forma COLUMNA=campo. Escribí el nombre de la columna en tu "
                "archivo, un signo = y el campo, como "
                f"{PAGE_HINTS.map_example(EXAMPLE_COLUMN, DUE_ON)}.",
                line=line.strip(),
            )
        mapping[column.strip()] = field.strip()
    return mapping


def _options(form: dict[str, str], dry_run: bool) -> ImportOptions:
    # A blank «Hoja» lets the importer choose the sheet. A name is passed as
    # typed, because the importer matches it exactly before ignoring spaces.
    return ImportOptions(
        mapping=_mapping_lines(form["mapping"]),
        decimal=form["decimal"] or None,
        date_format=form["date_format"].strip() or None,
        sheet=form["sheet"] if form["sheet"].strip() else None,
        dry_run=dry_run,
        hints=PAGE_HINTS,
    )


def _page(
    request: Request, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render the import page with its form's labels."""
    return render(request, "importar.html", {**_FORM_LABELS, **context}, status_code)


@router.get("/importar", response_class=HTMLResponse)
def import_form(request: Request) -> HTMLResponse:
    """Show the upload form."""
    signed_in(request)
    return _page(request, {"report": None})


@router.post("/importar", response_class=HTMLResponse)
async def import_preview(
    request: Request,
    file: UploadFile | None = None,
    upload: str = Form("", max_length=64),
    mapping: str = Form("", max_length=4000),
    decimal: str = Form(""),
    date_format: str = Form("", max_length=40),
    sheet: str = Form("", max_length=MAX_SHEET_LENGTH),
) -> HTMLResponse:
    """Show the dry-run report of a new upload, or of the kept one again.

    A new file replaces the kept upload. Without a new file, the kept upload
    is previewed with the options of this request.
    """
    user = signed_in(request)
    form = {
        "mapping": mapping,
        "decimal": decimal,
        "date_format": date_format,
        "sheet": sheet,
    }
    if file is None or not file.filename:
        if not upload:
            return _page(
                request,
                {"report": None, "error": "Elegí un archivo CSV o XLSX.", **form},
                status_code=400,
            )
        path = _stored_upload(user.business_id, upload)
        return await run_in_threadpool(_run, request, upload, path, form, True)

    suffix = Path(file.filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return _page(
            request,
            {"report": None, "error": "Subí un archivo CSV o XLSX.", **form},
            status_code=400,
        )
    # Starlette has spooled the upload to a temporary file by now, and
    # `BodyLimitMiddleware` stopped any body much larger than this limit.
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _page(
            request,
            {"report": None, "error": UPLOAD_TOO_LARGE, **form},
            status_code=413,
        )
    if upload:
        _discard_upload(user.business_id, upload)
    remove_stale_uploads(user.business_id, now(request).timestamp())
    upload_id = secrets.token_urlsafe(24)
    folder = upload_dir(user.business_id) / upload_id
    folder.mkdir()
    path = folder / safe_file_name(file.filename, suffix)
    path.write_bytes(content)
    # The dry run may take a minute, so it runs off the event loop, which
    # serves every other request meanwhile.
    return await run_in_threadpool(_run, request, upload_id, path, form, True)


@router.post("/importar/confirmar", response_class=HTMLResponse)
def import_confirm(
    request: Request,
    upload: str = Form(...),
    mapping: str = Form("", max_length=4000),
    decimal: str = Form(""),
    date_format: str = Form("", max_length=40),
    sheet: str = Form("", max_length=MAX_SHEET_LENGTH),
) -> HTMLResponse:
    """Import the previewed file for real."""
    user = signed_in(request)
    path = _stored_upload(user.business_id, upload)
    form = {
        "mapping": mapping,
        "decimal": decimal,
        "date_format": date_format,
        "sheet": sheet,
    }
    response = _run(request, upload, path, form, dry_run=False)
    if response.status_code == 200:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    return response


def _run(
    request: Request,
    upload_id: str,
    path: Path,
    form: dict[str, str],
    dry_run: bool,
) -> HTMLResponse:
    """Import `path` with the form's options and render the report or the error.

    After an `IngestError` the upload is kept, so the owner can change an
    option and preview it again without choosing the file again.
    """
    user = signed_in(request)
    context = {**form, "upload": upload_id, "file_name": path.name}
    try:
        options = _options(form, dry_run)
        with db(request) as session:
            business = business_of(session, user.business_id)
            report = import_file(session, business, path, options, now(request))
            currency, locale = business.currency, business.locale
    except IngestError as exc:
        logger.info("import stopped: business %s, %s error", user.business_id, exc.code)
        return _page(
            request, {"report": None, "error": str(exc), **context}, status_code=422
        )
    return _page(
        request,
        {"report": report, "currency": currency, "locale": locale, **context},
    )
