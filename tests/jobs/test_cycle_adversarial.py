"""Hostile cycles: imported bad phones, racing processes, time going backwards."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from cobranza.cli import app
from cobranza.config import Settings, get_settings
from cobranza.db.engine import default_business, make_engine, transaction
from cobranza.db.models import Business, OutboxMessage, OutboxState, SandboxMessage
from cobranza.jobs import run_cycle
from tests.channels.factories import (
    PAYMENT_INSTRUCTIONS,
    make_business,
    make_customer,
    make_document,
)
from tests.ingest.conftest import run_import, write_csv
from tests.scenarios.helpers import AR_TZ, local_instant

HEADER = ["Código cliente", "Nombre", "Celular", "Factura", "Vencimiento", "Importe"]
HEADER_WITH_CONSENT = [*HEADER, "Consentimiento"]
TUESDAY = local_instant(date(2026, 3, 10), 10, AR_TZ)
runner = CliRunner()
SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)


def _sandbox_counts(engine: Engine) -> tuple[int, int]:
    with transaction(engine) as session:
        total = session.scalar(select(func.count()).select_from(SandboxMessage))
        distinct = session.scalar(
            select(func.count(func.distinct(SandboxMessage.outbox_id)))
        )
        return total or 0, distinct or 0


def _import_portfolio(engine: Engine, tmp_path: Path, rows: list[list[str]]) -> int:
    with transaction(engine) as session:
        business_id = make_business(session, SETUP).id
    path = write_csv(tmp_path / "cartera.csv", [HEADER_WITH_CONSENT, *rows])
    report = run_import(engine, business_id, path)
    assert report.rejected_row_count == 0
    return business_id


def test_imported_invalid_phone_reported(engine: Engine, tmp_path: Path) -> None:
    business_id = _import_portfolio(
        engine,
        tmp_path,
        [["C1", "Ana Díaz (ficticia)", "abc", "F-1", "01/03/2026", "1000", "si"]],
    )

    report = run_cycle(engine, business_id, TUESDAY)

    assert report.dispatch.suppressed == {"phone_invalid": 1}


def test_earlier_now_sends_nothing_more(engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["C1", "Ana Díaz (ficticia)", "+54 9 11 5555-0101", "F-1", "01/03/2026",
         "1000", "si"],
        ["C2", "Luis Paz (ficticio)", "+54 9 11 5555-0102", "F-2", "01/03/2026",
         "2000", "si"],
    ]  # fmt: skip
    business_id = _import_portfolio(engine, tmp_path, rows)
    later = local_instant(date(2026, 3, 20), 10, AR_TZ)

    first = run_cycle(engine, business_id, later)
    earlier = [
        run_cycle(engine, business_id, local_instant(date(2026, 3, day), 10, AR_TZ))
        for day in (2, 4, 10, 19)
    ]

    assert first.dispatch.sent == 2
    assert [report.dispatch.sent for report in earlier] == [0, 0, 0, 0]
    assert [report.planned for report in earlier] == [0, 0, 0, 0]
    assert _sandbox_counts(engine) == (2, 2)


def test_cycle_info_logs_no_personal_data(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [
        ["C1", "Zulema Quiroga (ficticia)", "+54 9 11 5555-0101", "F-1",
         "01/03/2026", "1000", "si"],
    ]  # fmt: skip
    business_id = _import_portfolio(engine, tmp_path, rows)
    caplog.set_level(logging.INFO, logger="cobranza")

    report = run_cycle(engine, business_id, TUESDAY)

    assert report.dispatch.sent == 1
    with transaction(engine) as session:
        text = session.scalars(select(SandboxMessage.text)).one()
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert info
    for line in info:
        assert "Zulema" not in line
        assert "Quiroga" not in line
        assert "5555" not in line
        assert "0101" not in line
        assert text[:40] not in line


def _run_cli(database_url: str, now: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "COBRANZA_DATABASE_URL": database_url}
    command = "from cobranza.cli import app; app()"
    return subprocess.Popen(
        [sys.executable, "-c", command, "run", "--now", now, "--json"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_two_cli_runs_send_once(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url)
    rows = [
        [f"C{i}", f"Cliente {i} (ficticio)", f"+54 9 11 5555-{i:04d}",
         f"F-{i}", "01/03/2026", "1000", "si"]
        for i in range(60)
    ]  # fmt: skip
    business_id = _import_portfolio(engine, tmp_path, rows)
    with transaction(engine) as session:
        name = session.get_one(Business, business_id).name
    monkeypatch.setenv("COBRANZA_BUSINESS_NAME", name)

    processes = [_run_cli(sqlite_url, "2026-03-10T10:00") for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]

    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr.decode()
    assert _sandbox_counts(engine) == (60, 60)
    with transaction(engine) as session:
        states = session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    assert dict(states) == {OutboxState.SENT: 60}
    engine.dispose()


@pytest.fixture
def markup_customer(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI at a database whose one customer has id and name '[/]'."""
    monkeypatch.setenv("COBRANZA_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        business = default_business(session, Settings())
        business.settings = {"payment_instructions": PAYMENT_INSTRUCTIONS}
        customer = make_customer(
            session, business, SETUP, "[/]", "+5491155550101", name="[/]"
        )
        make_document(session, customer, SETUP, "F-1", "1000.00", date(2026, 3, 2))
    engine.dispose()
    yield sqlite_url
    get_settings.cache_clear()


def test_cli_prints_markup_as_text(markup_customer: str) -> None:
    commands = [
        ["consent", "revoke", "[/]", "--source", "prueba"],
        ["consent", "grant", "[/]", "--source", "prueba"],
        ["consent", "show", "[/]"],
        ["run", "--now", "2026-03-10T10:00"],
        ["sandbox", "reply", "+5491155550101", "[/] quiero hablar con una persona"],
        ["inbox"],
    ]

    results = [runner.invoke(app, command) for command in commands]

    for command, result in zip(commands, results, strict=True):
        assert result.exit_code == 0, (command, result.output)
    assert "cliente [/]" in results[0].output
    assert "Cliente [/]: consentimiento registrado." in results[2].output
    assert "cliente [/]." in results[4].output
    assert "[/] quiero" in results[5].output


def test_cli_error_with_markup_value(markup_customer: str) -> None:
    result = runner.invoke(app, ["consent", "show", "[/]x"])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "'[/]x'" in result.output


def test_case_show_markup_name(markup_customer: str) -> None:
    runner.invoke(app, ["run", "--now", "2026-03-10T10:00"])

    result = runner.invoke(app, ["case", "show", "[/]"])

    assert result.exit_code == 0, result.output
