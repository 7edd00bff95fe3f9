"""A real uvicorn server on 127.0.0.1 and Debian's headless Chromium.

The tests skip, with the reason, when /usr/bin/chromium or the playwright
package is missing; CI installs both. Set COBRANZA_SCREENSHOTS to a folder
to keep one phone-width screenshot per page.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from cobranza.channels.media_store import publish, store_temporary
from cobranza.compliance.rules import legal_rules
from cobranza.compliance.window import block_reason
from cobranza.config import Settings
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import Case, CaseState, InboundMedia, InboundMessage
from cobranza.timeutil import utcnow
from cobranza.web.app import create_app
from tests.web.factories import (
    PASSWORD,
    make_business,
    make_customer,
    make_invoice,
    make_owner,
)

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
EMAIL = "duenia@navegador.com"
# The receipt image that the waiting customer sent: a 1x1 PNG.
RECEIPT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e0a1"
    "0b6a0000000049454e44ae426082"
)

try:
    from playwright import sync_api
except ImportError:  # the test extra was not installed
    sync_api = None


@dataclass
class LiveServer:
    """The base URL of the running server and the ids of its seeded rows."""

    url: str
    database_url: str
    business_id: int
    handed_off_customer_id: int
    customer_id: int
    receipt_id: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def contact_hours_now() -> datetime:
    """Return the latest instant, on the hour, inside Argentina's contact hours.

    A person's reply from the dashboard goes out only inside the customer's
    contact hours, so the server's clock is set to this instant, at most a
    few days back, whatever time the tests run.
    """
    rules = legal_rules("AR")
    zone = "America/Argentina/Buenos_Aires"
    candidate = utcnow().replace(minute=0, second=0, microsecond=0)
    while block_reason(rules, candidate, zone) is not None:
        candidate -= timedelta(hours=1)
    return candidate


def _seed(url: str, media_dir: Path, now: datetime) -> tuple[int, int, int, int]:
    engine = open_database(url)
    receipt = store_temporary(media_dir, RECEIPT_PNG)
    with transaction(engine) as session:
        business = make_business(session, now, "Kiosco Navegador")
        make_owner(session, business, now, EMAIL)
        waiting = make_customer(session, business, now, "N-1", "Marta Respuesta")
        plain = make_customer(
            session, business, now, "N-2", "Pedro Pausa", phone="+5491155550003"
        )
        make_invoice(
            session, waiting, now, "B-1", "8000.00", now.date() - timedelta(days=9)
        )
        make_invoice(
            session, plain, now, "B-2", "1200.00", now.date() - timedelta(days=3)
        )
        session.add(
            Case(
                business_id=business.id,
                customer_id=waiting.id,
                state=CaseState.HANDED_OFF,
                handoff_reason="request_human",
                handed_off_at=now,
                opened_at=now,
            )
        )
        session.add(
            InboundMessage(
                business_id=business.id,
                customer_id=waiting.id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="browser-in-1",
                sender="+5491155550001",
                # An escape sequence, which the page shows as `\x1b[2J`.
                text="¿Puedo pagar la mitad el viernes?\x1b[2J",
                received_at=now - timedelta(hours=2),
            )
        )
        image = InboundMessage(
            business_id=business.id,
            customer_id=waiting.id,
            channel="sandbox",
            provider="sandbox",
            provider_message_id="browser-in-2",
            sender="+5491155550001",
            type="image",
            received_at=now - timedelta(hours=1),
        )
        session.add(image)
        session.flush()
        media = InboundMedia(
            business_id=business.id,
            inbound_message_id=image.id,
            provider="sandbox",
            media_id="browser-media-1",
            mime_type="image/png",
            file_name="transferencia.png",
            sha256=receipt.sha256,
            size=receipt.size,
            path=receipt.path,
            downloaded_at=now - timedelta(hours=1),
        )
        session.add(media)
        session.flush()
        ids = business.id, waiting.id, plain.id, media.id
    publish(receipt.temporary, receipt.path)
    engine.dispose()
    return ids


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the app on a free port with a fresh SQLite database."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package")
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'cobranza.db'}"
    now = contact_hours_now()
    business_id, waiting_id, plain_id, receipt_id = _seed(url, folder / "media", now)
    engine = open_database(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, media_dir=str(folder / "media")
    )
    app = create_app(settings, engine)
    app.state.clock = lambda: now
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)

    yield LiveServer(
        f"http://127.0.0.1:{port}", url, business_id, waiting_id, plain_id, receipt_id
    )

    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


# Module scope: while Playwright's sync API is open, the main thread counts
# as running an event loop, so a later test's asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if sync_api is None:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A phone-sized page, signed in as the seeded owner."""
    context = browser.new_context(viewport=PHONE, locale="es-AR")
    tab = context.new_page()
    tab.goto(live_server.url + "/entrar")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(live_server.url + "/")
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot when COBRANZA_SCREENSHOTS names a folder."""
    folder = os.environ.get("COBRANZA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
