from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from cobranza.compliance.business_days import effective_due_dates
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    Document,
    InboundMessage,
    OutboxMessage,
    Payment,
    PromiseToPay,
)
from cobranza.ingest import ImportOptions, import_file
from cobranza.money import format_money
from cobranza.payments.manual import record_payment
from cobranza.portfolio.audit import audit_portfolio
from cobranza.portfolio.rules import SegmentRules
from cobranza.web.dashboard.summary_data import load_summary
from tests.ingest.conftest import write_csv
from tests.web.conftest import NOW, Tenant


def _sent(session, customer: Customer, key: str, **stamps) -> None:  # type: ignore[no-untyped-def]
    case = Case(
        business_id=customer.business_id,
        customer_id=customer.id,
        opened_at=NOW - timedelta(days=5),
    )
    session.add(case)
    session.flush()
    session.add(
        OutboxMessage(
            business_id=customer.business_id,
            case_id=case.id,
            customer_id=customer.id,
            channel="sandbox",
            step="reminder_soft",
            step_kind="reminder_soft",
            tone="friendly",
            locale="es_AR",
            idempotency_key=key,
            state="sent",
            planned_for=NOW - timedelta(days=3),
            sent_at=NOW - timedelta(days=3),
            created_at=NOW - timedelta(days=3),
            **stamps,
        )
    )


def test_funnel_and_rates(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        first = session.get_one(Customer, tenant.customer_id)
        second = session.get_one(Customer, tenant.script_customer_id)
        _sent(
            session,
            first,
            "k1",
            delivered_at=NOW - timedelta(days=3),
            read_at=NOW - timedelta(days=2),
        )
        _sent(session, second, "k2", delivered_at=NOW - timedelta(days=3))
        session.add(
            InboundMessage(
                business_id=first.business_id,
                customer_id=first.id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="r1",
                sender="+5491155550001",
                text="pago el viernes",
                received_at=NOW - timedelta(days=2),
            )
        )
        for status, due in (("kept", date(2026, 3, 10)), ("open", date(2026, 3, 25))):
            session.add(
                PromiseToPay(
                    business_id=first.business_id,
                    customer_id=first.id,
                    currency="ARS",
                    due_on=due,
                    status=status,
                    created_at=NOW - timedelta(days=2),
                )
            )
        session.add(
            Payment(
                business_id=first.business_id,
                customer_id=first.id,
                amount=Decimal("5000.00"),
                currency="ARS",
                paid_at=NOW - timedelta(days=1),
                provider="manual",
                provider_payment_id="p1",
                status="approved",
                created_at=NOW,
            )
        )

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)

    counts = {stage.key: stage.customers for stage in summary.funnel}
    assert counts == {
        "sent": 2,
        "delivered": 2,
        "read": 1,
        "replied": 1,
        "promised": 1,
        "paid": 1,
    }
    assert summary.reply_rate == Decimal("0.5")
    assert summary.promises_kept == 1
    assert summary.promises_broken == 0
    assert summary.promise_kept_rate == Decimal(1)
    assert summary.recovered_this_month == Decimal("5000.00")
    assert summary.collections[-1] == ("03/2026", Decimal("5000.00"))
    assert len(summary.collections) == 6
    assert summary.open_balance == Decimal("17500.50")


def test_funnel_counts_reply_as_read(engine: Engine, tenant: Tenant) -> None:
    # Given a sandbox message that no channel reported as delivered or read,
    # and a reply to it
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        _sent(session, customer, "k1")
        session.add(
            InboundMessage(
                business_id=customer.business_id,
                customer_id=customer.id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="r1",
                sender="+5491155550001",
                text="ya pagué",
                received_at=NOW - timedelta(days=2),
            )
        )

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)

    # Then the reply counts the message as delivered and read
    counts = {stage.key: stage.customers for stage in summary.funnel}
    assert counts["sent"] == 1
    assert counts["delivered"] == 1
    assert counts["read"] == 1
    assert counts["replied"] == 1


def test_funnel_ignores_reply_before_message(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        _sent(session, customer, "k1")
        session.add(
            InboundMessage(
                business_id=customer.business_id,
                customer_id=customer.id,
                channel="sandbox",
                provider="sandbox",
                provider_message_id="r0",
                sender="+5491155550001",
                text="hola",
                received_at=NOW - timedelta(days=4),
            )
        )

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)

    counts = {stage.key: stage.customers for stage in summary.funnel}
    assert counts["delivered"] == 0
    assert counts["read"] == 0


