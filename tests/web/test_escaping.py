"""A customer named <script>alert(1)</script> is shown as text on every page."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    ConsentEvent,
    InboundMessage,
)
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer, make_invoice

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_script_name_is_escaped_everywhere(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    customer_id = tenant.script_customer_id
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=customer_id,
                state=CaseState.HANDED_OFF,
                pause_reason=SCRIPT,
                handoff_reason=SCRIPT,
                handed_off_at=NOW,
                opened_at=NOW,
            )
        )
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-1",
                sender="+5491155550002",
                text=SCRIPT,
                received_at=NOW - timedelta(hours=1),
            )
        )
        session.add(
            AuditEvent(
                business_id=tenant.business_id,
                at=NOW,
                actor="test",
                kind="note",
                subject_type="customer",
                subject_id=customer_id,
                reason=SCRIPT,
                details={"customer_id": customer_id},
            )
        )
    client, _ = client_for(tenant)
    pages = [
        "/clientes",
        "/clientes?partial=1",
        f"/clientes?q={SCRIPT}",
        f"/clientes/{customer_id}",
        "/conversaciones",
        f"/conversaciones/{customer_id}",
        "/auditoria",
    ]

    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert SCRIPT not in page.text, path
        assert ESCAPED in page.text, path


BIDI_NAME = "Ana \u202eDíaz 0001$"
# The override shown as its escape, inside an isolate.
ISOLATED = "<bdi>Ana \\u202eDíaz 0001$</bdi>"
BIDI_NUMBER = "F-\u202e1000"
SHOWN_NUMBER = "F-\\u202e1000"


def test_bidi_name_is_isolated_everywhere(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """A right-to-left override in a name cannot reorder the text after it."""
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        customer = make_customer(
            session, business, NOW, "C-9", BIDI_NAME, phone="+5491155550009"
        )
        customer_id = customer.id
        make_invoice(session, customer, NOW, BIDI_NUMBER, "100.00", NOW.date())
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=customer_id,
                state=CaseState.HANDED_OFF,
                handoff_reason="request_human",
                handed_off_at=NOW,
                opened_at=NOW,
            )
        )
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-9",
                sender="+5491155550009",
                text="pagué la \u2067F-1000\u2069",
                received_at=NOW - timedelta(hours=1),
            )
        )
        session.add(
            AuditEvent(
                business_id=tenant.business_id,
                at=NOW,
                actor="test",
                kind="note",
                subject_type="customer",
                subject_id=customer_id,
                reason="prueba",
                details={"customer_id": customer_id},
            )
        )
        session.add(
            ConsentEvent(
                business_id=tenant.business_id,
                customer_id=customer_id,
                channel="whatsapp",
                action="grant",
                source="formulario \u202efirmado",
                at=NOW,
            )
        )
    client, _ = client_for(tenant)
    pages = [
        "/clientes",
        f"/clientes/{customer_id}",
        "/conversaciones",
        f"/conversaciones/{customer_id}",
        "/auditoria",
        "/configuracion",
    ]

    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert ISOLATED in page.text, path
        assert BIDI_NAME not in page.text, path
        assert "\u202e" not in page.text, path
    settings_page = client.get("/configuracion").text
    customer_page = client.get(f"/clientes/{customer_id}").text
    conversation = client.get(f"/conversaciones/{customer_id}").text
    assert "<bdi>formulario \\u202efirmado</bdi>" in settings_page
    assert f"<bdi>{SHOWN_NUMBER}</bdi>" in customer_page
    assert "<title>Ana \\u202eDíaz 0001$" in customer_page
    assert f"{SHOWN_NUMBER} · " in conversation
    assert "pagué la \\u2067F-1000\\u2069" in conversation
    assert "\u2067" not in conversation


# A debtor's reply with a terminal escape sequence, a C1 control and a bell.
CONTROL_REPLY = "pago mañana\x1b[2J\x9b31m listo\x07"
SHOWN_REPLY = "pago mañana\\x1b[2J\\x9b31m listo\\x07"


def test_control_characters_are_shown_as_escapes(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """A control character in a reply, a name or a hold reason shows as its escape."""
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        customer = make_customer(
            session, business, NOW, "C-8", "Ana\x1b[31m Roja", phone="+5491155550008"
        )
        customer_id = customer.id
        invoice = make_invoice(session, customer, NOW, "F-\x1b1", "100.00", NOW.date())
        invoice.hold_reason = "pidió\x85esperar"
        invoice.held_at = NOW
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=customer_id,
                state=CaseState.HANDED_OFF,
                handoff_reason="request_human",
                handed_off_at=NOW,
                opened_at=NOW,
            )
        )
        for number, (sender, owner) in enumerate(
            [("+5491155550008", customer_id), ("+5491155550077", None)]
        ):
            session.add(
                InboundMessage(
                    business_id=tenant.business_id,
                    customer_id=owner,
                    channel="sandbox",
                    provider="sandbox",
                    provider_message_id=f"in-control-{number}",
                    sender=sender,
                    text=CONTROL_REPLY,
                    received_at=NOW - timedelta(hours=1),
                )
            )
    client, _ = client_for(tenant)
    pages = [
        "/clientes",
        f"/clientes/{customer_id}",
        "/conversaciones",
        f"/conversaciones/{customer_id}",
    ]

    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "\x1b" not in page.text, path
        assert "\x9b" not in page.text, path
        assert "\x85" not in page.text, path
        assert "\x07" not in page.text, path
        assert "Ana\\x1b[31m Roja" in page.text, path
    conversation = client.get(f"/conversaciones/{customer_id}").text
    inbox = client.get("/conversaciones").text
    customer_page = client.get(f"/clientes/{customer_id}").text
    assert f"<bdi>{SHOWN_REPLY}</bdi>" in conversation
    assert f"<bdi>{SHOWN_REPLY}</bdi>" in inbox
    assert "pidió\\x85esperar" in customer_page
    assert "F-\\x1b1" in customer_page


def test_import_headers_shown_as_escapes(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    """A column header of an uploaded file cannot hide or reorder the table."""
    client, token = client_for(tenant)
    content = (
        "Cliente;Factura;Vencimiento;Importe\u202e;Notas\x1b[2J\r\n"
        "C1;F-1;31/10/2026;abc;x\r\n"
    ).encode()

    page = client.post(
        "/importar",
        data={"csrf_token": token},
        files={"file": ("deudores.csv", content, "text/csv")},
    )

    assert page.status_code == 200
    assert "\u202e" not in page.text
    assert "\x1b" not in page.text
    assert "Notas\\x1b[2J" in page.text
    assert "Importe\\u202e" in page.text
