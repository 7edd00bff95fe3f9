"""Contact windows: whether an instant is allowed, and the next one that is.

Every check reads the wall clock of the customer's time zone, so the rules
follow daylight-saving changes: 09:00 is 09:00 local on both sides of a
transition. Window ends are exclusive (a window of 09-20 allows 19:59:59
and not 20:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from cobranza.compliance.reasons import Reason
from cobranza.compliance.rules import ContactRules
from cobranza.phones import phone_timezones

# Rules always open at least one weekday, so a holiday-free allowed day
# comes within weeks; a year bounds the search against a closed calendar.
MAX_SEARCH_DAYS = 366


@lru_cache(maxsize=256)
def holiday_calendar(
    country: str, subdivision: str | None, year: int, language: str | None = None
) -> holidays.HolidayBase:
    """Return the holidays of one year in a country and, when set, its subdivision."""
    return holidays.country_holidays(
        country, subdiv=subdivision, years=year, language=language
    )


def holiday_name(
    rules: ContactRules, day: date, language: str | None = None
) -> str | None:
    """Return the name of the holiday on `day` in the rules' country, or None.

    Uses the `holidays` package for the country and, when set, its
    subdivision (for example BR with SP adds São Paulo's state holidays).
    `language` picks the name's language ("es", "pt_BR"); the package's
    default is used when it is None or the country has no such translation.
    NOTE: municipal holidays (such as São Paulo city's 25 January) are not in
    that package, so messages are not blocked on them.
    """
    calendar = holiday_calendar(rules.country, rules.subdivision, day.year)
    if language is not None and language in calendar.supported_languages:
        calendar = holiday_calendar(
            rules.country, rules.subdivision, day.year, language
        )
    return calendar.get(day)


def holidays_skipped(
    rules: ContactRules, start: datetime, until: datetime, tz: str, language: str
) -> list[tuple[date, str]]:
    """Return the holidays that kept a message deferred from `start` to `until`.

    These are the days from `start`'s local day up to the day before
    `until`'s whose weekday is open for contact, but which are holidays
    that the rules block. Days closed every week (a Sunday) are left out,
    because the weekday rule, not the holiday, kept those closed.
    """
    if not rules.block_holidays:
        return []
    first = _to_local(start, tz).date()
    last = _to_local(until, tz).date()
    skipped = []
    day = first
    while day < last:
        if rules.window_for(day.weekday()) is not None:
            name = holiday_name(rules, day, language)
            if name is not None:
                skipped.append((day, name))
        day += timedelta(days=1)
    return skipped


def block_reason(rules: ContactRules, at: datetime, tz: str) -> Reason | None:
    """Return why `at` is outside the contact window in zone `tz`, or None."""
    local = _to_local(at, tz)
    window = rules.window_for(local.weekday())
    if window is None:
        return Reason.DAY_NOT_ALLOWED
    if rules.block_holidays and holiday_name(rules, local.date()) is not None:
        return Reason.HOLIDAY
    if not window.contains(local.time()):
        return Reason.OUTSIDE_CONTACT_WINDOW
    return None


def contact_zones(
    customer_timezone: str | None, phone: str | None, business_timezone: str
) -> tuple[str, ...]:
    """Return the time zones whose clocks the contact window must allow.

    The first is the customer's zone, or the business's when the customer
    has none. Some area codes span several zones (Brazil's DDD 97). When
    the customer's zone is the one stored from such an area code, every
    zone of the area code follows, so a message goes out only within the
    hours on each of those clocks. A customer whose zone is another one of
    them was set apart from the area code and keeps that zone alone.
    """
    zone = customer_timezone or business_timezone
    area_zones = phone_timezones(phone)
    if len(area_zones) < 2 or zone != area_zones[0]:
        return (zone,)
    return area_zones


def first_block(
    rules: ContactRules, at: datetime, zones: tuple[str, ...]
) -> tuple[Reason, str] | None:
    """Return the first reason and zone among `zones` that block `at`, or None."""
    for zone in zones:
        reason = block_reason(rules, at, zone)
        if reason is not None:
            return reason, zone
    return None


def next_allowed_in_all(
    rules: ContactRules, at: datetime, zones: tuple[str, ...]
) -> datetime:
    """Return the earliest instant >= `at` inside the window on every zone's clock.

    Each step moves to the next allowed instant of a zone that blocks, and
    no step moves backwards, so the search ends at the first instant that
    every zone allows. Raises ValueError as `next_allowed` does, or when
    the zones' windows never overlap within `MAX_SEARCH_DAYS`.
    """
    candidate = at
    limit = at + timedelta(days=MAX_SEARCH_DAYS)
    while candidate <= limit:
        blocked = first_block(rules, candidate, zones)
        if blocked is None:
            return candidate.astimezone(UTC)
        candidate = next_allowed(rules, candidate, blocked[1])
    raise ValueError(
        f"no contact time allowed in every zone of {', '.join(zones)} within "
        f"{MAX_SEARCH_DAYS} days after {at.isoformat()}: check the business's "
        "days and hours"
    )


def is_allowed(rules: ContactRules, at: datetime, tz: str) -> bool:
    """Return whether a message may be sent at instant `at` in zone `tz`."""
    return block_reason(rules, at, tz) is None


def next_allowed(rules: ContactRules, at: datetime, tz: str) -> datetime:
    """Return the earliest instant >= `at` inside the window, in UTC.

    A message blocked now is deferred to this instant, not dropped. Raises
    ValueError when no allowed instant exists within `MAX_SEARCH_DAYS`.
    """
    local = _to_local(at, tz)
    zone = ZoneInfo(tz)

    for offset in range(MAX_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        window = rules.window_for(day.weekday())
        if window is None:
            continue
        if rules.block_holidays and holiday_name(rules, day) is not None:
            continue
        opening = _first_instant_at(day, window.start, zone)
        closing = _first_instant_at(day, window.end, zone)
        if offset == 0 and at >= closing:
            continue
        return max(opening, at.astimezone(UTC))

    raise ValueError(
        f"no allowed contact time within {MAX_SEARCH_DAYS} days after "
        f"{at.isoformat()} in {tz}: check the business's days and hours"
    )


def _to_local(at: datetime, tz: str) -> datetime:
    if at.tzinfo is None:
        raise ValueError(
            f"naive datetime {at.isoformat()}: pass an aware datetime (UTC)"
        )
    return at.astimezone(ZoneInfo(tz))


def _first_instant_at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """Return the first instant at which the clock of `zone` reads `wall` on `day`.

    In a fall-back overlap that is the first of the two readings. In a
    spring-forward gap the wall time never occurs, and the result is the
    transition itself, the first instant after the gap.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if _wall_clock(second, zone) == naive:
        return min(first, second)

    # A gap: fold=1 maps before it and fold=0 after it. Transitions fall on
    # whole seconds, so bisect over whole seconds between the two.
    low, high = int(second.timestamp()), int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall_clock(datetime.fromtimestamp(middle, UTC), zone) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)
