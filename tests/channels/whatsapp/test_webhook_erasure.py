"""WhatsApp messages of a customer whose data were erased, processed later.

A signed body goes through an app that only stores it, the customer is
erased while the body waits, and the real event worker processes it. The
fake Graph API on 127.0.0.1 serves the receipt that the message carries.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import process_pending_events
from cobranza.channels.media_owner import MARKER
from cobranza.compliance.erasure import delete_media_files, erase_customer
from cobranza.compliance.personal_data import REDACTED
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    InboundMedia,
    InboundMessage,
    WebhookEvent,
)
from tests.channels.factories import make_business, make_customer, make_outbox_row
from tests.channels.whatsapp.conftest import BUSINESS_NAME, NOW, PHONE
from tests.channels.whatsapp.test_media import MEDIA_ID, RECEIPT, post_stored
from tests.fakes.graph_api import PHONE_NUMBER_ID, WABA_ID, FakeGraphAPI

ERASED_AT = NOW + timedelta(hours=1)
OTHER_PHONE = "+5491155550202"


def _given(engine: Engine) -> tuple[int, int]:
    """Add the business, the customer to erase and another; return their ids."""
    with transaction(engine) as session:
        business = make_business(session, NOW - timedelta(days=1), name=BUSINESS_NAME)
        ana = make_customer(session, business, NOW, "C1", PHONE, name="Ana Quiroga")
        make_customer(session, business, NOW, "C2", OTHER_PHONE, name="Bernardo")
        return business.id, ana.id


def _erase(engine: Engine, business_id: int, customer_id: int) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = session.get_one(Customer, customer_id)
        erase_customer(session, business, customer, ERASED_AT, force=True)


def _receipt(message_id: str, phone: str, at: datetime) -> dict[str, Any]:
    return {
        "from": phone.lstrip("+"),
        "id": message_id,
        "timestamp": str(int(at.timestamp())),
        "type": "document",
        "document": {
            "caption": "ya pagué, soy Ana Quiroga",
            "filename": "comprobante-ana.pdf",
            "mime_type": "application/pdf",
            "sha256": hashlib.sha256(RECEIPT).hexdigest(),
            "id": MEDIA_ID,
        },
    }


def _text(message_id: str, phone: str, at: datetime) -> dict[str, Any]:
    return {
        "from": phone.lstrip("+"),
        "id": message_id,
        "timestamp": str(int(at.timestamp())),
        "type": "text",
        "text": {"body": "hola, ¿cuánto debo?"},
    }


def _body(messages: list[dict[str, Any]], names: dict[str, str]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "5491100000000",
            "phone_number_id": PHONE_NUMBER_ID,
        },
        "contacts": [
            {"profile": {"name": name}, "wa_id": wa_id} for wa_id, name in names.items()
        ],
        "messages": messages,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def _files(settings: Settings) -> list[Path]:
    root = Path(settings.media_dir)
    if not root.exists():
        return []
    return [path for path in root.rglob("*") if path.is_file() and path.name != MARKER]


def test_message_written_before_erasure_is_dropped(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: one body with Ana's receipt and another customer's message,
    # both written before the erasure, waits for the worker
    business_id, ana_id = _given(engine)
    graph.add_media(MEDIA_ID, RECEIPT, "application/pdf")
    ana_wa_id = PHONE.lstrip("+")
    other_wa_id = OTHER_PHONE.lstrip("+")
    body = _body(
        [
            _receipt("wamid.ana-before", PHONE, ERASED_AT - timedelta(minutes=5)),
            _text("wamid.other", OTHER_PHONE, ERASED_AT - timedelta(minutes=4)),
        ],
        {ana_wa_id: "Ana Quiroga", other_wa_id: "Bernardo"},
    )
    event_id = post_stored(settings, engine, body)

    # when: Ana is erased, and then the worker runs
    _erase(engine, business_id, ana_id)
    processed = process_pending_events(
        engine, ERASED_AT + timedelta(minutes=1), settings=settings
    )

    # then: only the other customer's message is stored
    assert processed == 1
    with transaction(engine) as session:
        messages = session.scalars(select(InboundMessage)).all()
        media = session.scalars(select(InboundMedia)).all()
        event = session.get_one(WebhookEvent, event_id)
        stored = json.loads(event.raw_body)
        dropped = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "erased_sender_dropped")
        ).one()
        dropped_details = dropped.details
        senders = [message.sender for message in messages]
    assert senders == [other_wa_id]
    assert media == []
    assert _files(settings) == []
    assert dropped_details == {"provider": "whatsapp", "messages": 1}

    # then: the stored body keeps Ana's message id, but not her phone or text
    value = stored["entry"][0]["changes"][0]["value"]
    assert value["erased_messages"] == [
        {
            "id": "wamid.ana-before",
            "timestamp": str(int((ERASED_AT - timedelta(minutes=5)).timestamp())),
            "type": "document",
        }
    ]
    assert [message["id"] for message in value["messages"]] == ["wamid.other"]
    assert value["contacts"] == [
        {"profile": {"name": "Bernardo"}, "wa_id": other_wa_id}
    ]
    assert ana_wa_id not in event.raw_body.decode()
    assert "Quiroga" not in event.raw_body.decode()


def test_message_written_after_erasure_is_new_contact(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: Ana was erased
    business_id, ana_id = _given(engine)
    _erase(engine, business_id, ana_id)

    # when: her number writes again after the erasure
    ana_wa_id = PHONE.lstrip("+")
    body = _body(
        [_text("wamid.ana-after", PHONE, ERASED_AT + timedelta(minutes=1))],
        {ana_wa_id: "Ana Quiroga"},
    )
    event_id = post_stored(settings, engine, body)
    processed = process_pending_events(
        engine, ERASED_AT + timedelta(minutes=2), settings=settings
    )

    # then: the message is stored as an unknown sender's, and the body stays
    assert processed == 1
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        event = session.get_one(WebhookEvent, event_id)
        dropped = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "erased_sender_dropped")
        ).all()
    assert inbound.customer_id is None
    assert inbound.sender == ana_wa_id
    assert inbound.text == "hola, ¿cuánto debo?"
    assert event.raw_body == body
    assert dropped == []


def test_message_from_variant_of_erased_number_is_dropped(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: Argentina's wa_id without the mobile 9 names the same line
    business_id, ana_id = _given(engine)
    short_wa_id = "54" + PHONE.lstrip("+")[3:]
    body = _body(
        [_text("wamid.ana-short", "+" + short_wa_id, ERASED_AT - timedelta(hours=2))],
        {short_wa_id: "Ana Quiroga"},
    )
    post_stored(settings, engine, body)

    # when
    _erase(engine, business_id, ana_id)
    processed = process_pending_events(
        engine, ERASED_AT + timedelta(minutes=1), settings=settings
    )

    # then
    assert processed == 1
    with transaction(engine) as session:
        assert session.scalars(select(InboundMessage)).all() == []


def test_timestamp_beyond_platform_range(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a body whose timestamp is out of the platform's time_t range,
    # which Python reports as OSError, not ValueError
    business_id, ana_id = _given(engine)
    _erase(engine, business_id, ana_id)
    message = _text("wamid.far", OTHER_PHONE, ERASED_AT)
    message["timestamp"] = "1000000000000000000"
    post_stored(settings, engine, _body([message], {OTHER_PHONE[1:]: "Bernardo"}))

    # when
    processed = process_pending_events(
        engine, ERASED_AT + timedelta(minutes=1), settings=settings
    )

    # then: the message is stored and the event is not marked failed
    assert processed == 1
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        errors = session.scalars(select(WebhookEvent.error)).all()
    assert inbound.provider_message_id == "wamid.far"
    assert errors == [None]


def test_erasure_finds_escaped_message_id(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: a processed status of Ana's message, sent to a number she no
    # longer has, whose JSON escapes the "/" in the message id as "\/"
    business_id, ana_id = _given(engine)
    message_id = "wamid.HBgN/Ab+c="
    with transaction(engine) as session:
        ana = session.get_one(Customer, ana_id)
        row = make_outbox_row(session, ana, NOW)
        row.channel = "whatsapp"
        row.state = "sent"
        row.provider_message_id = message_id
    status = {
        "id": message_id,
        "status": "read",
        "timestamp": str(int(NOW.timestamp())),
        "recipient_id": "5491155559999",
    }
    value = {"metadata": {"phone_number_id": PHONE_NUMBER_ID}, "statuses": [status]}
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}
            ],
        }
    ).encode()
    escaped = body.replace(b"/", b"\\/")
    event_id = post_stored(settings, engine, escaped)
    assert process_pending_events(engine, NOW, settings=settings) == 1

    # when
    _erase(engine, business_id, ana_id)

    # then
    with transaction(engine) as session:
        stored = bytes(session.get_one(WebhookEvent, event_id).raw_body)
    assert b"5491155559999" not in stored
    assert REDACTED.encode() in stored


def _receipt_row(
    session: Session, customer: Customer, message_id: str, path: Path
) -> None:
    message = InboundMessage(
        business_id=customer.business_id,
        customer_id=customer.id,
        channel="whatsapp",
        provider="whatsapp",
        provider_message_id=message_id,
        sender=PHONE.lstrip("+"),
        type="document",
        received_at=NOW,
        entities={},
    )
    session.add(message)
    session.flush()
    session.add(
        InboundMedia(
            business_id=customer.business_id,
            inbound_message_id=message.id,
            provider="whatsapp",
            media_id=f"media-{message_id}",
            mime_type="application/pdf",
            file_name="comprobante.pdf",
            sha256=path.name,
            path=str(path),
            downloaded_at=NOW,
            attempts=1,
        )
    )


def test_erasure_keeps_file_another_business_names(
    engine: Engine, tmp_path: Path
) -> None:
    # given: the same person owes two businesses on one server and sent both
    # the same receipt, stored once because files are named by content
    digest = hashlib.sha256(RECEIPT).hexdigest()
    path = tmp_path / "media" / digest[:2] / digest
    path.parent.mkdir(parents=True)
    path.write_bytes(RECEIPT)
    with transaction(engine) as session:
        first = make_business(session, NOW, name="Primera SRL")
        second = make_business(session, NOW, name="Segunda SRL")
        ana = make_customer(session, first, NOW, "C1", PHONE, name="Ana Quiroga")
        same = make_customer(session, second, NOW, "X9", PHONE, name="Ana Quiroga")
        _receipt_row(session, ana, "wamid.first", path)
        _receipt_row(session, same, "wamid.second", path)
        first_id, ana_id = first.id, ana.id

    # when: the first business erases her
    with transaction(engine) as session:
        result = erase_customer(
            session,
            session.get_one(Business, first_id),
            session.get_one(Customer, ana_id),
            ERASED_AT,
            force=True,
        )
    failures = delete_media_files(result.media_paths)

    # then: the second business's receipt is still on disk
    assert result.media_paths == []
    assert failures == []
    assert path.read_bytes() == RECEIPT


def _erase_now(engine: Engine, business_id: int, customer_id: int) -> None:
    """Erase at the clock's time, to compare with the time a body was stored."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = session.get_one(Customer, customer_id)
        erase_customer(session, business, customer, datetime.now(UTC), force=True)


