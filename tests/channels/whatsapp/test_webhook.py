"""The WhatsApp webhook route and event processing, end to end."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cobranza.channels.inbox import EventWorker, process_pending_events, store_event
from cobranza.channels.whatsapp import WhatsAppConfig
from cobranza.channels.whatsapp.webhook import event_key
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Customer,
    InboundMedia,
    InboundMessage,
    MessageStatusEvent,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    WebhookEvent,
    WhatsAppTemplate,
)
from cobranza.dunning import outbox
from cobranza.web.app import create_app
from cobranza.web.bodies import MAX_WEBHOOK_BODY
from tests.channels.factories import make_business, make_customer, make_outbox_row
from tests.channels.whatsapp.conftest import (
    BUSINESS_NAME,
    NOW,
    PHONE,
    VERIFY_TOKEN,
    channel_for,
    dispatcher_for,
    given_rows,
    sign,
)
from tests.conftest import shared_data
from tests.fakes.graph_api import WABA_ID, FakeGraphAPI

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def client(settings: Settings, engine: Engine) -> TestClient:
    return TestClient(create_app(settings, engine))


def _post(client: TestClient, body: bytes, signature: str | None = "sign") -> Any:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = sign(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/webhooks/whatsapp", content=body, headers=headers)


def _fixture(name: str, **replace: object) -> bytes:
    text = (FIXTURES / name).read_text()
    for key, value in replace.items():
        text = text.replace(key, str(value))
    return text.encode()


def _count(engine: Engine, model: type[Any]) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _business(engine: Engine) -> int:
    with transaction(engine) as session:
        return make_business(session, NOW, name=BUSINESS_NAME).id


def _sent_row(engine: Engine, wamid: str, phone: str = PHONE) -> int:
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        customer = make_customer(session, business, NOW, "C1", phone)
        row = make_outbox_row(session, customer, NOW)
        row.channel = "whatsapp"
        row.state = OutboxState.SENT
        row.provider_message_id = wamid
        row.sent_at = NOW
        return row.id


def test_verification_echoes_challenge(client: TestClient) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }

    accepted = client.get("/webhooks/whatsapp", params=params)
    rejected = client.get(
        "/webhooks/whatsapp", params={**params, "hub.verify_token": "wrong"}
    )

    assert accepted.status_code == 200
    assert accepted.text == "1158201444"
    assert rejected.status_code == 403


@pytest.mark.parametrize(
    ("signature", "body", "status"),
    [
        (None, b'{"object": "whatsapp_business_account", "entry": []}', 401),
        ("sha256=" + "0" * 64, b'{"object": "x", "entry": []}', 403),
        ("md5=abc", b'{"object": "x", "entry": []}', 403),
        ("sign", b"not json", 400),
        ("sign", b"[1, 2]", 400),
        ("sign", b"[" * 100_000 + b"]" * 100_000, 400),
    ],
)
def test_rejected_post_stores_nothing(
    client: TestClient, engine: Engine, signature: str | None, body: bytes, status: int
) -> None:
    response = _post(client, body, signature)

    assert response.status_code == status
    assert _count(engine, WebhookEvent) == 0


def test_oversized_body_rejected(client: TestClient, engine: Engine) -> None:
    padding = " " * MAX_WEBHOOK_BODY
    body = f'{{"object": "whatsapp_business_account", "entry": []{padding}}}'.encode()

    signed = _post(client, body)
    unsigned = _post(client, body, signature=None)

    assert signed.status_code == 413
    assert unsigned.status_code == 413
    assert _count(engine, WebhookEvent) == 0


def test_oversized_streamed_body_rejected(client: TestClient, engine: Engine) -> None:
    # Sent in chunks with no Content-Length, so reading stops at the limit.
    chunk = b" " * 65536
    count = MAX_WEBHOOK_BODY // len(chunk) + 2

    def chunks() -> Any:
        yield b'{"object": "whatsapp_business_account", "entry": []'
        for _ in range(count):
            yield chunk
        yield b"}"

    response = client.post(
        "/webhooks/whatsapp",
        content=chunks(),
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": "x"},
    )

    assert response.status_code == 413
    assert _count(engine, WebhookEvent) == 0


def test_forged_body_changes_nothing(client: TestClient, engine: Engine) -> None:
    outbox_id = _sent_row(engine, "wamid.out1")
    genuine = _fixture("mixed_batch.json")
    forged = genuine.replace(b'"status": "read"', b'"status": "failed"')

    response = _post(client, forged, signature=sign(genuine))

    assert response.status_code == 403
    assert _count(engine, WebhookEvent) == 0
    assert _count(engine, InboundMessage) == 0
    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, outbox_id).state == OutboxState.SENT


def test_signature_over_escaped_unicode_bytes(
    client: TestClient, engine: Engine
) -> None:
    _business(engine)
    body = (
        b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{'
        b'"field":"messages","value":{"metadata":{"phone_number_id":"1122334455667"},'
        b'"messages":[{"from":"5491199990000","id":"wamid.esc","timestamp":"1773147600",'
        b'"type":"text","text":{"body":"J\\u00e4 pagu\\u00e9 https:\\/\\/x.com '
        b'ana\\u0040mail.com"}}]}}]}]}'
    )

    response = _post(client, body)

    assert response.status_code == 200
    with transaction(engine) as session:
        event = session.scalars(select(WebhookEvent)).one()
        inbound = session.scalars(select(InboundMessage)).one()
    assert event.raw_body == body
    assert event.processed_at is not None
    assert inbound.text == "Jä pagué https://x.com ana@mail.com"


def test_nul_character_in_reply_is_replaced(client: TestClient, engine: Engine) -> None:
    _business(engine)
    body = (
        b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{'
        b'"field":"messages","value":{"metadata":{"phone_number_id":"1122334455667"},'
        b'"messages":[{"from":"5491199990000","id":"wamid.nul","timestamp":"1773147600",'
        b'"type":"text","text":{"body":"ya pagu\\u00e9\\u0000 el lunes"}}]}}]}]}'
    )

    response = _post(client, body)

    assert response.status_code == 200
    with transaction(engine) as session:
        event = session.scalars(select(WebhookEvent)).one()
        inbound = session.scalars(select(InboundMessage)).one()
    assert event.processed_at is not None
    assert event.error is None
    assert inbound.text == "ya pagu\u00e9\ufffd el lunes"


def test_duplicate_delivery_stored_once(client: TestClient, engine: Engine) -> None:
    _business(engine)
    body = _fixture("mixed_batch.json")

    first = _post(client, body)
    second = _post(client, body)

    assert first.status_code == 200
    assert second.status_code == 200
    assert _count(engine, WebhookEvent) == 1
    assert _count(engine, InboundMessage) == 6


def test_mixed_batch_handles_every_change(
    client: TestClient, engine: Engine, graph: FakeGraphAPI
) -> None:
    outbox_id = _sent_row(engine, "wamid.out1", phone="+5491155550100")
    graph.add_media("media-receipt-1", b"%PDF-1.4 comprobante", "application/pdf")

    response = _post(client, _fixture("mixed_batch.json"))

    assert response.status_code == 200
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        inbound = {
            m.provider_message_id: m for m in session.scalars(select(InboundMessage))
        }
        customer = session.get_one(Customer, row.customer_id)
        media = session.scalars(select(InboundMedia)).one()
        statuses = session.scalars(select(MessageStatusEvent)).all()
        received = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "inbound_received")
        ).all()
    assert row.state == OutboxState.READ
    assert row.delivered_at is not None
    assert {s.status for s in statuses} == {"read", "delivered"}
    assert any(s.pricing and s.pricing["category"] == "utility" for s in statuses)
    assert len(inbound) == 6
    assert inbound["wamid.in1"].customer_id == customer.id
    assert inbound["wamid.in1"].text == "Pago el viernes"
    assert inbound["wamid.in2"].details == {"payload": "paid"}
    assert inbound["wamid.in2"].reply_to == "wamid.out1"
    assert inbound["wamid.in3"].customer_id is None
    assert inbound["wamid.in3"].text == "Pagar"
    assert inbound["wamid.in5"].details["removed"] is True
    assert inbound["wamid.in6"].type == "unsupported"
    assert customer.wa_user_id == "AR.1234567890"
    assert customer.wa_id == "541155550100"
    assert media.path is not None and Path(media.path).read_bytes().startswith(b"%PDF")
    assert media.error is None
    assert len(received) == 6


def test_late_sent_never_downgrades(client: TestClient, engine: Engine) -> None:
    outbox_id = _sent_row(engine, "wamid.out1")
    read = {"id": "wamid.out1", "status": "read", "timestamp": "1773147700"}
    sent = {"id": "wamid.out1", "status": "sent", "timestamp": "1773147600"}

    for status in (read, sent, read):
        _post(client, _status_body(status))

    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert row.state == OutboxState.READ
        assert row.read_at is not None
    assert _count(engine, MessageStatusEvent) == 2


def test_failed_after_sent_is_final(client: TestClient, engine: Engine) -> None:
    outbox_id = _sent_row(engine, "wamid.failed1", phone="+5491155550100")
    _post(client, _status_body({"id": "wamid.failed1", "status": "sent"}))
    _post(client, _fixture("failed_wa_id_only.json", OUTBOX_ID=outbox_id))
    _post(client, _status_body({"id": "wamid.failed1", "status": "sent"}))

    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        customer = session.get_one(Customer, row.customer_id)
        assert row.state == OutboxState.FAILED
        assert row.error_code == "131026"
        assert customer.phone_status == PhoneStatus.NOT_ON_WHATSAPP


@pytest.mark.parametrize("success", ["delivered", "read"])
@pytest.mark.parametrize("failure_first", [True, False])
def test_failure_never_beats_delivery(
    client: TestClient, engine: Engine, success: str, failure_first: bool
) -> None:
    # Given a sent message, and Meta's success status and 131026 failure
    # for it.
    outbox_id = _sent_row(engine, "wamid.failed1", phone="+5491155550100")
    failure = _fixture("failed_wa_id_only.json", OUTBOX_ID=outbox_id)
    reached = _status_body({"id": "wamid.failed1", "status": success})
    bodies = [failure, reached] if failure_first else [reached, failure]

    # When both arrive, signed, through the webhook endpoint in this order.
    responses = [_post(client, body).status_code for body in bodies]

    # Then the message is recorded as having reached the phone, the number
    # stays on WhatsApp, and the failure's error is kept for the audit.
    assert responses == [200, 200]
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        customer = session.get_one(Customer, row.customer_id)
        failed = session.scalars(
            select(MessageStatusEvent).where(MessageStatusEvent.status == "failed")
        ).one()
        audits = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == outbox_id)
        ).all()
    assert row.state == success
    assert row.delivered_at is not None
    assert row.failed_at is None
    assert row.error_code is None
    assert customer.phone_status == PhoneStatus.VALID
    assert customer.phone_problem is None
    assert failed.error_code == "131026"
    assert failed.error_detail == "Message Undeliverable."
    recorded = [a for a in audits if (a.details or {}).get("error_code") == "131026"]
    recorded += [a for a in audits if a.reason == "131026"]
    assert recorded, [(a.kind, a.reason, a.details) for a in audits]


def test_window_error_status_is_stored(client: TestClient, engine: Engine) -> None:
    outbox_id = _sent_row(engine, "wamid.window1")

    _post(client, _fixture("error_131047.json"))

    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert row.state == OutboxState.FAILED
        assert row.error_code == "131047"
        assert "24 hours" in (row.error_detail or "")


def test_status_before_send_returns(
    client: TestClient, engine: Engine, config: WhatsAppConfig
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert outbox.claim(session, row, NOW)

    _post(
        client,
        _status_body(
            {
                "id": "wamid.early",
                "status": "delivered",
                "biz_opaque_callback_data": f"outbox:{outbox_id}",
            }
        ),
    )
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        assert row.state == OutboxState.DELIVERED
        assert row.provider_message_id == "wamid.early"
        outbox.mark_sent(session, row, "wamid.early", NOW)

    assert channel_for(engine, config).lookup(outbox_id) is not None
    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, outbox_id).state == OutboxState.DELIVERED


def test_event_left_unprocessed_is_processed_after_restart(
    engine: Engine, settings: Settings
) -> None:
    _business(engine)
    body = _fixture("mixed_batch.json")
    store_event(engine, "whatsapp", event_key(body), body, {}, NOW)
    assert _count(engine, InboundMessage) == 0

    processed = process_pending_events(engine, NOW, settings=settings)

    assert processed == 1
    assert _count(engine, InboundMessage) == 6
    assert process_pending_events(engine, NOW, settings=settings) == 0


def test_failed_processing_keeps_event_for_retry(
    engine: Engine, settings: Settings
) -> None:
    body = _fixture("mixed_batch.json")
    store_event(engine, "whatsapp", event_key(body), body, {}, NOW)

    assert process_pending_events(engine, NOW, settings=settings) == 0
    with transaction(engine) as session:
        event = session.scalars(select(WebhookEvent)).one()
        assert event.processed_at is None
        assert event.attempts == 1
        assert "no business" in (event.error or "")
    _business(engine)

    assert process_pending_events(engine, NOW, settings=settings) == 1
    assert _count(engine, InboundMessage) == 6


def test_template_webhooks_update_status(client: TestClient, engine: Engine) -> None:
    _business(engine)
    cases = json.loads(
        shared_data("whatsapp-webhooks", "template_status_update.json").read_text()
    )
    category = json.loads(
        shared_data("whatsapp-webhooks", "template_category_update.json").read_text()
    )

    # Meta's sample of the category change is for another business account.
    category["marketing"]["entry"][0]["id"] = WABA_ID

    for body in (cases["approved"], cases["rejected"], category["marketing"]):
        assert _post(client, json.dumps(body).encode()).status_code == 200

    with transaction(engine) as session:
        templates = {t.name: t for t in session.scalars(select(WhatsAppTemplate))}
    assert templates["order_confirmation"].status == "APPROVED"
    assert templates["abandoned_cart"].status == "REJECTED"
    assert "parameters placed next to each other" in (
        templates["abandoned_cart"].rejected_reason or ""
    )
    assert templates["my_message_template"].new_category == "MARKETING"


def test_template_webhook_of_other_account_is_skipped(
    client: TestClient, engine: Engine
) -> None:
    _business(engine)
    category = json.loads(
        shared_data("whatsapp-webhooks", "template_category_update.json").read_text()
    )

    # Meta's sample is for business account 57438975935, not the one served.
    body = json.dumps(category["marketing"]).encode()
    assert _post(client, body).status_code == 200

    with transaction(engine) as session:
        assert session.scalars(select(WhatsAppTemplate)).all() == []


SHARED_FILES = [
    "account_update.json",
    "call_connect.json",
    "call_permission_update.json",
    "call_status.json",
    "call_terminate.json",
    "callback_button.json",
    "callback_selection.json",
    "deleted_message.json",
    "edited_message.json",
    "flow_completion.json",
    "message.json",
    "message_status.json",
    "outgoing_message.json",
    "system.json",
    "template_category_update.json",
    "template_components_update.json",
    "template_quality_update.json",
    "template_status_update.json",
    "user_marketing_preferences.json",
]


@pytest.mark.shared_data
@pytest.mark.parametrize("file_name", SHARED_FILES)
def test_every_shared_payload_is_processed(
    sqlite_engine: Engine, settings: Settings, file_name: str
) -> None:
    client = TestClient(create_app(settings, sqlite_engine))
    _business(sqlite_engine)
    cases = json.loads(shared_data("whatsapp-webhooks", file_name).read_text())

    for body in cases.values():
        assert _post(client, json.dumps(body).encode()).status_code == 200

    with transaction(sqlite_engine) as session:
        events = session.scalars(select(WebhookEvent)).all()
    assert len(events) == len(cases)
    assert [e.error for e in events if e.error] == []
    assert all(e.processed_at is not None for e in events)


def test_no_phone_or_text_logged_at_info(
    client: TestClient,
    engine: Engine,
    config: WhatsAppConfig,
    graph: FakeGraphAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    caplog.set_level(logging.DEBUG)

    dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)
    _post(client, _fixture("mixed_batch.json"))
    _post(client, _fixture("failed_wa_id_only.json", OUTBOX_ID=outbox_id))
    _post(client, b"not json")

    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert loud, "the cycle should log at INFO"
    secrets = ["5491155550100", "541155550100", "5491199998888", "Pago el viernes"]
    secrets += ["Ana (ficticia)", "Ya pagué", "comprobante"]
    for record in loud:
        text = record.getMessage()
        for secret in secrets:
            assert secret not in text, f"{secret!r} logged at {record.levelname}"


def _status_body(status: dict[str, Any]) -> bytes:
    status = {"timestamp": "1773147600", "recipient_id": "5491155550100", **status}
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": "1122334455667"},
                            "statuses": [status],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(body).encode()


def test_failed_before_send_returns_stays_failed(
    client: TestClient, engine: Engine
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    with transaction(engine) as session:
        assert outbox.claim(session, session.get_one(OutboxMessage, outbox_id), NOW)
    _post(client, _fixture("failed_wa_id_only.json", OUTBOX_ID=outbox_id))

    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        outbox.mark_sent(session, row, "wamid.failed1", NOW)

    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, outbox_id).state == OutboxState.FAILED


def test_startup_processes_pending_events(settings: Settings, engine: Engine) -> None:
    _business(engine)
    body = _fixture("mixed_batch.json")
    store_event(engine, "whatsapp", event_key(body), body, {}, NOW)

    with TestClient(create_app(settings, engine)):
        for _ in range(100):
            if _count(engine, InboundMessage) == 6:
                break
            time.sleep(0.05)

    assert _count(engine, InboundMessage) == 6
    with transaction(engine) as session:
        assert session.scalars(select(WebhookEvent)).one().processed_at is not None


def test_pending_payment_events_are_left_alone(
    settings: Settings, engine: Engine
) -> None:
    # A Mercado Pago notification shares the table but has its own worker.
    _business(engine)
    body = b'{"type": "payment", "data": {"id": "123"}}'
    store_event(engine, "mercadopago", "mp-123", body, {}, NOW)

    processed = process_pending_events(engine, NOW, settings=settings)

    assert processed == 0
    with transaction(engine) as session:
        event = session.scalars(select(WebhookEvent)).one()
    assert event.attempts == 0
    assert event.error is None


def _delivered_body(wamid: str) -> bytes:
    return _status_body({"id": wamid, "status": "delivered"})


def _committed(engine: Engine, body: bytes) -> bool:
    """Look the body up on a connection of its own, which reads only committed rows."""
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).where(WebhookEvent.event_key == event_key(body))
        )
    return count == 1


def test_concurrent_posts_stored_once(settings: Settings, engine: Engine) -> None:
    _business(engine)
    bodies = [_delivered_body(f"wamid.concurrent{index}") for index in range(20)]

    def post_and_check(body: bytes) -> tuple[int, bool]:
        response = _post(client, body)
        return response.status_code, _committed(engine, body)

    with TestClient(create_app(settings, engine)) as client:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(post_and_check, bodies + bodies))

    assert [status for status, _ in results] == [200] * 40
    assert all(committed for _, committed in results)
    assert _count(engine, WebhookEvent) == 20


def test_post_answers_503_when_store_fails(
    settings: Settings, sqlite_engine: Engine
) -> None:
    # A trigger makes the database reject one body, as a full disk would.
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER reject_poison BEFORE INSERT ON webhook_event "
            "WHEN CAST(NEW.raw_body AS TEXT) LIKE '%poison%' "
            "BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END"
        )
    client = TestClient(create_app(settings, sqlite_engine))

    rejected = _post(client, _delivered_body("wamid.poison"))
    accepted = _post(client, _delivered_body("wamid.fine"))

    assert rejected.status_code == 503
    assert "not stored" in rejected.json()["detail"]
    assert accepted.status_code == 200
    assert _count(sqlite_engine, WebhookEvent) == 1


def test_failed_event_rolls_back_only_itself(
    engine: Engine, settings: Settings
) -> None:
    _business(engine)
    bodies = [
        _delivered_body("wamid.batch1"),
        b"not json",
        _delivered_body("wamid.batch2"),
    ]
    for body in bodies:
        store_event(engine, "whatsapp", event_key(body), body, {}, NOW)

    processed = process_pending_events(engine, NOW, settings=settings, batch_size=3)

    assert processed == 2
    assert _count(engine, MessageStatusEvent) == 2
    with transaction(engine) as session:
        events = {
            event.raw_body: event for event in session.scalars(select(WebhookEvent))
        }
    assert events[b"not json"].processed_at is None
    assert events[b"not json"].attempts == 1
    assert "not JSON" in (events[b"not json"].error or "")
    for body in (bodies[0], bodies[2]):
        assert events[body].processed_at is not None
        assert events[body].attempts == 1


def test_worker_catches_up_while_ingest_busy(
    engine: Engine, settings: Settings
) -> None:
    _business(engine)
    for index in range(45):
        body = _delivered_body(f"wamid.busy{index}")
        store_event(engine, "whatsapp", event_key(body), body, {}, NOW)
    worker = EventWorker(engine, settings, clock=lambda: NOW, ingest_busy=lambda: True)

    worker.start()
    try:
        for _ in range(400):
            if _count(engine, MessageStatusEvent) == 45:
                break
            time.sleep(0.05)
    finally:
        worker.stop()

    assert _count(engine, MessageStatusEvent) == 45
