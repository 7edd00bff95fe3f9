"""A customer's state reads the same on Clientes, a customer page and the inbox."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from cobranza.compliance.consent import record_consent
from cobranza.conversations.handoff import hand_off
from cobranza.conversations.inbox import resolve
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    CaseState,
    ConsentAction,
    Customer,
    InboundMessage,
    PhoneStatus,
)
from cobranza.dunning.holds import CustomerHolds, hold_invoices
from cobranza.web.dashboard.customer_state import customer_state
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_consenting_open_case, make_invoice

TIMEZONE = "America/Argentina/Buenos_Aires"


@dataclass
class FakeCase:
    state: str
    handoff_reason: str | None = None
    paused_until: datetime | None = None
    pause_reason: str | None = None


@dataclass
class HeldInvoice:
    number: str
    hold_until: date | None
    hold_reason: str | None


@pytest.mark.parametrize(
    ("case", "consent", "phone_status", "expected"),
    [
        (None, True, "valid", "sin caso abierto"),
        (
            None,
            None,
            "valid",
            "sin caso abierto · el robot no le escribe: sin consentimiento",
        ),
        (FakeCase("open"), True, "valid", "en gestión automática"),
        (FakeCase("open"), None, "valid", "el robot no le escribe: sin consentimiento"),
        (FakeCase("open"), False, "valid", "el robot no le escribe: dio de baja"),
        (
            FakeCase("open"),
            True,
            "wrong_person",
            "el robot no le escribe: número equivocado",
        ),
        (
            FakeCase("open"),
            True,
            "not_on_whatsapp",
            "el robot no le escribe: el número no está en WhatsApp",
        ),
        (
            FakeCase("open"),
            True,
            "missing",
            "el robot no le escribe: sin teléfono cargado",
        ),
        (
            FakeCase("paused", paused_until=NOW + timedelta(days=1), pause_reason="x"),
            True,
            "valid",
            "en pausa hasta el 19/03/2026 12:00 (x)",
        ),
        (
            FakeCase("paused", paused_until=NOW - timedelta(days=1)),
            True,
            "valid",
            "en gestión automática",
        ),
        (
            FakeCase("handed_off", handoff_reason="request_human"),
            False,
            "valid",
            "espera a una persona (pidió hablar con una persona) · el robot no "
            "le escribe: dio de baja",
        ),
        (
            FakeCase("open", handoff_reason="payment_to_verify"),
            True,
            "valid",
            "espera a una persona (dice que ya pagó: verificá el pago, y mientras "
            "tanto los recordatorios siguen saliendo)",
        ),
    ],
)
def test_state_words(
    case: FakeCase | None, consent: bool | None, phone_status: str, expected: str
) -> None:
    state = customer_state(case, consent, phone_status, NOW, TIMEZONE)

    assert state.text == expected


def _state_cell(page: str, customer_id: int) -> str:
    row = page[page.index(f'href="/clientes/{customer_id}"') :]
    cell = row[row.index('data-label="Estado">') + len('data-label="Estado">') :]
    return html.unescape(cell[: cell.index("</td>")])


def _page_state(page: str) -> str:
    start = page.index('id="customer-state">') + len('id="customer-state">')
    return html.unescape(page[start : page.index("</strong>", start)])


def test_list_and_page_say_why_not_written(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # The first customer never consented, the second opted out, and both have
    # an open case that the automation runs on.
    with transaction(engine) as session:
        for customer_id in (tenant.customer_id, tenant.script_customer_id):
            session.add(
                Case(
                    business_id=tenant.business_id,
                    customer_id=customer_id,
                    state=CaseState.OPEN,
                    opened_at=NOW - timedelta(days=3),
                )
            )
        record_consent(
            session,
            tenant.business_id,
            tenant.script_customer_id,
            ConsentAction.REVOKE,
            "respuesta del cliente",
            None,
            NOW - timedelta(days=1),
        )
    client, _ = client_for(tenant)

    listing = client.get("/clientes").text
    never = _page_state(client.get(f"/clientes/{tenant.customer_id}").text)
    opted_out = _page_state(client.get(f"/clientes/{tenant.script_customer_id}").text)

    assert _state_cell(listing, tenant.customer_id) == (
        "el robot no le escribe: sin consentimiento"
    )
    assert never == "el robot no le escribe: sin consentimiento"
    assert _state_cell(listing, tenant.script_customer_id) == (
        "el robot no le escribe: dio de baja"
    )
    assert opted_out == "el robot no le escribe: dio de baja"
    assert "en gestión" not in listing


def test_wrong_number_shows_on_list(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        customer.phone_status = PhoneStatus.WRONG_PERSON
        record_consent(
            session,
            tenant.business_id,
            tenant.customer_id,
            ConsentAction.GRANT,
            "formulario firmado",
            None,
            NOW - timedelta(days=30),
        )
    client, _ = client_for(tenant)

    listing = client.get("/clientes").text

    assert _state_cell(listing, tenant.customer_id) == (
        "sin caso abierto · el robot no le escribe: número equivocado"
    )


def test_ended_payment_pause_still_waits(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # "Ya pagué" paused the case; the pause ended and the planner resumed the
    # reminders, but no person has checked the payment yet.
    with transaction(engine) as session:
        record_consent(
            session,
            tenant.business_id,
            tenant.customer_id,
            ConsentAction.GRANT,
            "formulario firmado",
            None,
            NOW - timedelta(days=30),
        )
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state=CaseState.PAUSED,
            paused_until=NOW + timedelta(days=2),
            opened_at=NOW - timedelta(days=10),
        )
        session.add(case)
        session.flush()
        hand_off(
            session,
            case,
            "payment_to_verify",
            NOW - timedelta(days=4),
            stop_automation=False,
        )
        case.state = CaseState.OPEN
        case.paused_until = None
        session.add(
            InboundMessage(
                business_id=tenant.business_id,
                customer_id=tenant.customer_id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="in-paid",
                sender="+5491155550001",
                text="ya pagué",
                intent="already_paid",
                received_at=NOW - timedelta(days=4),
            )
        )
    client, _ = client_for(tenant)
    expected = (
        "espera a una persona (dice que ya pagó: verificá el pago, y mientras "
        "tanto los recordatorios siguen saliendo)"
    )

    listing = client.get("/clientes").text
    page = client.get(f"/clientes/{tenant.customer_id}").text
    inbox = html.unescape(client.get("/conversaciones").text)
    recent = inbox[inbox.index('id="recientes"') :]

    assert _state_cell(listing, tenant.customer_id) == expected
    assert _page_state(page) == expected
    assert "en gestión automática" not in page
    assert (
        "dice que ya pagó: verificá el pago, y mientras tanto los recordatorios "
        "siguen saliendo" in inbox
    )
    assert expected in recent


@pytest.mark.parametrize(
    ("case", "held", "all_held", "expected"),
    [
        (
            FakeCase("open"),
            [HeldInvoice("A-1", None, "pasó al abogado")],
            True,
            "recordatorios en pausa por facturas retenidas (A-1 sin fecha de fin, "
            "motivo: pasó al abogado)",
        ),
        (
            FakeCase("open"),
            [
                HeldInvoice("A-1", date(2026, 4, 30), "viaja"),
                HeldInvoice("A-2", date(2026, 4, 30), "viaja"),
                HeldInvoice("A-3", None, None),
            ],
            True,
            "recordatorios en pausa por facturas retenidas (A-1 y A-2 hasta el "
            "30/04/2026, motivo: viaja; A-3 sin fecha de fin, motivo: sin motivo)",
        ),
        (
            FakeCase("open"),
            [HeldInvoice("A-2", date(2026, 4, 30), "acuerdo")],
            False,
            "en gestión automática · facturas retenidas: A-2 hasta el 30/04/2026, "
            "motivo: acuerdo",
        ),
        (
            None,
            [HeldInvoice("A-1", None, "cerrado por una persona")],
            True,
            "sin caso abierto · facturas retenidas: A-1 sin fecha de fin, motivo: "
            "cerrado por una persona",
        ),
        (
            FakeCase("open", handoff_reason="payment_to_verify"),
            [HeldInvoice("A-1", None, "x")],
            True,
            "espera a una persona (dice que ya pagó: verificá el pago) · facturas "
            "retenidas: A-1 sin fecha de fin, motivo: x",
        ),
    ],
)
def test_state_words_with_holds(
    case: FakeCase | None, held: list[HeldInvoice], all_held: bool, expected: str
) -> None:
    holds = CustomerHolds(tuple(held), all_held)  # type: ignore[arg-type]

    state = customer_state(case, True, "valid", NOW, TIMEZONE, holds)

    assert state.text == expected


def test_blocked_state_lists_holds() -> None:
    holds = CustomerHolds((HeldInvoice("A-1", None, "x"),), True)  # type: ignore[arg-type]

    state = customer_state(FakeCase("open"), False, "valid", NOW, TIMEZONE, holds)

    assert state.text == (
        "el robot no le escribe: dio de baja · facturas retenidas: A-1 sin fecha "
        "de fin, motivo: x"
    )


def _consenting_open_case(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        make_consenting_open_case(session, tenant.business_id, tenant.customer_id, NOW)


def _hold(
    engine: Engine, tenant: Tenant, numbers: list[str], until: date | None
) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        hold_invoices(
            session,
            customer,
            numbers,
            until,
            "arreglamos por teléfono",
            NOW.date(),
            NOW,
            actor="cli",
        )


def test_all_held_reads_paused(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given an open case that the automation runs on, with its only invoice held
    _consenting_open_case(engine, tenant)
    _hold(engine, tenant, ["A-0001"], date(2026, 4, 30))
    client, _ = client_for(tenant)
    expected = (
        "recordatorios en pausa por facturas retenidas (A-0001 hasta el "
        "30/04/2026, motivo: arreglamos por teléfono)"
    )

    # when
    listing = client.get("/clientes").text
    page = client.get(f"/clientes/{tenant.customer_id}").text
    thread = client.get(f"/conversaciones/{tenant.customer_id}").text

    # then
    assert _state_cell(listing, tenant.customer_id) == expected
    assert _page_state(page) == expected
    assert _page_state(thread) == expected
    assert "en gestión automática" not in page


def test_partly_held_names_invoices(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _consenting_open_case(engine, tenant)
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        make_invoice(session, customer, NOW, "A-0009", "900.00", NOW.date())
    _hold(engine, tenant, ["A-0009"], None)
    client, _ = client_for(tenant)
    expected = (
        "en gestión automática · facturas retenidas: A-0009 sin fecha de fin, "
        "motivo: arreglamos por teléfono"
    )

    listing = client.get("/clientes").text
    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert _state_cell(listing, tenant.customer_id) == expected
    assert _page_state(page) == expected
    assert "A-0001" not in _page_state(page)


def test_ended_hold_not_shown(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine, clock
) -> None:  # type: ignore[no-untyped-def]
    # The hold lasted through 30/04; on 01/05 the invoice is collected again.
    _consenting_open_case(engine, tenant)
    _hold(engine, tenant, ["A-0001"], date(2026, 4, 30))
    clock.now = datetime(2026, 5, 1, 15, 0, tzinfo=UTC)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert _page_state(page) == "en gestión automática"


def test_closed_case_lists_holds(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given a hand-off that a person closed, which holds what is still owed
    _consenting_open_case(engine, tenant)
    with transaction(engine) as session:
        case = session.scalars(
            select(Case).where(Case.customer_id == tenant.customer_id)
        ).one()
        hand_off(session, case, "request_human", NOW - timedelta(hours=1))
        resolve(
            session,
            tenant.business_id,
            case.id,
            NOW,
            resume=False,
            actor="owner:duenia@uno.com",
        )
    client, _ = client_for(tenant)

    # when
    listing = client.get("/clientes").text
    page = client.get(f"/clientes/{tenant.customer_id}").text

    # then
    expected = (
        "sin caso abierto · facturas retenidas: A-0001 sin fecha de fin, motivo: "
        "cerrado por una persona"
    )
    assert _state_cell(listing, tenant.customer_id) == expected
    assert _page_state(page) == expected
