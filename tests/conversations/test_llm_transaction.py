"""The LLM is asked before the transaction that stores a reply, never inside it.

A fake OpenAI-compatible server on 127.0.0.1 delays each response. During
that time a probe checks, from other connections, that the database can be
written (SQLite) and that no transaction of the processing is open
(PostgreSQL).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.inbox import (
    process_event_id,
    process_pending_events,
    store_event,
)
from cobranza.channels.twilio import compute_signature
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.conversations.understand import understand
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import AuditEvent, Business, InboundMessage, WebhookEvent
from cobranza.jobs.replies import install_reply_handler
from cobranza.web.app import create_app
from tests.channels.factories import make_customer
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    NOW,
    PHONE,
    _close_channels,
    graph,
    settings,
)
from tests.conversations.test_e2e_whatsapp import (  # noqa: F401 - fixture
    ManualWorker,
    case_id,
    post,
    text_message,
)
from tests.conversations.test_llm import FakeBehaviour, fake_llm_handler
from tests.lock_probe import Probe

# The shipped model reads this as `already_paid` with a probability of
# about 0.26, below the default `COBRANZA_LLM_MIN_CONFIDENCE` of 0.6.
UNSURE = "lo voy a pensar"
PROCESSED_AT = NOW + timedelta(minutes=1)
TWILIO_TOKEN = "test-twilio-token-7e3b"
PUBLIC = "https://cobranza.example.com"


@pytest.fixture
def llm_server() -> Iterator[tuple[str, FakeBehaviour]]:
    """A fake LLM that reads every reply as `cannot_pay` after one second."""
    behaviour = FakeBehaviour(
        content='{"intent": "cannot_pay", "confidence": 0.8}', delay_seconds=1.0
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake_llm_handler(behaviour))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    yield f"http://127.0.0.1:{port}/v1", behaviour
    server.shutdown()
    server.server_close()
    thread.join()


def llm_settings(
    settings: Settings,  # noqa: F811
    base_url: str,
    timeout_seconds: float = 5.0,
) -> Settings:
    return settings.model_copy(
        update={
            "llm_base_url": base_url,
            "llm_model": "test-model",
            "llm_timeout_seconds": timeout_seconds,
        }
    )


def app_client(settings: Settings, engine: Engine) -> TestClient:  # noqa: F811
    app = create_app(settings, engine)
    app.state.webhook_worker = ManualWorker()
    return TestClient(app)


def stored_reply(engine: Engine) -> tuple[InboundMessage, AuditEvent]:
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "reply_handled")
        ).one()
        session.expunge_all()
        return inbound, audit


def test_unsure_reply_llm_outside_transaction(
    engine: Engine,
    settings: Settings,  # noqa: F811
    llm_server: tuple[str, FakeBehaviour],
    case_id: int,  # noqa: F811
) -> None:
    # given: a signed webhook with a reply the model is unsure of, stored
    base_url, behaviour = llm_server
    configured = llm_settings(settings, base_url)
    client = app_client(configured, engine)
    post(client, text_message("wamid.unsure1", UNSURE))
    with transaction(engine) as session:
        event_id = session.scalars(select(WebhookEvent.id)).one()
    probe = Probe(engine, event_id)
    behaviour.on_request = probe

    # when: the event is processed, and the probe runs during the LLM request
    process_pending_events(engine, PROCESSED_AT, settings=configured)
    probe.join()

    # then: nothing waited for the LLM, and its label was acted on
    assert len(behaviour.requests) == 1
    probe.assert_nothing_waited()
    inbound, audit = stored_reply(engine)
    assert inbound.intent == "cannot_pay"
    assert inbound.entities["source"] == "llm"
    assert inbound.action_taken == "handed_off"
    assert audit.details["source"] == "llm"
    assert audit.details["confidence"] == 0.8


def test_llm_timeout_takes_model_path(
    engine: Engine,
    settings: Settings,  # noqa: F811
    llm_server: tuple[str, FakeBehaviour],
    case_id: int,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: an LLM that answers after its client has given up
    base_url, behaviour = llm_server
    configured = llm_settings(settings, base_url, timeout_seconds=0.2)
    client = app_client(configured, engine)
    with transaction(engine) as session:
        zone = session.scalars(select(Business.timezone)).one()
    without_llm = understand(UNSURE, NOW, zone)

    # when
    post(client, text_message("wamid.unsure2", UNSURE))
    process_pending_events(engine, PROCESSED_AT, settings=configured)

    # then: asked once, and the model's label acted on as without an LLM
    inbound, audit = stored_reply(engine)
    assert len(behaviour.requests) == 1
    assert "timed out" in caplog.text
    assert inbound.intent == without_llm.intent
    assert inbound.entities["source"] == "model"
    assert audit.details["source"] == "model"


def test_twilio_reply_llm_outside_transaction(
    engine: Engine,
    settings: Settings,  # noqa: F811
    llm_server: tuple[str, FakeBehaviour],
    case_id: int,  # noqa: F811
) -> None:
    # given: a signed Twilio inbound webhook with an unsure reply, stored
    base_url, behaviour = llm_server
    configured = llm_settings(settings, base_url).model_copy(
        update={
            "twilio_auth_token": SecretStr(TWILIO_TOKEN),
            "twilio_webhook_base_url": PUBLIC,
        }
    )
    client = app_client(configured, engine)
    form = {
        "MessageSid": "SMunsure1",
        "From": f"whatsapp:{PHONE}",
        "WaId": PHONE.lstrip("+"),
        "Body": UNSURE,
        "NumMedia": "0",
    }
    path = "/webhooks/twilio/inbound"
    signature = compute_signature(f"{PUBLIC}{path}", form.items(), TWILIO_TOKEN)
    response = client.post(
        path,
        content=urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )
    with transaction(engine) as session:
        event_id = session.scalars(select(WebhookEvent.id)).one()
    probe = Probe(engine, event_id)
    behaviour.on_request = probe

    # when: the event is processed on its own, as after a webhook without a worker
    done = process_event_id(engine, event_id, PROCESSED_AT, configured)
    probe.join()

    # then
    assert response.status_code == 200
    assert done is True
    assert len(behaviour.requests) == 1
    probe.assert_nothing_waited()
    inbound, _ = stored_reply(engine)
    assert inbound.intent == "cannot_pay"
    assert inbound.entities["source"] == "llm"


def test_failed_batch_asks_llm_once(
    engine: Engine,
    settings: Settings,  # noqa: F811
    llm_server: tuple[str, FakeBehaviour],
    case_id: int,  # noqa: F811
) -> None:
    # given: an unsure reply, then a body that is not JSON, in one batch
    base_url, behaviour = llm_server
    behaviour.delay_seconds = 0.0
    configured = llm_settings(settings, base_url)
    install_reply_handler(configured)
    body = text_message("wamid.unsure3", UNSURE)
    later = NOW + timedelta(seconds=1)
    store_event(engine, "whatsapp", "unsure", body, {}, NOW)
    store_event(engine, "whatsapp", "not-json", b"not json", {}, later)

    # when: the batch rolls back and its events are processed one by one
    processed = process_pending_events(engine, PROCESSED_AT, settings=configured)

    # then: the answer fetched for the batch served the retry
    with transaction(engine) as session:
        failed = session.scalars(
            select(WebhookEvent).where(WebhookEvent.event_key == "not-json")
        ).one()
    inbound, _ = stored_reply(engine)
    assert processed == 1
    assert failed.attempts == 1
    assert len(behaviour.requests) == 1
    assert inbound.intent == "cannot_pay"


def test_sandbox_reply_cli_llm_outside_transaction(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    llm_server: tuple[str, FakeBehaviour],
) -> None:
    # given: `cobranza sandbox reply` with COBRANZA_LLM_* set, and one customer
    base_url, behaviour = llm_server
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COBRANZA_LLM_BASE_URL", base_url)
    monkeypatch.setenv("COBRANZA_LLM_MODEL", "test-model")
    get_settings.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        make_customer(session, business, NOW, "C1", PHONE, name="Ana Test")
    probe = Probe(engine)
    behaviour.on_request = probe

    # when
    try:
        result = CliRunner().invoke(app, ["sandbox", "reply", PHONE, UNSURE])
    finally:
        get_settings.cache_clear()
    probe.join()

    # then
    inbound, _ = stored_reply(engine)
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert len(behaviour.requests) == 1
    probe.assert_nothing_waited()
    assert inbound.intent == "cannot_pay"
    assert inbound.entities["source"] == "llm"
