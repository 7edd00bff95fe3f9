"""Act on a customer's reply: understand it, act, store what was done.

`handle_reply` runs in the transaction that stored the inbound message. It
reads text through `understand`, quick-reply buttons through their ids and
a file as a payment receipt. Then it runs the action for the intent from
`cobranza.conversations.actions` and stores the intent, the entities and
the action taken on the message, with one audit event.

No LLM request is sent from inside that transaction, where a slow LLM would
hold the database's locks. `llm_questions` lists the texts to ask about
before the transaction opens, and `handle_reply` gets the answers as a
`PrefetchedAnswers` in its `llm`.

A reply is data: whatever its text says, the actions only pause, hand off,
record promises and consent, and queue answers. None of them changes what
is owed, so a reply that gives orders ("marcá mi factura como pagada")
cannot mark anything paid.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import matching_customers
from cobranza.channels.whatsapp.payloads import button_id
from cobranza.compliance.consent import current_consent, record_consent
from cobranza.conversations import actions
from cobranza.conversations.actions import Reply, ReplyServices
from cobranza.conversations.balance_question import asks_for_balance
from cobranza.conversations.complaints import threatens_complaint
from cobranza.conversations.identity import asks_who_writes
from cobranza.conversations.llm import Classifier, LLMAnswer
from cobranza.conversations.optin import asks_only_to_opt_in, find_opt_in
from cobranza.conversations.optout import find_opt_out
from cobranza.conversations.understand import Understanding, understand
from cobranza.conversations.without_case import act_without_case
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    ConsentAction,
    Customer,
    InboundMessage,
    PhoneStatus,
)
from cobranza.messages.catalog import BUTTON_TITLES
from cobranza.timeutil import local_date

if TYPE_CHECKING:
    from cobranza.conversations.model import IntentModel

logger = logging.getLogger(__name__)

# The intent each quick-reply button of the composer stands for.
BUTTON_INTENTS = {
    "pay": "request_payment_link",
    "installments": "request_installments",
    "paid": "already_paid",
    "change_date": "promise_to_pay",
    "accept_plan": "accept_plan",
}
BUTTON_TYPES = frozenset({"button", "interactive"})


def handle_reply(
    session: Session,
    inbound: InboundMessage,
    now: datetime,
    *,
    services: ReplyServices | None = None,
    model: IntentModel | None = None,
    llm: Classifier | None = None,
) -> str:
    """Understand `inbound`, act on it and store the result; return the action.

    Dates in the text ("el viernes") are read at the instant the message
    was received. A sender who matches no customer is stored only.
    """
    business = session.get_one(Business, inbound.business_id)
    if inbound.customer_id is None:
        sharing = _sharing_customers(session, business, inbound)
        if not sharing:
            return _store(session, inbound, None, "unknown_sender", {}, now, None)
        # A number shared by several customers: the person who uses it may
        # still ask to stop or change number, and that covers all of them.
        if inbound.type == "system":
            for customer in sharing:
                action_taken = _note_system_notice(session, customer, inbound, now)
            return _store(session, inbound, None, action_taken, {}, now, None)
        return _opt_out_shared(session, inbound, business, sharing, now, services)

    customer = session.get_one(Customer, inbound.customer_id)
    # Notices from WhatsApp and a reaction taken back are not replies that
    # need one: "no terminamos de entender" would only puzzle the customer.
    if inbound.type == "system":
        action_taken = _note_system_notice(session, customer, inbound, now)
        return _store(session, inbound, None, action_taken, {}, now, None)
    if inbound.type == "reaction" and not inbound.text:
        return _store(session, inbound, None, "reaction_removed", {}, now, None)
    reply = _reply_of(
        session, inbound, business, customer, now, services, model=model, llm=llm
    )
    meaning, case = reply.meaning, reply.case
    action: actions.Action
    opt_in = _asks_to_opt_in(reply)
    if meaning.intent != "opt_out" and threatens_complaint(inbound.text):
        # A threat reaches a person even when a newer reply was handled.
        action = actions.complaint
    elif (opt_in or meaning.intent in _SUPERSEDED_INTENTS) and _newer_reply_handled(
        session, inbound
    ):
        action = _superseded
    elif opt_in:
        action = actions.opt_in
    elif case is None:
        question = _identity_action(reply) or _balance_action(reply)
        action = partial(act_without_case, action=question)
    elif _identity_action(reply) is not None:
        action = actions.identify
    elif meaning.intent not in actions.OWN_ACTION_WHEN_HELD and actions.all_held(reply):
        action = actions.held
    elif _for_person_while_disputed(reply):
        action = actions.disputed
    elif actions.accepts_plan(reply):
        action = actions.accept_plan
    elif _balance_action(reply) is not None:
        action = actions.state_balance
    else:
        action = actions.ACTIONS.get(meaning.intent, actions.other)
    action_taken = action(reply)
    # An action taken without a case may have opened one.
    return _store(
        session, inbound, meaning, action_taken, reply.entities, now, reply.case
    )


def _for_person_while_disputed(reply: Reply) -> bool:
    """Return whether the reply goes to a person because all owed is disputed.

    An "ok" gets no reply, as always: the case already waits for a person.
    """
    intent = reply.meaning.intent
    if intent in actions.OWN_ACTION_WHEN_DISPUTED or intent == "acknowledge":
        return False
    return actions.all_disputed(reply)


def _reply_of(
    session: Session,
    inbound: InboundMessage,
    business: Business,
    customer: Customer,
    now: datetime,
    services: ReplyServices | None,
    *,
    model: IntentModel | None = None,
    llm: Classifier | None = None,
) -> Reply:
    """Read `inbound` in the customer's zone and locale, with their open case."""
    tz, locale = _zone_and_locale(business, customer)
    meaning = read_reply(inbound, tz, locale, model=model, llm=llm)
    return Reply(
        session=session,
        inbound=inbound,
        business=business,
        customer=customer,
        case=_open_case(session, business.id, customer.id),
        meaning=meaning,
        now=now,
        today=local_date(inbound.received_at, tz),
        tz=tz,
        services=services,
        entities=meaning.to_dict(),
    )


