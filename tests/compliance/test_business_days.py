from __future__ import annotations

from datetime import date

import pytest

from cobranza.compliance.business_days import (
    business_day_on_or_before,
    days_past_due,
    effective_due_date,
    is_business_day,
    overdue_cutoff,
)
from cobranza.compliance.rules import apply_overrides, legal_rules
from cobranza.compliance.window import holiday_name

AR = legal_rules("AR")
BR = legal_rules("BR")


@pytest.mark.parametrize(
    ("rules", "due_on", "effective"),
    [
        # Wednesday: a business day stays.
        (AR, date(2026, 3, 4), date(2026, 3, 4)),
        # Saturday and Sunday move to Monday.
        (AR, date(2026, 3, 7), date(2026, 3, 9)),
        (AR, date(2026, 3, 8), date(2026, 3, 9)),
        # Independence Day (Thursday 9 July 2026), then a bridge holiday on
        # Friday and the weekend: Monday 13 July.
        (AR, date(2026, 7, 9), date(2026, 7, 13)),
        # Carnival Monday and Tuesday 2026 are national holidays in Argentina.
        (AR, date(2026, 2, 15), date(2026, 2, 18)),
        # Tiradentes (Tuesday 21 April 2026), a national holiday in Brazil.
        (BR, date(2026, 4, 21), date(2026, 4, 22)),
        # The same day is a business day in Argentina.
        (AR, date(2026, 4, 21), date(2026, 4, 21)),
    ],
)
def test_effective_due_date(rules, due_on, effective) -> None:  # type: ignore[no-untyped-def]
    assert effective_due_date(rules, due_on) == effective


def test_subdivision_holiday_moves_due_date() -> None:
    # Brazil's rules name São Paulo, whose state holiday on 9 July is not
    # one in Rio de Janeiro, which has Saint George's Day on 23 April.
    rio = apply_overrides(BR, {"subdivision": "RJ"})

    assert BR.subdivision == "SP"
    assert effective_due_date(BR, date(2026, 7, 9)) == date(2026, 7, 10)
    assert effective_due_date(rio, date(2026, 7, 9)) == date(2026, 7, 9)
    assert effective_due_date(rio, date(2026, 4, 23)) == date(2026, 4, 24)
    assert effective_due_date(BR, date(2026, 4, 23)) == date(2026, 4, 23)


def test_is_business_day() -> None:
    assert is_business_day(AR, date(2026, 3, 6))
    assert not is_business_day(AR, date(2026, 3, 7))
    assert not is_business_day(AR, date(2026, 3, 8))
    assert not is_business_day(AR, date(2026, 7, 9))
    assert is_business_day(AR, date(2026, 4, 21))
    assert not is_business_day(BR, date(2026, 4, 21))


def test_business_day_on_or_before() -> None:
    assert business_day_on_or_before(AR, date(2026, 3, 9)) == date(2026, 3, 9)
    assert business_day_on_or_before(AR, date(2026, 3, 8)) == date(2026, 3, 6)
    assert business_day_on_or_before(AR, date(2026, 7, 12)) == date(2026, 7, 8)


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        # Monday: only what fell due by Friday is overdue, not Saturday's.
        (date(2026, 3, 9), date(2026, 3, 6)),
        # Tuesday: Saturday's, Sunday's and Monday's invoices are overdue.
        (date(2026, 3, 10), date(2026, 3, 9)),
        # Sunday: Friday's invoice has been overdue since Saturday.
        (date(2026, 3, 8), date(2026, 3, 6)),
        # Monday 13 July, after the Argentine holidays of 9 and 10 July.
        (date(2026, 7, 13), date(2026, 7, 8)),
    ],
)
def test_overdue_cutoff(today: date, cutoff: date) -> None:
    assert overdue_cutoff(AR, today) == cutoff


@pytest.mark.parametrize("due_day", range(1, 32))
def test_cutoff_agrees_with_effective_due_date(due_day: int) -> None:
    # An invoice is overdue exactly when its effective due date has passed.
    due_on = date(2026, 7, due_day)
    for today_day in range(1, 32):
        today = date(2026, 7, today_day)
        overdue = effective_due_date(AR, due_on) < today
        assert (due_on <= overdue_cutoff(AR, today)) is overdue, (due_on, today)
        assert (days_past_due(AR, due_on, today) > 0) is overdue, (due_on, today)


def test_days_past_due_of_saturday_invoice() -> None:
    saturday = date(2026, 3, 7)

    counts = [days_past_due(AR, saturday, date(2026, 3, day)) for day in range(4, 13)]

    # Wednesday 4 to Thursday 12 March: before, on, and after the due date.
    assert counts == [-3, -2, -1, 0, 0, 0, 1, 2, 3]


def test_days_past_due_of_weekday_invoice() -> None:
    wednesday = date(2026, 3, 4)

    assert days_past_due(AR, wednesday, date(2026, 3, 4)) == 0
    assert days_past_due(AR, wednesday, date(2026, 3, 5)) == 1
    assert days_past_due(AR, wednesday, date(2026, 3, 9)) == 5


@pytest.mark.parametrize(
    ("country", "due_on", "effective"),
    [
        # Brazil: banks stay shut on Carnival Monday and Tuesday (8 and 9
        # February 2027) and on Corpus Christi (27 May 2027).
        ("BR", date(2027, 2, 8), date(2027, 2, 10)),
        ("BR", date(2027, 5, 27), date(2027, 5, 28)),
        # Ash Wednesday is a business day: banks open at noon.
        ("BR", date(2027, 2, 10), date(2027, 2, 10)),
        # Argentina: Bankers' Day, Thursday 6 November 2025.
        ("AR", date(2025, 11, 6), date(2025, 11, 7)),
        # Chile: 31 December 2026 (a Thursday) is a bank holiday.
        ("CL", date(2026, 12, 31), date(2027, 1, 4)),
        # Uruguay: Tourism Week 2027 runs Monday 22 to Friday 26 March.
        ("UY", date(2027, 3, 22), date(2027, 3, 29)),
        # Uruguay: 18 May 2026, a working holiday (Battle of Las Piedras)
        # on which banks close.
        ("UY", date(2026, 5, 18), date(2026, 5, 19)),
        # Mexico: Holy Thursday and Good Friday 2027, then the weekend.
        ("MX", date(2027, 3, 25), date(2027, 3, 29)),
        # Mexico: 12 December 2025 was a Friday.
        ("MX", date(2025, 12, 12), date(2025, 12, 15)),
        # Colombia has no days that only banks close: Brazil's Carnival
        # Monday is a business day there.
        ("CO", date(2027, 2, 8), date(2027, 2, 8)),
    ],
)
def test_bank_holidays_move_due_date(country, due_on, effective) -> None:  # type: ignore[no-untyped-def]
    assert effective_due_date(legal_rules(country), due_on) == effective


def test_bank_holidays_do_not_block_messages() -> None:
    # Contact days follow the public calendar only: Bankers' Day is a day
    # on which messages go out in Argentina.
    assert not is_business_day(AR, date(2025, 11, 6))
    assert holiday_name(AR, date(2025, 11, 6)) is None
