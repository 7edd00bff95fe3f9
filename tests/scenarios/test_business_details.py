"""Messages wait for a business detail they need, and go once it is set.

A Brazilian message carries the creditor's CNPJ or CPF, and a reminder
without a payment link carries the business's payment instructions. Only
the business can give either, so a message that lacks one waits, the run
prints how to set it, and `cobranza settings set` sends it on its way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.compliance.business_days import effective_due_date
from cobranza.compliance.rules import legal_rules
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import AuditEvent, Business, OutboxMessage, OutboxState
from cobranza.timeutil import local_date, utcnow
from tests.channels.factories import make_customer, make_document
from tests.scenarios.helpers import local_instant

runner = CliRunner()
SAO_PAULO = "America/Sao_Paulo"
# `settings set` queues the waiting messages again for the real now, so the
# runs happen on a Brazilian business day after the real today, at 10:00 in
# São Paulo, inside Brazil's window. The invoice fell due 17 days before.
RUN_DAY = effective_due_date(
    legal_rules("BR"), local_date(utcnow(), SAO_PAULO) + timedelta(days=1)
)
RUN_AT = f"{RUN_DAY.isoformat()}T10:00"
RUN_LATER = f"{RUN_DAY.isoformat()}T10:05"
DUE_ON = RUN_DAY - timedelta(days=17)
CNPJ = "11.222.333/0001-81"
ADDRESS = "Rua das Flores, 100, São Paulo - SP"


def _business_database(
    db_url: str, monkeypatch: pytest.MonkeyPatch, **environment: str
) -> Iterator[str]:
    """Point the CLI at a business with one consenting customer owing R$ 150."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    setup = local_instant(DUE_ON - timedelta(days=19), 10, SAO_PAULO)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        customer = make_customer(
            session, business, setup, "C1", "+5511987654321", name="Maria Silva"
        )
        make_document(session, customer, setup, "F-1", "150.00", DUE_ON)
    engine.dispose()
    yield db_url
    get_settings.cache_clear()


BRAZIL = {
    "COBRANZA_COUNTRY": "BR",
    "COBRANZA_LOCALE": "pt_BR",
    "COBRANZA_CURRENCY": "BRL",
    "COBRANZA_TIMEZONE": SAO_PAULO,
}


@pytest.fixture
def brazil_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from _business_database(db_url, monkeypatch, **BRAZIL)