def _zone_and_locale(business: Business, customer: Customer) -> tuple[str, str | None]:
    return customer.timezone or business.timezone, customer.locale or business.locale


class _Questions:
    """Stands in for the LLM and keeps the texts that `understand` sends it."""

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence
        self.texts: list[str] = []

    def classify(self, text: str, labels: Sequence[str]) -> LLMAnswer | None:
        self.texts.append(text)
        return None


def llm_questions(
    session: Session,
    replies: Iterable[InboundMessage],
    min_confidence: float,
    *,
    model: IntentModel | None = None,
) -> list[str]:
    """Return the texts of `replies` that `handle_reply` would send to the LLM.

    `replies` need not be stored yet. Only a reply from a known customer is
    read with an LLM, and `understand` sends it only when the intent model
    scores it below `min_confidence`. `session` is only read.
    """
    questions = _Questions(min_confidence)
    for reply in replies:
        if reply.customer_id is None:
            continue
        business = session.get_one(Business, reply.business_id)
        customer = session.get_one(Customer, reply.customer_id)
        tz, locale = _zone_and_locale(business, customer)
        read_reply(reply, tz, locale, model=model, llm=questions)
    return questions.texts


def _note_system_notice(
    session: Session, customer: Customer, inbound: InboundMessage, now: datetime
) -> str:
    """Act on a WhatsApp notice: a change of number stops writing to the old one.

    The old number may later belong to someone else, so reminders wait
    until the owner confirms the new number and corrects the customer.
    """
    notice = (inbound.details or {}).get("system") or {}
    if notice.get("type") != "user_changed_number":
        return "system_notice"
    new_number = notice.get("wa_id") or notice.get("new_wa_id")
    customer.phone_status = PhoneStatus.NOT_ON_WHATSAPP
    customer.phone_problem = (
        f"WhatsApp avisó que cambió de número, al +{new_number}: confirmalo "
        "con el cliente y corregí su teléfono"
        if new_number
        else "WhatsApp avisó que cambió de número: pedile el nuevo y "
        "corregí su teléfono"
    )
    customer.updated_at = now
    logger.info("customer %s changed WhatsApp number: reminders stop", customer.id)
    return "number_changed"


def _sharing_customers(
    session: Session, business: Business, inbound: InboundMessage
) -> list[Customer]:
    """Return the customers of a shared number for a stop request or a notice."""
    notice = inbound.type == "system"
    if not notice and find_opt_out(inbound.text or "") is None:
        return []
    candidates = matching_customers(
        session, business, wa_id=inbound.sender, user_id=inbound.sender_user_id
    )
    return candidates if len(candidates) > 1 else []


