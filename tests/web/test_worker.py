"""Webhook ingest and processing on separate processes: serve stores, worker acts."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.cli import app as cli
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import InboundMessage, WebhookEvent
from cobranza.web.app import create_app
from cobranza.web.serve import run_worker
from tests.channels.factories import make_business
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    BUSINESS_NAME,
    NOW,
    graph,
    settings,
)
from tests.conversations.test_e2e_whatsapp import post, text_message
from tests.polling import wait_for


def _stored(engine: Engine) -> list[WebhookEvent]:
    with transaction(engine) as session:
        return list(session.scalars(select(WebhookEvent)))


def _inbound(engine: Engine) -> list[InboundMessage]:
    with transaction(engine) as session:
        return list(session.scalars(select(InboundMessage)))


def _business(engine: Engine) -> None:
    with transaction(engine) as session:
        make_business(session, NOW, name=BUSINESS_NAME)


def test_web_only_app_stores_without_processing(
    engine: Engine,
    settings: Settings,  # noqa: F811
) -> None:
    _business(engine)
    with TestClient(create_app(settings, engine, process_events=False)) as client:
        status = post(client, text_message("wamid.split1", "te pago el viernes"))

    events = _stored(engine)
    assert status == 200
    assert len(events) == 1
    assert events[0].processed_at is None
    assert _inbound(engine) == []


def test_worker_processes_what_web_stored(
    engine: Engine,
    settings: Settings,  # noqa: F811
) -> None:
    # given: the web process stored an event it will not act on
    _business(engine)
    with TestClient(create_app(settings, engine, process_events=False)) as client:
        post(client, text_message("wamid.split2", "te pago el viernes"))
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(settings, engine, 0.1, stop), daemon=True
    )

    # when: the worker runs beside it
    worker.start()
    try:
        processed = wait_for(
            lambda: all(event.processed_at for event in _stored(engine))
        )
    finally:
        stop.set()
        worker.join(timeout=30)

    # then: the event was acted on and the worker stopped when asked
    assert processed
    assert [message.text for message in _inbound(engine)] == ["te pago el viernes"]
    assert not worker.is_alive()


def test_cli_lists_worker_and_serve_option() -> None:
    runner = CliRunner(env={"COLUMNS": "200"})

    worker_help = runner.invoke(cli, ["worker", "--help"])
    serve_help = runner.invoke(cli, ["serve", "--help"])

    assert worker_help.exit_code == 0
    assert "--poll" in worker_help.output
    assert serve_help.exit_code == 0
    assert "--no-process-events" in serve_help.output


# Only values that exit at once even without the check: with "inf" a broken
# check would start a worker that never stops. `--rate` tests share the parser.
@pytest.mark.parametrize("poll", ["nan", "-inf", "0"])
def test_worker_rejects_invalid_poll(
    poll: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["worker", "--poll", poll])

    assert result.exit_code == 2
    assert f"--poll inválido: {poll!r}" in result.stderr
