"""The Twilio template sync that `cobranza run` and the scheduler run themselves.

A reminder held for its Content template goes out once the sync before a
dispatch reads the approval from the fake Content API. An outage of that
API leaves it held with a warning, and the rest of the run goes on.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.twilio import TwilioClient, TwilioConfig
from cobranza.channels.twilio.sync import ContentSync
from cobranza.cli import app
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import Business, OutboxMessage, OutboxState, WhatsAppTemplate
from cobranza.jobs.scheduler import Scheduler
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_outbox_row,
)
from tests.channels.twilio.fake_twilio import (
    FakeTwilio,
    whatsapp_approval,
)
from tests.channels.twilio.test_twilio import (  # noqa: F401 (fixtures)
    BUSINESS_NAME,
    CONTENT_SID,
    LANGUAGE,
    NOW,
    TEMPLATE,
    _given_row,
    channel,
    settings,
    twilio,
)
from tests.channels.twilio.test_twilio_templates import cli_env  # noqa: F401

OTHER_SID = "HX00000000000000000000000000001234"
# Twilio's "Service Unavailable" error, as its Content API returns it.
OUTAGE = (503, 20503)
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def _row(engine: Engine, outbox_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        session.expunge(row)
        return row


def _held_ids(engine: Engine) -> list[int]:
    """Return the ids of the queued rows held for their template."""
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.state == OutboxState.QUEUED,
                    OutboxMessage.deferred_reason == "template_not_approved",
                )
                .order_by(OutboxMessage.id)
            )
        )


def _use_twilio(engine: Engine, business_id: int) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        business.settings = {**(business.settings or {}), "channel": "twilio"}


def _sandbox_business(engine: Engine) -> int:
    """Add a sandbox business with a due reminder, and return its id."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name="Otra SRL")
        customer = make_customer(session, business, NOW, "S1", "+5491155550200")
        invoice = make_document(
            session, customer, NOW, "B-1", "900.00", date(2026, 3, 5)
        )
        row = make_outbox_row(session, customer, NOW, key="sandbox-1")
        row.document_ids = [invoice.id]
        row.variables = {
            "customer_name": customer.name,
            "business_name": business.name,
            "balance": "900.00",
            "currency": "ARS",
            "invoice_count": 1,
            "oldest_due_on": "2026-03-05",
            "days_past_due": 5,
            "payment_link": "https://pagar.example.com/c/def456",
        }
        return business.id


