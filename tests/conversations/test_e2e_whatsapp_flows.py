"""Conversations end to end on WhatsApp: every intent, promises, plans and closing.

Replies come in through the signed webhook. Reminders and responses go out
through the dispatcher to the fake Graph API, and the planner runs as in
production, with the business switched to the WhatsApp channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.channels.inbox import process_pending_events
from cobranza.channels.whatsapp.templates import set_template_status
from cobranza.compliance.consent import current_consent
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    InboundMessage,
    Installment,
    InstallmentPlan,
    PromiseToPay,
    TemplateStatus,
)
from cobranza.jobs.channels import build_dispatcher, use_channel
from cobranza.jobs.cycle import run_cycle
from cobranza.messages.catalog import STEP_KINDS, Tone
from cobranza.payments.links import link_for_outbox_row
from cobranza.payments.manual import record_payment
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
    inbound_body,
    post,
    text_message,
)
from tests.fakes.graph_api import FakeGraphAPI

# NOW is Tuesday 10 March 2026, 10:00 in Buenos Aires.
WA_ID = PHONE.lstrip("+")


@pytest.fixture
def business_id(engine: Engine, settings: Settings) -> int:  # noqa: F811
    """A business on WhatsApp with every template approved, owed 1,500 since 5 March."""
    with transaction(engine) as session:
        business = make_business(session, NOW, name=BUSINESS_NAME)
        customer = make_customer(session, business, NOW, "C1", PHONE, name="Ana Test")
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


class Conversation:
    """Drives one customer's conversation: replies in, cycles and responses out."""

    def __init__(
        self,
        client: TestClient,  # noqa: F811
        engine: Engine,
        settings: Settings,  # noqa: F811
        graph: FakeGraphAPI,  # noqa: F811
        business_id: int,
    ) -> None:
        self.client = client
        self.engine = engine
        self.settings = settings
        self.graph = graph
        self.business_id = business_id
        self.count = 0

    def reply(self, text: str, at: datetime) -> str | None:
        """Post `text` to the signed webhook, act on it, dispatch; return the action."""
        self.count += 1
        message_id = f"wamid.flow{self.count}"
        assert post(self.client, text_message(message_id, text, at)) == 200
        process_pending_events(self.engine, at, settings=self.settings)
        self.cycle(at, plan=False)
        with transaction(self.engine) as session:
            return session.scalars(
                select(InboundMessage.action_taken).where(
                    InboundMessage.provider_message_id == message_id
                )
            ).one()

    def cycle(self, at: datetime, plan: bool = True) -> list[dict[str, Any]]:
        """Run the planner (if `plan`) and the dispatcher; return the messages sent."""
        before = len(self.graph.state.messages)
        dispatcher = build_dispatcher(
            self.engine,
            self.settings,
            "whatsapp",
            at,
            link_builder=link_for_outbox_row,
            clock=lambda: at,
        )
        try:
            if plan:
                run_cycle(self.engine, self.business_id, at, dispatcher=dispatcher)
            else:
                dispatcher.run(self.business_id, at)
        finally:
            dispatcher.close()
        return self.graph.state.messages[before:]

    def sent_since(self, start: int) -> list[str]:
        return [describe(message) for message in self.graph.state.messages[start:]]

    @property
    def sent(self) -> int:
        return len(self.graph.state.messages)


def describe(message: dict[str, Any]) -> str:
    """Return a template's name, or a free-form message's text."""
    if message.get("type") == "template":
        return "template:" + message["template"]["name"]
    if message.get("type") == "interactive":
        return message["interactive"]["body"]["text"]
    return message["text"]["body"]


@pytest.fixture
def chat(
    client: TestClient,  # noqa: F811
    engine: Engine,
    settings: Settings,  # noqa: F811
    graph: FakeGraphAPI,  # noqa: F811
    business_id: int,
) -> Iterator[Conversation]:
    conversation = Conversation(client, engine, settings, graph, business_id)
    first = conversation.cycle(NOW)
    assert [describe(message) for message in first] == [
        "template:cobranza_reminder_soft_friendly"
    ]
    yield conversation


