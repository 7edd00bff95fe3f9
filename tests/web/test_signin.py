from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.accounts.throttle import (
    MAX_ACCOUNT_FAILURES,
    MAX_ADDRESS_FAILURES,
    MAX_FAILURES,
)
from cobranza.db.engine import transaction
from cobranza.db.models import Business
from cobranza.web.dashboard import (
    audit_log,
    conversations,
    customers,
    imports,
    policy_page,
    settings_page,
    summary,
)
from cobranza.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import NOW, Clock, Tenant, csrf_from, sign_in
from tests.web.factories import make_owner


def _attempt(client: TestClient, email: str, password: str) -> int:
    form = client.get("/entrar")
    response = client.post(
        "/entrar",
        data={"email": email, "password": password, "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )
    return response.status_code


def _client_at(app: FastAPI, address: str) -> TestClient:
    """Return a client whose requests come from `address`."""
    return TestClient(app, base_url="https://testserver", client=(address, 50000))


def test_pages_redirect_to_sign_in(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")

    response = client.get("/clientes", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/entrar"


def test_session_cookie_flags(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")
    form = client.get("/entrar")

    response = client.post(
        "/entrar",
        data={
            "email": tenant.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )

    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith(SESSION_COOKIE + "=")
    ).lower()
    assert response.status_code == 303
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" in cookie


def test_secure_flag_can_be_turned_off(app: FastAPI, tenant: Tenant) -> None:
    app.state.settings = app.state.settings.model_copy(update={"cookie_secure": False})
    client = TestClient(app)
    form = client.get("/entrar")

    response = client.post(
        "/entrar",
        data={
            "email": tenant.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )

    cookie = response.headers["set-cookie"].lower()
    assert "secure" not in cookie
    assert client.get("/", follow_redirects=False).status_code == 200


def test_sign_in_form_needs_csrf(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")
    client.get("/entrar")

    response = client.post(
        "/entrar",
        data={"email": tenant.email, "password": "correct horse battery"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert LOGIN_CSRF_COOKIE in client.cookies


def test_wrong_password_is_rejected(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")

    status = _attempt(client, tenant.email, "wrong password!")

    assert status == 401
    assert SESSION_COOKIE not in client.cookies


def test_post_without_csrf_token_is_403(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    url = f"/clientes/{tenant.customer_id}/telefono"

    missing = client.post(url, data={"phone": "+5491155559999"})
    wrong = client.post(url, data={"phone": "+5491155559999", "csrf_token": "x" * 43})
    right = client.post(
        url,
        data={"phone": "+5491155559999", "csrf_token": token},
        follow_redirects=False,
    )

    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert right.status_code == 303


def _dashboard_post_paths(tenant: Tenant) -> list[str]:
    """Return every POST path of the dashboard with its ids filled in."""
    modules = [
        audit_log,
        conversations,
        customers,
        imports,
        policy_page,
        settings_page,
        summary,
    ]
    ids = {
        "customer_id": tenant.customer_id,
        "document_id": tenant.invoice_id,
        "media_id": 1,
    }
    paths = [
        route.path.format(**ids)
        for module in modules
        for route in module.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    return [*paths, "/salir"]


def test_every_dashboard_post_checks_csrf(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, _ = client_for(tenant)
    paths = _dashboard_post_paths(tenant)

    assert len(paths) >= 13
    for path in paths:
        assert client.post(path, data={}).status_code == 403, path


def test_sign_out_ends_the_session(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    response = client.post("/salir", data={"csrf_token": token}, follow_redirects=False)

    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_five_failures_lock_the_account(
    app: FastAPI, tenant: Tenant, clock: Clock
) -> None:
    client = TestClient(app, base_url="https://testserver")

    statuses = [_attempt(client, tenant.email, "wrong password!") for _ in range(5)]
    locked = _attempt(client, tenant.email, "correct horse battery")
    clock.now += timedelta(minutes=16)
    after = _attempt(client, tenant.email, "correct horse battery")

    assert statuses == [401] * 5
    assert locked == 429
    assert after == 303


def test_failures_lock_the_client_address(
    app: FastAPI, tenant: Tenant, other_tenant: Tenant
) -> None:
    client = TestClient(app, base_url="https://testserver")
    elsewhere = _client_at(app, "198.51.100.7")

    for index in range(MAX_ADDRESS_FAILURES):
        _attempt(client, f"nadie{index}@ejemplo.com", "wrong password!")
    locked = _attempt(client, other_tenant.email, "correct horse battery")
    from_elsewhere = _attempt(elsewhere, other_tenant.email, "correct horse battery")

    assert locked == 429
    assert from_elsewhere == 303


def test_outsider_cannot_lock_the_owner(
    app: FastAPI, tenant: Tenant, clock: Clock
) -> None:
    outsider = _client_at(app, "203.0.113.9")
    owner = _client_at(app, "198.51.100.7")

    guesses = [_attempt(outsider, tenant.email, f"guess {n}") for n in range(5)]
    outsider_locked = _attempt(outsider, tenant.email, "correct horse battery")
    owner_status = _attempt(owner, tenant.email, "correct horse battery")

    assert guesses == [401] * 5
    assert outsider_locked == 429
    assert owner_status == 303


def test_owner_success_keeps_outsider_failures(app: FastAPI, tenant: Tenant) -> None:
    outsider = _client_at(app, "203.0.113.9")
    owner = _client_at(app, "198.51.100.7")

    before = [_attempt(outsider, tenant.email, f"guess {n}") for n in range(4)]
    owner_status = _attempt(owner, tenant.email, "correct horse battery")
    fifth = _attempt(outsider, tenant.email, "guess 5")
    sixth = _attempt(outsider, tenant.email, "guess 6")

    assert before == [401] * 4
    assert owner_status == 303
    assert fifth == 401
    assert sixth == 429


def test_many_addresses_lock_only_failed_ones(app: FastAPI, tenant: Tenant) -> None:
    # Up to four failures from each of 13 addresses: the account's limit
    # from all addresses, though no address reached its own limit of five.
    addresses: list[str] = []
    remaining = MAX_ACCOUNT_FAILURES
    while remaining:
        address = f"203.0.113.{len(addresses) + 1}"
        client = _client_at(app, address)
        for n in range(min(MAX_FAILURES - 1, remaining)):
            assert _attempt(client, tenant.email, f"guess {n}") == 401, address
            remaining -= 1
        addresses.append(address)

    failed_before = _attempt(
        _client_at(app, addresses[0]), tenant.email, "correct horse battery"
    )
    fresh = _client_at(app, "198.51.100.7")
    fresh_wrong = _attempt(fresh, tenant.email, "one typo")
    fresh_after_typo = _attempt(fresh, tenant.email, "correct horse battery")
    owner = _attempt(
        _client_at(app, "198.51.100.8"), tenant.email, "correct horse battery"
    )

    assert failed_before == 429
    assert fresh_wrong == 401
    assert fresh_after_typo == 429
    assert owner == 303


def test_success_clears_account_failures(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")

    for _ in range(4):
        _attempt(client, tenant.email, "wrong password!")
    sign_in(client, tenant.email)
    client.cookies.clear()
    later = [_attempt(client, tenant.email, "wrong password!") for _ in range(4)]
    # Eight failures in 15 minutes, but only four since the last success.
    final = _attempt(client, tenant.email, "correct horse battery")

    assert later == [401] * 4
    assert final == 303


def test_logs_carry_no_email_or_phone(
    app: FastAPI,
    tenant: Tenant,
    client_for,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    caplog.set_level(logging.DEBUG, logger="cobranza")
    owner, token = client_for(tenant)
    owner.post(
        f"/clientes/{tenant.customer_id}/telefono",
        data={"phone": "+5491155559999", "csrf_token": token},
    )
    client = TestClient(app, base_url="https://testserver")
    for _ in range(6):
        _attempt(client, tenant.email, "wrong password!")

    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any("sign-in locked" in message for message in info)
    assert not any(tenant.email in message for message in info)
    assert not any("5555" in message for message in info)


def test_internationalised_email_signs_in(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        make_owner(session, business, NOW, "Dueña@Negocio.com")
    composed = TestClient(app, base_url="https://testserver")
    # "n" followed by a combining tilde, as some keyboards send "ñ".
    decomposed = TestClient(app, base_url="https://testserver")

    sign_in(composed, "dueña@negocio.com")
    sign_in(decomposed, "duen\u0303a@negocio.com")

    assert composed.get("/clientes", follow_redirects=False).status_code == 200
    assert decomposed.get("/clientes", follow_redirects=False).status_code == 200


def test_sign_in_form_leaves_checks_to_server(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")

    form = client.get("/entrar").text

    assert "novalidate" in form
    assert 'type="email"' not in form
    assert " required" not in form


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "", "Escribí tu email y tu contraseña."),
        ("", "secreto", "Escribí tu email."),
        ("ana@negocio.com", "", "Escribí tu contraseña."),
    ],
)
def test_empty_sign_in_fields_worded(
    app: FastAPI, email: str, password: str, message: str
) -> None:
    client = TestClient(app, base_url="https://testserver")
    form = client.get("/entrar")

    response = client.post(
        "/entrar",
        data={"email": email, "password": password, "csrf_token": csrf_from(form.text)},
    )

    assert response.status_code == 400
    assert message in response.text


def test_concurrent_failures_respect_lock(live_url: str, tenant: Tenant) -> None:
    # Each attempt gets its own form first, so all of them post at once.
    clients = [httpx.Client(base_url=live_url, timeout=60) for _ in range(30)]
    tokens = [csrf_from(client.get("/entrar").text) for client in clients]

    def attempt(index: int) -> int:
        response = clients[index].post(
            "/entrar",
            data={
                "email": tenant.email,
                "password": f"wrong password {index}",
                "csrf_token": tokens[index],
            },
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        statuses = list(pool.map(attempt, range(len(clients))))
    for client in clients:
        client.close()

    assert statuses.count(401) <= 5
    assert statuses.count(401) + statuses.count(429) == len(clients)


def test_local_proxy_address_is_forwarded(live_url: str, tenant: Tenant) -> None:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, as from an
    # nginx on the same machine, so each client keeps its own failures.
    def attempt(forwarded_for: str, password: str) -> int:
        with httpx.Client(
            base_url=live_url, headers={"X-Forwarded-For": forwarded_for}
        ) as client:
            token = csrf_from(client.get("/entrar").text)
            response = client.post(
                "/entrar",
                data={"email": tenant.email, "password": password, "csrf_token": token},
            )
        return response.status_code

    guesses = [attempt("203.0.113.9", f"guess {n}") for n in range(5)]
    outsider_locked = attempt("203.0.113.9", "correct horse battery")
    owner = attempt("198.51.100.7", "correct horse battery")

    assert guesses == [401] * 5
    assert outsider_locked == 429
    assert owner == 303


def test_ipv6_failures_count_per_64_prefix(app: FastAPI, tenant: Tenant) -> None:
    # One host on an IPv6 network is usually given a whole /64, so a new low
    # 64 bits per guess must not give a fresh set of attempts.
    guesses = [
        _attempt(_client_at(app, f"2001:db8:0:1::{n + 1}"), tenant.email, "guess")
        for n in range(MAX_FAILURES)
    ]
    same_prefix = _client_at(app, "2001:db8:0:1:abcd::99")
    same_prefix_status = _attempt(same_prefix, tenant.email, "correct horse battery")
    other_prefix = _client_at(app, "2001:db8:0:2::1")
    other_prefix_status = _attempt(other_prefix, tenant.email, "correct horse battery")

    assert guesses == [401] * MAX_FAILURES
    assert same_prefix_status == 429
    assert other_prefix_status == 303


def test_ipv4_mapped_address_counts_as_ipv4(app: FastAPI, tenant: Tenant) -> None:
    ipv4 = _client_at(app, "203.0.113.9")
    mapped = _client_at(app, "::ffff:203.0.113.9")

    guesses = [_attempt(ipv4, tenant.email, f"guess {n}") for n in range(5)]
    mapped_status = _attempt(mapped, tenant.email, "correct horse battery")

    assert guesses == [401] * 5
    assert mapped_status == 429


def test_untrusted_peer_cannot_spoof_forwarded_for(
    live_url: str, tenant: Tenant
) -> None:
    # A peer at 127.0.0.2 is not a proxy that uvicorn trusts, so a new
    # X-Forwarded-For per guess does not give it a new address.
    def attempt(forwarded_for: str, password: str) -> int:
        with httpx.Client(
            base_url=live_url,
            transport=httpx.HTTPTransport(local_address="127.0.0.2"),
            headers={"X-Forwarded-For": forwarded_for},
        ) as client:
            token = csrf_from(client.get("/entrar").text)
            response = client.post(
                "/entrar",
                data={"email": tenant.email, "password": password, "csrf_token": token},
            )
        return response.status_code

    guesses = [attempt(f"203.0.113.{n + 1}", f"guess {n}") for n in range(5)]
    spoofed = attempt("198.51.100.7", "correct horse battery")

    assert guesses == [401] * 5
    assert spoofed == 429


def test_concurrent_accounts_respect_address_lock(
    live_url: str, tenant: Tenant
) -> None:
    # Parallel guesses for many accounts from one address: the reserved
    # attempts count each other, so no more than the address limit fail
    # their password check.
    total = MAX_ADDRESS_FAILURES + 10
    clients = [httpx.Client(base_url=live_url, timeout=60) for _ in range(total)]
    tokens = [csrf_from(client.get("/entrar").text) for client in clients]

    def attempt(index: int) -> int:
        response = clients[index].post(
            "/entrar",
            data={
                "email": f"nadie{index}@ejemplo.com",
                "password": f"wrong password {index}",
                "csrf_token": tokens[index],
            },
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=total) as pool:
        statuses = list(pool.map(attempt, range(total)))
    for client in clients:
        client.close()

    assert statuses.count(401) <= MAX_ADDRESS_FAILURES
    assert statuses.count(401) + statuses.count(429) == total
