"""Business days, and when an invoice becomes overdue.

Brazilian law (Código Civil art. 132) and bank practice in Brazil,
Argentina, Mexico and Colombia move a due date that falls on a Saturday, a
Sunday or a public holiday to the next business day, the effective due date.
An invoice due on a Saturday and paid on Monday is paid on time, so it is
overdue only from the day after its effective due date.

The holidays are those of the contact rules' calendar (`holiday_calendar`):
the business's country, plus its state or province when the business sets a
subdivision. Days on which only banks close count as holidays here too
(`bank_holidays`), since a bill due on one can be paid on the next business
day without a fine. In Argentina, Chile and Uruguay they are the
`holidays` package's bank calendar: Bankers' Day (6 November) and each
year's bank holidays in Argentina, 31 December in Chile, and in Uruguay
Carnival, Tourism Week and the working holidays (6 January, 19 April,
18 May, 19 June, 12 October, 2 November). In Brazil they are Carnival and
Corpus Christi, which Febraban's calendar closes although the
`holidays` package lists them as optional. In Mexico they are Holy Thursday
and Friday, 2 November and 12 December, from the CNBV's yearly calendar.
The contact days do not matter here, because Colombia allows messages on
Saturdays while banks stay closed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache, partial

import holidays
from dateutil.easter import easter

from cobranza.compliance.rules import ContactRules, rules_for_business
from cobranza.compliance.window import MAX_SEARCH_DAYS, holiday_calendar
from cobranza.db.models import Business

SATURDAY = 5

# Brazil's optional holidays on which banks do not open, by their English
# name in the `holidays` package. Ash Wednesday is not one, because banks
# open at noon that day.
BRAZIL_BANK_CLOSED = frozenset({"Carnival", "Corpus Christi"})
# Days besides the public holidays on which the CNBV closes Mexican banks,
# as (month, day). Holy Thursday and Good Friday move with Easter.
MEXICO_BANK_CLOSED = ((11, 2), (12, 12))


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


def bank_holidays(country: str, year: int) -> frozenset[date]:
    """Return the days of `year` that only banks close in `country`.

    They are the `holidays` package's "bank" category where the country has
    one (Argentina, Chile, Uruguay), Brazil's optional Carnival and Corpus
    Christi, and the CNBV's extra days for Mexico.
    """
    return _bank_holidays(country.upper(), year)


@lru_cache(maxsize=64)
def _bank_holidays(country: str, year: int) -> frozenset[date]:
    if country == "BR":
        optional = holidays.country_holidays(
            "BR", years=year, categories=("optional",), language="en_US"
        )
        return frozenset(
            day
            for day, names in optional.items()
            if BRAZIL_BANK_CLOSED.intersection(names.split("; "))
        )
    if country == "MX":
        sunday = easter(year)
        fixed = (date(year, month, day) for month, day in MEXICO_BANK_CLOSED)
        return frozenset(
            (sunday - timedelta(days=3), sunday - timedelta(days=2), *fixed)
        )
    kind = holidays.country_holidays(country).__class__
    if "bank" not in kind.supported_categories:
        return frozenset()
    return frozenset(
        holidays.country_holidays(country, years=year, categories=("bank",))
    )


def _is_business_day(country: str, subdivision: str | None, day: date) -> bool:
    if day.weekday() >= SATURDAY:
        return False
    if day in holiday_calendar(country, subdivision, day.year):
        return False
    return day not in bank_holidays(country, day.year)


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
