"""Commands that only read never create the database, its tables or a business."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from cobranza.cli import app
from cobranza.config import get_settings
from cobranza.db.engine import make_engine, transaction
from cobranza.db.models import Business
from tests.conftest import POSTGRES_URL_ENV, _admin_engine

runner = CliRunner()

READ_ONLY_COMMANDS = [
    ["audit"],
    ["audit", "--json"],
    ["customers"],
    ["customers", "--json"],
    ["case", "show", "C-1"],
    ["consent", "show", "C-1"],
    ["settings", "show"],
    ["rules", "show"],
    ["channel", "show"],
    ["sandbox", "outbox"],
    ["sandbox", "outbox", "--json"],
    ["inbox"],
    ["inbox", "--json"],
    ["whatsapp", "templates", "list"],
    ["run", "--dry-run"],
    ["run", "--dry-run", "--json"],
]
COMMAND_IDS = [" ".join(command) for command in READ_ONLY_COMMANDS]
# Lists printed as JSON stay valid JSON when there is nothing stored.
EMPTY_LISTS = {"customers --json", "sandbox outbox --json", "inbox --json"}


def _empty_stdout(command: list[str]) -> str:
    return "[]\n" if " ".join(command) in EMPTY_LISTS else ""


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clear the cached settings around a test that sets COBRANZA_DATABASE_URL."""
    monkeypatch.delenv("COBRANZA_BUSINESS_NAME", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _invoke(url: str, command: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("COBRANZA_DATABASE_URL", url)
    get_settings.cache_clear()
    return runner.invoke(app, command)


def _words(text: str) -> str:
    """Return `text` with Rich's line breaks undone, for phrase checks."""
    return " ".join(text.split())


def _business_names(url: str) -> list[str]:
    engine = make_engine(url)
    with transaction(engine) as session:
        names = list(session.scalars(select(Business.name).order_by(Business.id)))
    engine.dispose()
    return names


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=COMMAND_IDS)
def test_missing_sqlite_file_not_created(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_settings: None,
) -> None:
    path = tmp_path / "datos" / "nueva.db"

    result = _invoke(f"sqlite:///{path}", command, monkeypatch)

    assert result.exit_code == 0, result.output
    assert result.stdout == _empty_stdout(command)
    message = _words(result.stderr)
    assert "Todavía no hay datos en la base" in message
    assert "«cobranza import ARCHIVO»" in message
    assert "«cobranza db upgrade»" in message
    assert not path.parent.exists()


def test_empty_sqlite_file_left_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    path = tmp_path / "vacia.db"
    path.touch()

    result = _invoke(f"sqlite:///{path}", ["customers"], monkeypatch)

    assert result.exit_code == 0, result.output
    assert "«cobranza db upgrade»" in _words(result.stderr)
    assert path.stat().st_size == 0
    assert sorted(item.name for item in tmp_path.iterdir()) == ["vacia.db"]


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=COMMAND_IDS)
def test_empty_database_gets_no_business(
    command: list[str],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_settings: None,
) -> None:
    result = _invoke(db_url, command, monkeypatch)

    assert result.exit_code == 0, result.output
    assert result.stdout == _empty_stdout(command)
    message = _words(result.stderr)
    assert "Todavía no hay datos del negocio 'Mi negocio'" in message
    assert "«cobranza import ARCHIVO»" in message
    assert _business_names(db_url) == []


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=COMMAND_IDS)
def test_other_business_named_in_message(
    command: list[str],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_settings: None,
) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        session.add(
            Business(
                name="Ferretería Uno",
                country="AR",
                timezone="America/Argentina/Buenos_Aires",
                currency="ARS",
                locale="es_AR",
                settings={},
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
    engine.dispose()

    result = _invoke(db_url, command, monkeypatch)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    message = _words(result.stderr)
    assert "No hay ningún negocio llamado 'Mi negocio'" in message
    assert "'Ferretería Uno'" in message
    assert "COBRANZA_BUSINESS_NAME" in message
    assert _business_names(db_url) == ["Ferretería Uno"]


def test_writing_command_creates_business(
    db_url: str, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    result = _invoke(
        db_url, ["settings", "set", "promise_grace_days", "3"], monkeypatch
    )

    assert result.exit_code == 0, result.output
    assert _business_names(db_url) == ["Mi negocio"]


def test_writing_command_creates_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    url = f"sqlite:///{tmp_path / 'nueva.db'}"

    result = _invoke(url, ["settings", "set", "promise_grace_days", "3"], monkeypatch)

    assert result.exit_code == 0, result.output
    assert _business_names(url) == ["Mi negocio"]


def test_read_after_write_shows_business(
    db_url: str, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    _invoke(db_url, ["settings", "set", "promise_grace_days", "3"], monkeypatch)

    result = _invoke(db_url, ["settings", "show"], monkeypatch)

    assert result.exit_code == 0, result.output
    assert "promise_grace_days" in result.stdout
    assert result.stderr == ""


@pytest.fixture
def unmigrated_postgres() -> Iterator[str]:
    """Create a PostgreSQL database with no tables, and drop it afterwards."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set, so PostgreSQL tests are skipped")
    name = f"cobranza_empty_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(url)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(url).set(database=name).render_as_string(False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("command", [["customers"], ["run", "--dry-run"]])
def test_unmigrated_postgres_left_empty(
    command: list[str],
    unmigrated_postgres: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_settings: None,
) -> None:
    result = _invoke(unmigrated_postgres, command, monkeypatch)

    assert result.exit_code == 0, result.output
    assert "«cobranza db upgrade»" in _words(result.stderr)
    engine = make_engine(unmigrated_postgres)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    engine.dispose()
    assert tables == []
