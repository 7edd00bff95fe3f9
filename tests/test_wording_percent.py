"""Percentages read the same in the terminal audit and on the dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobranza.portfolio.presentation import Formatter
from cobranza.wording import percent_label


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es_AR", "52,9%"),
        ("es_MX", "52.9%"),
        ("pt_BR", "52,9%"),
        ("es", "52,9\u00a0%"),
    ],
)
def test_percent_label_follows_locale_pattern(locale: str, expected: str) -> None:
    assert percent_label(Decimal("0.529"), locale) == expected


def test_terminal_audit_percent_matches_dashboard() -> None:
    formatter = Formatter(report=None, locale="es_AR", labels={})  # type: ignore[arg-type]

    assert formatter.percent(Decimal("0.025451")) == percent_label(
        Decimal("0.025451"), "es_AR"
    )
    assert formatter.percent(Decimal("0.025451")) == "2,5%"
