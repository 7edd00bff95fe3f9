"""The parts of a reply that splits one payment over several days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobranza.conversations.split_parts import SplitPart, split_parts

# Monday 7 December 2026.
TODAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 11)


def _part(
    due_on: date | None,
    amount: str | None = None,
    *,
    rest: bool = False,
    half: bool = False,
    unclear: bool = False,
    zero: bool = False,
) -> SplitPart:
    return SplitPart(
        due_on, None if amount is None else Decimal(amount), rest, half, unclear, zero
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "el viernes 20" after "10 lucas" is 20 lucas on Friday.
        (
            "hoy 10 lucas, el viernes 20 y el resto el 15",
            [
                _part(TODAY, "10000"),
                _part(FRIDAY, "20000"),
                _part(date(2026, 12, 15), rest=True),
            ],
        ),
        # In the order of the days, not of the words.
        (
            "el resto el viernes y hoy te paso 10 lucas",
            [_part(TODAY, "10000"), _part(FRIDAY, rest=True)],
        ),
        (
            "el viernes 50 mil y el lunes 50 mil",
            [_part(FRIDAY, "50000"), _part(date(2026, 12, 14), "50000")],
        ),
        (
            "la mitad el viernes y la otra mitad el viernes",
            [_part(FRIDAY, half=True), _part(FRIDAY, rest=True, half=True)],
        ),
        (
            "hoy te paso 0 y el resto el viernes",
            [_part(TODAY, zero=True), _part(FRIDAY, rest=True)],
        ),
        # A day that does not exist, and one already gone.
        (
            "hoy te paso 10 lucas y el resto el 31 de noviembre",
            [_part(TODAY, "10000"), _part(None, rest=True, unclear=True)],
        ),
        (
            "hoy te paso 10 lucas y el resto ayer",
            [_part(TODAY, "10000"), _part(None, rest=True, unclear=True)],
        ),
        # A payment made is no part; "cuando te pague" is one to come.
        ("te pagué 10 lucas ayer y el resto el viernes", [_part(FRIDAY, rest=True)]),
        (
            "cuando te pague el lunes 10 lucas, el resto el viernes",
            [_part(FRIDAY, rest=True), _part(date(2026, 12, 14), "10000")],
        ),
        ("en 3 cuotas", []),
    ],
)
def test_split_parts(text: str, expected: list[SplitPart]) -> None:
    assert split_parts(text, TODAY, "es_AR") == expected
