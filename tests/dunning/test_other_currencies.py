"""A customer who owes in several currencies gets one reminder that names them all."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from cobranza.channels.compose import compose_row
from cobranza.compliance.rules import rules_for_business
from cobranza.db.models import (
    AuditEvent,
    Case,
    Customer,
    Document,
    DocumentKind,
    OutboxMessage,
)
from cobranza.dunning import gate, outbox
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import parse_policy
from cobranza.dunning.promises import PAYMENT_TO_VERIFY
from cobranza.dunning.timeline import case_timeline
from cobranza.wording import timeline_detail

from .conftest import NOW, TODAY, Portfolio


def _rows(portfolio: Portfolio) -> list[OutboxMessage]:
    return list(
        portfolio.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    )


def _owes_pesos_and_dollars(portfolio: Portfolio) -> dict[str, int]:
    """Give C1 overdue pesos (the oldest), overdue dollars and dollars not yet due."""
    customer = portfolio.customer("C1")
    pesos = portfolio.invoice(customer, "150000", TODAY - timedelta(days=16))
    dollars = portfolio.invoice(
        customer, "800", TODAY - timedelta(days=8), currency="USD"
    )
    later = portfolio.invoice(
        customer, "200", TODAY + timedelta(days=5), currency="USD"
    )
    return {
        "customer": customer.id,
        "pesos": pesos.id,
        "dollars": dollars.id,
        "later": later.id,
    }


def test_one_row_names_every_currency(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    ids = _owes_pesos_and_dollars(portfolio)

    result = plan(portfolio.session, portfolio.business, NOW, default_policy)

    [row] = _rows(portfolio)
    assert result.messages_queued == 1
    assert row.step == "second_notice"
    assert row.variables["currency"] == "ARS"
    assert row.variables["oldest_due_on"] == (TODAY - timedelta(days=16)).isoformat()
    assert Decimal(row.variables["balance"]) == Decimal("150000")
    [[currency, amount]] = row.variables["other_balances"]
    assert currency == "USD"
    assert Decimal(amount) == Decimal("800")
    assert row.variables["invoice_count"] == 2
    # The row's invoices, and so its idempotency key, stay those of its currency.
    assert row.document_ids == [ids["pesos"]]


def test_planned_audit_names_other_currencies(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _owes_pesos_and_dollars(portfolio)

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    event = portfolio.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "step_planned")
    ).one()
    [[currency, amount]] = event.details["other_balances"]
    assert currency == "USD"
    assert Decimal(amount) == Decimal("800")
    timeline = case_timeline(portfolio.session, portfolio.business.id, "C1")
    [planned] = [entry for entry in timeline.entries if entry.kind == "step_planned"]
    assert "also USD 800" in planned.detail
    assert planned.facts["other_balances"] == event.details["other_balances"]
    # `cobranza case show` and the dashboard word the entry with these facts.
    worded = timeline_detail(planned.kind, planned.facts, "ARS", "es_AR")
    assert "saldo $ 150.000,00 y US$ 800,00" in worded


def test_timeline_words_row_currency(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "75", TODAY - timedelta(days=16), currency="USD")

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    timeline = case_timeline(portfolio.session, portfolio.business.id, "C1")
    [planned] = [entry for entry in timeline.entries if entry.kind == "step_planned"]
    worded = timeline_detail(planned.kind, planned.facts, "ARS", "es_AR")
    assert "saldo US$ 75,00" in worded


def test_second_cycle_queues_nothing(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _owes_pesos_and_dollars(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)

    again = plan(
        portfolio.session, portfolio.business, NOW + timedelta(hours=2), default_policy
    )

    assert again.messages_queued == 0
    assert len(_rows(portfolio)) == 1


def test_credit_note_nets_other_currency(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _owes_pesos_and_dollars(portfolio)
    customer = portfolio.customer("C9")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=16))
    portfolio.invoice(customer, "800", TODAY - timedelta(days=8), currency="USD")
    portfolio.invoice(
        customer,
        "-300",
        TODAY - timedelta(days=40),
        kind=DocumentKind.CREDIT_NOTE,
        currency="USD",
    )

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    row = next(row for row in _rows(portfolio) if row.customer_id == customer.id)
    [[currency, amount]] = row.variables["other_balances"]
    assert currency == "USD"
    assert Decimal(amount) == Decimal("500")


def test_nothing_overdue_elsewhere_adds_nothing(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=16))
    portfolio.invoice(customer, "50", TODAY + timedelta(days=5), currency="USD")
    portfolio.invoice(
        customer, "70", TODAY - timedelta(days=9), currency="EUR", disputed=True
    )

    plan(portfolio.session, portfolio.business, NOW, default_policy)

    [row] = _rows(portfolio)
    assert "other_balances" not in row.variables
    assert row.variables["invoice_count"] == 1


def test_discount_step_names_one_currency(portfolio: Portfolio) -> None:
    policy = parse_policy(
        """
