"""The gate defers a reminder until its WhatsApp template is approved.

The planner, the gate and the dispatcher run on the real database, the
WhatsApp channel talks to the fake Graph API, and template statuses arrive
as signed webhooks that the event worker processes.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.dispatcher import Dispatcher, DispatchLimits
from cobranza.channels.inbox import process_pending_events
from cobranza.channels.sandbox import SandboxChannel
from cobranza.channels.twilio.templates import HeldTemplate
from cobranza.channels.whatsapp import GraphClient, WhatsAppConfig
from cobranza.channels.whatsapp.dispatch import whatsapp_dispatcher
from cobranza.channels.whatsapp.templates import (
    deferred_counts,
    push_templates,
    set_template_status,
    sync_templates,
)
from cobranza.channels.whatsapp.terminal import waiting_summary
from cobranza.cli import app
from cobranza.config import Settings
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import (
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    TemplateStatus,
    WhatsAppTemplate,
)
from cobranza.dunning import gate
from cobranza.jobs.cycle import run_cycle
from cobranza.jobs.dry_run import Outcome
from cobranza.jobs.terminal import template_wait_line
from cobranza.web.app import create_app
from cobranza.wording import timeline_detail
from tests.channels.factories import make_business, make_customer, make_document
from tests.channels.whatsapp.conftest import (
    BUSINESS_NAME,
    LANGUAGE,
    NOW,
    TEMPLATE,
    channel_for,
    dispatcher_for,
    given_rows,
    sign,
)
from tests.channels.whatsapp.test_templates import cli_env
from tests.fakes.graph_api import FakeGraphAPI, ScriptedError

__all__ = ["cli_env"]

FIXTURES = Path(__file__).parent / "fixtures"
HOUR = timedelta(hours=1)


def _world(engine: Engine) -> int:
    """Add a WhatsApp business with one customer whose invoice fell due yesterday."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        business.settings = {**business.settings, "channel": "whatsapp"}
        customer = make_customer(session, business, NOW, "C1", "+5491155550100")
        make_document(session, customer, NOW, "A-1", "1500.00", date(2026, 3, 9))
        return business.id


def _push(engine: Engine, config: WhatsAppConfig, business_id: int) -> None:
    client = GraphClient(config)
    try:
        with transaction(engine) as session:
            push_templates(session, business_id, client, NOW)
    finally:
        client.close()


def _status_body(name: str, language: str, event: str, reason: str = "NONE") -> bytes:
    text = (FIXTURES / "template_status.json").read_text()
    for key, value in (
        ("TEMPLATE_NAME", name),
        ("LANGUAGE", language),
        ("EVENT", event),
        ("REASON", reason),
    ):
        text = text.replace(key, value)
    return text.encode()


def _receive_status(
    settings: Settings,
    engine: Engine,
    now: datetime,
    name: str,
    language: str,
    event: str,
) -> None:
    """Post a signed template status webhook, then process it at `now`."""
    body = _status_body(name, language, event)
    client = TestClient(create_app(settings, engine, process_events=False))
    response = client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 200, response.text
    assert process_pending_events(engine, now, settings=settings) == 1


def _rows(engine: Engine) -> list[OutboxMessage]:
    with transaction(engine) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _audits(engine: Engine, kind: str) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind == kind)
                .order_by(AuditEvent.id)
            )
        )


def _customer_wrote(
    engine: Engine, business_id: int, outbox_id: int, received_at: datetime
) -> None:
    """Store a text from the customer of the outbox row, received at `received_at`."""
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        session.add(
            InboundMessage(
                business_id=business_id,
                customer_id=row.customer_id,
                channel="whatsapp",
                provider="whatsapp",
                provider_message_id="wamid.in1",
                sender="5491155550100",
                type="text",
                text="hola",
                received_at=received_at,
                entities={},
            )
        )


def _template_of(row: OutboxMessage) -> str:
    assert row.template_name is not None
    return row.template_name


