"""Template registry: push, sync, webhooks and the CLI, against the fake Graph API."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.whatsapp import GraphClient, WhatsAppConfig
from cobranza.channels.whatsapp.templates import (
    list_templates,
    push_templates,
    required_category,
    sync_templates,
)
from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, TemplateStatus
from cobranza.messages import whatsapp_template_definitions
from tests.channels.factories import make_business
from tests.channels.whatsapp.conftest import BUSINESS_NAME, NOW
from tests.fakes.graph_api import FakeGraphAPI


def _business(engine: Engine) -> int:
    with transaction(engine) as session:
        return make_business(session, NOW, name=BUSINESS_NAME).id


def test_push_registers_every_translation(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id = _business(engine)
    client = GraphClient(config)

    with transaction(engine) as session:
        results = push_templates(session, business_id, client, NOW)
        again = push_templates(session, business_id, client, NOW)
    client.close()

    definitions = whatsapp_template_definitions()
    assert len(results) == len(definitions)
    assert len(graph.state.templates) == len(definitions)
    assert {language for _, language in graph.state.templates} >= {"es_AR", "pt_BR"}
    assert all(result.status == "PENDING" for result in results)
    assert all(result.error is None for result in again)
    discount = graph.state.templates[("cobranza_early_discount_friendly", "es_AR")]
    assert discount["category"] == "MARKETING"
    reminder = graph.state.templates[("cobranza_reminder_soft_friendly", "es_AR")]
    assert reminder["category"] == "UTILITY"
    assert reminder["parameter_format"] == "NAMED"


def test_discount_parameter_forces_marketing() -> None:
    definition = {
        "category": "UTILITY",
        "components": [
            {
                "type": "BODY",
                "example": {
                    "body_text_named_params": [
                        {"param_name": "descuento", "example": "10 %"}
                    ]
                },
            }
        ],
    }

    assert required_category(definition) == "MARKETING"
    assert required_category({**definition, "components": []}) == "UTILITY"


def test_sync_reads_status_and_flags_missing(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id = _business(engine)
    client = GraphClient(config)
    with transaction(engine) as session:
        push_templates(session, business_id, client, NOW)
    graph.set_template_status("cobranza_reminder_soft_friendly", "es_AR", "APPROVED")
    graph.set_template_status("cobranza_due_today_formal", "pt_BR", "REJECTED")
    del graph.state.templates[("cobranza_final_notice_formal", "es_AR")]

    with transaction(engine) as session:
        sync_templates(session, business_id, client, NOW)
        stored = {(t.name, t.language): t for t in list_templates(session, business_id)}
        audits = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "whatsapp_template_status")
        ).all()
    client.close()

    assert stored[("cobranza_reminder_soft_friendly", "es_AR")].status == "APPROVED"
    assert stored[("cobranza_due_today_formal", "pt_BR")].status == "REJECTED"
    assert stored[("cobranza_final_notice_formal", "es_AR")].status == (
        TemplateStatus.MISSING
    )
    assert len(audits) > len(stored)


def test_unknown_status_parses_as_unknown(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    business_id = _business(engine)
    client = GraphClient(config)
    with transaction(engine) as session:
        push_templates(session, business_id, client, NOW)
    graph.set_template_status("cobranza_due_today_formal", "es_AR", "SOMETHING_NEW")

    with transaction(engine) as session:
        sync_templates(session, business_id, client, NOW)
        stored = {(t.name, t.language): t for t in list_templates(session, business_id)}
    client.close()

    assert stored[("cobranza_due_today_formal", "es_AR")].status == "UNKNOWN"


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, sqlite_url: str
) -> str:
    values = {
        "DATABASE_URL": sqlite_url,
        "BUSINESS_NAME": BUSINESS_NAME,
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
        "WHATSAPP_BUSINESS_ACCOUNT_ID": settings.whatsapp_business_account_id,
        "WHATSAPP_ACCESS_TOKEN": settings.whatsapp_access_token.get_secret_value(),  # type: ignore[union-attr]
        "WHATSAPP_GRAPH_BASE_URL": settings.whatsapp_graph_base_url,
    }
    for name, value in values.items():
        monkeypatch.setenv(f"COBRANZA_{name}", str(value))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield sqlite_url  # type: ignore[misc]
    get_settings.cache_clear()


def test_cli_push_sync_list(cli_env: str, graph: FakeGraphAPI) -> None:
    runner = CliRunner()

    pushed = runner.invoke(app, ["whatsapp", "templates", "push"])
    graph.set_template_status("cobranza_reminder_soft_friendly", "es_AR", "APPROVED")
    synced = runner.invoke(app, ["whatsapp", "templates", "sync"])
    listed = runner.invoke(app, ["whatsapp", "templates", "list"])

    assert pushed.exit_code == 0, pushed.output
    assert synced.exit_code == 0, synced.output
    assert listed.exit_code == 0, listed.output
    assert "cobranza_reminder_soft_friendly" in listed.output
    assert "aprobada" in listed.output
    assert "en revisión" in listed.output


def test_cli_push_without_settings_exits(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("COBRANZA_WHATSAPP_ACCESS_TOKEN", raising=False)
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["whatsapp", "templates", "push"])
    get_settings.cache_clear()

    assert result.exit_code == 2
    assert "COBRANZA_WHATSAPP_ACCESS_TOKEN" in result.output


def test_push_registers_again_a_template_meta_lost(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # Given a pushed template that Meta no longer has (deleted, or 132001 at send),
    business_id = _business(engine)
    client = GraphClient(config)
    key = ("cobranza_final_notice_formal", "es_AR")
    with transaction(engine) as session:
        push_templates(session, business_id, client, NOW)
    del graph.state.templates[key]
    with transaction(engine) as session:
        sync_templates(session, business_id, client, NOW)

    # when the owner runs push, as the send error's fix suggests,
    with transaction(engine) as session:
        results = push_templates(session, business_id, client, NOW)
        stored = {(t.name, t.language): t for t in list_templates(session, business_id)}
    client.close()

    # then the template is registered again and waits for its review.
    assert key in graph.state.templates
    assert stored[key].status == TemplateStatus.PENDING
    assert stored[key].meta_id == graph.state.templates[key]["id"]
    [result] = [r for r in results if (r.name, r.language) == key]
    assert result.status == "PENDING"
