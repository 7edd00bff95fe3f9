"""`cobranza run --dry-run` lists each message and what would happen to it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cobranza.cli import DRY_RUN_ROWS, app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import Base, Business, Customer, OutboxMessage, OutboxState
from cobranza.payments import record_payment
from tests.channels.factories import (
    PAYMENT_INSTRUCTIONS,
    make_customer,
    make_document,
    revoke_consent,
)
from tests.scenarios.helpers import AR_TZ, local_instant, sandbox_texts

runner = CliRunner()
TUESDAY = "2026-03-03T10:00"
WEDNESDAY = "2026-03-04T10:00"
SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)
DUE_ON = date(2026, 3, 2)


@dataclass(frozen=True)
class Portfolio:
    url: str
    business_id: int


@pytest.fixture
def portfolio(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portfolio]:
    """Point the CLI at four customers who owe since 2 March, on both databases.

    On Tuesday 3 March at 10:00 in Buenos Aires, C1 (two invoices) gets a
    reminder, C2 never gave consent, C3 lives in Tokyo where it is 22:00,
    and C4 opted out.
    """
    yield from _portfolio(db_url, monkeypatch)


@pytest.fixture
def portfolio_sqlite(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Portfolio]:
    """The same portfolio on SQLite only, for checks of the printed table."""
    yield from _portfolio(sqlite_url, monkeypatch)


def _portfolio(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portfolio]:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    engine = make_engine(db_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        business_id = business.id
        first = _customer(session, business, "C1")
        make_document(session, first, SETUP, "A-1", "1000.00", DUE_ON)
        make_document(session, first, SETUP, "A-1b", "250.50", DUE_ON)
        no_consent = _customer(session, business, "C2", consent=False)
        make_document(session, no_consent, SETUP, "A-2", "2000.00", DUE_ON)
        tokyo = _customer(session, business, "C3", timezone="Asia/Tokyo")
        make_document(session, tokyo, SETUP, "A-3", "3000.00", DUE_ON)
        opted_out = _customer(session, business, "C4")
        revoke_consent(session, opted_out, SETUP)
        make_document(session, opted_out, SETUP, "A-4", "4000.00", DUE_ON)
    engine.dispose()
    yield Portfolio(db_url, business_id)
    get_settings.cache_clear()


def _customer(
    session: Session,
    business: Business,
    code: str,
    *,
    consent: bool = True,
    timezone: str | None = None,
) -> Customer:
    number = code.removeprefix("C").zfill(2)
    return make_customer(
        session,
        business,
        SETUP,
        code,
        f"+54911555501{number}",
        name=f"Cliente {code} (ficticio)",
        segment="punctual",
        consent=consent,
        timezone=timezone,
    )


def _run(*args: str) -> str:
    result = runner.invoke(app, ["run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _run_json(*args: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(_run("--json", *args))
    return parsed


def _by_customer(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {message["customer"]["external_id"]: message for message in messages}


def _outcomes_in_database(url: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Return each outbox row's outcome after a real run, as the dry run words it.

    The key is (customer code, step). A sent row is ("send",), a queued one
    ("defer", reason, planned_for) and a suppressed one ("suppress", reason).
    """
    engine = make_engine(url)
    outcomes: dict[tuple[str, str], tuple[Any, ...]] = {}
    with transaction(engine) as session:
        found = session.execute(
            select(Customer.external_id, OutboxMessage).join(
                Customer, Customer.id == OutboxMessage.customer_id
            )
        ).all()
        for code, row in found:
            if row.state == OutboxState.SENT:
                outcome: tuple[Any, ...] = ("send",)
            elif row.state == OutboxState.QUEUED:
                outcome = ("defer", row.deferred_reason, row.planned_for)
            elif row.state == OutboxState.SUPPRESSED:
                outcome = ("suppress", row.suppressed_reason)
            else:
                outcome = (str(row.state),)
            outcomes[code, row.step] = outcome
    engine.dispose()
    return outcomes


