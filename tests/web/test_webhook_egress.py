"""Outgoing webhooks reject this server's own network (SSRF).

Creation checks the URL and the addresses its name resolves to. Delivery
checks again after resolving, connects to the checked address and does not
follow redirects. A real receiver on 127.0.0.1 shows what gets through, and
names under .test get their addresses from `tests.fakes.dns`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.accounts import create_api_token
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, OutgoingWebhook, WebhookDelivery
from cobranza.web import egress
from cobranza.web.app import create_app
from cobranza.web.egress import (
    BlockedURL,
    EgressPolicy,
    webhook_client,
)
from cobranza.web.outgoing import collect_events, create_webhook, deliver_due
from tests.fakes.dns import PUBLIC, dns
from tests.fakes.webhook_receiver import FakeReceiver
from tests.web.conftest import NOW, Clock, Tenant

BLOCKED_BY_DEFAULT = [
    "http://127.0.0.1:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:6379",
    "http://[::1]/",
    "http://10.0.0.5/",
    "http://192.168.1.20:5678/webhook/x",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0.0.0.0:8000/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "https://internal.example.test/hook",
    "https://mixed.example.test/hook",
]
NEVER_ALLOWED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "https://metadata.example.test/computeMetadata/v1/",
]


ZONE = dns(
    {
        "hooks.example.test": [PUBLIC],
        "internal.example.test": ["10.1.2.3"],
        "mixed.example.test": [PUBLIC, "127.0.0.1"],
        "metadata.example.test": ["169.254.169.254"],
        "n8n.example.test": ["127.0.0.1"],
    }
)


@pytest.mark.parametrize("url", BLOCKED_BY_DEFAULT)
def test_private_targets_rejected_by_default(url: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        EgressPolicy(resolve=ZONE).check_url(url)

    message = str(caught.value)
    assert repr(url) in message
    assert "no se pudo resolver" not in message
    assert "COBRANZA_WEBHOOKS_ALLOW_PRIVATE=true" in message


@pytest.mark.parametrize("url", NEVER_ALLOWED)
def test_metadata_rejected_with_private_allowed(
    url: str,
) -> None:
    with pytest.raises(BlockedURL) as caught:
        EgressPolicy(allow_private=True, resolve=ZONE).check_url(url)

    assert repr(url) in str(caught.value)
    assert "ALLOW_PRIVATE" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5678/webhook/abc",
        "http://localhost:5678/webhook/abc",
        "http://[::1]:5678/",
        "http://192.168.1.20:5678/webhook/x",
        "https://n8n.example.test/webhook/abc",
    ],
)
def test_private_setting_allows_loopback_and_lan(url: str) -> None:
    EgressPolicy(allow_private=True, resolve=ZONE).check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.test/in",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
        "http:///no-host",
        "https://hooks.example.test:99999/in",
    ],
)
def test_only_http_and_https_urls(url: str) -> None:
    with pytest.raises(BlockedURL, match="http"):
        EgressPolicy(allow_private=True, resolve=ZONE).check_url(url)


def test_unresolved_name_rejected() -> None:
    with pytest.raises(BlockedURL, match="no se pudo resolver"):
        EgressPolicy(resolve=ZONE).check_url("https://typo.example.test/in")


def test_public_urls_pass() -> None:
    EgressPolicy(resolve=ZONE).check_url("https://hooks.example.test/in")
    EgressPolicy().check_url(f"https://{PUBLIC}/in")


def test_setting_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).webhooks_allow_private is False  # type: ignore[call-arg]
    monkeypatch.setenv("COBRANZA_WEBHOOKS_ALLOW_PRIVATE", "true")
    assert Settings(_env_file=None).webhooks_allow_private is True  # type: ignore[call-arg]


def _api(engine: Engine, tenant: Tenant, allow_private: bool) -> TestClient:
    settings = Settings(_env_file=None, webhooks_allow_private=allow_private)  # type: ignore[call-arg]
    app: FastAPI = create_app(settings, engine)
    app.state.clock = Clock(NOW)
    app.state.resolver = ZONE
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "n8n", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def _stored_urls(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(OutgoingWebhook.url)))


def test_api_refuses_internal_urls_with_a_clear_422(
    engine: Engine, tenant: Tenant
) -> None:
    client = _api(engine, tenant, allow_private=False)

    answers = {
        url: client.post("/api/v1/webhooks", json={"url": url})
        for url in BLOCKED_BY_DEFAULT
    }

    for url, answer in answers.items():
        assert answer.status_code == 422, url
        assert repr(url) in answer.json()["detail"]
        assert "COBRANZA_WEBHOOKS_ALLOW_PRIVATE=true" in answer.json()["detail"]
    assert _stored_urls(engine) == []


def test_api_private_setting_rejects_metadata(engine: Engine, tenant: Tenant) -> None:
    client = _api(engine, tenant, allow_private=True)

    local = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:5678/w"})
    metadata = client.post(
        "/api/v1/webhooks", json={"url": "http://169.254.169.254/latest/meta-data/"}
    )

    assert local.status_code == 201
    assert metadata.status_code == 422
    assert _stored_urls(engine) == ["http://127.0.0.1:5678/w"]


def test_api_slow_lookup_is_a_503(engine: Engine, tenant: Tenant) -> None:
    client = _api(engine, tenant, allow_private=False)
    released = threading.Event()
    lookups: list[str] = []

    def stuck_resolver(host: str, port: int) -> list[str]:
        # Returns a public address once released, or after ten seconds: a
        # request that waits for it gets a 201 instead of the 503.
        lookups.append(host)
        released.wait(timeout=10)
        return [PUBLIC]

    client.app.state.resolver = stuck_resolver  # type: ignore[attr-defined]
    client.app.state.resolve_timeout = 0.2  # type: ignore[attr-defined]
    try:
        response = client.post(
            "/api/v1/webhooks", json={"url": "https://slow.example.test/hook"}
        )
    finally:
        released.set()

    assert response.status_code == 503
    assert "'slow.example.test'" in response.json()["detail"]
    assert "0.2 segundos" in response.json()["detail"]
    assert response.headers["retry-after"] == "60"
    assert lookups == ["slow.example.test"]
    assert _stored_urls(engine) == []


def test_api_checked_url_is_stored_once_resolved(
    engine: Engine, tenant: Tenant
) -> None:
    client = _api(engine, tenant, allow_private=False)
    lookups: list[str] = []

    def counting_resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ZONE(host, port)

    client.app.state.resolver = counting_resolver  # type: ignore[attr-defined]

    response = client.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example.test/catch"}
    )

    assert response.status_code == 201
    assert lookups == ["hooks.example.test"]
    assert _stored_urls(engine) == ["https://hooks.example.test/catch"]


@pytest.fixture
def receiver() -> Iterator[FakeReceiver]:
    with FakeReceiver() as fake:
        yield fake


def _endpoint_with_event(engine: Engine, business_id: int, url: str) -> None:
    """Store an endpoint without the creation check, then queue one event."""
    with transaction(engine) as session:
        create_webhook(
            session,
            business_id,
            url,
            [],
            NOW,
            EgressPolicy(allow_private=True, resolve=ZONE),
        )
        session.add(
            AuditEvent(
                business_id=business_id,
                at=NOW,
                actor="test",
                kind="case_closed",
                subject_type="case",
                subject_id=7,
                reason="paid",
                details={"customer_id": 3},
            )
        )
    assert collect_events(engine, NOW) == 1


def _delivery(engine: Engine) -> WebhookDelivery:
    with transaction(engine) as session:
        return session.scalars(select(WebhookDelivery)).one()


def test_delivery_reaches_a_local_receiver_with_the_setting(
    engine: Engine, tenant: Tenant, receiver: FakeReceiver
) -> None:
    _endpoint_with_event(engine, tenant.business_id, receiver.url("/in"))

    with webhook_client(EgressPolicy(allow_private=True)) as client:
        delivered = deliver_due(engine, NOW, client)

    assert delivered == 1
    assert [request.path for request in receiver.received] == ["/in"]
    assert _delivery(engine).state == "delivered"


def test_delivery_to_a_refused_address_fails_at_once(
    engine: Engine, tenant: Tenant, receiver: FakeReceiver
) -> None:
    # Given an endpoint on 127.0.0.1 stored before the setting was turned off
    _endpoint_with_event(engine, tenant.business_id, receiver.url("/in"))

    # When the worker delivers without the setting, twice
    with webhook_client(EgressPolicy(allow_private=False)) as client:
        first = deliver_due(engine, NOW, client)
        second = deliver_due(engine, NOW + timedelta(hours=7), client)

    # Then nothing reached the receiver, and the delivery failed for good
    row = _delivery(engine)
    assert (first, second) == (0, 0)
    assert receiver.received == []
    assert row.state == "failed"
    assert row.attempts == 1
    assert row.status_code is None
    assert row.last_error is not None
    assert "127.0.0.1" in row.last_error
    assert "COBRANZA_WEBHOOKS_ALLOW_PRIVATE" in row.last_error


def test_dns_rebinding_is_caught_at_delivery(
    engine: Engine, tenant: Tenant, receiver: FakeReceiver
) -> None:
    # Given a name that resolved to a public address when it was registered
    answers = iter([[PUBLIC], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    url = receiver.url("/in", host="rebind.example.test")
    with transaction(engine) as session:
        create_webhook(
            session, tenant.business_id, url, [], NOW, EgressPolicy(resolve=rebinding)
        )
    _endpoint_event(engine, tenant.business_id)

    # When it resolves to 127.0.0.1 at delivery time
    with webhook_client(EgressPolicy(resolve=rebinding)) as client:
        deliver_due(engine, NOW, client)

    # Then the post is refused before any connection
    row = _delivery(engine)
    assert receiver.received == []
    assert row.state == "failed"
    assert "rebind.example.test (127.0.0.1)" in (row.last_error or "")


def _endpoint_event(engine: Engine, business_id: int) -> None:
    with transaction(engine) as session:
        session.add(
            AuditEvent(
                business_id=business_id,
                at=NOW,
                actor="test",
                kind="case_closed",
                subject_type="case",
                subject_id=7,
                reason="paid",
                details={"customer_id": 3},
            )
        )
    assert collect_events(engine, NOW) == 1


def test_delivery_connects_to_the_address_it_checked(
    engine: Engine, tenant: Tenant, receiver: FakeReceiver
) -> None:
    # Only the policy's resolver has this name, so reaching the receiver
    # proves the connection used the checked address, not a second lookup.
    # The Host header keeps the name.
    url = receiver.url("/webhook/abc", host="n8n.example.test")
    with transaction(engine) as session:
        create_webhook(
            session,
            tenant.business_id,
            url,
            [],
            NOW,
            EgressPolicy(allow_private=True, resolve=ZONE),
        )
    _endpoint_event(engine, tenant.business_id)

    with webhook_client(EgressPolicy(allow_private=True, resolve=ZONE)) as client:
        delivered = deliver_due(engine, NOW, client)

    assert delivered == 1
    [request] = receiver.received
    assert request.path == "/webhook/abc"
    assert request.headers["host"] == f"n8n.example.test:{receiver.port}"


def test_redirects_are_not_followed(
    engine: Engine, tenant: Tenant, receiver: FakeReceiver
) -> None:
    receiver.state.redirects["/in"] = receiver.url("/internal-admin")
    _endpoint_with_event(engine, tenant.business_id, receiver.url("/in"))

    with webhook_client(EgressPolicy(allow_private=True)) as client:
        delivered = deliver_due(engine, NOW, client)

    row = _delivery(engine)
    assert delivered == 0
    assert [request.path for request in receiver.received] == ["/in"]
    assert row.status_code == 302
    assert row.state == "pending"


class StuckResolver:
    """A resolver that blocks until released, then returns a public address."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        # Ten seconds at most, so a failed test does not hang.
        self.released.wait(timeout=10)
        return [PUBLIC]