version: 1
name: descuento
steps:
  - key: discount
    offset_days: 1
    action: offer_discount
    step_kind: early_discount
    discount_percent: 10
"""
    )
    _owes_pesos_and_dollars(portfolio)

    plan(portfolio.session, portfolio.business, NOW, policy)

    [row] = _rows(portfolio)
    assert row.step == "discount"
    assert "other_balances" not in row.variables


def test_gate_drops_paid_currency(portfolio: Portfolio, default_policy: Policy) -> None:
    ids = _owes_pesos_and_dollars(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    [row] = _rows(portfolio)
    dollars = portfolio.session.get_one(Document, ids["dollars"])
    dollars.open_amount = Decimal(0)
    portfolio.session.flush()

    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    assert decision.action is gate.Action.SEND
    assert row.variables["other_balances"] == []
    assert row.variables["invoice_count"] == 1
    text = _compose(portfolio, row)
    assert "US$" not in text
    assert "$ 150.000,00 por 1 factura " in text


def test_gate_adds_invoice_due_since_planning(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    ids = _owes_pesos_and_dollars(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    [row] = _rows(portfolio)
    customer = portfolio.session.get_one(Customer, ids["customer"])
    portfolio.invoice(customer, "25.50", TODAY - timedelta(days=3), currency="USD")
    portfolio.invoice(customer, "10", TODAY - timedelta(days=2), currency="EUR")

    assert outbox.claim(portfolio.session, row, NOW)
    gate.check(portfolio.session, row, NOW)

    others = {
        currency: Decimal(amount)
        for currency, amount in row.variables["other_balances"]
    }
    assert others == {"EUR": Decimal("10"), "USD": Decimal("825.50")}
    assert [currency for currency, _ in row.variables["other_balances"]] == [
        "EUR",
        "USD",
    ]
    assert row.variables["invoice_count"] == 4
    text = _compose(portfolio, row)
    assert "$ 150.000,00, EUR 10,00 y US$ 825,50 por 4 facturas" in text


def test_paid_oldest_currency_suppresses(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    ids = _owes_pesos_and_dollars(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    [row] = _rows(portfolio)
    pesos = portfolio.session.get_one(Document, ids["pesos"])
    pesos.open_amount = Decimal(0)
    portfolio.session.flush()

    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)

    # The row is about the pesos. The next cycle plans the dollars.
    assert decision.action is gate.Action.SUPPRESS
    assert decision.reason == "zero_balance"


def test_reminder_text_in_voseo(portfolio: Portfolio, default_policy: Policy) -> None:
    _owes_pesos_and_dollars(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    [row] = _rows(portfolio)

    assert outbox.claim(portfolio.session, row, NOW)
    gate.check(portfolio.session, row, NOW)
    text = _compose(portfolio, row)

    assert "Tu saldo de $ 150.000,00 y US$ 800,00 por 2 facturas lleva" in text
    assert "desde el 22 de febrero" in text
    # Payment instructions cover every currency, so no link note follows them.
    assert "Podés pagar acá: Transferencia al alias demo.mp\n" in text


def _compose(portfolio: Portfolio, row: OutboxMessage) -> str:
    rules = rules_for_business(portfolio.business.country, portfolio.business.settings)
    row.variables = {
        **row.variables,
        "payment_instructions": "Transferencia al alias demo.mp",
    }
    return compose_row(row, TODAY, rules).text


def test_reported_payment_reminder_names_all(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    _owes_pesos_and_dollars(portfolio)
    plan(portfolio.session, portfolio.business, NOW, default_policy)
    [row] = _rows(portfolio)
    case = portfolio.session.get_one(Case, row.case_id)
    case.handoff_reason = PAYMENT_TO_VERIFY
    portfolio.session.flush()

    assert outbox.claim(portfolio.session, row, NOW)
    decision = gate.check(portfolio.session, row, NOW)
    text = _compose(portfolio, row)

    # The customer reported a payment without naming its currency, so the
    # message names everything that still shows as unpaid.
    assert decision.action is gate.Action.SEND
    assert row.step_kind == "reminder_reported"
    assert (
        "tu saldo de $ 150.000,00 y US$ 800,00 por 2 facturas, con vencimiento "
        "el 22 de febrero, sigue figurando impago" in text
    )
