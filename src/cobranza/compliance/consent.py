"""The consent ledger: append-only grants and revocations per customer.

The latest event for a customer and channel wins: a revocation (opt-out)
stops every message until a later grant, and a customer with no event at
all has not consented, so nothing is sent. A revocation also stops the
other customers with the same phone until each gets a later grant, because
the person who opted out uses that number. Events are never updated or
deleted; each one also writes an `AuditEvent`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, Subquery, bindparam, func, select, union
from sqlalchemy.orm import Session

from cobranza.compliance.errors import CustomerNotFoundError, InvalidConsentError
from cobranza.db.models import AuditEvent, ConsentAction, ConsentEvent, Customer

logger = logging.getLogger(__name__)

WHATSAPP = "whatsapp"


@dataclass(frozen=True)
class ConsentState:
    """A customer's current consent and the event that set it."""

    granted: bool | None
    event: ConsentEvent | None


def record_consent(
    session: Session,
    business_id: int,
    customer_id: int,
    action: ConsentAction | str,
    source: str,
    evidence: str | None,
    at: datetime,
    *,
    channel: str = WHATSAPP,
    actor: str = "system",
) -> ConsentEvent:
    """Append a grant or revocation of consent, with its audit event.

    `source` names where the consent came from (a signed form, a WhatsApp
    reply, the owner by hand) and `evidence` what proves it (a document id,
    a message id). Raises InvalidConsentError for an unknown action, an
    empty source or a naive `at`, and CustomerNotFoundError when the
    customer is not the business's.
    """
    checked_action = _check_action(action)
    checked_source = source.strip() if source else ""
    if not checked_source:
        raise InvalidConsentError(
            "falta el origen del consentimiento: anotá de dónde salió el "
            "consentimiento o la baja, por ejemplo 'formulario firmado' o "
            "'respuesta por WhatsApp'"
        )
    if at.tzinfo is None:
        raise InvalidConsentError(
            f"naive consent time {at.isoformat()}: pass an aware datetime (UTC)"
        )
    _require_customer(session, business_id, customer_id)

    event = ConsentEvent(
        business_id=business_id,
        customer_id=customer_id,
        channel=channel,
        action=checked_action,
        source=checked_source,
        evidence=evidence.strip() if evidence and evidence.strip() else None,
        at=at,
    )
    session.add(event)
    session.flush()
    session.add(
        AuditEvent(
            business_id=business_id,
            at=at,
            actor=actor,
            kind=f"consent.{checked_action}",
            subject_type="customer",
            subject_id=customer_id,
            reason=checked_source,
            details={"consent_event_id": event.id, "channel": channel},
        )
    )
    session.flush()

    logger.info(
        "consent %s recorded for business %s customer %s (event %s)",
        checked_action,
        business_id,
        customer_id,
        event.id,
    )
    return event


