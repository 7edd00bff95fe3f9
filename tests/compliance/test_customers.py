"""Finding a customer by external id or by a phone in any format."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from cobranza.compliance import (
    AmbiguousCustomerError,
    CustomerNotFoundError,
    resolve_customer,
)
from cobranza.compliance.erasure import erase_customer
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer
from tests.compliance.factories import CREATED, add_business, add_customer

AR_MOBILE = "+5491123456789"


@pytest.fixture
def argentine(engine: Engine) -> int:
    with transaction(engine) as session:
        business = add_business(session)
        add_customer(session, business, external_id="CLI-001", phone=AR_MOBILE)
        add_customer(session, business, external_id="CLI-002", phone="+541143214321")
        add_customer(session, business, external_id="1122334455")
        return business.id


@pytest.mark.parametrize(
    "ref",
    [
        "+5491123456789",
        "+54 9 11 2345-6789",
        "011 15-2345-6789",
        "(011) 15 2345 6789",
        "5491123456789",
        "541123456789",  # wa_id form without the mobile 9
        "11 2345 6789",  # a bare 10-digit mobile as people type it
    ],
)
def test_argentine_mobile_in_any_format(
    engine: Engine, argentine: int, ref: str
) -> None:
    with transaction(engine) as session:
        customer = resolve_customer(session, argentine, ref)

        assert customer.external_id == "CLI-001"


def test_external_id_first(engine: Engine, argentine: int) -> None:
    with transaction(engine) as session:
        assert (
            resolve_customer(session, argentine, " CLI-002 ").external_id == "CLI-002"
        )
        # Digits that are an external id win over reading them as a phone.
        assert resolve_customer(session, argentine, "1122334455").external_id == (
            "1122334455"
        )


def test_name_of_customer_without_code(engine: Engine) -> None:
    # An import without customer codes keys the customer by its folded name.
    with transaction(engine) as session:
        business = add_business(session)
        add_customer(session, business, external_id="jose nunez")

        for ref in ("José Núñez", " josé  núñez ", "JOSE NUNEZ"):
            customer = resolve_customer(session, business.id, ref)

            assert customer.external_id == "jose nunez"


def test_landline_by_phone(engine: Engine, argentine: int) -> None:
    with transaction(engine) as session:
        customer = resolve_customer(session, argentine, "(011) 4321-4321")

        assert customer.external_id == "CLI-002"


def test_match_by_wa_id_column(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session, country="MX", timezone="America/Mexico_City")
        add_customer(
            session, business, external_id="mx", phone=None, wa_id="5215512345678"
        )

        customer = resolve_customer(session, business.id, "+52 55 1234 5678")

        assert customer.external_id == "mx"


@pytest.mark.parametrize("ref", ["CLI-999", "+54 9 11 9999-9999", "hola", "  "])
def test_unknown_reference_rejected(engine: Engine, argentine: int, ref: str) -> None:
    with transaction(engine) as session:
        with pytest.raises(CustomerNotFoundError):
            resolve_customer(session, argentine, ref)


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("AR", "con su característica"),
        ("MX", "con su lada"),
        ("CO", "con su indicativo"),
        ("UY", "con su código de área"),
    ],
)
def test_unknown_reference_names_area_code(
    engine: Engine, country: str, expected: str
) -> None:
    with transaction(engine) as session:
        business = add_business(session, country=country)

        with pytest.raises(CustomerNotFoundError) as raised:
            resolve_customer(session, business.id, "C-999")

    assert str(raised.value).endswith(f"escribí el teléfono {expected}")


def test_other_business_customer_not_found(engine: Engine, argentine: int) -> None:
    with transaction(engine) as session:
        other = add_business(session, name="Otra")

        with pytest.raises(CustomerNotFoundError, match="CLI-001"):
            resolve_customer(session, other.id, "CLI-001")


def test_shared_phone_is_ambiguous(engine: Engine) -> None:
    with transaction(engine) as session:
        business = add_business(session)
        add_customer(session, business, external_id="A", phone=AR_MOBILE)
        add_customer(session, business, external_id="B", phone=AR_MOBILE)

        with pytest.raises(AmbiguousCustomerError, match=r"2 clientes \(A, B\)"):
            resolve_customer(session, business.id, "011 15 2345 6789")


def test_chilean_rut_as_written(engine: Engine) -> None:
    # An import without customer codes keys the customer by the compact RUT,
    # and an owner types the RUT with its points and hyphen.
    with transaction(engine) as session:
        business = add_business(session, country="CL", timezone="America/Santiago")
        customer = add_customer(session, business, external_id="765432103")
        customer.tax_id = "765432103"
        other = add_customer(session, business, external_id="C-9")
        other.tax_id = "96789012K"
        session.flush()

        for ref in ("76.543.210-3", "76543210-3", "765432103"):
            assert resolve_customer(session, business.id, ref).external_id == (
                "765432103"
            )
        assert resolve_customer(session, business.id, "96.789.012-k").external_id == (
            "C-9"
        )


@pytest.fixture
def brazilian(engine: Engine) -> int:
    with transaction(engine) as session:
        business = add_business(session, country="BR", timezone="America/Sao_Paulo")
        # An import keys a customer without a code by the bare CPF or CNPJ.
        add_customer(session, business, external_id="12345678909")
        coded = add_customer(session, business, external_id="C-01")
        coded.tax_id = "11222333000181"
        add_customer(session, business, external_id="C001")
        return business.id


@pytest.mark.parametrize(
    ("ref", "external_id"),
    [
        ("123.456.789-09", "12345678909"),
        ("123456789-09", "12345678909"),
        ("11.222.333/0001-81", "C-01"),
        ("11222333000181", "C-01"),
    ],
)
def test_brazilian_tax_id_written_with_separators(
    engine: Engine, brazilian: int, ref: str, external_id: str
) -> None:
    with transaction(engine) as session:
        customer = resolve_customer(session, brazilian, ref)

        assert customer.external_id == external_id


def test_short_code_not_read_as_tax_id(engine: Engine, brazilian: int) -> None:
    # "C-001" compacts to "C001", another customer's code, which it must
    # not find.
    with transaction(engine) as session:
        with pytest.raises(CustomerNotFoundError):
            resolve_customer(session, brazilian, "C-001")


def test_erased_tax_id_with_separators_named(engine: Engine, brazilian: int) -> None:
    # Given the customer keyed by the CPF 12345678909 erased under LGPD
    with transaction(engine) as session:
        business = session.get_one(Business, brazilian)
        customer = session.scalars(
            select(Customer).where(Customer.external_id == "12345678909")
        ).one()
        erase_customer(session, business, customer, CREATED, force=True)

    # When the owner types the CPF as it is written
    with transaction(engine) as session:
        with pytest.raises(CustomerNotFoundError) as raised:
            resolve_customer(session, brazilian, "123.456.789-09")

    # Then the error names the erasure, as it does for the bare CPF
    assert "pidió que se borraran sus datos" in str(raised.value)
