"""`cobranza customers` prints tax ids as the business's country writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import open_database, transaction
from cobranza.db.models import Business, Customer, PhoneStatus
from cobranza.ingest.console import render_customers
from cobranza.ingest.customers import CustomerSummary

runner = CliRunner()
NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "CL")
    monkeypatch.delenv("COBRANZA_LOCALE", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _summary(tax_id: str, valid: bool | None) -> CustomerSummary:
    return CustomerSummary(
        id=1,
        external_id="C-1",
        name="Ferretería Los Andes SpA",
        kind="company",
        phone="+56912345678",
        phone_status="valid",
        phone_problem=None,
        tax_id=tax_id,
        tax_id_valid=valid,
        balance=Decimal(125000),
        documents=1,
        segment=None,
    )


def test_cli_customers_formats_chilean_rut(cli_url: str) -> None:
    engine = open_database(cli_url)
    with transaction(engine) as session:
        business = Business(
            name=get_settings().business_name,
            country="CL",
            timezone="America/Santiago",
            currency="CLP",
            locale="es_CL",
            settings={},
            created_at=NOW,
        )
        session.add(business)
        session.flush()
        session.add(
            Customer(
                business_id=business.id,
                external_id="C-1",
                name="Ferretería Los Andes SpA",
                phone="+56912345678",
                phone_status=PhoneStatus.VALID,
                tax_id="765432103",
                tax_id_valid=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    engine.dispose()

    result = runner.invoke(app, ["customers"])

    assert result.exit_code == 0, result.output
    assert "76.543.210-3" in result.output
    assert "765432103" not in result.output


@pytest.mark.parametrize(
    ("country", "stored", "shown"),
    [
        ("CL", "765432103", "76.543.210-3"),
        ("AR", "20123456786", "20-12345678-6"),
        ("AR", "12345678", "12345678"),
        ("BR", "12345678909", "123.456.789-09"),
        ("UY", "211003420017", "21-100342-001-7"),
        ("MX", "GODE561231GR8", "GODE561231GR8"),
    ],
)
def test_customer_table_formats_tax_id(country: str, stored: str, shown: str) -> None:
    console = Console(width=80, record=True)

    render_customers(console, [_summary(stored, True)], "CLP", "es_CL", country=country)
    output = console.export_text()

    assert shown in output
    assert "…" not in output


def test_customer_table_invalid_tax_id_as_stored() -> None:
    console = Console(width=120, record=True)

    render_customers(
        console, [_summary("76543210K", False)], "CLP", "es_CL", country="CL"
    )
    output = console.export_text()

    # An invalid tax id may wrap inside its column, so only its start is whole.
    assert "76543210K" in output
    assert "76.543.210-K" not in output
    assert "(inválido" in output
