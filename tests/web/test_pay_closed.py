"""The pay page of a case that a person closed while the customer still owes.

Closing a case holds what is owed, and a held invoice is never charged
through a link. So the page sends the debtor to the business instead of
saying that nothing is owed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.conversations.handoff import hand_off
from cobranza.conversations.inbox import resolve
from cobranza.db.models import Customer, Document, PaymentLink
from tests.payments.conftest import NOW, World, build_world, make_document
from tests.payments.helpers import make_link
from tests.web.test_pay_errors import _assert_debtor_page

CLOSED_OWED = (
    "Este link de pago ya no está activo, pero todavía tenés saldo pendiente "
    "con este negocio. Escribile al negocio para acordar cómo pagarlo."
)
NOTHING_OWED = "No tenés saldo pendiente con este negocio."


def _close_by_person(world: World) -> None:
    with world.session() as session, session.begin():
        case = world.case(session)
        hand_off(session, case, "request_human", NOW)
        resolve(
            session,
            world.business_id,
            case.id,
            NOW,
            resume=False,
            actor="owner:duenia@ejemplo.com",
        )


def test_closed_case_sends_to_business(app: FastAPI, engine: Engine) -> None:
    # given a link sent before a person closed the case, which held the debt
    world = build_world(engine)
    link = make_link(world, provider="sandbox")
    _close_by_person(world)
    client = TestClient(app, base_url="https://testserver")

    # when the customer opens the link
    page = client.get(f"/pagar/{link.token}", follow_redirects=False)

    # then the page says there is a balance and whom to ask, and charges nothing
    with world.session() as session:
        stored = session.get_one(PaymentLink, link.id)
        held = session.get_one(Document, world.old_invoice_id)
        assert stored.provider_url is None
        assert held.held_at is not None
    assert page.status_code == 200
    assert CLOSED_OWED in page.text
    assert NOTHING_OWED not in page.text
    assert "location" not in page.headers
    _assert_debtor_page(page)


def test_closed_case_in_portuguese(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine)
    with world.session() as session, session.begin():
        world.business(session).locale = "pt_BR"
    link = make_link(world, provider="sandbox")
    _close_by_person(world)
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}")

    assert page.status_code == 200
    assert '<html lang="pt">' in page.text
    assert "você ainda tem saldo pendente com esta empresa" in page.text


def test_closed_case_paid_otherwise(app: FastAPI, engine: Engine) -> None:
    # The customer paid by transfer after the case was closed.
    world = build_world(engine)
    link = make_link(world, provider="sandbox")
    _close_by_person(world)
    with world.session() as session, session.begin():
        for document_id in (world.old_invoice_id, world.new_invoice_id):
            session.get_one(Document, document_id).open_amount = Decimal(0)
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}")

    assert page.status_code == 200
    assert NOTHING_OWED in page.text
    assert CLOSED_OWED not in page.text


def test_credit_note_nets_to_nothing(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine)
    link = make_link(world, provider="sandbox")
    _close_by_person(world)
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        note = make_document(
            session, customer, NOW, "NC-1", "-1500.00", date(2026, 3, 5)
        )
        note.kind = "credit_note"
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}")

    assert NOTHING_OWED in page.text
    assert CLOSED_OWED not in page.text


def test_open_case_all_held_unchanged(app: FastAPI, engine: Engine) -> None:
    # An open case whose invoices are all held keeps the «en revisión» page.
    world = build_world(engine)
    link = make_link(world, provider="sandbox")
    with world.session() as session, session.begin():
        for document_id in (world.old_invoice_id, world.new_invoice_id):
            session.get_one(Document, document_id).held_at = NOW
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}")

    assert "están en revisión" in page.text
    assert CLOSED_OWED not in page.text
