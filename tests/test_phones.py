from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from cobranza.db.models import PhoneStatus
from cobranza.phones import (
    match_wa_id,
    normalize_phone,
    phone_text,
    phone_timezone,
    phone_timezones,
    wa_id_variants,
)
from tests.ingest.conftest import customer, make_business, run_import, write_csv


@pytest.mark.parametrize(
    ("raw", "mobile", "expected"),
    [
        ("011 15 4567-8901", False, "+5491145678901"),
        ("(011) 15-4567-8901", False, "+5491145678901"),
        ("0351 15 456 7890", False, "+5493514567890"),
        ("+54 9 11 4567 8901", False, "+5491145678901"),
        ("11 4567 8901", True, "+5491145678901"),
        (1145678901.0, True, "+5491145678901"),
        ("1145678901", False, "+541145678901"),
    ],
)
def test_argentina_mobile_rules(raw: object, mobile: bool, expected: str) -> None:
    result = normalize_phone(raw, "AR", mobile=mobile)

    assert result.e164 == expected
    assert result.status == PhoneStatus.VALID


def test_argentina_landline_outside_mobile_column_has_note() -> None:
    result = normalize_phone("011 4567-8901", "AR")

    assert result.e164 == "+541145678901"
    assert result.problem is not None
    assert "fijo" in result.problem


def test_mexico_drops_old_mobile_one() -> None:
    assert normalize_phone("+52 1 55 1234 5678", "MX").e164 == "+525512345678"
    assert normalize_phone("55 1234 5678", "MX").e164 == "+525512345678"


@pytest.mark.parametrize(
    "raw",
    [
        "044 55 4000 1064",
        "045 55 4000 1064",
        "01 55 4000 1064",
        "044-55-4000-1064",
        "0445540001064",
        "+52 1 55 4000 1064",
    ],
)
def test_mexico_drops_legacy_prefixes(raw: str) -> None:
    result = normalize_phone(raw, "MX", mobile=True)

    assert result.e164 == "+525540001064"
    assert result.status == PhoneStatus.VALID


@pytest.mark.parametrize("raw", ["044 1064", "044 55 4000 10", "+044 55 4000 1064"])
def test_mexico_legacy_prefix_needs_ten_digits(raw: str) -> None:
    assert normalize_phone(raw, "MX").e164 is None


def test_legacy_prefixes_only_for_mexico() -> None:
    assert normalize_phone("044 55 4000 1064", "CO").e164 is None


@pytest.mark.parametrize(
    ("country", "word"),
    [
        ("AR", "la característica"),
        ("MX", "la lada"),
        ("CO", "el indicativo"),
        ("CL", "el código de área"),
        ("PE", "el código de ciudad"),
        ("BR", "el DDD"),
        ("UY", "el código de área"),
    ],
)
def test_invalid_phone_names_local_area_code(country: str, word: str) -> None:
    result = normalize_phone("12345", country)

    assert result.problem is not None
    assert f"revisá {word} y la cantidad de dígitos" in result.problem