@pytest.mark.parametrize(
    ("text", "intent", "action", "answer"),
    [
        # The pause ends after `paid_pause_days`, and the reply states that.
        (
            "ya te transferí ayer",
            "already_paid",
            "asked_receipt",
            "comprobante por acá? Una persona del equipo lo va a revisar y por unos "
            "días no te enviamos recordatorios.",
        ),
        (
            "¿puedo pagar en 3 cuotas?",
            "request_installments",
            "plan_created",
            "3 cuotas",
        ),
        # A phone cannot open this machine's sandbox pay page, so the reply
        # carries the business's payment instructions.
        (
            "pasame el link para pagar",
            "request_payment_link",
            "link_sent",
            "Podés pagar tu saldo de $ 1.500,00 acá: Transferí al alias",
        ),
        (
            "esa factura ya la pagué, me la están cobrando dos veces",
            "dispute",
            "dispute_recorded",
            "revisar",
        ),
        ("quiero hablar con una persona", "request_human", "handed_off", "persona"),
        (
            "me quedé sin trabajo y ahora no tengo un peso",
            "cannot_pay",
            "handed_off",
            "persona",
        ),
        (
            "número equivocado, no conozco a esa persona",
            "wrong_person",
            "wrong_person_flagged",
            None,
        ),
        ("ok gracias 👍", "acknowledge", "none", None),
        (
            "no entiendo el mensaje",
            "other",
            "asked_clarify",
            "entender tu mensaje. Tu saldo es de $ 1.500,00.",
        ),
        ("¿cuánto debo?", "other", "balance_stated", "Tu saldo es de $ 1.500,00, y"),
    ],
)
def test_each_intent_through_webhook(
    chat: Conversation,
    engine: Engine,
    text: str,
    intent: str,
    action: str,
    answer: str | None,
) -> None:
    # given
    start = chat.sent

    # when
    action_taken = chat.reply(text, NOW + timedelta(hours=1))

    # then
    with transaction(engine) as session:
        stored = session.scalars(select(InboundMessage)).one()
        assert stored.intent == intent
    assert action_taken == action
    answers = chat.sent_since(start)
    if answer is None:
        assert answers == []
    else:
        assert len(answers) == 1
        assert answer in answers[0]


def test_wrong_person_stops_writing(chat: Conversation, engine: Engine) -> None:
    action_taken = chat.reply("número equivocado", NOW + timedelta(hours=1))
    start = chat.sent

    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 2, 7)]

    assert action_taken == "wrong_person_flagged"
    assert later == [[], [], []]
    assert chat.sent == start
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert customer.phone_status == "wrong_person"
        assert customer.phone_problem


def test_broken_promise_through_webhook(chat: Conversation, engine: Engine) -> None:
    # given: on Tuesday the customer promises to pay on Thursday 12 March
    action_taken = chat.reply("dale, te pago el jueves", NOW + timedelta(hours=1))
    confirmation = chat.sent_since(1)

    # when: the money never comes and the cycle runs every morning
    sent_by_day = {
        (NOW + timedelta(days=days)).date(): [
            describe(message) for message in chat.cycle(NOW + timedelta(days=days))
        ]
        for days in range(1, 7)
    }

    # then: reminders waited for the promise, then came back one step stronger
    assert action_taken == "promise_recorded"
    assert len(confirmation) == 1
    assert "12/3" in confirmation[0] or "12 de marzo" in confirmation[0]
    days_with_messages = {day: sent for day, sent in sent_by_day.items() if sent}
    first_day = min(days_with_messages)
    assert first_day > date(2026, 3, 12)
    assert days_with_messages[first_day] == [
        "template:cobranza_broken_promise_friendly"
    ]
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.state == CaseState.OPEN


