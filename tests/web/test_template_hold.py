"""A reminder deferred for its WhatsApp template, as the dashboard shows it."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import Engine

from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.compliance.consent import record_consent
from cobranza.db.engine import transaction
from cobranza.db.models import ConsentAction, Customer, TemplateStatus
from cobranza.dunning import gate
from tests.channels.factories import make_outbox_row
from tests.web.conftest import NOW, Tenant

TEMPLATE = "cobranza_reminder_soft_friendly"


def test_history_names_waited_template(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a WhatsApp reminder whose template Meta is still reviewing,
    with transaction(engine) as session:
        record_consent(
            session,
            tenant.business_id,
            tenant.customer_id,
            ConsentAction.GRANT,
            "formulario de alta",
            None,
            NOW - timedelta(days=30),
        )
        set_template_status(
            session,
            tenant.business_id,
            TEMPLATE,
            "es_AR",
            TemplateStatus.PENDING,
            NOW,
            source="push",
        )
        customer = session.get_one(Customer, tenant.customer_id)
        row = make_outbox_row(session, customer, NOW)
        row.channel = "whatsapp"
        row.document_ids = [tenant.invoice_id]
        row.variables = {"balance": "15000.00", "currency": "ARS"}

    # when the gate checks it,
    with transaction(engine) as session:
        decision = gate.check(session, row, NOW)
    assert decision.action is gate.Action.DEFER

    # then the customer's history and the audit page show why it waits.
    client, _ = client_for(tenant)
    page = client.get(f"/clientes/{tenant.customer_id}")
    history = page.text[page.text.index('class="timeline"') :]
    audit = client.get("/auditoria", params={"customer": tenant.customer_id})

    label = "La plantilla del mensaje en el idioma del cliente no está aprobada"
    assert label.lower() in history.lower()
    assert f"plantilla en revisión: {TEMPLATE} (es_AR)" in history
    assert label in audit.text
