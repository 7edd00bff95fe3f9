"""Wire the conversation engine into the inbound hook of the channels.

`conversations` cannot import `payments` and `channels` cannot import
`conversations` (the layer order puts them the other way round), so this
module, which sits on top, builds the payment services the actions need
and installs `handle_reply` as the channels' reply handler. The web app
and the CLI call `install_reply_handler` when they start.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from cobranza.channels.inbox import ReplyHandler, set_reply_handler
from cobranza.conversations.actions import ReplyServices
from cobranza.conversations.dialogue import handle_reply
from cobranza.db.models import Business, Case
from cobranza.payments import create_plan
from cobranza.payments.errors import PaymentError
from cobranza.payments.links import NothingOwedError, payment_link_for_case
from cobranza.payments.plans import limits_for

logger = logging.getLogger(__name__)


def _payment_link(
    session: Session, business: Business, case: Case, now: datetime
) -> str | None:
    try:
        return payment_link_for_case(session, business, case, now)
    except NothingOwedError:
        return None


def _max_installments(business: Business) -> int:
    return limits_for(business).max_count


def _create_plan(session: Session, case: Case, count: int, now: datetime) -> bool:
    try:
        create_plan(session, case, count, now)
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
        create_plan=_create_plan,
    )


def install_reply_handler() -> ReplyHandler | None:
    """Make every stored reply go through `handle_reply`; return the old handler."""
    handler = partial(handle_reply, services=reply_services())
    return set_reply_handler(handler)