def test_opt_out_mid_plan(chat: Conversation, engine: Engine) -> None:
    # given: a plan of three installments made in the conversation
    plan_action = chat.reply("¿puedo pagar en 3 cuotas?", NOW + timedelta(hours=1))
    with transaction(engine) as session:
        plan = session.scalars(select(InstallmentPlan)).one()
        installment_days = list(
            session.scalars(
                select(Installment.due_on)
                .where(Installment.plan_id == plan.id)
                .order_by(Installment.number)
            )
        )

    # when: the customer opts out, and the installments fall due
    opt_out_action = chat.reply("BAJA", NOW + timedelta(hours=2))
    start = chat.sent
    after = [chat.cycle(datetime_at(day)) for day in installment_days]

    # then: nothing but the one confirmation, and the ledger records the revocation
    assert plan_action == "plan_created"
    assert opt_out_action == "opted_out"
    assert "no te vamos a enviar más recordatorios" in chat.sent_since(start - 1)[0]
    assert after == [[] for _ in installment_days]
    assert chat.sent == start
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is False


def test_opt_back_in_through_webhook(chat: Conversation, engine: Engine) -> None:
    chat.reply("BAJA", NOW + timedelta(hours=1))
    silent = chat.cycle(NOW + timedelta(days=1))

    action_taken = chat.reply("ALTA", NOW + timedelta(days=1, hours=1))
    welcome = chat.sent_since(chat.sent - 1)
    resumed = chat.cycle(NOW + timedelta(days=2))

    assert silent == []
    assert action_taken == "opted_in"
    assert "volvés a recibir" in welcome[0]
    # The reminder may be free-form: ALTA opened a new 24-hour window.
    assert len(resumed) == 1
    assert "1.500" in describe(resumed[0])


def test_reply_after_case_paid(chat: Conversation, engine: Engine) -> None:
    # given: the invoice is paid in full and the customer is thanked
    paid_at = NOW + timedelta(hours=1)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        record_payment(
            session, business, customer, Decimal("1500.00"), paid_at, paid_at
        )
    thanks = chat.cycle(paid_at + timedelta(minutes=1))

    # when: the customer writes twice the same day
    first = chat.reply("ya pagué todo, avisame", paid_at + timedelta(hours=1))
    start = chat.sent
    second = chat.reply("hola? ya está pago", paid_at + timedelta(hours=2))

    # then: one acknowledgement, nothing reopened
    assert [describe(message) for message in thanks] == [
        "template:cobranza_payment_thanks_friendly"
    ]
    assert first == "closed_acknowledged"
    assert second == "closed_acknowledged"
    assert chat.sent == start
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.state == CaseState.CLOSED


def datetime_at(day: date) -> datetime:
    """Return 10:00 in Buenos Aires on `day`."""
    return datetime.combine(day, NOW.timetz())


def test_opt_out_from_shared_number(chat: Conversation, engine: Engine) -> None:
    # given: a second customer with the same phone, who also owes
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        other = make_customer(session, business, NOW, "C2", PHONE, name="Beto Test")
        make_document(session, other, NOW, "B-0001", "900.00", date(2026, 3, 4))
    start = chat.sent

    # when: the person who uses the phone requests a stop
    action_taken = chat.reply("BAJA", NOW + timedelta(hours=1))
    confirmation = chat.sent_since(start)
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 2, 7, 14)]

    # then: one confirmation, both customers revoked, nothing more to that phone
    assert action_taken == "opted_out_shared_number"
    assert len(confirmation) == 1
    # The message belongs to no customer, so no 24-hour window: a template.
    assert confirmation == ["template:cobranza_optout_confirmation_friendly"]
    assert later == [[], [], [], []]
    with transaction(engine) as session:
        for customer in session.scalars(select(Customer)):
            assert current_consent(session, customer.business_id, customer.id) is False
        stored = session.scalars(select(InboundMessage)).one()
        assert stored.customer_id is None


def test_older_reply_delivered_late(chat: Conversation, engine: Engine) -> None:
    # given: WhatsApp delivers the later message first
    written = NOW + timedelta(hours=1)
    newer = chat.reply("no, mejor el lunes", written + timedelta(seconds=20))
    start = chat.sent

    # when: the older message arrives afterwards
    older = chat.reply("te pago el viernes", written)

    # then: the customer's last word, Monday 16 March, is kept
    assert newer == "promise_recorded"
    assert older == "superseded"
    assert chat.sent == start
    with transaction(engine) as session:
        promises = list(session.scalars(select(PromiseToPay.due_on)))
    assert promises == [date(2026, 3, 16)]


