"""Every response carries headers against framing and address leaks."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cobranza.web.security_headers import CONTENT_SECURITY_POLICY
from tests.web.conftest import Tenant


def _assert_protected(headers: dict[str, str], path: str) -> None:
    assert headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, path
    assert headers.get("x-frame-options") == "DENY", path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("referrer-policy") == "same-origin", path


def test_pages_api_and_errors_carry_the_headers(
    app: FastAPI, tenant: Tenant, client_for
) -> None:  # type: ignore[no-untyped-def]
    owner, _ = client_for(tenant)
    outsider = TestClient(app, base_url="https://testserver")

    responses = {
        "/": owner.get("/"),
        "/clientes": owner.get("/clientes"),
        "/entrar": outsider.get("/entrar"),
        "/pagar/no-such-token": outsider.get("/pagar/no-such-token"),
        "/api/v1/customers": outsider.get("/api/v1/customers"),
        "/static/app.js": outsider.get("/static/app.js"),
        "/no-such-page": owner.get("/no-such-page"),
    }

    assert responses["/"].status_code == 200
    assert responses["/api/v1/customers"].status_code == 401
    assert responses["/no-such-page"].status_code == 404
    for path, response in responses.items():
        _assert_protected(dict(response.headers), path)


def test_frame_and_policy_not_doubled(app: FastAPI, tenant: Tenant, client_for) -> None:  # type: ignore[no-untyped-def]
    owner, _ = client_for(tenant)

    response = owner.get("/")

    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_policy_allows_no_inline_style() -> None:
    directives = dict(
        directive.strip().split(" ", 1)
        for directive in CONTENT_SECURITY_POLICY.split(";")
    )

    assert directives["style-src"] == "'self'"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


def test_pages_carry_no_inline_style(app: FastAPI, tenant: Tenant, client_for) -> None:  # type: ignore[no-untyped-def]
    # With 'unsafe-inline' gone from style-src, a browser ignores any style
    # attribute or <style> element, so none may remain in a page.
    owner, _ = client_for(tenant)
    outsider = TestClient(app, base_url="https://testserver")
    inline_style = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)

    pages = {
        "/": owner.get("/"),
        "/clientes": owner.get("/clientes"),
        f"/clientes/{tenant.customer_id}": owner.get(f"/clientes/{tenant.customer_id}"),
        "/conversaciones": owner.get("/conversaciones"),
        "/importar": owner.get("/importar"),
        "/politica": owner.get("/politica"),
        "/configuracion": owner.get("/configuracion"),
        "/auditoria": owner.get("/auditoria"),
        "/no-such-page": owner.get("/no-such-page"),
        "/entrar": outsider.get("/entrar"),
        "/pagar/no-such-token": outsider.get("/pagar/no-such-token"),
    }

    assert "<svg" in pages["/"].text
    assert "<rect" in pages["/"].text
    for path, response in pages.items():
        assert response.headers["content-type"].startswith("text/html"), path
        assert inline_style.search(response.text) is None, path
    script = outsider.get("/static/app.js").text
    assert ".style" not in script
    assert 'setAttribute("style"' not in script
