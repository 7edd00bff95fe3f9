"""Frequency caps: messages per day, per week and the least gap between them.

Only messages actually sent count: outbox rows in state sent, delivered or
read. Queued, suppressed and failed rows (the provider rejected them or they
were never delivered) do not.

- The daily cap counts messages on the customer's local calendar day, as
  Colombia's Ley 2300 speaks of contacts per day.
- The weekly cap counts over a rolling 7 days (168 hours) ending at the
  instant checked. Chile's Ley 21.320 allows "two a week, at least two days
  apart". A rolling week is the stricter reading, because with calendar
  weeks four messages could fall inside seven days (Thu, Sat, Mon, Wed).
- The minimum gap is measured in elapsed time (48 hours for Chile's two
  days), which is stricter than counting calendar days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
)

from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import ContactRules
from cobranza.db.models import OutboxMessage, OutboxState
from cobranza.timeutil import local_date, start_of_day

WEEK = timedelta(days=7)

# Outbox states that mean the provider accepted the message.
SENT_STATES = (OutboxState.SENT, OutboxState.DELIVERED, OutboxState.READ)


@dataclass(frozen=True)
class CapDecision:
    """The result of `check_caps`: allowed, or the cap hit and when to retry."""

    allowed: bool
    reason: Reason | None = None
    retry_at: datetime | None = None


ALLOWED = CapDecision(allowed=True)


def check_caps(
    rules: ContactRules,
    previous_sends: Sequence[datetime],
    at: datetime,
    tz: str,
) -> CapDecision:
    """Check the frequency caps for one more message to a customer at `at`.

    `previous_sends` contains the instants of messages actually sent to the
    customer (aware datetimes, any order); sends after `at` are ignored. `tz`
    is the customer's time zone, which sets the calendar day. When a cap is
    hit, `retry_at` is the earliest instant at which that cap allows the
    message. The caller still checks the contact window at that instant.
    """
    sends = sorted(sent for sent in previous_sends if sent <= at)
    if not sends:
        return ALLOWED

    if rules.max_per_day is not None:
        today = local_date(at, tz)
        sent_today = [sent for sent in sends if local_date(sent, tz) == today]
        if len(sent_today) >= rules.max_per_day:
            tomorrow = start_of_day(today + timedelta(days=1), tz)
            return CapDecision(False, Reason.DAILY_CAP, tomorrow)

    if rules.max_per_week is not None:
        in_week = [sent for sent in sends if sent > at - WEEK]
        if len(in_week) >= rules.max_per_week:
            # The message becomes possible once enough of them leave the week.
            oldest_to_expire = in_week[len(in_week) - rules.max_per_week]
            return CapDecision(False, Reason.WEEKLY_CAP, oldest_to_expire + WEEK)

    if rules.min_gap is not None and at - sends[-1] < rules.min_gap:
        return CapDecision(False, Reason.MIN_GAP, sends[-1] + rules.min_gap)

    return ALLOWED


def capped_customers_query(
    business_id: int, rules: ContactRules, at: datetime, tz: str
) -> Select[int]:
    """Select the ids of the customers that a cap blocks at `at`, set-based.

    For the planner, which filters thousands of customers in one query. It
    reads `outbox_message` rows in `SENT_STATES`. The day boundary is taken in
    `tz` (the business's zone), so for a customer in another zone the daily
    cap may be off by the zone difference here. The gate runs `check_caps`
    with the customer's own zone before sending.
    """
    sent = OutboxMessage.sent_at
    conditions = []
    if rules.max_per_day is not None:
        day_start = start_of_day(local_date(at, tz), tz)
        conditions.append(_count_since(day_start) >= rules.max_per_day)
    if rules.max_per_week is not None:
        conditions.append(
            _count_since(at - WEEK, inclusive=False) >= rules.max_per_week
        )
    if rules.min_gap is not None:
        conditions.append(func.max(sent) > at - rules.min_gap)

    query = (
        select(OutboxMessage.customer_id)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state.in_(SENT_STATES),
            sent.is_not(None),
            sent <= at,
        )
        .group_by(OutboxMessage.customer_id)
    )
    if not conditions:
        return query.where(false())
    return query.having(or_(*conditions))


def _count_since(start: datetime, *, inclusive: bool = True) -> ColumnElement[Any]:
    sent = OutboxMessage.sent_at
    after = sent >= start if inclusive else sent > start
    return func.sum(case((after, 1), else_=0))


def recent_sends_query(
    business_id: int, customer_id: int, rules: ContactRules, at: datetime
) -> Select[datetime | None]:
    """Select the send instants that `check_caps` needs for one customer.

    The lookback covers a rolling week plus one local day, or the minimum
    gap when a business set a longer one.
    """
    return (
        select(OutboxMessage.sent_at)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.customer_id == customer_id,
            OutboxMessage.state.in_(SENT_STATES),
            OutboxMessage.sent_at.is_not(None),
            OutboxMessage.sent_at > at - recent_sends_lookback(rules),
            OutboxMessage.sent_at <= at,
        )
        .order_by(OutboxMessage.sent_at)
    )


def recent_sends_lookback(rules: ContactRules) -> timedelta:
    """Return how far back `check_caps` needs the sends before an instant."""
    return max(WEEK + timedelta(days=1), rules.min_gap or timedelta(0))


# `recent_sends_query` for many customers, as (customer id, sent at). It is
# built once with bind parameters `business_id`, `customer_ids`, `since`
# (the instant minus `recent_sends_lookback`) and `until`, because building a
# statement costs more than running it for a few customers.
RECENT_SENDS_BY_CUSTOMER = (
    select(OutboxMessage.customer_id, OutboxMessage.sent_at)
    .where(
        OutboxMessage.business_id == bindparam("business_id"),
        OutboxMessage.customer_id.in_(bindparam("customer_ids", expanding=True)),
        OutboxMessage.state.in_(SENT_STATES),
        OutboxMessage.sent_at.is_not(None),
        OutboxMessage.sent_at > bindparam("since"),
        OutboxMessage.sent_at <= bindparam("until"),
    )
    .order_by(OutboxMessage.customer_id, OutboxMessage.sent_at)
)