def test_reminder_waits_for_webhook_approval(
    engine: Engine, config: WhatsAppConfig, settings: Settings, graph: FakeGraphAPI
) -> None:
    # Given a business whose templates Meta is still reviewing,
    business_id = _world(engine)
    _push(engine, config, business_id)
    dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: NOW + HOUR)

    try:
        # when the cycle plans a reminder,
        held = run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
        [row] = _rows(engine)

        # then the gate defers it before it is composed, and nothing reaches Meta.
        assert held.planned == 1
        assert held.dispatch.sent == 0
        assert held.dispatch.deferred == {"template_not_approved": 1}
        assert graph.state.messages == []
        assert row.state == OutboxState.QUEUED
        assert row.deferred_reason == "template_not_approved"
        assert row.text is None
        assert row.template_name == f"cobranza_{row.step_kind}_{row.tone}"
        assert row.language_code == LANGUAGE
        assert row.planned_for == NOW + timedelta(hours=6)
        [deferral] = _audits(engine, "message_deferred")
        assert deferral.details["template_status"] == "PENDING"
        assert deferral.details["template_name"] == row.template_name
        with transaction(engine) as session:
            waiting = deferred_counts(session, business_id)
        assert waiting == {(row.template_name, LANGUAGE): 1}

        # When Meta approves the template an hour later,
        _receive_status(
            settings, engine, NOW + HOUR, row.template_name, LANGUAGE, "APPROVED"
        )

        # then the reminder is queued again at once,
        [released] = _rows(engine)
        assert released.planned_for == NOW + HOUR
        assert released.deferred_reason is None
        status_audit = _audits(engine, "whatsapp_template_status")[-1]
        assert status_audit.reason == "APPROVED"
        assert status_audit.details["released_messages"] == 1

        # and the next cycle sends it as the approved template.
        sent = run_cycle(engine, business_id, NOW + HOUR, dispatcher=dispatcher)
    finally:
        dispatcher.close()

    assert sent.dispatch.sent == 1
    [message] = graph.state.messages
    assert message["type"] == "template"
    assert message["template"]["name"] == row.template_name
    assert message["template"]["language"] == {"code": LANGUAGE}
    assert _rows(engine)[0].state == OutboxState.SENT


def test_approval_after_hours_waits_for_window(
    engine: Engine, config: WhatsAppConfig, settings: Settings, graph: FakeGraphAPI
) -> None:
    # Given a reminder held for its template,
    business_id = _world(engine)
    _push(engine, config, business_id)
    late = datetime(2026, 3, 11, 1, 0, tzinfo=UTC)  # 22:00 in Buenos Aires
    dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: late)
    try:
        run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
        [row] = _rows(engine)

        # when Meta approves it after the contact window has closed,
        _receive_status(settings, engine, late, _template_of(row), LANGUAGE, "APPROVED")
        report = run_cycle(engine, business_id, late, dispatcher=dispatcher)
    finally:
        dispatcher.close()

    # then the reminder waits for the window to open the next morning.
    [waiting] = _rows(engine)
    assert report.dispatch.sent == 0
    assert report.dispatch.deferred == {"outside_contact_window": 1}
    assert late < waiting.planned_for < late + 12 * HOUR
    assert graph.state.messages == []


@pytest.mark.parametrize(
    "status",
    [
        TemplateStatus.PENDING,
        TemplateStatus.REJECTED,
        TemplateStatus.PAUSED,
        TemplateStatus.DISABLED,
        None,
    ],
)
def test_unapproved_statuses_hold_row(
    engine: Engine,
    config: WhatsAppConfig,
    graph: FakeGraphAPI,
    status: TemplateStatus | None,
) -> None:
    # Given a row whose template is not approved (None: never pushed),
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    if status is not None:
        with transaction(engine) as session:
            set_template_status(
                session, business_id, TEMPLATE, LANGUAGE, status, NOW, source="sync"
            )

    # when the dispatcher runs,
    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    # then the gate defers the row and records the template's status.
    assert report.sent == 0
    assert report.deferred == {"template_not_approved": 1}
    assert graph.state.messages == []
    [row] = _rows(engine)
    assert row.id == outbox_id
    assert row.text is None
    assert row.attempts == 0
    [deferral] = _audits(engine, "message_deferred")
    assert deferral.actor == "gate"
    assert deferral.details["template_status"] == (status or "NOT_REGISTERED")