def _listed_outcomes(
    messages: list[dict[str, Any]],
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Return the dry run's messages keyed and worded as `_outcomes_in_database`."""
    outcomes: dict[tuple[str, str], tuple[Any, ...]] = {}
    for message in messages:
        key = (message["customer"]["external_id"], message["step"])
        if message["outcome"] == "send":
            outcomes[key] = ("send",)
        elif message["outcome"] == "defer":
            until = datetime.fromisoformat(message["until"])
            outcomes[key] = ("defer", message["reason"], until)
        else:
            outcomes[key] = (message["outcome"], message["reason"])
    return outcomes


def _database_contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every table, sorted, to compare before and after."""
    engine = make_engine(url)
    contents = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            contents[table.name] = sorted((tuple(row) for row in rows), key=repr)
    engine.dispose()
    return contents


def _add_customers(url: str, count: int) -> None:
    """Add `count` consenting customers owing since 2 March, C10 onwards."""
    engine = make_engine(url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        for index in range(10, 10 + count):
            customer = _customer(session, business, f"C{index}")
            make_document(session, customer, SETUP, f"B-{index}", "100.00", DUE_ON)
    engine.dispose()


def test_dry_run_json_lists_messages(portfolio: Portfolio) -> None:
    report = _run_json("--now", TUESDAY, "--dry-run")

    messages = _by_customer(report["messages"])
    assert sorted(messages) == ["C1", "C2", "C3", "C4"]
    assert messages["C1"] == {
        "customer": {"external_id": "C1", "name": "Cliente C1 (ficticio)"},
        "step": "reminder_soft",
        "step_kind": "reminder_soft",
        "channel": "sandbox",
        "amount": "1250.50",
        "currency": "ARS",
        "outcome": "send",
        "reason": None,
        "until": None,
        "holidays": [],
        "other_amounts": [],
        "template": None,
    }
    assert messages["C2"]["outcome"] == "suppress"
    assert messages["C2"]["reason"] == "no_consent"
    assert messages["C2"]["until"] is None
    assert messages["C3"]["outcome"] == "defer"
    assert messages["C3"]["reason"] == "outside_contact_window"
    assert datetime.fromisoformat(messages["C3"]["until"]) > datetime.fromisoformat(
        report["now"]
    )
    assert messages["C4"]["outcome"] == "suppress"
    assert messages["C4"]["reason"] == "opted_out"


def test_deferred_message_lists_what_it_would_state(portfolio: Portfolio) -> None:
    # Given C3 (deferred to Tokyo's morning) also owes an invoice due later,
    # which the planned row's whole balance includes
    engine = make_engine(portfolio.url)
    with transaction(engine) as session:
        tokyo = session.scalars(
            select(Customer).where(Customer.external_id == "C3")
        ).one()
        make_document(session, tokyo, SETUP, "A-3b", "500.00", date(2026, 3, 20))
    engine.dispose()

    # When the dry run lists it
    report = _run_json("--now", TUESDAY, "--dry-run")

    # Then it shows the overdue $ 3.000 its reminder will state, not $ 3.500
    message = _by_customer(report["messages"])["C3"]
    assert message["outcome"] == "defer"
    assert message["amount"] == "3000.00"


def test_dry_run_list_agrees_with_counts(portfolio: Portfolio) -> None:
    report = _run_json("--now", TUESDAY, "--dry-run")

    outcomes = [message["outcome"] for message in report["messages"]]
    assert outcomes.count("send") == report["sent"]
    assert outcomes.count("defer") == report["deferred"]
    assert outcomes.count("suppress") == sum(report["suppressed"].values())
    assert len(outcomes) == report["planned"]


def test_dry_run_list_matches_real_run(portfolio: Portfolio) -> None:
    dry = _run_json("--now", TUESDAY, "--dry-run")

    real = _run_json("--now", TUESDAY)

    assert "messages" not in real
    assert _listed_outcomes(dry["messages"]) == _outcomes_in_database(portfolio.url)
    engine = make_engine(portfolio.url)
    with transaction(engine) as session:
        first = session.scalars(select(Customer).where(Customer.external_id == "C1"))
        first_id = first.one().id
    texts = sandbox_texts(engine, first_id)
    engine.dispose()
    assert len(texts) == 1
    assert "$ 1.250,50" in texts[0]


def test_dry_run_lists_earlier_rows_and_thanks(portfolio: Portfolio) -> None:
    # Tuesday's real run defers C3's reminder to Tokyo's morning, which is
    # 21:00 in Buenos Aires, so at 10:00 on Wednesday it is due and deferred
    # again. C1 pays everything on Wednesday morning, which queues a thank-you.
    _run_json("--now", TUESDAY)
    wednesday = local_instant(date(2026, 3, 4), 9, AR_TZ)
    engine = make_engine(portfolio.url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        first = session.scalars(
            select(Customer).where(Customer.external_id == "C1")
        ).one()
        record_payment(
            session, business, first, Decimal("1250.50"), wednesday, wednesday
        )
    engine.dispose()

    dry = _run_json("--now", WEDNESDAY, "--dry-run")
    real = _run_json("--now", WEDNESDAY)

    messages = _by_customer(dry["messages"])
    assert messages["C1"]["step_kind"] == "payment_thanks"
    assert messages["C1"]["amount"] == "1250.50"
    assert messages["C1"]["outcome"] == "send"
    assert messages["C3"]["step"] == "reminder_soft"
    assert messages["C3"]["outcome"] == "defer"
    assert messages["C3"]["until"].startswith("2026-03-05T00:00")
    assert real["sent"] == 1
    assert _listed_outcomes(dry["messages"]).items() <= (
        _outcomes_in_database(portfolio.url).items()
    )


def test_dry_run_leaves_database_unchanged(portfolio: Portfolio) -> None:
    before = _database_contents(portfolio.url)

    _run("--now", TUESDAY, "--dry-run")
    _run_json("--now", TUESDAY, "--dry-run")

    assert _database_contents(portfolio.url) == before


def test_dry_run_table_lists_messages(portfolio_sqlite: Portfolio) -> None:
    output = _run("--now", TUESDAY, "--dry-run")

    assert "Mensajes del ciclo: 4" in output
    assert "C1 Cliente C1 (ficticio)" in output
    assert "reminder_soft" in output
    assert "$ 1.250,50" in output
    assert "sandbox" in output
    assert "Se enviaría" in output
    assert "mensajes más" not in output


def test_dry_run_table_names_steps(portfolio_sqlite: Portfolio) -> None:
    output = _run("--now", TUESDAY, "--dry-run")
    messages = _run_json("--now", TUESDAY, "--dry-run")["messages"]

    assert output.count("recordatorio amable (reminder_soft)") == 4
    assert {message["step"] for message in messages} == {"reminder_soft"}


def test_dry_run_table_gives_reasons(portfolio_sqlite: Portfolio) -> None:
    output = _run("--now", TUESDAY, "--dry-run")
    # Only the last column wraps, so without the borders a cell reads whole.
    text = " ".join(output.replace("│", " ").split())

    # C3's window opens at 09:00 in Tokyo, which is 21:00 in Buenos Aires.
    assert "Diferido hasta 03/03 21:00: fuera del horario de contacto permitido" in text
    assert (
        "Suprimido: el cliente no dio su consentimiento para recibir mensajes" in text
    )
    assert "Suprimido: el cliente pidió la baja de los mensajes" in text
    # The codes are for --json; the table gives the Spanish words only.
    for code in ("outside_contact_window", "no_consent", "opted_out"):
        assert code not in output


def test_dry_run_names_holidays_after_weekend(portfolio: Portfolio) -> None:
    # Saturday 5 December 2026: Monday 7 and Tuesday 8 are holidays in
    # Argentina, so C1's reminder waits for Wednesday 9.
    saturday = "2026-12-05T10:00"

    report = _run_json("--now", saturday, "--dry-run")
    output = _run("--now", saturday, "--dry-run")

    message = _by_customer(report["messages"])["C1"]
    assert message["reason"] == "day_not_allowed"
    assert message["until"] == "2026-12-09T12:00:00+00:00"
    assert message["holidays"] == [
        {"date": "2026-12-07", "name": "Feriado con fines turísticos"},
        {"date": "2026-12-08", "name": "Inmaculada Concepción de María"},
    ]
    text = " ".join(output.replace("│", " ").split())
    assert (
        "Diferido hasta 09/12 09:00: ese día de la semana no se envían mensajes; "
        "además, lunes 07/12 (Feriado con fines turísticos) y martes 08/12 "
        "(Inmaculada Concepción de María) son feriados" in text
    )


def test_dry_run_table_limit(portfolio_sqlite: Portfolio) -> None:
    output = _run("--now", TUESDAY, "--dry-run", "--limit", "1")

    assert "C1 Cliente C1" in output
    assert "C2 Cliente C2" not in output
    assert "… y 3 mensajes más" in output


def test_dry_run_table_default_limit(portfolio_sqlite: Portfolio) -> None:
    _add_customers(portfolio_sqlite.url, DRY_RUN_ROWS)
    total = 4 + DRY_RUN_ROWS

    limited = _run("--now", TUESDAY, "--dry-run")
    everything = _run("--now", TUESDAY, "--dry-run", "--all")

    assert f"Mensajes del ciclo: {total}" in limited
    assert f"… y {total - DRY_RUN_ROWS} mensajes más" in limited
    assert limited.count("reminder_soft") == DRY_RUN_ROWS
    assert everything.count("reminder_soft") == total
    assert "mensajes más" not in everything


def test_dry_run_only_filters_table(portfolio_sqlite: Portfolio) -> None:
    output = _run("--now", TUESDAY, "--dry-run", "--only", "suppress")

    assert "Mensajes del ciclo con resultado «suprimido»: 2 de 4" in output
    assert "C2 Cliente C2" in output
    assert "C4 Cliente C4" in output
    assert "C1 Cliente C1" not in output
    assert "C3 Cliente C3" not in output


def test_dry_run_only_filters_json(portfolio_sqlite: Portfolio) -> None:
    report = _run_json("--now", TUESDAY, "--dry-run", "--only", "defer")

    assert [message["customer"]["external_id"] for message in report["messages"]] == [
        "C3"
    ]
    assert report["planned"] == 4


def test_dry_run_only_without_match(portfolio_sqlite: Portfolio) -> None:
    output = _run("--now", TUESDAY, "--dry-run", "--only", "fail")

    assert "Ningún mensaje del ciclo tiene el resultado «fallaría»." in output


def test_dry_run_nothing_to_list(portfolio_sqlite: Portfolio) -> None:
    _run("--now", TUESDAY)

    output = _run("--now", TUESDAY, "--dry-run")

    assert "El ciclo no trataría ningún mensaje." in output


@pytest.mark.parametrize(
    "option", [["--limit", "5"], ["--all"], ["--only", "send"]], ids=str
)
def test_list_options_need_dry_run(
    portfolio_sqlite: Portfolio, option: list[str]
) -> None:
    before = _database_contents(portfolio_sqlite.url)

    result = runner.invoke(app, ["run", "--now", TUESDAY, *option])

    assert result.exit_code == 2
    assert f"{option[0]} sirve solo con --dry-run" in result.output
    assert _database_contents(portfolio_sqlite.url) == before


def test_limit_and_all_rejected(portfolio_sqlite: Portfolio) -> None:
    result = runner.invoke(
        app, ["run", "--now", TUESDAY, "--dry-run", "--limit", "5", "--all"]
    )

    assert result.exit_code == 2
    assert "Usá --limit o --all, no los dos" in result.output


def test_only_invalid_rejected(portfolio_sqlite: Portfolio) -> None:
    result = runner.invoke(
        app, ["run", "--now", TUESDAY, "--dry-run", "--only", "enviado"]
    )

    assert result.exit_code == 2
    assert "--only inválido: 'enviado'" in result.output
    assert "send (se enviaría)" in result.output


def test_dry_run_prints_names_as_text(portfolio_sqlite: Portfolio) -> None:
    engine: Engine = make_engine(portfolio_sqlite.url)
    with transaction(engine) as session:
        first = session.scalars(
            select(Customer).where(Customer.external_id == "C1")
        ).one()
        first.name = "[bold]Ana[/bold]"
    engine.dispose()

    output = _run("--now", TUESDAY, "--dry-run")

    assert "C1 [bold]Ana[/bold]" in output
