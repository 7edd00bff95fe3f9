"""`cobranza demo --country`: the demo as a business of another country."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from stdnum.mx import rfc
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    InboundMessage,
    SandboxMessage,
)

runner = CliRunner()
# Monday 16 March 2026 is a public holiday in Mexico (Benito Juárez's
# birthday, moved to the third Monday of March), inside the demo's week.
NOW = "2026-03-20"
# Forms of the owner's and the customers' Spanish that only voseo uses.
VOSEO_WORDS = ("podés", "querés", "respondé", "tocá", "copiá", "usá", "con vos")


def _run(tmp_path: Path, country: str) -> tuple[Path, str]:
    database = tmp_path / f"{country}.db"

    result = runner.invoke(
        app,
        ["demo", "--country", country, "--database", str(database), "--now", NOW],
    )

    assert result.exit_code == 0, result.output
    return database, result.stdout


def _rows(database: Path, statement):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine) as session:
        rows = session.execute(statement).all()
    engine.dispose()
    return rows


def test_mexican_demo_business(tmp_path: Path) -> None:
    database, output = _run(tmp_path, "mx")

    [business] = _rows(database, select(Business))
    assert business.Business.country == "MX"
    assert business.Business.currency == "MXN"
    assert business.Business.timezone == "America/Mexico_City"
    assert business.Business.locale == "es_MX"
    customers = [row.Customer for row in _rows(database, select(Customer))]
    assert len(customers) == 33
    assert all(customer.phone.startswith("+52") for customer in customers)
    assert all(rfc.is_valid(customer.tax_id) for customer in customers)
    assert all(
        customer.name.endswith(("(ficticio)", "(ficticia)")) for customer in customers
    )
    # The week crosses Mexico's holiday of 16 March, which defers messages.
    reasons = {row.reason for row in _rows(database, select(AuditEvent.reason))}
    assert "holiday" in reasons
    # and the owner reads the Mexican word for it.
    assert "Es día festivo en el país del cliente" in output
    assert "feriado" not in output
    assert "$1" in output or "$2" in output
    assert "Puedes pagar" in output or "puedes pagar" in output
    for word in VOSEO_WORDS:
        assert word not in output.lower(), word


def test_mexican_demo_replies(tmp_path: Path) -> None:
    database, _ = _run(tmp_path, "MX")

    rows = _rows(
        database,
        select(InboundMessage.text, InboundMessage.intent).order_by(
            InboundMessage.received_at
        ),
    )

    assert ("¿me pasas la CLABE?", "request_payment_link") in rows
    assert ("me quedé sin chamba, ahorita no puedo pagar nada", "cannot_pay") in rows
    texts = [row.text for row in _rows(database, select(SandboxMessage.text))]
    assert any("CLABE 002180701234567895" in text for text in texts)


def test_brazilian_demo_in_portuguese(tmp_path: Path) -> None:
    database, output = _run(tmp_path, "BR")

    [business] = [row.Business for row in _rows(database, select(Business))]
    assert business.name == "Distribuidora Exemplo (fictícia)"
    assert business.currency == "BRL"
    assert business.locale == "pt_BR"
    assert business.tax_id == "11222333000181"
    texts = [row.text for row in _rows(database, select(SandboxMessage.text))]
    assert texts
    # Brazilian law requires the creditor's details in every collection
    # message, so none waits for them.
    assert any("Dados do credor: Distribuidora Exemplo" in text for text in texts)
    assert "R$ " in output
    assert "Responda SAIR" in output


@pytest.mark.parametrize("code", ["CL", "CO", "PE", "UY"])
def test_other_demos_run(tmp_path: Path, code: str) -> None:
    database, output = _run(tmp_path, code)

    [business] = [row.Business for row in _rows(database, select(Business))]
    assert business.country == code
    customers = [row.Customer for row in _rows(database, select(Customer))]
    assert all(customer.phone is not None for customer in customers)
    intents = {row.intent for row in _rows(database, select(InboundMessage.intent))}
    assert "promise_to_pay" in intents
    assert "opt_out" in intents
    assert "0 filas rechazadas" in output
    # Customers' messages use neutral Spanish outside Argentina.
    texts = " ".join(row.text for row in _rows(database, select(SandboxMessage.text)))
    assert "podés" not in texts
    assert "Respondé" not in texts


def test_unknown_country_rejected(tmp_path: Path) -> None:
    database = tmp_path / "d.db"

    result = runner.invoke(
        app, ["demo", "--country", "ES", "--database", str(database)]
    )

    message = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "--country inválido: 'ES' no es un país soportado" in message
    assert "AR, BR, CL, CO, MX, PE, UY" in message
    assert not database.exists()
