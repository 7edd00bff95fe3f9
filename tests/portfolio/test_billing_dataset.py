"""The audit of the Colombian billing sample, imported through the CLI.

The sample has credit notes larger than some customers' invoices, so its
overdue balance exceeds its open balance, and the audit must explain the gap.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from tests.conftest import shared_data

pytestmark = pytest.mark.shared_data

runner = CliRunner()
MAP = [
    "--map",
    "id=number",
    "--map",
    "contract_id=customer_id",
    "--map",
    "expired_date=due_on",
    "--map",
    "cuttoff_date=issued_on",
]


@pytest.fixture
def cli_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "CO")
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_billing_overdue_gap_is_customer_credit(cli_database: str) -> None:
    path = shared_data("billing-payments-co-prueba-tecnica", "bills.csv")
    imported = runner.invoke(app, ["import", str(path), *MAP, "--json"])
    assert imported.exit_code == 0, imported.output

    as_json = runner.invoke(app, ["audit", "--as-of", "2024-06-30", "--json"])
    printed = runner.invoke(
        app, ["audit", "--as-of", "2024-06-30"], env={"COLUMNS": "200"}
    )

    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    gap = Decimal(report["overdue"]) - Decimal(report["open_balance"])
    credit = Decimal(report["customer_credit"]["amount"])
    assert gap > 0
    # Every invoice is past due on that day, so the whole gap is the credit.
    assert report["aging"][0]["count"] == 0
    assert credit == gap
    assert report["customer_credit"]["count"] > 0
    assert "A favor de clientes" in printed.stdout
    count = report["customer_credit"]["count"]
    assert f"en {count} clientes, cuyas notas de crédito" in printed.stdout
