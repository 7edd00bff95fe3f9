"""Payments meet the dispatcher: links in reminders, thanks, zero balance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.sandbox import SandboxChannel
from cobranza.db.models import (
    Customer,
    Document,
    DocumentKind,
    OutboxMessage,
    PaymentLink,
    SandboxMessage,
)
from cobranza.dunning.outbox import idempotency_key
from cobranza.payments import link_for_outbox_row, open_link, payment_link_for_case
from cobranza.payments.links import LinkContext, LinkState
from cobranza.payments.sandbox import SandboxProvider
from cobranza.payments.status import PaymentStatus
from tests.channels.factories import make_document
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


def _add_document(
    world: World, number: str, amount: str, due_on: date, kind: str
) -> int:
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        document = make_document(
            session, customer, NOW, number, amount, due_on, kind=kind
        )
        return document.id


def _row_link(world: World, reminder_id: int) -> PaymentLink:
    with world.session() as session, session.begin():
        row = session.get_one(OutboxMessage, reminder_id)
        url = link_for_outbox_row(session, row, NOW)
    assert url is not None
    with world.session() as session:
        return session.scalars(
            select(PaymentLink).where(PaymentLink.token == url.rsplit("/", 1)[1])
        ).one()


def _open(world: World, token: str, when: date) -> PaymentLink:
    context = LinkContext(
        public_base_url="http://testserver",
        default_provider="sandbox",
        providers={"sandbox": SandboxProvider("http://testserver")},
    )
    now = NOW + timedelta(days=(when - NOW.date()).days)
    with world.session() as session, session.begin():
        outcome = open_link(session, token, now, context)
        assert outcome.state is LinkState.REDIRECT
        assert outcome.link is not None
        return outcome.link


def test_overdue_reminder_link_leaves_invoice_not_yet_due(world: World) -> None:
    # Given the two overdue invoices of the reminder ($ 1.500) and a third,
    # due in ten days, that the reminder does not name
    later = _add_document(world, "A-0003", "700.00", date(2026, 3, 20), "invoice")
    reminder_id = _queue_reminder(world)

    # When the reminder's link is made, and opened today and after the third
    # invoice falls due
    link = _row_link(world, reminder_id)
    opened = _open(world, link.token, date(2026, 3, 10))
    opened_later = _open(world, link.token, date(2026, 3, 25))

    # Then it charges the $ 1.500 the reminder names, and keeps doing so
    assert link.amount == Decimal("1500.00")
    assert later not in link.document_ids
    assert link.due_by == date(2026, 3, 9)
    assert opened.id == link.id
    assert opened_later.id == link.id
    assert world.link(link.id).status == "active"


def test_reminder_link_follows_paid_invoice(world: World) -> None:
    # Given a reminder link for the overdue invoices, with one not yet due
    _add_document(world, "A-0003", "700.00", date(2026, 3, 20), "invoice")
    link = _row_link(world, _queue_reminder(world))

    # When the older overdue invoice is paid elsewhere and the link is opened
    with world.session() as session, session.begin():
        session.get_one(Document, world.old_invoice_id).open_amount = Decimal(0)
    opened = _open(world, link.token, date(2026, 3, 10))

    # Then the new link charges the overdue rest, not the invoice not yet due
    assert opened.id != link.id
    assert opened.amount == Decimal("500.00")
    assert opened.document_ids == [world.new_invoice_id]


def test_reminder_link_nets_credit_note_like_its_text(world: World) -> None:
    # Given a credit note that brings the whole balance ($ 2.200 - $ 1.800)
    # below the overdue $ 1.500
    _add_document(world, "A-0003", "700.00", date(2026, 3, 20), "invoice")
    _add_document(
        world, "NC-0001", "-1800.00", date(2026, 3, 5), DocumentKind.CREDIT_NOTE
    )

    link = _row_link(world, _queue_reminder(world))

    # Then the link charges the $ 400 the gate lets the reminder state
    assert link.amount == Decimal("400.00")
    assert link.due_by == date(2026, 3, 9)


def test_reminder_link_leaves_invoice_imported_later(world: World) -> None:
    # Given a reminder link for the $ 1.500 overdue, the whole balance then
    link = _row_link(world, _queue_reminder(world))

    # When an invoice due in ten days is imported and the link is opened
    later = _add_document(world, "A-0003", "700.00", date(2026, 3, 20), "invoice")
    opened = _open(world, link.token, date(2026, 3, 10))

    # Then the link still charges the $ 1.500 the reminder names
    assert link.due_by == date(2026, 3, 9)
    assert opened.id == link.id
    assert opened.amount == Decimal("1500.00")
    assert later not in opened.document_ids


def test_reminder_link_skips_currency_credited_away(world: World) -> None:
    # Given an older US$ invoice that a US$ credit note more than cancels,
    # so the reminder is for the $ 1.500 owed in pesos
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        make_document(
            session,
            customer,
            NOW,
            "U-0001",
            "100.00",
            date(2026, 1, 15),
            currency="USD",
        )
        make_document(
            session,
            customer,
            NOW,
            "NCU-0001",
            "-300.00",
            date(2026, 1, 10),
            kind=DocumentKind.CREDIT_NOTE,
            currency="USD",
        )

    # When the reminder's link is made
    link = _row_link(world, _queue_reminder(world))

    # Then it charges the pesos the reminder names
    assert link.currency == "ARS"
    assert link.amount == Decimal("1500.00")


def test_reminder_link_breaks_due_date_tie_by_currency(world: World) -> None:
    # Given a US$ invoice and a peso invoice due the same day, the US$ one
    # stored first, so the planner reminds of the pesos (currency order)
    with world.session() as session, session.begin():
        session.get_one(Document, world.old_invoice_id).currency = "USD"
        customer = session.get_one(Customer, world.customer_id)
        make_document(session, customer, NOW, "A-0003", "800.00", date(2026, 2, 1))

    # When the link is made for the customer's whole balance
    with world.session() as session, session.begin():
        url = payment_link_for_case(
            session,
            world.business(session),
            world.case(session),
            NOW,
            public_base_url="http://testserver",
        )

    # Then it charges the pesos, as the planner's reminder does
    with world.session() as session:
        link = session.scalars(
            select(PaymentLink).where(PaymentLink.token == url.rsplit("/", 1)[1])
        ).one()
    assert link.currency == "ARS"
    assert link.amount == Decimal("1300.00")


def test_reminder_link_leaves_invoice_it_does_not_name(world: World) -> None:
    # Given a reminder for the $ 1.500 of two invoices, deferred, and an
    # invoice overdue since February imported before it goes out
    _queue_reminder(world)
    later = _add_document(world, "A-0003", "700.00", date(2026, 2, 15), "invoice")

    # When the dispatcher sends the reminder and the customer opens its link
    _dispatcher(world).run(world.business_id, NOW)
    texts = _sent_texts(world)
    token = texts[0].split("/pagar/")[1].split()[0]
    opened = _open(world, token, date(2026, 3, 10))

    # Then the link charges the $ 1.500 the text states, not the new invoice
    assert "$ 1.500,00" in texts[0]
    assert opened.amount == Decimal("1500.00")
    assert later not in opened.document_ids


def test_reminder_after_asked_link_keeps_cutoff(world: World) -> None:
    # Given a link the customer asked for on WhatsApp, for the whole $ 1.500,
    # and then a reminder that names the same two overdue invoices
    with world.session() as session, session.begin():
        payment_link_for_case(
            session,
            world.business(session),
            world.case(session),
            NOW,
            public_base_url="http://testserver",
        )
    link = _row_link(world, _queue_reminder(world))

    # When an invoice due in ten days is imported and the reminder's link
    # is opened
    later = _add_document(world, "A-0003", "700.00", date(2026, 3, 20), "invoice")
    opened = _open(world, link.token, date(2026, 3, 10))

    # Then it charges the $ 1.500 the reminder names
    assert link.due_by == date(2026, 3, 9)
    assert opened.amount == Decimal("1500.00")
    assert later not in opened.document_ids
