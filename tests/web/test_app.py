from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.config import Settings
from cobranza.web.app import create_app


def test_health_endpoint_answers(sqlite_engine: Engine) -> None:
    client = TestClient(create_app(Settings(), sqlite_engine))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
