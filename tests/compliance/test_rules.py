"""Country rules as data, and a business may tighten them but never loosen."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from cobranza.compliance import (
    COUNTRY_RULES,
    DayWindow,
    LooserThanLawError,
    RuleOverrideError,
    UnknownJurisdictionError,
    apply_overrides,
    legal_rules,
    rules_for_business,
)
from cobranza.config import SUPPORTED_COUNTRIES


def test_every_supported_country_has_rules() -> None:
    for country in SUPPORTED_COUNTRIES:
        rules = legal_rules(country)
        assert rules.country == country
        assert len(rules.windows) == 7
        assert rules.windows[6] is None, f"{country} must close on Sundays"
        assert rules.source


def test_country_code_is_case_insensitive() -> None:
    assert legal_rules(" co ") is COUNTRY_RULES["CO"]


def test_unknown_country_rejected() -> None:
    with pytest.raises(UnknownJurisdictionError, match="'ZZ'"):
        legal_rules("ZZ")


def test_colombia_and_chile_caps() -> None:
    colombia = legal_rules("CO")
    chile = legal_rules("CL")

    assert colombia.max_per_day == 1
    assert chile.max_per_week == 2
    assert chile.min_gap == timedelta(days=2)


def test_no_settings_means_legal_rules() -> None:
    assert rules_for_business("AR", {}) == legal_rules("AR")
    assert rules_for_business("AR", None) == legal_rules("AR")
    assert rules_for_business("AR", {"other": 1}) == legal_rules("AR")


def test_narrower_hours_and_fewer_days_accepted() -> None:
    settings = {
        "compliance": {
            "days": ["mon", "wed", "fri"],
            "hours": {"start": "10:00", "end": "18:30"},
        }
    }

    rules = rules_for_business("AR", settings)

    narrow = DayWindow(time(10, 0), time(18, 30))
    assert rules.windows == (narrow, None, narrow, None, narrow, None, None)


def test_hours_by_day_overrides_common_hours() -> None:
    overrides = {
        "hours": {"start": "08:00", "end": "14:00"},
        "hours_by_day": {"sat": {"start": "09:00", "end": "12:00"}},
    }

    rules = apply_overrides(legal_rules("BR"), overrides)

    assert rules.windows[0] == DayWindow(time(8), time(14))
    assert rules.windows[5] == DayWindow(time(9), time(12))


def test_lower_caps_accepted() -> None:
    overrides = {"max_per_week": 1, "min_gap_hours": 72, "max_per_day": 1}

    rules = apply_overrides(legal_rules("CL"), overrides)

    assert rules.max_per_week == 1
    assert rules.min_gap == timedelta(hours=72)
    assert rules.max_per_day == 1


def test_cap_added_where_law_has_none() -> None:
    rules = apply_overrides(legal_rules("AR"), {"max_per_week": 3})

    assert rules.max_per_week == 3


def test_subdivision_override_changes_holidays_only() -> None:
    rules = apply_overrides(legal_rules("BR"), {"subdivision": "rj"})

    assert rules.subdivision == "RJ"
    assert rules.windows == legal_rules("BR").windows


@pytest.mark.parametrize(
    ("country", "value", "code"),
    [("AR", "x", "X"), ("AR", "Córdoba", "X"), ("BR", "são paulo", "SP")],
)
def test_subdivision_by_code_or_name(country: str, value: str, code: str) -> None:
    rules = apply_overrides(legal_rules(country), {"subdivision": value})

    assert rules.subdivision == code


@pytest.mark.parametrize(
    ("country", "value", "named"),
    [
        # São Paulo's code in Argentina, whose provinces are letters.
        ("AR", "SP", "'SP' en Argentina: usá uno de estos códigos: A, B, C"),
        ("AR", "XX", "'XX' en Argentina"),
        ("CO", "ANT", "no distingue provincias ni estados; quitá subdivision"),
    ],
)
def test_unknown_subdivision_rejected(country: str, value: str, named: str) -> None:
    with pytest.raises(RuleOverrideError, match=named):
        apply_overrides(legal_rules(country), {"subdivision": value})


@pytest.mark.parametrize(
    ("country", "overrides", "named"),
    [
        (
            "CO",
            {"hours": {"start": "06:30", "end": "18:00"}},
            ["06:30", "07:00", "en Colombia"],
        ),
        ("AR", {"hours": {"start": "09:00", "end": "21:00"}}, ["21:00", "20:00"]),
        # 08:00-19:00 fits Colombia's weekdays but not its Saturday (15:00).
        ("CO", {"hours": {"start": "08:00", "end": "19:00"}}, ["19:00", "15:00"]),
        ("AR", {"days": ["mon", "sat"]}, ["'sat'", "sábado"]),
        (
            "CO",
            {"hours_by_day": {"sun": {"start": "09:00", "end": "12:00"}}},
            ["domingo", "en Colombia no se pueden"],
        ),
        ("CO", {"max_per_day": 2}, ["max_per_day 2", "límite legal de 1"]),
        ("MX", {"block_holidays": False}, ["block_holidays", "la regla de México"]),
        ("CL", {"max_per_week": 3}, ["max_per_week 3", "límite legal de 2"]),
        ("CL", {"min_gap_hours": 24}, ["min_gap_hours 24", "48 horas"]),
        ("PE", {"block_holidays": False}, ["block_holidays", "Ley 29571"]),
    ],
)
def test_looser_override_rejected(
    country: str, overrides: dict[str, object], named: list[str]
) -> None:
    with pytest.raises(LooserThanLawError) as caught:
        apply_overrides(legal_rules(country), overrides)

    message = str(caught.value)
    for fragment in named:
        assert fragment in message


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"hours": {"start": "18:00", "end": "10:00"}}, "anterior a end"),
        ({"hours": {"start": "9am", "end": "18:00"}}, "'9am'"),
        ({"hours": ["09:00", "18:00"]}, "hours inválido"),
        ({"days": []}, "lista no vacía"),
        ({"days": ["lunes"]}, "'lunes'"),
        ({"hours_by_day": {"monday": {"start": "10:00", "end": "12:00"}}}, "monday"),
        ({"max_per_day": 0}, "de 1 o más"),
        ({"max_per_day": True}, "de 1 o más"),
        ({"min_gap_hours": -1}, "mayor que 0"),
        ({"min_gap_hours": float("nan")}, "min_gap_hours inválido nan"),
        ({"min_gap_hours": float("inf")}, "min_gap_hours inválido inf"),
        ({"min_gap_hours": float("-inf")}, "min_gap_hours inválido -inf"),
        ({"min_gap_hours": 1e20}, "demasiado grande: usá 8760 horas"),
        ({"min_gap_hours": 10**30}, "demasiado grande: usá 8760 horas"),
        ({"block_holidays": "yes"}, "true o false"),
        ({"subdivision": ""}, "subdivision"),
        ({"quiet_hours": 1}, "clave desconocida quiet_hours"),
    ],
)
def test_malformed_override_rejected(overrides: dict[str, object], named: str) -> None:
    with pytest.raises(RuleOverrideError, match=named):
        apply_overrides(legal_rules("AR"), overrides)


def test_malformed_override_is_not_looser_error() -> None:
    with pytest.raises(RuleOverrideError) as caught:
        apply_overrides(legal_rules("AR"), {"days": ["lunes"]})

    assert not isinstance(caught.value, LooserThanLawError)


def test_compliance_setting_must_be_object() -> None:
    with pytest.raises(RuleOverrideError, match="tienen que ser un objeto"):
        rules_for_business("AR", {"compliance": ["mon"]})
