"""`cobranza data export|erase` against a temporary SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import _count_of, app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import Business, Customer, Document, Payment
from cobranza.timeutil import local_date
from tests.compliance.factories import CREATED, add_customer

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database with customer CLI-7 owing one invoice of 1.200,00."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    engine = open_database(url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        customer = add_customer(
            session, business, external_id="CLI-7", phone="+5491123456789"
        )
        customer.email = "cli7@example.com"
        session.add(
            Document(
                business_id=business.id,
                customer_id=customer.id,
                number="F-77",
                issued_on=date(2026, 3, 1),
                due_on=date(2026, 3, 1),
                amount=Decimal("1200.00"),
                currency="ARS",
                open_amount=Decimal("1200.00"),
                created_at=CREATED,
                updated_at=CREATED,
            )
        )
    engine.dispose()
    yield url
    get_settings.cache_clear()


def _customer(url: str) -> Customer:
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            customer = session.scalars(select(Customer)).one()
            session.expunge(customer)
            return customer
    finally:
        engine.dispose()


def test_export_to_stdout(cli_db: str) -> None:
    result = runner.invoke(app, ["data", "export", "CLI-7"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["customer"]["email"] == "cli7@example.com"
    assert document["documents"][0]["open_amount"] == "1200.00"


def test_export_to_file(cli_db: str, tmp_path: Path) -> None:
    output = tmp_path / "cliente.json"

    result = runner.invoke(app, ["data", "export", "CLI-7", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text("utf-8"))["customer"]["external_id"] == "CLI-7"


def test_unknown_customer_is_named(cli_db: str) -> None:
    result = runner.invoke(app, ["data", "erase", "NO-1", "--yes"])

    assert result.exit_code == 1
    assert "Cliente no encontrado" in result.stderr
    assert "NO-1" in result.stderr


def test_erase_refused_with_balance(cli_db: str) -> None:
    result = runner.invoke(app, ["data", "erase", "CLI-7", "--yes"])

    assert result.exit_code == 1
    assert "todavía debe $ 1.200,00" in result.stderr
    assert "--force" in result.stderr
    assert _customer(cli_db).erased_at is None


def test_erase_wrong_confirmation(cli_db: str) -> None:
    result = runner.invoke(app, ["data", "erase", "CLI-7", "--force"], input="CLI-8\n")

    assert result.exit_code == 1
    assert "No se borró nada" in result.stderr
    assert _customer(cli_db).erased_at is None


def test_erase_prompt_in_business_voice(cli_db: str) -> None:
    engine = open_database(cli_db)
    with transaction(engine) as session:
        session.scalars(select(Business)).one().locale = "es_MX"
    engine.dispose()

    result = runner.invoke(app, ["data", "erase", "CLI-7", "--force"], input="CLI-8\n")

    assert result.exit_code == 1
    assert "Escribe su código para confirmar" in result.stdout
    assert "Escribí" not in result.stdout
    assert "Repite el comando" in " ".join(result.stderr.split())


def test_erase_cancelled_at_prompt(cli_db: str) -> None:
    result = runner.invoke(app, ["data", "erase", "CLI-7", "--force"], input="")

    assert result.exit_code == 1, result.output
    assert result.stderr.rstrip().endswith("Cancelado.")
    assert "Aborted" not in result.output
    assert _customer(cli_db).erased_at is None


def test_erase_forced_after_confirmation(cli_db: str) -> None:
    result = runner.invoke(app, ["data", "erase", "CLI-7", "--force"], input="CLI-7\n")

    assert result.exit_code == 0, result.output
    assert "borrado-1" in result.stdout
    assert "0 mensajes recibidos" in result.stdout
    customer = _customer(cli_db)
    assert customer.erased_at is not None
    assert customer.email is None
    assert customer.name == "Cliente borrado"


@pytest.mark.parametrize(
    "command", [["data", "export", "C-1"], ["data", "erase", "C-1", "--yes"]]
)
def test_missing_database_not_created(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nada.db"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()

    result = runner.invoke(app, command)

    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "nunca se importó nada" in result.stderr
    assert not path.exists()


def test_payments_of_erased_customer_name_erasure(cli_db: str, tmp_path: Path) -> None:
    # given: CLI-7 was erased with its balance open, so its row is borrado-1
    erased = runner.invoke(app, ["data", "erase", "CLI-7", "--force"], input="CLI-7\n")
    erased_at = _customer(cli_db).erased_at
    assert erased_at is not None
    day = f"{local_date(erased_at, get_settings().timezone):%d/%m/%Y}"
    payments_file = tmp_path / "pagos.csv"
    payments_file.write_text(
        "cliente;monto;fecha\nCLI-7;100.00;2026-03-09\n", encoding="utf-8"
    )

    # when
    wide = {"COLUMNS": "200"}
    imported = runner.invoke(app, ["payment", "import", str(payments_file)], env=wide)
    by_code = runner.invoke(app, ["payment", "add", "CLI-7", "100.00"], env=wide)
    by_placeholder = runner.invoke(
        app, ["payment", "add", "borrado-1", "100.00"], env=wide
    )

    # then: the old code is named as erased, and the placeholder code
    # records the payment toward the open balance
    assert erased.exit_code == 0, erased.output
    assert f"los datos del cliente 'CLI-7' se borraron el {day}" in imported.output
    assert "importá antes" not in imported.output
    assert by_code.exit_code == 1
    assert f"pidió que se borraran sus datos el {day}" in by_code.stderr
    assert "importá antes" not in by_code.stderr
    assert by_placeholder.exit_code == 0, by_placeholder.output
    engine = open_database(cli_db)
    with transaction(engine) as session:
        amounts = list(session.scalars(select(Payment.amount)))
    engine.dispose()
    assert amounts == [Decimal("100.00")]


@pytest.mark.parametrize(
    ("count", "words"), [(0, "0 archivos"), (1, "1 archivo"), (2, "2 archivos")]
)
def test_erase_summary_counts(count: int, words: str) -> None:
    assert _count_of(count, "archivo", "archivos") == words
