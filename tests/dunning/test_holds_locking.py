"""Two sessions releasing the same held invoice: exactly one succeeds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cobranza.db.engine import session_factory
from cobranza.db.models import AuditEvent, Business, Customer, Document
from cobranza.dunning.errors import HoldError
from cobranza.dunning.holds import (
    hold_invoices,
    release_document,
    release_invoices,
)

from .conftest import NOW, TODAY, Portfolio

ACTOR = "owner:duenia@ejemplo.com"
# How long the second session is given to reach the row lock of the first.
LOCK_WAIT_SECONDS = 0.5


def _held_invoice(engine: Engine) -> tuple[int, int]:
    """Commit a customer with one invoice on hold and return both ids."""
    with session_factory(engine).begin() as setup:
        business = Business(
            name="Demo",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        setup.add(business)
        setup.flush()
        helper = Portfolio(setup, business)
        customer = helper.customer("C1")
        document = helper.invoice(customer, "100", TODAY - timedelta(days=1))
        hold_invoices(
            setup, customer, [document.number], None, "abogado", TODAY, NOW, ACTOR
        )
        return customer.id, document.id


def _by_number(session: Session, customer_id: int, document_id: int) -> None:
    customer = session.get_one(Customer, customer_id)
    number = session.get_one(Document, document_id).number
    release_invoices(session, customer, [number], TODAY, NOW, ACTOR)


def _all_held(session: Session, customer_id: int, document_id: int) -> None:
    customer = session.get_one(Customer, customer_id)
    release_invoices(session, customer, [], TODAY, NOW, ACTOR)


def _by_row(session: Session, customer_id: int, document_id: int) -> None:
    # The API loads the document before it releases it, so the second
    # session holds a copy read while the first release was not committed.
    document = session.get_one(Document, document_id)
    release_document(session, document, TODAY, NOW, ACTOR)


@pytest.mark.postgres
@pytest.mark.parametrize("release", [_by_number, _all_held, _by_row])
def test_concurrent_releases_one_wins(
    engine: Engine, release: Callable[[Session, int, int], None]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature")
    customer_id, document_id = _held_invoice(engine)
    factory = session_factory(engine)
    outcomes: dict[str, str] = {}

    # given a first release, written but not committed
    first = factory()
    release(first, customer_id, document_id)
    outcomes["first"] = "released"

    def second_release() -> None:
        with factory() as second:
            try:
                release(second, customer_id, document_id)
            except HoldError:
                outcomes["second"] = "rejected"
                second.rollback()
                return
            second.commit()
            outcomes["second"] = "released"

    # when a second release of the same invoice runs in another session
    worker = threading.Thread(target=second_release)
    worker.start()
    worker.join(timeout=LOCK_WAIT_SECONDS)
    waited = worker.is_alive()
    first.commit()
    first.close()
    worker.join(timeout=10)

    # then it waits for the first, finds the invoice released and changes nothing
    with factory() as check:
        released_events = check.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.kind == "invoice_released",
                AuditEvent.subject_id == document_id,
            )
        )
        document = check.get_one(Document, document_id)
    assert waited is True
    assert outcomes == {"first": "released", "second": "rejected"}
    assert released_events == 1
    assert document.held_at is None


@pytest.mark.postgres
def test_hold_waits_for_release(engine: Engine) -> None:
    # A hold that starts while a release is written but not committed applies
    # after it, so the invoice ends held and the audit log lists both in order.
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature")
    customer_id, document_id = _held_invoice(engine)
    factory = session_factory(engine)
    first = factory()
    _by_number(first, customer_id, document_id)
    errors: list[Exception] = []

    def hold_again() -> None:
        with factory() as second:
            customer = second.get_one(Customer, customer_id)
            number = second.get_one(Document, document_id).number
            try:
                hold_invoices(
                    second, customer, [number], None, "de nuevo", TODAY, NOW, ACTOR
                )
            except HoldError as exc:
                errors.append(exc)
                return
            second.commit()

    worker = threading.Thread(target=hold_again)
    worker.start()
    worker.join(timeout=LOCK_WAIT_SECONDS)
    waited = worker.is_alive()
    first.commit()
    first.close()
    worker.join(timeout=10)

    with factory() as check:
        kinds = list(
            check.scalars(
                select(AuditEvent.kind)
                .where(AuditEvent.subject_id == document_id)
                .order_by(AuditEvent.id)
            )
        )
        document = check.get_one(Document, document_id)
    assert waited is True
    assert errors == []
    assert kinds == ["invoice_held", "invoice_released", "invoice_held"]
    assert document.held_at is not None
    assert document.hold_reason == "de nuevo"