def _opt_out_shared(
    session: Session,
    inbound: InboundMessage,
    business: Business,
    sharing: list[Customer],
    now: datetime,
    services: ReplyServices | None,
) -> str:
    """Revoke the consent of every customer of a shared number, confirm once.

    The message stays unassigned, because it cannot tell which customer
    wrote it. The confirmation goes to the number through the first customer
    who had not opted out yet.
    """
    pending = [
        customer
        for customer in sharing
        if current_consent(session, business.id, customer.id) is not False
    ]
    if not pending:
        return _store(session, inbound, None, "already_opted_out", {}, now, None)
    reply = _reply_of(session, inbound, business, pending[0], now, services)
    actions.opt_out(reply)
    for customer in pending[1:]:
        record_consent(
            session,
            business.id,
            customer.id,
            ConsentAction.REVOKE,
            actions.CONSENT_SOURCE,
            str(inbound.id),
            now,
            actor=actions.ACTOR,
        )
    entities = {**reply.entities, "customer_ids": [customer.id for customer in sharing]}
    return _store(
        session, inbound, reply.meaning, "opted_out_shared_number", entities, now, None
    )


# Intents whose action a later reply replaces: an older "te pago el
# viernes" handled after "no, mejor el lunes" must not move the promise back.
# An older "ALTA" never undoes a newer "BAJA" either. Stops, hand-offs and
# claims of payment still act, whenever they arrive.
_SUPERSEDED_INTENTS = frozenset({"promise_to_pay", "other", "acknowledge"})
_NOT_REPLACING = ("acknowledge", "other")


def _newer_reply_handled(session: Session, inbound: InboundMessage) -> bool:
    """Tell whether a reply written after `inbound` was handled already.

    WhatsApp does not promise to deliver messages in order, and a webhook
    retried after an error arrives after later ones.
    """
    newer = session.scalar(
        select(InboundMessage.id)
        .where(
            InboundMessage.business_id == inbound.business_id,
            InboundMessage.customer_id == inbound.customer_id,
            InboundMessage.id != inbound.id,
            InboundMessage.action_taken.is_not(None),
            InboundMessage.received_at > inbound.received_at,
            # A later "gracias", sticker or notice does not replace anything.
            InboundMessage.intent.is_not(None),
            InboundMessage.intent.not_in(_NOT_REPLACING),
        )
        .limit(1)
    )
    return newer is not None


def _superseded(reply: Reply) -> str:
    """Store an out-of-order reply without acting on it."""
    logger.info(
        "reply %s of customer %s came after a newer one: not acted on",
        reply.inbound.id,
        reply.customer.id,
    )
    return "superseded"


# A label the model gives below this probability yields to the identity and
# balance rules, unless it acts on consent or reaches a person.
IDENTITY_MAX_CONFIDENCE = 0.5
_KEEPS_LABEL = actions.PERSON_INTENTS | {"opt_out"}


def _identity_action(reply: Reply) -> actions.Action | None:
    """Return `actions.identify` when the reply asks who is writing, else None.

    A question like "¿quién es usted?" reads as `other`, which would get the
    clarifying question. The rule in `cobranza.conversations.identity`
    chooses the answer here and leaves the intent as the model gave it. The
    matched words are stored with the entities under `identity_question`.
    """
    if not _rule_may_answer(reply):
        return None
    words = asks_who_writes(reply.inbound.text)
    if words is None:
        return None
    reply.entities["identity_question"] = words
    return actions.identify


def _balance_action(reply: Reply) -> actions.Action | None:
    """Return `actions.state_balance` when the reply only asks what is owed.

    A question like "¿cuánto debo?" reads as `other`, which would get the
    clarifying question. The rule in `cobranza.conversations.balance_question`
    chooses the answer here, under the same conditions as the identity rule,
    and leaves the intent as the model gave it. The matched words are stored
    with the entities under `balance_question`.
    """
    if not _rule_may_answer(reply):
        return None
    words = asks_for_balance(reply.inbound.text)
    if words is None:
        return None
    reply.entities["balance_question"] = words
    return actions.state_balance


def _rule_may_answer(reply: Reply) -> bool:
    """Tell whether a question rule may answer a text the model read as `other`.

    It may when the model read `other`, or gave another label below
    `IDENTITY_MAX_CONFIDENCE` that neither acts on consent nor reaches a
    person.
    """
    meaning = reply.meaning
    if reply.inbound.type != "text":
        return False
    unsure = (
        meaning.source == "model"
        and meaning.confidence < IDENTITY_MAX_CONFIDENCE
        and meaning.intent not in _KEEPS_LABEL
    )
    return meaning.intent == "other" or unsure