def test_portfolio_figures_match_the_audit(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        for number, days_late, amount in [
            ("D-1", -5, "100.00"),
            ("D-2", 0, "200.00"),
            ("D-3", 31, "300.00"),
            ("D-4", 61, "400.00"),
            ("D-5", 95, "500.00"),
            ("NC-1", 10, "-50.00"),
        ]:
            due = NOW.date() - timedelta(days=days_late)
            session.add(
                Document(
                    business_id=customer.business_id,
                    customer_id=customer.id,
                    kind="credit_note" if amount.startswith("-") else "invoice",
                    number=number,
                    issued_on=due - timedelta(days=30),
                    due_on=due,
                    amount=Decimal(amount),
                    currency="ARS",
                    open_amount=Decimal(amount),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)
        report = audit_portfolio(
            session,
            business,
            NOW.date(),
            today=NOW.date(),
            rules=SegmentRules(),
            effective_due=effective_due_dates(business),
        )

    assert summary.aging == report.aging
    assert summary.open_balance == report.open_balance
    assert summary.overdue == report.overdue
    assert summary.delinquency_rate == report.delinquency["by_amount"]
    assert summary.dso_days == report.period.exact_dso


def _document(session, customer: Customer, number: str, amount: str, due) -> None:  # type: ignore[no-untyped-def]
    session.add(
        Document(
            business_id=customer.business_id,
            customer_id=customer.id,
            kind="credit_note" if amount.startswith("-") else "invoice",
            number=number,
            issued_on=due and NOW.date() - timedelta(days=20),
            due_on=due,
            amount=Decimal(amount),
            currency="ARS",
            open_amount=Decimal(amount),
            created_at=NOW,
            updated_at=NOW,
        )
    )


def test_overdue_nets_credit_notes_like_audit(engine: Engine, tenant: Tenant) -> None:
    # Given C-1 owing 15000 overdue and 3000 not yet due with a credit note
    # of 5000, and C-2 owing 2500.50 overdue with a credit note of 4000
    past, later = NOW.date() - timedelta(days=3), NOW.date() + timedelta(days=10)
    with transaction(engine) as session:
        first = session.get_one(Customer, tenant.customer_id)
        second = session.get_one(Customer, tenant.script_customer_id)
        _document(session, first, "A-0010", "3000.00", later)
        _document(session, first, "NC-1", "-5000.00", past)
        _document(session, second, "NC-2", "-4000.00", past)
        # A document with neither date counts as not yet due.
        _document(session, first, "A-0011", "100.00", None)

    # When
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)
        report = audit_portfolio(
            session,
            business,
            NOW.date(),
            today=NOW.date(),
            rules=SegmentRules(),
            effective_due=effective_due_dates(business),
        )

    # Then 1900 of C-1's credit lowers what is overdue, and C-2 owes nothing
    assert summary.overdue == Decimal("13100.00")
    assert report.overdue == summary.overdue
    assert summary.open_balance == Decimal("11600.50")
    assert report.open_balance == summary.open_balance
    assert summary.unapplied_credit == Decimal("-9000.00")
    aging_total = sum((bucket.amount for bucket in summary.aging), Decimal(0))
    assert aging_total + summary.unapplied_credit == summary.open_balance
    assert summary.aging == report.aging


def test_funnel_ignores_system_notice(engine: Engine, tenant: Tenant) -> None:
    # Given a message and then WhatsApp's notice that the customer changed
    # number, which the customer did not write
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        _sent(session, customer, "k1")
        session.add(
            InboundMessage(
                business_id=customer.business_id,
                customer_id=customer.id,
                channel="whatsapp",
                provider="whatsapp",
                provider_message_id="s1",
                sender="+5491155550001",
                type="system",
                text="El usuario cambió de número",
                received_at=NOW - timedelta(days=2),
            )
        )

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)

    # Then the notice proves neither a delivery nor a reply
    counts = {stage.key: stage.customers for stage in summary.funnel}
    assert counts["sent"] == 1
    assert counts["delivered"] == 0
    assert counts["read"] == 0
    assert counts["replied"] == 0


