"""An import in progress leaves the server free to serve other requests.

A dry run of 200,000 rows took 25 s on the import page, so it must not run on the
event loop's thread, which serves every other request, webhooks included.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.web.api import routes as api_routes
from cobranza.web.dashboard import imports as import_page
from tests.web.conftest import CSRF_INPUT, NOW, Tenant
from tests.web.factories import PASSWORD

EXPORT = b"Cliente;Factura;Vencimiento;Importe\r\nAna;F-1;10/03/2026;1.000,00\r\n"


class HeldImport:
    """Wrap `import_file` so that each call waits until `release` is set."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        self.release.wait(timeout=15)
        return self.real(*args, **kwargs)


def _api_import(url: str, engine: Engine, tenant: Tenant) -> httpx.Response:
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
    return httpx.post(
        f"{url}/api/v1/imports?dry_run=true",
        headers={"Authorization": f"Bearer {issued.token}"},
        files={"file": ("export.csv", EXPORT)},
        timeout=30,
    )


def _page_import(url: str, engine: Engine, tenant: Tenant) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as client:
        form = client.get("/entrar").text
        token = CSRF_INPUT.search(form)
        assert token is not None
        client.post(
            "/entrar",
            data={
                "email": tenant.email,
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        page = CSRF_INPUT.search(client.get("/importar").text)
        assert page is not None
        return client.post(
            "/importar",
            data={"csrf_token": page.group(1)},
            files={"file": ("export.csv", EXPORT)},
        )


@pytest.mark.parametrize(
    ("module", "send"),
    [(api_routes, _api_import), (import_page, _page_import)],
    ids=["api", "page"],
)
def test_import_leaves_server_free(
    monkeypatch: pytest.MonkeyPatch,
    live_url: str,
    engine: Engine,
    tenant: Tenant,
    module: Any,
    send: Callable[[str, Engine, Tenant], httpx.Response],
) -> None:
    held = HeldImport(module.import_file)
    monkeypatch.setattr(module, "import_file", held)
    results: list[httpx.Response] = []
    worker = threading.Thread(
        target=lambda: results.append(send(live_url, engine, tenant))
    )
    worker.start()
    try:
        assert held.entered.wait(timeout=15), "the import never started"
        health = httpx.get(f"{live_url}/healthz", timeout=5)
    finally:
        held.release.set()
        worker.join(timeout=30)

    assert health.status_code == 200
    assert len(results) == 1
    assert results[0].status_code == 200