def current_consent_state(
    session: Session, business_id: int, customer_id: int, channel: str = WHATSAPP
) -> ConsentState:
    """Return the customer's latest consent event and what it means.

    An opt-out comes from the person who uses the phone, so a grant loses to
    a later revocation that is still the latest event of another customer
    with the same phone. That revocation is returned then.
    """
    event = session.scalars(
        select(ConsentEvent)
        .where(
            ConsentEvent.business_id == business_id,
            ConsentEvent.customer_id == customer_id,
            ConsentEvent.channel == channel,
        )
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return ConsentState(granted=None, event=None)
    if event.action != ConsentAction.GRANT:
        return ConsentState(granted=False, event=event)

    revocation = _later_revocation_of_phone(session, event)
    if revocation is not None:
        return ConsentState(granted=False, event=revocation)
    return ConsentState(granted=True, event=event)


def _later_revocation_of_phone(
    session: Session, grant: ConsentEvent
) -> ConsentEvent | None:
    """Return a revocation after `grant` by another customer with its phone."""
    phone = session.scalar(
        select(Customer.phone).where(Customer.id == grant.customer_id)
    )
    if not phone:
        return None
    sharing = select(Customer.id).where(
        Customer.business_id == grant.business_id,
        Customer.phone == phone,
        Customer.id != grant.customer_id,
    )
    events = session.scalars(
        select(ConsentEvent)
        .where(
            ConsentEvent.business_id == grant.business_id,
            ConsentEvent.customer_id.in_(sharing),
            ConsentEvent.channel == grant.channel,
        )
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
    )
    seen: set[int] = set()
    for event in events:
        if event.customer_id in seen:
            continue
        seen.add(event.customer_id)
        if event.action == ConsentAction.REVOKE and event.at > grant.at:
            return event
    return None


def current_consent(
    session: Session, business_id: int, customer_id: int, channel: str = WHATSAPP
) -> bool | None:
    """Return True (granted), False (revoked) or None (never recorded)."""
    return current_consent_state(session, business_id, customer_id, channel).granted


def current_consents(
    session: Session,
    business_id: int,
    customer_ids: Collection[int],
    channel: str = WHATSAPP,
) -> dict[int, bool | None]:
    """Return `current_consent` for many customers, in one statement.

    The latest event of each customer, and of every other customer sharing
    a phone with one of them, is read with ROW_NUMBER. A grant then loses
    to a later revocation of a customer with the same phone, as in
    `current_consent_state`.
    """
    if not customer_ids:
        return {}
    parameters = {
        "business_id": business_id,
        "customer_ids": sorted(customer_ids),
        "channel": channel,
    }
    latest = session.execute(_LATEST_CONSENT_EVENTS, parameters).all()

    events = {customer_id: (action, at) for customer_id, action, at, _ in latest}
    phone_of = {customer_id: phone for customer_id, _, _, phone in latest}
    revocations: dict[str, list[tuple[int, datetime]]] = {}
    for customer_id, action, at, phone in latest:
        if phone and action == ConsentAction.REVOKE:
            revocations.setdefault(phone, []).append((customer_id, at))

    result: dict[int, bool | None] = {}
    for customer_id in customer_ids:
        event = events.get(customer_id)
        if event is None:
            result[customer_id] = None
            continue
        action, granted_at = event
        if action != ConsentAction.GRANT:
            result[customer_id] = False
            continue
        later = [
            other
            for other, revoked_at in revocations.get(phone_of[customer_id] or "", [])
            if other != customer_id and revoked_at > granted_at
        ]
        result[customer_id] = not later
    return result


def _latest_consent_events() -> Select[int, str, datetime, str | None]:
    """Build the query of `current_consents`, with bind parameters.

    It selects (customer id, action, at, phone) of the latest event of each
    customer in `customer_ids` and of each customer sharing a phone with one.
    The customers come from a UNION of two indexed lookups, because with an
    OR SQLite scans every customer of the business. Customers of other
    businesses that share a phone add nothing, because the events are
    filtered by business.
    """
    customer_ids: BindParameter[Any] = bindparam("customer_ids", expanding=True)
    business_id: BindParameter[Any] = bindparam("business_id")
    phones = select(Customer.phone).where(
        Customer.business_id == business_id,
        Customer.id.in_(customer_ids),
        Customer.phone.is_not(None),
        Customer.phone != "",
    )
    related = union(
        select(Customer.id).where(Customer.id.in_(customer_ids)),
        select(Customer.id).where(Customer.phone.in_(phones)),
    )
    ranked = (
        select(
            ConsentEvent.customer_id,
            ConsentEvent.action,
            ConsentEvent.at,
            func.row_number()
            .over(
                partition_by=ConsentEvent.customer_id,
                order_by=(ConsentEvent.at.desc(), ConsentEvent.id.desc()),
            )
            .label("rank"),
        )
        .where(
            ConsentEvent.business_id == business_id,
            ConsentEvent.channel == bindparam("channel"),
            ConsentEvent.customer_id.in_(related),
        )
        .subquery("ranked_consent")
    )
    return (
        select(ranked.c.customer_id, ranked.c.action, ranked.c.at, Customer.phone)
        .join(Customer, Customer.id == ranked.c.customer_id)
        .where(ranked.c.rank == 1)
    )


# Built once, because building it costs more than running it for one customer.
_LATEST_CONSENT_EVENTS = _latest_consent_events()


def consent_history(
    session: Session, business_id: int, customer_id: int
) -> list[ConsentEvent]:
    """Return every consent event of the customer, oldest first."""
    return list(
        session.scalars(
            select(ConsentEvent)
            .where(
                ConsentEvent.business_id == business_id,
                ConsentEvent.customer_id == customer_id,
            )
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
    )


def consent_granted_subquery(business_id: int, channel: str = WHATSAPP) -> Subquery:
    """Return a subquery of the customers whose latest event is a grant.

    Its one column, `customer_id`, can be joined or used with `in_` by the
    planner to filter a whole portfolio in one statement. Events are ranked
    per customer with ROW_NUMBER (SQLite 3.25+ and PostgreSQL), latest
    instant first and the higher id breaking ties, as `current_consent` does.
    """
    ranked = (
        select(
            ConsentEvent.customer_id,
            ConsentEvent.action,
            func.row_number()
            .over(
                partition_by=ConsentEvent.customer_id,
                order_by=(ConsentEvent.at.desc(), ConsentEvent.id.desc()),
            )
            .label("rank"),
        )
        .where(ConsentEvent.business_id == business_id, ConsentEvent.channel == channel)
        .subquery("ranked_consent")
    )
    return (
        select(ranked.c.customer_id)
        .where(ranked.c.rank == 1, ranked.c.action == ConsentAction.GRANT)
        .subquery("consent_granted")
    )


def _check_action(action: ConsentAction | str) -> ConsentAction:
    try:
        return ConsentAction(str(action).strip().lower())
    except ValueError:
        raise InvalidConsentError(
            f"invalid consent action {action!r}: use 'grant' or 'revoke'"
        ) from None


def _require_customer(session: Session, business_id: int, customer_id: int) -> None:
    """Check the customer is the business's and lock its row until the commit.

    On PostgreSQL the dispatcher locks the same row just before a send, so
    an opt-out and a send's last consent check do not overlap. SQLite
    ignores FOR UPDATE, and its write lock already serialises the two.
    """
    found = session.scalar(
        select(Customer.id)
        .where(Customer.business_id == business_id, Customer.id == customer_id)
        .with_for_update()
    )
    if found is None:
        raise CustomerNotFoundError(
            f"customer id {customer_id} not found in business {business_id}: "
            "check the id, or import the customer first"
        )