def deliver(chat: Conversation, body: bytes, at: datetime) -> str | None:
    """Post a signed body of one message, act on it, dispatch; return the action."""
    assert post(chat.client, body) == 200
    process_pending_events(chat.engine, at, settings=chat.settings)
    chat.cycle(at, plan=False)
    with transaction(chat.engine) as session:
        return session.scalars(
            select(InboundMessage.action_taken).order_by(InboundMessage.id.desc())
        ).first()


def test_reaction_taken_back_gets_no_answer(chat: Conversation, engine: Engine) -> None:
    # given
    at = NOW + timedelta(hours=1)
    start = chat.sent

    # when: a 👍 on the reminder, then the reaction removed
    reacted = deliver(
        chat,
        inbound_body(
            "wamid.react1",
            at,
            type="reaction",
            reaction={"message_id": "wamid.any", "emoji": "👍"},
        ),
        at,
    )
    removed = deliver(
        chat,
        inbound_body(
            "wamid.react2", at, type="reaction", reaction={"message_id": "wamid.any"}
        ),
        at + timedelta(minutes=1),
    )

    # then
    assert reacted == "none"
    assert removed == "reaction_removed"
    assert chat.sent == start
    with transaction(engine) as session:
        assert session.scalars(select(Case)).one().handoff_reason is None


def test_number_change_notice_stops_old_number(
    chat: Conversation, engine: Engine
) -> None:
    # given
    at = NOW + timedelta(hours=1)
    start = chat.sent
    notice = {
        "body": "Ana changed from 5491155550101 to 5491177770000",
        "wa_id": "5491177770000",
        "type": "user_changed_number",
    }

    # when
    action_taken = deliver(
        chat, inbound_body("wamid.sys1", at, type="system", system=notice), at
    )
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 2, 7)]

    # then: no reply, and nothing more to the old number until it is corrected
    assert action_taken == "number_changed"
    assert chat.sent == start
    assert later == [[], [], []]
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert customer.phone_status == "not_on_whatsapp"
        assert customer.phone_problem is not None
        assert "+5491177770000" in customer.phone_problem


def test_stickers_need_no_answer(chat: Conversation, engine: Engine) -> None:
    # given
    at = NOW + timedelta(hours=1)
    start = chat.sent

    # when: two stickers in a row
    actions_taken = [
        deliver(
            chat,
            inbound_body(
                f"wamid.sticker{index}",
                at,
                type="sticker",
                sticker={"id": f"media{index}", "mime_type": "image/webp"},
            ),
            at + timedelta(minutes=index),
        )
        for index in range(2)
    ]

    # then: no question, no hand-off
    assert actions_taken == ["none", "none"]
    assert chat.sent == start
    with transaction(engine) as session:
        assert session.scalars(select(Case)).one().handoff_reason is None


def test_stop_written_as_caption_of_photo(chat: Conversation, engine: Engine) -> None:
    # given
    at = NOW + timedelta(hours=1)
    photo = {"id": "media1", "mime_type": "image/jpeg", "caption": "BAJA, basta"}

    # when: a photo whose caption requests a stop
    action_taken = deliver(
        chat, inbound_body("wamid.photo1", at, type="image", image=photo), at
    )
    start = chat.sent
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 5, 14)]

    # then: a stop, not a receipt
    assert action_taken == "opted_out"
    assert later == [[], [], []]
    assert chat.sent == start
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is False


def test_older_opt_in_after_newer_stop(chat: Conversation, engine: Engine) -> None:
    # given: opted out, then "ALTA" and, 30 seconds later, "BAJA" again
    chat.reply("BAJA", NOW + timedelta(hours=1))
    written = NOW + timedelta(hours=3)

    # when: WhatsApp delivers the later BAJA first
    chat.reply("BAJA otra vez", written + timedelta(seconds=30))
    start = chat.sent
    older = chat.reply("ALTA", written)
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 3)]

    # then: the last word was BAJA
    assert older == "superseded"
    assert chat.sent == start
    assert later == [[], []]
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is False