def test_open_window_sends_text_without_template(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # Given a template never pushed, and a customer who wrote two hours ago,
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    _customer_wrote(engine, business_id, outbox_id, NOW - 2 * HOUR)

    # when the dispatcher runs,
    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    # then the composed text goes as a free-form message.
    assert report.sent == 1
    assert report.deferred == {}
    [message] = graph.state.messages
    assert message["type"] != "template"


def test_closed_window_needs_template_again(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # Given a customer who wrote exactly 24 hours ago,
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    _customer_wrote(engine, business_id, outbox_id, NOW - 24 * HOUR)

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 0
    assert report.deferred == {"template_not_approved": 1}


class _PauseAfterFirstSend:
    """A rate limiter that delivers Meta's PAUSED webhook before the second send."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.acquired = 0

    def acquire(self) -> float:
        self.acquired += 1
        if self.acquired == 2:
            _receive_status(
                self.settings, self.engine, NOW, TEMPLATE, LANGUAGE, "PAUSED"
            )
        return 0.0

    def release(self) -> None:
        pass


def test_template_paused_mid_batch_holds_rest(
    engine: Engine, config: WhatsAppConfig, settings: Settings, graph: FakeGraphAPI
) -> None:
    # Given three rows claimed in one batch,
    business_id, row_ids = given_rows(engine, 3)
    limiter = _PauseAfterFirstSend(settings, engine)
    channel = channel_for(engine, config)
    dispatcher = Dispatcher(
        engine,
        {channel.name: channel},
        rate_limits={channel.name: limiter},
        limits=DispatchLimits(batch_size=100),
    )

    # when Meta pauses the template after the first send,
    report = dispatcher.run(business_id, NOW)

    # then the re-check before each send defers the other two.
    assert report.sent == 1
    assert report.deferred == {"template_not_approved": 2}
    assert len(graph.state.messages) == 1
    states = [row.state for row in _rows(engine)]
    assert states == [OutboxState.SENT, OutboxState.QUEUED, OutboxState.QUEUED]
    deferrals = _audits(engine, "message_deferred")
    assert [event.details["template_status"] for event in deferrals] == [
        "PAUSED",
        "PAUSED",
    ]


def test_sync_approval_releases_held_rows(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # Given a reminder held while its pushed template is pending,
    business_id = _world(engine)
    _push(engine, config, business_id)
    dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: NOW)
    try:
        run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
    finally:
        dispatcher.close()
    [row] = _rows(engine)

    # when `templates sync` reads the approval,
    graph.set_template_status(_template_of(row), LANGUAGE, "APPROVED")
    client = GraphClient(config)
    try:
        with transaction(engine) as session:
            sync_templates(session, business_id, client, NOW + HOUR)
    finally:
        client.close()

    # then the reminder is due at once.
    [released] = _rows(engine)
    assert released.planned_for == NOW + HOUR
    assert released.deferred_reason is None


def test_sandbox_ignores_meta_status(engine: Engine) -> None:
    # Given a sandbox row, which has no review, and a pending template,
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    with transaction(engine) as session:
        set_template_status(
            session,
            business_id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.PENDING,
            NOW,
            source="sync",
        )
        row = session.get_one(OutboxMessage, outbox_id)
        row.channel = "sandbox"

    # when the gate checks it,
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        decision = gate.check(session, row, NOW)

    # then the template's status does not defer it.
    assert decision.action is gate.Action.SEND


def test_sandbox_dispatch_sends_despite_pending_template(engine: Engine) -> None:
    business_id, (outbox_id,) = given_rows(engine, approved=False)
    with transaction(engine) as session:
        set_template_status(
            session,
            business_id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.REJECTED,
            NOW,
            source="sync",
        )
        session.get_one(OutboxMessage, outbox_id).channel = "sandbox"
    dispatcher = Dispatcher(engine, {"sandbox": SandboxChannel(engine, lambda: NOW)})

    report = dispatcher.run(business_id, NOW)

    assert report.sent == 1
    assert report.deferred == {}


def test_dry_run_names_waited_template(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id = _world(engine)
    dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: NOW)
    try:
        report = run_cycle(engine, business_id, NOW, True, dispatcher=dispatcher)
    finally:
        dispatcher.close()

    [message] = report.messages
    assert message.outcome is Outcome.DEFER
    assert message.reason == "template_not_approved"
    assert message.template == (f"cobranza_{message.step_kind}_friendly", LANGUAGE)
    assert message.as_dict()["template"]["language"] == LANGUAGE
    assert _rows(engine) == []


def test_timeline_words_template_status() -> None:
    facts = {
        "reason": "template_not_approved",
        "template_name": TEMPLATE,
        "language_code": LANGUAGE,
        "template_status": "REJECTED",
    }

    detail = timeline_detail("message_deferred", facts, "ARS", "es_AR")

    assert "no está aprobada por WhatsApp" in detail
    assert f"plantilla rechazada: {TEMPLATE} ({LANGUAGE})" in detail


def test_wait_line_names_fix_per_channel() -> None:
    deferred = Counter({"template_not_approved": 2, "outside_contact_window": 1})

    held_templates = [HeldTemplate(TEMPLATE, LANGUAGE, "NO_CONTENT_SID", 2)]

    whatsapp = template_wait_line(deferred, "whatsapp", "es_AR")
    twilio = template_wait_line(
        deferred, "twilio", "es_MX", held_templates=held_templates
    )

    assert whatsapp is not None
    assert whatsapp.startswith("2 mensajes esperan que WhatsApp apruebe")
    assert "cobranza whatsapp templates list" in whatsapp
    assert twilio is not None
    assert f"{TEMPLATE} ({LANGUAGE}) no tiene Content SID" in twilio
    assert "Agrega el Content SID que falta a COBRANZA_TWILIO_CONTENT_SIDS" in twilio
    assert "corre: cobranza twilio templates sync" in twilio
    assert template_wait_line(deferred, "sandbox") is None
    assert template_wait_line(Counter(), "whatsapp") is None


def test_cli_shows_status_per_language(
    cli_env: str, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # Given a reminder held while its es_AR template is in review, and
    # templates never pushed in the other languages,
    engine = make_engine(cli_env)
    try:
        business_id = _world(engine)
        with transaction(engine) as session:
            set_template_status(
                session,
                business_id,
                TEMPLATE,
                LANGUAGE,
                TemplateStatus.PENDING,
                NOW,
                source="push",
            )
            set_template_status(
                session,
                business_id,
                "cobranza_due_today_formal",
                "pt_BR",
                TemplateStatus.REJECTED,
                NOW,
                source="webhook",
                reason="INVALID_FORMAT",
            )
        dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: NOW)
        try:
            report = run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
        finally:
            dispatcher.close()
    finally:
        engine.dispose()
    assert report.dispatch.deferred == {"template_not_approved": 1}

    # when the business lists its templates,
    result = CliRunner().invoke(app, ["whatsapp", "templates", "list"])

    # then each template shows its status in every language and what waits.
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "Categoría" in line)
    for language in ("es_AR", "es_MX", "es", "pt_BR"):
        assert language in header
    line = next(line for line in result.output.splitlines() if TEMPLATE in line)
    assert "en revisión (1 esperando)" in line
    assert "sin registrar" in line
    rejected = next(
        line
        for line in result.output.splitlines()
        if "cobranza_due_today_formal" in line
    )
    assert "rechazada" in rejected
    assert "pt_BR: INVALID_FORMAT" in rejected
    assert "1 mensaje espera que WhatsApp apruebe su plantilla" in result.output


@pytest.mark.parametrize("status", [TemplateStatus.FLAGGED, TemplateStatus.REINSTATED])
def test_flagged_or_reinstated_template_sends(
    engine: Engine,
    config: WhatsAppConfig,
    graph: FakeGraphAPI,
    status: TemplateStatus,
) -> None:
    business_id, _ = given_rows(engine, approved=False)
    with transaction(engine) as session:
        set_template_status(
            session, business_id, TEMPLATE, LANGUAGE, status, NOW, source="webhook"
        )

    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    assert report.sent == 1
    assert graph.state.messages[0]["template"]["name"] == TEMPLATE


def test_lock_event_keeps_template_approved(
    engine: Engine, config: WhatsAppConfig, settings: Settings, graph: FakeGraphAPI
) -> None:
    # Given an approved template,
    business_id, _ = given_rows(engine)

    # when Meta reports that it was locked for editing,
    _receive_status(settings, engine, NOW, TEMPLATE, LANGUAGE, "LOCKED")

    # then the template stays approved and its reminder goes out.
    report = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)
    assert report.sent == 1
    with transaction(engine) as session:
        [template] = session.scalars(select(WhatsAppTemplate)).all()
    assert template.status == TemplateStatus.APPROVED


def test_reinstated_webhook_releases_held_row(
    engine: Engine, config: WhatsAppConfig, settings: Settings, graph: FakeGraphAPI
) -> None:
    # Given a row that Meta rejected because the template was paused,
    business_id, (outbox_id,) = given_rows(engine)
    graph.state.next_errors.append(ScriptedError(132015, "template is paused"))
    first = dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)
    assert first.deferred == {"template_not_approved": 1}

    # when Meta reinstates it,
    _receive_status(settings, engine, NOW + HOUR, TEMPLATE, LANGUAGE, "REINSTATED")
    channel = channel_for(engine, config, NOW + HOUR)
    second = dispatcher_for(channel, engine).run(business_id, NOW + HOUR)

    # then the row goes out an hour later, not after the 6-hour recheck.
    assert second.sent == 1
    [row] = _rows(engine)
    assert row.id == outbox_id
    assert row.state == OutboxState.SENT
    assert len(graph.state.messages) == 1


def test_waiting_summary_in_business_voice() -> None:
    waiting = {(TEMPLATE, LANGUAGE): 2, ("cobranza_due_today_formal", "es_MX"): 1}

    argentina = waiting_summary(waiting, "es_AR")
    mexico = waiting_summary(waiting, "es_MX")

    assert argentina is not None
    assert argentina.startswith("3 mensajes esperan")
    assert "Registrá las que dicen «sin registrar»" in argentina
    assert mexico is not None
    assert "Registra las que dicen «sin registrar»" in mexico
    assert waiting_summary({}, "es_AR") is None
