"""Mexican invoice exports write their currency as moneda nacional (M.N.)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import Document
from tests.ingest.conftest import make_business, run_import, write_csv


def test_moneda_nacional_is_business_currency(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            ["Folio", "Cliente", "Vencimiento", "Total", "Moneda"],
            ["A-1", "Papelería Rosy", "14/02/2026", '"$1,234.50 M.N."', "M.N."],
            ["A-2", "Don Chuy", "14/02/2026", '"$ 2,000.00 MN"', "MN"],
            ["A-3", "Taller", "14/02/2026", '"1,500.00 pesos"', "Moneda nacional"],
        ],
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    with transaction(engine) as session:
        documents = session.scalars(select(Document).order_by(Document.number)).all()
        amounts = [(d.number, d.amount, d.currency) for d in documents]
    assert amounts == [
        ("A-1", Decimal("1234.50"), "MXN"),
        ("A-2", Decimal("2000.00"), "MXN"),
        ("A-3", Decimal("1500.00"), "MXN"),
    ]
