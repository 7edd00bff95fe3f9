"""Installment plans for a customer who owes dollars and pesos, end to end.

Replies come in through the signed WhatsApp webhook and responses go out to
the fake Graph API; the plans' links are Mercado Pago links, paid through
the fake Mercado Pago server's signed notification. The fixtures are those
of `test_e2e_currencies`: US$ 1.000 due on 1 March and $ 150.000 due on 5
March, in a business in pesos.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    InboundMessage,
    Installment,
    InstallmentPlan,
    InstallmentStatus,
    PaymentLink,
    PaymentLinkStatus,
    PlanStatus,
)
from cobranza.payments import create_plan
from tests.conversations.test_e2e_currencies import (  # noqa: F401 - fixtures
    MP_SECRET,
    NOW,
    PUBLIC_BASE_URL,
    _parameters,
    _pay,
    business_id,
    chat,
    client,
    graph,
    mercadopago,
    settings,
)
from tests.conversations.test_e2e_whatsapp_flows import Conversation
from tests.fakes.mercadopago import FakeMercadoPago

ASKED_AT = NOW + timedelta(hours=1)
# 17 March, 10:00 in Buenos Aires: the grace of the installments due on
# Friday 13 March has ended.
AFTER_GRACE = datetime(2026, 3, 17, 13, tzinfo=UTC)


def _plans(
    engine: Engine,
) -> dict[str, tuple[str, list[tuple[Decimal, date, str]]]]:
    """Return each plan's status and installments, by currency."""
    with transaction(engine) as session:
        plans = session.scalars(select(InstallmentPlan).order_by(InstallmentPlan.id))
        found = {}
        for plan in plans:
            installments = session.scalars(
                select(Installment)
                .where(Installment.plan_id == plan.id)
                .order_by(Installment.number)
            )
            found[plan.currency] = (
                str(plan.status),
                [(item.amount, item.due_on, str(item.status)) for item in installments],
            )
        return found


def _set_limits(engine: Engine, **limits: object) -> None:
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        business.settings = {**(business.settings or {}), "installments": limits}


def _links(engine: Engine) -> dict[str, PaymentLink]:
    """Return the active installment link of each currency."""
    with transaction(engine) as session:
        links = session.scalars(
            select(PaymentLink).where(
                PaymentLink.status == PaymentLinkStatus.ACTIVE,
                PaymentLink.installment_id.is_not(None),
            )
        )
        found = {link.currency: link for link in links}
        session.expunge_all()
        return found


def _case(engine: Engine) -> Case:
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        session.expunge(case)
        return case


def _pay_link(
    client: TestClient,  # noqa: F811
    mercadopago: FakeMercadoPago,  # noqa: F811
    link: PaymentLink,
    payment_id: str,
    amount: float,
) -> None:
    mercadopago.add_payment(payment_id, "approved", amount, link.currency, str(link.id))
    body, headers, query = mercadopago.notification(payment_id, MP_SECRET)
    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )
    assert response.status_code == 200


def test_three_installments_make_plan_per_currency(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    start = chat.sent

    action = chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)

    # Then each currency has its own plan of 3, due on the same days
    assert action == "plan_created"
    days = [date(2026, 3, 13), date(2026, 4, 13), date(2026, 5, 12)]
    pending = str(InstallmentStatus.PENDING)
    assert _plans(engine) == {
        "USD": (
            "active",
            [
                (Decimal("333.34"), days[0], pending),
                (Decimal("333.33"), days[1], pending),
                (Decimal("333.33"), days[2], pending),
            ],
        ),
        "ARS": ("active", [(Decimal("50000.00"), day, pending) for day in days]),
    }
    case = _case(engine)
    assert case.state == CaseState.PAUSED
    # And one message names both plans, in voseo, with one link per plan
    [answer] = chat.sent_since(start)
    assert (
        "plan de 3 cuotas para tu saldo de US$ 1.000,00 y $ 150.000,00, con "
        "estos vencimientos: US$ 333,34 el 13 de marzo, US$ 333,33 el 13 de "
        "abril y US$ 333,33 el 12 de mayo; $ 50.000,00 el 13 de marzo, "
        "$ 50.000,00 el 13 de abril y $ 50.000,00 el 12 de mayo."
    ) in answer
    links = _links(engine)
    assert {currency: link.amount for currency, link in links.items()} == {
        "USD": Decimal("333.34"),
        "ARS": Decimal("50000.00"),
    }
    dollars = f"{PUBLIC_BASE_URL}/pagar/{links['USD'].token} (US$ 333,34)"
    pesos = f"{PUBLIC_BASE_URL}/pagar/{links['ARS'].token} ($ 50.000,00)"
    assert f"Podés pagar la primera cuota acá: {dollars} y {pesos}" in answer


