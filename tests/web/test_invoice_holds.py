"""Holding and releasing invoices from the dashboard, and closing a hand-off."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Case,
    CaseState,
    Document,
    InstallmentPlan,
    PlanStatus,
)
from cobranza.payments import create_plan
from tests.web.conftest import NOW, Tenant

ClientFor = Callable[[Tenant], tuple[TestClient, str]]


def _invoice(engine: Engine, document_id: int) -> Document:
    with transaction(engine) as session:
        return session.get_one(Document, document_id)


def _row(html: str, number: str) -> str:
    match = re.search(
        rf"<tr>\s*<td data-label=\"Número\">(?:<bdi>)?{number}.*?</tr>", html, re.S
    )
    assert match is not None, f"no row for {number}"
    return match.group(0)


def _hold_events(engine: Engine) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind.in_(["invoice_held", "invoice_released"]))
                .order_by(AuditEvent.id)
            )
        )


def test_hold_without_end_shown(
    engine: Engine, tenant: Tenant, client_for: ClientFor
) -> None:
    # given
    client, token = client_for(tenant)

    # when
    page = client.post(
        f"/clientes/{tenant.customer_id}/retener",
        data={
            "document_id": [str(tenant.invoice_id)],
            "no_end": "true",
            "until": "2026-04-30",
            "reason": "pasó al abogado",
            "csrf_token": token,
        },
    )

    # then
    invoice = _invoice(engine, tenant.invoice_id)
    [event] = _hold_events(engine)
    row = _row(page.text, "A-0001")
    assert page.status_code == 200
    assert "Retenidas sin fecha de fin: A-0001." in page.text
    assert invoice.held_at == NOW
    assert invoice.hold_until is None
    assert invoice.hold_reason == "pasó al abogado"
    assert (event.actor, event.reason) == ("owner:duenia@uno.com", "pasó al abogado")
    assert "Retenida sin fecha de fin" in row
    assert "pasó al abogado" in row
    assert "Liberar" in row
    assert "factura retenida" in page.text


def test_hold_until_day_shown(
    engine: Engine, tenant: Tenant, client_for: ClientFor
) -> None:
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/retener",
        data={
            "document_id": [str(tenant.invoice_id)],
            "no_end": "false",
            "until": "2026-04-30",
            "reason": "viaja",
            "csrf_token": token,
        },
    )

    assert "Retenidas hasta el 30/04/2026: A-0001." in page.text
    assert "Retenida hasta el 30/04/2026" in _row(page.text, "A-0001")
    assert _invoice(engine, tenant.invoice_id).hold_until == NOW.date().replace(
        month=4, day=30
    )


def test_release_button(engine: Engine, tenant: Tenant, client_for: ClientFor) -> None:
    # given
    client, token = client_for(tenant)
    client.post(
        f"/clientes/{tenant.customer_id}/retener",
        data={
            "document_id": [str(tenant.invoice_id)],
            "no_end": "true",
            "reason": "acuerdo",
            "csrf_token": token,
        },
    )

    # when
    page = client.post(
        f"/clientes/{tenant.customer_id}/facturas/{tenant.invoice_id}/liberar",
        data={"csrf_token": token},
    )
    again = client.post(
        f"/clientes/{tenant.customer_id}/facturas/{tenant.invoice_id}/liberar",
        data={"csrf_token": token},
    )

    # then
    invoice = _invoice(engine, tenant.invoice_id)
    assert "Factura A-0001 liberada" in page.text
    assert "Retenida" not in _row(page.text, "A-0001")
    assert invoice.held_at is None
    assert [event.kind for event in _hold_events(engine)] == [
        "invoice_held",
        "invoice_released",
    ]
    assert "No se liberó: la factura A-0001 del cliente C-1 no está retenida" in (
        again.text
    )


def test_hold_bad_form_changes_nothing(
    engine: Engine, tenant: Tenant, client_for: ClientFor
) -> None:
    client, token = client_for(tenant)
    base = {"csrf_token": token, "reason": "acuerdo"}
    invoice = {"document_id": [str(tenant.invoice_id)]}
    cases = [
        ({**base, "no_end": "true"}, "Marcá al menos una factura"),
        ({**base, **invoice, "no_end": "false"}, "Elegí hasta qué día"),
        (
            {**base, **invoice, "no_end": "false", "until": "30/04/2026"},
            "La fecha «30/04/2026» no es válida",
        ),
        (
            {**base, **invoice, "no_end": "false", "until": "2026-03-01"},
            "la fecha de fin 01/03/2026 ya pasó",
        ),
        ({**base, **invoice, "no_end": "true", "reason": " "}, "falta el motivo"),
    ]

    for data, message in cases:
        page = client.post(f"/clientes/{tenant.customer_id}/retener", data=data)

        assert message in page.text, message
    assert _invoice(engine, tenant.invoice_id).held_at is None
    assert _hold_events(engine) == []


def test_hold_other_tenant_invoice_404(
    engine: Engine, tenant: Tenant, other_tenant: Tenant, client_for: ClientFor
) -> None:
    client, token = client_for(tenant)

    held = client.post(
        f"/clientes/{tenant.customer_id}/retener",
        data={
            "document_id": [str(other_tenant.invoice_id)],
            "no_end": "true",
            "reason": "acuerdo",
            "csrf_token": token,
        },
    )
    released = client.post(
        f"/clientes/{tenant.customer_id}/facturas/{other_tenant.invoice_id}/liberar",
        data={"csrf_token": token},
    )

    assert held.status_code == 404
    assert released.status_code == 404
    assert _invoice(engine, other_tenant.invoice_id).held_at is None


def test_hold_needs_csrf(engine: Engine, tenant: Tenant, client_for: ClientFor) -> None:
    client, _ = client_for(tenant)

    response = client.post(
        f"/clientes/{tenant.customer_id}/retener",
        data={
            "document_id": [str(tenant.invoice_id)],
            "no_end": "true",
            "reason": "acuerdo",
        },
    )

    assert response.status_code == 403
    assert _invoice(engine, tenant.invoice_id).held_at is None


def test_close_hand_off_holds_invoices(
    engine: Engine, tenant: Tenant, client_for: ClientFor
) -> None:
    # given: a case waiting for a person
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.HANDED_OFF,
            handoff_reason="cannot_pay",
            handed_off_at=NOW - timedelta(hours=2),
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        case_id = case.id
    client, token = client_for(tenant)
    conversation = client.get(f"/conversaciones/{tenant.customer_id}").text

    # when
    page = client.post(
        f"/conversaciones/{tenant.customer_id}/cerrar",
        data={"reason": "arreglamos por teléfono", "csrf_token": token},
    )
    again = client.post(
        f"/conversaciones/{tenant.customer_id}/cerrar",
        data={"reason": "", "csrf_token": token},
    )

    # then
    with transaction(engine) as session:
        closed = session.get_one(Case, case_id)
    invoice = _invoice(engine, tenant.invoice_id)
    assert "Cerrar el caso y dejar de cobrar" in conversation
    assert "Caso cerrado. Quedaron retenidas sin fecha de fin: A-0001." in page.text
    assert closed.state == CaseState.CLOSED
    assert closed.close_reason == "closed_by_person"
    assert invoice.hold_until is None
    assert invoice.hold_reason == "arreglamos por teléfono"
    assert "El cliente no tiene un caso abierto." in again.text
    assert "Cerrar el caso y dejar de cobrar" not in again.text


def test_close_default_reason(
    engine: Engine, tenant: Tenant, client_for: ClientFor
) -> None:
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                state=CaseState.HANDED_OFF,
                handoff_reason="request_human",
                handed_off_at=NOW,
                opened_at=NOW,
            )
        )
    client, token = client_for(tenant)

    client.post(
        f"/conversaciones/{tenant.customer_id}/cerrar",
        data={"reason": "  ", "csrf_token": token},
    )

    assert _invoice(engine, tenant.invoice_id).hold_reason == "cerrado por una persona"


def test_hold_names_cancelled_plan(
    engine: Engine, tenant: Tenant, client_for: ClientFor
) -> None:
    # given a plan over the customer's invoice
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        plan_id = create_plan(session, case, 2, NOW).id
    client, token = client_for(tenant)

    # when the invoice is held
    page = client.post(
        f"/clientes/{tenant.customer_id}/retener",
        data={
            "document_id": [str(tenant.invoice_id)],
            "no_end": "true",
            "reason": "pasó al abogado",
            "csrf_token": token,
        },
    )

    # then the page names the cancelled plan
    with transaction(engine) as session:
        plan = session.get_one(InstallmentPlan, plan_id)
        assert plan.status == PlanStatus.CANCELLED
    assert page.status_code == 200
    assert f"Se canceló el plan de cuotas n.º {plan_id}, que las incluía." in page.text
