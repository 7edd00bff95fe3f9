"""A business name ending in a period, sent through the fake Graph API."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine, update

from cobranza.channels.whatsapp import WhatsAppConfig
from cobranza.db.engine import transaction
from cobranza.db.models import Business, InboundMessage, OutboxMessage
from cobranza.messages import template_for
from tests.channels.whatsapp.conftest import (
    LANGUAGE,
    NOW,
    channel_for,
    dispatcher_for,
    given_rows,
)
from tests.fakes.graph_api import FakeGraphAPI

COMPANY = "Distribuidora Norte S.A."


def _rename_business(engine: Engine, business_id: int, outbox_id: int) -> None:
    with transaction(engine) as session:
        session.execute(
            update(Business).where(Business.id == business_id).values(name=COMPANY)
        )
        row = session.get_one(OutboxMessage, outbox_id)
        row.variables = {**row.variables, "business_name": COMPANY}


def test_template_parameter_loses_period(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # given: the body reads "Te escribimos de {{negocio}}. Tu saldo…"
    business_id, (outbox_id,) = given_rows(engine)
    _rename_business(engine, business_id, outbox_id)

    # when
    dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    # then: the value Meta puts before the body's own period has none
    sent = graph.state.messages[0]
    parameters = {
        parameter["parameter_name"]: parameter["text"]
        for parameter in sent["template"]["components"][0]["parameters"]
    }
    body = template_for("reminder_soft", LANGUAGE, "friendly").whatsapp_body()
    rendered = re.sub(r"\{\{([a-z_]+)\}\}", lambda match: parameters[match[1]], body)
    assert parameters["negocio"] == "Distribuidora Norte S.A"
    assert "Te escribimos de Distribuidora Norte S.A. Tu saldo" in rendered
    assert ".." not in rendered


def test_session_text_has_one_period(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    # given: the customer wrote two hours ago, so the text goes as it is
    business_id, (outbox_id,) = given_rows(engine)
    _rename_business(engine, business_id, outbox_id)
    with transaction(engine) as session:
        row = session.get_one(OutboxMessage, outbox_id)
        session.add(
            InboundMessage(
                business_id=business_id,
                customer_id=row.customer_id,
                channel="whatsapp",
                provider="whatsapp",
                provider_message_id="wamid.in-periods",
                sender="5491155550100",
                type="text",
                text="hola",
                received_at=NOW - timedelta(hours=2),
                entities={},
            )
        )

    # when
    dispatcher_for(channel_for(engine, config), engine).run(business_id, NOW)

    # then
    sent = graph.state.messages[0]
    text = sent["interactive"]["body"]["text"]
    assert sent["type"] == "interactive"
    assert "Te escribimos de Distribuidora Norte S.A. Tu saldo" in text
    assert ".." not in text
