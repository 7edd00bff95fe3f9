"""Instants typed by people: ISO 8601 in ASCII digits, read in a zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cobranza.timeutil import parse_instant

AR = "America/Argentina/Buenos_Aires"


def test_parse_instant_naive_in_zone() -> None:
    parsed = parse_instant(" 2026-03-20T10:00 ", AR)

    assert parsed == datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo(AR))


@pytest.mark.parametrize("text", ["２０２６-03-20", "٢٠٢٦-٠٣-٢٠", "2026-03-20T１0:00"])
def test_parse_instant_names_non_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_instant(text, AR)

    message = str(caught.value)
    assert message.startswith(f"fecha u hora inválida {text!r}")
    assert "tiene dígitos que no son los ASCII 0 a 9" in message
    assert "como 2026-03-20" in message


def test_parse_instant_other_text_plain_message() -> None:
    with pytest.raises(ValueError) as caught:
        parse_instant("martes", AR)

    assert str(caught.value) == (
        "fecha u hora inválida 'martes': usá ISO 8601, como 2026-03-20 o "
        "2026-03-20T10:00-03:00"
    )


def test_parse_instant_example_in_zone() -> None:
    # Mexico City has kept UTC-6 all year since 2022.
    with pytest.raises(ValueError) as caught:
        parse_instant("mañana", "America/Mexico_City")

    assert str(caught.value).endswith("como 2026-03-20 o 2026-03-20T10:00-06:00")
