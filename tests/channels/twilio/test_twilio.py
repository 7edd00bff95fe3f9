"""Twilio: signatures, sends against a fake API, and the two webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.inbox import (
    PreparedEvents,
    process_event_id,
    process_pending_events,
)
from cobranza.channels.media import RETRY_DELAYS, download_pending_media
from cobranza.channels.twilio import TwilioChannel, TwilioConfig, compute_signature
from cobranza.channels.twilio.signature import url_variants
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    InboundMedia,
    InboundMessage,
    MessageStatusEvent,
    OutboxMessage,
    OutboxState,
    TemplateStatus,
    WebhookEvent,
)
from cobranza.web.app import create_app
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_outbox_row,
)
from tests.channels.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
PUBLIC = "https://cobranza.example.com"
BUSINESS_NAME = "Ejemplo SRL"
CONTENT_SID = "HX0000000000000000000000000000abcd"
TEMPLATE = "cobranza_reminder_soft_friendly"
LANGUAGE = "es_AR"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def settings(twilio: FakeTwilio, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        business_name=BUSINESS_NAME,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number="+5491100000000",
        twilio_base_url=twilio.base_url,
        twilio_content_base_url=twilio.base_url,
        twilio_webhook_base_url=PUBLIC,
        twilio_content_sids={f"{TEMPLATE}:{LANGUAGE}": CONTENT_SID},
        media_dir=str(tmp_path / "media"),
    )


@pytest.fixture
def channel(engine: Engine, settings: Settings) -> Iterator[TwilioChannel]:
    twilio_channel = TwilioChannel(
        engine, TwilioConfig.from_settings(settings), clock=lambda: NOW
    )
    yield twilio_channel
    twilio_channel.close()


def _given_row(engine: Engine, *, approved: bool = True) -> tuple[int, int]:
    """Add a Twilio reminder; with `approved`, its Content SID is approved."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        if approved:
            set_template_status(
                session,
                business.id,
                f"twilio:{TEMPLATE}",
                LANGUAGE,
                TemplateStatus.APPROVED,
                NOW,
                source="sync",
                meta_id=CONTENT_SID,
            )
        customer = make_customer(session, business, NOW, "C1", "+5491155550100")
        invoice = make_document(
            session, customer, NOW, "A-1", "1500.00", date(2026, 3, 5)
        )
        row = make_outbox_row(session, customer, NOW)
        row.channel = "twilio"
        row.document_ids = [invoice.id]
        row.variables = {
            "customer_name": customer.name,
            "business_name": business.name,
            "balance": "1500.00",
            "currency": "ARS",
            "invoice_count": 1,
            "oldest_due_on": "2026-03-05",
            "days_past_due": 5,
            "payment_link": "https://pagar.example.com/c/abc123",
        }
        return business.id, row.id


def _post(
    client: TestClient,
    path: str,
    form: dict[str, str],
    *,
    signed: bool = True,
    query: str = "",
) -> object:
    url = f"{PUBLIC}{path}{'?' + query if query else ''}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers["X-Twilio-Signature"] = compute_signature(url, form.items(), AUTH_TOKEN)
    target = f"{path}{'?' + query if query else ''}"
    return client.post(target, content=urlencode(form).encode(), headers=headers)


def test_signature_matches_twilio_vectors() -> None:
    # Test vectors from twilio-python's tests/unit/test_request_validator.py.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    repeated = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678")]
    repeated.append(("Digits", "1234"))

    signature = compute_signature(url, params.items(), "12345")
    repeated_signature = compute_signature(url, repeated, "12345")

    assert signature == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert repeated_signature == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_template_sent_outside_window(
    engine: Engine, channel: TwilioChannel, twilio: FakeTwilio
) -> None:
    business_id, outbox_id = _given_row(engine)

    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)

    assert report.sent == 1
    sent = twilio.state.messages[0]
    assert sent["To"] == "whatsapp:+5491155550100"
    assert sent["From"] == "whatsapp:+5491100000000"
    assert sent["ContentSid"] == CONTENT_SID
    assert '"1":' in sent["ContentVariables"]
    assert (
        sent["StatusCallback"]
        == f"{PUBLIC}/webhooks/twilio/status?outbox_id={outbox_id}"
    )
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert row.provider_message_id == sent["sid"]


