"""Colombian exports: the NIT's check digit (DV) in a column of its own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.ingest.conftest import customer, make_business, run_import, write_csv

HEADER = ["Código cliente", "Razón social", "NIT", "DV", "Factura", "Vencimiento"]


def write_export(path: Path, rows: list[list[str]]) -> Path:
    header = [*HEADER, "Valor"]
    return write_csv(
        path, [header, *[[*row, "100.000"] for row in rows]], separator=";"
    )


def test_dv_column_completes_nit(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "CO")
    path = write_export(
        tmp_path / "cartera.csv",
        [
            ["N1", "Andina S.A.S.", "900.123.456", "8", "F-1", "15/12/2026"],
            ["N2", "Juan Pérez", "79845123", "", "F-2", "15/12/2026"],
            ["N3", "Otra S.A.S.", "900123456", "7", "F-3", "15/12/2026"],
            ["N4", "Con guion S.A.S.", "900123456-8", "8", "F-4", "15/12/2026"],
            ["N5", "Sin DV aparte", "900123456-7", "", "F-5", "15/12/2026"],
        ],
    )

    report = run_import(engine, business_id, path)

    assert report.mapping["DV"] == "tax_id_check_digit"
    company = customer(engine, business_id, "N1")
    assert (company.tax_id, company.tax_id_valid) == ("9001234568", True)
    # A cédula has no check digit, and its DV cell is empty.
    person = customer(engine, business_id, "N2")
    assert (person.tax_id, person.tax_id_valid) == ("79845123", None)
    wrong = customer(engine, business_id, "N3")
    assert (wrong.tax_id, wrong.tax_id_valid) == ("9001234567", False)
    written_whole = customer(engine, business_id, "N4")
    assert (written_whole.tax_id, written_whole.tax_id_valid) == ("9001234568", True)
    # A DV written in the NIT itself is verified even when the DV cell is empty.
    written_wrong = customer(engine, business_id, "N5")
    assert (written_wrong.tax_id, written_wrong.tax_id_valid) == ("9001234567", False)
    flagged = [(issue.line, issue.code) for issue in report.rows_flagged]
    assert flagged == [(4, "invalid_tax_id"), (6, "invalid_tax_id")]


def test_nit_without_dv_column_names_it(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "CO")
    path = write_csv(
        tmp_path / "cartera.csv",
        [
            ["Cliente", "NIT", "Factura", "Vencimiento", "Valor"],
            ["Juan Pérez", "79.845.123", "F-1", "15/12/2026", "100.000"],
            ["Otra S.A.S.", "900123456-7", "F-2", "15/12/2026", "100.000"],
        ],
        separator=";",
    )

    report = run_import(engine, business_id, path)

    bare, hyphenated = report.rows_flagged
    assert "79.845.123" in bare.message
    assert "columna «DV»" in bare.message
    # A hyphen shows the check digit is there, so it is only wrong.
    assert "columna «DV»" not in hyphenated.message
