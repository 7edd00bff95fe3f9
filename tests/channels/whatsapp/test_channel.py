"""The WhatsApp channel through the real dispatcher against the fake Graph API."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import Engine, select

from cobranza.channels.base import Channel, OutgoingMessage, SendResult
from cobranza.channels.dispatcher import Dispatcher, DispatchLimits
from cobranza.channels.inbox import StatusUpdate, apply_status
from cobranza.channels.whatsapp import WhatsAppChannel, WhatsAppConfig
from cobranza.channels.whatsapp.channel import callback_data
from cobranza.channels.whatsapp.errors import GraphUnavailableError
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Case,
    Customer,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    TemplateStatus,
    WhatsAppTemplate,
)
from tests.channels.whatsapp.conftest import (
    LANGUAGE,
    NOW,
    TEMPLATE,
    channel_for,
    dispatcher_for,
    given_rows,
)
from tests.fakes.graph_api import FakeGraphAPI, ScriptedError


def _row(engine: Engine, outbox_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        return session.get_one(OutboxMessage, outbox_id)


def _open_window(engine: Engine, business_id: int, outbox_id: int) -> None:
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        session.add(
            InboundMessage(
                business_id=business_id,
                customer_id=row.customer_id,
                channel="whatsapp",
                provider="whatsapp",
                provider_message_id=f"wamid.in{outbox_id}",
                sender="5491155550100",
                type="text",
                text="hola",
                received_at=NOW - timedelta(hours=2),
                entities={},
            )
        )


def test_approved_template_sent_with_named_parameters(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 1
    sent = graph.state.messages[0]
    assert sent["type"] == "template"
    assert sent["to"] == "5491155550100"
    assert sent["biz_opaque_callback_data"] == callback_data(outbox_id)
    assert sent["template"]["name"] == TEMPLATE
    assert sent["template"]["language"] == {"code": LANGUAGE}
    parameters = sent["template"]["components"][0]["parameters"]
    assert {p["parameter_name"] for p in parameters} >= {"monto", "negocio", "pago"}
    assert all(p["type"] == "text" for p in parameters)
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.SENT
    assert row.provider_message_id == sent["id"]


def test_unapproved_template_defers_row(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine, approved=False)

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 0
    assert report.deferred["template_not_approved"] == 1
    assert graph.state.messages == []
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.QUEUED
    assert row.deferred_reason == "template_not_approved"
    assert row.planned_for > NOW
    assert row.attempts == 0
    with transaction(engine) as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_deferred")
        ).one()
    assert audit.reason == "template_not_approved"
    assert audit.details["template_name"] == TEMPLATE
    assert audit.details["template_status"] == "NOT_REGISTERED"


def test_open_window_sends_payment_link_button(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    _open_window(engine, business_id, outbox_id)

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 1
    sent = graph.state.messages[0]
    assert sent["type"] == "interactive"
    assert sent["interactive"]["type"] == "cta_url"
    action = sent["interactive"]["action"]["parameters"]
    assert action["url"] == "https://pagar.example.com/c/abc123"
    assert action["display_text"] == "Pagar"


def test_window_closed_error_falls_back_to_template(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    _open_window(engine, business_id, outbox_id)
    graph.state.closed_windows.add("5491155550100")

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 1
    assert [m["type"] for m in graph.state.messages] == ["template"]
    assert _row(engine, outbox_id).state == OutboxState.SENT


def test_not_on_whatsapp_marks_customer(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    graph.state.recipient_errors["5491155550100"] = ScriptedError(
        131026, "Message undeliverable"
    )

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.failed["whatsapp_131026"] == 1
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.FAILED
    assert row.sent_at is None
    with transaction(engine) as session:
        customer = session.get_one(Customer, row.customer_id)
        assert customer.phone_status == PhoneStatus.NOT_ON_WHATSAPP


def test_paused_template_error_updates_template(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    graph.state.next_errors.append(ScriptedError(132015, "template is paused"))

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.failed == {}
    assert report.deferred == {"template_not_approved": 1}
    with transaction(engine) as session:
        template = session.scalars(select(WhatsAppTemplate)).one()
        problems = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "whatsapp_template_problem")
        ).all()
        deferral = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_deferred")
        ).one()
    assert template.status == TemplateStatus.PAUSED
    assert len(problems) == 1
    assert deferral.details["error_code"] == "whatsapp_132015"
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.QUEUED
    assert row.deferred_reason == "template_not_approved"
    assert row.planned_for == NOW + timedelta(hours=6)


def test_throughput_error_requeues_with_backoff(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    graph.state.next_errors.append(ScriptedError(130429, "throughput reached"))

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.retried["whatsapp_130429"] == 1
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.QUEUED
    assert row.planned_for > NOW


def test_server_error_is_retried(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    graph.state.next_errors.append(ScriptedError(1, "unknown", http_status=500))

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.retried["whatsapp_1"] == 1
    assert _row(engine, outbox_id).state == OutboxState.QUEUED


def test_pair_limit_holds_second_message(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (first, second) = given_rows(engine, 2, phone_prefix="+54911555501")
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, second)
        other = session.get_one(OutboxMessage, first)
        session.get_one(Customer, row.customer_id).phone = session.get_one(
            Customer, other.customer_id
        ).phone

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 1
    assert report.retried["whatsapp_pair_limit"] == 1
    assert len(graph.state.messages) == 1


def test_tier_limit_counts_unique_recipients(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, row_ids = given_rows(engine, 3)
    limited = WhatsAppConfig(**{**config.__dict__, "tier_limit": 2})

    report = dispatcher_for(channel_for(engine, limited), engine).run(business_id, NOW)

    assert report.sent == 2
    assert report.retried["whatsapp_tier_limit"] == 1
    assert len({m["to"] for m in graph.state.messages}) == 2


def test_parameter_with_newline_is_rejected(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        row.variables = {**row.variables, "payment_link": None}
        row.variables = {
            **row.variables,
            "payment_instructions": "Alias:\tEJEMPLO",
        }

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    # The composer flattens tabs and newlines, so the value reaches the check clean.
    assert report.sent == 1
    parameters = graph.state.messages[0]["template"]["components"][0]["parameters"]
    assert all("\t" not in p["text"] and "\n" not in p["text"] for p in parameters)


def test_timeout_retried_without_second_send(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    impatient = WhatsAppConfig(**{**config.__dict__, "timeout_seconds": 0.3})
    graph.state.send_delay = 1.0

    first = dispatcher_for(channel_for(engine, impatient), engine).run(business_id, NOW)
    # The fake accepts the message after the client gave up waiting.
    for _ in range(100):
        if graph.state.messages:
            break
        time.sleep(0.05)
    wamid = graph.state.messages[0]["id"]
    with transaction(engine) as session:
        apply_status(
            session,
            business_id,
            "whatsapp",
            StatusUpdate(wamid, "sent", NOW, outbox_id=outbox_id),
            NOW,
        )
    graph.state.send_delay = 0.0
    second = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert first.retried["whatsapp_timeout"] == 1
    assert second.sent == 0
    assert len(graph.state.messages) == 1
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.SENT
    assert row.provider_message_id == wamid
    with transaction(engine) as session:
        assert session.get_one(Case, row.case_id).step == "reminder_soft"


class _AcceptedThenTimedOut(Channel):
    """Meta accepts the message and its status webhook is processed, then the
    send call times out on our side."""

    name = "whatsapp"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def send(self, message: OutgoingMessage) -> SendResult:
        with transaction(self.engine) as session:
            update = StatusUpdate(
                "wamid.accepted", "sent", NOW, outbox_id=message.outbox_id
            )
            apply_status(session, message.business_id, "whatsapp", update, NOW)
        raise GraphUnavailableError("timed out", code="whatsapp_timeout")

    def lookup(self, outbox_id: int) -> SendResult | None:
        return None


def test_status_during_timeout_keeps_row_sent(engine: Engine) -> None:
    business_id, (outbox_id,) = given_rows(engine)
    channel = _AcceptedThenTimedOut(engine)

    report = Dispatcher(engine, {channel.name: channel}).run(business_id, NOW)

    assert report.retried == {}
    assert report.failed == {}
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.SENT
    assert row.provider_message_id == "wamid.accepted"


class PausingChannel(WhatsAppChannel):
    """The WhatsApp channel, whose template Meta pauses after the first send."""

    def send(self, message: OutgoingMessage) -> SendResult:
        result = super().send(message)
        with transaction(self._engine) as session:
            set_template_status(
                session,
                message.business_id,
                TEMPLATE,
                LANGUAGE,
                TemplateStatus.PAUSED,
                NOW,
                source="webhook",
            )
        return result


def test_template_paused_stops_next_batch(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # Given three rows sent one per batch,
    business_id, row_ids = given_rows(engine, 3)
    channel = PausingChannel(engine, config, clock=lambda: NOW)
    dispatcher = Dispatcher(
        engine, {channel.name: channel}, limits=DispatchLimits(batch_size=1)
    )

    # when the template is paused after the first send,
    try:
        report = dispatcher.run(business_id, NOW)
    finally:
        channel.close()

    # then the later batches read the new status and hold their rows.
    assert report.sent == 1
    assert report.deferred == {"template_not_approved": 2}
    assert len(graph.state.messages) == 1
    states = [_row(engine, outbox_id).state for outbox_id in row_ids]
    assert states == [OutboxState.SENT, OutboxState.QUEUED, OutboxState.QUEUED]
