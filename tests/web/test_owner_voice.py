"""Dashboard pages in voseo for Argentina and in tú forms for Mexico.

Only the project's own words change: a customer's name and reply, and the
reason an owner typed, are shown as stored in both voices.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update

from cobranza.conversations.handoff import hand_off
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    Customer,
    InboundMessage,
)
from tests.web.conftest import NOW, Tenant

# A customer's name and reply that contain voseo forms of their own.
CUSTOMER_NAME = "Volvé Pronto SRL"
CUSTOMER_REPLY = "¿podés esperar a que cobre? revisá la factura"
OWNER_REASON = "volvé a escribirle en abril"


def _set_locale(engine: Engine, tenant: Tenant, locale: str) -> None:
    with transaction(engine) as session:
        session.execute(
            update(Business)
            .where(Business.id == tenant.business_id)
            .values(locale=locale)
        )


def _waiting_for_payment_check(engine: Engine, tenant: Tenant) -> None:
    """Hand the customer's case to a person to check a reported payment."""
    with transaction(engine) as session:
        session.execute(
            update(Customer)
            .where(Customer.id == tenant.customer_id)
            .values(name=CUSTOMER_NAME)
        )
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=2),
        )
        session.add(case)
        session.flush()
        hand_off(session, case, "payment_to_verify", NOW - timedelta(hours=1))
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-voice",
                sender="+5491155550001",
                text=CUSTOMER_REPLY,
                intent="already_paid",
                received_at=NOW - timedelta(hours=1),
            )
        )


def _audit_events(engine: Engine, tenant: Tenant) -> None:
    """Store an event with a worded reason and one with the owner's reason."""
    with transaction(engine) as session:
        for kind, reason in (
            ("message_failed", "unknown_delivery_state"),
            ("case_paused", OWNER_REASON),
        ):
            session.add(
                AuditEvent(
                    business_id=tenant.business_id,
                    at=NOW - timedelta(hours=2),
                    actor="owner",
                    kind=kind,
                    subject_type="customer",
                    subject_id=tenant.customer_id,
                    reason=reason,
                )
            )


def test_conversation_in_tu_for_mexico(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _set_locale(engine, tenant, "es_MX")
    _waiting_for_payment_check(engine, tenant)
    client, _ = client_for(tenant)

    thread = client.get(f"/conversaciones/{tenant.customer_id}").text
    inbox = client.get("/conversaciones").text

    assert "Espera a una persona (dice que ya pagó: verifica el pago)" in thread
    assert "verificá" not in thread
    assert "Las liberas desde la ficha del cliente." in thread
    assert "liberás" not in thread
    assert "dice que ya pagó: verifica el pago" in inbox
    assert CUSTOMER_NAME in thread
    assert CUSTOMER_REPLY in thread
    assert CUSTOMER_NAME in inbox


def test_conversation_in_voseo_for_argentina(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _waiting_for_payment_check(engine, tenant)
    client, _ = client_for(tenant)

    thread = client.get(f"/conversaciones/{tenant.customer_id}").text

    assert "Espera a una persona (dice que ya pagó: verificá el pago)" in thread
    assert "Las liberás desde la ficha del cliente." in thread
    assert CUSTOMER_NAME in thread
    assert CUSTOMER_REPLY in thread


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_MX", "La fecha de la promesa, 10/03/2026, ya pasó. Elige hoy"),
        ("es_AR", "La fecha de la promesa, 10/03/2026, ya pasó. Elegí hoy"),
    ],
)
def test_error_notice_in_business_voice(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, locale, expected
) -> None:  # type: ignore[no-untyped-def]
    _set_locale(engine, tenant, locale)
    _waiting_for_payment_check(engine, tenant)
    client, csrf = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/promesa",
        data={"csrf_token": csrf, "due_on": "2026-03-10", "amount": ""},
    )

    assert page.status_code == 200
    assert expected in page.text


@pytest.mark.parametrize(
    ("locale", "expected", "absent"),
    [
        ("es_MX", "Si lo dejas vacío, se detecta solo. Si no, escribe", "dejás"),
        ("es_AR", "Si lo dejás vacío, se detecta solo. Si no, escribí", "dejas"),
    ],
)
def test_import_page_in_business_voice(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, locale, expected, absent
) -> None:  # type: ignore[no-untyped-def]
    _set_locale(engine, tenant, locale)
    client, _ = client_for(tenant)

    page = client.get("/importar").text

    assert expected in page
    assert absent not in page


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "es_MX",
            [
                "Escribe su código",
                "no se sabe si el mensaje salió: revísalo",
                '<small class="muted">tú</small>',
            ],
        ),
        (
            "es_AR",
            [
                "Escribí su código",
                "no se sabe si el mensaje salió: revisalo",
                '<small class="muted">vos</small>',
            ],
        ),
    ],
)
def test_customer_page_in_business_voice(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, locale, expected
) -> None:  # type: ignore[no-untyped-def]
    _set_locale(engine, tenant, locale)
    _audit_events(engine, tenant)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    for text in expected:
        assert text in page
    assert OWNER_REASON in page


@pytest.mark.parametrize(
    ("locale", "reason", "actor"),
    [
        (
            "es_MX",
            "no se sabe si el mensaje salió: revísalo",
            '<td data-label="Quién">tú</td>',
        ),
        (
            "es_AR",
            "no se sabe si el mensaje salió: revisalo",
            '<td data-label="Quién">vos</td>',
        ),
    ],
)
def test_audit_labels_in_business_voice(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, locale, reason, actor
) -> None:  # type: ignore[no-untyped-def]
    _set_locale(engine, tenant, locale)
    _audit_events(engine, tenant)
    client, _ = client_for(tenant)

    page = client.get("/auditoria").text

    assert reason in page
    assert actor in page
    assert OWNER_REASON in page
