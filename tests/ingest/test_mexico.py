"""Mexican invoice exports as they come: M.N., MXN headers, CFDI columns."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import Document
from cobranza.ingest import MappingError
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


def test_cfdi_report_series_and_receptor(engine: Engine, tmp_path: Path) -> None:
    # A CFDI report: the series apart from the folio, and the customer as
    # "Receptor". A-100 and B-100 are two invoices.
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "cfdi.csv",
        [
            ["Serie", "Folio", "Receptor", "RFC Receptor", "Fecha de vencimiento",
             "Total", "Saldo insoluto"],
            ["A", "100", "Papelería Rosy", "GODE561231GR8", "01/12/2026",
             '"1,160.00"', '"1,160.00"'],
            ["B", "100", "Don Chuy", "XAXX010101000", "01/12/2026", "580.00",
             "580.00"],
            ["A", "A101", "Papelería Rosy", "GODE561231GR8", "02/12/2026",
             '"2,320.00"', "0.00"],
        ],
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.mapping["Serie"] == "series"
    assert report.mapping["Receptor"] == "customer_name"
    assert report.mapping["RFC Receptor"] == "tax_id"
    with transaction(engine) as session:
        numbers = sorted(session.scalars(select(Document.number)))
    assert numbers == ["A-100", "A101", "B-100"]


def test_decimal_option_in_spanish(engine: Engine, tmp_path: Path) -> None:
    # "1.234" alone is ambiguous in Mexico, so the owner picks the mark.
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            ["Folio", "Cliente", "Vencimiento", "Total"],
            ["A-1", "Papelería Rosy", "14/02/2026", "1.234"],
        ],
    )

    for written, expected in (("coma", "1234"), ("Punto", "1.23")):
        report = run_import(engine, business_id, path, decimal=written, dry_run=True)

        assert report.rows_rejected == []
        assert report.open_balance == Decimal(expected), written


def test_own_currency_code_in_header(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            ["Folio", "Razón Social", "Vencimiento", "Importe (MXN)", "Saldo MXN"],
            ["Q-1", "Papelería Rosy", "14/12/2026", '"1,000.00"', "400.00"],
        ],
    )

    report = run_import(engine, business_id, path, dry_run=True)

    assert report.mapping["Importe (MXN)"] == "amount"
    assert report.mapping["Saldo MXN"] == "open_amount"
    assert report.open_balance == Decimal("400.00")


def test_other_currency_code_in_header_unmapped(engine: Engine, tmp_path: Path) -> None:
    # Amounts in another currency than the business's need a currency column,
    # so the owner maps such a column by hand.
    rows = [
        ["Folio", "Razón Social", "Vencimiento", "Importe (MXN)"],
        ["Q-1", "Papelería Rosy", "14/12/2026", "1000.00"],
    ]
    business_id = make_business(engine, "AR")
    path = write_csv(tmp_path / "facturas.csv", rows)

    with pytest.raises(MappingError) as caught:
        run_import(engine, business_id, path, dry_run=True)

    assert caught.value.details["missing"] == ["amount"]
