"""The customer list search finds a tax id however the owner writes it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business
from cobranza.web.dashboard.customer_queries import (
    CustomerFilters,
    list_customers_page,
)
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer


@pytest.mark.parametrize(
    ("search", "external_id"),
    [
        ("123.456.789-09", "C-CPF"),
        ("12345678909", "C-CPF"),
        ("11.222.333/0001-81", "C-CNPJ"),
        ("11.222.333", "C-CNPJ"),
    ],
)
def test_search_finds_tax_id_with_separators(
    engine: Engine, tenant: Tenant, search: str, external_id: str
) -> None:
    # Given customers whose CPF and CNPJ are stored bare, as the import keeps them
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        person = make_customer(session, business, NOW, "C-CPF", "João da Silva", None)
        person.tax_id = "12345678909"
        company = make_customer(session, business, NOW, "C-CNPJ", "Padaria", None)
        company.tax_id = "11222333000181"

    # When the owner searches for the tax id as Brazilians write it
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        rows, total = list_customers_page(
            session, business, NOW.date(), CustomerFilters(search=search), 1, 50
        )

    # Then only that customer is listed
    assert [row.external_id for row in rows] == [external_id]
    assert total == 1