def test_window_closed_falls_back_to_content(
    engine: Engine, channel: TwilioChannel, twilio: FakeTwilio
) -> None:
    business_id, outbox_id = _given_row(engine)
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        session.add(
            InboundMessage(
                business_id=business_id,
                customer_id=row.customer_id,
                channel="whatsapp",
                provider="twilio",
                provider_message_id="SMin",
                sender="whatsapp:+5491155550100",
                received_at=NOW - timedelta(hours=1),
                entities={},
            )
        )
    twilio.state.closed_windows.add("whatsapp:+5491155550100")

    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)

    assert report.sent == 1
    assert [("Body" in m, "ContentSid" in m) for m in twilio.state.messages] == [
        (False, True)
    ]


def test_rate_limit_requeues(
    engine: Engine, channel: TwilioChannel, twilio: FakeTwilio
) -> None:
    business_id, outbox_id = _given_row(engine)
    twilio.state.next_errors.append((429, 20429))

    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)

    assert report.retried["twilio_20429"] == 1
    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, outbox_id).state == OutboxState.QUEUED


def test_missing_content_sid_defers(
    engine: Engine, settings: Settings, twilio: FakeTwilio
) -> None:
    business_id, outbox_id = _given_row(engine)
    config = TwilioConfig.from_settings(
        settings.model_copy(update={"twilio_content_sids": {}})
    )
    channel = TwilioChannel(engine, config, clock=lambda: NOW)

    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)
    channel.close()

    assert report.deferred["template_not_approved"] == 1
    assert twilio.state.messages == []


def test_status_webhook_dedupes_and_moves_forward(
    engine: Engine, settings: Settings, channel: TwilioChannel
) -> None:
    business_id, outbox_id = _given_row(engine)
    Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)
    with transaction(engine) as session:
        sid = session.get_one(OutboxMessage, outbox_id).provider_message_id
    client = TestClient(create_app(settings, engine))
    query = f"outbox_id={outbox_id}"

    for status in ("read", "delivered", "read", "sent"):
        form = {
            "MessageSid": str(sid),
            "MessageStatus": status,
            "AccountSid": ACCOUNT_SID,
        }
        response = _post(client, "/webhooks/twilio/status", form, query=query)
        assert response.status_code == 200  # type: ignore[attr-defined]

    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        events = session.scalar(select(func.count()).select_from(WebhookEvent))
        statuses = session.scalar(select(func.count()).select_from(MessageStatusEvent))
    assert row.state == OutboxState.READ
    assert events == 3
    assert statuses == 3


def test_inbound_webhook_stores_message_and_media(
    engine: Engine, settings: Settings, twilio: FakeTwilio
) -> None:
    _given_row(engine)
    twilio.state.media["ME123"] = b"\xff\xd8 receipt"
    client = TestClient(create_app(settings, engine))
    form = {
        "MessageSid": "SMinbound1",
        "From": "whatsapp:+5491155550100",
        "WaId": "5491155550100",
        "Body": "te mando el comprobante",
        "NumMedia": "1",
        "MediaUrl0": f"{twilio.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}"
        "/Messages/SMinbound1/Media/ME123",
        "MediaContentType0": "image/jpeg",
    }

    first = _post(client, "/webhooks/twilio/inbound", form)
    again = _post(client, "/webhooks/twilio/inbound", form)

    assert first.status_code == 200  # type: ignore[attr-defined]
    assert again.status_code == 200  # type: ignore[attr-defined]
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        media = session.scalars(select(InboundMedia)).one()
    assert inbound.customer_id is not None
    assert inbound.type == "image"
    assert media.size == len(b"\xff\xd8 receipt")
    assert media.error is None


def _media_form(message_sid: str, media_sid: str, base_url: str) -> dict[str, str]:
    return {
        "MessageSid": message_sid,
        "From": "whatsapp:+5491155550100",
        "WaId": "5491155550100",
        "Body": "te mando el comprobante",
        "NumMedia": "1",
        "MediaUrl0": f"{base_url}/2010-04-01/Accounts/{ACCOUNT_SID}"
        f"/Messages/{message_sid}/Media/{media_sid}",
        "MediaContentType0": "image/jpeg",
    }


def _stored_media(engine: Engine) -> tuple[InboundMessage, InboundMedia]:
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        media = session.scalars(select(InboundMedia)).one()
        session.expunge_all()
        return inbound, media


def test_inbound_media_failure_keeps_message(
    engine: Engine, settings: Settings, twilio: FakeTwilio
) -> None:
    # given: a media URL for which Twilio returns 404
    _given_row(engine)
    client = TestClient(create_app(settings, engine))
    form = _media_form("SMinbound2", "ME404", twilio.base_url)

    # when: the route stores the body and processes it after the response
    response = _post(client, "/webhooks/twilio/inbound", form)

    # then: the message is kept with the download's error, which is final
    inbound, media = _stored_media(engine)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert inbound.type == "image"
    assert media.media_id == "ME404"
    assert media.error is not None
    assert "not found" in media.error
    assert media.attempts == 1
    assert media.next_attempt_at is None
    assert media.path is None
    assert media.downloaded_at is None


