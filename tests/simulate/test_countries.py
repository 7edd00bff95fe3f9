"""The demo's business and customers in each supported country."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from stdnum.mx import rfc

from cobranza.config import SUPPORTED_COUNTRIES
from cobranza.conversations.understand import understand
from cobranza.db.models import CustomerKind
from cobranza.ingest.taxids import check_tax_id, kind_from_name
from cobranza.payments.account_numbers import account_problems
from cobranza.phones import normalize_phone
from cobranza.simulate.countries import (
    ARGENTINA,
    DEMO_COUNTRIES,
    demo_country,
    make_party_in,
)
from cobranza.simulate.people import make_party
from cobranza.simulate.portfolio import generate_portfolio, write_csv

OTHER_COUNTRIES = sorted(set(DEMO_COUNTRIES) - {"AR"})
# The E.164 prefix of a mobile of each country.
MOBILE_PREFIXES = {
    "AR": "+549",
    "BR": "+55",
    "CL": "+569",
    "CO": "+573",
    "MX": "+52",
    "PE": "+519",
    "UY": "+5989",
}
# The sha256 of the default demo export (seed 20260, loaded on 13/03/2026)
# as the Argentine-only demo wrote it before other countries were added.
ARGENTINE_EXPORT_SHA256 = (
    "e440cc618ebaafe68ecf41f28625e15ce7eb83d18c3ae111b66ea0635cc2cd1f"
)
# What the conversation engine must understand of each scripted reply.
REPLY_INTENTS = [
    "promise_to_pay",
    "already_paid",
    "request_installments",
    "promise_to_pay",
    "request_payment_link",
    "opt_out",
    "dispute",
    "cannot_pay",
    "acknowledge",
]


def test_every_supported_country_has_demo() -> None:
    assert sorted(DEMO_COUNTRIES) == sorted(SUPPORTED_COUNTRIES)


def test_argentine_export_is_unchanged(tmp_path: Path) -> None:
    export = write_csv(generate_portfolio(date(2026, 3, 13)), tmp_path / "a.csv")

    digest = hashlib.sha256(export.read_bytes()).hexdigest()

    assert digest == ARGENTINE_EXPORT_SHA256


@pytest.mark.parametrize("seed", range(5))
def test_argentine_party_matches_people(seed: int) -> None:
    for is_company in (True, False):
        old = [make_party(random.Random(seed), i, is_company) for i in range(20)]
        new = [
            make_party_in(ARGENTINA, random.Random(seed), i, is_company)
            for i in range(20)
        ]

        assert new == old


@pytest.mark.parametrize("value", ["mx", " MX ", "Mx"])
def test_country_code_any_case(value: str) -> None:
    assert demo_country(value).code == "MX"


@pytest.mark.parametrize("value", ["XX", "ES", "", "Argentina"])
def test_unknown_country_names_value(value: str) -> None:
    with pytest.raises(ValueError) as raised:
        demo_country(value)

    message = str(raised.value)
    assert f"{value!r} no es un país soportado" in message
    assert "AR, BR, CL, CO, MX, PE, UY" in message


@pytest.mark.parametrize("code", sorted(DEMO_COUNTRIES))
def test_parties_fit_their_country(code: str) -> None:
    country = DEMO_COUNTRIES[code]
    rng = random.Random(code)

    for index in range(300):
        is_company = index % 3 == 0
        party = make_party_in(country, rng, index, is_company)

        assert party.name.endswith(tuple(f"({mark})" for mark in country.fictitious))
        assert party.email.endswith("@" + country.email_domain)
        phone = normalize_phone(party.phone, code, mobile=True)
        assert phone.problem is None, party.phone
        assert phone.e164 is not None, party.phone
        assert phone.e164.startswith(MOBILE_PREFIXES[code]), party.phone
        if is_company:
            assert kind_from_name(party.name) == CustomerKind.COMPANY, party.name
        else:
            assert kind_from_name(party.name) is None, party.name
        if not party.tax_id:
            # Only Uruguay's people have none: their cédula is no RUT.
            assert code == "UY"
            assert not is_company
            continue
        checked = check_tax_id(party.tax_id, code)
        assert checked.valid is True, (party.tax_id, checked.problem)
        assert checked.kind in (None, CustomerKind.COMPANY if is_company else (
            CustomerKind.PERSON
        )), party.tax_id  # fmt: skip


def test_mexican_rfc_check_digit() -> None:
    rng = random.Random(3)
    country = DEMO_COUNTRIES["MX"]

    for index in range(40):
        party = make_party_in(country, rng, index, is_company=index % 2 == 0)

        assert rfc.is_valid(party.tax_id, validate_check_digits=True), party.tax_id


@pytest.mark.parametrize("code", sorted(DEMO_COUNTRIES))
def test_instructions_accounts_valid(code: str) -> None:
    country = DEMO_COUNTRIES[code]

    assert account_problems(country.payment_instructions, code) == []
    assert len(country.payment_instructions) <= 200


@pytest.mark.parametrize("code", sorted(DEMO_COUNTRIES))
def test_replies_understood_in_order(code: str) -> None:
    country = DEMO_COUNTRIES[code]
    now = datetime(2026, 3, 13, 14, tzinfo=UTC)

    intents = [
        understand(reply.text, now, country.timezone, country.locale).intent
        for reply in country.replies
    ]

    assert intents == REPLY_INTENTS


@pytest.mark.parametrize("code", OTHER_COUNTRIES)
def test_export_in_country_format(code: str, tmp_path: Path) -> None:
    country = DEMO_COUNTRIES[code]

    export = write_csv(
        generate_portfolio(date(2026, 3, 13), country=country), tmp_path / "e.csv"
    )

    lines = export.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(";") == list(country.csv_header)
    amount = lines[1].split(";")[10]
    if code in ("CL", "CO"):
        assert "," not in amount, amount
    elif code in ("MX", "PE"):
        assert amount[-3] == ".", amount
    else:
        assert amount[-3] == ",", amount
