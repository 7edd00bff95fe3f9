"""An installment paid by Pix or transfer and recorded by hand keeps the plan.

The customer asks for installments over WhatsApp, the plan is made by the
real reply path, the business records the Pix payment with `cobranza
payment add` or the dashboard's «Registrar pago» form, and daily cycles run
past the due date and the grace days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.cli import app as cli_app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    InboundMessage,
    Installment,
    InstallmentPlan,
    OutboxMessage,
    PaymentLink,
)
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments import create_plan
from tests.channels.factories import (
    PAYMENT_INSTRUCTIONS,
    grant_consent,
    make_customer,
    make_document,
)
from tests.scenarios.helpers import local_instant, sandbox_texts
from tests.web.conftest import NOW as WEB_NOW
from tests.web.conftest import (  # noqa: F401 - fixtures
    Tenant,
    app,
    client_for,
    clock,
    tenant,
)

runner = CliRunner()
BR_TZ = "America/Sao_Paulo"
PHONE = "+5511976543210"
# A Tuesday, when the invoice is 22 days overdue.
FIRST_DAY = date(2026, 3, 3)


@dataclass(frozen=True)
class Shop:
    engine: Engine
    business_id: int
    customer_id: int


@pytest.fixture
def shop(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """A São Paulo shop, set up from the environment as a newcomer sets it up.

    João owes R$ 1.976,40 in one invoice, and the CLI reads the same database.
    """
    for name, value in {
        "COBRANZA_DATABASE_URL": db_url,
        "COBRANZA_BUSINESS_NAME": "Loja Exemplo",
        "COBRANZA_COUNTRY": "BR",
        "COBRANZA_TIMEZONE": BR_TZ,
        "COBRANZA_CURRENCY": "BRL",
        "COBRANZA_LOCALE": "pt_BR",
        "COBRANZA_PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    setup = local_instant(date(2026, 2, 1), 10, BR_TZ)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        business.tax_id = "34567890000130"
        business.settings = {
            "payment_instructions": PAYMENT_INSTRUCTIONS,
            "address": "Rua Augusta, 1500, São Paulo - SP, 01304-001",
        }
        customer = make_customer(
            session, business, setup, "C-003", PHONE, name="João Pereira",
            segment=None,
        )  # fmt: skip
        make_document(
            session, customer, setup, "NF-1004", "1976.40", date(2026, 2, 9),
            currency="BRL",
        )  # fmt: skip
        business_id, customer_id = business.id, customer.id
    previous = install_reply_handler()
    yield Shop(engine, business_id, customer_id)
    set_reply_handler(previous)
    engine.dispose()
    get_settings.cache_clear()


def _reply(shop: Shop, text: str, day: date, hour: int, minute: int = 0) -> str | None:
    with transaction(shop.engine) as session:
        business = session.get_one(Business, shop.business_id)
        recorded = record_reply(
            session, business, PHONE, text, local_instant(day, hour, BR_TZ, minute)
        )
        return session.get_one(InboundMessage, recorded.inbound_id).action_taken


def _installments(engine: Engine) -> list[Installment]:
    with transaction(engine) as session:
        return list(session.scalars(select(Installment).order_by(Installment.id)))


def _plan(engine: Engine) -> InstallmentPlan:
    with transaction(engine) as session:
        return session.scalars(select(InstallmentPlan)).one()


def _cycles(engine: Engine, business_id: int, first: date, last: date, tz: str) -> None:
    day = first
    while day <= last:
        run_cycle(engine, business_id, local_instant(day, 10, tz))
        day += timedelta(days=1)


def _steps(engine: Engine, customer_id: int, state: str) -> list[str]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.step)
                .where(
                    OutboxMessage.customer_id == customer_id,
                    OutboxMessage.state == state,
                )
                .order_by(OutboxMessage.id)
            )
        )


def test_pix_recorded_by_cli_pays_installment(shop: Shop) -> None:
    # given: a reminder, then "posso parcelar em 3x?" at night
    run_cycle(shop.engine, shop.business_id, local_instant(FIRST_DAY, 10, BR_TZ))
    action = _reply(shop, "posso parcelar em 3x?", FIRST_DAY, 21, 30)
    first, second, third = _installments(shop.engine)

    # when: the Pix of the first installment is recorded before the plan's
    # message goes out the next morning
    result = runner.invoke(
        cli_app,
        ["payment", "add", "C-003", "658.80", "--date", FIRST_DAY.isoformat(),
         "--method", "pix"],
    )  # fmt: skip
    last_day = first.due_on + timedelta(days=6)
    _cycles(
        shop.engine, shop.business_id, FIRST_DAY + timedelta(days=1), last_day, BR_TZ
    )

    # then
    assert action == "plan_created"
    assert result.exit_code == 0, result.output
    assert [item.amount for item in (first, second, third)] == [Decimal("658.80")] * 3
    statuses = [item.status for item in _installments(shop.engine)]
    assert statuses == ["paid", "pending", "pending"]
    assert _plan(shop.engine).status == "active"
    sent = _steps(shop.engine, shop.customer_id, "sent")
    assert not [step for step in sent if step.startswith(f"installment:{first.id}:")]
    texts = sandbox_texts(shop.engine, shop.customer_id)
    [plan_text] = [text for text in texts if "Montamos um plano" in text]
    assert "plano em 2 parcelas" in plan_text
    assert "saldo de R$ 1.317,60" in plan_text
    assert plan_text.count("R$ 658,80") == 2
    assert "R$ 1.976,40" not in plan_text
    assert not [text for text in texts if "parcela 1 de 3" in text]
    with transaction(shop.engine) as session:
        link = session.scalars(
            select(PaymentLink).where(PaymentLink.status == "active")
        ).one()
    assert f"/pagar/{link.token}" in plan_text
    assert link.installment_id == second.id
    assert link.amount == Decimal("658.80")

    # and the second installment is reminded as usual
    _cycles(
        shop.engine, shop.business_id, second.due_on - timedelta(days=2),
        second.due_on, BR_TZ,
    )  # fmt: skip
    texts = sandbox_texts(shop.engine, shop.customer_id)
    reminders = [text for text in texts if "parcela 2 de 3" in text]
    assert reminders
    assert all("R$ 658,80" in text for text in reminders)


def test_pix_covering_two_installments(shop: Shop) -> None:
    run_cycle(shop.engine, shop.business_id, local_instant(FIRST_DAY, 10, BR_TZ))
    _reply(shop, "posso parcelar em 3x?", FIRST_DAY, 11)
    first, second, third = _installments(shop.engine)

    result = runner.invoke(
        cli_app, ["payment", "add", "C-003", "1500.00", "--date", FIRST_DAY.isoformat()]
    )
    _cycles(
        shop.engine, shop.business_id, FIRST_DAY + timedelta(days=1),
        third.due_on, BR_TZ,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    statuses = [item.status for item in _installments(shop.engine)]
    assert statuses == ["paid", "paid", "pending"]
    assert _plan(shop.engine).status == "active"
    texts = sandbox_texts(shop.engine, shop.customer_id)
    assert not [text for text in texts if "parcela 1 de 3" in text]
    assert not [text for text in texts if "parcela 2 de 3" in text]
    # 1.976,40 - 1.500,00 is what is left of the third installment.
    reminders = [text for text in texts if "parcela 3 de 3" in text]
    assert reminders
    assert all("R$ 476,40" in text for text in reminders)
    # The plan's own message waited for the morning, and a plan of one
    # installment is no plan: it is dropped, not failed.
    with transaction(shop.engine) as session:
        plan_message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step_kind == "plan_offer_reply")
        ).one()
        assert plan_message.state == "suppressed"
        assert plan_message.suppressed_reason == "plan_one_installment_left"
    # The owner sees what was paid toward the third installment and the rest.
    shown = runner.invoke(cli_app, ["case", "show", "C-003"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "(pagó R$ 182,40, faltan R$ 476,40)" in shown.output


def test_installment_paid_on_payment_date(shop: Shop) -> None:
    # given: a plan of 3 × R$ 658,80 made on the evening of FIRST_DAY
    run_cycle(shop.engine, shop.business_id, local_instant(FIRST_DAY, 10, BR_TZ))
    _reply(shop, "posso parcelar em 3x?", FIRST_DAY, 21, 30)

    # when: two Pix payments are recorded today (the CLI's clock), dated
    # 5 and 20 March; the second completes the second installment
    first_pix = runner.invoke(
        cli_app, ["payment", "add", "C-003", "658.80", "--date", "2026-03-05"]
    )
    second_pix = runner.invoke(
        cli_app, ["payment", "add", "C-003", "1000.00", "--date", "2026-03-20T15:00"]
    )
    shown = runner.invoke(cli_app, ["case", "show", "C-003"], env={"COLUMNS": "200"})

    # then: each installment is paid on the date of the payment that
    # completed it, not on the day the payment was recorded
    assert first_pix.exit_code == 0, first_pix.output
    assert second_pix.exit_code == 0, second_pix.output
    first, second, third = _installments(shop.engine)
    assert [first.status, second.status, third.status] == ["paid", "paid", "pending"]
    assert first.paid_at == local_instant(date(2026, 3, 5), 0, BR_TZ)
    assert second.paid_at == local_instant(date(2026, 3, 20), 15, BR_TZ)
    assert shown.exit_code == 0, shown.output
    assert "pagada el 05/03/2026" in shown.output
    assert "pagada el 20/03/2026" in shown.output


def test_dashboard_shows_installment_payment_date(
    app: FastAPI,  # noqa: F811
    client_for: Callable[[Tenant], tuple[TestClient, str]],  # noqa: F811
    tenant: Tenant,  # noqa: F811
    engine: Engine,
) -> None:
    # given: a plan of 3 × $ 5.000,00
    with transaction(engine) as session:
        case = Case(
            business_id=tenant.business_id,
            customer_id=tenant.customer_id,
            state="open",
            opened_at=WEB_NOW - timedelta(days=10),
        )
        session.add(case)
        session.flush()
        create_plan(session, case, 3, WEB_NOW - timedelta(hours=1))
    client, token = client_for(tenant)

    # when: the owner records today a transfer made three days ago
    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data={
            "amount": "5.000,00",
            "paid_on": (WEB_NOW.date() - timedelta(days=3)).isoformat(),
            "method": "transferencia",
            "back": "cliente",
            "csrf_token": token,
        },
    )
    customer_page = client.get(f"/clientes/{tenant.customer_id}").text

    # then: the first installment is paid on the transfer's date
    assert page.status_code == 200
    assert [item.status for item in _installments(engine)] == [
        "paid",
        "pending",
        "pending",
    ]
    assert "pagada el 15/03/2026" in customer_page
    assert "pagada el 18/03/2026" not in customer_page


def test_dashboard_payment_form_pays_installments(
    app: FastAPI,  # noqa: F811
    client_for: Callable[[Tenant], tuple[TestClient, str]],  # noqa: F811
    tenant: Tenant,  # noqa: F811
    engine: Engine,
) -> None:
    # given: a plan of 3 × $ 5.000,00 made by the plan code
    tz = "America/Argentina/Buenos_Aires"
    with transaction(engine) as session:
        customer_id = tenant.customer_id
        grant_consent(session, session.get_one(Customer, customer_id), WEB_NOW)
        case = Case(
            business_id=tenant.business_id,
            customer_id=customer_id,
            state="open",
            opened_at=WEB_NOW - timedelta(days=10),
        )
        session.add(case)
        session.flush()
        create_plan(session, case, 3, WEB_NOW - timedelta(hours=1))
    first, second, third = _installments(engine)
    client, token = client_for(tenant)

    # when: the owner records $ 7.500,00 received by transfer
    page = client.post(
        f"/clientes/{customer_id}/pago",
        data={
            "amount": "7.500,00",
            "paid_on": WEB_NOW.date().isoformat(),
            "method": "transferencia",
            "reference": "TR-1",
            "back": "cliente",
            "csrf_token": token,
        },
    )
    _cycles(
        engine, tenant.business_id, WEB_NOW.date() + timedelta(days=1),
        second.due_on + timedelta(days=1), tz,
    )  # fmt: skip

    # then: the first is paid, the second half paid and reminded for the rest
    assert page.status_code == 200
    assert [item.amount for item in (first, second, third)] == [Decimal("5000")] * 3
    statuses = [item.status for item in _installments(engine)]
    assert statuses == ["paid", "pending", "pending"]
    assert _plan(engine).status == "active"
    texts = sandbox_texts(engine, customer_id)
    assert not [text for text in texts if "cuota 1 de 3" in text]
    reminders = [text for text in texts if "cuota 2 de 3" in text]
    assert reminders
    assert all("$ 2.500,00" in text for text in reminders)
    customer_page = client.get(f"/clientes/{customer_id}").text
    assert "(pagó $ 2.500,00, faltan $ 2.500,00)" in customer_page
