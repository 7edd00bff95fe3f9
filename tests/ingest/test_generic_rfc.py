"""Mexican invoices to the general public carry the SAT's generic RFC.

XAXX010101000 (general public) and XEXX010101000 (foreign customers) are
printed on the invoices of many different customers, so an import must not
merge those customers into one, and must not report the RFC as invalid.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import Customer
from cobranza.ingest.taxids import check_tax_id
from tests.ingest.conftest import make_business, run_import, write_csv

HEADER = ["Cliente", "RFC", "Celular", "Folio", "Fecha de vencimiento", "Importe"]


def test_generic_rfc_is_valid() -> None:
    for value in ("XAXX010101000", "xexx-010101-000"):
        check = check_tax_id(value, "MX")

        assert check.valid is True
        assert check.generic is True
        assert check.problem is None
        assert check.kind is None


def test_real_rfc_not_generic() -> None:
    check = check_tax_id("GODE561231GR8", "MX")

    assert check.valid is True
    assert check.generic is False


def test_generic_rfc_keeps_customers_apart(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            HEADER,
            ["Ana Díaz", "XAXX010101000", "5512345678", "A-1", "10/05/26", "100"],
            ["Luis Pérez", "XAXX010101000", "3331234567", "A-2", "10/05/26", "200"],
            ["John Smith", "XEXX010101000", "8181234567", "A-3", "10/05/26", "300"],
        ],
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.customers_created == 3
    assert report.rows_flagged == []
    with transaction(engine) as session:
        customers = session.scalars(
            select(Customer).where(Customer.business_id == business_id)
        ).all()
        names = sorted(c.name for c in customers)
        tax_ids = sorted(c.tax_id or "" for c in customers)
        invalid = [c.name for c in customers if c.tax_id_valid is not True]
    assert names == ["Ana Díaz", "John Smith", "Luis Pérez"]
    assert tax_ids == ["XAXX010101000", "XAXX010101000", "XEXX010101000"]
    assert invalid == []


def test_generic_rfc_alone_rejected(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "MX")
    path = write_csv(
        tmp_path / "facturas.csv",
        [
            ["RFC", "Folio", "Fecha de vencimiento", "Importe"],
            ["XAXX010101000", "A-1", "10/05/2026", "100.00"],
            ["GODE561231GR8", "A-2", "10/05/2026", "200.00"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.customers_created == 1
    assert len(report.rows_rejected) == 1
    rejection = report.rows_rejected[0]
    assert rejection.code == "generic_tax_id_only"
    assert rejection.line == 2
    assert '"XAXX010101000"' in rejection.message
    assert "nombre del cliente" in rejection.message
