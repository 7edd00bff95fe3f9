from __future__ import annotations

from decimal import Decimal

from cobranza.web.charts import funnel_chart
from cobranza.web.templating import templates


def test_funnel_share_matches_cards() -> None:
    chart = funnel_chart([("enviados", 17), ("respondieron", 9)], "Embudo")
    card = templates.env.filters["percent"](Decimal(9) / Decimal(17))

    assert card == "52,9 %"
    assert ">9 (52,9 %)<" in chart
    assert ">17 (100,0 %)<" in chart


def test_funnel_without_first_stage() -> None:
    chart = funnel_chart([("enviados", 0), ("respondieron", 0)], "Embudo")

    assert ">0<" in chart
    assert "%" not in chart
