from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business
from cobranza.web.charts import funnel_chart
from cobranza.web.templating import templates
from tests.web.conftest import Tenant

PERCENT = templates.env.from_string("{{ share|percent }}")


@pytest.mark.parametrize(
    ("locale", "share", "all_of_it"),
    [("es_AR", "52,9%", "100,0%"), ("es_MX", "52.9%", "100.0%")],
)
def test_funnel_share_matches_cards(locale: str, share: str, all_of_it: str) -> None:
    chart = funnel_chart([("enviados", 17), ("respondieron", 9)], "Embudo", locale)
    card = PERCENT.render(share=Decimal(9) / Decimal(17), business_locale=locale)

    assert card == share
    assert f">9 ({share})<" in chart
    assert f">17 ({all_of_it})<" in chart


def test_funnel_without_first_stage() -> None:
    chart = funnel_chart([("enviados", 0), ("respondieron", 0)], "Embudo")

    assert ">0<" in chart
    assert "%" not in chart


@pytest.mark.parametrize(("locale", "mark"), [("es_AR", ","), ("es_MX", ".")])
def test_summary_percent_uses_business_locale(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
    locale: str,
    mark: str,
) -> None:
    with transaction(engine) as session:
        session.get_one(Business, tenant.business_id).locale = locale
    client, _ = client_for(tenant)

    page = client.get("/").text

    other = "," if mark == "." else "."
    assert f"0{mark}0%" in page
    assert f"0{other}0%" not in page
