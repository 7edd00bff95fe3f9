"""Receipts sent over WhatsApp: downloaded before the write transaction, then stored.

A signed webhook goes through the app, which only stores it, and the event
is processed as the event worker does. The fake Graph API on 127.0.0.1
serves the media, and can hold a download open while a probe checks that
nothing locks the database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.inbox import (
    EventWorker,
    PreparedEvents,
    process_event_id,
    process_pending_events,
)
from cobranza.channels.media import download_pending_media
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    CaseState,
    InboundMedia,
    InboundMessage,
    WebhookEvent,
)
from cobranza.web.app import create_app
from tests.channels.factories import make_business, make_customer, make_document
from tests.channels.whatsapp.conftest import BUSINESS_NAME, NOW, PHONE, sign
from tests.fakes.graph_api import PHONE_NUMBER_ID, WABA_ID, FakeGraphAPI
from tests.lock_probe import Probe
from tests.polling import wait_for

PROCESSED_AT = NOW + timedelta(minutes=1)
RETRIED_AT = NOW + timedelta(minutes=5)
RECEIPT = b"%PDF-1.4 comprobante de transferencia"
MEDIA_ID = "media-receipt-7"


def given_case(engine: Engine) -> int:
    """Add the business, a customer owing one invoice and the customer's case."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        customer = make_customer(session, business, NOW, "C1", PHONE, name="Ana")
        make_document(session, customer, NOW, "A-0001", "1500.00", date(2026, 3, 5))
        case = Case(
            business_id=business.id,
            customer_id=customer.id,
            state=CaseState.OPEN,
            planned_step="reminder_soft",
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        return case.id


def receipt_body(message_id: str = "wamid.receipt1", media_id: str = MEDIA_ID) -> bytes:
    """Build a webhook body with one PDF receipt from the customer."""
    document = {
        "caption": "ya pagué",
        "filename": "comprobante.pdf",
        "mime_type": "application/pdf",
        "sha256": hashlib.sha256(RECEIPT).hexdigest(),
        "id": media_id,
    }
    message = {
        "from": PHONE.lstrip("+"),
        "id": message_id,
        "timestamp": str(int(NOW.timestamp())),
        "type": "document",
        "document": document,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "5491100000000",
            "phone_number_id": PHONE_NUMBER_ID,
        },
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": PHONE.lstrip("+")}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def post_stored(settings: Settings, engine: Engine, body: bytes) -> int:
    """Post a signed body to an app that only stores events; return the event id."""
    client = TestClient(create_app(settings, engine, process_events=False))
    response = client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 200
    with transaction(engine) as session:
        return session.scalars(
            select(WebhookEvent.id).order_by(WebhookEvent.id.desc())
        ).first()  # type: ignore[return-value]


def stored(engine: Engine) -> tuple[InboundMessage, InboundMedia]:
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        media = session.scalars(select(InboundMedia)).one()
        session.expunge_all()
        return inbound, media


def pending_receipt(settings: Settings, engine: Engine) -> None:
    """Store a receipt as a worker whose pass before the transaction missed it."""
    given_case(engine)
    event_id = post_stored(settings, engine, receipt_body())
    done = process_event_id(
        engine, event_id, PROCESSED_AT, settings, prepared=PreparedEvents()
    )
    assert done is True


def test_receipt_downloaded_and_stored(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a customer with a case, and a signed receipt stored by the app
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    post_stored(settings, engine, receipt_body())

    # when
    processed = process_pending_events(engine, PROCESSED_AT, settings=settings)

    # then: the file is stored and described, and the reply was acted on
    inbound, media = stored(engine)
    assert processed == 1
    assert len(graph.state.media_requests) == 2
    assert media.inbound_message_id == inbound.id
    assert media.media_id == MEDIA_ID
    assert media.mime_type == "application/pdf"
    assert media.file_name == "comprobante.pdf"
    assert media.sha256 == hashlib.sha256(RECEIPT).hexdigest()
    assert media.size == len(RECEIPT)
    assert media.path is not None
    assert Path(media.path).read_bytes() == RECEIPT
    assert media.downloaded_at == PROCESSED_AT
    assert media.error is None
    assert inbound.action_taken == "receipt_to_verify"


def test_download_holds_no_database_lock(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a stored receipt whose download the fake keeps open for a second
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    event_id = post_stored(settings, engine, receipt_body())
    probe = Probe(engine, event_id)
    graph.state.media_delay = 1.0
    graph.state.on_media_download = probe

    # when: the event is processed, and the probe runs during the download
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    probe.join()

    # then: other connections could write, and the download was stored
    probe.assert_nothing_waited()
    _, media = stored(engine)
    assert media.path is not None
    assert media.error is None


def test_failed_download_keeps_message(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt whose media id the Graph API does not know
    given_case(engine)
    event_id = post_stored(settings, engine, receipt_body())

    # when
    processed = process_pending_events(engine, PROCESSED_AT, settings=settings)
    retried = download_pending_media(engine, RETRIED_AT, settings)

    # then: the message and the error are stored, and the failure is final
    inbound, media = stored(engine)
    with transaction(engine) as session:
        event = session.get_one(WebhookEvent, event_id)
    assert processed == 1
    assert event.processed_at == PROCESSED_AT
    assert event.error is None
    assert inbound.action_taken == "receipt_to_verify"
    assert media.error is not None
    assert f"media {MEDIA_ID} not found" in media.error
    assert media.path is None
    assert media.downloaded_at is None
    assert retried == 0
    assert len(graph.state.media_requests) == 1


def test_sha256_mismatch_stored_with_error(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: the Graph API reports a sha256 that the content does not have
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    graph.state.media_sha256[MEDIA_ID] = "0" * 64
    post_stored(settings, engine, receipt_body())

    # when
    process_pending_events(engine, PROCESSED_AT, settings=settings)

    # then: the file is kept with the mismatch as its error
    _, media = stored(engine)
    assert media.path is not None
    assert media.downloaded_at == PROCESSED_AT
    assert media.error is not None
    assert "differs from the " + "0" * 64 in media.error


def test_stored_message_not_downloaded_again(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt processed, then redelivered in a body with another key
    given_case(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    body = receipt_body()
    post_stored(settings, engine, body)
    process_pending_events(engine, PROCESSED_AT, settings=settings)
    post_stored(settings, engine, body + b"\n")

    # when
    processed = process_pending_events(engine, RETRIED_AT, settings=settings)

    # then: the second event is processed without a second download
    _, media = stored(engine)
    assert processed == 1
    assert len(graph.state.media_requests) == 2
    assert media.downloaded_at == PROCESSED_AT


def test_unprepared_receipt_left_pending(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: the Graph API has the file
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")

    # when: a worker processes the event with a pass that did not cover it
    pending_receipt(settings, engine)

    # then: no request was sent, and the row waits for its download
    inbound, media = stored(engine)
    assert graph.state.media_requests == []
    assert inbound.action_taken == "receipt_to_verify"
    assert media.media_id == MEDIA_ID
    assert media.path is None
    assert media.downloaded_at is None
    assert media.error is None


def test_pending_receipt_downloaded_later(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt left pending
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    pending_receipt(settings, engine)

    # when
    first = download_pending_media(engine, RETRIED_AT, settings)
    second = download_pending_media(engine, RETRIED_AT, settings)

    # then: downloaded once, as when it is downloaded before processing
    _, media = stored(engine)
    assert first == 1
    assert second == 0
    assert len(graph.state.media_requests) == 2
    assert media.path is not None
    assert Path(media.path).read_bytes() == RECEIPT
    assert media.sha256 == hashlib.sha256(RECEIPT).hexdigest()
    assert media.size == len(RECEIPT)
    assert media.downloaded_at == RETRIED_AT
    assert media.error is None


def test_pending_receipt_failure_is_final(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt left pending whose media id the Graph API does not know
    pending_receipt(settings, engine)

    # when
    first = download_pending_media(engine, RETRIED_AT, settings)
    second = download_pending_media(engine, RETRIED_AT, settings)

    # then: the error is stored once and the download not tried again
    _, media = stored(engine)
    assert first == 1
    assert second == 0
    assert len(graph.state.media_requests) == 1
    assert media.error is not None
    assert f"media {MEDIA_ID} not found" in media.error
    assert media.downloaded_at is None


def test_event_worker_downloads_pending_receipt(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a receipt left pending
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    pending_receipt(settings, engine)
    worker = EventWorker(engine, settings, interval=0.05, clock=lambda: RETRIED_AT)

    # when: the worker starts, as `cobranza serve` and `cobranza worker` start it
    worker.start()
    try:
        downloaded = wait_for(lambda: stored(engine)[1].downloaded_at is not None)
    finally:
        worker.stop()

    # then
    _, media = stored(engine)
    assert downloaded is True
    assert media.downloaded_at == RETRIED_AT
    assert media.path is not None
    assert media.error is None
