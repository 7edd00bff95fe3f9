from __future__ import annotations

import random

import pytest
from stdnum.ar import cuit

from cobranza.phones import normalize_phone
from cobranza.simulate.people import make_cuit, make_mobile, make_party


@pytest.mark.parametrize("prefix", ["20", "27", "30", "33"])
def test_cuit_has_valid_check_digit(prefix: str) -> None:
    rng = random.Random(prefix)

    numbers = [make_cuit(rng, prefix) for _ in range(200)]

    for number in numbers:
        assert cuit.is_valid(number), number
        assert number.startswith(prefix + "-")


def test_mobiles_normalise_to_ar_mobile() -> None:
    rng = random.Random(5)

    for _ in range(300):
        raw = make_mobile(rng)
        result = normalize_phone(raw, "AR", mobile=True)
        assert result.e164 is not None, raw
        assert result.e164.startswith("+549"), raw
        assert result.problem is None, raw


def test_mobiles_come_in_mixed_formats() -> None:
    rng = random.Random(6)

    raws = [make_mobile(rng) for _ in range(100)]

    assert any(raw.startswith("+54 9") for raw in raws)
    assert any(" 15-" in raw or " 15 " in raw or "-15-" in raw for raw in raws)
    assert any(raw.isdigit() for raw in raws)


@pytest.mark.parametrize("is_company", [True, False])
def test_names_are_marked_fictitious(is_company: bool) -> None:
    rng = random.Random(7)

    parties = [make_party(rng, index, is_company) for index in range(50)]

    for party in parties:
        assert party.name.endswith(("(ficticio)", "(ficticia)")), party.name
        assert party.email.endswith("@ejemplo.com.ar")
    company_prefixes = {party.tax_id[:2] for party in parties}
    expected = {"30", "33"} if is_company else {"20", "27"}
    assert company_prefixes <= expected
