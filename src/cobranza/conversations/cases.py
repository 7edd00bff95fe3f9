"""Open a case for a reply from a customer who has none.

The planner opens a case with the first reminder and closes it when
nothing is owed. A reply that needs an action or a person (a dispute, a
promise, a stop with a complaint) may come before that reminder or after
the close, so the reply handler opens the case itself.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobranza.db.models import AuditEvent, Case, CaseState

logger = logging.getLogger(__name__)

ACTOR = "conversations"
OPENED_BY_REPLY = "respuesta sin caso abierto"


def open_case_for_reply(
    session: Session, business_id: int, customer_id: int, now: datetime
) -> Case:
    """Return the customer's open case, opening one (audited) when there is none.

    The insert runs in a savepoint: when the planner or another reply opens
    the customer's case at the same time, the unique index on open cases
    rejects this one and the other case is returned.
    """
    case = _open_case(session, business_id, customer_id)
    if case is not None:
        return case

    case = Case(
        business_id=business_id,
        customer_id=customer_id,
        state=CaseState.OPEN,
        opened_at=now,
    )
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        existing = _open_case(session, business_id, customer_id)
        if existing is None:
            raise
        return existing

    session.add(
        AuditEvent(
            business_id=business_id,
            at=now,
            actor=ACTOR,
            kind="case_opened",
            subject_type="case",
            subject_id=case.id,
            reason=OPENED_BY_REPLY,
            details={"customer_id": customer_id},
        )
    )
    session.flush()
    logger.info("case %s opened for a reply of customer %s", case.id, customer_id)
    return case


def _open_case(session: Session, business_id: int, customer_id: int) -> Case | None:
    return session.scalars(
        select(Case).where(
            Case.business_id == business_id,
            Case.customer_id == customer_id,
            Case.closed_at.is_(None),
        )
    ).first()
