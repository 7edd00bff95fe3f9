"""Brazilian invoice exports: Portuguese headers, CPF/CNPJ, +55 phones, 1.234,56."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import transaction
from cobranza.db.models import Document
from cobranza.ingest.mapping import (
    AMOUNT,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    DUE_ON,
    ISSUED_ON,
    MOBILE,
    NUMBER,
    OPEN_AMOUNT,
    PAID_AMOUNT,
    STATUS,
    TAX_ID,
    field_for_header,
    resolve_mapping,
)
from tests.ingest.conftest import customer, make_business, run_import, write_csv

runner = CliRunner()

# Each header set is one shape of a Brazilian invoice export, and each maps
# its ten columns, in order, to FIELDS.
HEADER_SETS = [
    ["Código do cliente", "Razão social", "CPF/CNPJ", "Telefone celular",
     "Nº NF-e", "Data de emissão", "Vencimento", "Valor (R$)", "Valor recebido",
     "Saldo devedor"],
    ["Código do cliente", "Cliente", "CPF/CNPJ", "Celular", "Número da nota",
     "Emissão", "Vencimento", "Valor (R$)", "Valor pago", "Valor em aberto"],
    ["Código do cliente", "Nome/Razão Social", "CPF/CNPJ", "Celular", "Nº NF",
     "Data de emissão", "Vencimento", "Valor (R$)", "Valor recebido",
     "Saldo devedor"],
    ["Código do cliente", "Razão Social / Nome", "CPF/CNPJ", "Telefone celular",
     "Nº NF", "Emissão", "Vencimento", "Valor (R$)", "Valor pago",
     "Valor em aberto"],
]  # fmt: skip
FIELDS = [
    CUSTOMER_ID, CUSTOMER_NAME, TAX_ID, MOBILE, NUMBER, ISSUED_ON, DUE_ON,
    AMOUNT, PAID_AMOUNT, OPEN_AMOUNT,
]  # fmt: skip
ROWS = [
    ["C-01", "Padaria Pão Quente Ltda.", "11.222.333/0001-81", "+55 11 91234-5678",
     "000.123", "02/03/2026", "01/04/2026", "1.234,56", "234,56", "1.000,00"],
    ["C-02", "João da Silva", "529.982.247-25", "(21) 98765-4321", "000.124",
     "15/03/2026", "14/04/2026", "12.500,00", "0,00", "12.500,00"],
]  # fmt: skip


@pytest.mark.parametrize("header", HEADER_SETS, ids=["nfe", "nota", "nf", "nome"])
def test_portuguese_headers_map(header: list[str]) -> None:
    mapping = resolve_mapping(header, {})

    mapped = {header[index]: field for field, index in mapping.columns.items()}
    assert mapped == dict(zip(header, FIELDS, strict=True))
    assert mapping.unmapped == ()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Valor (R$)", AMOUNT),
        ("Total [R$]", AMOUNT),
        ("Saldo R$", OPEN_AMOUNT),
        ("Nº da NF-e", NUMBER),
        ("Valor recebido", PAID_AMOUNT),
        ("Razão social", CUSTOMER_NAME),
        ("Telefone celular", MOBILE),
        ("Saldo insoluto", OPEN_AMOUNT),
        ("Fecha de vencimiento", DUE_ON),
        ("Folio", NUMBER),
        ("Importe", AMOUNT),
        ("RFC", TAX_ID),
        ("NIT", TAX_ID),
        ("Razón social", CUSTOMER_NAME),
        ("Nombre o razón social", CUSTOMER_NAME),
    ],
)
def test_header_synonym(header: str, field: str) -> None:
    assert field_for_header(header) == field


def test_trade_name_next_to_legal_name() -> None:
    # "Nome fantasia" is the trade name that many exports list next to the
    # legal name, so it stays unmapped instead of competing for the name.
    header = ["Razão social", "Nome fantasia", "CPF/CNPJ", "Nº NF-e",
              "Vencimento", "Valor (R$)"]  # fmt: skip

    mapping = resolve_mapping(header, {})

    assert mapping.columns[CUSTOMER_NAME] == 0
    assert mapping.unmapped == ("Nome fantasia",)


@pytest.mark.parametrize("header", ["Valor (USD)", "Valor (US$)", "Valor (IVA)"])
def test_other_currency_marks_stay_unmapped(header: str) -> None:
    assert field_for_header(header) is None


def write_brazil_xlsx(path: Path, header: list[str]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Contas a receber"
    sheet.append(["Contas a receber - Distribuidora Demo (fictícia)"])
    sheet.append(header)
    for row in ROWS:
        sheet.append(row)
    workbook.save(path)
    return path


def test_brazil_xlsx_imports(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    path = write_brazil_xlsx(tmp_path / "contas.xlsx", HEADER_SETS[0])

    report = run_import(engine, business_id, path)

    assert report.rows_rejected == []
    assert report.rows_flagged == []
    assert report.decimal["convention"] == "comma"
    assert report.date_format["order"] == "dmy"
    assert report.documents_imported == 2
    assert report.open_balance == Decimal("13500.00")
    assert report.payments_recorded == 1
    with transaction(engine) as session:
        documents = {doc.number: doc for doc in session.scalars(select(Document))}
    assert documents["000.123"].amount == Decimal("1234.56")
    assert documents["000.123"].open_amount == Decimal("1000.00")
    assert documents["000.123"].currency == "BRL"
    assert documents["000.123"].issued_on == date(2026, 3, 2)
    assert documents["000.123"].due_on == date(2026, 4, 1)
    assert documents["000.124"].due_on == date(2026, 4, 14)


def test_brazil_customers_keep_cpf_cnpj(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    path = write_brazil_xlsx(tmp_path / "contas.xlsx", HEADER_SETS[0])

    run_import(engine, business_id, path)
    company = customer(engine, business_id, "C-01")
    person = customer(engine, business_id, "C-02")

    assert company.name == "Padaria Pão Quente Ltda."
    assert company.tax_id == "11222333000181"
    assert company.tax_id_valid is True
    assert company.phone == "+5511912345678"
    assert person.tax_id == "52998224725"
    assert person.tax_id_valid is True
    assert person.phone == "+5521987654321"


def test_brazil_csv_dry_run_from_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "cobranza.db"
    path = write_csv(tmp_path / "contas.csv", [HEADER_SETS[1], *ROWS], separator=";")
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("COBRANZA_COUNTRY", "BR")
    monkeypatch.delenv("COBRANZA_BUSINESS_NAME", raising=False)
    get_settings.cache_clear()

    result = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])
    get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["currency"] == "BRL"
    assert report["documents_imported"] == 2
    assert report["open_balance"] == "13500.00"
    assert report["rows_flagged"] == []
    assert not database.exists()


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("(11) 8765-4320", "ahora es (11) 98765-4320"),
        ("+55 21 8765-4320", "ahora es (21) 98765-4320"),
        ("(11) 1234-567", None),
    ],
)
def test_old_mobile_gets_ninth_digit_hint(
    engine: Engine, tmp_path: Path, written: str, hint: str | None
) -> None:
    # Customer files still keep mobiles from before 2016 without the 9. The
    # phone stays invalid, but the report shows the number as it is now.
    business_id = make_business(engine, "BR")
    row = ["C-03", "Ana Souza", "", written, "000.125", "01/03/2026",
           "31/03/2026", "100,00", "0,00", "100,00"]  # fmt: skip
    path = write_csv(tmp_path / "contas.csv", [HEADER_SETS[0], row], separator=";")

    report = run_import(engine, business_id, path)

    [flag] = report.rows_flagged
    assert flag.code == "invalid_phone"
    assert customer(engine, business_id, "C-03").phone is None
    if hint is None:
        assert "sin el 9" not in flag.message
    else:
        assert "Si es un celular escrito sin el 9" in flag.message
        assert hint in flag.message


def test_customer_timezone_follows_ddd(engine: Engine, tmp_path: Path) -> None:
    # Brazil spans four UTC offsets, and contact hours are the customer's.
    business_id = make_business(engine, "BR")
    rows = [
        ["C-AC", "Loja Rio Branco", "", "(68) 99912-3456", "000.201", "01/03/2026",
         "31/03/2026", "100,00", "0,00", "100,00"],
        ["C-AM", "Mercado Manaus", "", "(92) 99123-4567", "000.202", "01/03/2026",
         "31/03/2026", "100,00", "0,00", "100,00"],
        ["C-SP", "Padaria Paulista", "", "(11) 91234-5678", "000.203", "01/03/2026",
         "31/03/2026", "100,00", "0,00", "100,00"],
        ["C-NO", "Sem Telefone", "", "", "000.204", "01/03/2026",
         "31/03/2026", "100,00", "0,00", "100,00"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "contas.csv", [HEADER_SETS[0], *rows], separator=";")

    run_import(engine, business_id, path)

    assert customer(engine, business_id, "C-AC").timezone == "America/Rio_Branco"
    assert customer(engine, business_id, "C-AM").timezone == "America/Manaus"
    assert customer(engine, business_id, "C-SP").timezone == "America/Sao_Paulo"
    assert customer(engine, business_id, "C-NO").timezone is None


def test_new_phone_moves_customer_timezone(engine: Engine, tmp_path: Path) -> None:
    business_id = make_business(engine, "BR")
    first = ["C-01", "Ana Souza", "", "(68) 99912-3456", "000.301", "01/03/2026",
             "31/03/2026", "100,00", "0,00", "100,00"]  # fmt: skip
    moved = [*first[:3], "(11) 91234-5678", *first[4:]]
    run_import(
        engine,
        business_id,
        write_csv(tmp_path / "a.csv", [HEADER_SETS[0], first], separator=";"),
    )
    run_import(
        engine,
        business_id,
        write_csv(tmp_path / "b.csv", [HEADER_SETS[0], moved], separator=";"),
    )

    assert customer(engine, business_id, "C-01").timezone == "America/Sao_Paulo"


@pytest.mark.parametrize("status", ["Cancelada", "CANCELADO", "Estornado"])
def test_cancelled_status_rejects_row(
    engine: Engine, tmp_path: Path, status: str
) -> None:
    # A Bling or Omie export lists cancelled documents with "Situação"
    # Cancelada. Such a document is not owed, so it must never be collected.
    business_id = make_business(engine, "BR")
    header = ["Nº NF", "CPF/CNPJ", "Razão social", "Vencimento", "Valor",
              "Situação"]  # fmt: skip
    rows = [
        ["000.401", "529.982.247-25", "Maria", "01/03/2026", "100,00", "Em aberto"],
        ["000.402", "123.456.789-09", "João", "01/03/2026", "200,00", status],
    ]
    path = write_csv(tmp_path / "contas.csv", [header, *rows], separator=";")

    report = run_import(engine, business_id, path)

    assert report.documents_imported == 1
    assert report.open_balance == Decimal("100.00")
    [rejected] = report.rows_rejected
    assert rejected.code == "cancelled_document"
    assert rejected.column == "Situação"
    assert f'figura como "{status}"' in rejected.message
    with transaction(engine) as session:
        numbers = list(session.scalars(select(Document.number)))
    assert numbers == ["000.401"]


def test_status_header_maps() -> None:
    assert field_for_header("Situação") == STATUS
    assert field_for_header("Estado") is None
