"""A customer who owes dollars and pesos, end to end on WhatsApp.

Replies come in through the signed webhook and responses go out to the fake
Graph API, as in `test_e2e_whatsapp_flows`. Payment links are Mercado Pago
links, opened against the fake Mercado Pago server and paid through its
signed notification.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.config import Settings, get_settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    OutboxMessage,
    PaymentLink,
    PaymentLinkStatus,
    PromiseStatus,
    PromiseToPay,
    TemplateStatus,
)
from cobranza.jobs.channels import use_channel
from cobranza.messages.catalog import STEP_KINDS, Tone
from cobranza.payments.manual import record_payment
from tests.channels.factories import make_business, make_customer, make_document
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    APP_SECRET,
    BUSINESS_NAME,
    LANGUAGE,
    NOW,
    PHONE,
    VERIFY_TOKEN,
    _close_channels,
    graph,
)
from tests.conversations.test_e2e_whatsapp import client  # noqa: F401 - fixture
from tests.conversations.test_e2e_whatsapp_flows import Conversation
from tests.fakes.graph_api import PHONE_NUMBER_ID, TOKEN, WABA_ID, FakeGraphAPI
from tests.fakes.mercadopago import FakeMercadoPago, serve_mercadopago

# NOW is Tuesday 10 March 2026, 10:00 in Buenos Aires; Friday is 13 March.
FRIDAY = date(2026, 3, 13)
# The Monday after Friday's promise and its day of grace, 10:00 local.
MONDAY = NOW + timedelta(days=6)
PUBLIC_BASE_URL = "https://cobros.example.com"
MP_SECRET = "mp-webhook-secret-currencies"
OWED = "US$ 1.000,00 y $ 150.000,00"


@pytest.fixture
def mercadopago() -> Iterator[FakeMercadoPago]:
    with serve_mercadopago() as fake:
        yield fake


@pytest.fixture
def settings(
    graph: FakeGraphAPI,  # noqa: F811
    mercadopago: FakeMercadoPago,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    """WhatsApp settings with Mercado Pago links a customer's phone can open.

    The reply actions and the link builder read the process settings, so the
    same values are set in the environment too.
    """
    values: dict[str, Any] = {
        "environment": "test",
        "business_name": BUSINESS_NAME,
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
        "whatsapp_business_account_id": WABA_ID,
        "whatsapp_access_token": TOKEN,
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_graph_base_url": graph.base_url,
        "whatsapp_timeout_seconds": 2.0,
        "media_dir": str(tmp_path / "media"),
        "public_base_url": PUBLIC_BASE_URL,
        "payment_provider": "mercadopago",
        "mercadopago_access_token": "TEST-0000-access-token",
        "mercadopago_api_base_url": mercadopago.base_url,
        "mercadopago_webhook_secret": MP_SECRET,
    }
    for name, value in values.items():
        monkeypatch.setenv(f"COBRANZA_{name.upper()}", str(value))
    get_settings.cache_clear()
    yield Settings(_env_file=None, **values)  # type: ignore[call-arg]
    get_settings.cache_clear()


@pytest.fixture
def business_id(engine: Engine, settings: Settings) -> int:
    """A business in pesos whose customer owes US$ 1.000 and $ 150.000.

    The dollar invoice fell due first, so reminders lead with the dollars.
    """
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        customer = make_customer(session, business, NOW, "C1", PHONE, name="Ana Test")
        make_document(
            session,
            customer,
            NOW,
            "U-0001",
            "1000.00",
            date(2026, 3, 1),
            currency="USD",
        )
        make_document(session, customer, NOW, "A-0001", "150000.00", date(2026, 3, 5))
        use_channel(session, business, "whatsapp", settings, NOW)
        for kind in STEP_KINDS.values():
            for tone in Tone:
                set_template_status(
                    session,
                    business.id,
                    kind.template_name(tone),
                    LANGUAGE,
                    TemplateStatus.APPROVED,
                    NOW,
                    source="sync",
                )
        return business.id


@pytest.fixture
def chat(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,
    graph: FakeGraphAPI,  # noqa: F811
    business_id: int,
) -> Conversation:
    conversation = Conversation(client, engine, settings, graph, business_id)
    [reminder] = conversation.cycle(NOW)
    assert reminder["type"] == "template"
    assert OWED in _parameters(reminder)
    return conversation


def _parameters(message: dict[str, Any]) -> str:
    """Return a template's body parameters joined, or a text message's body."""
    if message.get("type") != "template":
        if message.get("type") == "interactive":
            return str(message["interactive"]["body"]["text"])
        return str(message["text"]["body"])
    texts = [
        parameter["text"]
        for component in message["template"].get("components", [])
        for parameter in component.get("parameters", [])
    ]
    return " | ".join(texts)


def _promises(engine: Engine) -> list[PromiseToPay]:
    with transaction(engine) as session:
        return list(session.scalars(select(PromiseToPay).order_by(PromiseToPay.id)))


def _pay(engine: Engine, amount: str, currency: str, at: datetime) -> None:
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        record_payment(
            session,
            business,
            customer,
            Decimal(amount),
            at,
            at,
            currency=currency,
            reference=f"transfer-{currency}-{amount}",
        )


def test_promise_of_everything_covers_each_currency(
    chat: Conversation, engine: Engine
) -> None:
    start = chat.sent

    action = chat.reply("te pago todo el viernes", NOW + timedelta(hours=1))

    assert action == "promise_recorded"
    promises = _promises(engine)
    assert [(p.currency, p.amount, p.due_on) for p in promises] == [
        ("USD", None, FRIDAY),
        ("ARS", None, FRIDAY),
    ]
    [answer] = chat.sent_since(start)
    assert f"Anotamos tu promesa de pago de {OWED} para el viernes 13" in answer
    # One link per currency, the dollars first as the message names them
    tokens = _active_links(engine)
    assert list(tokens) == ["USD", "ARS"]
    assert (
        f"podés pagar acá: {PUBLIC_BASE_URL}/pagar/{tokens['USD']} (US$ 1.000,00) "
        f"y {PUBLIC_BASE_URL}/pagar/{tokens['ARS']} ($ 150.000,00)"
    ) in answer
    assert "el resto se paga por separado" not in answer


def _active_links(engine: Engine) -> dict[str, str]:
    """Return the token of each active payment link, by currency, oldest first."""
    with transaction(engine) as session:
        links = session.scalars(
            select(PaymentLink)
            .where(PaymentLink.status == PaymentLinkStatus.ACTIVE)
            .order_by(PaymentLink.id)
        )
        return {link.currency: link.token for link in links}


@pytest.mark.parametrize(
    ("text", "currency", "amount", "stated"),
    [
        # The currency the reply names.
        ("te pago US$ 300 el viernes", "USD", "300", "US$ 300,00"),
        ("el viernes te paso 300 dólares", "USD", "300", "US$ 300,00"),
        ("te pago $ 40.000 el viernes", "ARS", "40000", "$ 40.000,00"),
        # No currency: only the pesos' balance can hold 50.000.
        ("te pago 50 mil el viernes", "ARS", "50000", "$ 50.000,00"),
        # No currency, and both balances can hold 300: the business's pesos.
        ("te pago 300 el viernes", "ARS", "300", "$ 300,00"),
    ],
)
def test_promised_sum_goes_to_one_currency(
    chat: Conversation,
    engine: Engine,
    text: str,
    currency: str,
    amount: str,
    stated: str,
) -> None:
    start = chat.sent

    action = chat.reply(text, NOW + timedelta(hours=1))

    assert action == "promise_recorded"
    [promise] = _promises(engine)
    assert promise.currency == currency
    assert promise.amount == Decimal(amount)
    [answer] = chat.sent_since(start)
    assert f"Anotamos tu promesa de pago de {stated} para el viernes" in answer


def test_sum_in_currency_not_owed_goes_to_person(
    chat: Conversation, engine: Engine
) -> None:
    start = chat.sent

    action = chat.reply("te pago 300 euros el viernes", NOW + timedelta(hours=1))

    assert action == "handed_off"
    assert _promises(engine) == []
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.state == CaseState.HANDED_OFF
        assert case.handoff_reason == "promise_currency_not_owed"
    [answer] = chat.sent_since(start)
    assert "persona" in answer


def test_kept_in_one_currency_broken_in_other(
    chat: Conversation, engine: Engine
) -> None:
    # Given a promise of everything, and the dollars paid in full on Thursday
    chat.reply("te pago todo el viernes", NOW + timedelta(hours=1))
    _pay(engine, "1000.00", "USD", NOW + timedelta(days=2))
    start = chat.sent

    # When the promise is checked after its day of grace
    chat.cycle(MONDAY)

    # Then the dollars kept it, the pesos broke it, and the follow-up asks
    # for the pesos alone
    assert [(p.currency, p.status) for p in _promises(engine)] == [
        ("USD", PromiseStatus.KEPT),
        ("ARS", PromiseStatus.BROKEN),
    ]
    [follow_up] = chat.graph.state.messages[start:]
    assert follow_up["template"]["name"] == "cobranza_broken_promise_friendly"
    stated = _parameters(follow_up)
    assert "$ 150.000,00" in stated
    assert "US$" not in stated


def test_broken_in_both_names_what_is_missing(
    chat: Conversation, engine: Engine
) -> None:
    # Given a promise of everything and US$ 400 of the 1.000 paid by Friday
    chat.reply("te pago todo el viernes", NOW + timedelta(hours=1))
    _pay(engine, "400.00", "USD", NOW + timedelta(days=2))
    start = chat.sent

    # When the promise is checked after its day of grace
    chat.cycle(MONDAY)

    # Then one follow-up thanks for the dollars and names what is missing in
    # each currency
    assert [p.status for p in _promises(engine)] == [PromiseStatus.BROKEN] * 2
    [follow_up] = chat.graph.state.messages[start:]
    assert follow_up["template"]["name"] == "cobranza_broken_promise_partial_friendly"
    parameters = {
        parameter["parameter_name"]: parameter["text"]
        for parameter in follow_up["template"]["components"][0]["parameters"]
    }
    assert parameters["monto_pagado"] == "US$ 400,00"
    assert parameters["monto_faltante"] == "US$ 600,00 y $ 150.000,00"
    assert parameters["monto"] == "US$ 600,00 y $ 150.000,00"
    with transaction(engine) as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.step_kind == "broken_promise_partial"
            )
        ).one()
        parts = [
            (currency, amount, Decimal(paid))
            for _, currency, amount, paid in row.variables["promise_parts"]
        ]
    assert parts == [("USD", None, Decimal(400)), ("ARS", None, Decimal(0))]


def test_requested_link_is_one_per_currency(
    chat: Conversation,
    engine: Engine,
    client: TestClient,  # noqa: F811
    mercadopago: FakeMercadoPago,
) -> None:
    start = chat.sent

    action = chat.reply("pasame el link para pagar", NOW + timedelta(hours=1))

    assert action == "link_sent"
    with transaction(engine) as session:
        links = list(
            session.scalars(
                select(PaymentLink)
                .where(PaymentLink.status == PaymentLinkStatus.ACTIVE)
                .order_by(PaymentLink.id)
            )
        )
        tokens = {link.currency: link.token for link in links}
        charged = [(link.currency, link.amount) for link in links]
    assert charged == [("USD", Decimal("1000.00")), ("ARS", Decimal("150000.00"))]
    [answer] = chat.sent_since(start)
    dollars = f"{PUBLIC_BASE_URL}/pagar/{tokens['USD']} (US$ 1.000,00)"
    pesos = f"{PUBLIC_BASE_URL}/pagar/{tokens['ARS']} ($ 150.000,00)"
    assert (f"Podés pagar tu saldo de {OWED} acá: {dollars} y {pesos}") in answer

    # Each link opens a checkout in its own currency
    for currency in ("USD", "ARS"):
        response = client.get(f"/pagar/{tokens[currency]}", follow_redirects=False)
        assert response.status_code == 303
    assert [
        {item["currency_id"] for item in preference["items"]}
        for preference in mercadopago.preferences
    ] == [{"USD"}, {"ARS"}]


def test_paying_dollar_link_leaves_peso_link(
    chat: Conversation,
    engine: Engine,
    client: TestClient,  # noqa: F811
    mercadopago: FakeMercadoPago,
) -> None:
    # Given both links sent on request
    chat.reply("pasame el link para pagar", NOW + timedelta(hours=1))
    with transaction(engine) as session:
        links = {
            link.currency: (link.id, link.token)
            for link in session.scalars(select(PaymentLink))
        }

    # When the dollar link is paid through Mercado Pago
    mercadopago.add_payment("7001", "approved", 1000.0, "USD", str(links["USD"][0]))
    body, headers, query = mercadopago.notification("7001", MP_SECRET)
    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )

    # Then the dollars are paid and the peso link still charges the pesos
    assert response.status_code == 200
    with transaction(engine) as session:
        status = {
            link.currency: link.status for link in session.scalars(select(PaymentLink))
        }
    assert status == {"USD": PaymentLinkStatus.PAID, "ARS": PaymentLinkStatus.ACTIVE}
    opened = client.get(f"/pagar/{links['ARS'][1]}", follow_redirects=False)
    assert opened.status_code == 303
    [preference] = mercadopago.preferences
    assert preference["items"][0]["currency_id"] == "ARS"
    assert sum(item["unit_price"] for item in preference["items"]) == 150000.0


def test_follow_up_left_out_once_each_part_paid(
    chat: Conversation, engine: Engine
) -> None:
    # Given half of each currency promised for Friday and US$ 200 paid by
    # then, so both parts broke on Sunday and the follow-up waits for Monday
    chat.reply("el viernes te pago la mitad", NOW + timedelta(hours=1))
    _pay(engine, "200.00", "USD", NOW + timedelta(days=2))
    sunday = NOW + timedelta(days=5)
    assert chat.cycle(sunday) == []
    assert [(p.currency, p.amount, p.status) for p in _promises(engine)] == [
        ("USD", Decimal("500.00"), PromiseStatus.BROKEN),
        ("ARS", Decimal("75000.00"), PromiseStatus.BROKEN),
    ]

    # When the rest of each half arrives before the follow-up goes out
    _pay(engine, "300.00", "USD", sunday + timedelta(hours=2))
    _pay(engine, "75000.00", "ARS", sunday + timedelta(hours=2))
    sent = chat.cycle(MONDAY)

    # Then the follow-up is left out, although half of the debt is still owed
    assert [message.get("template", {}).get("name") for message in sent] == []
    with transaction(engine) as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.step_kind.startswith("broken_promise")
            )
        ).one()
        assert row.suppressed_reason == "promise_paid"


def test_follow_up_names_part_still_missing(chat: Conversation, engine: Engine) -> None:
    # Given half of each currency promised, both parts broken on Sunday
    chat.reply("el viernes te pago la mitad", NOW + timedelta(hours=1))
    _pay(engine, "200.00", "USD", NOW + timedelta(days=2))
    sunday = NOW + timedelta(days=5)
    chat.cycle(sunday)

    # When the dollars' half is completed before the follow-up goes out
    _pay(engine, "300.00", "USD", sunday + timedelta(hours=2))
    [follow_up] = chat.cycle(MONDAY)

    # Then it still goes out, and asks for the pesos' half alone
    assert follow_up["template"]["name"] == "cobranza_broken_promise_partial_friendly"
    parameters = {
        parameter["parameter_name"]: parameter["text"]
        for parameter in follow_up["template"]["components"][0]["parameters"]
    }
    assert parameters["monto_pagado"] == "US$ 500,00"
    assert parameters["monto_faltante"] == "$ 75.000,00"
