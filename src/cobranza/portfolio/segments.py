"""Refresh `Customer.segment` from the payment history, for the planner."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from cobranza.config import get_settings
from cobranza.db.models import Business, Customer
from cobranza.portfolio.behaviour import customer_behaviour
from cobranza.portfolio.rules import Segment, SegmentRules
from cobranza.portfolio.snapshot import EffectiveDueDate, Snapshot, load_snapshot

__all__ = ["Segment", "SegmentRules", "refresh_segments", "store_segments"]

logger = logging.getLogger(__name__)

UPDATE_CHUNK = 1000


def refresh_segments(
    session: Session,
    business: Business,
    today: date,
    rules: SegmentRules | None = None,
    *,
    effective_due: EffectiveDueDate | None = None,
) -> Counter[str]:
    """Recompute every customer's segment as of `today` and store it.

    Customers without documents become `new`. `rules` defaults to the
    thresholds in the process settings, and a payment is late after
    `effective_due` of its due date (see `load_snapshot`). Returns the count
    per segment. The caller owns the transaction.
    """
    if rules is None:
        rules = SegmentRules.from_settings(get_settings())
    snapshot = load_snapshot(
        session, business, today, period_days=0, effective_due=effective_due
    )
    return store_segments(session, business, snapshot, rules)


def store_segments(
    session: Session, business: Business, snapshot: Snapshot, rules: SegmentRules
) -> Counter[str]:
    """Write the segments computed from `snapshot`, changing only what differs."""
    behaviour = customer_behaviour(snapshot.all_documents, rules)
    customers = snapshot.customers.set_index("customer_id")
    computed = behaviour["segment"].reindex(customers.index).fillna(Segment.NEW.value)

    changed = computed[computed != customers["segment"]]
    for segment, ids in changed.groupby(changed).groups.items():
        id_list = [int(value) for value in ids]
        for start in range(0, len(id_list), UPDATE_CHUNK):
            session.execute(
                update(Customer)
                .where(
                    Customer.business_id == business.id,
                    Customer.id.in_(id_list[start : start + UPDATE_CHUNK]),
                )
                .values(segment=str(segment))
            )

    logger.info(
        "segments refreshed for business %s as of %s: %d customers, %d changed",
        business.id,
        snapshot.as_of.isoformat(),
        len(computed),
        len(changed),
    )
    return Counter(computed.tolist())
