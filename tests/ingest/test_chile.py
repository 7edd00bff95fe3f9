"""Chilean exports: SII document types (Tipo DTE) and RUTs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import Document, DocumentKind
from tests.ingest.conftest import make_business, run_import, write_csv

HEADER = [
    "Folio",
    "Tipo DTE",
    "RUT",
    "Razón Social",
    "Fecha Emisión",
    "Fecha Vencimiento",
    "Monto Total",
]


def _kinds(engine: Engine, business_id: int) -> dict[str, tuple[DocumentKind, Decimal]]:
    with transaction(engine) as session:
        documents = session.scalars(
            select(Document).where(Document.business_id == business_id)
        )
        return {doc.number: (doc.kind, doc.amount) for doc in documents}


def test_sii_document_types(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "CL")
    rut = "76543210-3"
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            HEADER,
            ["1201", "33", rut, "Andes", "01/10/2026", "31/10/2026", "1.234.568"],
            ["1202", "39", rut, "Los Andes SpA", "02/10/2026", "02/10/2026", "30.000"],
            ["88", "61", rut, "Los Andes SpA", "05/10/2026", "05/10/2026", "100.000"],
            ["90", "56", rut, "Los Andes SpA", "06/10/2026", "06/11/2026", "5.000"],
            ["91", "Nota de Crédito Electrónica", rut, "Los Andes SpA", "07/10/2026",
             "07/10/2026", "1.000"],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.mapping["Tipo DTE"] == "kind"
    assert report.rows_rejected == []
    kinds = _kinds(engine, business_id)
    assert kinds["1201"] == (DocumentKind.INVOICE, Decimal("1234568"))
    assert kinds["39-1202"] == (DocumentKind.INVOICE, Decimal("30000"))
    assert kinds["88"] == (DocumentKind.CREDIT_NOTE, Decimal("-100000"))
    assert kinds["90"] == (DocumentKind.DEBIT_NOTE, Decimal("5000"))
    assert kinds["91"] == (DocumentKind.CREDIT_NOTE, Decimal("-1000"))


def test_dispatch_guide_rejected_naming_sii_codes(
    engine: Engine, tmp_path: Path
) -> None:
    # 52 is an ARCA debit note but a Chilean dispatch guide (guía de
    # despacho), which charges nothing.
    business_id = make_business(engine, "CL")
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            HEADER,
            ["7", "52", "76.543.210-3", "Los Andes SpA", "01/10/2026", "31/10/2026",
             "10.000"],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    (rejected,) = report.rows_rejected
    assert rejected.code == "invalid_kind"
    assert "61 nota de crédito" in rejected.message


def test_bsale_export_names(engine: Engine, tmp_path: Path) -> None:
    # "N° Documento" is the folio in Chile, and the document type is written
    # out, in capitals, as Bsale exports it.
    business_id = make_business(engine, "CL")
    path = write_csv(
        tmp_path / "documentos.csv",
        [
            ["Tipo Documento", "N° Documento", "Fecha Emisión", "Fecha Vencimiento",
             "RUT Cliente", "Razón Social", "Fono", "Total"],
            ["FACTURA ELECTRÓNICA", "1301", "01-10-2026", "31-10-2026",
             "76.543.210-3", "Los Andes SpA", "9 8765 4321", "119.000"],
            ["NOTA DE CRÉDITO ELECTRÓNICA", "90", "03-10-2026", "03-10-2026",
             "76.543.210-3", "Los Andes SpA", "9 8765 4321", "11.900"],
            ["FACTURA NO AFECTA O EXENTA ELECTRÓNICA", "1302", "05-10-2026",
             "04-11-2026", "77.123.456-9", "El Roble Ltda.", "", "50.000"],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.mapping["N° Documento"] == "number"
    assert report.mapping["RUT Cliente"] == "tax_id"
    assert report.mapping["Fono"] == "phone"
    assert report.rows_rejected == []
    kinds = _kinds(engine, business_id)
    assert kinds["1301"] == (DocumentKind.INVOICE, Decimal("119000"))
    assert kinds["90"] == (DocumentKind.CREDIT_NOTE, Decimal("-11900"))
    assert kinds["34-1302"] == (DocumentKind.INVOICE, Decimal("50000"))


def test_numero_documento_elsewhere_is_tax_id(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "AR")
    path = write_csv(
        tmp_path / "saldos.csv",
        [
            ["Factura", "Nro. Documento", "Cliente", "Vencimiento", "Importe"],
            ["F-1", "20-12345678-6", "Juan", "31/10/2026", "1.000,00"],
        ],
        separator=";",
    )

    report = run_import(engine, business_id, path)

    assert report.mapping["Nro. Documento"] == "tax_id"


def test_folios_numbered_per_document_type(engine: Engine, tmp_path: Path) -> None:
    # The SII numbers folios per type: factura 100, boleta 100 and boleta
    # exenta 100 are three documents.
    business_id = make_business(engine, "CL")
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            HEADER,
            ["100", "33", "76543210-3", "Andes", "01/10/2026", "31/10/2026", "119.000"],
            ["100", "39", "12345678-5", "Juan", "02/10/2026", "02/10/2026", "30.000"],
            ["100", "Boleta Exenta Electrónica", "12345678-5", "Juan", "03/10/2026",
             "03/10/2026", "5.000"],
            ["100", "61", "76543210-3", "Andes", "04/10/2026", "04/10/2026", "11.900"],
        ],
        separator=";",
    )  # fmt: skip

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    with transaction(engine) as session:
        stored = {
            (doc.number, doc.kind, doc.amount)
            for doc in session.scalars(
                select(Document).where(Document.business_id == business_id)
            )
        }
    assert stored == {
        ("100", DocumentKind.INVOICE, Decimal("119000")),
        ("39-100", DocumentKind.INVOICE, Decimal("30000")),
        ("41-100", DocumentKind.INVOICE, Decimal("5000")),
        ("100", DocumentKind.CREDIT_NOTE, Decimal("-11900")),
    }


WITHOUT_TYPE = ["Folio", "RUT", "Razón Social", "Fecha Vencimiento", "Monto Total"]


def test_boleta_matches_bare_folio(engine: Engine, tmp_path: Path) -> None:
    # A file imported before the Tipo DTE column was read stored the
    # boleta's bare folio, "100".
    business_id = make_business(engine, "CL")
    rut = "76543210-3"
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "antes.csv",
            [WITHOUT_TYPE, ["100", rut, "Andes", "31/10/2026", "30.000"]],
            separator=";",
        ),
    )

    report = run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "ventas.csv",
            [
                [*HEADER, "Saldo"],
                [
                    "100",
                    "39",
                    rut,
                    "Andes",
                    "01/10/2026",
                    "31/10/2026",
                    "30.000",
                    "10.000",
                ],
            ],
            separator=";",
        ),  # fmt: skip
        full_snapshot=True,
    )

    assert report.documents_created == 0
    assert report.settled_as_missing == 0
    with transaction(engine) as session:
        documents = session.scalars(select(Document)).all()
        stored = [(d.number, d.open_amount) for d in documents]
    assert stored == [("100", Decimal("10000"))]


def test_bare_folio_of_other_document_kept(engine: Engine, tmp_path: Path) -> None:
    # Folio 100 of another customer is another document (a factura, which
    # keeps the bare folio), so boleta 100 is stored beside it.
    business_id = make_business(engine, "CL")
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "antes.csv",
            [WITHOUT_TYPE, ["100", "76543210-3", "Andes", "31/10/2026", "30.000"]],
            separator=";",
        ),
    )

    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "ventas.csv",
            [
                HEADER,
                [
                    "100",
                    "39",
                    "11111111-1",
                    "Ana",
                    "01/10/2026",
                    "31/10/2026",
                    "30.000",
                ],
            ],
            separator=";",
        ),  # fmt: skip
    )

    assert set(_kinds(engine, business_id)) == {"100", "39-100"}


def test_boleta_not_matched_to_factura(engine: Engine, tmp_path: Path) -> None:
    # Facturas keep the bare folio and are numbered apart from boletas, so
    # factura 100 and boleta 39-100 of one customer and amount are two
    # documents. The paid boleta must not settle the open factura.
    business_id = make_business(engine, "CL")
    rut = "76543210-3"
    run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "facturas.csv",
            [
                [*HEADER, "Saldo"],
                [
                    "100",
                    "33",
                    rut,
                    "Andes",
                    "01/10/2026",
                    "31/10/2026",
                    "30.000",
                    "30.000",
                ],
            ],
            separator=";",
        ),  # fmt: skip
    )

    report = run_import(
        engine,
        business_id,
        write_csv(
            tmp_path / "boletas.csv",
            [
                [*HEADER, "Saldo"],
                ["100", "39", rut, "Andes", "05/10/2026", "05/10/2026", "30.000", "0"],
            ],
            separator=";",
        ),  # fmt: skip
    )

    assert report.documents_created == 1
    with transaction(engine) as session:
        documents = session.scalars(
            select(Document).where(Document.business_id == business_id)
        )
        stored = {doc.number: doc.open_amount for doc in documents}
    assert stored == {"100": Decimal("30000"), "39-100": Decimal("0")}