def test_later_thanks_keeps_older_promise(chat: Conversation, engine: Engine) -> None:
    # given: "gracias" written after the promise but delivered first
    written = NOW + timedelta(hours=1)
    chat.reply("gracias", written + timedelta(seconds=20))

    # when
    action_taken = chat.reply("te pago el viernes", written)

    # then: a thank-you replaces nothing, so Friday 13 March is kept
    assert action_taken == "promise_recorded"
    with transaction(engine) as session:
        promises = list(session.scalars(select(PromiseToPay.due_on)))
    assert promises == [date(2026, 3, 13)]


def test_number_change_on_shared_number(chat: Conversation, engine: Engine) -> None:
    # given: a second customer with the same phone
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        other = make_customer(session, business, NOW, "C2", PHONE, name="Beto Test")
        make_document(session, other, NOW, "B-0001", "900.00", date(2026, 3, 4))
    at = NOW + timedelta(hours=1)
    notice = {
        "body": "changed",
        "wa_id": "5491177770000",
        "type": "user_changed_number",
    }

    # when
    action_taken = deliver(
        chat, inbound_body("wamid.sys2", at, type="system", system=notice), at
    )
    start = chat.sent
    later = [chat.cycle(NOW + timedelta(days=days)) for days in (1, 2, 7)]

    # then: both customers wait for a corrected phone
    assert action_taken == "number_changed"
    assert later == [[], [], []]
    assert chat.sent == start
    with transaction(engine) as session:
        statuses = list(session.scalars(select(Customer.phone_status)))
    assert statuses == ["not_on_whatsapp", "not_on_whatsapp"]


def test_reaction_never_accepts_fee_plan(chat: Conversation, engine: Engine) -> None:
    # given: a plan with a fee proposed
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        business.settings = {**business.settings, "installments": {"fee_percent": 10}}
    at = NOW + timedelta(hours=1)
    proposed = chat.reply("¿puedo pagar en 3 cuotas?", at)

    # when: a 👍 reaction arrives
    reacted = deliver(
        chat,
        inbound_body(
            "wamid.react3",
            at + timedelta(minutes=1),
            type="reaction",
            reaction={"message_id": "wamid.earlier", "emoji": "👍"},
        ),
        at + timedelta(minutes=1),
    )

    # then: no plan with a fee without a written or button acceptance
    assert proposed == "plan_proposed"
    assert reacted != "plan_accepted"
    with transaction(engine) as session:
        assert list(session.scalars(select(InstallmentPlan))) == []


def test_promise_on_disputed_debt_goes_to_person(
    chat: Conversation, engine: Engine
) -> None:
    # given: the only invoice is disputed
    at = NOW + timedelta(hours=1)
    chat.reply("esa factura ya la pagué, me la cobran dos veces", at)
    start = chat.sent

    # when: the customer takes it back and promises
    action_taken = chat.reply(
        "ya está, era mi error. la pago el viernes", at + timedelta(minutes=10)
    )

    # then: the promise is kept for the person, with no "$ 0,00" confirmation
    assert action_taken == "promise_to_review"
    assert not any("0,00" in text for text in chat.sent_since(start))
    with transaction(engine) as session:
        assert list(session.scalars(select(PromiseToPay.due_on))) == [date(2026, 3, 13)]
        # The case stays with the person who took the dispute.
        assert session.scalars(select(Case)).one().handoff_reason == "dispute"


def test_dispute_quoting_reminder_pauses_its_invoices(
    chat: Conversation, engine: Engine
) -> None:
    # given: a reminder of A-0001 went out; A-0002, imported later, is not
    # yet due and no message has named it
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        make_document(session, customer, NOW, "A-0002", "700.00", date(2026, 4, 20))
    reminder_id = chat.graph.state.messages[-1]["id"]
    at = NOW + timedelta(hours=1)

    # when: the customer answers that reminder, quoting it
    action = deliver(
        chat,
        inbound_body(
            "wamid.quoted1",
            at,
            type="text",
            text={"body": "esto está mal, no lo reconozco"},
            context={"from": "5491100000000", "id": reminder_id},
        ),
        at,
    )

    # then: only the reminded invoice is disputed
    with transaction(engine) as session:
        disputed = {
            number: flag
            for number, flag in session.execute(
                select(Document.number, Document.disputed)
            )
        }
        entities = session.scalars(
            select(InboundMessage.entities).where(
                InboundMessage.provider_message_id == "wamid.quoted1"
            )
        ).one()
    assert action == "dispute_recorded"
    assert disputed == {"A-0001": True, "A-0002": False}
    assert entities["disputed_by"] == "quoted"


