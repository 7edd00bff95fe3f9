from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, WebhookDelivery
from cobranza.web.egress import EgressPolicy
from cobranza.web.outgoing import (
    MAX_ATTEMPTS,
    SIGNATURE_HEADER,
    collect_events,
    create_webhook,
    deliver_due,
    retry_delay,
)
from tests.fakes.dns import PUBLIC, dns
from tests.web.conftest import NOW, Tenant

# These tests post through httpx.MockTransport; the names only have to pass
# the creation check.
POLICY = EgressPolicy(resolve=dns({"hooks.example.test": [PUBLIC], "x.test": [PUBLIC]}))


def _audit(
    engine: Engine,
    business_id: int,
    kind: str,
    reason: str | None = None,
    **details: Any,
) -> None:
    with transaction(engine) as session:
        session.add(
            AuditEvent(
                business_id=business_id,
                at=NOW,
                actor="test",
                kind=kind,
                subject_type="case",
                subject_id=7,
                reason=reason,
                details={"customer_id": 3, **details},
            )
        )


def _webhook(
    engine: Engine, business_id: int, events: list[str] | None = None
) -> tuple[int, str]:
    with transaction(engine) as session:
        webhook = create_webhook(
            session,
            business_id,
            "https://hooks.example.test/in",
            events or [],
            NOW,
            POLICY,
        )
        return webhook.id, webhook.secret


def _deliveries(engine: Engine) -> list[WebhookDelivery]:
    with transaction(engine) as session:
        return list(
            session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
        )


def test_events_become_signed_posts(engine: Engine, tenant: Tenant) -> None:
    _audit(engine, tenant.business_id, "message_sent", "gate_passed")
    _webhook_id, secret = _webhook(engine, tenant.business_id)
    for kind, reason, extra in [
        ("message_sent", "gate_passed", {}),
        ("reply_received", "customer_matched", {}),
        ("promise_recorded", None, {}),
        ("payment_status", "approved", {}),
        ("payment_status", "pending", {}),
        ("case_closed", "paid", {}),
        ("step_planned", "handoff_step", {"action": "handoff"}),
        ("step_skipped", None, {}),
    ]:
        _audit(engine, tenant.business_id, kind, reason, **extra)
    received: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    queued = collect_events(engine, NOW)
    again = collect_events(engine, NOW)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        delivered = deliver_due(engine, NOW, client)

    types = [request.headers["x-cobranza-event"] for request in received]
    assert queued == 6
    assert again == 6  # re-read ids are queued again but stored once
    assert delivered == 6
    assert types == [
        "message.sent",
        "reply.received",
        "promise.created",
        "payment.received",
        "case.resolved",
        "case.handed_off",
    ]
    request = received[0]
    signature = request.headers[SIGNATURE_HEADER]
    timestamp = signature.split(",")[0].removeprefix("t=")
    expected = hmac.new(
        secret.encode(),
        f"{timestamp}.{request.content.decode()}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert signature == f"t={timestamp},v1={expected}"
    assert json.loads(request.content)["data"]["customer_id"] == 3
    assert all(row.state == "delivered" for row in _deliveries(engine))


def test_filters_event_types(engine: Engine, tenant: Tenant) -> None:
    _webhook(engine, tenant.business_id, ["case.resolved"])
    _audit(engine, tenant.business_id, "message_sent", "gate_passed")
    _audit(engine, tenant.business_id, "case_closed", "paid")

    collect_events(engine, NOW)

    assert [row.event_type for row in _deliveries(engine)] == ["case.resolved"]


def test_other_business_events_stay_out(
    engine: Engine, tenant: Tenant, other_tenant: Tenant
) -> None:
    _webhook(engine, tenant.business_id)
    _audit(engine, other_tenant.business_id, "case_closed", "paid")

    collect_events(engine, NOW)

    assert _deliveries(engine) == []


def test_failures_back_off_then_give_up(engine: Engine, tenant: Tenant) -> None:
    _webhook(engine, tenant.business_id)
    _audit(engine, tenant.business_id, "case_closed", "paid")
    collect_events(engine, NOW)
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    instant = NOW
    waits = []

    with httpx.Client(transport=transport) as client:
        for _ in range(MAX_ATTEMPTS):
            assert deliver_due(engine, instant, client) == 0
            row = _deliveries(engine)[0]
            waits.append(row.next_attempt_at - instant)
            assert deliver_due(engine, instant, client) == 0  # not due yet
            instant = row.next_attempt_at

    row = _deliveries(engine)[0]
    assert row.state == "failed"
    assert row.attempts == MAX_ATTEMPTS
    assert row.status_code == 500
    assert waits[:3] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
    ]


def test_retry_delay_is_capped() -> None:
    assert retry_delay(1) == timedelta(seconds=30)
    assert retry_delay(20) == timedelta(hours=6)


def test_connection_error_is_retried(engine: Engine, tenant: Tenant) -> None:
    _webhook(engine, tenant.business_id)
    _audit(engine, tenant.business_id, "case_closed", "paid")
    collect_events(engine, NOW)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        deliver_due(engine, NOW, client)

    row = _deliveries(engine)[0]
    assert row.state == "pending"
    assert row.status_code is None
    assert row.last_error is not None
    assert "ConnectError" in row.last_error


def test_rejects_unknown_event_type(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session, pytest.raises(ValueError, match="unknown"):
        create_webhook(
            session, tenant.business_id, "https://x.test", ["nope"], NOW, POLICY
        )
