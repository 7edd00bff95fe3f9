"""Conversaciones: a hand-off whose balance reaches zero stays for a person.

A case handed to a person over a dispute stays in the inbox after the
payment form settles the balance, marked «saldo cancelado», and «Devolver
a la automatización» then closes it as paid. The summary's recovered
amount counts the payment either way.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

from fastapi import FastAPI
from sqlalchemy import Engine, select

from cobranza.conversations.handoff import hand_off
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Case, CaseState
from cobranza.money import format_money
from tests.web.conftest import NOW, Tenant

OK = re.compile(r'<p class="notice ok" role="status">(.*?)</p>', re.DOTALL)
SETTLED = "saldo cancelado: ya no debe nada y no recibe recordatorios"


def _notice(text: str) -> str:
    found = OK.search(text)
    assert found is not None, "no notice on the page"
    return " ".join(html.unescape(found.group(1)).split())


def _waiting(engine: Engine, tenant: Tenant, reason: str) -> int:
    """Open a case that a reply handed to a person with `reason`."""
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=10),
        )
        session.add(case)
        session.flush()
        hand_off(session, case, reason, NOW - timedelta(hours=3))
        return case.id


def _pay_all(client, token: str, tenant: Tenant) -> str:  # type: ignore[no-untyped-def]
    """Pay the customer's only invoice, A-0001 for 15.000, with the form."""
    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data={
            "amount": "15.000,00",
            "paid_on": "2026-03-16",
            "method": "transferencia",
            "reference": "000123",
            "back": "conversacion",
            "csrf_token": token,
        },
    )
    assert page.status_code == 200, page.text
    return _notice(page.text)


def _recovered(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/")
    found = re.search(
        r"<span>Recuperado este mes</span><strong>(.*?)</strong>", page.text
    )
    assert found is not None, "no recovered amount on the summary"
    return html.unescape(found.group(1))


def test_dispute_stays_after_payment_form(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given
    case_id = _waiting(engine, tenant, "dispute")
    client, token = client_for(tenant)

    # when
    confirmation = _pay_all(client, token, tenant)
    inbox = client.get("/conversaciones")
    thread = client.get(f"/conversaciones/{tenant.customer_id}")

    # then
    assert "El cliente ya no debe nada, pero el caso sigue esperando" in confirmation
    assert "(reclama una factura)" in confirmation
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert case.closed_at is None
        assert case.handoff_reason == "dispute"
    assert f'href="/conversaciones/{tenant.customer_id}"' in inbox.text
    assert "reclama una factura" in inbox.text
    assert SETTLED in html.unescape(inbox.text)
    assert 'id="balance-settled"' in thread.text
    assert "Saldo cancelado: ya no debe nada" in html.unescape(thread.text)
    paid = format_money(Decimal("15000"), "ARS", "es_AR")
    assert _recovered(client) == paid

    # when
    resumed = client.post(
        f"/conversaciones/{tenant.customer_id}/automatizar",
        data={"csrf_token": token},
    )

    # then
    assert "el caso se cerró como pagado" in _notice(resumed.text)
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert case.state == CaseState.CLOSED
        assert case.close_reason == "zero_balance"
        closed = session.scalars(
            select(AuditEvent).where(
                AuditEvent.kind == "case_closed", AuditEvent.subject_id == case_id
            )
        ).one()
        assert closed.reason == "zero_balance"
        assert closed.actor == "owner:duenia@uno.com"
        assert closed.details["handoff_reason"] == "dispute"
    inbox = client.get("/conversaciones")
    assert "No hay conversaciones esperando a una persona." in inbox.text
    assert _recovered(client) == paid


def test_installments_request_closes_when_paid(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given
    case_id = _waiting(engine, tenant, "installments_requested")
    client, token = client_for(tenant)

    # when
    confirmation = _pay_all(client, token, tenant)

    # then
    assert "El caso se cerró como pagado" in confirmation
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert case.close_reason == "paid"
    inbox = client.get("/conversaciones")
    assert "No hay conversaciones esperando a una persona." in inbox.text


def test_owing_case_not_marked_settled(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given
    _waiting(engine, tenant, "dispute")
    client, _ = client_for(tenant)

    # when
    inbox = client.get("/conversaciones")
    thread = client.get(f"/conversaciones/{tenant.customer_id}")

    # then
    assert "reclama una factura" in inbox.text
    assert "saldo cancelado" not in inbox.text
    assert 'id="balance-settled"' not in thread.text


def test_customer_page_resume_closes_paid(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given
    case_id = _waiting(engine, tenant, "cannot_pay")
    client, token = client_for(tenant)
    _pay_all(client, token, tenant)

    # when
    resumed = client.post(
        f"/clientes/{tenant.customer_id}/reanudar", data={"csrf_token": token}
    )

    # then
    notice = _notice(resumed.text)
    assert "El cliente ya no debe nada" in notice
    assert "el caso se cerró como pagado" in notice
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert case.state == CaseState.CLOSED
        assert case.close_reason == "zero_balance"
