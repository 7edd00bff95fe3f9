"""A customer in Brazil who owes reais and dollars gets a plan for each.

The request comes in through the sandbox reply path, as in
`test_manual_installments`, and the owner reads both plans with `cobranza
case show`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app as cli_app
from cobranza.db.engine import transaction
from cobranza.db.models import Customer, InstallmentPlan
from cobranza.jobs import run_cycle
from tests.channels.factories import make_document
from tests.scenarios.helpers import local_instant, sandbox_texts
from tests.scenarios.test_manual_installments import (  # noqa: F401 - fixture
    BR_TZ,
    FIRST_DAY,
    Shop,
    _reply,
    shop,
)

runner = CliRunner()


def _owe_dollars(shop: Shop) -> None:  # noqa: F811 - the fixture's value
    """Add US$ 300 that João owes, due after his reais."""
    with transaction(shop.engine) as session:
        customer = session.get_one(Customer, shop.customer_id)
        make_document(
            session, customer, local_instant(date(2026, 2, 1), 10, BR_TZ),
            "INV-US-1", "300.00", date(2026, 2, 20), currency="USD",
        )  # fmt: skip


def test_plan_per_currency_in_portuguese(shop: Shop) -> None:  # noqa: F811
    # given: João also owes US$ 300, due after his reais
    _owe_dollars(shop)
    run_cycle(shop.engine, shop.business_id, local_instant(FIRST_DAY, 10, BR_TZ))

    # when: he asks for 3 installments in the morning
    action = _reply(shop, "posso parcelar em 3x?", FIRST_DAY, 11)
    run_cycle(shop.engine, shop.business_id, local_instant(FIRST_DAY, 11, BR_TZ, 5))

    # then: one plan per currency, and one message in Portuguese names both
    assert action == "plan_created"
    with transaction(shop.engine) as session:
        plans = session.execute(
            select(InstallmentPlan.currency, InstallmentPlan.total).order_by(
                InstallmentPlan.currency
            )
        ).all()
    assert [(currency, str(total)) for currency, total in plans] == [
        ("BRL", "1976.4000"),
        ("USD", "300.0000"),
    ]
    [plan_message] = [
        text
        for text in sandbox_texts(shop.engine, shop.customer_id)
        if "3 parcelas" in text
    ]
    assert "R$ 658,80 em" in plan_message
    assert "US$ 100,00 em" in plan_message
    assert "; " in plan_message
    assert plan_message.count("/pagar/") == 2

    # and: `case show` lists both plans
    shown = runner.invoke(cli_app, ["case", "show", "C-003"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("Plan de cuotas") == 2
    assert "R$ 658,80" in shown.output
    assert "US$ 100,00" in shown.output


def test_waiting_plan_message_shrinks_paid_plan(shop: Shop) -> None:  # noqa: F811
    # given: plans in reais and dollars made at night, so their message
    # waits for the morning
    _owe_dollars(shop)
    run_cycle(shop.engine, shop.business_id, local_instant(FIRST_DAY, 10, BR_TZ))
    action = _reply(shop, "posso parcelar em 3x?", FIRST_DAY, 21, 30)

    # when: the Pix of the first installment in reais is recorded first
    result = runner.invoke(
        cli_app,
        ["payment", "add", "C-003", "658.80", "--date", FIRST_DAY.isoformat(),
         "--method", "pix"],
    )  # fmt: skip
    morning = FIRST_DAY + timedelta(days=1)
    run_cycle(shop.engine, shop.business_id, local_instant(morning, 10, BR_TZ))

    # then: the message lists the two installments left in reais and the
    # three in dollars
    assert action == "plan_created"
    assert result.exit_code == 0, result.output
    [plan_message] = [
        text
        for text in sandbox_texts(shop.engine, shop.customer_id)
        if "Montamos um plano" in text
    ]
    assert plan_message.count("R$ 658,80 em") == 2
    assert "R$ 658,80 em 6 de abril e R$ 658,80 em 5 de maio;" in plan_message
    assert plan_message.count("US$ 100,00 em") == 3
    assert "(R$ 658,80)" in plan_message
    assert "(US$ 100,00)" in plan_message
