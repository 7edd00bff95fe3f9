from __future__ import annotations

import pytest

from cobranza.db.models import CustomerKind
from cobranza.ingest.taxids import check_tax_id, format_tax_id, kind_from_name


@pytest.mark.parametrize(
    ("value", "country", "kind"),
    [
        ("30-71234567-1", "AR", CustomerKind.COMPANY),
        ("20-12345678-6", "AR", CustomerKind.PERSON),
        ("ABC010101AB1", "MX", CustomerKind.COMPANY),
        ("GODE561231GR8", "MX", CustomerKind.PERSON),
        ("11.222.333/0001-81", "BR", CustomerKind.COMPANY),
        ("123.456.789-09", "BR", CustomerKind.PERSON),
        ("20100070970", "PE", CustomerKind.COMPANY),
    ],
)
def test_valid_tax_ids_and_kind(value: str, country: str, kind: CustomerKind) -> None:
    check = check_tax_id(value, country)

    assert check.valid is True
    assert check.kind == kind
    assert check.problem is None


@pytest.mark.parametrize(
    ("value", "country"),
    [
        ("20-12345678-0", "AR"),
        ("123.456.789-00", "BR"),
        ("11.222.333/0001-80", "BR"),
        ("76.086.428-6", "CL"),
        ("900.373.913-5", "CO"),
    ],
)
def test_wrong_check_digit_is_a_problem(value: str, country: str) -> None:
    check = check_tax_id(value, country)

    assert check.valid is False
    assert check.problem is not None
    assert value in check.problem


@pytest.mark.parametrize("value", ["900123456", "NIT 900.123.456", "00000278"])
def test_nit_without_hyphen_hints_check_digit(value: str) -> None:
    # A Colombian export often leaves the DIAN's check digit out, so the
    # owner reads that it may be missing and where it goes.
    check = check_tax_id(value, "CO")

    assert check.valid is False
    assert check.problem is not None
    assert "tiene mal el dígito de verificación o no lo trae" in check.problem
    assert "como en 900.123.456-8" in check.problem


def test_nit_with_hyphen_names_wrong_digit() -> None:
    check = check_tax_id("900.373.913-5", "CO")

    assert check.problem == (
        'El NIT "900.373.913-5" tiene mal el dígito de verificación'
    )


def test_argentine_dni_is_not_checked() -> None:
    check = check_tax_id("12.345.678", "AR")

    assert check.valid is None
    assert check.compact == "12345678"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Distribuidora del Sur S.R.L.", CustomerKind.COMPANY),
        ("Acme S.A.", CustomerKind.COMPANY),
        ("Abarrotes Lupita S.A. de C.V.", CustomerKind.COMPANY),
        ("Comercial Andes Ltda", CustomerKind.COMPANY),
        ("Servicios Bogotá SAS", CustomerKind.COMPANY),
        ("Transportes del Bajío S. de R.L. de C.V.", CustomerKind.COMPANY),
        ("Grupo Alfa S.A.P.I. de C.V.", CustomerKind.COMPANY),
        ("Pan del Valle SAB de CV", CustomerKind.COMPANY),
        ("Asociación de Colonos A.C.", CustomerKind.COMPANY),
        ("Sabina Acosta", None),
        ("María Pérez", None),
        ("Sasha Gómez", None),
    ],
)
def test_kind_from_name(name: str, kind: CustomerKind | None) -> None:
    assert kind_from_name(name) == kind


@pytest.mark.parametrize(
    ("value", "country", "written"),
    [
        ("11222333000181", "BR", "11.222.333/0001-81"),
        ("39053344705", "BR", "390.533.447-05"),
        ("20123456786", "AR", "20-12345678-6"),
        ("XAXX010101000", "MX", "XAXX010101000"),
        ("20123456780", "AR", "20123456780"),
    ],
)
def test_format_tax_id(value: str, country: str, written: str) -> None:
    assert format_tax_id(value, country) == written


@pytest.mark.parametrize(
    ("value", "compact", "valid", "kind"),
    [
        ("NIT 900.123.456-8", "9001234568", True, None),
        ("NIT: 900123456-7", "9001234567", False, None),
        ("C.C. 79.845.123", "79845123", None, CustomerKind.PERSON),
        ("CC 1020304050", "1020304050", None, CustomerKind.PERSON),
        ("CE 456789", "456789", None, CustomerKind.PERSON),
    ],
)
def test_colombian_document_type_prefix(
    value: str, compact: str, valid: bool | None, kind: CustomerKind | None
) -> None:
    # Colombian exports often write the document type before the number. A
    # cédula (CC) or cédula de extranjería (CE) has no check digit.
    check = check_tax_id(value, "CO")

    assert check.compact == compact
    assert check.valid is valid
    assert check.kind == kind


@pytest.mark.parametrize(
    ("value", "compact", "kind"),
    [
        ("4567890000179", "04567890000179", CustomerKind.COMPANY),
        ("1234567890", "01234567890", CustomerKind.PERSON),
        ("12345000165", "00012345000165", CustomerKind.COMPANY),
    ],
)
def test_brazil_restores_zeros_excel_dropped(
    value: str, compact: str, kind: CustomerKind
) -> None:
    # Excel stores a CPF or CNPJ typed as a number without its leading zeros.
    check = check_tax_id(value, "BR")

    assert check.compact == compact
    assert check.valid is True
    assert check.kind == kind


def test_brazil_wrong_short_number_keeps_problem() -> None:
    check = check_tax_id("4567890000178", "BR")

    assert check.valid is False
    assert check.compact == "4567890000178"
    assert check.problem is not None
