"""A whole dunning cycle (planner, gate, composer) sent through WhatsApp."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from cobranza.channels.whatsapp import GraphClient, WhatsAppConfig
from cobranza.channels.whatsapp.dispatch import whatsapp_dispatcher
from cobranza.channels.whatsapp.templates import push_templates, sync_templates
from cobranza.db.engine import transaction
from cobranza.db.models import OutboxMessage, OutboxState
from cobranza.jobs.cycle import run_cycle
from tests.channels.factories import make_business, make_customer, make_document
from tests.channels.whatsapp.conftest import BUSINESS_NAME, NOW
from tests.fakes.graph_api import FakeGraphAPI


def test_cycle_sends_approved_templates(
    engine: Engine, config: WhatsAppConfig, graph: FakeGraphAPI
) -> None:
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        business.settings = {**business.settings, "channel": "whatsapp"}
        for index in range(3):
            customer = make_customer(
                session, business, NOW, f"C{index}", f"+54911555501{index:02d}"
            )
            make_document(
                session, customer, NOW, f"A-{index}", "1500.00", date(2026, 3, 9)
            )
        business_id = business.id
    client = GraphClient(config)
    with transaction(engine) as session:
        push_templates(session, business_id, client, NOW)
    for template in graph.state.templates.values():
        template["status"] = "APPROVED"
    with transaction(engine) as session:
        sync_templates(session, business_id, client, NOW)
    client.close()
    dispatcher = whatsapp_dispatcher(engine, config, clock=lambda: NOW)

    report = run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
    again = run_cycle(engine, business_id, NOW, dispatcher=dispatcher)
    dispatcher.channels["whatsapp"].close()  # type: ignore[attr-defined]

    assert report.planned == 3
    assert report.dispatch.sent == 3
    assert again.dispatch.sent == 0
    assert len(graph.state.messages) == 3
    assert {m["type"] for m in graph.state.messages} == {"template"}
    with transaction(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert {row.channel for row in rows} == {"whatsapp"}
    assert {row.state for row in rows} == {OutboxState.SENT}
