"""Replies from customers without a case, end to end on WhatsApp.

A customer may write before the first reminder opened a case: the business
imported invoices and the customer writes first, or a customer who opted in
requests a stop. Replies come in through the signed webhook, and the
dispatcher sends to the fake Graph API, as in `test_e2e_whatsapp_flows`.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.inbox import process_pending_events
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.compliance.consent import current_consent
from cobranza.config import Settings
from cobranza.conversations.inbox import resolve, waiting_cases
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Case,
    CaseState,
    Customer,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    TemplateStatus,
)
from cobranza.dunning.holds import hold_invoices, release_invoices
from cobranza.jobs.channels import use_channel
from cobranza.messages.catalog import STEP_KINDS, Tone
from tests.channels.factories import make_business, make_customer, make_document
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    BUSINESS_NAME,
    LANGUAGE,
    NOW,
    PHONE,
    _close_channels,
    graph,
    settings,
)
from tests.conversations.test_e2e_whatsapp import (  # noqa: F401 - fixture
    client,
    post,
    text_message,
)
from tests.conversations.test_e2e_whatsapp_flows import Conversation, describe
from tests.fakes.graph_api import FakeGraphAPI

# NOW is Tuesday 10 March 2026, 10:00 in Buenos Aires.
CONFIRMATION = "no te vamos a enviar más recordatorios"
HANDOFF_ACK = "Una persona del equipo va a leer tu mensaje"
# Words of the after-close answer, which is false for a customer who owes.
NOTHING_PENDING = "no tenés recordatorios pendientes"


def _business(engine: Engine, settings: Settings, *, owes: bool) -> int:  # noqa: F811
    """A business on WhatsApp, every template approved, and a customer with no case.

    With `owes`, the customer owes 1,500 due on 5 March, and no cycle ran
    yet, so no reminder opened a case.
    """
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        customer = make_customer(session, business, NOW, "C1", PHONE, name="Ana Test")
        if owes:
            make_document(session, customer, NOW, "A-0001", "1500.00", date(2026, 3, 5))
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


def _conversation(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    *,
    owes: bool = True,
) -> Conversation:
    business_id = _business(engine, settings, owes=owes)
    return Conversation(client, engine, settings, graph, business_id)


def _actions(engine: Engine) -> list[str | None]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(InboundMessage.action_taken).order_by(
                    InboundMessage.received_at, InboundMessage.id
                )
            )
        )


def _suppressed_reasons(engine: Engine) -> list[str | None]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.suppressed_reason)
                .where(OutboxMessage.state == OutboxState.SUPPRESSED)
                .order_by(OutboxMessage.id)
            )
        )


@pytest.mark.parametrize("owes", [True, False], ids=["owes", "owes_nothing"])
def test_opt_out_before_any_case(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    owes: bool,
) -> None:
    # given: a customer the robot never wrote to
    chat = _conversation(client, engine, settings, graph, owes=owes)

    # when: the customer writes BAJA first, and reminder runs follow
    action_taken = chat.reply("BAJA", NOW)
    confirmation = chat.sent_since(0)
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (0, 1, 2, 7, 30)]

    # then: one confirmation, as free-form text inside the window that the
    # customer's message opened, and nothing after it
    assert action_taken == "opted_out"
    assert len(confirmation) == 1
    assert CONFIRMATION in confirmation[0]
    assert not confirmation[0].startswith("template:")
    assert later == [[], [], [], [], []]
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is False
        case = session.scalars(select(Case)).one()
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert rows[0].step_kind == "optout_confirmation"
        assert rows[0].state == OutboxState.SENT
        assert rows[0].case_id == case.id
    if owes:
        # The planner took over the case, and the gate stopped its reminders.
        assert case.closed_at is None
        reasons = _suppressed_reasons(engine)
        assert len(reasons) >= 1
        assert set(reasons) == {"opted_out"}
    else:
        assert case.state == CaseState.CLOSED
        assert case.close_reason == "zero_balance"
        assert _suppressed_reasons(engine) == []


def test_opt_out_burst_before_any_case(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
) -> None:
    # given: a customer the robot never wrote to
    chat = _conversation(client, engine, settings, graph)
    first = text_message("wamid.baja1", "BAJA", NOW)
    second = text_message("wamid.baja2", "BAJA!!", NOW + timedelta(seconds=2))

    # when: two BAJA arrive before either is handled, then Meta retries one
    assert post(client, first) == 200
    assert post(client, second) == 200
    process_pending_events(engine, NOW + timedelta(seconds=5), settings=settings)
    burst = chat.cycle(NOW + timedelta(minutes=1), plan=False)
    assert post(client, first) == 200
    process_pending_events(engine, NOW + timedelta(minutes=2), settings=settings)
    replayed = chat.cycle(NOW + timedelta(minutes=2), plan=False)
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 2, 7)]

    # then: one confirmation for the burst, none for the replay or after
    assert len(burst) == 1
    assert CONFIRMATION in describe(burst[0])
    assert burst[0]["type"] == "text"
    assert replayed == []
    assert later == [[], [], []]
    assert _actions(engine) == ["opted_out", "already_opted_out"]
    with transaction(engine) as session:
        kinds = session.scalars(select(OutboxMessage.step_kind)).all()
        assert kinds.count("optout_confirmation") == 1


@pytest.mark.parametrize(
    "text", ["te pago el viernes", "pasame el link para pagar", "¿cuánto debo?"]
)
def test_reply_while_held_without_case(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    text: str,
) -> None:
    # given: the owner held the whole debt (passed to a lawyer) before any
    # reminder went out
    chat = _conversation(client, engine, settings, graph)
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        hold_invoices(
            session, customer, [], None, "pasó al abogado", NOW.date(), NOW, "test"
        )

    # when: the customer writes, and reminder runs follow
    action_taken = chat.reply(text, NOW)
    answer = chat.sent_since(0)
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 7)]

    # then: a person answers, and the acknowledgement says only that
    assert action_taken == "handed_off"
    assert len(answer) == 1
    assert HANDOFF_ACK in answer[0]
    assert NOTHING_PENDING not in answer[0]
    assert "$ 0" not in answer[0]
    assert later == [[], []]
    with transaction(engine) as session:
        waiting = waiting_cases(session, chat.business_id, NOW + timedelta(days=7))
        assert [case.reason for case in waiting] == ["invoices_held"]
        assert session.scalars(select(InboundMessage.intent)).one() != "opt_out"


def test_reply_while_held_after_person_closed(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
) -> None:
    # given: reminded, then the case closed by a person and the debt held
    chat = _conversation(client, engine, settings, graph)
    reminded = chat.cycle(NOW)
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        case.state = CaseState.CLOSED
        case.closed_at = NOW + timedelta(minutes=5)
        case.close_reason = "closed_by_person"
        customer = session.scalars(select(Customer)).one()
        hold_invoices(session, customer, [], None, "demandado", NOW.date(), NOW, "test")
    start = chat.sent

    # when
    action_taken = chat.reply(
        "hola, quiero saber cuánto debo", NOW + timedelta(hours=1)
    )
    answer = chat.sent_since(start)

    # then: the same as while the case was open, not "nothing pending"
    assert len(reminded) == 1
    assert action_taken == "handed_off"
    assert len(answer) == 1
    assert HANDOFF_ACK in answer[0]
    assert NOTHING_PENDING not in answer[0]
    with transaction(engine) as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        assert [case.close_reason for case in cases] == ["closed_by_person", None]
        assert cases[1].handoff_reason == "invoices_held"


def _disputed_then_closed(chat: Conversation, engine: Engine) -> int:
    """Remind, dispute the only invoice, then a person closes the case.

    Closing holds the invoice; the owner then releases it, so the invoice is
    owed, disputed and not held. Returns the count of messages sent so far.
    """
    chat.cycle(NOW)
    disputed = chat.reply("no reconozco esa factura", NOW + timedelta(minutes=5))
    assert disputed == "dispute_recorded"
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        resolve(
            session, chat.business_id, case.id, NOW + timedelta(minutes=10),
            resume=False, actor="test",
        )  # fmt: skip
        customer = session.scalars(select(Customer)).one()
        release_invoices(
            session, customer, [], NOW.date(), NOW + timedelta(minutes=11), "test"
        )
    return chat.sent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hola, quiero saber cuánto debo", "handed_off"),
        ("pasame el link para pagar", "handed_off"),
        ("ok gracias", "handed_off"),
        ("te pago el viernes", "promise_to_review"),
    ],
)
def test_reply_while_disputed_after_person_closed(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    text: str,
    expected: str,
) -> None:
    # given: the only invoice is still disputed after a person closed the case
    chat = _conversation(client, engine, settings, graph)
    start = _disputed_then_closed(chat, engine)

    # when
    action_taken = chat.reply(text, NOW + timedelta(hours=1))
    answer = chat.sent_since(start)
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 7)]

    # then: a person answers, and the acknowledgement says only that
    assert action_taken == expected
    assert len(answer) == 1
    assert HANDOFF_ACK in answer[0]
    assert NOTHING_PENDING not in answer[0]
    assert "$ 0" not in answer[0]
    assert later == [[], []]
    with transaction(engine) as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        assert [case.close_reason for case in cases] == ["closed_by_person", None]
        waiting = waiting_cases(session, chat.business_id, NOW + timedelta(days=7))
        reason = "invoices_disputed" if expected == "handed_off" else expected
        assert [case.reason for case in waiting] == [reason]


def test_balance_question_while_disputed_case_open(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
) -> None:
    # given: reminded, and the only invoice disputed, so the case waits
    chat = _conversation(client, engine, settings, graph)
    chat.cycle(NOW)
    disputed = chat.reply("no reconozco esa factura", NOW + timedelta(minutes=5))
    start = chat.sent

    # when
    action_taken = chat.reply("¿cuánto debo?", NOW + timedelta(hours=1))
    answer = chat.sent_since(start)

    # then: a person answers, not "nothing pending", and the dispute stays
    # the reason the case waits
    assert disputed == "dispute_recorded"
    assert action_taken == "handed_off"
    assert len(answer) == 1
    assert HANDOFF_ACK in answer[0]
    assert NOTHING_PENDING not in answer[0]
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.closed_at is None
        assert case.handoff_reason == "dispute"
