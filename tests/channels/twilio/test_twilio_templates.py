"""Twilio Content templates: WhatsApp approval read from the fake Content API.

A reminder outside the customer's window waits while its Content template
is not approved, and a sync that reads the approval queues it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.twilio import TwilioChannel, TwilioClient, TwilioConfig
from cobranza.channels.twilio.client import CONTENT_BASE_URL
from cobranza.channels.twilio.templates import (
    ApprovalStatus,
    ContentKeyError,
    ContentTemplate,
    parse_approval,
    parse_content_key,
    sync_content_templates,
)
from cobranza.channels.whatsapp.templates import list_templates, set_template_status
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    TemplateStatus,
    WhatsAppTemplate,
)
from cobranza.dunning import gate
from tests.channels.twilio.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
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

HOUR = timedelta(hours=1)
OTHER_SID = "HX00000000000000000000000000001234"
STORED_NAME = f"twilio:{TEMPLATE}"


def _sync(
    engine: Engine,
    settings: Settings,  # noqa: F811
    business_id: int,
    now: datetime = NOW,
) -> list[ContentTemplate]:
    config = TwilioConfig.from_settings(settings)
    client = TwilioClient(config)
    try:
        with transaction(engine) as session:
            return sync_content_templates(
                session, business_id, client, config.content_sids or {}, now
            )
    finally:
        client.close()


def _stored(engine: Engine) -> list[WhatsAppTemplate]:
    with transaction(engine) as session:
        rows = session.scalars(select(WhatsAppTemplate)).all()
        session.expunge_all()
        return list(rows)


def _row(engine: Engine, outbox_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        session.expunge(row)
        return row


def test_sync_stores_approval_by_sid(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: Twilio reports the Content template approved
    business_id, _ = _given_row(engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")

    # when
    [result] = _sync(engine, settings, business_id)

    # then: the status is stored under the prefixed name, with the SID
    assert twilio.state.approval_requests == [CONTENT_SID]
    assert result.status == TemplateStatus.APPROVED
    assert result.error_code is None
    [stored] = _stored(engine)
    assert stored.name == STORED_NAME
    assert stored.language == LANGUAGE
    assert stored.meta_id == CONTENT_SID
    assert stored.status == TemplateStatus.APPROVED
    assert stored.category == "UTILITY"


def test_pending_template_holds_reminder(
    engine: Engine,
    settings: Settings,  # noqa: F811
    channel: TwilioChannel,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: the reminder's Content template is in review
    business_id, outbox_id = _given_row(engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    _sync(engine, settings, business_id)

    # when
    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)

    # then: nothing is sent, and the row waits for the approval
    assert report.deferred == {"template_not_approved": 1}
    assert twilio.state.messages == []
    row = _row(engine, outbox_id)
    assert row.state == OutboxState.QUEUED
    assert row.deferred_reason == "template_not_approved"
    assert row.template_name == TEMPLATE
    assert row.language_code == LANGUAGE
    with transaction(engine) as session:
        [deferral] = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_deferred")
        ).all()
        assert deferral.details["template_status"] == TemplateStatus.PENDING


def test_sync_approval_releases_reminder(
    engine: Engine,
    settings: Settings,  # noqa: F811
    channel: TwilioChannel,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: a reminder held while its template was in review
    business_id, outbox_id = _given_row(engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    _sync(engine, settings, business_id)
    Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)
    assert _row(engine, outbox_id).planned_for > NOW + HOUR

    # when: WhatsApp approves it and a sync reads that an hour later
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    _sync(engine, settings, business_id, NOW + HOUR)

    # then: the row is due at once, and the next run sends the template
    released = _row(engine, outbox_id)
    assert released.planned_for == NOW + HOUR
    assert released.deferred_reason is None
    with transaction(engine) as session:
        [audit] = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "whatsapp_template_status")
        ).all()[-1:]
        assert audit.actor == "twilio_sync"
        assert audit.details["released_messages"] == 1
    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW + HOUR)
    assert report.sent == 1
    [sent] = twilio.state.messages
    assert sent["ContentSid"] == CONTENT_SID


@pytest.mark.parametrize(
    ("whatsapp", "stored"),
    [
        (None, TemplateStatus.MISSING),
        (whatsapp_approval("unsubmitted"), TemplateStatus.MISSING),
        (whatsapp_approval("received"), TemplateStatus.PENDING),
        (whatsapp_approval("rejected", rejection_reason="INVALID_FORMAT"), "REJECTED"),
        (whatsapp_approval("paused"), TemplateStatus.PAUSED),
        (whatsapp_approval("disabled"), TemplateStatus.DISABLED),
        (whatsapp_approval("appealed"), TemplateStatus.UNKNOWN),
    ],
)
def test_sync_maps_each_status(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
    whatsapp: dict[str, object] | None,
    stored: str,
) -> None:
    business_id, _ = _given_row(engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = {} if whatsapp is None else whatsapp

    [result] = _sync(engine, settings, business_id)

    assert result.status == stored
    assert not result.approved
    if stored == "REJECTED":
        assert result.reason == "INVALID_FORMAT"


def test_unknown_sid_stored_missing(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: an approved SID that Twilio no longer has
    business_id, _ = _given_row(engine, approved=True)

    # when
    [result] = _sync(engine, settings, business_id)

    # then: the template is no longer approved, and the sync names the error
    assert result.error_code == "twilio_20404"
    assert result.status == TemplateStatus.MISSING
    [stored] = _stored(engine)
    assert stored.status == TemplateStatus.MISSING


def test_wrong_token_changes_nothing(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: an approved template, and a token that Twilio rejects
    business_id, _ = _given_row(engine, approved=True)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("paused")
    wrong = settings.model_copy(
        update={"twilio_auth_token": SecretStr("not-the-token")}
    )

    # when
    [result] = _sync(engine, wrong, business_id)

    # then: the fake returned 401 before reading, and the status stays
    assert result.error_code == "twilio_20003"
    assert twilio.state.approval_requests == []
    [stored] = _stored(engine)
    assert stored.status == TemplateStatus.APPROVED


def test_changed_sid_holds_until_sync(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: an approval read for the old SID, and a new SID in the settings
    business_id, outbox_id = _given_row(engine, approved=True)
    content_sids = {f"{TEMPLATE}:{LANGUAGE}": OTHER_SID}
    changed = settings.model_copy(update={"twilio_content_sids": content_sids})
    changed_channel = TwilioChannel(
        engine, TwilioConfig.from_settings(changed), clock=lambda: NOW
    )

    # when
    report = Dispatcher(engine, {"twilio": changed_channel}).run(business_id, NOW)
    changed_channel.close()

    # then: the row waits, because no sync has read the new SID
    assert report.deferred == {"template_not_approved": 1}
    assert twilio.state.messages == []
    with transaction(engine) as session:
        [deferral] = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_deferred")
        ).all()
        assert deferral.details["template_status"] == "NOT_REGISTERED"


def test_window_closed_at_send_holds_row(
    engine: Engine,
    settings: Settings,  # noqa: F811
    channel: TwilioChannel,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: a customer who wrote an hour ago, by our records, but whose
    # window Twilio reports closed, and a template still in review
    business_id, outbox_id = _given_row(engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    _sync(engine, settings, business_id)
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
                received_at=NOW - HOUR,
                entities={},
            )
        )
    twilio.state.closed_windows.add("whatsapp:+5491155550100")

    # when
    report = Dispatcher(engine, {"twilio": channel}).run(business_id, NOW)

    # then: the text is refused, the template is not sent, and the row waits
    assert report.deferred == {"template_not_approved": 1}
    assert report.failed == {}
    assert twilio.state.messages == []
    assert _row(engine, outbox_id).state == OutboxState.QUEUED


def test_meta_approval_leaves_twilio_held(engine: Engine) -> None:
    # given: Meta approved the template that cobranza registered itself, but
    # no Twilio status was read
    business_id, outbox_id = _given_row(engine, approved=False)
    with transaction(engine) as session:
        set_template_status(
            session,
            business_id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.APPROVED,
            NOW,
            source="sync",
        )

    # when
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        decision = gate.check(session, row, NOW)

    # then: the Twilio reminder waits for its own template
    assert decision.action is gate.Action.DEFER
    assert decision.reason == "template_not_approved"


def test_meta_list_leaves_out_twilio(engine: Engine) -> None:
    business_id, _ = _given_row(engine, approved=True)

    with transaction(engine) as session:
        listed = list_templates(session, business_id)

    assert listed == []


def test_parse_approval_reads_wire_format() -> None:
    body = {
        "sid": CONTENT_SID,
        "account_sid": ACCOUNT_SID,
        "url": f"{CONTENT_BASE_URL}/v1/Content/{CONTENT_SID}/ApprovalRequests",
        "whatsapp": whatsapp_approval("rejected", rejection_reason="Bad format"),
    }

    status, reason, category = parse_approval(body)

    assert status is ApprovalStatus.REJECTED
    assert reason == "Bad format"
    assert category == "UTILITY"


def test_content_key_needs_language() -> None:
    assert parse_content_key(f"{TEMPLATE}:{LANGUAGE}") == (TEMPLATE, LANGUAGE)
    with pytest.raises(ContentKeyError, match="template_name:language"):
        parse_content_key(TEMPLATE)


def test_content_base_url_is_own_setting(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: the REST API on one server and the Content API on another
    with FakeTwilio() as content:
        content.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
        split = settings.model_copy(
            update={"twilio_content_base_url": content.base_url + "/"}
        )
        business_id, _ = _given_row(engine, approved=False)

        # when
        [result] = _sync(engine, split, business_id)

        # then: only the Content server was asked
        assert result.status == TemplateStatus.APPROVED
        assert content.state.approval_requests == [CONTENT_SID]
        assert twilio.state.approval_requests == []


def test_content_base_url_defaults_to_twilio() -> None:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]

    assert defaults.twilio_content_base_url == CONTENT_BASE_URL
    assert defaults.twilio_base_url == "https://api.twilio.com"


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch,
    twilio: FakeTwilio,  # noqa: F811
    sqlite_url: str,
    tmp_path: Path,
) -> Iterator[str]:
    values = {
        "DATABASE_URL": sqlite_url,
        "BUSINESS_NAME": BUSINESS_NAME,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+5491100000000",
        "TWILIO_BASE_URL": twilio.base_url,
        "TWILIO_CONTENT_BASE_URL": twilio.base_url,
        "TWILIO_CONTENT_SIDS": f'{{"{TEMPLATE}:{LANGUAGE}": "{CONTENT_SID}"}}',
    }
    for name, value in values.items():
        monkeypatch.setenv(f"COBRANZA_{name}", value)
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_cli_sync_and_list(
    cli_env: str,
    sqlite_engine: Engine,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: a held reminder, and Twilio reports its template in review
    business_id, outbox_id = _given_row(sqlite_engine, approved=False)
    config = TwilioConfig.from_settings(get_settings())
    cli_channel = TwilioChannel(sqlite_engine, config, clock=lambda: NOW)
    Dispatcher(sqlite_engine, {"twilio": cli_channel}).run(business_id, NOW)
    cli_channel.close()
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("pending")
    runner = CliRunner()

    # when
    synced = runner.invoke(app, ["twilio", "templates", "sync"])
    listed = runner.invoke(app, ["twilio", "templates", "list"])

    # then: both show the status, the SID and the waiting reminder
    assert synced.exit_code == 0, synced.output
    assert listed.exit_code == 0, listed.output
    for output in (synced.output, listed.output):
        line = next(line for line in output.splitlines() if TEMPLATE in line)
        assert CONTENT_SID in line
        assert "en revisión (1 esperando)" in line
        assert "1 mensaje espera que WhatsApp apruebe su plantilla de Twilio" in output

    # when: WhatsApp approves it
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    approved = runner.invoke(app, ["twilio", "templates", "sync"])

    # then: the reminder is queued again
    assert approved.exit_code == 0, approved.output
    assert "aprobada" in approved.output
    assert _row(sqlite_engine, outbox_id).deferred_reason is None


def test_cli_sync_reports_unknown_sid(
    cli_env: str,
    sqlite_engine: Engine,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    _given_row(sqlite_engine, approved=False)

    result = CliRunner().invoke(app, ["twilio", "templates", "sync"])

    assert result.exit_code == 1, result.output
    assert "Twilio no tiene este Content SID" in result.output


def test_cli_sync_rejects_invalid_key(
    cli_env: str,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_engine: Engine,
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: a valid key, and after it one without a language
    _given_row(sqlite_engine, approved=False)
    twilio.state.approvals[CONTENT_SID] = whatsapp_approval("approved")
    content_sids = f'{{"{TEMPLATE}:{LANGUAGE}": "{CONTENT_SID}", "zz_other": "X"}}'
    monkeypatch.setenv("COBRANZA_TWILIO_CONTENT_SIDS", content_sids)
    get_settings.cache_clear()

    # when
    result = CliRunner().invoke(app, ["twilio", "templates", "sync"])

    # then: the key is named, and nothing was requested or stored
    assert result.exit_code == 2, result.output
    assert "template_name:language" in result.output
    assert twilio.state.approval_requests == []
    assert _stored(sqlite_engine) == []


def test_sync_reports_body_not_json(
    engine: Engine,
    settings: Settings,  # noqa: F811
    twilio: FakeTwilio,  # noqa: F811
) -> None:
    # given: Twilio returns a JSON list instead of the resource
    business_id, _ = _given_row(engine, approved=True)
    twilio.state.approval_bodies[CONTENT_SID] = b"[]"

    # when
    [result] = _sync(engine, settings, business_id)

    # then: the sync names the failure, and the stored approval stays
    assert result.error_code == "channel_unavailable"
    assert result.status == TemplateStatus.APPROVED
