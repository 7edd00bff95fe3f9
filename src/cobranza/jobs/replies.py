"""Wire the conversation engine into the inbound hook of the channels.

`conversations` cannot import `payments` and `channels` cannot import
`conversations` (the layer order puts them the other way round), so this
module, which sits on top, builds the payment services the actions need
and installs `handle_reply` as the channels' reply handler. The web app
and the CLI call `install_reply_handler` when they start.

With an LLM configured, the handler's `prepare` asks it about the replies
that the intent model is unsure of before the transaction that stores
them opens, and `handle_reply` reads those answers inside it. A slow LLM
then holds no lock and keeps no transaction open.

A handled reply queues its response in the outbox. So that the response
is sent at once instead of on the next scheduled run, listeners added with
`add_reply_listener` (the scheduler of `cobranza serve`) hear the business
id of every handled reply once its transaction commits.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction

from cobranza.channels.inbox import ReplyHandler, set_reply_handler
from cobranza.config import Settings, get_settings
from cobranza.conversations.actions import LinkCharge, PlanOffer, ReplyServices
from cobranza.conversations.dialogue import handle_reply, llm_questions
from cobranza.conversations.llm import LLMClassifier, PrefetchedAnswers
from cobranza.conversations.understand import INTENTS
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Case, InboundMessage
from cobranza.jobs.channels import business_channel
from cobranza.payments import create_plan, propose_plan
from cobranza.payments.errors import PaymentError
from cobranza.payments.links import links_offered
from cobranza.payments.plans import limits_for
from cobranza.payments.requested import RequestedCharge, requested_charge

logger = logging.getLogger(__name__)

ReplyListener = Callable[[int], None]
_listeners: list[ReplyListener] = []
_listeners_lock = threading.Lock()
# Keys in `Session.info`: the businesses whose replies this transaction
# handled, and whether the session's commit hook is installed.
_PENDING = "cobranza.replies.pending_businesses"
_HOOKED = "cobranza.replies.commit_hook"


def _payment_link(
    session: Session, business: Business, case: Case, now: datetime
) -> LinkCharge | None:
    # A reply goes out on the business's channel, like its reminders.
    channel = business_channel(business.settings)
    offered = links_offered(business, get_settings(), channel)
    charge = requested_charge(session, business, case, now, with_link=offered)
    if charge is None:
        return None
    return _link_charge(charge)


def _link_charge(charge: RequestedCharge) -> LinkCharge:
    return LinkCharge(
        amount=charge.amount,
        currency=charge.currency,
        covers=charge.covers,
        url=charge.url,
        installment_number=charge.installment_number,
        installments=charge.installment_count,
        others=tuple(_link_charge(other) for other in charge.others),
    )


def _max_installments(business: Business) -> int:
    return limits_for(business).max_count


def _plan_grace_days(business: Business) -> int:
    return limits_for(business).grace_days


def _propose_plan(
    session: Session,
    case: Case,
    count: int,
    now: datetime,
    days: tuple[date, ...],
    first_amount: Decimal | None,
    currency: str | None,
) -> PlanOffer | None:
    try:
        terms = propose_plan(
            session,
            case,
            count,
            now,
            named_days=days,
            first_amount=first_amount,
            currency=currency,
        )
    except PaymentError as exc:
        # The customer is handed to a person, who can offer other terms.
        logger.info("no plan proposed for case %s: %s", case.id, exc.code)
        return None
    return PlanOffer(
        count=count,
        principal=terms.principal,
        fee=terms.fee,
        total=terms.total,
        currency=terms.currency,
        schedule=tuple(zip(terms.amounts, terms.due_dates, strict=True)),
    )


def _create_plan(
    session: Session,
    case: Case,
    count: int,
    now: datetime,
    days: tuple[date, ...],
    first_amount: Decimal | None,
    fee_accepted: bool,
    currency: str | None,
) -> bool:
    try:
        create_plan(
            session,
            case,
            count,
            now,
            named_days=days,
            first_amount=first_amount,
            fee_accepted=fee_accepted,
            currency=currency,
        )
    except PaymentError as exc:
        # The customer is handed to a person, who can offer other terms.
        logger.info("no plan for case %s: %s", case.id, exc.code)
        return False
    return True


def reply_services() -> ReplyServices:
    """Return the payment services that the reply actions call."""
    return ReplyServices(
        payment_link=_payment_link,
        max_installments=_max_installments,
        propose_plan=_propose_plan,
        create_plan=_create_plan,
        plan_grace_days=_plan_grace_days,
    )


def add_reply_listener(listener: ReplyListener) -> Callable[[], None]:
    """Call `listener(business_id)` after each committed reply; return a remover."""
    with _listeners_lock:
        _listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return remove


def _notify(session: Session) -> None:
    businesses = session.info.pop(_PENDING, set())
    with _listeners_lock:
        listeners = list(_listeners)
    for business_id in sorted(businesses):
        for listener in listeners:
            try:
                listener(business_id)
            except Exception as exc:  # noqa: BLE001 - the reply is committed
                logger.warning(
                    "reply listener failed for business %s: %s",
                    business_id,
                    type(exc).__name__,
                )


def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Only the end of the outermost transaction clears the pending set, because
    # a rolled-back savepoint (`create_plan` uses one) leaves earlier replies
    # to commit.
    # After a commit, `_notify` has already taken the pending set.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _after_commit(session: Session, business_id: int) -> None:
    """Remember `business_id` until the session's transaction commits."""
    session.info.setdefault(_PENDING, set()).add(business_id)
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _notify)
        event.listen(session, "after_transaction_end", _forget)


def _handle(
    session: Session,
    inbound: InboundMessage,
    now: datetime,
    services: ReplyServices,
    prepared: object,
) -> str:
    # Only prefetched answers reach `handle_reply`, so no LLM request is sent
    # from inside the transaction.
    llm = prepared if isinstance(prepared, PrefetchedAnswers) else None
    action = handle_reply(session, inbound, now, services=services, llm=llm)
    if inbound.customer_id is not None:
        _after_commit(session, inbound.business_id)
    return action


def _prefetch(
    engine: Engine, replies: Sequence[InboundMessage], llm: LLMClassifier
) -> PrefetchedAnswers:
    """Ask `llm` about the unsure `replies`, which are not stored yet."""
    with transaction(engine) as session:
        texts = llm_questions(session, replies, llm.min_confidence)
    # The read transaction has ended, so the requests hold no connection.
    return PrefetchedAnswers.fetch(llm, texts, INTENTS)


def install_reply_handler(settings: Settings | None = None) -> ReplyHandler | None:
    """Make every stored reply go through `handle_reply`; return the old handler.

    With `COBRANZA_LLM_*` set in `settings` (default: the environment's), the
    model's low-confidence replies are also sent to that LLM, before the
    transaction that stores them.
    """
    services = reply_services()
    llm = LLMClassifier.from_settings(settings or get_settings())

    def handle(
        session: Session, inbound: InboundMessage, now: datetime, prepared: object
    ) -> str:
        return _handle(session, inbound, now, services, prepared)

    prepare = functools.partial(_prefetch, llm=llm) if llm is not None else None
    return set_reply_handler(ReplyHandler(handle=handle, prepare=prepare))
