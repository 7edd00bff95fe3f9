"""Requests for a count of installments that no plan of 2 to 48 can follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.whatsapp import WhatsAppConfig
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import InboundMessage, InstallmentPlan
from cobranza.messages import compose
from cobranza.messages.preview import sample_variables
from tests.channels.whatsapp.conftest import NOW as WEBHOOK_NOW
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    _close_channels,
    graph,
    settings,
)
from tests.conversations.test_actions_plans import FEE_SETTINGS, _set_fee
from tests.conversations.test_dialogue import (  # noqa: F401 - fixture
    NOW,
    dispatch,
    get_case,
    given_customer,
    reply,
    reply_handler,
    sent_texts,
)
from tests.conversations.test_e2e_whatsapp import (
    case_id,  # noqa: F401 - fixture
    client,  # noqa: F401 - fixture
    post,
    process_and_dispatch,
    sent_bodies,
    text_message,
)
from tests.fakes.graph_api import FakeGraphAPI

MAX_SIX = {"installments": {"max_count": 6}}


def _plans(engine: Engine) -> list[InstallmentPlan]:
    with transaction(engine) as session:
        return list(session.scalars(select(InstallmentPlan)))


def _stored(engine: Engine, inbound_id: int) -> InboundMessage:
    with transaction(engine) as session:
        stored = session.get_one(InboundMessage, inbound_id)
        session.expunge(stored)
        return stored


@pytest.mark.parametrize(
    "text",
    [
        "¿puedo pagarlo en 1 cuota?",
        "¿lo pago en una sola cuota?",
        "¿puedo pagar en una cuota?",
    ],
)
def test_one_installment_sends_link(engine: Engine, text: str) -> None:
    # given
    given_customer(engine, queued_reminder=False, settings=MAX_SIX)

    # when
    inbound = reply(engine, text)
    sent = dispatch(engine)

    # then
    stored = _stored(engine, inbound.id)
    assert stored.action_taken == "link_sent"
    assert stored.entities["installments_named"] == 1
    assert _plans(engine) == []
    assert sent == ["link_reply_instructions"]
    assert "/pagar/" in sent_texts(engine, "link_reply_instructions")[0]


@pytest.mark.parametrize(
    "text", ["¿puedo pagar en 0 cuotas?", "quiero -1 cuotas", "en cero cuotas"]
)
def test_zero_or_negative_count_hands_off(engine: Engine, text: str) -> None:
    # given
    ids = given_customer(engine, queued_reminder=False, settings=MAX_SIX)

    # when
    inbound = reply(engine, text)
    sent = dispatch(engine)

    # then
    assert _stored(engine, inbound.id).action_taken == "handed_off"
    assert get_case(engine, ids["case"]).handoff_reason == "installments_count_invalid"
    assert _plans(engine) == []
    assert sent == ["handoff_ack"]


@pytest.mark.parametrize("text", ["¿puedo pagar en 60 cuotas?", "en 12 cuotas"])
def test_count_above_maximum_says_so(engine: Engine, text: str) -> None:
    # given
    given_customer(engine, queued_reminder=False, settings=MAX_SIX)

    # when
    inbound = reply(engine, text)
    sent = dispatch(engine)

    # then
    stored = _stored(engine, inbound.id)
    assert stored.action_taken == "plan_created"
    assert stored.entities["installments_offered"] == 6
    assert stored.entities["installments_max_reached"] is True
    assert [plan.installment_count for plan in _plans(engine)] == [6]
    assert sent == ["plan_offer_reply"]
    text_sent = sent_texts(engine, "plan_offer_reply")[0]
    assert "6 cuotas (el máximo que ofrecemos)" in text_sent


def test_count_within_maximum_says_nothing(engine: Engine) -> None:
    given_customer(engine, queued_reminder=False, settings=MAX_SIX)

    reply(engine, "¿puedo pagar en 3 cuotas?")
    dispatch(engine)

    text_sent = sent_texts(engine, "plan_offer_reply")[0]
    assert "3 cuotas para tu saldo" in text_sent
    assert "máximo" not in text_sent


def test_count_above_maximum_in_proposal(engine: Engine) -> None:
    # given: a plan with a fee is proposed before it is created
    given_customer(engine, queued_reminder=False)
    _set_fee(engine, FEE_SETTINGS)

    # when
    inbound = reply(engine, "¿me lo dividís en 60 cuotas?")
    dispatch(engine)

    # then
    assert _stored(engine, inbound.id).action_taken == "plan_proposed"
    assert _plans(engine) == []
    proposal = sent_texts(engine, "plan_proposal")[0]
    assert "en 6 cuotas (el máximo que ofrecemos)," in proposal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acepto, pero en 60 cuotas", "plan_proposed"),
        ("acepto, pero en 1 cuota", "link_sent"),
    ],
)
def test_accept_with_count_outside(engine: Engine, text: str, expected: str) -> None:
    # given: a plan of 3 with a fee, proposed and not yet accepted
    given_customer(engine, queued_reminder=False)
    _set_fee(engine, FEE_SETTINGS)
    reply(engine, "¿puedo pagar en 3 cuotas?")

    # when
    inbound = reply(engine, text, NOW + timedelta(minutes=1))

    # then
    assert _stored(engine, inbound.id).action_taken == expected
    assert _plans(engine) == []


def test_installment_amount_hands_off(engine: Engine) -> None:
    # given
    ids = given_customer(engine, queued_reminder=False, settings=MAX_SIX)

    # when
    inbound = reply(engine, "¿puedo pagar en cuotas de 1000?")
    sent = dispatch(engine)

    # then
    assert _stored(engine, inbound.id).action_taken == "handed_off"
    assert get_case(engine, ids["case"]).handoff_reason == "installments_amount_named"
    assert _plans(engine) == []
    assert sent == ["handoff_ack"]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_AR", "6 cuotas (el máximo que ofrecemos)"),
        ("es_MX", "6 cuotas (el máximo que ofrecemos)"),
        ("pt_BR", "6 parcelas (o máximo que oferecemos)"),
    ],
)
@pytest.mark.parametrize("tone", ["friendly", "formal"])
@pytest.mark.parametrize("step_kind", ["plan_offer_reply", "plan_proposal"])
def test_maximum_worded_per_locale(
    locale: str, expected: str, tone: str, step_kind: str
) -> None:
    variables = sample_variables(locale)
    capped = variables.__class__(
        **{**vars(variables), "installments": 6, "installments_max_reached": True}
    )

    message = compose(step_kind, locale, tone, capped)

    assert expected in message.text


def test_webhook_sixty_installments_offers_maximum(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    case_id: int,  # noqa: F811
) -> None:
    # given
    _set_fee(engine, {"installments": {"max_count": 6}})
    config = WhatsAppConfig.from_settings(settings)

    # when
    post(client, text_message("wamid.sixty", "¿puedo pagar en 60 cuotas?"))
    process_and_dispatch(engine, settings, config, WEBHOOK_NOW + timedelta(minutes=1))

    # then
    assert [plan.installment_count for plan in _plans(engine)] == [6]
    assert "6 cuotas (el máximo que ofrecemos)" in sent_bodies(graph)[-1]


def test_webhook_one_installment_sends_link(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    case_id: int,  # noqa: F811
) -> None:
    # given
    config = WhatsAppConfig.from_settings(settings)

    # when
    post(client, text_message("wamid.one", "¿puedo pagarlo en 1 cuota?"))
    process_and_dispatch(engine, settings, config, WEBHOOK_NOW + timedelta(minutes=1))

    # then
    assert _plans(engine) == []
    body = sent_bodies(graph)[-1]
    assert "Podés pagar tu saldo de $ 1.500,00 acá" in body
    assert "/pagar/" in body
    assert "cuota" not in body
