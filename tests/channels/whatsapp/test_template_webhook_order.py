"""Template status webhooks that arrive late, twice or for another account.

Meta retries a webhook it could not deliver, so an older status can arrive
after a newer one, and an app subscribed by several WhatsApp Business
Accounts receives the template reviews of all of them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.inbox import process_pending_events
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    OutboxMessage,
    OutboxState,
    TemplateStatus,
    WhatsAppTemplate,
)
from cobranza.web.app import create_app
from tests.channels.factories import make_business
from tests.channels.whatsapp.conftest import (
    BUSINESS_NAME,
    LANGUAGE,
    NOW,
    TEMPLATE,
    sign,
)
from tests.channels.whatsapp.test_template_gate import FIXTURES
from tests.fakes.graph_api import WABA_ID

HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _business(engine: Engine) -> None:
    with transaction(engine) as session:
        make_business(session, NOW, name=BUSINESS_NAME)


def _body(event: str, at: datetime, waba_id: str = WABA_ID) -> bytes:
    body = json.loads((FIXTURES / "template_status.json").read_text())
    [entry] = body["entry"]
    entry["id"] = waba_id
    entry["time"] = int(at.timestamp())
    value = entry["changes"][0]["value"]
    value.update(
        event=event,
        message_template_name=TEMPLATE,
        message_template_language=LANGUAGE,
        reason="NONE",
    )
    return json.dumps(body).encode()


def _post(settings: Settings, engine: Engine, body: bytes, now: datetime) -> None:
    client = TestClient(create_app(settings, engine, process_events=False))
    response = client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 200, response.text
    process_pending_events(engine, now, settings=settings)


def _status(engine: Engine) -> str:
    with transaction(engine) as session:
        [template] = session.scalars(select(WhatsAppTemplate)).all()
        return str(template.status)


def test_older_pending_after_approval_keeps_approval(
    engine: Engine, settings: Settings
) -> None:
    # Given Meta approved a template at 14:00 after it was pending at 13:30,
    approved = _body("APPROVED", NOW + HOUR)
    pending = _body("PENDING", NOW + HOUR / 2)

    # when the approval arrives first and the retried PENDING after it,
    _post(settings, engine, approved, NOW + HOUR)
    _post(settings, engine, pending, NOW + 2 * HOUR)

    # then the template stays approved.
    assert _status(engine) == TemplateStatus.APPROVED


def test_newer_pause_after_approval_applies(engine: Engine, settings: Settings) -> None:
    # Given an approval, then a pause that Meta sent later,
    _post(settings, engine, _body("APPROVED", NOW), NOW + HOUR)
    _post(settings, engine, _body("PAUSED", NOW + HOUR / 2), NOW + HOUR)

    # then the pause applies, even though it arrived within the same hour.
    assert _status(engine) == TemplateStatus.PAUSED


def test_other_business_account_leaves_template(
    engine: Engine, settings: Settings
) -> None:
    # Given our template is paused,
    _post(settings, engine, _body("PAUSED", NOW), NOW)

    # when another WhatsApp Business Account of the same app approves its own,
    _post(settings, engine, _body("APPROVED", NOW + HOUR, "999000111"), NOW + HOUR)

    # then our template stays paused, and no held row is released.
    assert _status(engine) == TemplateStatus.PAUSED
    with transaction(engine) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENT)
        ).all()
    assert rows == []


def test_approval_in_second_of_push_applies(engine: Engine, settings: Settings) -> None:
    # Given a template pushed half a second into a minute,
    pushed = NOW + timedelta(milliseconds=500)
    with transaction(engine) as session:
        [business] = session.scalars(select(Business)).all()
        set_template_status(
            session,
            business.id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.PENDING,
            pushed,
            source="push",
        )

    # when Meta approves it at once, and its webhook's time drops the fraction,
    _post(settings, engine, _body("APPROVED", NOW), NOW + HOUR)

    # then the approval applies.
    assert _status(engine) == TemplateStatus.APPROVED


def test_approval_after_push_with_clock_ahead(
    engine: Engine, settings: Settings
) -> None:
    # Given this server's clock runs a minute ahead of Meta's, and a template
    # pushed at 13:01:00 by this clock (13:00:00 at Meta),
    ahead = timedelta(minutes=1)
    with transaction(engine) as session:
        [business] = session.scalars(select(Business)).all()
        set_template_status(
            session,
            business.id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.PENDING,
            NOW + ahead,
            source="push",
        )

    # when Meta approves it two seconds later, at 13:00:02 by its clock,
    approved_at = NOW + timedelta(seconds=2)
    _post(settings, engine, _body("APPROVED", approved_at), approved_at + ahead)

    # then the approval applies.
    assert _status(engine) == TemplateStatus.APPROVED


def test_older_report_ignored_with_clock_behind(
    engine: Engine, settings: Settings
) -> None:
    # Given this server's clock runs a minute behind Meta's, and Meta approved
    # a template at 14:00:00 after it was pending at 13:59:30 (Meta's times),
    behind = timedelta(minutes=1)
    approved = _body("APPROVED", NOW + HOUR)
    pending = _body("PENDING", NOW + HOUR - timedelta(seconds=30))

    # when the approval arrives at once and the retried PENDING much later,
    _post(settings, engine, approved, NOW + HOUR - behind)
    _post(settings, engine, pending, NOW + 3 * HOUR)

    # then the template stays approved.
    assert _status(engine) == TemplateStatus.APPROVED


def test_sync_after_webhook_keeps_order(engine: Engine, settings: Settings) -> None:
    # Given Meta paused a template at 14:00, and a sync read it approved later,
    _post(settings, engine, _body("PAUSED", NOW + HOUR), NOW + HOUR)
    with transaction(engine) as session:
        [business] = session.scalars(select(Business)).all()
        set_template_status(
            session,
            business.id,
            TEMPLATE,
            LANGUAGE,
            TemplateStatus.APPROVED,
            NOW + 2 * HOUR,
            source="sync",
        )

    # when the PENDING that Meta reported at 13:30 arrives after both,
    _post(settings, engine, _body("PENDING", NOW + HOUR / 2), NOW + 3 * HOUR)

    # then the sync's status stays, because the retried report is older
    # than the last webhook.
    assert _status(engine) == TemplateStatus.APPROVED