def test_api_full_lookup_pool_is_a_503(
    engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two lookup threads, each held by a lookup that timed out
    monkeypatch.setattr(egress, "LOOKUPS", egress.LookupPool(2))
    client = _api(engine, tenant, allow_private=False)
    resolver = StuckResolver()
    client.app.state.resolver = resolver  # type: ignore[attr-defined]
    client.app.state.resolve_timeout = 0.2  # type: ignore[attr-defined]
    try:
        timed_out = [
            client.post("/api/v1/webhooks", json={"url": f"https://s{i}.test/h"})
            for i in range(2)
        ]

        # When a third endpoint is registered, and a sync route is called
        rejected = client.post(
            "/api/v1/webhooks", json={"url": "https://third.example.test/hook"}
        )
        listed = client.get("/api/v1/webhooks")
    finally:
        resolver.released.set()

    # Then the third lookup never started, and sync routes still respond
    assert [response.status_code for response in timed_out] == [503, 503]
    assert rejected.status_code == 503
    assert "'https://third.example.test/hook'" in rejected.json()["detail"]
    assert "2 verificaciones de nombres en curso" in rejected.json()["detail"]
    assert rejected.headers["retry-after"] == "60"
    assert resolver.lookups == ["s0.test", "s1.test"]
    assert listed.status_code == 200
    assert _stored_urls(engine) == []


def test_delivery_lookup_timeout_is_retried(
    engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an endpoint whose name no longer resolves in time
    monkeypatch.setattr(egress, "LOOKUPS", egress.LookupPool(2))
    _endpoint_with_event(engine, tenant.business_id, "https://hooks.example.test/in")
    resolver = StuckResolver()

    # When the worker delivers with a short lookup timeout
    policy = EgressPolicy(resolve=resolver)
    try:
        with webhook_client(policy, resolve_timeout=0.2) as client:
            delivered = deliver_due(engine, NOW, client)
    finally:
        resolver.released.set()

    # Then the delivery failed with a retryable error naming the host
    row = _delivery(engine)
    assert delivered == 0
    assert resolver.lookups == ["hooks.example.test"]
    assert row.state == "pending"
    assert row.attempts == 1
    assert row.next_attempt_at is not None
    assert row.last_error is not None
    assert "ConnectTimeout" in row.last_error
    assert "'hooks.example.test'" in row.last_error


def test_delivery_with_full_lookup_pool_is_retried(
    engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one lookup thread, held by a stuck lookup
    pool = egress.LookupPool(1)
    monkeypatch.setattr(egress, "LOOKUPS", pool)
    _endpoint_with_event(engine, tenant.business_id, "https://hooks.example.test/in")
    resolver = StuckResolver()
    stuck = pool.submit(resolver, "stuck.example.test", 443)

    # When the worker delivers
    try:
        with webhook_client(EgressPolicy(resolve=ZONE)) as client:
            delivered = deliver_due(engine, NOW, client)
    finally:
        resolver.released.set()

    # Then the lookup did not start, and the delivery is retried later
    row = _delivery(engine)
    assert stuck.result() == [PUBLIC]
    assert delivered == 0
    assert row.state == "pending"
    assert row.last_error is not None
    assert "'hooks.example.test'" in row.last_error
    assert "1 lookup threads are busy" in row.last_error