def test_each_link_charges_its_plan_currency(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
    client: TestClient,  # noqa: F811
    mercadopago: FakeMercadoPago,  # noqa: F811
) -> None:
    # Given a plan per currency
    chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)
    links = _links(engine)

    # When each link is opened, then its checkout is in its plan's currency
    for currency in ("USD", "ARS"):
        response = client.get(f"/pagar/{links[currency].token}", follow_redirects=False)
        assert response.status_code == 303
    charged = [
        [(item["currency_id"], item["unit_price"]) for item in preference["items"]]
        for preference in mercadopago.preferences
    ]
    assert charged == [[("USD", 333.34)], [("ARS", 50000.0)]]

    # And paying the dollar link pays the first dollar installment alone
    _pay_link(client, mercadopago, links["USD"], "8001", 333.34)
    plans = _plans(engine)
    assert [status for *_, status in plans["USD"][1]] == ["paid", "pending", "pending"]
    assert [status for *_, status in plans["ARS"][1]] == ["pending"] * 3
    assert _links(engine)["ARS"].token == links["ARS"].token


def test_transfer_pays_plan_of_its_currency(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given a plan per currency
    chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)

    # When the owner records a transfer of $ 100.000, two peso installments
    _pay(engine, "100000.00", "ARS", NOW + timedelta(days=1))

    # Then it pays the peso plan's first two installments, and no dollar one
    plans = _plans(engine)
    assert [status for *_, status in plans["ARS"][1]] == ["paid", "paid", "pending"]
    assert [status for *_, status in plans["USD"][1]] == ["pending"] * 3


def test_missed_installment_breaks_only_its_plan(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
    client: TestClient,  # noqa: F811
    mercadopago: FakeMercadoPago,  # noqa: F811
) -> None:
    # Given a plan per currency, and the first dollar installment paid
    chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)
    _pay_link(client, mercadopago, _links(engine)["USD"], "8002", 333.34)
    start = chat.sent

    # When the first peso installment is still unpaid after its 3 days of grace
    chat.cycle(AFTER_GRACE)

    # Then the peso plan is broken and the dollar plan goes on
    plans = _plans(engine)
    assert plans["ARS"][0] == PlanStatus.BROKEN
    assert plans["ARS"][1][0][2] == InstallmentStatus.MISSED
    assert plans["USD"][0] == PlanStatus.ACTIVE
    with transaction(engine) as session:
        dollar_plan = session.scalars(
            select(InstallmentPlan).where(InstallmentPlan.currency == "USD")
        ).one()
        dollar_plan_id = dollar_plan.id
    # And the case stays paused on the dollar plan, so no policy reminder
    # asks for the dollars beside their installments
    case = _case(engine)
    assert case.state == CaseState.PAUSED
    assert case.pause_reason == f"installment plan {dollar_plan_id}"
    assert chat.sent_since(start) == []

    # And the second dollar installment is still reminded on its due date
    [reminder] = chat.cycle(datetime(2026, 4, 13, 13, tzinfo=UTC))
    assert reminder["template"]["name"] == "cobranza_installment_due_today_friendly"
    stated = _parameters(reminder)
    assert "cuota 2 de 3" in stated
    assert "US$ 333,33" in stated


def test_currency_outside_limits_goes_to_person(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given a minimum installment of 1.000, which US$ 333,33 does not reach
    _set_limits(engine, min_installment=1000)
    start = chat.sent

    action = chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)

    # Then no plan is made in either currency and a person takes the case
    assert action == "handed_off"
    assert _plans(engine) == {}
    case = _case(engine)
    assert case.state == CaseState.HANDED_OFF
    assert case.handoff_reason == "installments_requested"
    with transaction(engine) as session:
        entities = session.scalars(
            select(InboundMessage.entities).order_by(InboundMessage.id.desc())
        ).first()
    assert entities is not None
    assert entities["plan_currency_outside_limits"] == "USD"
    [answer] = chat.sent_since(start)
    assert "persona" in answer


