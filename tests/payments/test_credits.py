"""Customer credits applied to new invoices at import and in each cycle."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from cobranza.db.models import Customer, Document, OutboxMessage, PaymentLink
from cobranza.ingest import ImportOptions, import_file
from cobranza.ingest.service import set_import_hook
from cobranza.jobs.cycle import run_cycle
from cobranza.payments.credits import apply_credits, customer_credits
from cobranza.payments.status import PaymentStatus
from tests.channels.factories import make_document
from tests.payments.conftest import NOW, World, build_world
from tests.payments.helpers import make_link, report


def _overpay(world: World, amount: str = "1800.00") -> None:
    """Pay `amount` for the 1500 owed, leaving the rest as credit."""
    link = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == link.id)
            .values(amount=Decimal(amount))
        )
    report(world, link.id, PaymentStatus.APPROVED, amount)


def _add_invoice(world: World, number: str, amount: str) -> int:
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        document = make_document(
            session, customer, NOW, number, amount, date(2026, 3, 5)
        )
        return document.id


def _credit(world: World) -> Decimal:
    with world.session() as session:
        credits = customer_credits(session, world.business_id, world.customer_id)
    return sum((credit.amount for credit in credits), Decimal(0))


def _reminders(world: World) -> list[OutboxMessage]:
    with world.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.customer_id == world.customer_id,
                    OutboxMessage.step_kind != "payment_thanks",
                )
            )
        )


def test_cycle_applies_credit_before_planning(world: World) -> None:
    _overpay(world)
    invoice_id = _add_invoice(world, "A-0003", "200.00")

    run_cycle(world.engine, world.business_id, NOW)
    again = run_cycle(world.engine, world.business_id, NOW)

    assert world.open_amounts()[invoice_id] == Decimal("0")
    assert _credit(world) == Decimal("100")
    assert _reminders(world) == []
    assert again.planned == 0
    assert world.audit_kinds().count("credit_applied") == 1


def test_credit_smaller_than_invoice(world: World) -> None:
    _overpay(world)
    invoice_id = _add_invoice(world, "A-0003", "500.00")

    run_cycle(world.engine, world.business_id, NOW)

    assert world.open_amounts()[invoice_id] == Decimal("200")
    assert _credit(world) == Decimal("0")
    reminders = _reminders(world)
    assert len(reminders) == 1
    assert Decimal(reminders[0].variables["balance"]) == Decimal("200")


@pytest.fixture
def import_hook() -> Iterator[None]:
    previous = set_import_hook(apply_credits)
    yield
    set_import_hook(previous)


def test_import_applies_credit(world: World, tmp_path: Path, import_hook: None) -> None:
    _overpay(world)
    path = tmp_path / "facturas.csv"
    path.write_text(
        "Código cliente;Celular;Factura;Vencimiento;Importe;Saldo\r\n"
        "C1;11 5555 0001;A-0003;05/03/2026;250,00;250,00\r\n",
        encoding="utf-8",
    )

    with world.session() as session, session.begin():
        imported = import_file(
            session, world.business(session), path, ImportOptions(), NOW
        )

    assert imported.rows_rejected == []
    with world.session() as session:
        invoice = session.scalars(
            select(Document).where(Document.number == "A-0003")
        ).one()
    assert invoice.customer_id == world.customer_id
    assert invoice.open_amount == Decimal("0")
    assert _credit(world) == Decimal("50")
    assert "credit_applied" in world.audit_kinds()


def test_credit_skips_other_currency(world: World) -> None:
    _overpay(world)
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        document = make_document(
            session, customer, NOW, "U-1", "100.00", date(2026, 3, 5), currency="USD"
        )
        dollar_invoice = document.id

    with world.session() as session, session.begin():
        used = apply_credits(session, world.business_id, NOW)

    assert used == 0
    assert world.open_amounts()[dollar_invoice] == Decimal("100")
    assert _credit(world) == Decimal("300")


def test_refunded_payment_gives_no_credit(world: World) -> None:
    _overpay(world)
    link_id = world.payments()[0].link_id
    report(world, link_id, PaymentStatus.REFUNDED, "1800.00")
    invoice_id = _add_invoice(world, "A-0003", "200.00")

    with world.session() as session, session.begin():
        used = apply_credits(session, world.business_id, NOW)

    assert used == 0
    assert world.open_amounts()[invoice_id] == Decimal("200")


def test_parallel_credit_applied_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers, so the race needs PostgreSQL")
    world = build_world(engine)
    _overpay(world)
    first = _add_invoice(world, "A-0003", "200.00")
    second = _add_invoice(world, "A-0004", "200.00")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            barrier.wait()
            with world.session() as session, session.begin():
                apply_credits(session, world.business_id, NOW)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=apply) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert world.open_amounts()[first] == Decimal("0")
    assert world.open_amounts()[second] == Decimal("100")
    assert _credit(world) == Decimal("0")
    assert world.audit_kinds().count("credit_applied") == 1


def test_partial_refund_reopens_credit_invoice(world: World) -> None:
    _overpay(world)
    invoice_id = _add_invoice(world, "A-0003", "200.00")
    with world.session() as session, session.begin():
        apply_credits(session, world.business_id, NOW)
    link_id = world.payments()[0].link_id

    report(world, link_id, PaymentStatus.APPROVED, "1800.00", amount_refunded="250.00")

    assert _credit(world) == Decimal("0")
    assert world.open_amounts()[invoice_id] == Decimal("150")
    assert world.open_amounts()[world.new_invoice_id] == Decimal("0")
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")
