"""A customer who owes pesos and dollars: the dry run, the send and the outbox agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import AuditEvent, PaymentLink
from cobranza.wording import timeline_detail
from tests.channels.factories import PAYMENT_INSTRUCTIONS, make_customer, make_document
from tests.scenarios.helpers import AR_TZ, local_instant

runner = CliRunner()
TUESDAY = "2026-03-03T10:00"
SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)
# 21 days before Tuesday 3 March, so the default policy's second notice is due.
PESOS_DUE_ON = date(2026, 2, 10)
DOLLARS_DUE_ON = date(2026, 2, 24)
STATED = "$ 150.000,00 y US$ 800,00"


@dataclass(frozen=True)
class Portfolio:
    url: str
    business_id: int


@pytest.fixture
def portfolio(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portfolio]:
    """Point the CLI at C1, who owes pesos since 10 February and dollars since 24."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        business_id = business.id
        customer = make_customer(
            session,
            business,
            SETUP,
            "C1",
            "+5491155550101",
            name="Cliente C1 (ficticio)",
            segment="punctual",
        )
        make_document(
            session, customer, SETUP, "A-1", "150000.00", PESOS_DUE_ON, currency="ARS"
        )
        make_document(
            session, customer, SETUP, "U-1", "800.00", DOLLARS_DUE_ON, currency="USD"
        )
        # Not due yet, so no reminder names it.
        make_document(
            session, customer, SETUP, "U-2", "90.00", date(2026, 3, 20), currency="USD"
        )
    engine.dispose()
    yield Portfolio(db_url, business_id)
    get_settings.cache_clear()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_dry_run_json_lists_each_currency(portfolio: Portfolio) -> None:
    report: dict[str, Any] = json.loads(
        _invoke("run", "--json", "--now", TUESDAY, "--dry-run")
    )

    [message] = report["messages"]
    assert message["step_kind"] == "second_notice"
    assert message["amount"] == "150000.00"
    assert message["currency"] == "ARS"
    assert message["other_amounts"] == [{"amount": "800.00", "currency": "USD"}]
    assert message["outcome"] == "send"


def test_dry_run_table_matches_sent_text(portfolio: Portfolio) -> None:
    table = _invoke("run", "--now", TUESDAY, "--dry-run")

    assert STATED in table

    _invoke("run", "--now", TUESDAY)
    outbox: list[dict[str, Any]] = json.loads(_invoke("sandbox", "outbox", "--json"))

    [sent] = outbox
    assert f"Tu saldo de {STATED} por 2 facturas lleva 21 días vencido" in sent["text"]
    assert "desde el 10 de febrero" in sent["text"]
    # The sandbox provider makes links in tests, and the link charges the
    # pesos alone, as the text after it states.
    [link] = _links(portfolio.url)
    assert (link.currency, link.amount) == ("ARS", Decimal("150000"))
    assert (
        f"/pagar/{link.token} (solo los $ 150.000,00; el resto se paga" in sent["text"]
    )
    assert "US$ 90" not in sent["text"]


def _links(url: str) -> list[PaymentLink]:
    engine = make_engine(url)
    with transaction(engine) as session:
        links = list(session.scalars(select(PaymentLink)))
    engine.dispose()
    return links


def test_one_message_per_cycle(portfolio: Portfolio) -> None:
    first = json.loads(_invoke("run", "--json", "--now", TUESDAY))
    again = json.loads(_invoke("run", "--json", "--now", "2026-03-03T15:00"))

    assert first["planned"] == 1
    assert first["sent"] == 1
    assert again["planned"] == 0
    assert again["sent"] == 0
    assert len(json.loads(_invoke("sandbox", "outbox", "--json"))) == 1


def test_sent_audit_names_each_currency(portfolio: Portfolio) -> None:
    _invoke("run", "--now", TUESDAY)

    engine = make_engine(portfolio.url)
    with transaction(engine) as session:
        sent = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "message_sent")
        ).one()
        details = dict(sent.details)
    engine.dispose()
    # `cobranza case show` words the event from these facts.
    [[currency, amount]] = details["other_balances"]
    assert (currency, Decimal(amount)) == ("USD", Decimal("800"))
    worded = timeline_detail("message_sent", details, "ARS", "es_AR")
    assert f"saldo {STATED}" in worded
