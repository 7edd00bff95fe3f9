"""Twilio webhooks of a customer whose data were erased.

Status callbacks and inbound messages come through the signed routes of an
app that only stores them, and the real event worker processes them. The
routes stamp each body with the system clock, so the erasures here run at
the system clock's time too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.inbox import process_pending_events
from cobranza.channels.media_owner import MARKER
from cobranza.channels.twilio import TwilioChannel
from cobranza.compliance.erasure import erase_customer
from cobranza.compliance.personal_data import REDACTED
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    InboundMedia,
    InboundMessage,
    MessageStatusEvent,
    OutboxMessage,
    OutboxState,
    WebhookEvent,
)
from cobranza.web.app import create_app
from tests.channels.factories import make_customer, make_outbox_row
from tests.channels.twilio.fake_twilio import ACCOUNT_SID, FakeTwilio
from tests.channels.twilio.test_twilio import (  # noqa: F401 (fixtures)
    NOW,
    _given_row,
    _post,
    channel,
    settings,
    twilio,
)

# The phone of the customer that `_given_row` adds, and of a second one.
PHONE = "+5491155550100"
OTHER_PHONE = "+5491155550200"
OTHER_SID = "SM0000000000000000000000000000other"


def _erase(engine: Engine, business_id: int, phone: str, now: datetime) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = session.scalars(
            select(Customer).where(
                Customer.business_id == business_id, Customer.phone == phone
            )
        ).one()
        erase_customer(session, business, customer, now, force=True)


def _add_other_message(engine: Engine, business_id: int) -> int:
    """Add a second customer with a message sent through Twilio; return its id."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        other = make_customer(session, business, NOW, "C2", OTHER_PHONE)
        row = make_outbox_row(session, other, NOW, key="k2")
        row.channel = "twilio"
        row.state = OutboxState.SENT
        row.provider_message_id = OTHER_SID
        row.sent_at = NOW
        return row.id


def _status_form(sid: str, phone: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": "undelivered",
        "AccountSid": ACCOUNT_SID,
        "From": "whatsapp:+5491100000000",
        "To": f"whatsapp:{phone}",
        "ChannelToAddress": phone,
        "ErrorCode": "63016",
        "ErrorMessage": f"Failed to send to {phone}",
    }


def _stored_form(engine: Engine, event_id: int) -> dict[str, str]:
    with transaction(engine) as session:
        event = session.get_one(WebhookEvent, event_id)
        assert event.processed_at is not None
        assert event.error is None
        return dict(parse_qsl(event.raw_body.decode(), keep_blank_values=True))


def _event_ids(engine: Engine) -> list[int]:
    with transaction(engine) as session:
        return list(session.scalars(select(WebhookEvent.id).order_by(WebhookEvent.id)))


@pytest.mark.parametrize("posted", ["before_erasure", "after_erasure"])
def test_status_of_erased_customer_loses_phone(
    engine: Engine,
    settings: Settings,  # noqa: F811
    channel: TwilioChannel,  # noqa: F811
    posted: str,
) -> None:
    # given: a message sent to the customer, and one to another customer
    business_id, outbox_id = _given_row(engine)
    Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)
    other_id = _add_other_message(engine, business_id)
    with transaction(engine) as session:
        sid = str(session.get_one(OutboxMessage, outbox_id).provider_message_id)
    client = TestClient(create_app(settings, engine, process_events=False))

    def post_statuses() -> None:
        forms = [
            (_status_form(sid, PHONE), outbox_id),
            (_status_form(OTHER_SID, OTHER_PHONE), other_id),
        ]
        for form, row_id in forms:
            response = _post(
                client, "/webhooks/twilio/status", form, query=f"outbox_id={row_id}"
            )
            assert response.status_code == 200  # type: ignore[attr-defined]

    # when: the callbacks come before the erasure and wait for the worker,
    # or come after it
    if posted == "before_erasure":
        post_statuses()
        _erase(engine, business_id, PHONE, datetime.now(UTC))
    else:
        _erase(engine, business_id, PHONE, datetime.now(UTC))
        post_statuses()
    processed = process_pending_events(
        engine, datetime.now(UTC) + timedelta(seconds=1), settings=settings
    )

    # then: both statuses are applied
    assert processed == 2
    ana_event, other_event = _event_ids(engine)
    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, outbox_id).state == OutboxState.FAILED
        assert session.get_one(OutboxMessage, other_id).state == OutboxState.FAILED
        details = {
            row.outbox_id: row.error_detail
            for row in session.scalars(select(MessageStatusEvent))
        }
        failures = {
            event.subject_id: event.details["error_detail"]
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.kind == "message_failed")
            )
        }
        ana_error = session.get_one(OutboxMessage, outbox_id).error_detail

    # then: the erased customer's stored form keeps no phone and no error text
    ana_form = _stored_form(engine, ana_event)
    assert ana_form == {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": "undelivered",
        "AccountSid": ACCOUNT_SID,
        "From": "whatsapp:+5491100000000",
        "ErrorCode": "63016",
        "To": REDACTED,
    }
    assert details[outbox_id] is None
    assert failures[outbox_id] is None
    assert ana_error is None

    # then: the other customer's form and error text stay as received
    assert _stored_form(engine, other_event) == _status_form(OTHER_SID, OTHER_PHONE)
    assert details[other_id] == f"Failed to send to {OTHER_PHONE}"
    assert failures[other_id] == f"Failed to send to {OTHER_PHONE}"