def test_media_server_error_retried(
    engine: Engine, settings: Settings, twilio: FakeTwilio
) -> None:
    # given: an inbound file whose first download gets HTTP 503
    _given_row(engine)
    twilio.state.media["ME503"] = b"\xff\xd8 receipt"
    twilio.state.media_errors = [(503, 20500)]
    client = TestClient(create_app(settings, engine, process_events=False))
    _post(
        client,
        "/webhooks/twilio/inbound",
        _media_form("SMinbound4", "ME503", twilio.base_url),
    )

    # when: processed, then the pending download runs when the retry is due
    process_pending_events(engine, NOW, settings=settings)
    _, failed = _stored_media(engine)
    retried = download_pending_media(engine, NOW + RETRY_DELAYS[0], settings)

    # then: the first failure waits for its retry, which stores the file
    _, media = _stored_media(engine)
    assert failed.attempts == 1
    assert failed.error is None
    assert failed.last_error is not None
    assert "HTTP 503" in failed.last_error
    assert failed.next_attempt_at == NOW + RETRY_DELAYS[0]
    assert retried == 1
    assert len(twilio.state.media_requests) == 2
    assert media.attempts == 2
    assert media.downloaded_at == NOW + RETRY_DELAYS[0]
    assert media.path is not None
    assert Path(media.path).read_bytes() == b"\xff\xd8 receipt"


def test_pending_media_fetched_from_message(
    engine: Engine, settings: Settings, twilio: FakeTwilio
) -> None:
    # given: an inbound file stored by a worker whose pass did not download it
    _given_row(engine)
    twilio.state.media["ME456"] = b"\xff\xd8 receipt"
    client = TestClient(create_app(settings, engine, process_events=False))
    _post(
        client,
        "/webhooks/twilio/inbound",
        _media_form("SMinbound3", "ME456", twilio.base_url),
    )
    with transaction(engine) as session:
        event_id = session.scalars(select(WebhookEvent.id)).one()
    process_event_id(engine, event_id, NOW, settings, prepared=PreparedEvents())
    _, pending = _stored_media(engine)

    # when: the URL is not stored, so the message's media resource is fetched
    downloaded = download_pending_media(engine, NOW + timedelta(minutes=5), settings)

    # then
    _, media = _stored_media(engine)
    assert pending.downloaded_at is None
    assert pending.error is None
    assert downloaded == 1
    assert twilio.state.media_requests == [
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/SMinbound3/Media/ME456"
    ]
    assert media.size == len(b"\xff\xd8 receipt")
    assert media.downloaded_at == NOW + timedelta(minutes=5)
    assert media.error is None


@pytest.mark.parametrize(
    ("signed", "tamper", "status"),
    [(False, False, 401), (True, True, 403)],
)
def test_bad_signature_stores_nothing(
    engine: Engine, settings: Settings, signed: bool, tamper: bool, status: int
) -> None:
    client = TestClient(create_app(settings, engine))
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    url = f"{PUBLIC}/webhooks/twilio/status"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers["X-Twilio-Signature"] = compute_signature(url, form.items(), AUTH_TOKEN)
    body = {**form, "MessageStatus": "read"} if tamper else form

    response = client.post(
        "/webhooks/twilio/status", content=urlencode(body).encode(), headers=headers
    )

    assert response.status_code == status
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


@pytest.mark.parametrize(
    ("signed_host", "status"),
    [("cobranza.example.com:443", 200), ("cobranza.example.com:8443", 403)],
)
def test_signature_accepts_default_port_variant(
    engine: Engine, settings: Settings, signed_host: str, status: int
) -> None:
    client = TestClient(create_app(settings, engine))
    form = {"MessageSid": "SM-port", "MessageStatus": "delivered"}
    url = (
        PUBLIC.replace("cobranza.example.com", signed_host) + "/webhooks/twilio/status"
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": compute_signature(url, form.items(), AUTH_TOKEN),
    }

    response = client.post(
        "/webhooks/twilio/status", content=urlencode(form).encode(), headers=headers
    )

    assert response.status_code == status


def test_url_variants_add_and_remove_default_port() -> None:
    assert url_variants("https://a.example/x?y=1") == [
        "https://a.example/x?y=1",
        "https://a.example:443/x?y=1",
    ]
    assert url_variants("http://a.example:80/x") == [
        "http://a.example:80/x",
        "http://a.example/x",
    ]
    assert url_variants("https://a.example:8443/x") == ["https://a.example:8443/x"]
