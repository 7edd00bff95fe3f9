"""Contact windows at their boundaries, on weekends, holidays and across DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cobranza.compliance import (
    DayWindow,
    Reason,
    block_reason,
    contact_zones,
    holiday_name,
    is_allowed,
    legal_rules,
    next_allowed,
    next_allowed_in_all,
)

# The week of Monday 1 June 2026 has no public holiday in any of these
# countries from Monday to Saturday.
MONDAY = date(2026, 6, 1)
SATURDAY = date(2026, 6, 6)
SUNDAY = date(2026, 6, 7)

ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "CO": "America/Bogota",
    "CL": "America/Santiago",
    "MX": "America/Mexico_City",
    "PE": "America/Lima",
    "BR": "America/Sao_Paulo",
    "UY": "America/Montevideo",
}


def local(day: date, hour: int, minute: int = 0, tz: str = ZONES["AR"]) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


# (country, first allowed minute, first blocked minute) on a weekday.
WEEKDAY_WINDOWS = [
    ("AR", (9, 0), (20, 0)),
    ("CO", (7, 0), (19, 0)),
    ("CL", (8, 0), (20, 0)),
    ("MX", (7, 0), (22, 0)),
    ("PE", (7, 0), (20, 0)),
    ("BR", (8, 0), (20, 0)),
    ("UY", (9, 0), (20, 0)),
]


@pytest.mark.parametrize(("country", "opens", "closes"), WEEKDAY_WINDOWS)
def test_weekday_window_boundaries(
    country: str, opens: tuple[int, int], closes: tuple[int, int]
) -> None:
    rules = legal_rules(country)
    tz = ZONES[country]
    opening = local(MONDAY, *opens, tz=tz)
    closing = local(MONDAY, *closes, tz=tz)

    assert not is_allowed(rules, opening - timedelta(minutes=1), tz)
    assert is_allowed(rules, opening, tz)
    assert is_allowed(rules, closing - timedelta(minutes=1), tz)
    assert not is_allowed(rules, closing, tz)
    assert block_reason(rules, closing, tz) is Reason.OUTSIDE_CONTACT_WINDOW


def test_argentina_boundaries_named_in_the_brief() -> None:
    rules = legal_rules("AR")
    tz = ZONES["AR"]

    assert not is_allowed(rules, local(MONDAY, 8, 59), tz)
    assert is_allowed(rules, local(MONDAY, 9, 0), tz)
    assert is_allowed(rules, local(MONDAY, 19, 59), tz)
    assert not is_allowed(rules, local(MONDAY, 20, 0), tz)


@pytest.mark.parametrize(
    ("country", "opens", "closes"),
    [("CO", (8, 0), (15, 0)), ("CL", (8, 0), (20, 0)), ("BR", (8, 0), (14, 0))],
)
def test_saturday_window_where_law_allows(
    country: str, opens: tuple[int, int], closes: tuple[int, int]
) -> None:
    rules = legal_rules(country)
    tz = ZONES[country]
    opening = local(SATURDAY, *opens, tz=tz)
    closing = local(SATURDAY, *closes, tz=tz)

    assert not is_allowed(rules, opening - timedelta(minutes=1), tz)
    assert is_allowed(rules, opening, tz)
    assert is_allowed(rules, closing - timedelta(minutes=1), tz)
    assert not is_allowed(rules, closing, tz)


@pytest.mark.parametrize("country", ["AR", "MX", "PE", "UY"])
def test_saturday_closed_where_weekdays_only(country: str) -> None:
    tz = ZONES[country]

    reason = block_reason(legal_rules(country), local(SATURDAY, 11, tz=tz), tz)

    assert reason is Reason.DAY_NOT_ALLOWED


@pytest.mark.parametrize("country", sorted(ZONES))
def test_sunday_closed_everywhere(country: str) -> None:
    tz = ZONES[country]

    reason = block_reason(legal_rules(country), local(SUNDAY, 11, tz=tz), tz)

    assert reason is Reason.DAY_NOT_ALLOWED


@pytest.mark.parametrize(
    ("country", "day"),
    [
        ("AR", date(2026, 3, 24)),  # Día de la Memoria, a Tuesday
        ("BR", date(2026, 7, 9)),  # Revolução Constitucionalista, São Paulo only
        ("CO", date(2026, 7, 20)),  # Independence Day, a Monday
    ],
)
def test_holiday_blocks_whole_day(country: str, day: date) -> None:
    rules = legal_rules(country)
    tz = ZONES[country]

    assert holiday_name(rules, day) is not None
    assert block_reason(rules, local(day, 11, tz=tz), tz) is Reason.HOLIDAY
    assert not is_allowed(rules, local(day, 11, tz=tz), tz)


def test_state_holiday_needs_subdivision() -> None:
    sao_paulo = legal_rules("BR")
    rio = replace(sao_paulo, subdivision="RJ")

    assert holiday_name(sao_paulo, date(2026, 7, 9)) is not None
    assert holiday_name(rio, date(2026, 7, 9)) is None


def test_next_allowed_skips_argentine_holidays() -> None:
    # Monday 23 March 2026 is a bridge holiday and Tuesday 24 is Memory Day.
    rules = legal_rules("AR")
    friday_evening = local(date(2026, 3, 20), 20, 30)

    result = next_allowed(rules, friday_evening, ZONES["AR"])

    assert result == local(date(2026, 3, 25), 9, 0).astimezone(UTC)
    assert result.tzinfo is UTC


def test_next_allowed_inside_window_is_now() -> None:
    at = local(MONDAY, 10, 15)

    result = next_allowed(legal_rules("AR"), at, ZONES["AR"])

    assert result == at
    assert result.utcoffset() == timedelta(0)


def test_next_allowed_before_opening_same_day() -> None:
    result = next_allowed(legal_rules("AR"), local(MONDAY, 6, 0), ZONES["AR"])

    assert result == local(MONDAY, 9, 0)


def test_next_allowed_after_closing_goes_to_next_day() -> None:
    result = next_allowed(legal_rules("AR"), local(MONDAY, 20, 0), ZONES["AR"])

    assert result == local(date(2026, 6, 2), 9, 0)


def test_next_allowed_colombia_saturday_afternoon() -> None:
    # Sunday is closed and Monday 8 June 2026 is Corpus Christi (observed).
    tz = ZONES["CO"]

    result = next_allowed(legal_rules("CO"), local(SATURDAY, 15, 0, tz=tz), tz)

    assert result == local(date(2026, 6, 9), 7, 0, tz=tz)


def test_next_allowed_across_chile_spring_forward() -> None:
    # Chile moves from -04 to -03 at 00:00 on Sunday 6 September 2026.
    tz = ZONES["CL"]
    saturday_night = local(date(2026, 9, 5), 20, 30, tz=tz)

    result = next_allowed(legal_rules("CL"), saturday_night, tz)

    assert saturday_night.utcoffset() == timedelta(hours=-4)
    assert result == datetime(2026, 9, 7, 11, 0, tzinfo=UTC)
    assert result.astimezone(ZoneInfo(tz)).time() == time(8, 0)


def test_next_allowed_across_chile_fall_back() -> None:
    # Chile moves from -03 to -04 at 00:00 on Sunday 5 April 2026.
    tz = ZONES["CL"]
    saturday_night = local(date(2026, 4, 4), 21, 0, tz=tz)

    result = next_allowed(legal_rules("CL"), saturday_night, tz)

    assert saturday_night.utcoffset() == timedelta(hours=-3)
    assert result == datetime(2026, 4, 6, 12, 0, tzinfo=UTC)


def test_window_follows_wall_clock_after_dst() -> None:
    # 11:30 UTC is 08:30 in Santiago in summer (-03) but 07:30 in winter (-04).
    tz = ZONES["CL"]
    rules = legal_rules("CL")
    summer_monday = datetime(2026, 12, 7, 11, 30, tzinfo=UTC)  # 08:30 at -03
    winter_monday = datetime(2026, 6, 1, 11, 30, tzinfo=UTC)  # 07:30 at -04

    assert is_allowed(rules, summer_monday, tz)
    assert not is_allowed(rules, winter_monday, tz)


def test_opening_inside_spring_forward_gap_is_transition() -> None:
    # A window opening at 00:30 on the day the clock jumps 00:00 -> 01:00:
    # 00:30 never happens, so the first allowed instant is the jump itself.
    tz = ZONES["CL"]
    always = DayWindow(time(0, 30), time(23, 0))
    rules = replace(legal_rules("CL"), windows=(always,) * 7, block_holidays=False)
    before_jump = local(date(2026, 9, 5), 23, 45, tz=tz)

    result = next_allowed(rules, before_jump, tz)

    assert result == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert result.astimezone(ZoneInfo(tz)).time() == time(1, 0)


def test_customer_zone_differs_from_business() -> None:
    # Argentine rules for a customer in Bogotá: 10:30 in Buenos Aires is
    # 08:30 in Bogotá, before the 09:00 opening where the customer lives.
    rules = legal_rules("AR")
    at = datetime(2026, 6, 1, 13, 30, tzinfo=UTC)

    assert is_allowed(rules, at, ZONES["AR"])
    assert not is_allowed(rules, at, ZONES["CO"])
    assert next_allowed(rules, at, ZONES["CO"]) == datetime(
        2026, 6, 1, 14, 0, tzinfo=UTC
    )


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        naive = datetime(2026, 6, 1, 10, 0)  # noqa: DTZ001 - the case under test
        is_allowed(legal_rules("AR"), naive, ZONES["AR"])


def test_closed_calendar_raises() -> None:
    closed = replace(legal_rules("AR"), windows=(None,) * 7)

    with pytest.raises(ValueError, match="no allowed contact time"):
        next_allowed(closed, local(MONDAY, 10, 0), ZONES["AR"])


@pytest.mark.parametrize(
    ("customer_zone", "phone", "zones"),
    [
        # Stored from the DDD: every zone of the DDD applies.
        ("America/Manaus", "+5597991234567", ("America/Manaus", "America/Eirunepe")),
        # None: the business's zone, and the DDD's zones when it is one of them.
        (None, "+5597991234567", ("America/Sao_Paulo",)),
        # Another zone of the DDD than the one stored from it: that zone alone.
        ("America/Eirunepe", "+5597991234567", ("America/Eirunepe",)),
        ("America/Manaus", "+5592991234567", ("America/Manaus",)),
        ("America/Argentina/Buenos_Aires", None, ("America/Argentina/Buenos_Aires",)),
    ],
)
def test_contact_zones(
    customer_zone: str | None, phone: str | None, zones: tuple[str, ...]
) -> None:
    assert contact_zones(customer_zone, phone, "America/Sao_Paulo") == zones


def test_next_allowed_in_all_zones() -> None:
    # Brazil opens at 08:00. At 07:30 in Manaus it is 06:30 in Eirunepé, so
    # the first instant both clocks allow is 08:00 in Eirunepé.
    zones = ("America/Manaus", "America/Eirunepe")
    at = datetime(2026, 6, 1, 7, 30, tzinfo=ZoneInfo("America/Manaus"))

    opens = next_allowed_in_all(legal_rules("BR"), at, zones)

    assert opens == datetime(2026, 6, 1, 13, 0, tzinfo=UTC)