def _inbound_form(twilio: FakeTwilio, sid: str) -> dict[str, str]:  # noqa: F811
    return {
        "MessageSid": sid,
        "From": f"whatsapp:{PHONE}",
        "WaId": PHONE.lstrip("+"),
        "ProfileName": "Ana",
        "Body": "te mando el comprobante",
        "NumMedia": "1",
        "MediaUrl0": f"{twilio.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}"
        f"/Messages/{sid}/Media/ME{sid}",
        "MediaContentType0": "image/jpeg",
    }


def _files(settings: Settings) -> list[Path]:  # noqa: F811
    root = Path(settings.media_dir)
    if not root.exists():
        return []
    return [path for path in root.rglob("*") if path.is_file() and path.name != MARKER]


def test_inbound_sent_before_erasure_is_dropped(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: the customer's message with a receipt waits for the worker
    business_id, _ = _given_row(engine)
    twilio.state.media["MESMbefore"] = b"\xff\xd8 receipt"
    client = TestClient(create_app(settings, engine, process_events=False))
    form = _inbound_form(twilio, "SMbefore")
    assert _post(client, "/webhooks/twilio/inbound", form).status_code == 200  # type: ignore[attr-defined]
    (event_id,) = _event_ids(engine)

    # when: the customer is erased, and then the worker runs
    _erase(engine, business_id, PHONE, datetime.now(UTC))
    processed = process_pending_events(
        engine, datetime.now(UTC) + timedelta(seconds=1), settings=settings
    )

    # then: nothing of the message is stored, and an audit event counts it
    assert processed == 1
    with transaction(engine) as session:
        event = session.get_one(WebhookEvent, event_id)
        assert event.processed_at is not None
        assert event.error is None
        body = event.raw_body
        messages = session.scalars(select(InboundMessage)).all()
        media = session.scalars(select(InboundMedia)).all()
        dropped = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "erased_sender_dropped")
        ).one()
        dropped_details = dropped.details
    assert messages == []
    assert media == []
    assert _files(settings) == []
    assert PHONE.lstrip("+").encode() not in body
    assert b"comprobante" not in body
    assert REDACTED.encode() in body
    assert dropped_details == {"provider": "twilio", "messages": 1}


def test_inbound_sent_after_erasure_is_new_contact(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: the customer was erased
    business_id, _ = _given_row(engine)
    _erase(engine, business_id, PHONE, datetime.now(UTC))
    twilio.state.media["MESMafter"] = b"\xff\xd8 receipt"
    client = TestClient(create_app(settings, engine, process_events=False))

    # when: the same number writes again
    form = _inbound_form(twilio, "SMafter")
    assert _post(client, "/webhooks/twilio/inbound", form).status_code == 200  # type: ignore[attr-defined]
    processed = process_pending_events(
        engine, datetime.now(UTC) + timedelta(seconds=1), settings=settings
    )

    # then: the message is stored as an unknown sender's, with its file
    assert processed == 1
    with transaction(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        media = session.scalars(select(InboundMedia)).one()
        dropped = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "erased_sender_dropped")
        ).all()
    assert inbound.customer_id is None
    assert inbound.sender == f"whatsapp:{PHONE}"
    assert inbound.text == "te mando el comprobante"
    assert media.error is None
    assert len(_files(settings)) == 1
    assert dropped == []


def test_erasure_redacts_processed_statuses(
    engine: Engine,
    settings: Settings,  # noqa: F811
    channel: TwilioChannel,  # noqa: F811
) -> None:
    # given: two statuses of the customer's message were processed, one
    # naming the number it was sent to, which the customer has since changed
    business_id, outbox_id = _given_row(engine)
    Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)
    _add_other_message(engine, business_id)
    with transaction(engine) as session:
        sid = str(session.get_one(OutboxMessage, outbox_id).provider_message_id)
    old_phone = "+5491155559999"
    client = TestClient(create_app(settings, engine, process_events=False))
    forms = [
        ({**_status_form(sid, PHONE), "MessageStatus": "delivered"}, outbox_id),
        ({**_status_form(sid, old_phone), "MessageStatus": "read"}, outbox_id),
        (_status_form(OTHER_SID, OTHER_PHONE), None),
    ]
    for form, row_id in forms:
        query = f"outbox_id={row_id}" if row_id else ""
        response = _post(client, "/webhooks/twilio/status", form, query=query)
        assert response.status_code == 200  # type: ignore[attr-defined]
    assert process_pending_events(engine, NOW, settings=settings) == 3

    # when
    _erase(engine, business_id, PHONE, datetime.now(UTC))

    # then: both of the customer's bodies are replaced, the other one stays
    current, old, other = _event_ids(engine)
    with transaction(engine) as session:
        bodies = {
            event.id: bytes(event.raw_body)
            for event in session.scalars(select(WebhookEvent))
        }
    for event_id in (current, old):
        assert REDACTED.encode() in bodies[event_id]
        assert sid.encode() not in bodies[event_id]
    assert _stored_form(engine, other) == _status_form(OTHER_SID, OTHER_PHONE)