def test_future_and_credit_figures_match_audit(engine: Engine, tenant: Tenant) -> None:
    # Given C-1 owing 15000 overdue, another 1000 overdue, a credit note of
    # 300 and an invoice of 500 issued tomorrow; and C-2 owing 2500.50
    # overdue, 200 overdue less a payment of 50, 400 not yet due and a
    # credit note of 600 issued in three days
    today = NOW.date()
    with transaction(engine) as session:
        first = session.get_one(Customer, tenant.customer_id)
        second = session.get_one(Customer, tenant.script_customer_id)
        for customer, number, amount, issued, due in [
            (first, "A-0100", "1000.00", -50, -20),
            (first, "NC-0100", "-300.00", -5, -5),
            (first, "A-0101", "500.00", 1, 30),
            (second, "A-0200", "200.00", -40, -25),
            (second, "A-0201", "400.00", -5, 10),
            (second, "NC-0200", "-600.00", 3, 3),
        ]:
            session.add(
                Document(
                    business_id=customer.business_id,
                    customer_id=customer.id,
                    kind="credit_note" if amount.startswith("-") else "invoice",
                    number=number,
                    issued_on=today + timedelta(days=issued),
                    due_on=today + timedelta(days=due),
                    amount=Decimal(amount),
                    currency="ARS",
                    open_amount=Decimal(amount),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.flush()
        business = session.get_one(Business, tenant.business_id)
        record_payment(
            session, business, second, Decimal("50.00"), NOW - timedelta(hours=1), NOW
        )

    # When
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)
        report = audit_portfolio(
            session,
            business,
            today,
            today=today,
            rules=SegmentRules(),
            effective_due=effective_due_dates(business),
        )
    customers = report.to_dict()["customers"]
    overdue_by_customer = {
        row["external_id"]: row["overdue_balance"] for row in customers
    }

    # Then the documents issued later count nowhere, and C-1's credit note
    # lowers what C-1 owes overdue, in both
    assert summary.overdue == Decimal("18350.50")
    assert report.overdue == summary.overdue
    assert summary.open_balance == Decimal("18750.50")
    assert report.open_balance == summary.open_balance
    assert summary.unapplied_credit == Decimal("-300.00")
    assert report.unapplied_credit == summary.unapplied_credit
    assert summary.aging == report.aging
    assert summary.aging[0].count == 1
    assert summary.delinquency_rate == report.delinquency["by_amount"]
    assert summary.dso_days == report.period.exact_dso
    assert overdue_by_customer == {"C-1": "15700.00", "C-2": "2650.50"}
    customer_total = sum(Decimal(value) for value in overdue_by_customer.values())
    assert customer_total == summary.overdue
    assert report.pareto.customers_with_overdue == 2
    assert report.pareto.top_share == Decimal("15700.00") / summary.overdue


def test_recovered_leaves_out_imported_payments(
    engine: Engine, tenant: Tenant, client_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Given an invoice file with a partial payment dated this month
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe", "Pagado", "Fecha de pago"],
            ["Ana Díaz", "F-9", "01/03/2026", "100000,00", "30000,00", "05/03/2026"],
        ],
        separator=";",
    )
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        report = import_file(session, business, path, ImportOptions(), NOW)
    assert report.payments_recorded == 1
    # and a payment recorded by hand afterwards
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        customer = session.get_one(Customer, tenant.customer_id)
        record_payment(
            session, business, customer, Decimal("5000"), NOW - timedelta(days=1), NOW
        )

    # When the Resumen figures are computed
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)
    client, _ = client_for(tenant)
    page = client.get("/")

    # Then only the hand-recorded payment counts as recovered
    assert summary.recovered_this_month == Decimal("5000.00")
    assert summary.imported_this_month == Decimal("30000.00")
    # while the chart of money received counts both
    assert summary.collections[-1] == ("03/2026", Decimal("35000.00"))
    recovered = format_money(Decimal("5000"), "ARS", "es_AR")
    imported = format_money(Decimal("30000"), "ARS", "es_AR")
    assert f"<span>Recuperado este mes</span><strong>{recovered}</strong>" in page.text
    assert f"No incluye {imported} de pagos de este mes" in page.text


def test_resumen_without_imported_payments_has_no_note(
    engine: Engine, tenant: Tenant, client_for
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/")

    assert 'id="imported-payments"' not in page.text


def test_collections_leave_out_undated_payments(
    engine: Engine, tenant: Tenant, client_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Given an invoice file where F-8 was settled at an unknown date and F-9
    # was paid in part on a known day of this month
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            ["Cliente", "Factura", "Vencimiento", "Importe", "Saldo", "Fecha de pago"],
            ["Ana Díaz", "F-8", "01/06/2025", "80000,00", "0,00", ""],
            ["Ana Díaz", "F-9", "01/03/2026", "100000,00", "70000,00", "05/03/2026"],
        ],
        separator=";",
    )
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        report = import_file(session, business, path, ImportOptions(), NOW)
    assert report.payments_without_date == 1

    # When the Resumen figures are computed
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)
    client, _ = client_for(tenant)
    page = client.get("/")

    # Then the chart has only the dated payment, in its month
    assert summary.collections[-1] == ("03/2026", Decimal("30000.00"))
    assert sum(amount for _, amount in summary.collections) == Decimal("30000.00")
    assert summary.imported_this_month == Decimal("30000.00")
    # and the page shows how much the chart leaves out
    assert summary.collections_without_date == Decimal("80000.00")
    undated = format_money(Decimal("80000"), "ARS", "es_AR")
    assert 'id="undated-payments"' in page.text
    assert f"No incluye {undated} de pagos que venían en la planilla" in page.text


def test_resumen_without_undated_payments_has_no_note(
    engine: Engine, tenant: Tenant, client_for
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/")

    assert 'id="undated-payments"' not in page.text