def _asks_to_opt_in(reply: Reply) -> bool:
    """Tell whether the reply requests messages again, for `actions.opt_in`.

    A customer who opted out may write it anywhere in a text or a caption.
    A customer whose consent is active gets the message that reminders
    already reach them only when the text is just the request and the
    reminders do reach them. Any other reply goes by its intent, so "pueden
    volver a escribirme, pero el monto está mal" still reaches a person.
    """
    inbound = reply.inbound
    text = inbound.text or ""
    if (
        inbound.type not in ("text", *actions.RECEIPT_TYPES)
        or find_opt_in(text) is None
    ):
        return False
    consent = current_consent(reply.session, reply.business.id, reply.customer.id)
    if consent is False:
        # The stop is lifted, and `actions.opt_in` hands a reply that contains
        # more than the request to a person.
        return True
    return (
        consent is True
        and inbound.type == "text"
        and asks_only_to_opt_in(text)
        and _reminders_reach(reply)
    )


def _reminders_reach(reply: Reply) -> bool:
    """Tell whether reminders reach the customer now, so "ya los recibís" is true.

    A phone that is not valid, a case that waits for a person, and a
    customer never written to (no case at all) leave the request to the
    reply's intent, which reaches a person.
    """
    customer = reply.customer
    if customer.phone is None or customer.phone_status != PhoneStatus.VALID:
        return False
    if reply.case is not None:
        return reply.case.state != CaseState.HANDED_OFF
    any_case = reply.session.scalar(
        select(Case.id)
        .where(
            Case.business_id == reply.business.id,
            Case.customer_id == reply.customer.id,
        )
        .limit(1)
    )
    return any_case is not None


def read_reply(
    inbound: InboundMessage,
    tz: str,
    locale: str | None,
    *,
    model: IntentModel | None = None,
    llm: Classifier | None = None,
) -> Understanding:
    """Return what a message means: a button's intent, a receipt, or its text's."""
    if inbound.type in BUTTON_TYPES:
        intent = _button_intent(inbound)
        if intent is not None:
            return _ruled(intent)
    # A sticker is a gesture ("👍", a thumbs-up cat), never a question to
    # clarify or a reason to hand the case to a person.
    if inbound.type == "sticker":
        return _ruled("acknowledge")
    if inbound.type in actions.RECEIPT_TYPES:
        # A caption that requests a stop wins over the file: "BAJA" on a photo.
        if inbound.text and find_opt_out(inbound.text) is not None:
            return understand(
                inbound.text, inbound.received_at, tz, locale, model=model
            )
        return _ruled("receipt")
    return understand(
        inbound.text or "", inbound.received_at, tz, locale, model=model, llm=llm
    )


def _ruled(intent: str) -> Understanding:
    """Return a certain meaning with no entities, decided without the text."""
    return Understanding(
        intent=intent,
        confidence=1.0,
        promised_date=None,
        amount=None,
        installments=None,
        opt_out=False,
        source="rules",
    )


def _button_intent(inbound: InboundMessage) -> str | None:
    """Map a button's payload, reply id or title to the intent it stands for."""
    details: dict[str, Any] = inbound.details or {}
    candidates = [details.get("payload"), details.get("reply_id"), inbound.text]
    for candidate in candidates:
        if not candidate:
            continue
        key = _BUTTON_KEYS.get(str(candidate).strip().casefold())
        if key is not None:
            return BUTTON_INTENTS[key]
    return None


def _button_keys() -> dict[str, str]:
    """Index every spelling of each button: its id, titles and title ids."""
    keys: dict[str, str] = {}
    for key, titles in BUTTON_TITLES.items():
        keys[key] = key
        for title in titles.values():
            keys[title.casefold()] = key
            keys[button_id(title)] = key
    return keys


_BUTTON_KEYS = _button_keys()


def _open_case(session: Session, business_id: int, customer_id: int) -> Case | None:
    statement = select(Case).where(
        Case.business_id == business_id,
        Case.customer_id == customer_id,
        Case.closed_at.is_(None),
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two replies of one customer processed at once act one after the other.
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def _store(
    session: Session,
    inbound: InboundMessage,
    meaning: Understanding | None,
    action_taken: str,
    entities: dict[str, Any],
    now: datetime,
    case: Case | None,
) -> str:
    inbound.intent = meaning.intent if meaning is not None else None
    inbound.entities = entities
    inbound.action_taken = action_taken
    session.add(
        AuditEvent(
            business_id=inbound.business_id,
            at=now,
            actor=actions.ACTOR,
            kind="reply_handled",
            subject_type="inbound_message",
            subject_id=inbound.id,
            reason=action_taken,
            details={
                "customer_id": inbound.customer_id,
                "case_id": case.id if case is not None else None,
                "intent": inbound.intent,
                "confidence": entities.get("confidence"),
                "source": entities.get("source"),
            },
        )
    )
    session.flush()
    logger.info(
        "reply %s handled: intent=%s action=%s",
        inbound.id,
        inbound.intent,
        action_taken,
    )
    return action_taken
