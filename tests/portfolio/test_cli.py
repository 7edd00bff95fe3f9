from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import Customer
from tests.portfolio.conftest import PortfolioBuilder

runner = CliRunner()
# A wide terminal, so that Rich does not wrap the summary table's notes.
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def cli_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI at a database holding a small overdue portfolio."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        builder = PortfolioBuilder(session, business)
        customer = builder.customer("C-001", "Ferretería <Ejemplo> (ficticia)")
        for month in (1, 2, 3):
            builder.paid_invoice(customer, date(2025, month, 10), date(2025, month, 25))
        builder.invoice(customer, "1234.56", date(2025, 4, 1), date(2025, 5, 1))
    engine.dispose()
    yield sqlite_url
    get_settings.cache_clear()


def test_audit_json_has_stable_keys(cli_database: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "2025-06-30", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in (
        "as_of",
        "open_invoices",
        "open_balance",
        "aging",
        "delinquency_rate",
        "dso",
        "cei",
        "pareto",
        "customers",
    ):
        assert key in report
    assert report["as_of"] == "2025-06-30"
    assert report["open_balance"] == "1234.56"
    assert report["customers"][0]["segment"] == "chronic_late"


def test_audit_prints_tables_in_spanish(cli_database: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "2025-06-30"])

    assert result.exit_code == 0, result.output
    assert "Antigüedad de saldos" in result.stdout
    assert "31 a 60 días" in result.stdout
    assert "Atraso crónico" in result.stdout
    assert "los segmentos guardados no cambian" in result.stdout
    assert "Período de DSO y CEI: 02/04/2025 – 30/06/2025 (90 días)" in result.stdout


def test_audit_today_stores_segments(cli_database: str) -> None:
    result = runner.invoke(app, ["audit"])

    assert result.exit_code == 0, result.output
    engine = make_engine(cli_database)
    with transaction(engine) as session:
        segment = session.scalar(select(Customer.segment))
    engine.dispose()
    assert segment == "chronic_late"


def test_audit_html_is_self_contained(cli_database: str, tmp_path: Path) -> None:
    page = tmp_path / "auditoria.html"

    result = runner.invoke(app, ["audit", "--as-of", "2025-06-30", "--html", str(page)])

    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert "<polyline" in html
    assert "Ferretería &lt;Ejemplo&gt; (ficticia)" in html
    for external in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert external not in html


def test_audit_rejects_invalid_date(cli_database: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "31/06/2025"])

    assert result.exit_code == 2
    assert "usá AAAA-MM-DD o DD/MM/AAAA" in result.stderr


