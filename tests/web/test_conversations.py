from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from cobranza.channels.base import OutgoingMessage
from cobranza.channels.errors import ChannelUnavailableError
from cobranza.channels.inbox import StatusUpdate, apply_status
from cobranza.compliance.consent import record_consent
from cobranza.conversations.handoff import hand_off
from cobranza.conversations.inbox import waiting_cases
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    CaseState,
    ConsentAction,
    Customer,
    InboundMedia,
    InboundMessage,
    OutboxMessage,
    Payment,
    PromiseToPay,
    SandboxMessage,
)
from cobranza.web.dashboard.conversations import parse_amount_input
from tests.channels.factories import make_document
from tests.web.conftest import NOW, Clock, Tenant


def _handed_off(
    engine: Engine,
    tenant: Tenant,
    replied_hours_ago: float,
    reason: str = "request_human",
    *,
    stop_automation: bool = True,
) -> int:
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=2),
        )
        session.add(case)
        session.flush()
        hand_off(
            session,
            case,
            reason,
            NOW - timedelta(hours=replied_hours_ago),
            stop_automation=stop_automation,
        )
        inbound = InboundMessage(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            channel="sandbox",
            provider="sandbox",
            provider_message_id="in-1",
            sender="+5491155550001",
            text="quiero hablar con alguien",
            intent="request_human",
            received_at=NOW - timedelta(hours=replied_hours_ago),
        )
        session.add(inbound)
        session.flush()
        return inbound.id


def test_inbox_lists_handed_off_and_unknown(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    with transaction(engine) as session:
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-unknown",
                sender="+5491100000000",
                text="¿quién es?",
                received_at=NOW,
            )
        )
    client, _ = client_for(tenant)

    page = client.get("/conversaciones")

    assert f'href="/conversaciones/{tenant.customer_id}"' in page.text
    assert "pidió hablar con una persona" in page.text
    assert "¿quién es?" in page.text


def test_inbox_lists_policy_hand_off(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # The policy's hand-off step stops the automation and sets no reason.
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                state=CaseState.HANDED_OFF,
                opened_at=NOW - timedelta(days=40),
                planned_step="handoff",
                planned_at=NOW - timedelta(days=1),
            )
        )
    client, _ = client_for(tenant)

    inbox = client.get("/conversaciones")
    thread = client.get(f"/conversaciones/{tenant.customer_id}")
    with transaction(engine) as session:
        waiting = waiting_cases(session, tenant.business_id, NOW)

    assert f'href="/conversaciones/{tenant.customer_id}"' in inbox.text
    assert (
        "la política de cobranza llegó al paso de pasarlo a una persona" in inbox.text
    )
    assert [case.reason for case in waiting] == ["policy_handoff"]
    assert [case.waiting_since for case in waiting] == [NOW - timedelta(days=1)]
    assert "desde el 17/03/2026" in thread.text


