"""Opening a receipt file that a customer sent, from the conversation page."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.channels.media_store import publish, store_temporary
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import InboundMedia, InboundMessage
from cobranza.web.app import create_app
from tests.web.conftest import NOW, Clock, Tenant

ClientFor = Callable[[Tenant], tuple[TestClient, str]]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24
HTML = b"<html><script>alert(document.cookie)</script></html>"
NOT_FOUND = "Comprobante no encontrado."


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    return folder


@pytest.fixture
def app(engine: Engine, clock: Clock, media_dir: Path) -> FastAPI:
    settings = Settings(_env_file=None, media_dir=str(media_dir))  # type: ignore[call-arg]
    application = create_app(settings, engine)
    application.state.clock = clock
    return application


def _receipt(
    engine: Engine,
    tenant: Tenant,
    content: bytes | None,
    media_dir: Path,
    *,
    mime_type: str = "image/jpeg",
    file_name: str | None = "comprobante.jpg",
    error: str | None = None,
    sha256: str | None = None,
) -> int:
    """Store a receipt row, and its file under `media_dir` when `content` is given."""
    stored = None
    if content is not None:
        stored = store_temporary(media_dir, content)
        publish(stored.temporary, stored.path)
    with transaction(engine) as session:
        message = InboundMessage(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            channel="whatsapp",
            provider="whatsapp",
            provider_message_id=f"wamid.{file_name}.{sha256}.{error}",
            sender="+5491155550001",
            type="image",
            received_at=NOW - timedelta(hours=1),
        )
        session.add(message)
        session.flush()
        media = InboundMedia(
            business_id=tenant.business_id,
            inbound_message_id=message.id,
            provider="whatsapp",
            media_id=f"media-{message.id}",
            mime_type=mime_type,
            file_name=file_name,
            sha256=sha256 if sha256 is not None else (stored and stored.sha256),
            size=len(content) if content is not None else None,
            path=stored.path if stored is not None else None,
            downloaded_at=NOW if stored is not None or sha256 is not None else None,
            error=error,
        )
        session.add(media)
        session.flush()
        return media.id


def _url(tenant: Tenant, media_id: int | str) -> str:
    return f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}/archivo"


@pytest.mark.parametrize(
    ("content", "declared", "expected_type", "extension"),
    [
        (PDF, "application/pdf", "application/pdf", ".pdf"),
        (PNG, "image/png", "image/png", ".png"),
        (JPEG, "image/jpeg", "image/jpeg", ".jpg"),
        (WEBP, "image/webp", "image/webp", ".webp"),
        # The type is read from the file, not from what the phone declared.
        (PNG, "application/pdf", "image/png", ".png"),
    ],
)
def test_image_or_pdf_shown_inline(
    engine: Engine,
    tenant: Tenant,
    client_for: ClientFor,
    media_dir: Path,
    content: bytes,
    declared: str,
    expected_type: str,
    extension: str,
) -> None:
    media_id = _receipt(engine, tenant, content, media_dir, mime_type=declared)
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == expected_type
    assert response.headers["content-disposition"] == (
        f'inline; filename="comprobante-{media_id}{extension}"'
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"


def test_html_declared_image_downloads(
    engine: Engine, tenant: Tenant, client_for: ClientFor, media_dir: Path
) -> None:
    # A file declared as a JPEG that contains a page with a script.
    media_id = _receipt(
        engine, tenant, HTML, media_dir, mime_type="image/jpeg", file_name="x.html"
    )
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="comprobante-{media_id}"'
    )
    assert response.headers["x-content-type-options"] == "nosniff"


def test_spreadsheet_keeps_extension(
    engine: Engine, tenant: Tenant, client_for: ClientFor, media_dir: Path
) -> None:
    media_id = _receipt(
        engine,
        tenant,
        b"PK\x03\x04 a spreadsheet",
        media_dir,
        mime_type="application/vnd.ms-excel",
        file_name="Pago marzo.XLSX",
    )
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="comprobante-{media_id}.xlsx"'
    )


def test_odd_file_name_not_in_header(
    engine: Engine, tenant: Tenant, client_for: ClientFor, media_dir: Path
) -> None:
    media_id = _receipt(
        engine,
        tenant,
        b"PK\x03\x04 a spreadsheet",
        media_dir,
        mime_type="application/vnd.ms-excel",
        file_name='pago".xlsx"; filename=evil.exe',
    )
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="comprobante-{media_id}"'
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("media expired", "No se pudo descargar el archivo de este comprobante"),
        (None, "todavía no se descargó"),
    ],
)
def test_failed_or_pending_is_404(
    engine: Engine,
    tenant: Tenant,
    client_for: ClientFor,
    media_dir: Path,
    error: str | None,
    expected: str,
) -> None:
    media_id = _receipt(engine, tenant, None, media_dir, error=error)
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 404
    assert expected in html.unescape(response.text)
    assert response.headers["content-type"].startswith("text/html")


def test_file_gone_from_disk(
    engine: Engine, tenant: Tenant, client_for: ClientFor, media_dir: Path
) -> None:
    media_id = _receipt(engine, tenant, PDF, media_dir)
    with transaction(engine) as session:
        Path(session.get_one(InboundMedia, media_id).path or "").unlink()
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 404
    assert "no está en la carpeta de archivos" in html.unescape(response.text)


def test_tampered_row_path_not_followed(
    engine: Engine,
    tenant: Tenant,
    client_for: ClientFor,
    media_dir: Path,
    tmp_path: Path,
) -> None:
    # given a secret outside the media directory, and rows that point at it
    secret = tmp_path / "secret.txt"
    secret.write_text("contraseña de la base")
    by_digest = _receipt(
        engine, tenant, None, media_dir, sha256="../../secret.txt", file_name="a"
    )
    by_path = _receipt(engine, tenant, None, media_dir, sha256="0" * 64, file_name="b")
    with transaction(engine) as session:
        session.get_one(InboundMedia, by_path).path = str(secret)
    client, _ = client_for(tenant)

    # when
    responses = [
        client.get(_url(tenant, media_id)) for media_id in (by_digest, by_path)
    ]

    # then
    for response in responses:
        assert response.status_code == 404
        assert "contraseña" not in response.text


def test_symlink_out_not_followed(
    engine: Engine,
    tenant: Tenant,
    client_for: ClientFor,
    media_dir: Path,
    tmp_path: Path,
) -> None:
    # given a stored file replaced by a link to a file outside the directory
    secret = tmp_path / "secret.txt"
    secret.write_text("contraseña de la base")
    media_id = _receipt(engine, tenant, PDF, media_dir)
    with transaction(engine) as session:
        stored = Path(session.get_one(InboundMedia, media_id).path or "")
    stored.unlink()
    stored.symlink_to(secret)
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 404
    assert "contraseña" not in response.text


@pytest.mark.parametrize(
    "media_id",
    [
        "..%2F..%2Fsecret.txt",
        "%2E%2E",
        "1%2F..%2F..%2Fsecret.txt",
        "-1",
        "99999999999999999999",
    ],
)
def test_path_in_url_is_404(
    engine: Engine,
    tenant: Tenant,
    client_for: ClientFor,
    media_dir: Path,
    tmp_path: Path,
    media_id: str,
) -> None:
    (tmp_path / "secret.txt").write_text("contraseña de la base")
    _receipt(engine, tenant, PDF, media_dir)
    client, _ = client_for(tenant)

    response = client.get(_url(tenant, media_id))

    assert response.status_code == 404
    assert "contraseña" not in response.text


def test_signed_out_is_sent_to_sign_in(
    app: FastAPI, engine: Engine, tenant: Tenant, media_dir: Path
) -> None:
    media_id = _receipt(engine, tenant, PDF, media_dir)
    client = TestClient(app, base_url="https://testserver")

    response = client.get(_url(tenant, media_id), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/entrar"
    assert PDF not in response.content


def test_other_business_or_customer_is_404(
    engine: Engine,
    tenant: Tenant,
    other_tenant: Tenant,
    client_for: ClientFor,
    media_dir: Path,
) -> None:
    media_id = _receipt(engine, tenant, PDF, media_dir)
    other, _ = client_for(other_tenant)
    owner, _ = client_for(tenant)

    foreign = other.get(_url(tenant, media_id))
    foreign_own_customer = other.get(_url(other_tenant, media_id))
    wrong_customer = owner.get(
        f"/conversaciones/{tenant.script_customer_id}/comprobante/{media_id}/archivo"
    )

    assert foreign.status_code == 404
    assert foreign_own_customer.status_code == 404
    assert NOT_FOUND in html.unescape(foreign_own_customer.text)
    assert wrong_customer.status_code == 404
    assert NOT_FOUND in html.unescape(wrong_customer.text)


def test_card_links_stored_file_only(
    engine: Engine, tenant: Tenant, client_for: ClientFor, media_dir: Path
) -> None:
    stored = _receipt(engine, tenant, PDF, media_dir)
    failed = _receipt(engine, tenant, None, media_dir, error="media expired")
    client, _ = client_for(tenant)

    page = client.get(f"/conversaciones/{tenant.customer_id}").text

    assert f'href="{_url(tenant, stored)}"' in page
    assert f'id="receipt-{stored}-file"' in page
    assert f'id="receipt-{failed}-file"' not in page
    assert _url(tenant, failed) not in page