@pytest.mark.parametrize(
    "as_of", ["３０/０６/２０２５", "٣٠/٠٦/٢٠٢٥", "２０２５-06-30", "30/0６/2025"]
)
def test_audit_rejects_non_ascii_digits(cli_database: str, as_of: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", as_of, "--json"])

    printed = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Fecha de --as-of inválida {as_of!r}" in printed
    assert "tiene dígitos que no son los ASCII 0 a 9" in printed


@pytest.mark.parametrize("as_of", ["+30/06/2025", "3_0/06/2025", "30/06/20_25"])
def test_audit_rejects_signs_and_underscores(cli_database: str, as_of: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", as_of, "--json"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "usá AAAA-MM-DD o DD/MM/AAAA" in result.stderr


def test_audit_reads_day_month_year(cli_database: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "30/06/2025", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2025-06-30"


def test_audit_of_old_settled_data_names_its_date(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        builder = PortfolioBuilder(session, default_business(session, get_settings()))
        customer = builder.customer("C-001")
        builder.paid_invoice(customer, date(2013, 5, 10), date(2013, 5, 25))
    engine.dispose()

    result = runner.invoke(app, ["audit"])
    get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    printed = " ".join(result.stdout.split())
    assert "el último se emitió el 10/04/2013" in printed
    assert "usá --as-of 2013-04-10" in printed


def test_audit_with_open_invoices_gives_no_date_hint(cli_database: str) -> None:
    result = runner.invoke(app, ["audit"])

    assert result.exit_code == 0, result.output
    assert "el último se emitió" not in result.stdout


def test_audit_rejects_future_date(cli_database: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "2999-01-01"])

    assert result.exit_code == 1
    assert "posterior a hoy" in result.stderr


def test_settings_thresholds_reach_the_report(
    cli_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_SEGMENT_LATE_GRACE_DAYS", "20")
    get_settings.cache_clear()

    result = runner.invoke(app, ["audit", "--as-of", "2025-06-30", "--json"])

    report = json.loads(result.stdout)
    assert report["segment_rules"]["late_grace_days"] == 20
    assert report["customers"][0]["segment"] == "punctual"
    assert Settings().segment_late_grace_days == 20


def test_audit_says_when_nobody_owes(cli_database: str, tmp_path: Path) -> None:
    # Given a day on which every invoice issued so far was paid
    page = tmp_path / "auditoria.html"

    result = runner.invoke(app, ["audit", "--as-of", "2025-03-30", "--html", str(page)])

    # Then the debtors' table gives way to a sentence saying so
    assert result.exit_code == 0, result.output
    assert "Ningún cliente tiene saldo abierto a esta fecha." in result.stdout
    assert "Ningún cliente tiene saldo abierto a esta fecha." in page.read_text(
        encoding="utf-8"
    )


@pytest.fixture
def credit_database(cli_database: str) -> str:
    """Add a customer whose credit note exceeds its overdue invoice."""
    engine = make_engine(cli_database)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        builder = PortfolioBuilder(session, business)
        # Document numbers past those the first fixture used.
        builder._numbers = itertools.count(100)
        customer = builder.customer("C-002", "Distribuidora Norte (ficticia)")
        builder.invoice(customer, "500", date(2025, 4, 1), date(2025, 5, 1))
        builder.credit_note(customer, "2000", date(2025, 5, 15))
    engine.dispose()
    return cli_database


def test_audit_shows_credit_in_favour(credit_database: str, tmp_path: Path) -> None:
    # Given C-001 owing 1234.56 overdue and C-002 with 1500 in its favour
    page = tmp_path / "auditoria.html"

    printed = runner.invoke(
        app, ["audit", "--as-of", "2025-06-30", "--html", str(page)], env=WIDE
    )
    as_json = runner.invoke(app, ["audit", "--as-of", "2025-06-30", "--json"])

    # Then «Vencido» exceeds the open balance, and the credit explains it
    assert printed.exit_code == 0, printed.output
    report = json.loads(as_json.stdout)
    assert report["open_balance"] == "-265.44"
    assert report["overdue"] == "1234.56"
    assert report["customer_credit"] == {"count": 1, "amount": "1500.00"}
    assert "A favor de clientes" in printed.stdout
    assert "$ 1.500,00" in printed.stdout
    assert "en 1 cliente, cuyas notas de crédito" in printed.stdout
    html = page.read_text(encoding="utf-8")
    assert "A favor de clientes (en 1 cliente)" in html
    assert "$ 1.500,00" in html


def test_audit_without_credit_in_favour_omits_row(cli_database: str) -> None:
    printed = runner.invoke(app, ["audit", "--as-of", "2025-06-30"], env=WIDE)
    as_json = runner.invoke(app, ["audit", "--as-of", "2025-06-30", "--json"])

    assert printed.exit_code == 0, printed.output
    assert "A favor de clientes" not in printed.stdout
    assert json.loads(as_json.stdout)["customer_credit"] == {
        "count": 0,
        "amount": "0.00",
    }


def test_audit_pareto_verb_agrees_in_number(
    credit_database: str, tmp_path: Path
) -> None:
    # Given one customer with overdue debt, then a second one
    single = runner.invoke(app, ["audit", "--as-of", "2025-06-30"], env=WIDE)
    engine = make_engine(credit_database)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        builder = PortfolioBuilder(session, business)
        builder._numbers = itertools.count(200)
        customer = builder.customer("C-003", "Kiosco Sur (ficticio)")
        builder.invoice(customer, "1200", date(2025, 4, 1), date(2025, 5, 1))
    engine.dispose()
    page = tmp_path / "auditoria.html"
    plural = runner.invoke(
        app, ["audit", "--as-of", "2025-06-30", "--html", str(page)], env=WIDE
    )

    # Then the verb is singular for one customer and plural for two
    assert single.exit_code == 0, single.output
    assert "1 de 1 clientes concentra el 80% de la deuda vencida." in single.stdout
    assert plural.exit_code == 0, plural.output
    assert "2 de 2 clientes concentran el 80% de la deuda vencida." in plural.stdout
    html = page.read_text(encoding="utf-8")
    assert "2 de 2 clientes concentran el 80%" in html


def test_audit_html_dates_are_day_first(cli_database: str, tmp_path: Path) -> None:
    page = tmp_path / "auditoria.html"

    result = runner.invoke(app, ["audit", "--as-of", "2025-06-30", "--html", str(page)])

    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "al 30/06/2025" in html
    assert "02/04/2025 – 30/06/2025" in html
    assert "2025-06-30" not in html
    assert "2025-04-02" not in html