@pytest.mark.parametrize("timestamp", [None, "in a day", "not a number"])
def test_stored_before_erasure_untrusted_time(
    engine: Engine, settings: Settings, graph: FakeGraphAPI, timestamp: str | None
) -> None:
    # given: a body stored before the erasure whose timestamp is missing,
    # in the future or invalid, so the time it was stored counts
    business_id, ana_id = _given(engine)
    message = _text("wamid.ana-untrusted", PHONE, NOW)
    if timestamp is None:
        del message["timestamp"]
    elif timestamp == "in a day":
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        message["timestamp"] = str(int(tomorrow.timestamp()))
    else:
        message["timestamp"] = timestamp
    post_stored(settings, engine, _body([message], {PHONE[1:]: "Ana Quiroga"}))

    # when
    _erase_now(engine, business_id, ana_id)
    processed = process_pending_events(engine, datetime.now(UTC), settings=settings)

    # then
    assert processed == 1
    with transaction(engine) as session:
        assert session.scalars(select(InboundMessage)).all() == []


def test_stored_after_erasure_without_time(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # given: Ana was erased
    business_id, ana_id = _given(engine)
    _erase_now(engine, business_id, ana_id)

    # when: her number writes again, in a body without a timestamp
    message = _text("wamid.ana-new", PHONE, NOW)
    del message["timestamp"]
    post_stored(settings, engine, _body([message], {PHONE[1:]: "Ana Quiroga"}))
    processed = process_pending_events(engine, datetime.now(UTC), settings=settings)

    # then: a new contact's message is stored
    assert processed == 1
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
    assert inbound.provider_message_id == "wamid.ana-new"
    assert inbound.customer_id is None
