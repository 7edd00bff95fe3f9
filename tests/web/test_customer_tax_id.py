"""The customer page shows the tax id as the business's country prints it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer
from tests.web.conftest import Tenant


def _set_tax_id(
    engine: Engine, tenant: Tenant, country: str, tax_id: str, valid: bool | None
) -> None:
    with transaction(engine) as session:
        session.get_one(Business, tenant.business_id).country = country
        customer = session.get_one(Customer, tenant.customer_id)
        customer.tax_id = tax_id
        customer.tax_id_valid = valid


@pytest.mark.parametrize(
    ("country", "stored", "shown"),
    [
        ("CL", "765432103", "76.543.210-3"),
        ("AR", "20123456786", "20-12345678-6"),
        ("BR", "12345678909", "123.456.789-09"),
        ("BR", "11222333000181", "11.222.333/0001-81"),
        ("CO", "2131234321", "213.123.432-1"),
        ("MX", "GODE561231GR8", "GODE561231GR8"),
        ("PE", "20100070970", "20100070970"),
    ],
)
def test_customer_page_formats_tax_id(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
    country: str,
    stored: str,
    shown: str,
) -> None:
    _set_tax_id(engine, tenant, country, stored, True)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert f'ID fiscal <bdi id="customer-tax-id">{shown}</bdi>' in page
    assert "(inválido)" not in page


def test_customer_page_invalid_tax_id_as_stored(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    _set_tax_id(engine, tenant, "CL", "76543210K", False)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert '<bdi id="customer-tax-id">76543210K</bdi> (inválido)' in page


def test_customer_page_without_tax_id(
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert "customer-tax-id" not in page
