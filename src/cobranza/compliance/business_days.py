"""Business days, and when an invoice becomes overdue.

Brazilian law (Código Civil art. 132) and bank practice in Brazil,
Argentina, Mexico and Colombia move a due date that falls on a Saturday, a
Sunday or a public holiday to the next business day, the effective due date.
An invoice due on a Saturday and paid on Monday is paid on time, so it is
overdue only from the day after its effective due date.

The holidays are those of the contact rules' calendar (`holiday_calendar`):
the business's country, plus its state or province when the business sets a
subdivision. The contact days do not matter here, because Colombia allows
messages on Saturdays while banks stay closed.

NOTE: days that only banks close, such as Carnival Monday and Tuesday in
Brazil (an optional holiday in the `holidays` package), count as business
days, so an invoice due on them is overdue from the next day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache, partial

from cobranza.compliance.rules import ContactRules, rules_for_business
from cobranza.compliance.window import MAX_SEARCH_DAYS, holiday_calendar
from cobranza.db.models import Business

SATURDAY = 5


def is_business_day(rules: ContactRules, day: date) -> bool:
    """Return whether `day` is a weekday that is not a holiday in the rules' country."""
    return _is_business_day(rules.country, rules.subdivision, day)


def effective_due_date(rules: ContactRules, due_on: date) -> date:
    """Return `due_on`, or the next business day when `due_on` is not one."""
    return _search(rules.country, rules.subdivision, due_on, 1)


def effective_due_dates(business: Business) -> Callable[[date], date]:
    """Return `effective_due_date` bound to the holidays of `business`."""
    return partial(
        effective_due_date, rules_for_business(business.country, business.settings)
    )


def business_day_on_or_before(rules: ContactRules, day: date) -> date:
    """Return `day`, or the last business day before it when `day` is not one."""
    return _search(rules.country, rules.subdivision, day, -1)


def overdue_cutoff(rules: ContactRules, today: date) -> date:
    """Return the latest due date that is overdue on `today`.

    That is the last business day before `today`, because an invoice is
    overdue exactly when its effective due date is before `today`, and that
    happens exactly when its due date is on or before that business day.
    Queries compare `Document.due_on <= cutoff` with it.
    """
    return business_day_on_or_before(rules, today - timedelta(days=1))


def days_past_due(rules: ContactRules, due_on: date, today: date) -> int:
    """Count the days past due on `today` of an invoice due on `due_on`.

    Up to the due date the count is zero or negative (days before the
    printed due date). From the day after it until the effective due date
    it is zero, and later it counts the days since the effective due date.
    """
    if today <= due_on:
        return (today - due_on).days
    return max(0, (today - effective_due_date(rules, due_on)).days)


def _is_business_day(country: str, subdivision: str | None, day: date) -> bool:
    if day.weekday() >= SATURDAY:
        return False
    return day not in holiday_calendar(country, subdivision, day.year)


# The planner looks up the same few due dates for every customer, and each
# lookup in the `holidays` package costs microseconds, so results are cached.
@lru_cache(maxsize=4096)
def _search(country: str, subdivision: str | None, start: date, step_days: int) -> date:
    step = timedelta(days=step_days)
    day = start
    for _ in range(MAX_SEARCH_DAYS):
        if _is_business_day(country, subdivision, day):
            return day
        day += step
    raise ValueError(
        f"no business day within {MAX_SEARCH_DAYS} days of {start.isoformat()} "
        f"in {country}: check the holiday calendar of the business"
    )
