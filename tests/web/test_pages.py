from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine, select

from cobranza.compliance.consent import record_consent
from cobranza.compliance.reasons import Reason
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    ConsentAction,
    ConsentEvent,
    Customer,
    Document,
    InboundMessage,
    OutboxMessage,
    Payment,
)
from cobranza.dunning import outbox
from cobranza.jobs.business_settings import set_option
from cobranza.money import format_money
from tests.channels.factories import make_outbox_row
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer


def test_summary_shows_balances(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/")

    assert page.status_code == 200
    assert "Resumen de Ferretería Uno" in page.text
    # 15.000 + 2.500,50 open; both due before 18/03, so both overdue.
    total = format_money(Decimal("17500.50"), "ARS", "es_AR")
    assert f"<span>Saldo abierto</span><strong>{total}</strong>" in page.text
    assert f"<span>Vencido</span><strong>{total}</strong>" in page.text
    assert "<svg" in page.text
    assert "Embudo" in page.text
    # The audit's words and precision: one decimal of DSO, "No vencido".
    assert re.search(r"DSO \(días promedio de cobro\)</span><strong>"
                     r"\d+,\d días</strong>", page.text)  # fmt: skip
    assert "No vencido" in page.text
    assert "Al día" not in page.text


def test_summary_missing_details(engine: Engine, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        row = make_outbox_row(session, customer, NOW, key="waiting")
        outbox.defer(
            session,
            row,
            NOW + timedelta(hours=1),
            Reason.BUSINESS_DETAILS_MISSING,
            NOW,
            {"variable": "business_tax_id"},
        )
    client, _ = client_for(tenant)

    waiting = client.get("/")
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        set_option(session, business, "tax_id", "30-71234567-1", NOW, "test")
    released = client.get("/")

    assert waiting.status_code == 200
    assert 'id="waiting-details"' in waiting.text
    assert "1 mensaje espera la identificación fiscal de tu negocio" in waiting.text
    assert "cobranza settings set tax_id" in waiting.text
    assert released.status_code == 200
    assert 'id="waiting-details"' not in released.text
    with transaction(engine) as session:
        stored = session.get_one(OutboxMessage, row.id)
        assert stored.planned_for == NOW
        assert stored.deferred_reason is None


def test_summary_aging_adds_up_to_balance(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a credit note of 5.000 for the customer who owes 15.000 overdue
    with transaction(engine) as session:
        session.add(
            Document(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                kind="credit_note",
                number="NC-1",
                issued_on=NOW.date() - timedelta(days=5),
                due_on=NOW.date() - timedelta(days=5),
                amount=Decimal("-5000.00"),
                currency="ARS",
                open_amount=Decimal("-5000.00"),
                created_at=NOW,
                updated_at=NOW,
            )
        )
    client, _ = client_for(tenant)

    page = client.get("/")

    # Then both figures net the credit note, and the chart names it
    net = format_money(Decimal("12500.50"), "ARS", "es_AR")
    credit = format_money(Decimal("-5000"), "ARS", "es_AR")
    assert f"<span>Saldo abierto</span><strong>{net}</strong>" in page.text
    assert f"<span>Vencido</span><strong>{net}</strong>" in page.text
    assert ">Notas de crédito</text>" in page.text
    assert f">{credit}</text>" in page.text
    assert f"Total: {net}, el saldo abierto" in page.text


def test_summary_rounds_percentage_once(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given 2.545,10 of 100.000 more than 60 days late: 0.025451 of the total
    with transaction(engine) as session:
        for number, amount, days_late in [
            ("L-1", "2545.10", 70),
            ("L-2", "79954.40", -5),
        ]:
            due = NOW.date() - timedelta(days=days_late)
            session.add(
                Document(
                    business_id=tenant.business_id,
                    customer_id=tenant.customer_id,
                    number=number,
                    issued_on=NOW.date() - timedelta(days=90),
                    due_on=due,
                    amount=Decimal(amount),
                    currency="ARS",
                    open_amount=Decimal(amount),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    client, _ = client_for(tenant)

    page = client.get("/")

    # Then 2,5%, not 0.0255 rounded again to 2,6%
    assert (
        "<span>Morosidad (más de 60 días, por monto)</span><strong>2,5%</strong>"
        in page.text
    )


def test_summary_counts_payments_this_month(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        for index, (days, amount) in enumerate([(2, "1000.00"), (40, "300.00")]):
            session.add(
                Payment(
                    business_id=tenant.business_id,
                    customer_id=tenant.customer_id,
                    amount=Decimal(amount),
                    currency="ARS",
                    paid_at=NOW - timedelta(days=days),
                    provider="manual",
                    provider_payment_id=f"p-{index}",
                    status="approved",
                    created_at=NOW,
                )
            )
    client, _ = client_for(tenant)

    page = client.get("/")

    assert "Recuperado este mes" in page.text
    recovered = format_money(Decimal("1000"), "ARS", "es_AR")
    assert f"<span>Recuperado este mes</span><strong>{recovered}</strong>" in page.text


def test_customer_list_filters(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Signing in opens the Resumen, whose audit stores computed segments.
    client, _ = client_for(tenant)
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        make_customer(session, business, NOW, "C-3", "Sin deuda SA", segment="good")

    everyone = client.get("/clientes")
    overdue = client.get("/clientes", params={"overdue": "true"})
    search = client.get("/clientes", params={"q": "sin deuda"})
    segment = client.get("/clientes", params={"segment": "good", "partial": "1"})

    assert "3 clientes" in everyone.text
    assert "2 clientes" in overdue.text
    assert "Sin deuda SA" not in overdue.text
    assert "1 cliente<" in search.text
    assert "Sin deuda SA" in segment.text
    assert "<html" not in segment.text


def test_customer_list_pages(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        for index in range(30):
            make_customer(session, business, NOW, f"X-{index:02}", f"Extra {index:02}")
    client, _ = client_for(tenant)

    first = client.get("/clientes")
    second = client.get("/clientes", params={"page": 2})
    past_end = client.get("/clientes", params={"page": 9})

    assert "Página 1 de 2" in first.text
    assert "Página 2 de 2" in second.text
    assert "32 clientes" in second.text
    assert "32 clientes" in past_end.text
    assert len(re.findall(r'href="/clientes/\d+"', second.text)) == 32 - 25


def test_pause_customer(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    response = client.post(
        f"/clientes/{tenant.customer_id}/pausa",
        data={
            "until": "2026-04-01",
            "reason": "acordamos por teléfono",
            "csrf_token": token,
        },
    )

    with transaction(engine) as session:
        case = session.scalars(
            select(Case).where(Case.customer_id == tenant.customer_id)
        ).one()
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "case_paused")
        ).one()
    assert response.status_code == 200
    assert "pausados hasta el 01/04/2026" in response.text
    assert case.state == CaseState.PAUSED
    assert case.paused_until is not None
    assert case.paused_until > NOW + timedelta(days=13)
    assert audit.actor == "owner:duenia@uno.com"
    assert "acordamos por teléfono" in response.text


def test_pause_in_the_past_is_rejected(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    response = client.post(
        f"/clientes/{tenant.customer_id}/pausa",
        data={"until": "2026-03-01", "csrf_token": token},
    )

    assert "tiene que ser futura" in response.text


def test_record_consent(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    client.post(
        f"/clientes/{tenant.customer_id}/consentimiento",
        data={
            "action": "revoke",
            "source": "llamada",
            "evidence": "nota 12",
            "csrf_token": token,
        },
    )
    empty = client.post(
        f"/clientes/{tenant.customer_id}/consentimiento",
        data={"action": "grant", "source": " ", "csrf_token": token},
    )

    with transaction(engine) as session:
        events = session.scalars(select(ConsentEvent)).all()
    assert [(e.action, e.source, e.evidence) for e in events] == [
        ("revoke", "llamada", "nota 12")
    ]
    assert "No se registró el consentimiento" in empty.text
    assert "el robot no le escribe: dio de baja" in empty.text


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("policy step friendly", "paso de la política: friendly"),
        ("installment plan 3", "plan de cuotas n.º 3"),
        ("acordamos por teléfono", "acordamos por teléfono"),
        ("installment plan acordado", "installment plan acordado"),
    ],
)
def test_pause_reason_in_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, reason: str, shown: str
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                state=CaseState.PAUSED,
                paused_until=NOW + timedelta(days=3),
                pause_reason=reason,
                opened_at=NOW,
            )
        )
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}")

    assert f"({shown})" in page.text
    assert "dio de baja" not in page.text


def test_edit_phone_validates(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    url = f"/clientes/{tenant.customer_id}/telefono"

    bad = client.post(url, data={"phone": "123", "csrf_token": token})
    good = client.post(url, data={"phone": "011 15 5555-6666", "csrf_token": token})

    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
    assert "Teléfono inválido" in bad.text
    assert "Teléfono actualizado" in good.text
    assert customer.phone == "+5491155556666"


def test_mark_invoice_disputed(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/facturas/{tenant.invoice_id}/disputa",
        data={"disputed": "true", "csrf_token": token},
    )

    with transaction(engine) as session:
        document = session.get_one(Document, tenant.invoice_id)
    assert document.disputed is True
    assert "factura en disputa" in page.text
    assert "En disputa" in page.text


def test_policy_page_previews(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/politica")

    assert page.status_code == 200
    assert "tono formal" in page.text or "tono friendly" in page.text
    assert "La política es válida" in page.text


def _policy_section(html: str, step_key: str) -> str:
    """Return the card of one policy step on the policy page."""
    for section in html.split('<section class="card">')[1:]:
        if section.startswith(f"\n  <h2>{step_key} · "):
            return section.split("</section>")[0]
    raise AssertionError(f"no card for step {step_key!r}")


def test_policy_preview_uses_step_inputs(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/politica")

    final_notice = _policy_section(page.text, "final_notice")
    plan_offer = _policy_section(page.text, "plan_offer")
    assert "45 días después del vencimiento" in final_notice
    assert "lleva 45 días vencido" in final_notice
    assert "15 días" not in final_notice
    assert "hasta 6 cuotas" in plan_offer
    assert "hasta 3 cuotas" not in plan_offer


def test_policy_page_in_spanish(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/politica")

    assert "1 día después del vencimiento" in page.text
    assert "1 días" not in page.text
    assert "tono amable" in page.text
    assert "tono friendly" not in page.text
    for code in ("send", "offer_installments", "handoff"):
        assert f"Acción: {code}" not in page.text
    assert "Acción: envía un mensaje" in page.text
    assert "Acción: ofrece pagar en hasta 6 cuotas" in page.text
    assert "Acción: pasa el caso a una persona del equipo" in page.text
    assert "política predeterminada" in page.text
    assert "default_policy.yaml" not in page.text
    assert "/site-packages/" not in page.text
    assert "/src/cobranza/" not in page.text


def test_policy_page_names_file_only(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "mi_politica.yaml"
    broken.write_text("version: 1\nname: rota\nsteps: [\n", encoding="utf-8")
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.settings = {**(business.settings or {}), "policy_path": str(broken)}
    client, _ = client_for(tenant)

    page = client.get("/politica")

    assert page.status_code == 200
    assert "La política no se puede leer (archivo mi_politica.yaml)" in page.text
    assert "YAML inválido" in page.text
    assert str(tmp_path) not in page.text


def test_policy_preview_reports_unsendable_step(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # final_notice states how many days late the payment is, so it cannot be
    # composed on the due date itself.
    policy = tmp_path / "aviso_temprano.yaml"
    policy.write_text(
        "version: 1\nname: temprana\nsteps:\n  - key: early_final\n"
        "    offset_days: 0\n    action: send\n    step_kind: final_notice\n",
        encoding="utf-8",
    )
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.settings = {**(business.settings or {}), "policy_path": str(policy)}
    client, _ = client_for(tenant)

    page = client.get("/politica")

    assert page.status_code == 200
    card = _policy_section(page.text, "early_final")
    assert "no se puede armar para este paso (el día del vencimiento)" in card
    assert "un envío real fallaría" in card


def test_settings_page_hides_secrets(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = app.state.settings.model_copy(
        update={
            "whatsapp_phone_number_id": "123",
            "whatsapp_access_token": SecretStr("EAAG-very-secret"),
        }
    )
    client, _ = client_for(tenant)

    page = client.get("/configuracion")

    assert page.status_code == 200
    assert "conectado" in page.text
    assert "EAAG-very-secret" not in page.text
    assert "08:00" in page.text or "09:00" in page.text


def test_search_wildcards_match_literally(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    percent = client.get("/clientes", params={"q": "%"})
    underscore = client.get("/clientes", params={"q": "_"})

    assert "0 clientes" in percent.text
    assert "0 clientes" in underscore.text


def test_search_finds_tax_id_as_printed(
    engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    # A Chilean import without customer codes keys the customer by the
    # compact RUT, which the owner types with points and hyphen.
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        rut = make_customer(session, business, NOW, "96789012K", "Ñuñoa S.A.")
        rut.tax_id = "96789012K"
    client, _ = client_for(tenant)

    found = {
        typed: client.get("/clientes", params={"q": typed}).text
        for typed in ("96.789.012-K", "96789012-k", "96.789.012")
    }

    for typed, page in found.items():
        assert "1 cliente<" in page, typed
        assert "Ñuñoa S.A." in page, typed


def test_crafted_notice_is_not_shown(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get(
        f"/clientes/{tenant.customer_id}",
        params={"ok": "Tu cuenta fue suspendida", "sig": "0" * 32},
    )

    assert page.status_code == 200
    assert "Tu cuenta fue suspendida" not in page.text


def test_customer_list_shows_segment_names(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        make_customer(
            session, business, NOW, "C-9", "Tarde Siempre", segment="chronic_late"
        )

    page = client.get("/clientes", params={"q": "tarde siempre"})

    assert "Atraso crónico" in page.text
    assert "chronic_late</td>" not in page.text


def test_segment_not_computed_is_named(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        customer = make_customer(session, business, NOW, "C-8", "Sin Segmento")
        customer_id = customer.id
    client, _ = client_for(tenant)

    listed = client.get("/clientes", params={"q": "sin segmento"})
    page = client.get(f"/clientes/{customer_id}")

    assert '<td data-label="Segmento">sin calcular todavía</td>' in listed.text
    assert "Segmento sin calcular todavía" in page.text


def test_history_reads_in_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        row = make_outbox_row(session, customer, NOW, step="recordatorio")
        row.state = "suppressed"
        row.suppressed_reason = "superseded"
        session.add(
            OutboxMessage(
                business_id=row.business_id,
                case_id=row.case_id,
                customer_id=row.customer_id,
                channel="sandbox",
                step="handoff_ack:2026-03-16",
                step_kind="handoff_ack",
                tone="friendly",
                locale="es_AR",
                variables={},
                document_ids=[],
                idempotency_key="k2",
                state="sent",
                planned_for=NOW,
                sent_at=NOW,
                attempts=1,
                created_at=NOW,
            )
        )
        session.add(
            AuditEvent(
                business_id=tenant.business_id,
                at=NOW,
                actor="dispatcher",
                kind="message_sent",
                subject_type="outbox_message",
                subject_id=row.id,
                reason="gate_passed",
                details={"days_past_due": 41, "balance": "362208.89"},
            )
        )
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-history",
                sender="+5491155550001",
                text="ya pagué",
                intent="already_paid",
                action_taken="asked_receipt",
                received_at=NOW,
            )
        )
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}")
    history = page.text[page.text.index('class="timeline"') :]

    assert "pasó los controles de envío" in history
    assert "41 días de atraso" in history
    assert "saldo $ 362.208,89" in history
    assert (
        "paso «recordatorio» (tono amable): no se envió, lo reemplazó un paso más "
        "nuevo" in history
    )
    assert "entendido: dice que ya pagó · pidió el comprobante" in history
    assert "aviso de que responde una persona" in history
    assert "handoff_ack" not in history
    for code in (
        "gate_passed",
        "already_paid",
        "asked_receipt",
        "suppressed",
        "handoff_ack",
    ):
        assert code not in history, code


def test_audit_page_reads_in_spanish(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        session.add(
            AuditEvent(
                business_id=tenant.business_id,
                at=NOW,
                actor="gate",
                kind="message_deferred",
                subject_type="customer",
                subject_id=tenant.customer_id,
                reason="day_not_allowed",
                details={},
            )
        )
    client, _ = client_for(tenant)

    page = client.get("/auditoria")

    assert "Ese día de la semana no se envían mensajes" in page.text
    assert "control de envío" in page.text
    assert "day_not_allowed" not in page.text


def test_audit_page_last_day_filter(client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/auditoria?until=9999-12-31")

    assert page.status_code == 200


def test_settings_page_lists_business_options(
    engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    # Given payment instructions set with `cobranza settings set`
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        set_option(
            session,
            business,
            "payment_instructions",
            "transferencia al alias FERRE.UNO",
            NOW,
            "cli",
        )
    client, _ = client_for(tenant)

    page = client.get("/configuracion")

    section = page.text[page.text.index('id="ajustes"') :]
    assert page.status_code == 200
    assert "transferencia al alias FERRE.UNO" in section
    assert "6 (predeterminado)" in section
    assert "cobranza settings set CLAVE VALOR" in section


def test_settings_page_warns_of_stored_wrong_account(
    engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    # Given a CCI with a wrong check digit, stored as a release without the
    # CCI check did, in a Peruvian business
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.country = "PE"
        business.locale = "es_PE"
        business.settings = {
            **(business.settings or {}),
            "payment_instructions": "CCI 00392401319240299684",
        }
    client, _ = client_for(tenant)

    page = client.get("/configuracion")

    section = " ".join(page.text[page.text.index('id="ajustes"') :].split())
    assert "CCI 00392401319240299684" in section
    assert (
        "Aviso: las instrucciones de pago guardadas tienen el CCI "
        "«00392401319240299684», que no es válido" in section
    )


def test_history_lists_consent_once(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        # The import stores its consent events without an audit event.
        session.add(
            ConsentEvent(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                channel="whatsapp",
                action="grant",
                source="import:saldos.csv",
                evidence="abc line:2",
                at=NOW - timedelta(days=2),
            )
        )
        record_consent(
            session,
            tenant.business_id,
            tenant.customer_id,
            ConsentAction.REVOKE,
            "pidió la baja por teléfono",
            None,
            NOW - timedelta(days=1),
            actor="owner",
        )
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}")
    history = page.text[page.text.index('class="timeline"') :]

    assert history.count("consentimiento otorgado") == 1
    assert "import:saldos.csv" in history
    assert "importación" in history
    assert history.count("consentimiento revocado") == 1
    assert "pidió la baja por teléfono" in history
    assert history.index("revocado") < history.index("otorgado")