@pytest.fixture
def production_database(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A business in production with no payment provider and no instructions."""
    yield from _business_database(
        sqlite_url,
        monkeypatch,
        **BRAZIL,
        COBRANZA_ENVIRONMENT="production",
    )


def _rows(url: str) -> list[OutboxMessage]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return list(session.scalars(select(OutboxMessage)))
    finally:
        engine.dispose()


def _sandbox_texts() -> list[str]:
    result = runner.invoke(app, ["sandbox", "outbox", "--json"])
    assert result.exit_code == 0, result.output
    return [message["text"] for message in json.loads(result.output)]


def test_missing_tax_id_defers(brazil_database: str) -> None:
    result = runner.invoke(app, ["run", "--now", RUN_AT])

    assert result.exit_code == 0, result.output
    assert "Faltan datos de tu negocio" in result.output
    assert "cobranza settings set tax_id" in result.output
    [row] = _rows(brazil_database)
    assert row.state == OutboxState.QUEUED
    assert row.deferred_reason == "business_details_missing"
    assert row.error_code is None
    assert _sandbox_texts() == []


def test_missing_tax_id_in_json(brazil_database: str) -> None:
    result = runner.invoke(app, ["run", "--now", RUN_AT, "--json"])

    assert result.exit_code == 0, result.output
    dispatch = json.loads(result.output)
    assert dispatch["deferred_by_reason"] == {"business_details_missing": 1}
    assert dispatch["missing_details"] == {"business_tax_id": 1}
    assert dispatch["failed"] == {}


def test_dry_run_names_missing_detail(brazil_database: str) -> None:
    result = runner.invoke(app, ["run", "--now", RUN_AT, "--dry-run"])
    listed = runner.invoke(app, ["run", "--now", RUN_AT, "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    assert "cobranza settings set tax_id" in result.output
    assert listed.exit_code == 0, listed.output
    [message] = json.loads(listed.output)["messages"]
    assert message["reason"] == "business_details_missing"
    assert _rows(brazil_database) == []


def test_tax_id_set_sends_waiting(brazil_database: str) -> None:
    assert runner.invoke(app, ["run", "--now", RUN_AT]).exit_code == 0

    tax_id = runner.invoke(app, ["settings", "set", "tax_id", CNPJ])
    address = runner.invoke(app, ["settings", "set", "address", ADDRESS])
    result = runner.invoke(app, ["run", "--now", RUN_LATER, "--json"])

    assert tax_id.exit_code == 0, tax_id.output
    assert "tax_id = 11222333000181" in tax_id.output
    assert address.exit_code == 0, address.output
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sent"] == 1
    [text] = _sandbox_texts()
    assert f"Mi negocio, CNPJ {CNPJ}, {ADDRESS}" in text
    [row] = _rows(brazil_database)
    assert row.state == OutboxState.SENT


def test_wrong_check_digit_rejected(brazil_database: str) -> None:
    result = runner.invoke(app, ["settings", "set", "tax_id", "11.222.333/0001-80"])

    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert 'el CNPJ "11.222.333/0001-80" tiene mal el dígito verificador' in output
    engine = make_engine(brazil_database)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        assert business.tax_id is None
        changes = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "business_settings.changed")
        ).all()
        assert changes == []
    engine.dispose()


def test_missing_instructions_defers(production_database: str) -> None:
    assert runner.invoke(app, ["settings", "set", "tax_id", CNPJ]).exit_code == 0

    first = runner.invoke(app, ["run", "--now", RUN_AT])
    instructions = runner.invoke(
        app,
        ["settings", "set", "payment_instructions", "Pix para a chave 11222333000181"],
    )
    second = runner.invoke(app, ["run", "--now", RUN_LATER])

    assert first.exit_code == 0, first.output
    assert "una forma de pagarte" in first.output
    assert "payment_instructions" in first.output
    assert instructions.exit_code == 0, instructions.output
    assert second.exit_code == 0, second.output
    [text] = _sandbox_texts()
    assert "Pix para a chave 11222333000181" in text


def test_missing_address_reminded(brazil_database: str) -> None:
    assert runner.invoke(app, ["settings", "set", "tax_id", CNPJ]).exit_code == 0

    without = runner.invoke(app, ["run", "--now", RUN_AT])
    address = runner.invoke(app, ["settings", "set", "address", ADDRESS])
    with_address = runner.invoke(app, ["run", "--now", RUN_LATER])

    assert without.exit_code == 0, without.output
    assert "salen sin la dirección de tu negocio" in without.output
    assert "cobranza settings set address" in without.output
    assert address.exit_code == 0, address.output
    assert with_address.exit_code == 0, with_address.output
    assert "sin la dirección" not in with_address.output
    [text] = _sandbox_texts()
    assert f"Mi negocio, CNPJ {CNPJ}." in text


def test_missing_tax_id_named_on_sunday(brazil_database: str) -> None:
    # On a Sunday no message reaches the tax id check, so the run names the
    # missing CNPJ itself instead of a count of waiting messages.
    sunday = RUN_DAY + timedelta(days=6 - RUN_DAY.weekday() or 7)

    on_sunday = runner.invoke(app, ["run", "--dry-run", "--now", f"{sunday}T10:00"])
    on_weekday = runner.invoke(app, ["run", "--dry-run", "--now", RUN_AT])

    assert on_sunday.exit_code == 0, on_sunday.output
    assert "hasta que cargues la identificación fiscal" in on_sunday.output
    assert "cobranza settings set tax_id" in on_sunday.output
    assert on_weekday.exit_code == 0, on_weekday.output
    assert "1 mensaje espera la identificación fiscal" in on_weekday.output
    assert "hasta que cargues" not in on_weekday.output
