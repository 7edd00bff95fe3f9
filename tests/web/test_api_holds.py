"""Invoice holds through the REST API: shown, set, released, rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Case, CaseState, Customer, Document
from tests.web.conftest import NOW, Clock, Tenant
from tests.web.factories import make_invoice


def _client(app: FastAPI, engine: Engine, business_id: int) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, business_id, "erp", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def _open_case(engine: Engine, tenant: Tenant) -> int:
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=3),
        )
        session.add(case)
        session.flush()
        return case.id


def _second_invoice(engine: Engine, tenant: Tenant) -> int:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        return make_invoice(session, customer, NOW, "A-0009", "900.00", NOW.date()).id


def _document(engine: Engine, document_id: int) -> Document:
    with transaction(engine) as session:
        return session.get_one(Document, document_id)


def _hold_events(engine: Engine) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind.in_(["invoice_held", "invoice_released"]))
                .order_by(AuditEvent.id)
            )
        )


def test_hold_invoice_until_day(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    # given
    case_id = _open_case(engine, tenant)
    client = _client(app, engine, tenant.business_id)

    # when
    response = client.post(
        f"/api/v1/invoices/{tenant.invoice_id}/hold",
        json={"until": "2026-04-30", "reason": "acordamos pagar en mayo"},
    )
    invoice = client.get(f"/api/v1/invoices/{tenant.invoice_id}").json()
    case = client.get(f"/api/v1/cases/{case_id}").json()

    # then
    stored = _document(engine, tenant.invoice_id)
    [event] = _hold_events(engine)
    assert response.status_code == 200, response.text
    assert [item["number"] for item in response.json()["invoices"]] == ["A-0001"]
    assert invoice["hold"] == {
        "until": "2026-04-30",
        "held_at": "2026-03-18T15:00:00Z",
        "reason": "acordamos pagar en mayo",
    }
    assert stored.hold_until.isoformat() == "2026-04-30"  # type: ignore[union-attr]
    assert stored.held_at == NOW
    assert (event.kind, event.actor) == ("invoice_held", "api")
    assert event.reason == "acordamos pagar en mayo"
    assert event.subject_id == tenant.invoice_id
    assert case["all_invoices_held"] is True
    assert case["held_invoices"] == [
        {
            "invoice_id": tenant.invoice_id,
            "number": "A-0001",
            "until": "2026-04-30",
            "held_at": "2026-03-18T15:00:00Z",
            "reason": "acordamos pagar en mayo",
        }
    ]


def test_customer_hold_all_and_release(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    # given two invoices with a balance
    second_id = _second_invoice(engine, tenant)
    client = _client(app, engine, tenant.business_id)

    # when both are held with no end, then only one is released
    held = client.post(
        f"/api/v1/customers/{tenant.customer_id}/hold",
        json={"no_end": True, "reason": "pasó al abogado"},
    )
    listed = client.get("/api/v1/invoices", params={"held": "true"}).json()
    released = client.post(
        f"/api/v1/customers/{tenant.customer_id}/release",
        json={"numbers": ["A-0009"]},
    )
    still_held = client.get("/api/v1/invoices", params={"held": "true"}).json()
    not_held = client.get("/api/v1/invoices", params={"held": "false"}).json()

    # then
    events = _hold_events(engine)
    assert held.status_code == 200, held.text
    assert [row["number"] for row in held.json()["invoices"]] == ["A-0001", "A-0009"]
    assert all(row["hold"]["until"] is None for row in held.json()["invoices"])
    assert {row["id"] for row in listed["data"]} == {tenant.invoice_id, second_id}
    assert released.status_code == 200, released.text
    assert released.json()["invoices"][0]["hold"] is None
    assert [row["id"] for row in still_held["data"]] == [tenant.invoice_id]
    assert second_id in {row["id"] for row in not_held["data"]}
    assert tenant.invoice_id not in {row["id"] for row in not_held["data"]}
    assert [event.kind for event in events] == [
        "invoice_held",
        "invoice_held",
        "invoice_released",
    ]
    assert {event.actor for event in events} == {"api"}
    assert events[2].details["hold_reason"] == "pasó al abogado"
    assert _document(engine, second_id).held_at is None


def test_partly_held_case(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    case_id = _open_case(engine, tenant)
    _second_invoice(engine, tenant)
    client = _client(app, engine, tenant.business_id)

    client.post(
        f"/api/v1/customers/{tenant.customer_id}/hold",
        json={"numbers": ["A-0009"], "no_end": True, "reason": "acuerdo"},
    )
    [case] = client.get("/api/v1/cases").json()["data"]

    assert case["id"] == case_id
    assert case["all_invoices_held"] is False
    assert [row["number"] for row in case["held_invoices"]] == ["A-0009"]


def test_release_invoice_endpoint(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _client(app, engine, tenant.business_id)
    client.post(
        f"/api/v1/invoices/{tenant.invoice_id}/hold",
        json={"no_end": True, "reason": "acuerdo"},
    )

    first = client.post(f"/api/v1/invoices/{tenant.invoice_id}/release")
    again = client.post(f"/api/v1/invoices/{tenant.invoice_id}/release")

    assert first.status_code == 200, first.text
    assert first.json()["invoices"][0]["hold"] is None
    assert again.status_code == 422
    assert "A-0001" in again.json()["detail"]
    assert "no está retenida" in again.json()["detail"]
    assert _document(engine, tenant.invoice_id).held_at is None


def test_ended_hold_not_shown(
    app: FastAPI, engine: Engine, tenant: Tenant, clock: Clock
) -> None:
    client = _client(app, engine, tenant.business_id)
    client.post(
        f"/api/v1/invoices/{tenant.invoice_id}/hold",
        json={"until": "2026-04-30", "reason": "viaja"},
    )
    clock.now = datetime(2026, 5, 1, 15, 0, tzinfo=UTC)

    invoice = client.get(f"/api/v1/invoices/{tenant.invoice_id}").json()
    held = client.get("/api/v1/invoices", params={"held": "true"}).json()

    assert invoice["hold"] is None
    assert held["data"] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"until": "2026-04-30", "no_end": True, "reason": "x"},
            "Mandá until o no_end, no los dos",
        ),
        ({"reason": "x"}, "Falta hasta cuándo"),
        ({"until": "30/04/2026", "reason": "x"}, "La fecha until '30/04/2026'"),
        ({"until": "2026-03-01", "reason": "x"}, "la fecha de fin 01/03/2026 ya pasó"),
        ({"no_end": True, "reason": "  "}, "falta el motivo"),
        ({"no_end": True}, "falta el motivo"),
        ({"no_end": True, "reason": "x" * 201}, "el motivo tiene 201 caracteres"),
        (
            {"no_end": True, "reason": "x", "numbers": ["Z-404"]},
            "no tiene la factura Z-404",
        ),
    ],
)
def test_bad_hold_rejected(
    app: FastAPI, engine: Engine, tenant: Tenant, body: dict[str, object], expected: str
) -> None:
    client = _client(app, engine, tenant.business_id)

    response = client.post(f"/api/v1/customers/{tenant.customer_id}/hold", json=body)

    assert response.status_code == 422
    assert expected in response.json()["detail"]
    assert _document(engine, tenant.invoice_id).held_at is None
    assert _hold_events(engine) == []


@pytest.mark.parametrize("body", [{}, None])
def test_release_nothing_held(
    app: FastAPI, engine: Engine, tenant: Tenant, body: dict[str, object] | None
) -> None:
    client = _client(app, engine, tenant.business_id)

    response = client.post(f"/api/v1/customers/{tenant.customer_id}/release", json=body)

    assert response.status_code == 422
    assert "no tiene facturas retenidas" in response.json()["detail"]


def test_holds_need_token(app: FastAPI, tenant: Tenant, engine: Engine) -> None:
    client = TestClient(app, base_url="https://testserver")

    hold = client.post(
        f"/api/v1/invoices/{tenant.invoice_id}/hold",
        json={"no_end": True, "reason": "x"},
    )
    release = client.post(f"/api/v1/customers/{tenant.customer_id}/release", json={})

    assert hold.status_code == 401
    assert release.status_code == 401
    assert _hold_events(engine) == []


def test_other_business_is_404(
    app: FastAPI, engine: Engine, tenant: Tenant, other_tenant: Tenant
) -> None:
    client = _client(app, engine, other_tenant.business_id)

    invoice = client.post(
        f"/api/v1/invoices/{tenant.invoice_id}/hold",
        json={"no_end": True, "reason": "x"},
    )
    customer = client.post(
        f"/api/v1/customers/{tenant.customer_id}/hold",
        json={"no_end": True, "reason": "x"},
    )
    huge = client.post(
        "/api/v1/invoices/99999999999999999999/release",
    )

    assert invoice.status_code == 404
    assert customer.status_code == 404
    assert huge.status_code == 404
    assert _document(engine, tenant.invoice_id).held_at is None


def _note_sharing_number(
    engine: Engine, tenant: Tenant, kind: str, open_amount: str
) -> int:
    """Add a note of `kind` with the number of the tenant's invoice A-0001."""
    with transaction(engine) as session:
        note = Document(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            kind=kind,
            number="A-0001",
            issued_on=NOW.date(),
            due_on=NOW.date(),
            amount=Decimal(open_amount).copy_abs(),
            currency="ARS",
            open_amount=Decimal(open_amount),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(note)
        session.flush()
        return note.id


@pytest.mark.parametrize(
    ("kind", "open_amount"), [("credit_note", "-100.00"), ("debit_note", "0")]
)
def test_hold_note_by_id_not_by_number(
    app: FastAPI, engine: Engine, tenant: Tenant, kind: str, open_amount: str
) -> None:
    # given a note with nothing to collect that shares the invoice's number
    note_id = _note_sharing_number(engine, tenant, kind, open_amount)
    client = _client(app, engine, tenant.business_id)

    # when the note is held by its id
    response = client.post(
        f"/api/v1/invoices/{note_id}/hold", json={"no_end": True, "reason": "x"}
    )

    # then it is rejected and the invoice with the same number stays collected
    assert response.status_code == 422, response.text
    assert "no tiene saldo pendiente" in response.json()["detail"]
    assert _document(engine, tenant.invoice_id).held_at is None
    assert _document(engine, note_id).held_at is None
    assert _hold_events(engine) == []


def test_release_note_by_id_not_by_number(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    note_id = _note_sharing_number(engine, tenant, "credit_note", "-100.00")
    client = _client(app, engine, tenant.business_id)
    client.post(
        f"/api/v1/invoices/{tenant.invoice_id}/hold",
        json={"no_end": True, "reason": "abogado"},
    )

    response = client.post(f"/api/v1/invoices/{note_id}/release")

    assert response.status_code == 422, response.text
    assert "no está retenida" in response.json()["detail"]
    assert _document(engine, tenant.invoice_id).held_at == NOW
    assert [event.kind for event in _hold_events(engine)] == ["invoice_held"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"until": "20260430", "reason": "x"}, "La fecha until '20260430'"),
        ({"until": "2026-W18-4", "reason": "x"}, "La fecha until '2026-W18-4'"),
        ({"until": "2026-02-30", "reason": "x"}, "La fecha until '2026-02-30'"),
        ({"until": "9999-12-31", "reason": "x"}, "está a más de diez años"),
        ({"no_end": True, "reason": "a\x00b"}, "carácter de control (U+0000)"),
        ({"no_end": True, "reason": "\u202eabogado"}, "carácter de control (U+202E)"),
    ],
)
def test_bad_invoice_hold_rejected(
    app: FastAPI, engine: Engine, tenant: Tenant, body: dict[str, object], expected: str
) -> None:
    client = _client(app, engine, tenant.business_id)

    response = client.post(f"/api/v1/invoices/{tenant.invoice_id}/hold", json=body)

    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert _document(engine, tenant.invoice_id).held_at is None
    assert _hold_events(engine) == []


@pytest.mark.parametrize("path", ["hold", "release"])
def test_overlong_number_rejected(
    app: FastAPI, engine: Engine, tenant: Tenant, path: str
) -> None:
    client = _client(app, engine, tenant.business_id)

    response = client.post(
        f"/api/v1/customers/{tenant.customer_id}/{path}",
        json={"no_end": True, "reason": "x", "numbers": ["\x00" + "9" * 100_000]},
    )

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "numbers", 0]
    assert error["type"] == "string_too_long"
    assert _hold_events(engine) == []
