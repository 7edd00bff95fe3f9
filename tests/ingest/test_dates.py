from __future__ import annotations

from datetime import date, datetime

import pytest

from cobranza.ingest.dates import DMY, MDY, ORDER_NAMES, YMD, decide_order, parse_date
from cobranza.ingest.errors import DateFormatError


def test_day_first_by_default() -> None:
    decision = decide_order(["03/04/2026", "05/06/2026"], None)

    assert decision.order == DMY
    assert parse_date("03/04/2026", decision) == date(2026, 4, 3)


def test_month_first_when_file_proves_it() -> None:
    decision = decide_order(["1/2/2013", "1/15/2013"], None)

    assert decision.order == MDY
    assert decision.source == "file"
    assert parse_date("1/15/2013", decision) == date(2013, 1, 15)
    assert parse_date("2/1/2013", decision) == date(2013, 2, 1)


def test_day_above_twelve_keeps_day_first() -> None:
    assert decide_order(["15/01/2013", "1/2/2013"], None).order == DMY


def test_contradicting_file_defaults_and_says_so() -> None:
    decision = decide_order(["15/01/2013", "01/15/2013"], None)

    assert decision.order == DMY
    assert "--date-format" in decision.note


def test_option_overrides_file() -> None:
    decision = decide_order(["1/15/2013"], "dmy")

    assert decision.order == DMY
    with pytest.raises(ValueError):
        parse_date("1/15/2013", decision)


def test_strptime_pattern_option() -> None:
    decision = decide_order([], "%d.%m.%Y")

    assert parse_date("31.01.2026", decision) == date(2026, 1, 31)


def test_invalid_option_is_rejected() -> None:
    with pytest.raises(DateFormatError):
        decide_order([], "dd/mm")


def test_impossible_date_raises() -> None:
    with pytest.raises(ValueError, match="no existe en el calendario"):
        parse_date("31/02/2026", decide_order([], None))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-15", date(2026, 3, 15)),
        ("2024-03-15T05:00:00", date(2024, 3, 15)),
        ("30-Nov-15", date(2015, 11, 30)),
        ("5 ene 2026", date(2026, 1, 5)),
        ("15 de enero de 2026", date(2026, 1, 15)),
        ("1 de Septiembre del 2026", date(2026, 9, 1)),
        ("14 de fevereiro de 2026", date(2026, 2, 14)),
        ("15/03/26", date(2026, 3, 15)),
        (45366, date(2024, 3, 15)),
        ("45366", date(2024, 3, 15)),
        ("45366.75", date(2024, 3, 15)),
        (datetime(2026, 1, 2, 10, 30), date(2026, 1, 2)),  # noqa: DTZ001
        (date(2026, 1, 2), date(2026, 1, 2)),
        ("", None),
        (None, None),
    ],
)
def test_date_cells(value: object, expected: date | None) -> None:
    assert parse_date(value, decide_order([], None)) == expected


def test_number_out_of_serial_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="número de fecha de Excel"):
        parse_date(12, decide_order([], None))


def test_short_year_first_with_ymd_option() -> None:
    decision = decide_order([], "ymd")

    assert parse_date("26/03/15", decision) == date(2026, 3, 15)
    assert parse_date("2026-03-15", decision) == date(2026, 3, 15)


@pytest.mark.parametrize(
    ("option", "order"),
    [
        ("día/mes/año", DMY),
        ("Dia/Mes/Ano", DMY),
        ("dd/mm/aaaa", DMY),
        ("mes/día/año", MDY),
        ("mm-dd-aaaa", MDY),
        ("año/mes/día", YMD),
        ("aaaa-mm-dd", YMD),
        ("MDY", MDY),
    ],
)
def test_option_takes_spanish_order(option: str, order: str) -> None:
    decision = decide_order([], option)

    assert decision.order == order
    assert decision.pattern is None
    assert decision.note == f"{ORDER_NAMES[order]}, elegido con --date-format"


def test_pattern_mismatch_names_pattern() -> None:
    decision = decide_order([], "%d.%m.%Y")

    with pytest.raises(ValueError) as caught:
        parse_date("31/01/2026", decision)

    assert str(caught.value) == "no sigue el formato %d.%m.%Y"
