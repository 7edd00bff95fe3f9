"""Payments meet the dispatcher: links in reminders, thanks, zero balance."""

from __future__ import annotations

from sqlalchemy import select

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.sandbox import SandboxChannel
from cobranza.db.models import OutboxMessage, SandboxMessage
from cobranza.dunning.outbox import idempotency_key
from cobranza.payments import link_for_outbox_row
from cobranza.payments.status import PaymentStatus
from tests.payments.conftest import NOW, World
from tests.payments.helpers import make_link, report


def _queue_reminder(world: World) -> int:
    with world.session() as session, session.begin():
        row = OutboxMessage(
            business_id=world.business_id,
            case_id=world.case_id,
            customer_id=world.customer_id,
            channel="sandbox",
            step="reminder_soft",
            step_kind="reminder_soft",
            tone="friendly",
            locale="es_AR",
            variables={
                "customer_name": "Ana Pérez",
                "business_name": "Ejemplo SRL",
                "currency": "ARS",
                "balance": "1500.00",
                "invoice_count": 2,
                "oldest_due_on": "2026-02-01",
                "days_past_due": 37,
                "today": "2026-03-10",
            },
            document_ids=sorted([world.old_invoice_id, world.new_invoice_id]),
            idempotency_key=idempotency_key(
                world.business_id,
                world.case_id,
                "reminder_soft",
                [world.old_invoice_id, world.new_invoice_id],
            ),
            state="queued",
            planned_for=NOW,
            attempts=0,
            created_at=NOW,
        )
        session.add(row)
        session.flush()
        return row.id


def _dispatcher(world: World) -> Dispatcher:
    channel = SandboxChannel(world.engine, clock=lambda: NOW)
    return Dispatcher(
        world.engine, {channel.name: channel}, link_builder=link_for_outbox_row
    )


def _sent_texts(world: World) -> list[str]:
    with world.session() as session:
        return list(session.scalars(select(SandboxMessage.text)))


def test_reminder_carries_payment_link(world: World) -> None:
    _queue_reminder(world)

    result = _dispatcher(world).run(world.business_id, NOW)

    assert result.sent == 1
    texts = _sent_texts(world)
    assert "/pagar/" in texts[0]


def test_payment_during_dispatch_suppresses_reminder(world: World) -> None:
    reminder_id = _queue_reminder(world)
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    result = _dispatcher(world).run(world.business_id, NOW)

    assert dict(result.suppressed) == {"zero_balance": 1}
    assert result.sent == 1
    texts = _sent_texts(world)
    assert len(texts) == 1
    assert "Recibimos tu pago de $ 1.500,00" in texts[0]
    with world.session() as session:
        assert session.get_one(OutboxMessage, reminder_id).state == "suppressed"


def test_thanks_sent_once_on_rerun(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    first = _dispatcher(world).run(world.business_id, NOW)
    second = _dispatcher(world).run(world.business_id, NOW)

    assert first.sent == 1
    assert second.sent == 0
    assert len(_sent_texts(world)) == 1


def test_discount_row_gets_discount_link(world: World) -> None:
    from cobranza.db.models import PaymentLink

    reminder_id = _queue_reminder(world)
    with world.session() as session, session.begin():
        row = session.get_one(OutboxMessage, reminder_id)
        row.variables = {
            **row.variables,
            "discount_percent": "10",
            "discount_deadline": "2026-03-20",
        }
        session.flush()
        url = link_for_outbox_row(session, row, NOW)

    assert url is not None
    with world.session() as session:
        link = session.scalars(
            select(PaymentLink).where(PaymentLink.token == url.rsplit("/", 1)[1])
        ).one()
    assert link.purpose == "discount"
    assert str(link.amount) == "1350.0000"
    assert link.expires_at is not None
    assert link.expires_at.isoformat() == "2026-03-21T02:59:59.999999+00:00"


def test_discount_past_deadline_gets_balance_link(world: World) -> None:
    from cobranza.db.models import PaymentLink

    reminder_id = _queue_reminder(world)
    with world.session() as session, session.begin():
        row = session.get_one(OutboxMessage, reminder_id)
        row.variables = {**row.variables, "discount_percent": "10"}
        session.flush()
        url = link_for_outbox_row(session, row, NOW)

    assert url is not None
    with world.session() as session:
        link = session.scalars(
            select(PaymentLink).where(PaymentLink.token == url.rsplit("/", 1)[1])
        ).one()
    assert link.purpose == "balance"
    assert str(link.amount) == "1500.0000"


def test_whatsapp_row_gets_no_sandbox_link(world: World) -> None:
    # A real customer cannot open the sandbox pay page on this machine.
    reminder_id = _queue_reminder(world)
    with world.session() as session, session.begin():
        row = session.get_one(OutboxMessage, reminder_id)
        row.channel = "whatsapp"
        session.flush()
        url = link_for_outbox_row(session, row, NOW)

    assert url is None