def test_inbox_lists_payment_to_verify(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # "Ya pagué" pauses the case instead of stopping it, and a person still
    # has to check the payment.
    _handed_off(engine, tenant, 1, "payment_to_verify", stop_automation=False)
    client, _ = client_for(tenant)

    inbox = client.get("/conversaciones")
    thread = client.get(f"/conversaciones/{tenant.customer_id}")

    assert f'href="/conversaciones/{tenant.customer_id}"' in inbox.text
    assert "dice que ya pagó: verificá el pago" in inbox.text
    assert 'id="handoff"' in thread.text
    assert "Espera a una persona (dice que ya pagó: verificá el pago)" in thread.text
    assert "Devolver a la automatización" in thread.text
    assert "pide hablar con una persona" in thread.text
    assert "request_human" not in thread.text


def test_thread_states_handoff_once(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    client, _ = client_for(tenant)

    thread = client.get(f"/conversaciones/{tenant.customer_id}")

    assert 'id="handoff"' in thread.text
    assert thread.text.lower().count("espera a una persona") == 1
    assert "Estado:" not in thread.text


def test_promises_show_amount_told(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given two promises without a sum: the first confirmed to the customer
    # as 15.000, the second recorded by the owner with no message
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        promises = []
        for days in (3, 1):
            promise = PromiseToPay(
                business_id=tenant.business_id,
                case_id=case.id,
                customer_id=tenant.customer_id,
                amount=None,
                currency="ARS",
                due_on=NOW.date() - timedelta(days=days),
                status="broken",
                created_at=NOW - timedelta(days=days + 1),
            )
            session.add(promise)
            session.flush()
            promises.append(promise)
        session.add(
            OutboxMessage(
                business_id=tenant.business_id,
                case_id=case.id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                step=f"promise_confirmation:{promises[0].id}",
                step_kind="promise_confirmation",
                tone="friendly",
                locale="es_AR",
                variables={"promise_amount": "15000.00"},
                document_ids=[],
                idempotency_key="confirmation",
                state="sent",
                planned_for=NOW - timedelta(days=4),
                created_at=NOW - timedelta(days=4),
            )
        )
    client, _ = client_for(tenant)

    thread = client.get(f"/conversaciones/{tenant.customer_id}")

    assert "15/03/2026 · $ 15.000,00 · incumplida" in thread.text
    assert "17/03/2026 · todo el saldo · incumplida" in thread.text
    assert "· — ·" not in thread.text


def test_reply_inside_window_is_sent(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 23)
    client, token = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/responder",
        data={"text": "Hola, te escribo yo.", "csrf_token": token},
    )

    with transaction(engine) as session:
        row = session.scalars(select(OutboxMessage)).one()
        stored = session.scalars(select(SandboxMessage)).one()
    assert "Respuesta enviada." in page.text
    assert row.state == "sent"
    assert row.step == "manual_reply"
    assert row.provider_message_id == stored.provider_message_id
    assert stored.text == "Hola, te escribo yo."


def test_reply_outside_window_is_disabled(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 25)
    client, token = client_for(tenant)

    page = client.get(f"/conversaciones/{tenant.customer_id}")
    forced = client.post(
        f"/conversaciones/{tenant.customer_id}/responder",
        data={"text": "Hola", "csrf_token": token},
    )

    with transaction(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert "Pasaron más de 24 horas" in page.text
    assert '<button type="submit" disabled>Enviar</button>' in page.text
    assert "Pasaron más de 24 horas" in forced.text
    assert rows == []


class _TimedOutChannel:
    """A reply channel whose send times out after the provider got it."""

    name = "sandbox"

    def send(self, message: OutgoingMessage) -> None:
        try:
            raise httpx.ReadTimeout("no response")
        except httpx.ReadTimeout as exc:
            raise ChannelUnavailableError("timed out") from exc


def test_timed_out_reply_settles_on_status(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a reply whose send timed out although the message went out
    _handed_off(engine, tenant, 1)
    app.state.reply_channel = _TimedOutChannel()
    client, token = client_for(tenant)
    page = client.post(
        f"/conversaciones/{tenant.customer_id}/responder",
        data={"text": "Hola", "csrf_token": token},
    )
    with transaction(engine) as session:
        row = session.scalars(select(OutboxMessage)).one()
        flagged = row.error_code
        step_before = session.get_one(Case, row.case_id).step

    # When the provider's delivered status for it arrives
    with transaction(engine) as session:
        update = StatusUpdate("wamid.late", "delivered", NOW, outbox_id=row.id)
        apply_status(session, tenant.business_id, "whatsapp", update, NOW)

    # Then the row, first flagged, is recorded as delivered, and the case
    # keeps its policy step, as a person's reply that went out at once does.
    with transaction(engine) as session:
        settled = session.get_one(OutboxMessage, row.id)
        step_after = session.get_one(Case, row.case_id).step
    assert "puede haber llegado igual" in page.text
    assert flagged == "unknown_delivery_state"
    assert settled.state == "delivered"
    assert settled.provider_message_id == "wamid.late"
    assert step_after == step_before


def test_reply_at_night_waits_for_contact_hours(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    # Given a customer who wrote at 11:00 in Buenos Aires, and a person who
    # answers at midnight, inside the 24-hour window but outside 9 to 20
    _handed_off(engine, tenant, 1)
    clock.now = NOW + timedelta(hours=12)
    client, token = client_for(tenant)

    page = client.get(f"/conversaciones/{tenant.customer_id}")
    forced = client.post(
        f"/conversaciones/{tenant.customer_id}/responder",
        data={"text": "Hola", "csrf_token": token},
    )

    # Then nothing is sent, and both pages say when to send it and until
    # when the window stays open
    with transaction(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert rows == []
    assert '<button type="submit" disabled>Enviar</button>' in page.text
    assert "son las 00:00 del 19/03/2026" in page.text
    assert "se le escribe de 09:00 a 20:00" in page.text
    assert "Mandala desde el 19/03/2026 09:00" in forced.text
    assert "abierta hasta el 19/03/2026 11:00" in forced.text


def test_reply_to_opted_out_is_disabled(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    with transaction(engine) as session:
        record_consent(
            session,
            tenant.business_id,
            tenant.customer_id,
            ConsentAction.REVOKE,
            "respuesta del cliente",
            "in-1",
            NOW - timedelta(minutes=30),
        )
    client, token = client_for(tenant)

    page = client.get(f"/conversaciones/{tenant.customer_id}")
    forced = client.post(
        f"/conversaciones/{tenant.customer_id}/responder",
        data={"text": "Hola", "csrf_token": token},
    )

    with transaction(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert "pidió no recibir más mensajes" in page.text
    assert '<button type="submit" disabled>Enviar</button>' in page.text
    assert "pidió no recibir más mensajes" in forced.text
    assert rows == []


def test_promise_and_back_to_automation(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    client, token = client_for(tenant)
    base = f"/conversaciones/{tenant.customer_id}"

    promised = client.post(
        base + "/promesa",
        data={"due_on": "2026-03-27", "amount": "7.500,50", "csrf_token": token},
    )
    resumed = client.post(base + "/automatizar", data={"csrf_token": token})

    with transaction(engine) as session:
        promise = session.scalars(select(PromiseToPay)).one()
        case = session.scalars(select(Case)).one()
    assert "Promesa registrada para el 27/03/2026." in promised.text
    assert promise.amount == Decimal("7500.50")
    assert promise.case_id == case.id
    assert "volvió a la automatización" in resumed.text
    assert case.state == CaseState.OPEN
    assert case.handoff_reason is None
    assert case.handed_off_at is None
    assert "pendiente" in resumed.text
    with transaction(engine) as session:
        assert waiting_cases(session, tenant.business_id, NOW) == []
    inbox = client.get("/conversaciones")
    assert "No hay conversaciones esperando a una persona." in inbox.text


def test_accept_receipt_as_payment(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    inbound_id = _handed_off(engine, tenant, 1)
    with transaction(engine) as session:
        media = InboundMedia(
            business_id=tenant.business_id,
            inbound_message_id=inbound_id,
            provider="sandbox",
            media_id="m-1",
            mime_type="image/jpeg",
            file_name="comprobante.jpg",
        )
        session.add(media)
        session.flush()
        media_id = media.id
    client, token = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}",
        data={"amount": "15.000,00", "csrf_token": token},
    )

    with transaction(engine) as session:
        payment = session.scalars(select(Payment)).one()
    assert "Comprobante aceptado como pago." in page.text
    assert payment.status == "approved"
    assert payment.amount == Decimal("15000.00")


def _receipt(engine: Engine, inbound_id: int, tenant: Tenant) -> int:
    with transaction(engine) as session:
        media = InboundMedia(
            business_id=tenant.business_id,
            inbound_message_id=inbound_id,
            provider="sandbox",
            media_id="m-1",
            mime_type="image/jpeg",
            file_name="comprobante.jpg",
        )
        session.add(media)
        session.flush()
        return media.id


def test_receipt_in_dollars_by_sign(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a customer owing pesos and dollars, who sent a receipt
    media_id = _receipt(engine, _handed_off(engine, tenant, 1), tenant)
    _owe_dollars(engine, tenant, "800.00")
    client, token = client_for(tenant)
    page = client.get(f"/conversaciones/{tenant.customer_id}").text

    # When the owner accepts it with the dollar sign
    client.post(
        f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}",
        data={"amount": "U$S 800", "csrf_token": token},
    )

    # Then the payment is in dollars and settles the dollar invoice
    with transaction(engine) as session:
        payment = session.scalars(select(Payment)).one()
    assert "Para otra moneda, escribí su código o su signo" in html.unescape(page)
    assert (payment.currency, payment.amount) == ("USD", Decimal("800"))


def test_receipt_in_currency_not_owed_rejected(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    media_id = _receipt(engine, _handed_off(engine, tenant, 1), tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/comprobante/{media_id}",
        data={"amount": "USD 800", "csrf_token": token},
    )

    with transaction(engine) as session:
        payments = session.scalars(select(Payment)).all()
    assert payments == []
    assert "El cliente no tiene facturas en USD" in html.unescape(page.text)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("15.000,50", "es_AR", Decimal("15000.50")),
        ("15000,5", "es_AR", Decimal("15000.5")),
        ("15000.50", "es_AR", Decimal("15000.50")),
        ("15.000", "es_AR", Decimal("15000")),
        ("1.234.567", "es_AR", Decimal("1234567")),
        ("$ 300", "es_AR", Decimal("300")),
        ("1,500", "es_MX", Decimal("1500")),
        ("$ 4,322.32", "es_MX", Decimal("4322.32")),
        ("R$ 1.234,56", "pt_BR", Decimal("1234.56")),
    ],
)
def test_parse_amount_input(text: str, locale: str, expected: Decimal) -> None:
    assert parse_amount_input(text, locale) == expected


@pytest.mark.parametrize(
    "text", ["1.000.5", "10.00.000", "1.00,5", "1234.567", "1.000,5,0", ".500"]
)
def test_parse_amount_input_bad_grouping(text: str) -> None:
    with pytest.raises(ValueError, match="monto inválido"):
        parse_amount_input(text, "es_AR")


def test_parse_amount_input_ambiguous() -> None:
    # "1,500" is 1.5 written in Argentina and 1500 in Mexico, so an
    # Argentine page rejects it and names both readings.
    with pytest.raises(ValueError, match="monto ambiguo '1,500'"):
        parse_amount_input("1,500", "es_AR")


def test_inbox_lists_customers_who_wrote_first(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    with transaction(engine) as session:
        session.add(
            Case(
                business_id=tenant.business_id,
                customer_id=tenant.script_customer_id,
                state=CaseState.HANDED_OFF,
                opened_at=NOW - timedelta(days=40),
            )
        )
    client, _ = client_for(tenant)

    page = client.get("/conversaciones").text

    wrote = page.index(f'href="/conversaciones/{tenant.customer_id}"')
    silent = page.index(f'href="/conversaciones/{tenant.script_customer_id}"')
    assert wrote < silent


def test_thread_puts_message_before_reply(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # The reply row is written first and sent at the message's instant, so
    # neither the time nor the insertion order puts the message first.
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=2),
        )
        session.add(case)
        session.flush()
        session.add(
            OutboxMessage(
                business_id=tenant.business_id,
                case_id=case.id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                step="ask_receipt:1",
                step_kind="ask_receipt",
                tone="friendly",
                locale="es_AR",
                variables={"reply_to_inbound_id": 1},
                document_ids=[],
                idempotency_key="answer-1",
                state="sent",
                planned_for=NOW,
                text="¿Nos mandás el comprobante?",
                sent_at=NOW,
                created_at=NOW,
            )
        )
        session.flush()
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-paid",
                sender="+5491155550001",
                text="ya te transferí",
                intent="already_paid",
                received_at=NOW,
            )
        )
    client, _ = client_for(tenant)

    page = client.get(f"/conversaciones/{tenant.customer_id}").text

    assert page.index("ya te transferí") < page.index("¿Nos mandás el comprobante?")


def test_inbox_lists_recent_writers(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Neither customer has a case waiting for a person, and only one wrote lately.
    with transaction(engine) as session:
        for customer_id, days_ago, text in (
            (tenant.customer_id, 2, "gracias, pago el viernes"),
            (tenant.script_customer_id, 10, "hola"),
        ):
            session.add(
                InboundMessage(
                    business_id=tenant.business_id,
                    customer_id=customer_id,
                    channel="sandbox",
                    provider="sandbox",
                    provider_message_id=f"in-{customer_id}",
                    sender="+5491155550001",
                    text=text,
                    received_at=NOW - timedelta(days=days_ago),
                )
            )
    client, _ = client_for(tenant)

    page = client.get("/conversaciones").text
    recent = page[page.index('id="recientes"') : page.index("Remitentes desconocidos")]

    assert "No hay conversaciones esperando a una persona." in page
    assert f'href="/conversaciones/{tenant.customer_id}"' in recent
    assert "16/03/2026" in recent
    assert f'href="/conversaciones/{tenant.script_customer_id}"' not in recent


def test_customer_page_links_conversation(
    app: FastAPI, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert f'href="/conversaciones/{tenant.customer_id}"' in page
    assert "Ver la conversación" in page


def _owe_dollars(engine: Engine, tenant: Tenant, amount: str) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        due_on = NOW.date() - timedelta(days=10)
        make_document(session, customer, NOW, "U-0001", amount, due_on, currency="USD")


def test_promise_without_amount_covers_each_currency(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    _owe_dollars(engine, tenant, "800.00")
    client, token = client_for(tenant)

    promised = client.post(
        f"/conversaciones/{tenant.customer_id}/promesa",
        data={"due_on": "2026-03-27", "amount": "", "csrf_token": token},
    )

    with transaction(engine) as session:
        promises = session.scalars(select(PromiseToPay).order_by(PromiseToPay.id))
        covered = [(promise.currency, promise.amount) for promise in promises]
    assert "Promesa registrada para el 27/03/2026." in promised.text
    assert sorted(covered) == [("ARS", None), ("USD", None)]


def test_promise_amount_fitting_one_currency(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    _owe_dollars(engine, tenant, "5.00")
    client, token = client_for(tenant)

    client.post(
        f"/conversaciones/{tenant.customer_id}/promesa",
        data={"due_on": "2026-03-27", "amount": "100", "csrf_token": token},
    )

    with transaction(engine) as session:
        promise = session.scalars(select(PromiseToPay)).one()
    assert promise.currency == "ARS"
    assert promise.amount == Decimal(100)


def test_promise_amount_with_dollar_sign(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Given a customer owing pesos and dollars, both above the amount
    _handed_off(engine, tenant, 1)
    _owe_dollars(engine, tenant, "800.00")
    client, token = client_for(tenant)

    # When the owner types the amount with the dollar sign
    client.post(
        f"/conversaciones/{tenant.customer_id}/promesa",
        data={"due_on": "2026-03-27", "amount": "U$S 400", "csrf_token": token},
    )

    # Then the promise is in dollars, not in the business's pesos
    with transaction(engine) as session:
        promise = session.scalars(select(PromiseToPay)).one()
    assert promise.currency == "USD"
    assert promise.amount == Decimal(400)


def test_promise_in_currency_not_owed_rejected(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _handed_off(engine, tenant, 1)
    client, token = client_for(tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/promesa",
        data={"due_on": "2026-03-27", "amount": "US$ 400", "csrf_token": token},
    )

    with transaction(engine) as session:
        promises = session.scalars(select(PromiseToPay)).all()
    assert promises == []
    assert "El cliente no debe nada en USD" in html.unescape(page.text)


# The pesos' row falls due with the dollars' or on a day of its own ("los
# dólares el viernes y los pesos a fin de mes").
@pytest.mark.parametrize("pesos_days", [3, 10])
def test_promises_show_each_currency_told(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, pesos_days: int
) -> None:  # type: ignore[no-untyped-def]
    # Given a promise without a sum in dollars and pesos, one row each, and
    # its one confirmation stating both amounts
    created = NOW - timedelta(days=2)
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        promises = [
            PromiseToPay(
                business_id=tenant.business_id,
                case_id=case.id,
                customer_id=tenant.customer_id,
                amount=None,
                currency=currency,
                due_on=NOW.date() + timedelta(days=days),
                status="open",
                created_at=created,
            )
            for currency, days in (("USD", 3), ("ARS", pesos_days))
        ]
        session.add_all(promises)
        session.flush()
        session.add(
            OutboxMessage(
                business_id=tenant.business_id,
                case_id=case.id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                step=f"promise_confirmation:{promises[0].id}",
                step_kind="promise_confirmation",
                tone="friendly",
                locale="es_AR",
                variables={
                    "promise_amount": "800.00",
                    "promise_amounts": [["USD", "800.00"], ["ARS", "15000.00"]],
                },
                document_ids=[],
                idempotency_key="confirmation",
                state="sent",
                planned_for=created,
                created_at=created,
            )
        )
    client, _ = client_for(tenant)

    thread = client.get(f"/conversaciones/{tenant.customer_id}")

    assert "US$ 800,00" in thread.text
    assert "$ 15.000,00 · pendiente" in thread.text
    assert "todo el saldo" not in thread.text


def test_unknown_sender_names_customers_sharing(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # A WhatsApp reply from a phone two customers share is kept without a
    # customer, as the webhook stores it.
    with transaction(engine) as session:
        session.get_one(Customer, tenant.script_customer_id).phone = "+5491155550001"
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=None,
                channel="whatsapp",
                provider="whatsapp",
                provider_message_id="wamid.shared",
                sender="5491155550001",
                text="ya pagué",
                received_at=NOW,
            )
        )
    client, _ = client_for(tenant)

    page = client.get("/conversaciones").text

    unknown = page[page.index("Remitentes desconocidos") :]
    assert "5491155550001" in unknown
    assert "es de 2 clientes" in unknown
    assert "Cliente de Ferretería Uno" in unknown
    # The other customer's name is escaped, as everywhere on the page.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in unknown
