"""`cobranza consent grant|revoke|show` against a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.compliance.consent import record_consent
from cobranza.config import get_settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.db.models import AuditEvent, ConsentAction, ConsentEvent, Customer
from tests.compliance.factories import add_customer

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database with one customer, named by COBRANZA_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    monkeypatch.setenv("COBRANZA_COUNTRY", "AR")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    engine = open_database(url)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        add_customer(session, business, external_id="CLI-7", phone="+5491123456789")
    engine.dispose()
    yield url
    get_settings.cache_clear()


def test_show_never_recorded(cli_db: str) -> None:
    result = runner.invoke(app, ["consent", "show", "CLI-7"])

    assert result.exit_code == 0, result.output
    assert (
        "Cliente CLI-7: consentimiento nunca registrado (no se le escribe)."
        in result.output
    )


def test_grant_revoke_show(cli_db: str) -> None:
    granted = runner.invoke(
        app,
        [
            "consent",
            "grant",
            "CLI-7",
            "--source",
            "formulario firmado",
            "--evidence",
            "F-12",
        ],
    )
    revoked = runner.invoke(
        app, ["consent", "revoke", "011 15-2345-6789", "--source", "respondió BAJA"]
    )
    shown = runner.invoke(app, ["consent", "show", "+54 9 11 2345-6789"])

    assert granted.exit_code == 0, granted.output
    assert "Se registró el consentimiento del cliente CLI-7." in granted.output
    assert revoked.exit_code == 0, revoked.output
    assert "Se registró la baja del cliente CLI-7." in revoked.output
    assert shown.exit_code == 0, shown.output
    assert "baja registrada (no se le escribe)" in shown.output
    assert "formulario firmado (F-12)" in shown.output
    assert "respondió BAJA" in shown.output

    engine = open_database(cli_db)
    with transaction(engine) as session:
        actions = list(
            session.scalars(select(ConsentEvent.action).order_by(ConsentEvent.id))
        )
        audit_actors = set(session.scalars(select(AuditEvent.actor)))
    engine.dispose()
    assert actions == ["grant", "revoke"]
    assert audit_actors == {"cli"}


def test_unknown_customer_exits_with_error(cli_db: str) -> None:
    result = runner.invoke(app, ["consent", "grant", "NOPE", "--source", "form"])

    assert result.exit_code == 1
    assert "No se registró el consentimiento" in result.output
    assert "'NOPE'" in result.output


def test_grant_by_name_after_import(cli_db: str, tmp_path: Path) -> None:
    invoices = tmp_path / "facturas.csv"
    invoices.write_text(
        "Cliente,Celular,Factura,Vencimiento,Importe\r\n"
        "José Núñez,011 15 3456-7890,F-1,10/03/2026,100\r\n",
        encoding="utf-8",
    )
    imported = runner.invoke(app, ["import", str(invoices)])

    granted = runner.invoke(
        app, ["consent", "grant", "José Núñez", "--source", "formulario firmado"]
    )

    assert imported.exit_code == 0, imported.output
    assert granted.exit_code == 0, granted.output
    assert "Se registró el consentimiento" in granted.output


def test_source_is_required(cli_db: str) -> None:
    result = runner.invoke(app, ["consent", "grant", "CLI-7"])

    assert result.exit_code == 2
    assert "--source" in result.output


def test_blank_source_rejected(cli_db: str) -> None:
    result = runner.invoke(app, ["consent", "revoke", "CLI-7", "--source", "  "])

    assert result.exit_code == 1
    assert "falta el origen del consentimiento" in result.output


def test_grant_warns_customer_without_phone(cli_db: str) -> None:
    # Given a customer imported from a file without a phone column
    engine = open_database(cli_db)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        add_customer(session, business, external_id="SIN-TEL")
    engine.dispose()

    # When the owner records the customer's consent
    result = runner.invoke(app, ["consent", "grant", "SIN-TEL", "--source", "form"])
    with_phone = runner.invoke(app, ["consent", "grant", "CLI-7", "--source", "form"])

    # Then it is recorded, and the owner learns why no message will go out
    assert result.exit_code == 0, result.output
    assert "Se registró el consentimiento del cliente SIN-TEL." in result.output
    assert "no tiene teléfono cargado" in result.output
    assert "Atención" not in with_phone.output


def test_show_times_in_business_zone(cli_db: str) -> None:
    engine = open_database(cli_db)
    with transaction(engine) as session:
        business = default_business(session, get_settings())
        business.timezone = "America/Mexico_City"
        customer = session.scalars(select(Customer)).one()
        # 22:37 UTC is 16:37 in Mexico City (UTC-6, no daylight saving).
        record_consent(
            session,
            business.id,
            customer.id,
            ConsentAction.GRANT,
            "formulario firmado",
            None,
            datetime(2026, 12, 5, 22, 37, tzinfo=UTC),
        )
    engine.dispose()

    result = runner.invoke(app, ["consent", "show", "CLI-7"])

    assert result.exit_code == 0, result.output
    assert "05/12/2026 16:37" in result.output
    assert "UTC" not in result.output
    assert "22:37" not in result.output