def test_dispute_quoting_unknown_message_pauses_all(
    chat: Conversation, engine: Engine
) -> None:
    # given
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        make_document(session, customer, NOW, "A-0002", "700.00", date(2026, 4, 20))
    at = NOW + timedelta(hours=1)

    # when: the quoted id is no message of this business
    action = deliver(
        chat,
        inbound_body(
            "wamid.quoted2",
            at,
            type="text",
            text={"body": "esto está mal, no lo reconozco"},
            context={"from": "5491100000000", "id": "wamid.someone-else"},
        ),
        at,
    )

    # then
    with transaction(engine) as session:
        disputed = {
            number: flag
            for number, flag in session.execute(
                select(Document.number, Document.disputed)
            )
        }
    assert action == "dispute_recorded"
    assert disputed == {"A-0001": True, "A-0002": True}


def test_late_stop_keyword_through_webhook(chat: Conversation, engine: Engine) -> None:
    # when
    action_taken = chat.reply("no, mejor BAJA", NOW + timedelta(hours=1))
    start = chat.sent
    later = chat.cycle(NOW + timedelta(days=1))

    # then: a stop on record, confirmed once, and nothing after it
    assert action_taken == "opted_out"
    assert "no te vamos a enviar más recordatorios" in chat.sent_since(start - 1)[0]
    assert later == []
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is False


def test_promise_during_plan_keeps_one_schedule(
    chat: Conversation, engine: Engine
) -> None:
    # given: a plan of three $ 500,00 installments, the first due Friday 13
    plan_action = chat.reply("¿puedo pagar en 3 cuotas?", NOW + timedelta(hours=1))
    start = chat.sent

    # when: the customer promises Friday, never pays, and the cycle runs daily
    promise_action = chat.reply("te pago el viernes", NOW + timedelta(hours=2))
    confirmation = chat.sent_since(start)
    sent = [
        describe(message)
        for days in range(1, 12)
        for message in chat.cycle(NOW + timedelta(days=days))
    ]

    # then: the promise was the installment, and only the plan followed it up
    assert plan_action == "plan_created"
    assert promise_action == "promise_recorded"
    assert len(confirmation) == 1
    assert "$ 500,00 de la cuota 1 de 3 para el viernes 13 de marzo" in confirmation[0]
    assert not [name for name in sent if "broken_promise" in name]
    assert sent[0] == "template:cobranza_installment_overdue_friendly"
    with transaction(engine) as session:
        promise = session.scalars(select(PromiseToPay)).one()
        assert promise.amount == Decimal("500.00")
        assert promise.status == "broken"


def test_reported_reminder_without_its_template(
    chat: Conversation, engine: Engine
) -> None:
    # given: a business whose WhatsApp templates predate `reminder_reported`
    # (Meta has not approved it), and a customer who said "ya pagué" on
    # Tuesday that nobody verified
    with transaction(engine) as session:
        for tone in Tone:
            set_template_status(
                session,
                chat.business_id,
                STEP_KINDS["reminder_reported"].template_name(tone),
                LANGUAGE,
                TemplateStatus.PENDING,
                NOW,
                source="sync",
            )
    action_taken = chat.reply("ya pagué", NOW + timedelta(hours=1))

    # when: the cycle runs every morning and afternoon for three weeks
    sent = [
        describe(message)
        for days in range(1, 22)
        for hours in (0, 6)
        for message in chat.cycle(NOW + timedelta(days=days, hours=hours))
    ]

    # then: the ordinary reminders go out in its place, not nothing
    assert action_taken == "asked_receipt"
    reminders = [name for name in sent if name.startswith("template:cobranza_")]
    assert reminders == [
        "template:cobranza_reminder_empathetic_friendly",
        "template:cobranza_second_notice_friendly",
    ]
