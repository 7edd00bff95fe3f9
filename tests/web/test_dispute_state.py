"""Disputed invoices in a customer's state, worded as held invoices are."""

from __future__ import annotations

import html
from datetime import date, timedelta

from fastapi import FastAPI
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Case, Customer, Document
from cobranza.dunning.holds import hold_invoices
from cobranza.dunning.owner_actions import set_disputed
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_consenting_open_case, make_invoice


def _open_case(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        make_consenting_open_case(session, tenant.business_id, tenant.customer_id, NOW)


def _second_invoice(engine: Engine, tenant: Tenant) -> int:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        return make_invoice(session, customer, NOW, "A-0009", "900.00", NOW.date()).id


def _dispute(engine: Engine, tenant: Tenant, document_id: int, days_ago: int) -> None:
    with transaction(engine) as session:
        set_disputed(
            session,
            tenant.business_id,
            document_id,
            True,
            "el monto no coincide",
            NOW - timedelta(days=days_ago),
            "owner:duenia@uno.com",
        )


def _states(client, customer_id: int, thread: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the state on Clientes, the customer page and, if asked, the thread."""
    listing = html.unescape(client.get("/clientes").text)
    row = listing[listing.index(f'href="/clientes/{customer_id}"') :]
    cell = row[row.index('data-label="Estado">') + len('data-label="Estado">') :]
    states = [cell[: cell.index("</td>")]]
    paths = [f"/clientes/{customer_id}"]
    if thread:
        paths.append(f"/conversaciones/{customer_id}")
    for path in paths:
        page = html.unescape(client.get(path).text)
        start = page.index('id="customer-state">') + len('id="customer-state">')
        states.append(page[start : page.index("</strong>", start)])
    return states


def test_all_disputed_reads_paused(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given an open case whose two invoices are disputed on different days
    _open_case(engine, tenant)
    second = _second_invoice(engine, tenant)
    _dispute(engine, tenant, tenant.invoice_id, 5)
    _dispute(engine, tenant, second, 0)
    client, _ = client_for(tenant)

    # when
    states = _states(client, tenant.customer_id)

    # then
    expected = (
        "recordatorios en pausa por facturas en disputa (A-0001 desde el "
        "13/03/2026; A-0009 desde el 18/03/2026)"
    )
    assert states == [expected, expected, expected]


def test_partly_disputed_names_invoices(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _open_case(engine, tenant)
    second = _second_invoice(engine, tenant)
    _dispute(engine, tenant, second, 1)
    client, _ = client_for(tenant)

    states = _states(client, tenant.customer_id)

    expected = "en gestión automática · facturas en disputa: A-0009 desde el 17/03/2026"
    assert states == [expected, expected, expected]


def test_disputed_and_held_reads_paused(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # given one invoice held and the other disputed: nothing is left to collect
    _open_case(engine, tenant)
    second = _second_invoice(engine, tenant)
    _dispute(engine, tenant, second, 0)
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        hold_invoices(
            session,
            customer,
            ["A-0001"],
            date(2026, 4, 30),
            "viaja",
            NOW.date(),
            NOW,
            "cli",
        )
    client, _ = client_for(tenant)

    states = _states(client, tenant.customer_id)

    expected = (
        "recordatorios en pausa por facturas retenidas y en disputa · facturas "
        "retenidas: A-0001 hasta el 30/04/2026, motivo: viaja · facturas en "
        "disputa: A-0009 desde el 18/03/2026"
    )
    assert states == [expected, expected, expected]


def test_cleared_dispute_not_shown(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _open_case(engine, tenant)
    _dispute(engine, tenant, tenant.invoice_id, 2)
    with transaction(engine) as session:
        set_disputed(
            session, tenant.business_id, tenant.invoice_id, False, "", NOW, "cli"
        )
    client, _ = client_for(tenant)

    states = _states(client, tenant.customer_id)

    assert states == ["en gestión automática"] * 3


def test_disputed_without_record_lists_number(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # An invoice marked disputed with no audit event (set in the database)
    # is listed without a start day.
    _open_case(engine, tenant)
    with transaction(engine) as session:
        session.get_one(Document, tenant.invoice_id).disputed = True
    client, _ = client_for(tenant)

    states = _states(client, tenant.customer_id)

    expected = "recordatorios en pausa por facturas en disputa (A-0001)"
    assert states == [expected, expected, expected]


def test_handoff_with_all_disputed(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # A reported payment waits for a person. With every invoice disputed, no
    # reminder goes out meanwhile, so the state must not say they do.
    _open_case(engine, tenant)
    _dispute(engine, tenant, tenant.invoice_id, 0)
    with transaction(engine) as session:
        case = session.query(Case).filter_by(customer_id=tenant.customer_id).one()
        case.handoff_reason = "payment_to_verify"
    client, _ = client_for(tenant)

    # The thread shows a hand-off in its own banner, so it is read apart.
    states = _states(client, tenant.customer_id, thread=False)
    thread = html.unescape(client.get(f"/conversaciones/{tenant.customer_id}").text)

    expected = (
        "espera a una persona (dice que ya pagó: verificá el pago) · facturas en "
        "disputa: A-0001 desde el 18/03/2026"
    )
    assert states == [expected, expected]
    assert "Facturas en disputa: A-0001 desde el 18/03/2026." in thread
