"""Choosing a business's channel and dispatching through it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import AuditEvent, Business, OutboxMessage, TemplateStatus
from cobranza.jobs.channels import (
    ChannelSetupError,
    build_dispatcher,
    business_channel,
    check_channel_ready,
    use_channel,
)
from cobranza.jobs.cycle import run_cycle
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_outbox_row,
)
from tests.channels.whatsapp.conftest import LANGUAGE, NOW
from tests.fakes.graph_api import FakeGraphAPI


def test_sandbox_is_the_default_channel() -> None:
    assert business_channel(None) == "sandbox"
    assert business_channel({}) == "sandbox"
    assert business_channel({"channel": "whatsapp"}) == "whatsapp"


def test_whatsapp_without_settings_is_rejected() -> None:
    bare = Settings(_env_file=None)  # type: ignore[call-arg]

    with pytest.raises(ChannelSetupError, match="COBRANZA_WHATSAPP"):
        check_channel_ready(bare, "whatsapp")


def test_unknown_channel_is_rejected() -> None:
    bare = Settings(_env_file=None)  # type: ignore[call-arg]

    with pytest.raises(ChannelSetupError, match="'telegram'.*sandbox"):
        check_channel_ready(bare, "telegram")


def test_switching_moves_queued_rows_and_audits(
    engine: Engine, settings: Settings
) -> None:
    with transaction(engine) as session:
        business = make_business(session, NOW, name=settings.business_name)
        customer = make_customer(session, business, NOW, "C1", "+5491155550101")
        row = make_outbox_row(session, customer, NOW)
        business_id, row_id = business.id, row.id
    assert row.channel == "sandbox"

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        moved = use_channel(session, business, "whatsapp", settings, NOW)

    assert moved == 1
    with transaction(engine) as session:
        assert session.get_one(OutboxMessage, row_id).channel == "whatsapp"
        assert session.get_one(Business, business_id).settings["channel"] == "whatsapp"
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "channel.changed")
        ).one()
    assert audit.details == {
        "from": "sandbox",
        "to": "whatsapp",
        "queued_moved": 1,
        "template_waits_released": 0,
    }


def test_switching_releases_template_waits(engine: Engine, settings: Settings) -> None:
    # Given a WhatsApp reminder deferred for six hours for its template,
    with transaction(engine) as session:
        business = make_business(session, NOW, name=settings.business_name)
        business.settings = {**business.settings, "channel": "whatsapp"}
        customer = make_customer(session, business, NOW, "C1", "+5491155550101")
        row = make_outbox_row(session, customer, NOW)
        row.channel = "whatsapp"
        row.state = "queued"
        row.deferred_reason = "template_not_approved"
        row.planned_for = NOW + timedelta(hours=6)
        business_id, row_id = business.id, row.id

    # when the business switches to the sandbox, which has no template review,
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        use_channel(session, business, "sandbox", settings, NOW)

    # then the reminder is due at once on the new channel.
    with transaction(engine) as session:
        moved = session.get_one(OutboxMessage, row_id)
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "channel.changed")
        ).one()
    assert moved.channel == "sandbox"
    assert moved.planned_for == NOW
    assert moved.deferred_reason is None
    assert audit.details["template_waits_released"] == 1


def test_planned_reminder_goes_out_on_whatsapp(
    engine: Engine, settings: Settings, graph: FakeGraphAPI
) -> None:
    # Given a business on WhatsApp with an approved template and a customer
    # whose invoice fell due five days ago
    with transaction(engine) as session:
        business = make_business(session, NOW, name=settings.business_name)
        customer = make_customer(session, business, NOW, "C1", "+5491155550101")
        make_document(session, customer, NOW, "A-1", "1500.00", date(2026, 3, 5))
        use_channel(session, business, "whatsapp", settings, NOW)
        for tone in ("friendly", "formal"):
            set_template_status(
                session,
                business.id,
                f"cobranza_reminder_soft_{tone}",
                LANGUAGE,
                TemplateStatus.APPROVED,
                NOW,
                source="sync",
            )
        business_id = business.id

    # When the cycle runs with the dispatcher for the business's channel
    dispatcher = build_dispatcher(engine, settings, "whatsapp", NOW, clock=lambda: NOW)
    try:
        report = run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
    finally:
        dispatcher.close()

    # Then the planner wrote a WhatsApp row and the template reached Meta
    assert report.dispatch.sent == 1
    with transaction(engine) as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.channel == "whatsapp"
    assert row.state == "sent"
    assert len(graph.state.messages) == 1
    sent = graph.state.messages[0]
    assert sent["type"] == "template"
    assert sent["to"] == "5491155550101"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    for name in ("PHONE_NUMBER_ID", "ACCESS_TOKEN", "APP_SECRET"):
        monkeypatch.delenv(f"COBRANZA_WHATSAPP_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    # `channel show` only reads, so the business exists first, as after an import.
    engine = open_database(url)
    with transaction(engine) as session:
        default_business(session, get_settings())
    engine.dispose()
    yield url
    get_settings.cache_clear()


def test_cli_refuses_an_unconfigured_channel(cli_db: str) -> None:
    runner = CliRunner()

    refused = runner.invoke(app, ["channel", "use", "whatsapp"])
    shown = runner.invoke(app, ["channel", "show"])

    assert refused.exit_code == 2
    assert "COBRANZA_WHATSAPP" in refused.output
    assert shown.exit_code == 0
    assert shown.output.strip() == "sandbox"


def test_cli_switches_channel(cli_db: str) -> None:
    runner = CliRunner()

    used = runner.invoke(app, ["channel", "use", "sandbox"])
    shown = runner.invoke(app, ["channel", "show"])

    assert used.exit_code == 0, used.output
    assert shown.output.strip() == "sandbox"