def test_sync_reads_only_when_needed(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: the only configured SID's approval is stored, and nothing held
    business_id, _ = _given_row(engine, approved=True)
    client = TwilioClient(TwilioConfig.from_settings(settings))
    sync = ContentSync(engine, client, settings.twilio_content_sids)

    # when
    report = sync.run_if_due(business_id, NOW)
    client.close()

    # then: no request was made
    assert report is None
    assert twilio.state.approval_requests == []


def test_outage_stops_reads_at_first_failure(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: two SIDs never read, and the Content API down
    business_id, _ = _given_row(engine, approved=False)
    content_sids = {
        f"{TEMPLATE}:{LANGUAGE}": CONTENT_SID,
        f"{TEMPLATE}:es_MX": OTHER_SID,
    }
    twilio.state.approval_outage = OUTAGE
    client = TwilioClient(TwilioConfig.from_settings(settings))
    sync = ContentSync(engine, client, content_sids)

    # when
    report = sync.run_if_due(business_id, NOW)
    client.close()

    # then: one request, and the second SID is left for a later sync
    assert report is not None
    assert len(twilio.state.approval_requests) == 1
    assert report.failed == {CONTENT_SID: "twilio_20503"}
    assert report.unread == 1
    assert report.read == 0


def test_spent_budget_leaves_rest_unread(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: two SIDs never read, and a clock past the budget after one read
    business_id, _ = _given_row(engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    twilio.state.approvals[OTHER_SID] = whatsapp_approval("approved")
    content_sids = {
        f"{TEMPLATE}:{LANGUAGE}": CONTENT_SID,
        f"{TEMPLATE}:es_MX": OTHER_SID,
    }
    ticks = iter([0.0, 0.0, 30.0])
    client = TwilioClient(TwilioConfig.from_settings(settings))
    sync = ContentSync(
        engine, client, content_sids, budget_seconds=20.0, monotonic=lambda: next(ticks)
    )

    # when
    report = sync.run_if_due(business_id, NOW)
    client.close()

    # then: the first SID in key order is read, the second is not
    assert report is not None
    assert twilio.state.approval_requests == [CONTENT_SID]
    assert report.read == 1
    assert report.unread == 1


def test_scheduler_releases_after_approval(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: a Twilio business with a due invoice, whose Content SID was
    # never read and is in review
    business_id, _ = _given_row(engine, approved=False)
    _use_twilio(engine, business_id)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    clock = [NOW]
    scheduler = Scheduler(engine, settings, clock=lambda: clock[0])

    # when: the first run reads the status, and its cycle holds the reminder
    first = scheduler.run_once(NOW)

    # then
    assert first.failures == []
    assert twilio.state.approval_requests == [CONTENT_SID]
    [held_id] = _held_ids(engine)

    # when: WhatsApp approves it, and a run 5 minutes later does not ask
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    clock[0] = NOW + timedelta(minutes=5)
    scheduler.run_once(clock[0])

    # then
    assert twilio.state.approval_requests == [CONTENT_SID]
    assert _held_ids(engine) == [held_id]

    # when: the run 15 minutes after the first sync asks again
    clock[0] = NOW + timedelta(minutes=15)
    last = scheduler.run_once(clock[0])
    scheduler.stop()

    # then: the approval is read, and the reminder goes out in that run
    assert twilio.state.approval_requests == [CONTENT_SID, CONTENT_SID]
    assert last.failures == []
    assert last.messages_sent == 1
    assert _row(engine, held_id).state == OutboxState.SENT
    [sent] = twilio.state.messages
    assert sent["ContentSid"] == CONTENT_SID


def test_scheduler_outage_keeps_row_held(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a reminder held by a run while its template was in review, then
    # the template approved while the Content API is down, and a sandbox
    # business with a due reminder
    business_id, _ = _given_row(engine, approved=False)
    _use_twilio(engine, business_id)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    scheduler = Scheduler(engine, settings, clock=lambda: NOW)
    scheduler.run_once(NOW)
    [held_id] = _held_ids(engine)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    twilio.state.approval_outage = OUTAGE
    sandbox_business_id = _sandbox_business(engine)

    # when: the run 15 minutes later syncs
    with caplog.at_level(logging.WARNING, logger="cobranza"):
        report = scheduler.run_once(NOW + timedelta(minutes=15))
    scheduler.stop()

    # then: the Twilio reminder stays held, the log says why, and the
    # sandbox business's reminder goes out
    assert twilio.state.approval_requests == [CONTENT_SID, CONTENT_SID]
    assert _held_ids(engine) == [held_id]
    assert twilio.state.messages == []
    assert report.failures == []
    assert report.businesses_cycled == [business_id, sandbox_business_id]
    assert report.messages_sent == 1
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name == "cobranza.channels.twilio.sync"
    ]
    assert warnings == [
        f"Twilio template sync of business {business_id} failed for 1 of 1 "
        "Content SIDs (twilio_20503) and left 0 unread: their reminders stay "
        "held until a later sync reads the approval (or run cobranza twilio "
        "templates sync)"
    ]


def _run_at(instant: datetime) -> list[str]:
    local = instant.astimezone(BUENOS_AIRES).strftime("%Y-%m-%dT%H:%M")
    return ["run", "--now", local]


def test_run_sends_after_approval(
    cli_env: str,  # noqa: F811
    sqlite_engine: Engine,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: a reminder that a run held while its template was in review
    business_id, _ = _given_row(sqlite_engine, approved=False)
    _use_twilio(sqlite_engine, business_id)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    first = CliRunner().invoke(app, _run_at(NOW))
    assert first.exit_code == 0, first.output
    [held_id] = _held_ids(sqlite_engine)
    assert twilio.state.approval_requests == [CONTENT_SID]

    # when: WhatsApp approves it, and the next run starts an hour later
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    result = CliRunner().invoke(app, _run_at(NOW + timedelta(hours=1)))

    # then: the run read the approval and sent the template
    assert result.exit_code == 0, result.output
    assert twilio.state.approval_requests == [CONTENT_SID, CONTENT_SID]
    assert _row(sqlite_engine, held_id).state == OutboxState.SENT
    [sent] = twilio.state.messages
    assert sent["ContentSid"] == CONTENT_SID


def test_run_outage_names_status_and_command(
    cli_env: str,  # noqa: F811
    sqlite_engine: Engine,
    twilio: FakeTwilio,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a reminder that a run held while its template was in review,
    # and the Content API down since
    business_id, _ = _given_row(sqlite_engine, approved=False)
    _use_twilio(sqlite_engine, business_id)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    first = CliRunner().invoke(app, _run_at(NOW))
    assert first.exit_code == 0, first.output
    [held_id] = _held_ids(sqlite_engine)
    twilio.state.approval_outage = OUTAGE

    # when: a run after the row's recheck, so the gate holds it again
    with caplog.at_level(logging.WARNING, logger="cobranza"):
        result = CliRunner().invoke(app, _run_at(NOW + timedelta(hours=7)))

    # then: the row stays held, and the summary names status, failure and fix
    assert result.exit_code == 0, result.output
    assert _held_ids(sqlite_engine) == [held_id]
    assert twilio.state.messages == []
    output = " ".join(result.output.split())
    assert "1 mensaje espera que WhatsApp apruebe su plantilla de Twilio." in output
    assert f"{TEMPLATE} ({LANGUAGE}) está en revisión." in output
    assert "La consulta del estado a Twilio falló" in output
    assert "twilio_20503" in output
    assert "corré: cobranza twilio templates sync" in output
    assert any(
        record.getMessage().startswith(
            f"Twilio template sync of business {business_id} failed"
        )
        for record in caplog.records
    )


def test_overlong_category_keeps_sync_going(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: two SIDs never read, one with a category longer than any
    # that WhatsApp defines and than its column
    business_id, _ = _given_row(engine, approved=False)
    content_sids = {
        f"{TEMPLATE}:{LANGUAGE}": CONTENT_SID,
        f"{TEMPLATE}:es_MX": OTHER_SID,
    }
    overlong = {**whatsapp_approval("approved"), "category": "UTILITY_" * 10}
    twilio.state.approvals[CONTENT_SID] = overlong
    twilio.state.approvals[OTHER_SID] = whatsapp_approval("approved")
    client = TwilioClient(TwilioConfig.from_settings(settings))
    sync = ContentSync(engine, client, content_sids)

    # when
    report = sync.run_if_due(business_id, NOW)
    client.close()

    # then: both approvals are stored, and the overlong category is not
    assert report is not None
    assert report.read == 2
    assert report.failed == {}
    with transaction(engine) as session:
        templates = session.scalars(select(WhatsAppTemplate)).all()
        categories = sorted(template.category for template in templates)
    assert categories == ["UTILITY", "UTILITY"]