def test_fee_proposed_then_both_plans_made(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given a business that adds a 10 % fee to plans
    _set_limits(engine, fee_percent=10)
    start = chat.sent

    # When the customer requests 2 installments
    action = chat.reply("¿puedo pagar en 2 cuotas?", ASKED_AT)

    # Then both plans are proposed in one message, each with its fee
    assert action == "plan_proposed"
    assert _plans(engine) == {}
    [proposal] = chat.sent_since(start)
    assert "recargo de US$ 100,00 y $ 15.000,00" in proposal
    assert "en total pagarías US$ 1.100,00 y $ 165.000,00" in proposal
    assert (
        "US$ 550,00 el 13 de marzo y US$ 550,00 el 13 de abril; $ 82.500,00 el "
        "13 de marzo y $ 82.500,00 el 13 de abril"
    ) in proposal
    start = chat.sent

    # And when the customer accepts, both plans are made with their fee
    action = chat.reply("acepto", ASKED_AT + timedelta(minutes=10))

    assert action == "plan_accepted"
    plans = _plans(engine)
    assert sorted(plans) == ["ARS", "USD"]
    assert [amount for amount, *_ in plans["USD"][1]] == [Decimal("550.00")] * 2
    assert [amount for amount, *_ in plans["ARS"][1]] == [Decimal("82500.00")] * 2
    with transaction(engine) as session:
        fees = {
            plan.currency: plan.fee for plan in session.scalars(select(InstallmentPlan))
        }
    assert fees == {"USD": Decimal("100.00"), "ARS": Decimal("15000.00")}
    [made] = chat.sent_since(start)
    assert "Podés pagar la primera cuota acá:" in made
    assert made.count("/pagar/") == 2


def test_fee_proposal_renewed_after_payment(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given plans with a fee proposed in both currencies
    _set_limits(engine, fee_percent=10)
    chat.reply("¿puedo pagar en 2 cuotas?", ASKED_AT)

    # When US$ 500 arrive before the customer accepts
    _pay(engine, "500.00", "USD", ASKED_AT + timedelta(minutes=5))
    start = chat.sent
    action = chat.reply("acepto", ASKED_AT + timedelta(minutes=10))

    # Then no plan is made, and the new terms are proposed instead
    assert action == "plan_proposed"
    assert _plans(engine) == {}
    [proposal] = chat.sent_since(start)
    assert "recargo de US$ 50,00 y $ 15.000,00" in proposal


def test_named_first_sum_goes_to_person(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    action = chat.reply(
        "te transfiero 10.000 el viernes y el resto a fin de mes", ASKED_AT
    )

    # The 10.000 could be pesos or dollars, so a person agrees on the plans
    assert action == "handed_off"
    assert _plans(engine) == {}
    assert _case(engine).handoff_reason == "installments_several_currencies"


def test_requested_link_during_plans(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given a plan per currency
    chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)
    start = chat.sent

    # When the customer requests the link
    action = chat.reply("pasame el link", ASKED_AT + timedelta(hours=1))

    # Then the reply carries the next installment's link of each plan
    assert action == "link_sent"
    links = _links(engine)
    dollars = f"{PUBLIC_BASE_URL}/pagar/{links['USD'].token} (US$ 333,34)"
    pesos = f"{PUBLIC_BASE_URL}/pagar/{links['ARS'].token} ($ 50.000,00)"
    [answer] = chat.sent_since(start)
    assert "de las próximas cuotas acá:" in answer
    assert dollars in answer
    assert pesos in answer


def test_active_plan_in_one_currency_goes_to_person(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given a peso plan the owner made before
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        create_plan(session, case, 2, NOW, currency="ARS")

    action = chat.reply("¿puedo pagar en 3 cuotas?", ASKED_AT)

    # Then no dollar plan is made beside it, and a person takes the request
    assert action == "handed_off"
    assert sorted(_plans(engine)) == ["ARS"]
    assert _case(engine).handoff_reason == "installments_requested"


def test_second_acceptance_makes_no_more_plans(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # Given plans with a fee proposed and accepted in two currencies
    _set_limits(engine, fee_percent=10)
    chat.reply("¿puedo pagar en 2 cuotas?", ASKED_AT)
    chat.reply("acepto", ASKED_AT + timedelta(minutes=10))
    start = chat.sent

    # When the customer accepts again
    action = chat.reply("sí, acepto", ASKED_AT + timedelta(minutes=20))

    # Then no plan is added and no second plan message goes out
    assert action != "plan_accepted"
    with transaction(engine) as session:
        currencies = sorted(
            plan.currency for plan in session.scalars(select(InstallmentPlan))
        )
    assert currencies == ["ARS", "USD"]
    assert all("/pagar/" not in text for text in chat.sent_since(start))


@pytest.mark.parametrize(
    "text",
    [
        "¿puedo pagar los dólares en 2 cuotas y los pesos en 3?",
        "quiero 2 cuotas solo para los dólares",
        "2 cuotas en pesos, los dólares los pago ya",
    ],
)
def test_plan_naming_a_currency_goes_to_person(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
    text: str,
) -> None:
    # A request that names a currency may single it out or give each
    # currency its own terms, which one plan per currency would override.
    action = chat.reply(text, ASKED_AT)

    assert action == "handed_off"
    assert _plans(engine) == {}
    assert _case(engine).handoff_reason == "installments_several_currencies"


def test_installments_refused_go_to_person(
    chat: Conversation,  # noqa: F811 - fixture
    engine: Engine,
) -> None:
    # "cuotas no" turns the request down, so no plan is made from it
    action = chat.reply("en cuotas no, pago todo", ASKED_AT)

    assert action == "handed_off"
    assert _plans(engine) == {}
    assert _case(engine).handoff_reason == "installments_refused"