def test_mexico_import_with_legacy_prefix(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "cxc.csv",
        [
            ["Cliente", "Celular", "Factura", "Vencimiento", "Importe"],
            ["Lupita", "044 55 4000 1064", "A-1", "10/04/2026", "4322.32"],
            ["Beto", "044 55 4000", "A-2", "10/04/2026", "100.00"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.documents_imported == 2
    lupita = customer(engine, business_id, "lupita")
    beto = customer(engine, business_id, "beto")
    assert lupita.phone == "+525540001064"
    assert lupita.phone_status == PhoneStatus.VALID
    assert beto.phone is None
    assert beto.phone_problem is not None
    assert "Revisá la lada" in beto.phone_problem
    assert "característica" not in beto.phone_problem


def test_brazil_never_adds_ninth_digit_to_landline() -> None:
    landline = normalize_phone("(11) 3456-7890", "BR", mobile=True)
    old_mobile = normalize_phone("(11) 8765-4321", "BR", mobile=True)

    assert landline.e164 == "+551134567890"
    assert old_mobile.e164 is None
    assert old_mobile.status == PhoneStatus.INVALID


def test_brazil_mobile_keeps_ninth_digit() -> None:
    assert normalize_phone("(11) 98765-4321", "BR").e164 == "+5511987654321"


@pytest.mark.parametrize("raw", ["123", "abc", "011 15 123", "+54 9 11 4567"])
def test_invalid_phone_is_flagged(raw: str) -> None:
    result = normalize_phone(raw, "AR")

    assert result.e164 is None
    assert result.status == PhoneStatus.INVALID
    assert result.problem


def test_missing_phone() -> None:
    assert normalize_phone(None, "AR").status == PhoneStatus.MISSING
    assert normalize_phone("  ", "AR").status == PhoneStatus.MISSING


def test_phone_text_from_spreadsheet_numbers() -> None:
    assert phone_text(1145678901.0) == "1145678901"
    assert phone_text(1145678901) == "1145678901"
    assert phone_text("1145678901.0") == "1145678901"
    assert phone_text("1.145678901E+9") == "1145678901"


def test_wa_id_variants_per_country() -> None:
    assert wa_id_variants("+5491145678901") == {"5491145678901", "541145678901"}
    assert wa_id_variants("+525512345678") == {"525512345678", "5215512345678"}
    assert wa_id_variants("+5511987654321") == {"5511987654321", "551187654321"}
    assert wa_id_variants("+551134567890") == {"551134567890"}
    assert wa_id_variants("+56912345678") == {"56912345678"}


@pytest.mark.parametrize(
    ("wa_id", "country", "expected"),
    [
        ("5491145678901", "AR", "+5491145678901"),
        ("541145678901", "AR", "+5491145678901"),
        ("5215512345678", "MX", "+525512345678"),
        ("525512345678", "MX", "+525512345678"),
        ("551187654321", "BR", "+5511987654321"),
        ("5511987654321", "BR", "+5511987654321"),
        ("551134567890", "BR", "+551134567890"),
        ("12", "AR", None),
        ("", "AR", None),
    ],
)
def test_match_wa_id(wa_id: str, country: str, expected: str | None) -> None:
    assert match_wa_id(wa_id, country) == expected


def test_match_wa_id_agrees_with_stored_phone() -> None:
    stored = normalize_phone("011 15 4567-8901", "AR").e164
    assert stored is not None

    for variant in wa_id_variants(stored):
        assert match_wa_id(variant, "AR") == stored


@pytest.mark.parametrize(
    "raw",
    [
        "011 4567-8901 / 011 15 5555-6666",
        "011 4567-8901; 011 15 5555-6666",
        "011 4567-8901 y 011 15 5555-6666",
    ],
)
def test_cell_with_several_numbers_prefers_mobile(raw: str) -> None:
    result = normalize_phone(raw, "AR")

    assert result.e164 == "+5491155556666"
    assert result.raw == raw


def test_cell_with_several_invalid_numbers() -> None:
    result = normalize_phone("123 / 456", "AR")

    assert result.status == PhoneStatus.INVALID
    assert result.problem is not None
    assert "123 / 456" in result.problem


@pytest.mark.parametrize(
    ("e164", "zone"),
    [
        ("+5568999123456", "America/Rio_Branco"),
        ("+5592991234567", "America/Manaus"),
        ("+5565991234567", "America/Cuiaba"),
        ("+5581991234567", "America/Recife"),
        ("+5511987654321", "America/Sao_Paulo"),
        ("+5561991234567", "America/Sao_Paulo"),
        ("+5491123456789", None),
        (None, None),
    ],
)
def test_phone_timezone_by_ddd(e164: str | None, zone: str | None) -> None:
    assert phone_timezone(e164) == zone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(2) 2345 6789", "+56223456789"),
        ("+56 2 2345 6789", "+56223456789"),
        ("32 212 3456", "+56322123456"),
    ],
)
def test_chile_landline_has_note(raw: str, expected: str) -> None:
    result = normalize_phone(raw, "CL")

    assert result.e164 == expected
    assert result.status == PhoneStatus.VALID
    assert result.problem is not None
    assert "fijo" in result.problem


@pytest.mark.parametrize("raw", ["+56 9 5555 6666", "9 5555 6666", "955556666"])
def test_chile_mobile_has_no_note(raw: str) -> None:
    result = normalize_phone(raw, "CL")

    assert result.e164 == "+56955556666"
    assert result.problem is None


def test_chile_landline_for_other_country_business() -> None:
    result = normalize_phone("+56 2 2345 6789", "AR")

    assert result.e164 == "+56223456789"
    assert result.problem is not None


def test_chile_cell_with_landline_prefers_mobile() -> None:
    result = normalize_phone("(2) 2345 6789 / 9 5555 6666", "CL")

    assert result.e164 == "+56955556666"
    assert result.problem is None


@pytest.mark.parametrize(
    ("e164", "zones"),
    [
        ("+5597991234567", ("America/Manaus", "America/Eirunepe")),
        ("+5592991234567", ("America/Manaus",)),
        ("+5511987654321", ("America/Sao_Paulo",)),
        ("+5491123456789", ()),
        (None, ()),
    ],
)
def test_phone_timezones_of_shared_ddd(
    e164: str | None, zones: tuple[str, ...]
) -> None:
    assert phone_timezones(e164) == zones
