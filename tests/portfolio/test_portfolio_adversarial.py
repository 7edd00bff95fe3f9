"""Audits of odd portfolios and bad output paths."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.portfolio.metrics import PeriodFigures
from tests.portfolio.conftest import PortfolioBuilder

runner = CliRunner()


@pytest.fixture
def credit_only_database(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the CLI at a database whose only document is a credit note."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        builder = PortfolioBuilder(session, business)
        customer = builder.customer("C-001", "Ana <script>x</script> (ficticia)")
        builder.credit_note(customer, "100", date(2026, 1, 10))
    engine.dispose()
    yield sqlite_url
    get_settings.cache_clear()


def _figures(beginning: str, sales: str, ending: str, current: str) -> PeriodFigures:
    return PeriodFigures(
        period_days=90,
        beginning_receivables=Decimal(beginning),
        credit_sales=Decimal(sales),
        ending_receivables=Decimal(ending),
        ending_current_receivables=Decimal(current),
    )


def test_cei_undefined_without_collectible() -> None:
    assert _figures("0", "-100", "-100", "0").cei is None
    assert _figures("0", "-100", "-100", "-100").cei is None
    assert _figures("0", "0", "0", "0").cei is None


def test_cei_zero_has_no_sign() -> None:
    cei = _figures("0", "100", "100", "0").cei

    assert cei == 0
    assert str(cei) == "0.00"


def test_dso_undefined_without_sales() -> None:
    assert _figures("500", "0", "500", "0").dso is None
    assert _figures("0", "-100", "-100", "0").dso is None


def test_audit_of_credit_notes_only(credit_only_database: str) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "2026-03-01", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cei"]["percent"] is None
    assert report["dso"]["days"] is None
    assert report["open_balance"] == "-100.00"


def test_audit_html_unwritable_path(credit_only_database: str, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "informe.html"

    result = runner.invoke(
        app, ["audit", "--as-of", "2026-03-01", "--html", str(target)]
    )

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "no se pudo escribir el informe HTML" in result.output
    assert str(target) in result.output.replace("\n", "")
    assert not target.exists()


def test_audit_html_escapes_names(credit_only_database: str, tmp_path: Path) -> None:
    target = tmp_path / "informe.html"

    result = runner.invoke(
        app, ["audit", "--as-of", "2026-03-01", "--html", str(target)]
    )

    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--as-of", "2026-03-01", "--period-days", "1000000"], "de 1 a 3660 días"),
        (["--as-of", "0001-01-01"], "empieza antes del 1900-01-01"),
        (["--as-of", "1900-02-01"], "empieza antes del 1900-01-01"),
    ],
)
def test_audit_dates_out_of_range(
    credit_only_database: str, options: list[str], message: str
) -> None:
    result = runner.invoke(app, ["audit", *options])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    # Rich wraps the message at the terminal width.
    assert message in " ".join(result.output.split())


def test_audit_prints_markup_names(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        builder = PortfolioBuilder(session, business)
        customer = builder.customer("[/]", "[bold red]Juan[/] (ficticio)")
        builder.invoice(customer, "100", date(2026, 1, 1), date(2026, 1, 31))
    engine.dispose()

    # Wide enough that no name folds across lines.
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["audit", "--as-of", "2026-03-01"])
    get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert "red]Juan[/]" in result.output
    assert "([/])" in result.output
